"""Learning in Boltzmann machines (Ackley, Hinton and Sejnowski 1985).

Split the units into visible v (the first n_visible) and hidden h. With P+(v) the data
distribution and P-(v) = sum_h P(v, h) the model's,

    KL(P+ || P-) = sum_v P+(v) log(P+(v) / P-(v)),
    dKL / dw_ij = -( <s_i s_j>+ - <s_i s_j>- ) / T,

where <.>+ averages with v clamped to the data and h at equilibrium (the clamped phase) and
<.>- with nothing clamped (the free phase). :func:`kl_from_data` and :func:`kl_gradient`
compute both exactly by enumeration (:mod:`bmlib.exact`); :class:`BoltzmannMachine` follows
the gradient, with the statistics computed exactly (small models) or by Gibbs sampling.

References
----------
D. H. Ackley, G. E. Hinton and T. J. Sejnowski, "A learning algorithm for Boltzmann
machines", Cognitive Science 9 (1985) 147.
"""

import numpy as np

from bmlib import _validate, exact, progress, rng, stats
from bmlib.bm import _checks, _kernels
from bmlib.exact import check_weights

__all__ = ["kl_from_data", "kl_gradient", "encoder_connectivity", "BoltzmannMachine"]

# an energy gap beyond 745 T leaves p_on = sigma(Delta E / T) exactly 0 or 1 in float64:
# exp(-745) is below the smallest positive double, 2^-1074 = e^-744.4
_SATURATED_GAP = 745.0


