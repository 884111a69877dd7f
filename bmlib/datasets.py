"""Small data sets for Boltzmann machines and RBMs, and a reader for MNIST's IDX files.

The pattern sets (:func:`bars_and_stripes`, :func:`encoder_patterns`) return a float64 array of
shape (n_patterns, n_features) holding 0 and 1, one pattern per row, in a fixed documented order.
:func:`digits` and :func:`nudged_digits` return scikit-learn's bundled copy of the 8 x 8
handwritten digits (nothing is downloaded) scaled to [0, 1], with their labels. :func:`read_idx`
reads MNIST-format IDX files from local disk, raw or gzip-compressed.
"""

import gzip
import itertools
import os

import numpy as np

from bmlib import _validate

__all__ = ["bars_and_stripes", "encoder_patterns", "digits", "nudged_digits", "read_idx"]


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


def digits(binarize=None):
    """scikit-learn's 1797 handwritten digits, 8 x 8 pixels, flattened row by row.

    The images come from ``sklearn.datasets.load_digits`` (a copy bundled with scikit-learn;
    nothing is downloaded). Their pixels are integers 0..16, scaled here to [0, 1] by / 16.

    Parameters
    ----------
    binarize : float or None
        None (default): grey levels in [0, 1], which an RBM reads as the probabilities of
        its visible units being on. A number t in [0, 1): pixels brighter than t become 1,
        the others 0.

    Returns
    -------
    X : ndarray of shape (1797, 64), float64
    y : ndarray of shape (1797,), int64
        The digit each image shows, 0..9.
    """
    if binarize is not None:
        if isinstance(binarize, bool) or np.ndim(binarize) != 0:
            raise TypeError(f"binarize must be None or a number in [0, 1), got {_validate._show(binarize)}")
        binarize = float(_validate.real_array("binarize", binarize))
        if not 0.0 <= binarize < 1.0:
            raise ValueError(f"binarize must be in [0, 1), got {binarize}")
    from sklearn.datasets import load_digits  # imported here: only this function needs scikit-learn

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    if binarize is not None:
        X = (X > binarize).astype(np.float64)
    return X, np.asarray(bunch.target, dtype=np.int64)


def _shift_images(images, rows, columns):
    """Move every 8 x 8 image by (rows, columns) pixels, filling with 0 (like ndimage's 'constant')."""
    shifted = np.zeros_like(images)
    size = images.shape[1]
    target_rows = slice(max(rows, 0), size + min(rows, 0))
    source_rows = slice(max(-rows, 0), size + min(-rows, 0))
    target_columns = slice(max(columns, 0), size + min(columns, 0))
    source_columns = slice(max(-columns, 0), size + min(-columns, 0))
    shifted[:, target_rows, target_columns] = images[:, source_rows, source_columns]
    return shifted


def nudged_digits():
    """The digits and four copies moved by one pixel, as in scikit-learn's RBM example.

    scikit-learn's example "Restricted Boltzmann Machine features for digit classification"
    enlarges the 1797 digits five-fold by moving each image one pixel up, left, right and down,
    then scales every pixel column by (x - min) / (max + 0.0001). This function reproduces it
    (in float64), so bmlib and ``sklearn.neural_network.BernoulliRBM`` can be compared on the
    same data. The example then keeps 80 % for training: ``train_test_split(X, y,
    test_size=0.2, random_state=0)`` gives 7188 training images.

    Returns
    -------
    X : ndarray of shape (8985, 64), float64 in [0, 1)
        The originals, then the copies moved up, left, right and down (1797 rows each).
    y : ndarray of shape (8985,), int64
    """
    X, y = digits()
    images = (16.0 * X).reshape(-1, 8, 8)
    # (rows, columns) moves of scikit-learn's four 3 x 3 convolution kernels, in its order
    moves = [(-1, 0), (0, -1), (0, 1), (1, 0)]
    X = np.concatenate([images] + [_shift_images(images, r, c) for r, c in moves]).reshape(-1, 64)
    X = (X - X.min(axis=0)) / (X.max(axis=0) + 0.0001)
    return X, np.tile(y, 5)


# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CHUNK = 1 << 20


def read_idx(path):
    """Read an array from an IDX file (the format of MNIST), raw or gzip-compressed.

    The format: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions d, then d big-endian
    32-bit sizes, then the values in C order, big-endian. A path ending in ``.gz`` is read
    through gzip. Only local files are read; nothing is downloaded.

    Everything in the header is checked before any array is allocated, and the file must hold
    exactly as many bytes as the header promises, so a truncated file or a forged header gives
    a ``ValueError`` naming the problem instead of a huge allocation.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray of shape given by the header, in native byte order
        For MNIST: images ``uint8`` of shape (n, 28, 28) holding 0..255, labels ``uint8`` (n,).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fspath(path)
    compressed = path.endswith(".gz")
    opener = gzip.open if compressed else open
    with opener(path, "rb") as f:
        try:
            magic = _read_exactly(f, 4, path, "the 4-byte magic number")
            if magic[0] != 0 or magic[1] != 0:
                raise ValueError(
                    f"{path} is not an IDX file: its magic number starts {magic[:2].hex()}, not 0000"
                )
            if magic[2] not in _IDX_TYPES:
                raise ValueError(f"{path}: unknown IDX type code 0x{magic[2]:02X}")
            dtype, n_dims = _IDX_TYPES[magic[2]], magic[3]
            if n_dims == 0:
                raise ValueError(f"{path}: the header says the array has 0 dimensions")
            dims = np.frombuffer(_read_exactly(f, 4 * n_dims, path, f"{n_dims} sizes"), dtype=">u4")
            shape = tuple(int(d) for d in dims)
            n_bytes = dtype.itemsize * int(np.prod(shape, dtype=object))  # Python ints: no overflow
            header = 4 + 4 * n_dims
            if not compressed:
                size = os.fstat(f.fileno()).st_size
                if size != header + n_bytes:
                    raise ValueError(
                        f"{path}: the header promises {n_bytes} bytes of data for shape {shape}, "
                        f"the file holds {size - header}"
                    )
            data = _read_exactly(f, n_bytes, path, f"{n_bytes} bytes of data for shape {shape}")
            if f.read(1):
                raise ValueError(
                    f"{path}: the file holds more data than its header describes (shape {shape})"
                )
        except (OSError, EOFError, gzip.BadGzipFile) as err:
            raise ValueError(
                f"{path}: not a readable {'gzip ' if compressed else ''}IDX file ({err})"
            ) from err
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _read_exactly(f, n, path, what):
    """Read exactly ``n`` bytes in chunks (never asking for more than the stream has given)."""
    chunks, remaining = [], n
    while remaining:
        chunk = f.read(min(remaining, _CHUNK))
        if not chunk:
            raise ValueError(f"{path} is truncated: expected {what}, found only {n - remaining} bytes")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
