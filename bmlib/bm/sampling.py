"""Energy, Gibbs sampling and simulated annealing of a Boltzmann machine.

N units s_i in {0, 1}, a symmetric weight matrix W with zero diagonal and biases theta:

    E(s) = -( sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i ).

The energy gap of unit i, the energy with it off minus the energy with it on, is

    Delta E_i = E(s_i = 0) - E(s_i = 1) = sum_j w_ij s_j + theta_i ,

and at temperature T a stochastic unit switches on with probability

    p_on = sigma(Delta E_i / T) = 1 / (1 + exp(-Delta E_i / T)).

Visiting the units one after the other with this rule (a *sweep* of Gibbs sampling) leaves
the Boltzmann distribution P(s) = exp(-E(s)/T) / Z unchanged, and from any start the chain
converges to it. :func:`gibbs_reference` is that sweep written out unit by unit;
:func:`gibbs`, :func:`gibbs_samples`, :func:`anneal` and :func:`statistics` run the same
chain, with the same random numbers, through the kernels of the private module
``bmlib/bm/_kernels.py``, and ``tests/test_bm.py`` checks them against it.

Random numbers: chain c (row c of ``s``) draws from stream c of
``bmlib.rng.stream_states(seed, n_chains)``, one uniform number per free unit per sweep, in
unit order, so results depend on the seed alone, never on the number of threads.
"""

import numpy as np

from bmlib import _validate, exact, rng
from bmlib.bm import _checks, _kernels
from bmlib.exact import check_weights
from bmlib.stats import sigmoid

__all__ = [
    "energy",
    "delta_energy",
    "gibbs_reference",
    "gibbs",
    "gibbs_samples",
    "anneal",
    "PAPER_SCHEDULE",
    "statistics",
]

PAPER_SCHEDULE = ((20.0, 2), (15.0, 2), (12.0, 2), (10.0, 4))
"""The annealing schedule of the 1985 encoder runs: (temperature, sweeps) pairs, hottest first."""


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
    s = _checks.states("s", s, theta.size)
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
    s = _checks.states("s", s, theta.size)
    return s @ W + theta


