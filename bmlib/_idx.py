"""MNIST's IDX file format, read with memory bounded by the array the header declares.

:func:`read_idx` is public as :func:`bmlib.datasets.read_idx`. It lives in this module of its own
because what makes it long is defending against files that lie (a header promising more than the
file holds, a small gzip file that inflates to gigabytes), not anything the course teaches.

The rules it keeps, so that reading a file never grows memory by more than the size of the array
its header declares (one chunk of 1 MiB aside), whether the file is valid or forged:

- Only regular files are opened: a FIFO with no writer would block ``open`` forever, and a
  directory or a device is not an IDX file.
- The header is checked before anything is allocated: the type code, the number of dimensions
  (1 to 64, what NumPy supports), and that the file can hold the bytes it promises. A raw file must
  be exactly header + data long. A gzip file cannot inflate to more than 1032 times its own size
  (deflate's largest ratio: 258 bytes for a 2-bit match), so a header promising more is refused
  before any data are read.
- The result is allocated once, empty, and filled by streaming chunks into it (``readinto``); the
  bytes are swapped to native order in place. A valid read therefore needs the array and one chunk,
  not the data twice, and a forged gzip header within the bound grows memory only by the data
  actually present before "truncated" is raised.
"""

import gzip
import math
import os
import stat
import zlib

import numpy as np

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MAX_DIMENSIONS = 64  # NumPy's limit on an array's dimensions (NPY_MAXDIMS since NumPy 2.0)
_MAX_DEFLATE_RATIO = 1032  # no deflate stream inflates one byte into more than 1032 (zlib's FAQ)
_CHUNK = 1 << 20


def read_idx(path):
    """Read an array from an IDX file (the format of MNIST), raw or gzip-compressed.

    The format: two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions d, then d big-endian
    32-bit sizes, then the values in C order, big-endian. A path ending in ``.gz`` is read
    through gzip. Only local files are read; nothing is downloaded.

    Everything in the header is checked before any array is allocated, and the file must hold
    exactly as many bytes as the header promises, so a truncated file or a forged header gives
    a ``ValueError`` naming the problem instead of a huge allocation: memory grows by at most
    the size of the array the header declares (plus one 1 MiB chunk), for raw and gzip files.

    Parameters
    ----------
    path : str or os.PathLike
        A regular file (not a directory, FIFO or device).

    Returns
    -------
    ndarray of shape given by the header, in native byte order
        For MNIST: images ``uint8`` of shape (n, 28, 28) holding 0..255, labels ``uint8`` (n,).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fsdecode(path)
    mode = os.stat(path).st_mode  # a missing path raises FileNotFoundError, which names it
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or device)"
        raise ValueError(f"{path} is {kind}: read_idx reads IDX files from disk")
    compressed = path.endswith(".gz")
    opener = gzip.open if compressed else open
    with opener(path, "rb") as f:
        try:
            dtype, shape = _read_header(f, path)
            n_bytes = dtype.itemsize * math.prod(shape)  # Python ints: no overflow
            header = 4 + 4 * len(shape)
            size = os.fstat(f.fileno()).st_size  # of the file on disk, compressed or not
            if not compressed and size != header + n_bytes:
                raise ValueError(
                    f"{path}: the header promises {n_bytes} bytes of data for shape {shape}, "
                    f"the file holds {size - header}"
                )
            if compressed and header + n_bytes > _MAX_DEFLATE_RATIO * size:
                raise ValueError(
                    f"{path}: the header promises {n_bytes} bytes of data for shape {shape}, more "
                    f"than a gzip file of {size} bytes can inflate to ({_MAX_DEFLATE_RATIO} times its size)"
                )
            array = np.empty(shape, dtype=dtype.newbyteorder("="))
            _fill(f, array, path)
        except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise ValueError(
                f"{path}: not a readable {'gzip ' if compressed else ''}IDX file ({err})"
            ) from err
    if array.dtype != dtype:  # multi-byte values on a little-endian machine
        array.byteswap(inplace=True)
    return array


def _read_header(f, path):
    """The dtype and shape an IDX header declares, after checking its magic number and dimensions."""
    magic = _read_exactly(f, 4, path, "the 4-byte magic number")
    if magic[0] != 0 or magic[1] != 0:
        raise ValueError(f"{path} is not an IDX file: its magic number starts {magic[:2].hex()}, not 0000")
    if magic[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{magic[2]:02X}")
    n_dims = magic[3]
    if n_dims == 0:
        raise ValueError(f"{path}: the header says the array has 0 dimensions")
    if n_dims > _MAX_DIMENSIONS:
        raise ValueError(
            f"{path}: the header says the array has {n_dims} dimensions, more than NumPy's {_MAX_DIMENSIONS}"
        )
    dims = np.frombuffer(_read_exactly(f, 4 * n_dims, path, f"{n_dims} sizes"), dtype=">u4")
    return _IDX_TYPES[magic[2]], tuple(int(d) for d in dims)


def _read_exactly(f, n, path, what):
    """Read the ``n`` bytes of a header field (a few bytes at most)."""
    data = f.read(n)
    if len(data) < n:
        raise ValueError(f"{path} is truncated: expected {what}, found only {len(data)} bytes")
    return data


def _fill(f, array, path):
    """Stream exactly ``array.nbytes`` bytes from ``f`` into ``array``, and check nothing follows."""
    buffer = memoryview(array.reshape(-1).view(np.uint8))  # the array's own memory, as bytes
    filled = 0
    while filled < len(buffer):
        n = f.readinto(buffer[filled : filled + _CHUNK])
        if not n:
            raise ValueError(
                f"{path} is truncated: expected {len(buffer)} bytes of data for shape {array.shape}, "
                f"found only {filled}"
            )
        filled += n
    if f.read(1):
        raise ValueError(f"{path}: the file holds more data than its header describes (shape {array.shape})")
