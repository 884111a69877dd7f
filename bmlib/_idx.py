"""MNIST's IDX file format: :func:`read_idx`, public as :func:`bmlib.datasets.read_idx`.

It lives in a module of its own because what makes it long is checking files that may lie (a header
promising more than the file holds), not anything the course teaches.
"""

import gzip
import os

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
