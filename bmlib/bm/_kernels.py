"""The fast Gibbs and Hopfield kernels behind :mod:`bmlib.bm` (private speed module).

Every chain keeps its fields h_i = sum_j w_ij s_j + theta_i = Delta E_i up to date: flipping
unit i moves every h_j by +-w_ij, O(N) work instead of the O(N^2) of recomputing them. A
sweep first draws one logistic threshold logit(u) = log(u / (1 - u)) per free unit and then
sets s_i = 1 when beta h_i > logit(u), which happens exactly when u < sigma(beta h_i): the
rule of :func:`bmlib.bm.gibbs_reference` with the same random numbers, with the logarithms
taken out of the chain of dependent updates. Chain c draws from stream c of its ``streams``
array, so one thread or many give the same bits; ``tests/test_bm.py`` checks these kernels
against :func:`bmlib.bm.gibbs_reference` bit for bit (its docstring says how rounding could
part the two, with probability about 2^-53 per update).

Functions the public modules call have no leading underscore; the module's name says that
they are private to :mod:`bmlib.bm`.
"""

import numpy as np
from numba import njit, prange

from bmlib import rng

PARALLEL_WORK = 2_000_000  # multiply-adds below which one thread is faster than two


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

    Unit i goes on with probability p_on = sigma(beta h_i). Drawing u uniform on [0, 1),
    u < sigma(x) exactly when logit(u) = log(u / (1 - u)) < x, so the sweep first draws one
    logistic threshold per free unit, in order, and then compares: the same decisions as
    comparing u with sigma(beta h_i), without a logarithm waiting on every field update.
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


def gibbs_chains(states, W, theta, beta, n_sweeps, free, streams):
    """Sweep every chain (row of ``states``) in place, ``n_sweeps`` times, at beta = 1/T.

    Chains own their streams, so the serial and the parallel kernel give the same bits;
    threads only pay off when there is enough work to hide the cost of starting them.
    """
    if states.shape[0] >= 8 and states.shape[0] * n_sweeps * free.size * theta.size >= PARALLEL_WORK:
        _gibbs_parallel(states, W, theta, beta, n_sweeps, free, streams)
    else:
        _gibbs_serial(states, W, theta, beta, n_sweeps, free, streams)


@njit(cache=True, parallel=True)
def gibbs_record(states, W, theta, beta, burn_in, thin, free, streams, out):
    """``burn_in`` sweeps, then out[chain, k] = the state after every ``thin`` further sweeps."""
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
def gibbs_accumulate(states, W, theta, beta, n_sweeps, free, streams):
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


def sampled_pairwise(W, theta, patterns, beta, n_chains, n_sweeps, steps, generator, noise):
    """<s_i s_j> from Gibbs chains: clamped (n_chains per pattern) when patterns is given, else free.

    The chains start at random (from ``generator``); with patterns, the visible units are
    clamped to them, each unit presented flipped with the probabilities ``noise`` = (off, on).
    The chains are annealed through ``steps``, (T, n_sweeps) pairs, then averaged over
    ``n_sweeps`` sweeps at beta.
    """
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
        gibbs_chains(states, W, theta, 1.0 / T, sweeps, free, streams)
    return gibbs_accumulate(states, W, theta, beta, n_sweeps, free, streams)


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
def hopfield_descent(states, W, theta, max_sweeps, streams, energies):
    """Asynchronous T = 0 updates in random order; returns the most sweeps any state needed.

    Records energies[chain, visit] when ``energies`` has columns (the energy is then repeated
    to the last column); given none, it only counts the sweeps, with the same updates.
    """
    record = energies.shape[1] > 0
    n = theta.size
    most = 0
    order = np.empty(n, dtype=np.int64)
    fields = np.empty(n)
    for chain in range(states.shape[0]):
        s = states[chain]
        _fields(s, W, theta, fields)
        e = _energy(s, W, theta)
        if record:
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
                if record:
                    energies[chain, visit] = e
        most = max(most, sweeps)
        if record:
            for k in range(visit + 1, energies.shape[1]):
                energies[chain, k] = e
    return most
