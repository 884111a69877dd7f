"""Input checks shared by bmlib's public functions.

Every public function validates at its boundary with these helpers, so errors name the
parameter and say what was expected; Numba kernels behind them trust their arguments.

The rules, the same everywhere:

- A bool is not a number: ``T=True`` or ``learning_rate=False`` is refused (a boolean *array*
  is still taken as 0/1 data). A flag is a real bool: ``"abc"`` or ``nan`` is not a flag.
- Complex values are refused before any conversion (NumPy would drop the imaginary part with
  only a ComplexWarning).
- A read-only array (from ``np.broadcast_to``, ``np.load(mmap_mode="r")`` or pandas'
  ``to_numpy()``) is copied once here: Numba compiles a separate specialisation for read-only
  arrays, which would cost a student 7-20 seconds of compilation on first use; a copy costs
  one pass over the data.
- Counts are integers in [0, 10**12]: larger ones would overflow the kernels' 64-bit
  arithmetic (n_sweeps * n_spins) or run for days.
- A temperature lies in [1e-300, 1e150], so that 1/T and T**2 are finite floats.
"""

import numbers

import numpy as np

MAX_COUNT = 10**12
MIN_TEMPERATURE, MAX_TEMPERATURE = 1e-300, 1e150


def positive(name, value):
    """Return ``value`` as float64 (scalar or array) after checking it is finite and > 0."""
    array = real_array(name, value)
    if array.size and not np.all(array > 0):
        raise ValueError(f"{name} must be > 0, got {show(value)}")
    return array[()] if array.ndim == 0 else array


def positive_scalar(name, value):
    """Return ``value`` as a Python float after checking it is one finite number > 0."""
    return single(name, value, positive)


def real_array(name, value):
    """Return ``value`` as a writable float64 array after checking it holds only finite real
    numbers (not a bool scalar, not complex)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {type(value).__name__}"
        )
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got the bool {value} (a bool is not a number)")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number or an array of real numbers") from err
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex values")
    if raw.dtype.kind == "b" and raw.ndim == 0:
        raise TypeError(f"{name} must be a number, got the bool {raw} (a bool is not a number)")
    try:
        array = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {show(value)}"
        ) from err
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it holds NaN or infinity: {show(value)}")
    if not array.flags.writeable:
        array = array.copy()  # one compiled kernel per dtype, not one more per writeability
    return array


def vector(name, value):
    """Return ``value`` as a non-empty 1-D float64 array of finite numbers."""
    array = real_array(name, value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per state), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    return array


def count(
    name, value, maximum=MAX_COUNT, why="larger counts would overflow 64-bit arithmetic or run for days"
):
    """Return ``value`` as a Python int after checking it is an integer in [0, ``maximum``]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {show(value)}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum:_}, got {value:_}: {why}")
    return int(value)


def flag(name, value):
    """Return ``value`` as a bool after checking it is one (True/False or a NumPy bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {show(value)}")
    return bool(value)


def temperatures(name, value):
    """:func:`temperature` for a number or an array of them (float64 array or 0-d array)."""
    T = positive(name, value)
    if np.any(T < MIN_TEMPERATURE) or np.any(T > MAX_TEMPERATURE):
        raise ValueError(
            f"{name} must be between {MIN_TEMPERATURE:g} and {MAX_TEMPERATURE:g}, got {show(value)} "
            "(outside that range 1/T or T**2 is not a finite float)"
        )
    return T


def single(name, value, check):
    """``check(name, value)`` for one number, as a Python float (an array is refused by name)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {np.shape(value)}")
    return float(check(name, value))


def temperature(name, value):
    """Return ``value`` as a float in [1e-300, 1e150]: 1/T and T**2 stay finite."""
    return single(name, value, temperatures)


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
