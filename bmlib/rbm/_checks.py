"""Input checks shared by the public functions of :mod:`bmlib.rbm` (private).

Every public function validates its arguments here, at the boundary, so errors name the
parameter and say what was expected; the kernels behind them trust their arguments. The rules
are those of :mod:`bmlib._validate` (bools are not numbers, flags are bools, read-only arrays
are copied, counts are bounded), plus one of the RBM's own: the parameters' sizes are bounded
(:data:`ENERGY_LIMIT`).
"""

import math
import numbers

import numpy as np

from bmlib import _validate


def units(name, value, n_columns=None, columns_name="n_visible"):
    """Return ``value`` as a C-contiguous 2-D float64 array of values in [0, 1] (1-D -> one row)."""
    array = _validate.real_array(name, value)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_units), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(f"{name} has {array.shape[1]} columns, expected {columns_name} = {n_columns}")
    if np.any(array < 0.0) or np.any(array > 1.0):
        raise ValueError(
            f"{name} must hold values in [0, 1] (binary units, or probabilities of being on), "
            f"found values in [{array.min():g}, {array.max():g}]"
        )
    return np.ascontiguousarray(array)


def binary_units(name, value, n_columns=None):
    """:func:`units`, and every value 0 or 1: the data a log-likelihood is defined for."""
    array = units(name, value, n_columns)
    grey = np.count_nonzero((array != 0.0) & (array != 1.0))
    if grey:
        raise ValueError(
            f"{name} must be binary (0 or 1) for a log-likelihood: log p(v) = -F(v) - log Z is a "
            f"log-probability only for binary v, and {name} holds {grey} values strictly between 0 and "
            "1 (grey levels, such as datasets.digits() gives by default); binarize it first, for "
            "example with datasets.digits(binarize=0.5)"
        )
    return array


def is_binary(array):
    return bool(np.all((array == 0.0) | (array == 1.0)))


_NOT_NEEDED = object()  # a bias the caller does not use (None is a user's mistake, refused below)

ENERGY_LIMIT = 1e300
"""Largest sum |W_ij| + sum |b_i| + sum |c_j| accepted for an RBM's parameters.

No energy can exceed that sum in size (|E(v, h)| <= sum |W_ij| + sum |b_i| + sum |c_j| for 0/1
units), nor can a free energy, a field c_j + (v W)_j or log Z, up to (n_visible + n_hidden) log 2.
Below 1e300 all of them, and their differences, are finite floats; with entries near the
largest float (1.8e308) a single sum of two overflows, and the results would be -inf or NaN.
"""


def parameters(W, visible_bias=_NOT_NEEDED, hidden_bias=_NOT_NEEDED):
    """Check W (n_visible, n_hidden) and the biases against it, and their size against
    :data:`ENERGY_LIMIT`; return float64 copies-or-views."""
    W = np.ascontiguousarray(_validate.real_array("W", W))
    if W.ndim != 2 or W.shape[0] == 0 or W.shape[1] == 0:
        raise ValueError(f"W must be a non-empty 2-D array (n_visible, n_hidden), got shape {W.shape}")
    named = [("W", W)]
    for name, bias, size, what in [
        ("visible_bias", visible_bias, W.shape[0], "n_visible"),
        ("hidden_bias", hidden_bias, W.shape[1], "n_hidden"),
    ]:
        if bias is _NOT_NEEDED:
            continue
        if bias is None:
            raise TypeError(f"{name} must be an array of shape ({size},) ({what} of W), got None")
        bias = _validate.real_array(name, bias)
        if bias.shape != (size,):
            raise ValueError(f"{name} must have shape ({size},) ({what} of W), got {bias.shape}")
        named.append((name, np.ascontiguousarray(bias)))
    bounded_size(named)
    return [array for _, array in named]


def bounded_size(named_arrays):
    """Check that the sum of |entries| over ``named_arrays`` ((name, array) pairs) is at most
    :data:`ENERGY_LIMIT`; the error names the array with the largest share."""
    named_arrays = list(named_arrays)
    with np.errstate(over="ignore"):  # a sum beyond the largest float is inf, and refused
        sizes = [float(np.abs(array).sum()) for _, array in named_arrays]
    total = sum(sizes)
    if not total <= ENERGY_LIMIT:
        largest = named_arrays[int(np.argmax(sizes))][0]
        terms = " + ".join(f"sum |{name}|" for name, _ in named_arrays)
        raise ValueError(
            f"{largest} is too large: {terms} = {total:.3g} must be at most {ENERGY_LIMIT:g}, the bound "
            "on every energy, free energy and field, so that they and their differences are finite floats"
        )


def positive_int(name, value, minimum=1, maximum=None, why=""):
    """``value`` as an int in [minimum, maximum]; ``maximum`` None is the project's bound on counts,
    :data:`bmlib._validate.MAX_COUNT` (``why`` says what a larger value would cost)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_validate.show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is None:
        return _validate.count(name, value)
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum:_}, got {value:_}: {why}")
    return int(value)


def plain_number(value):
    """``value`` as a float when it is a finite Python int or float (not a bool), else None.

    The settings are checked on every ``partial_fit``; a plain number needs no NumPy round trip
    (which costs more than a small model's whole epoch). Anything else goes through the full
    checks, which raise the errors.
    """
    if type(value) in (float, int) and math.isfinite(value):
        return float(value)
    return None


def positive_number(name, value):
    number = plain_number(value)
    if number is not None and number > 0.0:
        return number
    return _validate.positive_scalar(name, value)


def nonnegative(name, value, below_one=False):
    number = plain_number(value)
    if number is not None and 0.0 <= number and (number < 1.0 or not below_one):
        return number
    if np.ndim(value) != 0:
        raise TypeError(f"{name} must be a single number, got {_validate.show(value)}")
    value = float(_validate.real_array(name, value))  # refuses bools, strings, complex, NaN
    if value < 0.0 or (below_one and value >= 1.0):
        raise ValueError(f"{name} must be in [0, {'1)' if below_one else 'inf)'}, got {value}")
    return value


def squeeze(result, was_vector):
    return result[0] if was_vector else result
