"""Input checks shared by bmlib's public functions.

Every public function validates at its boundary with these helpers, so errors name the
parameter and say what was expected; Numba kernels behind them trust their arguments.
"""

import numbers

import numpy as np


def positive(name, value):
    """Return ``value`` as float64 (scalar or array) after checking it is finite and > 0."""
    array = real_array(name, value)
    if array.size and not np.all(array > 0):
        raise ValueError(f"{name} must be > 0, got {show(value)}")
    return array[()] if array.ndim == 0 else array


def positive_scalar(name, value):
    """Return ``value`` as a Python float after checking it is one finite number > 0."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {np.shape(value)}")
    return float(positive(name, value))


def real_array(name, value):
    """Return ``value`` as a float64 array after checking it holds only finite real numbers."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {type(value).__name__}"
        )
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {show(value)}"
        ) from err
    if np.iscomplexobj(value):
        raise TypeError(f"{name} must be real, got complex values")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it holds NaN or infinity: {show(value)}")
    return array


def vector(name, value):
    """Return ``value`` as a non-empty 1-D float64 array of finite numbers."""
    array = real_array(name, value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per state), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    return array


def count(name, value):
    """Return ``value`` as a Python int after checking it is an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {show(value)}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def probability_vector(name, value):
    """Return ``value`` as a 1-D float64 array of non-negative numbers summing to 1 (to 1e-9)."""
    array = vector(name, value)
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    if abs(array.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1, sums to {array.sum()!r}")
    return array


def binary_patterns(name, value, max_columns):
    """Return ``value`` as a C-contiguous 2-D float64 array of 0s and 1s: at least one row, and
    between 1 and ``max_columns`` columns (the visible units of a machine with that many units)."""
    array = real_array(name, value)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_patterns, n_visible), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must not be empty (no patterns to learn from)")
    if not 1 <= array.shape[1] <= max_columns:
        raise ValueError(
            f"{name} must have between 1 and {max_columns} columns (visible units), got {array.shape[1]}"
        )
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(f"{name} must hold only 0 and 1 (binary units)")
    return np.ascontiguousarray(array)


def show(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
