"""Wolff single-cluster updates: a Monte Carlo move that does not slow down near T_C.

At zero field, grow a cluster from a random site: each neighbour with the cluster's spin
joins with probability p_add = 1 - exp(-2J/T), and the whole cluster is flipped. With this
p_add the flip is always accepted and detailed balance holds, and near T_C, where Metropolis
needs ever more sweeps between independent configurations (critical slowing down), a cluster
the size of a correlated region turns over in one move.

References
----------
U. Wolff, "Collective Monte Carlo updating for spin systems", Phys. Rev. Lett. 62, 361 (1989).
"""

import numpy as np
from numba import njit

from bmlib import _validate, rng
from bmlib.ising._checks import check_spins, positive_coupling, temperature
from bmlib.ising.lattice import bond_sum_and_magnetization


@njit(cache=True)
def _wolff_clusters(spins, p_add, states, n_clusters, stack):
    # Grow a cluster from a random seed site: each neighbour with the cluster's spin joins
    # with probability p_add = 1 - exp(-2J/T) and is flipped as it joins (so it is never
    # visited twice). Flipping the whole cluster is always accepted (h = 0).
    L = spins.shape[0]
    n = L * L
    total = 0
    for _ in range(n_clusters):
        site = min(int(rng.next_double(states, 0) * n), n - 1)
        i0 = site // L
        j0 = site - i0 * L
        s = spins[i0, j0]
        spins[i0, j0] = -s
        stack[0] = site
        top = 1
        size = 1
        while top > 0:
            top -= 1
            site = stack[top]
            i = site // L
            j = site - i * L
            for k in range(4):
                if k == 0:
                    ni, nj = (i - 1 if i > 0 else L - 1), j
                elif k == 1:
                    ni, nj = (i + 1 if i + 1 < L else 0), j
                elif k == 2:
                    ni, nj = i, (j - 1 if j > 0 else L - 1)
                else:
                    ni, nj = i, (j + 1 if j + 1 < L else 0)
                if spins[ni, nj] == s and rng.next_double(states, 0) < p_add:
                    spins[ni, nj] = -s
                    stack[top] = ni * L + nj
                    top += 1
                    size += 1
        total += size
    return total


def wolff(spins, T, n_clusters, seed=None, J=1.0):
    """Wolff single-cluster updates at zero field, in place; returns the mean cluster size.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        Values +-1; updated in place.
    T : float
        Temperature, > 0.
    n_clusters : int
        Number of clusters to grow and flip, >= 0.
    seed : int, numpy.random.Generator or None
    J : float
        Ferromagnetic coupling, > 0.

    Returns
    -------
    float
        Mean number of spins per cluster (0.0 for no clusters).

    References
    ----------
    U. Wolff, "Collective Monte Carlo updating for spin systems", Phys. Rev. Lett. 62, 361 (1989).
    """
    spins = check_spins(spins, writable=True)
    T = temperature(T)
    n_clusters = _validate.count("n_clusters", n_clusters)
    J = positive_coupling("J", J)
    if n_clusters == 0:
        return 0.0
    stack = np.empty(spins.size, dtype=np.int64)
    total = _wolff_clusters(spins, bond_probability(T, J), rng.stream_states(seed, 1), n_clusters, stack)
    return total / n_clusters


def bond_probability(T, J):
    """p_add = 1 - exp(-2J/T): the probability that a bond between two aligned spins joins the
    cluster, the one choice of p_add for which every cluster flip is accepted (written here
    once, for :func:`wolff` and for :func:`bmlib.ising.simulate`)."""
    return 1.0 - np.exp(-2.0 * J / T)


@njit(cache=True)
def wolff_flip_budget(spins, p_add, states, budget, stack):
    # Grow clusters until at least `budget` spins have been flipped; (clusters, flipped).
    clusters = 0
    flipped = 0
    while flipped < budget:
        flipped += _wolff_clusters(spins, p_add, states, 1, stack)
        clusters += 1
    return clusters, flipped


@njit(cache=True)
def wolff_series(spins, p_add, states, n_measure, clusters_per_measure, J, stack, energies, magnetizations):
    flipped = 0
    for t in range(n_measure):
        flipped += _wolff_clusters(spins, p_add, states, clusters_per_measure, stack)
        bonds, total = bond_sum_and_magnetization(spins)
        energies[t] = -J * bonds
        magnetizations[t] = total
    return flipped
