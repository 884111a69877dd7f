"""Input checks shared by the public faces of :mod:`bmlib.ising`.

Each public function validates its arguments once, with these, so that an error names the
parameter and says what was expected; the kernels behind the faces trust what they get.
"""

import numpy as np

from bmlib import _validate


def lattice_size(L):
    """Return ``L`` as an int after checking it is an integer >= 2."""
    L = _validate.count("L", L)
    if L < 2:
        raise ValueError(f"L must be >= 2, got {L}")
    return L


def check_spins(spins, *, writable=False):
    """Return ``spins`` as a C-contiguous int8 square lattice of +-1, refusing anything else."""
    if not isinstance(spins, np.ndarray):
        raise TypeError(f"spins must be a numpy array of shape (L, L), got {type(spins).__name__}")
    if spins.ndim != 2 or spins.shape[0] != spins.shape[1]:
        raise ValueError(f"spins must be a square lattice of shape (L, L), got shape {spins.shape}")
    if spins.shape[0] < 2:
        raise ValueError(f"spins must be at least 2 x 2, got {spins.shape}")
    if writable:
        if spins.dtype != np.int8:
            raise TypeError(
                f"spins must have dtype int8 to be updated in place, got {spins.dtype} "
                "(convert once with spins.astype(np.int8))"
            )
        if not spins.flags.c_contiguous or not spins.flags.writeable:
            raise ValueError("spins must be a writable C-contiguous array to be updated in place")
    if spins.dtype.kind not in "biuf":
        raise TypeError(f"spins must hold real numbers -1 and +1, got dtype {spins.dtype}")
    if not np.all((spins == 1) | (spins == -1)):
        raise ValueError("spins must hold only -1 and +1")
    if spins.dtype == np.int8 and spins.flags.writeable:
        return spins
    return spins.astype(np.int8)  # a read-only array is copied once: no second compilation


MAX_COUPLING = 1e100


def couplings(name, value):
    """``value`` as a float64 array of couplings or fields, each of magnitude <= 1e100.

    The bound keeps every energy of a lattice of up to 10^12 spins, and its square (the
    specific heat's variance), a finite float; choose units of energy in which J is of order 1.
    """
    array = _validate.real_array(name, value)
    if np.any(np.abs(array) > MAX_COUPLING):
        raise ValueError(
            f"{name} must have magnitude at most {MAX_COUPLING:g}, got {_validate.show(value)} "
            "(energies and their squares must stay finite floats; measure energies in larger units)"
        )
    return array


def real(name, value):
    """A single real coupling or field, |value| <= 1e100 (J and h may be negative or zero)."""
    return _validate.single(name, value, couplings)


def positive_coupling(name, value):
    """A single coupling J, 0 < J <= 1e100."""
    J = _validate.positive_scalar(name, value)
    return real(name, J)


def temperature(T):
    """Return ``T`` as a float after checking it is one finite number > 0."""
    return _validate.temperature("T", T)
