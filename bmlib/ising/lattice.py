"""The Ising model on an L x L square lattice: spins, energy, magnetisation.

Spins s_i in {-1, +1} (int8) sit on an L x L square lattice with periodic boundaries. The
energy of a configuration is

    E(s) = -J sum_<ij> s_i s_j - h sum_i s_i,

the first sum over nearest-neighbour pairs (each pair once), and its magnetisation is
M(s) = sum_i s_i. Temperatures are in units of J / k_B. In the thermodynamic limit the
model orders below T_C = 2 / ln(1 + sqrt 2) (Onsager 1944).
"""

import numpy as np
from numba import njit

from bmlib import _validate, rng
from bmlib.ising._checks import check_spins, lattice_size, real

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
"""Critical temperature of the square-lattice Ising model, 2 / ln(1 + sqrt 2) = 2.26918... (J = k_B = 1)."""


def random_spins(L, seed=None):
    """An L x L lattice of independent random spins (infinite temperature).

    Parameters
    ----------
    L : int
        Side of the lattice, >= 2.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    ndarray of shape (L, L), dtype int8, values -1 and +1
    """
    L = lattice_size(L)
    return (2 * rng.as_generator(seed).integers(0, 2, size=(L, L)) - 1).astype(np.int8)


def ordered_spins(L):
    """An L x L lattice with every spin +1 (a ground state at h >= 0).

    Returns
    -------
    ndarray of shape (L, L), dtype int8
    """
    return np.ones((lattice_size(L), lattice_size(L)), dtype=np.int8)


@njit(cache=True)
def bond_sum_and_magnetization(spins):
    # sum_<ij> s_i s_j over right and down neighbours (each bond once), and sum_i s_i
    L = spins.shape[0]
    bonds = 0
    total = 0
    for i in range(L):
        down = i + 1 if i + 1 < L else 0
        for j in range(L):
            right = j + 1 if j + 1 < L else 0
            s = spins[i, j]
            bonds += s * (spins[i, right] + spins[down, j])
            total += s
    return bonds, total


def energy(spins, J=1.0, h=0.0, *, per_spin=False):
    """E(s) = -J sum_<ij> s_i s_j - h sum_i s_i with periodic boundaries.

    Parameters
    ----------
    spins : ndarray of shape (L, L)
        Values -1 and +1 (any integer dtype).
    J, h : float
        Coupling and external field.
    per_spin : bool
        Return E / L^2 instead of E.

    Returns
    -------
    float
    """
    spins = check_spins(spins)
    J, h = real("J", J), real("h", h)
    per_spin = _validate.flag("per_spin", per_spin)
    bonds, total = bond_sum_and_magnetization(spins)
    value = -J * bonds - h * total
    return value / spins.size if per_spin else float(value)


def magnetization(spins, *, per_spin=False):
    """M(s) = sum_i s_i (or M / L^2 with ``per_spin=True``).

    Returns
    -------
    int or float
    """
    spins = check_spins(spins)
    per_spin = _validate.flag("per_spin", per_spin)
    total = int(spins.sum(dtype=np.int64))
    return total / spins.size if per_spin else total