def gibbs_reference(s, W, theta, T=1.0, n_sweeps=1, seed=None, clamped=None):
    """Gibbs sweeps written out unit by unit: the readable version of :func:`gibbs`.

    Same arguments, same result: it draws the same random numbers in the same order (chain c
    from stream c, one uniform u per free unit per sweep, in unit order) and switches unit i
    on when u < sigma(Delta E_i / T). :func:`gibbs` makes the same comparison as
    logit(u) < Delta E_i / T and keeps every Delta E_i up to date instead of recomputing it,
    so the two round differently; they could part only when u falls within a rounding error
    (about 2^-53 relative) of p_on, which the tests never see.

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
        True for units held at their starting values.

    Returns
    -------
    ndarray of the shape of ``s``, float64
    """
    W, theta = check_weights(W, theta)
    states, one = _checks.chains("s", s, theta.size)
    T = _validate.temperature("T", T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    free = _checks.free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    for chain, state in enumerate(states):
        for _ in range(n_sweeps):
            # each free unit i in turn, given the current values of all the others:
            # Delta E_i = sum_j w_ij s_j + theta_i,  s_i = 1 with probability p_on = sigma(Delta E_i / T)
            for i in free:
                u = rng.next_double(streams, chain)
                delta_E = W[i] @ state + theta[i]
                with np.errstate(over="ignore"):  # at tiny T, Delta E / T = +-inf: p_on is 1 or 0
                    state[i] = 1.0 if u < sigmoid(delta_E / T) else 0.0
    return states[0] if one else states


def gibbs(s, W, theta, T=1.0, n_sweeps=1, seed=None, clamped=None):
    """Run sequential Gibbs sweeps at temperature T on one chain or many.

    In each sweep every free unit i, in order i = 0, 1, ..., N-1, is set to 1 with
    probability sigma(Delta E_i / T) given the current values of all the others; clamped
    units keep their values. Each chain (row of ``s``) has its own random stream; the
    result is that of :func:`gibbs_reference` with the same arguments.

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
    states, one = _checks.chains("s", s, theta.size)
    T = _validate.temperature("T", T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    free = _checks.free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    _kernels.gibbs_chains(states, W, theta, 1.0 / T, n_sweeps, free, streams)
    return states[0] if one else states


def gibbs_samples(s, W, theta, T=1.0, n_samples=1000, seed=None, clamped=None, burn_in=0, thin=1):
    """Record the states of Gibbs chains: ``burn_in`` sweeps, then one sample every ``thin`` sweeps.

    Sample k of a chain is the state :func:`gibbs` reaches after burn_in + (k + 1) thin sweeps
    with the same seed.

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
    states, one = _checks.chains("s", s, theta.size)
    T = _validate.temperature("T", T)
    n_samples = _validate.count("n_samples", n_samples)
    burn_in = _validate.count("burn_in", burn_in)
    thin = _validate.count("thin", thin)
    if n_samples < 1 or thin < 1:
        raise ValueError(f"n_samples and thin must be >= 1, got {n_samples} and {thin}")
    free = _checks.free_units(clamped, theta.size)
    streams = rng.stream_states(seed, states.shape[0])
    out = np.empty((states.shape[0], n_samples, theta.size), dtype=np.uint8)
    _kernels.gibbs_record(states, W, theta, 1.0 / T, burn_in, thin, free, streams, out)
    return out[0] if one else out


def anneal(W, theta, schedule=PAPER_SCHEDULE, seed=None, *, s=None, clamped=None):
    """Simulated annealing: Gibbs sweeps at a falling temperature; return the final states.

    At high T the units flip almost at random and the chain crosses energy barriers freely;
    as T falls, it settles into ever lower valleys. Cooling slowly enough finds the deep
    minima that a deterministic (T = 0, Hopfield) descent from the same start misses. The
    arguments are ordered as in :func:`bmlib.ising.anneal`: the model, the schedule, the seed,
    then the starting state by keyword.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    schedule : sequence of (T, n_sweeps) pairs
        Temperatures (> 0) and how many sweeps to spend at each, in order. The default is
        the 1985 paper's :data:`PAPER_SCHEDULE` (2 sweeps at T = 20, 2 at 15, 2 at 12, 4 at 10).
    seed : int, numpy.random.Generator or None
    s : array_like of shape (N,) or (n_chains, N), optional
        Starting states; not modified. Chain c then runs as :func:`gibbs` would with stream c
        of ``seed``. Default: one chain from a random state drawn from ``seed``.
    clamped : array_like of bool, shape (N,), optional
        Units held at their values in ``s`` (which must then be given).

    Returns
    -------
    ndarray of the shape of ``s`` (of shape (N,) without ``s``), float64
    """
    W, theta = check_weights(W, theta)
    steps = _checks.schedule(schedule)
    if s is None:
        if clamped is not None:
            raise ValueError("clamped needs s, the values the clamped units are held at")
        generator = rng.as_generator(seed)
        states, one = (generator.random((1, theta.size)) < 0.5).astype(np.float64), True
        streams = rng.stream_states(generator, 1)
    else:
        states, one = _checks.chains("s", s, theta.size)
        streams = rng.stream_states(seed, states.shape[0])
    free = _checks.free_units(clamped, theta.size)
    for T, n_sweeps in steps:
        _kernels.gibbs_chains(states, W, theta, 1.0 / T, n_sweeps, free, streams)
    return states[0] if one else states


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
        "exact" enumerates all states (N <= 20; :func:`bmlib.exact.moments` and
        :func:`bmlib.exact.clamped_moments`); "sample" runs Gibbs chains (for the clamped
        phase, ``n_chains`` per pattern) from random starts for ``burn_in`` sweeps, then
        averages over the next ``n_sweeps`` sweeps.
    n_chains, n_sweeps, burn_in : int
        Sampling effort (not used by "exact", but checked).
    seed : int, numpy.random.Generator or None
        For "sample" (checked whatever the method).

    Returns
    -------
    mean : ndarray of shape (N,)
    pairwise : ndarray of shape (N, N)
        Symmetric, with the means on its diagonal.
    """
    W, theta = check_weights(W, theta)
    T = _validate.temperature("T", T)
    if method not in ("exact", "sample"):
        raise ValueError(f"method must be 'exact' or 'sample', got {method!r}")
    if patterns is not None:
        patterns = _validate.binary_patterns("patterns", patterns, theta.size)
    # checked whatever the method, so that a mistake is not hidden until method="sample"
    n_chains = _validate.count("n_chains", n_chains)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    burn_in = _validate.count("burn_in", burn_in)
    if n_chains < 1 or n_sweeps < 1:
        raise ValueError(f"n_chains and n_sweeps must be >= 1, got {n_chains} and {n_sweeps}")
    generator = rng.as_generator(seed)
    if method == "exact":
        if theta.size > _checks.MAX_EXACT_UNITS:
            raise ValueError(f"method='exact' enumerates 2^N states: N must be <= {_checks.MAX_EXACT_UNITS}")
        if patterns is None:
            return exact.moments(W, theta, T)
        return exact.clamped_moments(W, theta, patterns, T)
    pairwise = _kernels.sampled_pairwise(
        W, theta, patterns, 1.0 / T, n_chains, n_sweeps, ((T, burn_in),), generator, (0.0, 0.0)
    )
    return np.diag(pairwise).copy(), pairwise
