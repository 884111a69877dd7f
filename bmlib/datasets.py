"""Small binary data sets for Boltzmann machines and RBMs.

Every function returns a float64 array of shape (n_patterns, n_features) holding 0 and 1,
one pattern per row, in a fixed documented order.
"""

import itertools

import numpy as np

from bmlib import _validate

__all__ = ["bars_and_stripes", "encoder_patterns"]


def bars_and_stripes(n, *, distinct=True):
    """All n x n bars-and-stripes images, flattened row by row.

    An image is made by switching on a subset of its rows (stripes) or a subset of its
    columns (bars). There are 2^n subsets of each, 2^(n+1) images in all, but the empty
    subset gives the all-off image both ways and the full subset the all-on image both ways.

    Parameters
    ----------
    n : int
        Side of the square image, >= 2.
    distinct : bool
        If True (default), each image once: 2^(n+1) - 2 patterns (14 for n = 3), so the best
        possible average log-likelihood of a model is -log(2^(n+1) - 2). If False, the
        multiset of all 2^(n+1) row and column choices, in which all-off and all-on appear
        twice (16 for n = 3; best average log-likelihood then -(12 log 16 + 4 log 8) / 16).

    Returns
    -------
    ndarray of shape (n_patterns, n * n)
        Stripes first (row subsets in binary counting order), then bars.
    """
    n = _validate.count("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    subsets = np.array(list(itertools.product([0.0, 1.0], repeat=n)))  # (2^n, n)
    stripes = np.repeat(subsets, n, axis=1)  # row i on -> n pixels of row i on
    bars = np.tile(subsets, (1, n))  # column j on -> pixel j of every row on
    patterns = np.concatenate([stripes, bars])
    if distinct:
        blank_or_full = (patterns.sum(axis=1) == 0) | (patterns.sum(axis=1) == n * n)
        duplicate = blank_or_full & (np.arange(len(patterns)) >= len(subsets))
        patterns = patterns[~duplicate]
    return patterns


def encoder_patterns(n):
    """The n-m-n encoder problem of Ackley, Hinton and Sejnowski (1985).

    n input units and n output units; in pattern i, input unit i and output unit i are on
    and all others off. A Boltzmann machine must pass which unit is on through a narrow
    layer of hidden units (log2 n of them in the 4-2-4 encoder).

    Parameters
    ----------
    n : int
        Number of input (and of output) units, >= 2.

    Returns
    -------
    ndarray of shape (n, 2 * n)
        Row i is [e_i, e_i]: the first n columns are the inputs, the last n the outputs.
    """
    n = _validate.count("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    identity = np.eye(n)
    return np.concatenate([identity, identity], axis=1)
