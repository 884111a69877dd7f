"""Checkerboard Metropolis: a readable kernel, and the fast samplers tested against it.

One sweep attempts to flip every spin once: first all sites with (i + j) even, then all
with (i + j) odd. Flipping s_i changes the energy by

    dE = 2 s_i (J sum_nb s_j + h),

the sum over its four neighbours, and Metropolis accepts the flip with probability
min(1, exp(-dE / T)). That satisfies detailed balance with respect to p(s) ~ exp(-E(s) / T),
so the chain's distribution tends to the Boltzmann distribution.

On an even lattice, sites of one colour have neighbours only of the other colour, so a whole
colour can be updated in any order, or in parallel, with the same result. Row i draws its
random numbers from stream i of :func:`bmlib.rng.stream_states`, so the result depends on
the seed alone, not on the number of threads.

:func:`metropolis_reference` is the algorithm as written above, site by site.
:func:`metropolis` and :func:`metropolis_snapshots` give the same chain law faster: for even
L they update 64 sites per machine word (multi-spin coding, in the private module
``bmlib/ising/_multispin.py``); the tests check them against the reference.

References
----------
N. Metropolis, A. W. Rosenbluth, M. N. Rosenbluth, A. H. Teller and E. Teller, "Equation of
state calculations by fast computing machines", J. Chem. Phys. 21, 1087 (1953).
"""

import numpy as np
from numba import njit

from bmlib import _validate, rng
from bmlib.ising._checks import check_spins, real, temperature
from bmlib.ising._multispin import Metropolis


@njit(cache=True)
def _reference_sweeps(spins, T, J, h, states, n_sweeps):
    L = spins.shape[0]
    flips = 0
    # Site (i, j) with spin s and neighbour sum nb: flipping it costs dE = 2 s (J nb + h), and
    # Metropolis accepts with probability min(1, exp(-dE / T)): accept when a uniform u in
    # [0, 1) is below exp(-dE / T) (always when dE <= 0). One u per site, from row i's stream.
    for _ in range(n_sweeps):
        for colour in range(2):  # the sites with (i + j) % 2 == 0, then the others
            for i in range(L):
                for j in range((i + colour) % 2, L, 2):
                    s = np.int64(spins[i, j])
                    nb = (
                        np.int64(spins[(i - 1) % L, j])
                        + np.int64(spins[(i + 1) % L, j])
                        + np.int64(spins[i, (j - 1) % L])
                        + np.int64(spins[i, (j + 1) % L])
                    )
                    dE = 2.0 * s * (J * nb + h)
                    u = rng.next_double(states, i)
                    if u < np.exp(-dE / T):
                        spins[i, j] = -s
                        flips += 1
    return flips


def metropolis_reference(spins, T, n_sweeps, seed=None, J=1.0, h=0.0):
    """Checkerboard Metropolis sweeps site by site, in place; returns the acceptance rate.

    The readable version of :func:`metropolis`, for any L >= 2: the sites with (i + j) even
    in row order, then those with (i + j) odd, each flipped with probability
    min(1, exp(-dE / T)), dE = 2 s_i (J sum_nb s_j + h), against one uniform number drawn
    from row i's stream. For odd L it is the same chain as :func:`metropolis`, number for
    number (the two decide u < exp(-dE/T) with different roundings, a float64 exp against a
    64-bit threshold, which could part them with probability about 2^-53 per update); for
    even L the two sample the same distribution with different random numbers.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        Values +-1; updated in place.
    T : float
        Temperature, > 0.
    n_sweeps : int
        >= 0.
    seed : int, numpy.random.Generator or None
        Row i draws from stream i of ``rng.stream_states(seed, L)``.
    J, h : float
        Coupling and field.

    Returns
    -------
    float
        Accepted flips / attempted flips.
    """
    spins = check_spins(spins, writable=True)
    T = temperature(T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    J, h = real("J", J), real("h", h)
    if n_sweeps == 0:
        return 0.0
    states = rng.stream_states(seed, spins.shape[0])
    return _reference_sweeps(spins, T, J, h, states, n_sweeps) / (n_sweeps * spins.size)


def metropolis(spins, T, n_sweeps, seed=None, J=1.0, h=0.0, *, parallel=False):
    """Checkerboard Metropolis sweeps, in place; returns the acceptance rate.

    One sweep attempts to flip every spin once: first all sites with (i + j) even, then
    all with (i + j) odd. A flip costing dE = 2 s_i (J sum_nb s_j + h) is accepted with
    probability min(1, exp(-dE / T)) (to within 2^-64), which satisfies detailed balance
    with respect to p(s) ~ exp(-E(s) / T).

    For even L the lattice is updated 64 sites at a time in bit-parallel arithmetic
    (multi-spin coding; see ``bmlib/ising/_multispin.py``). :func:`metropolis_reference` is
    the same algorithm written site by site, and the tests check this one against it.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        Values +-1; updated in place.
    T : float
        Temperature, > 0.
    n_sweeps : int
        >= 0.
    seed : int, numpy.random.Generator or None
        Row i draws from stream i of ``rng.stream_states(seed, L)``.
    J, h : float
        Coupling and field.
    parallel : bool
        Split the rows into one band per thread (needs even L). Gives exactly the same
        lattice as ``parallel=False`` for the same seed, on any number of threads.

    Returns
    -------
    float
        Accepted flips / attempted flips.
    """
    spins = check_spins(spins, writable=True)
    T = temperature(T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    J, h = real("J", J), real("h", h)
    parallel = _validate.flag("parallel", parallel)
    L = spins.shape[0]
    if parallel and L % 2:
        raise ValueError(
            f"parallel=True needs an even L (colours must alternate across the boundary), got L = {L}"
        )
    if n_sweeps == 0:
        return 0.0
    sampler = Metropolis(spins, T, J, h, seed)
    accepted = sampler.sweep(n_sweeps, parallel)
    sampler.store()
    return accepted / (n_sweeps * spins.size)


def metropolis_snapshots(spins, T, n_snapshots, spacing, seed=None, J=1.0, h=0.0):
    """A Metropolis chain's configuration every ``spacing`` sweeps, from ``spins`` (in place).

    The same chain as ``metropolis(spins, T, n_snapshots * spacing, seed, J, h)`` (the same
    final lattice for the same seed), with a copy of the lattice kept after every ``spacing``
    sweeps, all in one compiled loop: the way to turn a chain into a data set.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        The starting lattice, +-1; left holding the last snapshot.
    T : float
        Temperature, > 0.
    n_snapshots : int
        >= 0.
    spacing : int
        Sweeps before each snapshot, >= 1.
    seed, J, h
        As for :func:`metropolis`.

    Returns
    -------
    ndarray of shape (n_snapshots, L, L), dtype int8
    """
    spins = check_spins(spins, writable=True)
    T = temperature(T)
    n_snapshots = _validate.count("n_snapshots", n_snapshots)
    spacing = _validate.count("spacing", spacing)
    if spacing < 1:
        raise ValueError(f"spacing must be >= 1 sweep, got {spacing}")
    J, h = real("J", J), real("h", h)
    out = np.empty((n_snapshots,) + spins.shape, dtype=np.int8)
    if n_snapshots:
        sampler = Metropolis(spins, T, J, h, seed)
        sampler.snapshots(spacing, out)
        sampler.store()
    return out
