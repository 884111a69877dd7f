"""Exact enumeration of every state of a small binary model: the ground truth for tests.

(Started with the Ising chapter's needs; the Boltzmann-machine chapter extends it.)
"""

import numpy as np

from bmlib import _validate

__all__ = ["binary_states"]

_MAX_UNITS = 26  # 2^26 states x 26 bytes = 1.7 GB: beyond this enumeration is not the tool


def binary_states(n):
    """All 2^n binary states of n units, in Gray-code order.

    Consecutive rows differ in exactly one unit, so an energy can be updated incrementally
    from one state to the next. Row k is the Gray code g = k XOR (k >> 1), unit i being
    bit i of g; row 0 is all zeros.

    Parameters
    ----------
    n : int
        Number of units, 1 <= n <= 26.

    Returns
    -------
    ndarray of shape (2**n, n), dtype uint8
    """
    n = _validate.count("n", n)
    if not 1 <= n <= _MAX_UNITS:
        raise ValueError(f"n must be between 1 and {_MAX_UNITS} to enumerate 2^n states, got {n}")
    k = np.arange(2**n, dtype=np.int64)
    gray = k ^ (k >> 1)
    return ((gray[:, None] >> np.arange(n)) & 1).astype(np.uint8)
