"""Numerically stable building blocks: sigmoid, softplus and log-sum-exp.

All three work on NumPy arrays from Python *and* inside ``@njit`` kernels, so the RBM and
Boltzmann-machine kernels of later chapters use exactly the functions the notebooks test.

Why "stable"? The textbook formulas overflow long before the answer does:
``1 / (1 + exp(-x))`` warns for x = -1000 although the answer is just 0, and
``log(sum(exp(a)))`` is ``inf`` for a = [1000, 1000] although the answer is
1000 + log 2. Each function here rewrites its formula so that no intermediate value
overflows.
"""

import numpy as np
from numba import njit, vectorize
from numba.extending import overload

from bmlib import _validate

__all__ = ["sigmoid", "softplus", "logsumexp", "total_variation_distance"]


@vectorize(["float64(float64)"], cache=True)
def sigmoid(x):
    """Logistic function sigma(x) = 1 / (1 + exp(-x)), without overflow for any x.

    For x < 0 it uses the equivalent form exp(x) / (1 + exp(x)), so ``exp`` only ever
    sees a non-positive argument. A NumPy ufunc: works on scalars and arrays, in Python
    and inside ``@njit``.
    """
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@vectorize(["float64(float64)"], cache=True)
def softplus(x):
    """Softplus log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), without overflow.

    It is the term each hidden unit adds to an RBM's free energy. A NumPy ufunc: works on
    scalars and arrays, in Python and inside ``@njit``.
    """
    return max(x, 0.0) + np.log1p(np.exp(-abs(x)))


def logsumexp(a):
    """Return log(sum(exp(a))) over all entries of ``a``, without overflow.

    Computed as m + log(sum(exp(a - m))) with m = max(a): every exponent is <= 0 and the
    largest term is exactly 1, so the sum neither overflows nor underflows to zero.

    Parameters
    ----------
    a : array_like of real numbers, not empty
        Entries may be ``-inf`` (a state of probability zero); NaN and ``+inf`` are
        rejected.

    Returns
    -------
    float
        ``-inf`` when every entry is ``-inf``.

    Notes
    -----
    Also callable inside ``@njit`` code on a float64 array (no validation there).
    """
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"a must be an array of real numbers, got {type(a).__name__}")
    try:
        array = np.asarray(a, dtype=np.float64).ravel()
    except (TypeError, ValueError) as err:
        raise TypeError(f"a must be an array of real numbers, got {_validate._show(a)}") from err
    if array.size == 0:
        raise ValueError("a must not be empty: log(sum(exp(a))) of no terms is -inf by convention only")
    if np.any(np.isnan(array)) or np.any(array == np.inf):
        raise ValueError("a must not hold NaN or +inf")
    return float(_logsumexp(array))


@njit(cache=True)
def _logsumexp(a):
    # log sum_i exp(a_i) = m + log sum_i exp(a_i - m),  m = max_i a_i
    m = -np.inf
    for i in range(a.size):
        if a.flat[i] > m:
            m = a.flat[i]
    if m == -np.inf:
        return -np.inf
    total = 0.0
    for i in range(a.size):
        total += np.exp(a.flat[i] - m)
    return m + np.log(total)


@overload(logsumexp, jit_options={"cache": True})
def _logsumexp_njit(a):
    """Inside @njit, ``logsumexp(a)`` compiles straight to the kernel (no validation)."""
    return lambda a: _logsumexp(a)


def total_variation_distance(p, q):
    """Total-variation distance between two distributions over the same states.

    TV(p, q) = 1/2 sum_x |p(x) - q(x)| = the largest difference in probability the two
    give to any set of states; 0 for identical distributions, 1 for disjoint ones.

    Parameters
    ----------
    p, q : array_like of shape (n_states,)
        Non-negative, each summing to 1 (to 1e-9).

    Returns
    -------
    float
    """
    p = _probability_vector("p", p)
    q = _probability_vector("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return 0.5 * float(np.abs(p - q).sum())


def _probability_vector(name, value):
    array = _validate.vector(name, value)
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    if abs(array.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1, sums to {array.sum()!r}")
    return array
