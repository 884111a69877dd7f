"""Boltzmann machines: stochastic binary units, Gibbs sampling, annealing and learning; Hopfield nets.

The model
---------
N units s_i in {0, 1}, a symmetric weight matrix W with zero diagonal and biases theta:

    E(s) = -( sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i ).

The energy gap of unit i, the energy with it off minus the energy with it on, is

    Delta E_i = E(s_i = 0) - E(s_i = 1) = sum_j w_ij s_j + theta_i ,

and at temperature T a stochastic unit switches on with probability

    p_on = sigma(Delta E_i / T) = 1 / (1 + exp(-Delta E_i / T)).

Visiting the units one after the other with this rule (a *sweep* of Gibbs sampling) leaves
the Boltzmann distribution P(s) = exp(-E(s)/T) / Z unchanged, and from any start the chain
converges to it. At T -> 0 the rule becomes the deterministic Hopfield update.

Learning (Ackley, Hinton and Sejnowski 1985)
--------------------------------------------
Split the units into visible v (the first n_visible) and hidden h. With P+(v) the data
distribution and P-(v) = sum_h P(v, h) the model's,

    KL(P+ || P-) = sum_v P+(v) log(P+(v) / P-(v)),
    dKL / dw_ij = -( <s_i s_j>+ - <s_i s_j>- ) / T,

where <.>+ averages with v clamped to the data and h at equilibrium (the clamped phase) and
<.>- with nothing clamped (the free phase). :class:`BoltzmannMachine` follows this gradient,
with the statistics computed exactly (small models) or by sampling.

Randomness
----------
Every stochastic function takes ``seed`` and gives each chain its own ``bmlib.rng`` stream,
so results depend on the seed alone, never on the number of threads.

References
----------
J. J. Hopfield, "Neural networks and physical systems with emergent collective computational
abilities", PNAS 79 (1982) 2554.
D. H. Ackley, G. E. Hinton and T. J. Sejnowski, "A learning algorithm for Boltzmann
machines", Cognitive Science 9 (1985) 147.
"""

import numpy as np
from numba import njit, prange

from bmlib import _validate, exact, progress, rng, stats
from bmlib.exact import check_weights

__all__ = [
    "check_weights",
    "energy",
    "delta_energy",
    "gibbs",
    "gibbs_samples",
    "anneal",
    "PAPER_SCHEDULE",
    "statistics",
    "kl_divergence",
    "kl_gradient",
    "encoder_connectivity",
    "BoltzmannMachine",
    "hopfield_weights",
    "hopfield_recall",
]

PAPER_SCHEDULE = ((20.0, 2), (15.0, 2), (12.0, 2), (10.0, 4))
"""The annealing schedule of the 1985 encoder runs: (temperature, sweeps) pairs, hottest first."""

_PARALLEL_WORK = 2_000_000  # multiply-adds below which one thread is faster than two
_MAX_EXACT_UNITS = 20  # exact statistics enumerate 2^N states; beyond this, sample


# ---------------------------------------------------------------------------------------
# energy


def energy(s, W, theta):
    """Energy E(s) = -( sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i ) = -(1/2 s^T W s + theta^T s).

    Parameters
    ----------
    s : array_like of shape (N,) or (n_states, N)
        Binary states (0 and 1).
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.

    Returns
    -------
    float or ndarray of shape (n_states,)
    """
    W, theta = check_weights(W, theta)
    s = _states("s", s, theta.size)
    values = -(0.5 * np.einsum("...i,ij,...j->...", s, W, s) + s @ theta)
    return float(values) if s.ndim == 1 else values


def delta_energy(s, W, theta):
    """Energy gaps Delta E_i = E(s_i = 0) - E(s_i = 1) = sum_j w_ij s_j + theta_i of every unit.

    A positive gap means the unit lowers the energy by switching on.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_states, N)
        Binary states.
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal (so s_i's own value does not enter).
    theta : array_like of shape (N,)
        Biases.

    Returns
    -------
    ndarray of the shape of ``s``
    """
    W, theta = check_weights(W, theta)
    s = _states("s", s, theta.size)
    return s @ W + theta


# ---------------------------------------------------------------------------------------
# Gibbs sampling and annealing


