"""Input checks shared by the public functions of :mod:`bmlib.bm` (private).

Every public function validates its arguments here, at the boundary, so errors name the
parameter and say what was expected; the kernels behind them trust their arguments.
"""

import numpy as np

from bmlib import _validate

MAX_EXACT_UNITS = 20  # exact statistics enumerate 2^N states; beyond this, sample


def states(name, s, n_units):
    """``s`` as a float64 array of shape (n_units,) or (n, n_units) holding only 0 and 1."""
    array = _validate.real_array(name, s)
    if array.ndim not in (1, 2) or array.shape[-1] != n_units:
        raise ValueError(
            f"{name} must have shape ({n_units},) or (n, {n_units}) to match W, got {array.shape}"
        )
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(f"{name} must hold only 0 and 1 (binary units)")
    return array


def chains(name, s, n_units):
    """A fresh C-contiguous (n_chains, N) float64 copy of the states, and whether s was 1-D."""
    array = states(name, s, n_units)
    if array.ndim == 2 and array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one state")
    return np.array(np.atleast_2d(array), dtype=np.float64, order="C"), array.ndim == 1


def free_units(clamped, n_units):
    """The indices (int64, ascending) of the units that ``clamped`` leaves free to change."""
    if clamped is None:
        return np.arange(n_units, dtype=np.int64)
    mask = np.asarray(clamped)
    if mask.dtype != bool or mask.shape != (n_units,):
        raise ValueError(
            f"clamped must be a boolean array of shape ({n_units},), got {mask.dtype} {mask.shape}"
        )
    return np.flatnonzero(~mask).astype(np.int64)


def scalar(name, value):
    """``value`` as a Python float after checking it is one finite real number (not a bool)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {np.shape(value)}")
    return float(_validate.real_array(name, value))


def numbers(name, value):
    """``value`` as a float64 array of finite numbers, refusing bools even inside a sequence:
    ``value`` holds settings such as probabilities, not 0/1 data."""
    if any(isinstance(x, (bool, np.bool_)) for x in np.ravel(np.asarray(value, dtype=object))):
        raise TypeError(f"{name} must hold numbers, got {_validate.show(value)} (a bool is not a number)")
    return _validate.real_array(name, value)


def schedule(steps):
    """An annealing schedule as a tuple of (T as float, n_sweeps >= 0 as int) pairs, each T a
    temperature as :func:`bmlib._validate.temperature` accepts it (so not a bool or a string)."""
    try:
        pairs = [(T, n) for T, n in steps]
    except (TypeError, ValueError) as err:
        raise TypeError("schedule must be a sequence of (T, n_sweeps) pairs") from err
    if not pairs:
        raise ValueError("schedule must not be empty")
    return tuple(
        (_validate.temperature("schedule temperature", T), _validate.count("schedule n_sweeps", n))
        for T, n in pairs
    )