def kl_from_data(W, theta, patterns, T=1.0):
    """Exact KL(P+ || P-) of a machine whose first ``patterns.shape[1]`` units are visible.

    P+ is the empirical distribution of the rows of ``patterns`` (repeated rows count
    twice); P-(v) = sum_h P(v, h) is the machine's marginal, by enumeration. (For the KL
    between two distributions given as arrays, see :func:`bmlib.exact.kl_divergence`.)

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
    W, theta = check_weights(W, theta)
    patterns = _validate.binary_patterns("patterns", patterns, theta.size)
    return _kl(W, theta, _data_distribution(patterns), T)


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
    W, theta = check_weights(W, theta)
    patterns = _validate.binary_patterns("patterns", patterns, theta.size)
    T = _validate.temperature("T", T)
    unique, weights = _data_distribution(patterns)
    _, plus = exact.clamped_moments(W, theta, unique, T, weights=weights)
    _, minus = exact.moments(W, theta, T)
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
        Standard deviation of the random initial weights (>= 0, and at most 1e288 / N so that
        the energies stay finite floats; random weights break the symmetry between hidden
        units, which identical zero weights would never do).
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
        self.T = _validate.temperature("T", T)
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
        init_scale = _checks.scalar("init_scale", init_scale)
        if not 0 <= init_scale <= 1e288 / n:  # normal draws stay below 40: every gap <= 40 n init_scale
            raise ValueError(f"init_scale must be between 0 and 1e288 / {n} units, got {init_scale}")
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
            Sampling effort for ``method="sample"`` (checked whatever the method).
        stop : callable, optional
            ``stop(machine)`` is called after each cycle; training ends when it returns True.
        seed : int, numpy.random.Generator or None
            Sampling (method "sample"; checked whatever the method); default: the machine's own
            generator.
        verbose : bool or "auto"
            Show a progress line over the cycles ("auto": only when a person is watching, see
            ``bmlib.progress``; never under nbval).

        Returns
        -------
        BoltzmannMachine

        Raises
        ------
        ValueError
            Besides bad arguments: when training diverges, naming ``learning_rate``; the machine
            keeps the parameters that showed it. Checked once per cycle: (1) the parameters are
            not finite or their energy gaps exceed :data:`bmlib.exact.MAX_GAP`; with ``step="gradient"``
            also (2) the exact KL (N <= 20) rose by more than n_visible ln 2 in one cycle, more
            than the KL of a uniform guess can ever be, so the step overshot, or (3) the bound
            on every energy gap, max_i (sum_j |w_ij| + |theta_i|), grew past 745 T (and past
            its value at the start), where p_on is exactly 0 or 1 in float64 (e^-745 is below
            the smallest double). Descent with a step the KL's curvature allows never gets
            there: the gradient that pushes a probability p down is about p, so gaps grow like
            the log of the number of cycles. A sign step moves each parameter by exactly eta
            per cycle and cannot overshoot like that; only (1) applies to it.
        """
        patterns = self._visible_patterns(patterns)
        n_cycles = _validate.count("n_cycles", n_cycles)
        learning_rate = _validate.positive_scalar("learning_rate", learning_rate)
        if method not in ("exact", "sample"):
            raise ValueError(f"method must be 'exact' or 'sample', got {method!r}")
        if step not in ("gradient", "sign"):
            raise ValueError(f"step must be 'gradient' or 'sign', got {step!r}")
        noise = _checks.numbers("noise", noise)
        if noise.shape != (2,) or np.any(noise < 0) or np.any(noise >= 1):
            raise ValueError(f"noise must be two probabilities in [0, 1), got {noise}")
        weight_decay = _checks.scalar("weight_decay", weight_decay)
        momentum = _checks.scalar("momentum", momentum)
        if weight_decay < 0 or not 0 <= momentum < 1:
            raise ValueError(
                f"weight_decay must be >= 0 and momentum in [0, 1), got {weight_decay}, {momentum}"
            )
        # checked whatever the method, so that a mistake is not hidden until method="sample"
        n_chains = _validate.count("n_chains", n_chains)
        n_sweeps = _validate.count("n_sweeps", n_sweeps)
        if n_chains < 1 or n_sweeps < 1:
            raise ValueError(f"n_chains and n_sweeps must be >= 1, got {n_chains} and {n_sweeps}")
        steps = ((self.T, 20),) if schedule is None else _checks.schedule(schedule)
        generator = self._generator if seed is None else rng.as_generator(seed)
        if stop is not None and not callable(stop):
            raise TypeError(f"stop must be a function of the machine or None, got {type(stop).__name__}")
        if not (isinstance(verbose, str) and verbose == "auto"):
            verbose = _validate.flag("verbose", verbose)
        exact_kl = self.n_units <= _checks.MAX_EXACT_UNITS
        if method == "exact":
            if not exact_kl:
                raise ValueError(
                    f"method='exact' needs at most {_checks.MAX_EXACT_UNITS} units, got {self.n_units}"
                )
            clamped_data = _noisy_distribution(patterns, noise)
        data = _data_distribution(patterns)
        beta = 1.0 / self.T
        mask = self.connectivity
        velocity_W = np.zeros_like(self.W_)
        velocity_theta = np.zeros_like(self.theta_)
        self.kl_history_ = [_kl(self.W_, self.theta_, data, self.T)] if exact_kl else []
        self.n_cycles_ = 0
        gap_limit = max(_SATURATED_GAP * self.T, _largest_gap(self.W_, self.theta_))
        bar = progress.Progress(n_cycles, "learning cycle", verbose)
        for _ in range(n_cycles):
            if method == "exact":
                # both phases by enumeration: P+ over the (noisy) clamped data, P- of the free machine
                _, plus = exact.clamped_moments(
                    self.W_, self.theta_, clamped_data[0], self.T, weights=clamped_data[1]
                )
                _, minus = exact.moments(self.W_, self.theta_, self.T)
            else:
                plus = _kernels.sampled_pairwise(
                    self.W_, self.theta_, patterns, beta, n_chains, n_sweeps, steps, generator, noise
                )
                minus = _kernels.sampled_pairwise(
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
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging step is reported below
                step_W = learning_rate * (difference * mask - weight_decay * self.W_)
                step_theta = learning_rate * np.diag(difference)
                velocity_W = momentum * velocity_W + step_W
                velocity_theta = momentum * velocity_theta + step_theta
                self.W_ = self.W_ + velocity_W
                self.theta_ = self.theta_ + velocity_theta
            self.n_cycles_ += 1
            problem = _divergence(self.W_, self.theta_, self.T, gap_limit if step == "gradient" else np.inf)
            if problem is None and exact_kl:
                self.kl_history_.append(_kl(self.W_, self.theta_, data, self.T))
                before, after = self.kl_history_[-2:]
                if step == "gradient" and after - before > self.n_visible * np.log(2):
                    problem = (
                        f"one cycle raised the KL from {before:.4g} to {after:.4g} nats, by more than "
                        f"n_visible ln 2 = {self.n_visible * np.log(2):.4g}"
                    )
            if problem is not None:
                bar.close()
                advice = f"lower learning_rate (it is {learning_rate:g})"
                if learning_rate * weight_decay >= 2:
                    advice += " or weight_decay: learning_rate * weight_decay must stay below 2"
                raise ValueError(f"training diverged at learning cycle {self.n_cycles_}: {problem}; {advice}")
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
        if n_samples < 1 or n_sweeps < 1:
            raise ValueError(f"n_samples and n_sweeps must be >= 1, got {n_samples} and {n_sweeps}")
        W, theta = check_weights(self.W_, self.theta_)  # e.g. those a diverging fit left behind
        generator = self._generator if seed is None else rng.as_generator(seed)
        states = (generator.random((n_samples, self.n_units)) < 0.5).astype(np.float64)
        streams = rng.stream_states(generator, n_samples)
        free = np.arange(self.n_units, dtype=np.int64)
        _kernels.gibbs_chains(states, W, theta, 1.0 / self.T, n_sweeps, free, streams)
        return states[:, : self.n_visible]

    def kl_from_data(self, patterns):
        """Exact KL(P+ || P-) in nats between the patterns' distribution and the machine's.

        Parameters
        ----------
        patterns : array_like of shape (n_patterns, n_visible)
            Binary, one column per visible unit of this machine.

        Returns
        -------
        float
        """
        return kl_from_data(self.W_, self.theta_, self._visible_patterns(patterns), self.T)

    def _visible_patterns(self, patterns):
        """``patterns`` checked as binary data with one column per visible unit."""
        patterns = _validate.binary_patterns("patterns", patterns, self.n_units)
        if patterns.shape[1] != self.n_visible:
            raise ValueError(
                f"patterns must have {self.n_visible} columns (one per visible unit), got {patterns.shape[1]}"
            )
        return patterns

    def visible_distribution(self):
        """Exact P-(v) = sum_h P(v, h), indexed by the visible code (see ``exact.marginal``)."""
        return exact.marginal(self.W_, self.theta_, self.n_visible, self.T)


# ---------------------------------------------------------------------------------------
# the data distribution P+ and the exact KL (private)


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
    if n_visible > _checks.MAX_EXACT_UNITS:
        raise ValueError(
            f"exact noisy clamping enumerates 2^n_visible vectors: n_visible <= {_checks.MAX_EXACT_UNITS}"
        )
    states = exact.states_by_code(n_visible).astype(np.float64)
    probability = np.zeros(states.shape[0])
    for row, weight in zip(unique, weights, strict=True):
        # each on unit stays on with 1 - off, each off unit turns on with probability on
        p_on = np.where(row == 1, 1.0 - off, on)
        probability += weight * np.prod(np.where(states == 1, p_on, 1.0 - p_on), axis=1)
    return states, probability


def _largest_gap(W, theta):
    """max_i (sum_j |w_ij| + |theta_i|): no unit's energy gap exceeds it, in any state (inf or NaN
    when a parameter is)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.max(np.abs(W).sum(axis=1) + np.abs(theta)))


def _divergence(W, theta, T, gap_limit):
    """What shows that training diverged, from the parameters after a cycle, or None."""
    gap = _largest_gap(W, theta)
    if not gap <= exact.MAX_GAP:  # also NaN
        return f"the parameters outgrew float arithmetic (energy gaps up to {gap:.3g} > {exact.MAX_GAP:g})"
    if gap > gap_limit:
        return f"an energy gap can reach {gap / T:.4g} T, beyond {_SATURATED_GAP:g} T, where p_on is 0 or 1"
    return None


def _kl(W, theta, data, T):
    """KL(P+ || P-) in nats, P+ given as (distinct patterns, their probabilities)."""
    unique, weights = data
    n_visible = unique.shape[1]
    log_weights = exact.log_weights(W, theta, T)
    log_z = stats.logsumexp(log_weights)
    n_hidden = theta.size - n_visible
    # log P-(v) = logsumexp over hidden codes of the log weights of (v, h)
    table = log_weights.reshape(2**n_hidden, 2**n_visible)
    codes = unique.astype(np.int64) @ (np.int64(1) << np.arange(n_visible, dtype=np.int64))
    log_model = np.array([stats.logsumexp(table[:, c]) for c in codes]) - log_z
    return float(max(0.0, np.sum(weights * (np.log(weights) - log_model))))