def gibbs(s, W, theta, T=1.0, n_sweeps=1, seed=None, clamped=None):
    """Run sequential Gibbs sweeps at temperature T on one chain or many.

    In each sweep every free unit i, in order i = 0, 1, ..., N-1, is set to 1 with
    probability sigma(Delta E_i / T) given the current values of all the others; clamped
    units keep their values. Each chain (row of ``s``) has its own random stream.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_chains, N)
        Starting states (0 and 1); not modified.
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    T : float
        Temperature, > 0.
    n_sweeps : int
        Number of sweeps, >= 0.
    seed : int, numpy.random.Generator or None
    clamped : array_like of bool, shape (N,), optional
        True for units held at their starting values (e.g. visible units clamped to data).

    Returns
    -------
    ndarray of the shape of ``s``, float64
        The states after ``n_sweeps`` sweeps.
    """
    W, theta = check_weights(W, theta)
    states, one = _chains("s", s, theta.size)
    T = _validate.positive_scalar("T", T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    free = _free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    _gibbs(states, W, theta, 1.0 / T, n_sweeps, free, streams)
    return states[0] if one else states


def gibbs_samples(s, W, theta, T=1.0, n_samples=1000, seed=None, clamped=None, burn_in=0, thin=1):
    """Record the states of Gibbs chains: ``burn_in`` sweeps, then one sample every ``thin`` sweeps.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_chains, N)
        Starting states (0 and 1); not modified.
    W, theta, T, seed, clamped
        As in :func:`gibbs`.
    n_samples : int
        Samples recorded per chain, >= 1.
    burn_in : int
        Sweeps discarded before the first sample, >= 0.
    thin : int
        Sweeps between recorded samples, >= 1.

    Returns
    -------
    ndarray of shape (n_chains, n_samples, N), dtype uint8
        (n_samples, N) for a single chain.
    """
    W, theta = check_weights(W, theta)
    states, one = _chains("s", s, theta.size)
    T = _validate.positive_scalar("T", T)
    n_samples = _validate.count("n_samples", n_samples)
    burn_in = _validate.count("burn_in", burn_in)
    thin = _validate.count("thin", thin)
    if n_samples < 1 or thin < 1:
        raise ValueError(f"n_samples and thin must be >= 1, got {n_samples} and {thin}")
    free = _free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    out = np.empty((states.shape[0], n_samples, theta.size), dtype=np.uint8)
    _gibbs_record(states, W, theta, 1.0 / T, burn_in, thin, free, streams, out)
    return out[0] if one else out


def anneal(s, W, theta, schedule=PAPER_SCHEDULE, seed=None, clamped=None):
    """Simulated annealing: Gibbs sweeps at a falling temperature; return the final states.

    At high T the units flip almost at random and the chain crosses energy barriers freely;
    as T falls, it settles into ever lower valleys. Cooling slowly enough finds the deep
    minima that a deterministic (T = 0, Hopfield) descent from the same start misses.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_chains, N)
        Starting states; not modified.
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    schedule : sequence of (T, n_sweeps) pairs
        Temperatures (> 0) and how many sweeps to spend at each, in order. The default is
        the 1985 paper's :data:`PAPER_SCHEDULE` (2 sweeps at T = 20, 2 at 15, 2 at 12, 4 at 10).
    seed : int, numpy.random.Generator or None
    clamped : array_like of bool, shape (N,), optional
        Units held at their starting values.

    Returns
    -------
    ndarray of the shape of ``s``, float64
    """
    W, theta = check_weights(W, theta)
    states, one = _chains("s", s, theta.size)
    steps = _schedule(schedule)
    free = _free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    for T, n_sweeps in steps:
        _gibbs(states, W, theta, 1.0 / T, n_sweeps, free, streams)
    return states[0] if one else states


# ---------------------------------------------------------------------------------------
# statistics and the learning rule


def statistics(
    W, theta, patterns=None, T=1.0, *, method="exact", n_chains=100, n_sweeps=100, burn_in=50, seed=None
):
    """<s_i> and <s_i s_j> in the clamped phase (``patterns`` given) or the free phase.

    Clamped phase: the first ``patterns.shape[1]`` units (the visible ones) are clamped to each
    pattern in turn and the hidden units are at equilibrium given them; averages are over
    patterns (equally weighted) and hidden states. Free phase: nothing is clamped.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    patterns : array_like of shape (n_patterns, n_visible), optional
        Binary data for the clamped phase; None for the free phase.
    T : float
        Temperature, > 0.
    method : {"exact", "sample"}
        "exact" enumerates all states (N <= 20); "sample" runs Gibbs chains (for the clamped
        phase, ``n_chains`` per pattern) from random starts for ``burn_in`` sweeps, then
        averages over the next ``n_sweeps`` sweeps.
    n_chains, n_sweeps, burn_in : int
        Sampling effort (ignored by "exact").
    seed : int, numpy.random.Generator or None
        For "sample".

    Returns
    -------
    mean : ndarray of shape (N,)
    pairwise : ndarray of shape (N, N)
        Symmetric, with the means on its diagonal.
    """
    W, theta = check_weights(W, theta)
    T = _validate.positive_scalar("T", T)
    if method not in ("exact", "sample"):
        raise ValueError(f"method must be 'exact' or 'sample', got {method!r}")
    if patterns is not None:
        patterns = exact._patterns(patterns, theta.size)
    if method == "exact":
        if theta.size > _MAX_EXACT_UNITS:
            raise ValueError(f"method='exact' enumerates 2^N states: N must be <= {_MAX_EXACT_UNITS}")
        if patterns is None:
            return exact.moments(W, theta, T)
        return exact.clamped_moments(W, theta, patterns, T)
    n_chains = _validate.count("n_chains", n_chains)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    burn_in = _validate.count("burn_in", burn_in)
    if n_chains < 1 or n_sweeps < 1:
        raise ValueError(f"n_chains and n_sweeps must be >= 1, got {n_chains} and {n_sweeps}")
    generator = rng.as_generator(seed)
    pairwise = _sampled_pairwise(
        W, theta, patterns, 1.0 / T, n_chains, n_sweeps, ((T, burn_in),), generator, (0.0, 0.0)
    )
    return np.diag(pairwise).copy(), pairwise


def kl_divergence(W, theta, patterns, T=1.0):
    """Exact KL(P+ || P-) of a machine whose first ``patterns.shape[1]`` units are visible.

    P+ is the empirical distribution of the rows of ``patterns`` (repeated rows count
    twice); P-(v) = sum_h P(v, h) is the machine's marginal, by enumeration.

    Parameters
    ----------
    W : array_like of shape (N, N)
    theta : array_like of shape (N,)
    patterns : array_like of shape (n_patterns, n_visible)
        Binary, not empty.
    T : float

    Returns
    -------
    float
        In nats.
    """
    W, theta, T = exact._model(W, theta, T)
    patterns = exact._patterns(patterns, theta.size)
    return _kl(W, theta, _data_distribution(patterns), 1.0 / T)


def kl_gradient(W, theta, patterns, T=1.0):
    """Exact gradient of KL(P+ || P-): dKL/dw_ij = -(<s_i s_j>+ - <s_i s_j>-)/T, dKL/dtheta_i likewise.

    w_ij and w_ji are one parameter: entry (i, j) of the result is the derivative with respect
    to that shared weight.

    Parameters
    ----------
    W : array_like of shape (N, N)
    theta : array_like of shape (N,)
    patterns : array_like of shape (n_patterns, n_visible)
    T : float

    Returns
    -------
    grad_W : ndarray of shape (N, N)
        Symmetric, zero diagonal.
    grad_theta : ndarray of shape (N,)
    """
    W, theta, T = exact._model(W, theta, T)
    patterns = exact._patterns(patterns, theta.size)
    unique, weights = _data_distribution(patterns)
    plus = exact._clamped_moments(W, theta, unique, weights, 1.0 / T)
    minus = exact._moments_from_log_weights(exact._log_weights(W, theta, 1.0 / T), theta.size)
    difference = (plus - minus) / T
    grad_theta = -np.diag(difference).copy()
    grad_W = -difference
    np.fill_diagonal(grad_W, 0.0)
    return grad_W, grad_theta


def encoder_connectivity(n_group, n_hidden):
    """Which weights exist in the n-h-n encoder network of Ackley, Hinton and Sejnowski (1985).

    Units are ordered [V1 (n_group), V2 (n_group), H (n_hidden)]. Every unit is connected to
    the units of its own group; V1 and V2 are connected to H but not to each other, so
    everything V2 learns about V1 has to pass through the hidden units.

    Parameters
    ----------
    n_group : int
        Units in each visible group, >= 1.
    n_hidden : int
        Hidden units, >= 1.

    Returns
    -------
    ndarray of shape (2 n_group + n_hidden, 2 n_group + n_hidden), dtype bool
        Symmetric, False on the diagonal.
    """
    n_group = _validate.count("n_group", n_group)
    n_hidden = _validate.count("n_hidden", n_hidden)
    if n_group < 1 or n_hidden < 1:
        raise ValueError(f"n_group and n_hidden must be >= 1, got {n_group} and {n_hidden}")
    group = np.repeat([0, 1, 2], [n_group, n_group, n_hidden])
    mask = (group[:, None] == group[None, :]) | (group[:, None] == 2) | (group[None, :] == 2)
    np.fill_diagonal(mask, False)
    return mask


class BoltzmannMachine:
    """A Boltzmann machine with visible and hidden units, trained by the two-phase rule.

    Units 0 .. n_visible - 1 are visible, the rest hidden. Training follows the gradient of
    KL(P+ || P-):

        Delta w_ij = (eta / T) ( <s_i s_j>+ - <s_i s_j>- ) - eta * lambda * w_ij ,
        Delta theta_i = (eta / T) ( <s_i>+ - <s_i>- ),

    with learning rate eta and weight decay lambda, once per *learning cycle* (one clamped
    and one free phase), for weights allowed by ``connectivity``.

    Parameters
    ----------
    n_visible : int
        Visible units, >= 1.
    n_hidden : int
        Hidden units, >= 0.
    T : float
        Temperature of the machine, > 0.
    connectivity : array_like of bool, shape (N, N), optional
        Symmetric mask of the weights that exist (default: all pairs).
    init_scale : float
        Standard deviation of the random initial weights (>= 0; random weights break the
        symmetry between hidden units, which identical zero weights would never do).
    seed : int, numpy.random.Generator or None
        Initial weights and, unless ``fit`` is given its own, the sampling in ``fit``.

    Attributes
    ----------
    W_ : ndarray of shape (N, N)
    theta_ : ndarray of shape (N,)
    kl_history_ : list of float
        Exact KL(P+ || P-) before the first cycle and after each cycle of the last ``fit``
        (only when it can be computed exactly, N <= 20).
    n_cycles_ : int
        Learning cycles run by the last ``fit``.
    """

    def __init__(self, n_visible, n_hidden=0, *, T=1.0, connectivity=None, init_scale=0.1, seed=None):
        self.n_visible = _validate.count("n_visible", n_visible)
        self.n_hidden = _validate.count("n_hidden", n_hidden)
        if self.n_visible < 1:
            raise ValueError("n_visible must be >= 1")
        self.T = _validate.positive_scalar("T", T)
        n = self.n_visible + self.n_hidden
        if connectivity is None:
            mask = ~np.eye(n, dtype=bool)
        else:
            mask = np.asarray(connectivity)
            if mask.shape != (n, n) or mask.dtype != bool:
                raise ValueError(
                    f"connectivity must be a boolean array of shape ({n}, {n}), got {mask.shape}"
                )
            if not np.array_equal(mask, mask.T):
                raise ValueError("connectivity must be symmetric")
            mask = mask & ~np.eye(n, dtype=bool)
        self.connectivity = mask
        init_scale = float(_validate.real_array("init_scale", init_scale))
        if init_scale < 0:
            raise ValueError(f"init_scale must be >= 0, got {init_scale}")
        self.init_scale = init_scale
        self._generator = rng.as_generator(seed)
        upper = np.triu(self._generator.normal(0.0, init_scale, size=(n, n)), 1)
        self.W_ = (upper + upper.T) * mask
        self.theta_ = np.zeros(n)
        self.kl_history_ = []
        self.n_cycles_ = 0

    @property
    def n_units(self):
        return self.n_visible + self.n_hidden

    def fit(
        self,
        patterns,
        n_cycles=100,
        learning_rate=1.0,
        *,
        method="exact",
        step="gradient",
        noise=(0.0, 0.0),
        weight_decay=0.0,
        momentum=0.0,
        n_chains=20,
        n_sweeps=10,
        schedule=None,
        stop=None,
        seed=None,
        verbose=False,
    ):
        """Train on binary patterns with the two-phase rule; return ``self``.

        Parameters
        ----------
        patterns : array_like of shape (n_patterns, n_visible)
            Binary training data, not empty; P+ is its empirical distribution.
        n_cycles : int
            Learning cycles (weight updates), >= 0.
        learning_rate : float
            eta, > 0.
        method : {"exact", "sample"}
            "exact": both phases by enumeration (N <= 20), i.e. gradient descent on the KL.
            "sample": each phase by Gibbs chains, ``n_chains`` per pattern (clamped) and
            ``n_chains * n_patterns`` (free), annealed with ``schedule`` (default: 20 sweeps
            at T) and then averaged over ``n_sweeps`` sweeps at T.
        step : {"gradient", "sign"}
            "gradient": the step above. "sign": the 1985 paper's fixed-size step,
            Delta w_ij = eta * sign(<s_i s_j>+ - <s_i s_j>-) (and likewise for theta), which
            together with sampling noise helps the encoder escape poor local minima.
        noise : (float, float)
            Noisy clamping as in the 1985 paper: probabilities that a clamped "on" unit is
            presented "off" and an "off" unit "on" (the paper used (0.15, 0.05)). P+ then
            never puts zero weight on a state, so the weights need not grow without bound.
        weight_decay : float
            lambda >= 0: each cycle shrinks every weight by eta * lambda * w_ij.
        momentum : float
            0 <= alpha < 1: each step adds alpha times the previous step.
        n_chains, n_sweeps, schedule
            Sampling effort for ``method="sample"``.
        stop : callable, optional
            ``stop(machine)`` is called after each cycle; training ends when it returns True.
        seed : int, numpy.random.Generator or None
            Sampling (method "sample"); default: the machine's own generator.
        verbose : bool or "auto"
            Show a progress line over the cycles ("auto": only when a person is watching, see
            ``bmlib.progress``; never under nbval).

        Returns
        -------
        BoltzmannMachine
        """
        patterns = exact._patterns(patterns, self.n_units)
        if patterns.shape[1] != self.n_visible:
            raise ValueError(
                f"patterns must have {self.n_visible} columns (one per visible unit), got {patterns.shape[1]}"
            )
        n_cycles = _validate.count("n_cycles", n_cycles)
        learning_rate = _validate.positive_scalar("learning_rate", learning_rate)
        if method not in ("exact", "sample"):
            raise ValueError(f"method must be 'exact' or 'sample', got {method!r}")
        if step not in ("gradient", "sign"):
            raise ValueError(f"step must be 'gradient' or 'sign', got {step!r}")
        noise = _validate.real_array("noise", noise)
        if noise.shape != (2,) or np.any(noise < 0) or np.any(noise >= 1):
            raise ValueError(f"noise must be two probabilities in [0, 1), got {noise}")
        weight_decay = float(_validate.real_array("weight_decay", weight_decay))
        momentum = float(_validate.real_array("momentum", momentum))
        if weight_decay < 0 or not 0 <= momentum < 1:
            raise ValueError(
                f"weight_decay must be >= 0 and momentum in [0, 1), got {weight_decay}, {momentum}"
            )
        exact_kl = self.n_units <= _MAX_EXACT_UNITS
        if method == "exact":
            if not exact_kl:
                raise ValueError(f"method='exact' needs at most {_MAX_EXACT_UNITS} units, got {self.n_units}")
            clamped_data = _noisy_distribution(patterns, noise)
        else:
            n_chains = _validate.count("n_chains", n_chains)
            n_sweeps = _validate.count("n_sweeps", n_sweeps)
            if n_chains < 1 or n_sweeps < 1:
                raise ValueError("n_chains and n_sweeps must be >= 1")
            steps = ((self.T, 20),) if schedule is None else _schedule(schedule)
            generator = self._generator if seed is None else rng.as_generator(seed)
        data = _data_distribution(patterns)
        beta = 1.0 / self.T
        mask = self.connectivity
        velocity_W = np.zeros_like(self.W_)
        velocity_theta = np.zeros_like(self.theta_)
        self.kl_history_ = [_kl(self.W_, self.theta_, data, beta)] if exact_kl else []
        self.n_cycles_ = 0
        bar = progress.Progress(n_cycles, "learning cycle", verbose)
        for _ in range(n_cycles):
            if method == "exact":
                plus = exact._clamped_moments(self.W_, self.theta_, clamped_data[0], clamped_data[1], beta)
                minus = exact._moments_from_log_weights(
                    exact._log_weights(self.W_, self.theta_, beta), self.n_units
                )
            else:
                plus = _sampled_pairwise(
                    self.W_, self.theta_, patterns, beta, n_chains, n_sweeps, steps, generator, noise
                )
                minus = _sampled_pairwise(
                    self.W_,
                    self.theta_,
                    None,
                    beta,
                    n_chains * patterns.shape[0],
                    n_sweeps,
                    steps,
                    generator,
                    noise,
                )
            difference = beta * (plus - minus)
            if step == "sign":
                difference = np.sign(difference)
            step_W = learning_rate * (difference * mask - weight_decay * self.W_)
            step_theta = learning_rate * np.diag(difference)
            velocity_W = momentum * velocity_W + step_W
            velocity_theta = momentum * velocity_theta + step_theta
            self.W_ = self.W_ + velocity_W
            self.theta_ = self.theta_ + velocity_theta
            self.n_cycles_ += 1
            if exact_kl:
                self.kl_history_.append(_kl(self.W_, self.theta_, data, beta))
            bar.update(f"KL {self.kl_history_[-1]:.4f}" if exact_kl else "")
            if stop is not None and stop(self):
                break
        bar.close()
        return self

    def sample(self, n_samples, n_sweeps=100, seed=None):
        """Draw visible vectors from the free-running machine.

        Each sample is the visible part of an independent chain started at random and run
        for ``n_sweeps`` Gibbs sweeps at the machine's temperature.

        Parameters
        ----------
        n_samples : int
            >= 1.
        n_sweeps : int
            >= 1.
        seed : int, numpy.random.Generator or None
            Default: the machine's own generator.

        Returns
        -------
        ndarray of shape (n_samples, n_visible), float64
        """
        n_samples = _validate.count("n_samples", n_samples)
        n_sweeps = _validate.count("n_sweeps", n_sweeps)
        if n_samples < 1:
            raise ValueError("n_samples must be >= 1")
        generator = self._generator if seed is None else rng.as_generator(seed)
        states = (generator.random((n_samples, self.n_units)) < 0.5).astype(np.float64)
        streams = rng.stream_states(generator, n_samples)
        free = np.arange(self.n_units, dtype=np.int64)
        _gibbs(states, self.W_, self.theta_, 1.0 / self.T, n_sweeps, free, streams)
        return states[:, : self.n_visible]

    def kl_divergence(self, patterns):
        """Exact KL(P+ || P-) in nats between the patterns' distribution and the machine's.

        Parameters
        ----------
        patterns : array_like of shape (n_patterns, n_visible)

        Returns
        -------
        float
        """
        return kl_divergence(self.W_, self.theta_, patterns, self.T)

    def visible_distribution(self):
        """Exact P-(v) = sum_h P(v, h), indexed by the visible code (see ``exact.marginal``)."""
        return exact.marginal(self.W_, self.theta_, self.n_visible, self.T)


# ---------------------------------------------------------------------------------------
# Hopfield networks


def hopfield_weights(patterns):
    """Hebbian weights storing binary patterns in a Hopfield network of {0, 1} units.

    In spin language, x = 2s - 1 in {-1, +1}, Hebb's rule is J = (1/N) sum_p x^p x^p^T with a
    zero diagonal and energy -1/2 x^T J x. Substituting x = 2s - 1 gives the same energy (up
    to a constant) for {0, 1} units with

        W = 4 J,   theta_i = -2 sum_j J_ij .

    Parameters
    ----------
    patterns : array_like of shape (n_patterns, N)
        Binary patterns to store, not empty.

    Returns
    -------
    W : ndarray of shape (N, N)
        Symmetric, zero diagonal.
    theta : ndarray of shape (N,)
    """
    array = _validate.real_array("patterns", patterns)
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"patterns must be 2-D (n_patterns, N), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError("patterns must not be empty (nothing to store)")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("patterns must hold only 0 and 1")
    spins = 2.0 * array - 1.0
    J = spins.T @ spins / array.shape[1]
    np.fill_diagonal(J, 0.0)
    return 4.0 * J, -2.0 * J.sum(axis=1)


def hopfield_recall(s, W, theta, max_sweeps=100, seed=None):
    """Asynchronous deterministic descent: the T -> 0 limit of Gibbs sampling.

    Each sweep visits the units in a random order; unit i becomes 1 if Delta E_i > 0 and 0
    if Delta E_i < 0 (a tie leaves it alone). No update can raise the energy, since it changes
    E by -(s_i' - s_i) Delta E_i <= 0. Stops after a sweep that changes nothing (a local
    minimum: a stored memory, or a spurious one) or after ``max_sweeps``.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_states, N)
        Starting states (binary); not modified.
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    max_sweeps : int
        >= 1.
    seed : int, numpy.random.Generator or None
        The visiting orders, one stream per state.

    Returns
    -------
    final : ndarray of the shape of ``s``, float64
    energies : ndarray of shape (n_visits + 1,) or (n_states, n_visits + 1)
        The energy before the first visit and after every unit visit, n_visits being N times
        the largest number of sweeps any state needed; a converged state's energy is
        repeated to the end.
    """
    W, theta = check_weights(W, theta)
    states, one = _chains("s", s, theta.size)
    max_sweeps = _validate.count("max_sweeps", max_sweeps)
    if max_sweeps < 1:
        raise ValueError("max_sweeps must be >= 1")
    streams = rng.stream_states(seed, states.shape[0])
    energies = np.empty((states.shape[0], max_sweeps * theta.size + 1))
    used = _hopfield(states, W, theta, max_sweeps, streams, energies)
    energies = energies[:, : used * theta.size + 1]
    return (states[0], energies[0]) if one else (states, energies)


# ---------------------------------------------------------------------------------------
# validation and data helpers (private)


def _states(name, s, n_units):
    array = _validate.real_array(name, s)
    if array.ndim not in (1, 2) or array.shape[-1] != n_units:
        raise ValueError(
            f"{name} must have shape ({n_units},) or (n, {n_units}) to match W, got {array.shape}"
        )
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(f"{name} must hold only 0 and 1 (binary units)")
    return array


def _chains(name, s, n_units):
    """A fresh C-contiguous (n_chains, N) float64 copy of the states, and whether s was 1-D."""
    array = _states(name, s, n_units)
    if array.ndim == 2 and array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one state")
    return np.array(np.atleast_2d(array), dtype=np.float64, order="C"), array.ndim == 1


def _free_units(clamped, n_units):
    if clamped is None:
        return np.arange(n_units, dtype=np.int64)
    mask = np.asarray(clamped)
    if mask.dtype != bool or mask.shape != (n_units,):
        raise ValueError(
            f"clamped must be a boolean array of shape ({n_units},), got {mask.dtype} {mask.shape}"
        )
    return np.flatnonzero(~mask).astype(np.int64)


def _schedule(schedule):
    try:
        steps = [(float(T), n) for T, n in schedule]
    except (TypeError, ValueError) as err:
        raise TypeError("schedule must be a sequence of (T, n_sweeps) pairs") from err
    if not steps:
        raise ValueError("schedule must not be empty")
    return tuple(
        (_validate.positive_scalar("schedule temperature", T), _validate.count("schedule n_sweeps", n))
        for T, n in steps
    )


def _data_distribution(patterns):
    """Distinct rows of ``patterns`` and their frequencies: the empirical P+."""
    unique, counts = np.unique(patterns, axis=0, return_counts=True)
    return np.ascontiguousarray(unique), counts / counts.sum()


def _noisy_distribution(patterns, noise):
    """P+ of the visible vectors presented under noisy clamping (exact, over all 2^n_visible)."""
    unique, weights = _data_distribution(patterns)
    off, on = noise
    if off == 0 and on == 0:
        return unique, weights
    n_visible = patterns.shape[1]
    if n_visible > _MAX_EXACT_UNITS:
        raise ValueError(
            f"exact noisy clamping enumerates 2^n_visible vectors: n_visible <= {_MAX_EXACT_UNITS}"
        )
    states = exact.states_by_code(n_visible).astype(np.float64)
    probability = np.zeros(states.shape[0])
    for row, weight in zip(unique, weights, strict=True):
        # each on unit stays on with 1 - off, each off unit turns on with probability on
        p_on = np.where(row == 1, 1.0 - off, on)
        probability += weight * np.prod(np.where(states == 1, p_on, 1.0 - p_on), axis=1)
    return states, probability


def _kl(W, theta, data, beta):
    unique, weights = data
    n_visible = unique.shape[1]
    log_weights = exact._log_weights(W, theta, beta)
    log_z = stats.logsumexp(log_weights)
    n_hidden = theta.size - n_visible
    # log P-(v) = logsumexp over hidden codes of the log weights of (v, h)
    table = log_weights.reshape(2**n_hidden, 2**n_visible)
    codes = unique.astype(np.int64) @ (np.int64(1) << np.arange(n_visible, dtype=np.int64))
    log_model = np.array([stats.logsumexp(table[:, c]) for c in codes]) - log_z
    return float(max(0.0, np.sum(weights * (np.log(weights) - log_model))))


def _sampled_pairwise(W, theta, patterns, beta, n_chains, n_sweeps, steps, generator, noise):
    """<s_i s_j> from Gibbs chains: clamped (n_chains per pattern) when patterns is given, else free."""
    n = theta.size
    if patterns is None:
        states = (generator.random((n_chains, n)) < 0.5).astype(np.float64)
        free = np.arange(n, dtype=np.int64)
    else:
        n_visible = patterns.shape[1]
        states = (generator.random((n_chains * patterns.shape[0], n)) < 0.5).astype(np.float64)
        visible = np.repeat(patterns, n_chains, axis=0)
        off, on = noise
        if off > 0 or on > 0:
            flip = generator.random(visible.shape)
            visible = np.where(visible == 1, flip >= off, flip < on).astype(np.float64)
        states[:, :n_visible] = visible
        free = np.arange(n_visible, n, dtype=np.int64)
    streams = rng.stream_states(generator, states.shape[0])
    for T, sweeps in steps:
        _gibbs(states, W, theta, 1.0 / T, sweeps, free, streams)
    return _gibbs_accumulate(states, W, theta, beta, n_sweeps, free, streams)


# ---------------------------------------------------------------------------------------
# kernels


@njit(cache=True)
def _fields(s, W, theta, fields):
    # h_i = sum_j w_ij s_j + theta_i = Delta E_i
    n = theta.size
    for i in range(n):
        fields[i] = theta[i]
    for j in range(n):
        if s[j] != 0.0:
            for i in range(n):
                fields[i] += W[j, i]


@njit(cache=True)
def _sweep(s, W, fields, thresholds, beta, free, streams, chain):
    """One sequential sweep over the free units of one chain, keeping the fields up to date.

    Unit i goes on with probability p_on = sigma(beta h_i). Drawing u uniform on (0, 1),
    u < sigma(x) exactly when logit(u) = log(u / (1 - u)) < x, so the sweep first draws one
    logistic threshold per unit and then compares: the same distribution as comparing u with
    sigma(beta h_i), but the logarithms do not wait for the fields, which the CPU can then
    update without stalling (1.3-1.6x faster than calling the sigmoid inside the loop).
    """
    n = s.size
    for index in range(free.size):
        u = rng.next_double(streams, chain)
        thresholds[index] = np.log(u / (1.0 - u))
    for index in range(free.size):
        i = free[index]
        # s_i = 1 with probability sigma(Delta E_i / T), Delta E_i = h_i = sum_j w_ij s_j + theta_i
        new = 1.0 if beta * fields[i] > thresholds[index] else 0.0
        if new != s[i]:
            change = new - s[i]
            s[i] = new
            for j in range(n):  # W symmetric: row i is column i
                fields[j] += change * W[i, j]


@njit(cache=True)
def _run_chain(states, W, theta, beta, n_sweeps, free, streams, chain):
    s = states[chain]
    fields = np.empty(theta.size)
    thresholds = np.empty(free.size)
    _fields(s, W, theta, fields)
    for _ in range(n_sweeps):
        _sweep(s, W, fields, thresholds, beta, free, streams, chain)


@njit(cache=True)
def _gibbs_serial(states, W, theta, beta, n_sweeps, free, streams):
    for chain in range(states.shape[0]):
        _run_chain(states, W, theta, beta, n_sweeps, free, streams, chain)


@njit(cache=True, parallel=True)
def _gibbs_parallel(states, W, theta, beta, n_sweeps, free, streams):
    for chain in prange(states.shape[0]):
        _run_chain(states, W, theta, beta, n_sweeps, free, streams, chain)


def _gibbs(states, W, theta, beta, n_sweeps, free, streams):
    """Sweep every chain in place. Chains own their streams, so both kernels give the same bits;
    threads only pay off when there is enough work to hide the cost of starting them."""
    if states.shape[0] >= 8 and states.shape[0] * n_sweeps * free.size * theta.size >= _PARALLEL_WORK:
        _gibbs_parallel(states, W, theta, beta, n_sweeps, free, streams)
    else:
        _gibbs_serial(states, W, theta, beta, n_sweeps, free, streams)


@njit(cache=True, parallel=True)
def _gibbs_record(states, W, theta, beta, burn_in, thin, free, streams, out):
    n = theta.size
    for chain in prange(states.shape[0]):
        s = states[chain]
        fields = np.empty(n)
        thresholds = np.empty(free.size)
        _fields(s, W, theta, fields)
        for _ in range(burn_in):
            _sweep(s, W, fields, thresholds, beta, free, streams, chain)
        for k in range(out.shape[1]):
            for _ in range(thin):
                _sweep(s, W, fields, thresholds, beta, free, streams, chain)
            for i in range(n):
                out[chain, k, i] = np.uint8(s[i])


@njit(cache=True)
def _gibbs_accumulate(states, W, theta, beta, n_sweeps, free, streams):
    """Average of s_i s_j over all chains and the next n_sweeps sweeps (serial)."""
    n = theta.size
    pairwise = np.zeros((n, n))
    fields = np.empty(n)
    thresholds = np.empty(free.size)
    on = np.empty(n, dtype=np.int64)
    for chain in range(states.shape[0]):
        s = states[chain]
        _fields(s, W, theta, fields)
        for _ in range(n_sweeps):
            _sweep(s, W, fields, thresholds, beta, free, streams, chain)
            n_on = 0
            for i in range(n):
                if s[i] != 0.0:
                    on[n_on] = i
                    n_on += 1
            for a in range(n_on):
                for b in range(a, n_on):
                    pairwise[on[a], on[b]] += 1.0
    total = states.shape[0] * n_sweeps
    for i in range(n):
        for j in range(i, n):
            pairwise[i, j] /= total
            pairwise[j, i] = pairwise[i, j]
    return pairwise


@njit(cache=True)
def _energy(s, W, theta):
    total = 0.0
    for i in range(s.size):
        if s[i] != 0.0:
            total -= theta[i]
            for j in range(i + 1, s.size):
                total -= W[i, j] * s[j]
    return total


@njit(cache=True)
def _hopfield(states, W, theta, max_sweeps, streams, energies):
    """Asynchronous T = 0 updates in random order; returns the most sweeps any state needed."""
    n = theta.size
    most = 0
    order = np.empty(n, dtype=np.int64)
    fields = np.empty(n)
    for chain in range(states.shape[0]):
        s = states[chain]
        _fields(s, W, theta, fields)
        e = _energy(s, W, theta)
        energies[chain, 0] = e
        visit = 0
        sweeps = 0
        changed = True
        while changed and sweeps < max_sweeps:
            changed = False
            sweeps += 1
            for i in range(n):  # Fisher-Yates shuffle of the visiting order
                order[i] = i
            for i in range(n - 1, 0, -1):
                j = int(rng.next_double(streams, chain) * (i + 1))
                order[i], order[j] = order[j], order[i]
            for k in range(n):
                i = order[k]
                new = s[i]
                if fields[i] > 0.0:
                    new = 1.0
                elif fields[i] < 0.0:
                    new = 0.0
                if new != s[i]:
                    change = new - s[i]
                    e -= change * fields[i]  # Delta E = -(s_i' - s_i) h_i <= 0
                    s[i] = new
                    changed = True
                    for j in range(n):
                        fields[j] += change * W[i, j]
                visit += 1
                energies[chain, visit] = e
        most = max(most, sweeps)
        for k in range(visit + 1, energies.shape[1]):
            energies[chain, k] = e
    return most
