"""bmlib.datasets: pattern counts, contents and bad input."""

import os
import subprocess
import sys

import numpy as np
import pytest

from bmlib import datasets


@pytest.mark.parametrize("n", [2, 3, 4])
def test_bars_and_stripes_counts_and_contents(n):
    distinct = datasets.bars_and_stripes(n)
    multiset = datasets.bars_and_stripes(n, distinct=False)
    assert distinct.shape == (2 ** (n + 1) - 2, n * n)
    assert multiset.shape == (2 ** (n + 1), n * n)
    assert len({row.tobytes() for row in distinct}) == len(distinct)
    assert len({row.tobytes() for row in multiset}) == len(distinct)
    assert set(np.unique(multiset)) <= {0.0, 1.0}
    for pattern in multiset:
        image = pattern.reshape(n, n)
        rows_uniform = np.all(image == image[:, :1])  # every row constant: stripes
        columns_uniform = np.all(image == image[:1, :])  # every column constant: bars
        assert rows_uniform or columns_uniform


def test_bars_and_stripes_3x3_by_hand():
    patterns = datasets.bars_and_stripes(3)
    assert len(patterns) == 14
    middle_stripe = np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], dtype=float).ravel()
    left_bar = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0]], dtype=float).ravel()
    assert any(np.array_equal(p, middle_stripe) for p in patterns)
    assert any(np.array_equal(p, left_bar) for p in patterns)
    assert sum(np.array_equal(p, np.ones(9)) for p in patterns) == 1
    assert sum(np.array_equal(p, np.ones(9)) for p in datasets.bars_and_stripes(3, distinct=False)) == 2


def test_encoder_patterns():
    patterns = datasets.encoder_patterns(4)
    assert patterns.shape == (4, 8)
    np.testing.assert_array_equal(patterns[:, :4], np.eye(4))
    np.testing.assert_array_equal(patterns[:, 4:], np.eye(4))


@pytest.mark.parametrize("function", [datasets.bars_and_stripes, datasets.encoder_patterns])
def test_bad_sizes(function):
    with pytest.raises(ValueError, match="n must be >= 2"):
        function(1)
    with pytest.raises(TypeError, match="n must be an integer"):
        function(2.5)


def test_digits_scaled_and_binarized():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    binary, labels = datasets.digits(binarize=0.5)
    assert set(np.unique(binary)) == {0.0, 1.0}
    np.testing.assert_array_equal(binary, (X > 0.5).astype(float))
    np.testing.assert_array_equal(labels, y)
    for bad in [1.0, -0.1]:
        with pytest.raises(ValueError, match="binarize"):
            datasets.digits(binarize=bad)
    with pytest.raises(TypeError, match="binarize"):
        datasets.digits(binarize=True)


def test_nudged_digits_match_scikit_learns_example():
    from scipy.ndimage import convolve

    X, y = datasets.nudged_digits()
    assert X.shape == (5 * 1797, 64) and y.shape == (5 * 1797,)
    # scikit-learn's example, written as it is there (convolution with one-pixel kernels)
    raw, labels = datasets.digits()
    raw = 16.0 * raw
    kernels = [
        [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
    ]

    def shift(x, w):
        return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

    expected = np.concatenate([raw] + [np.apply_along_axis(shift, 1, raw, w) for w in kernels])
    expected = (expected - expected.min(0)) / (expected.max(0) + 0.0001)
    np.testing.assert_allclose(X, expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(y, np.tile(labels, 5))


def _idx_bytes(array, type_code):
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.tobytes()


@pytest.mark.parametrize(
    "dtype, code", [(">u1", 0x08), (">i1", 0x09), (">i2", 0x0B), (">i4", 0x0C), (">f4", 0x0D), (">f8", 0x0E)]
)
@pytest.mark.parametrize("compressed", [False, True])
def test_read_idx_round_trip(tmp_path, dtype, code, compressed):
    import gzip

    array = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4).astype(dtype)
    if dtype == ">u1":
        array = np.arange(24, dtype=dtype).reshape(2, 3, 4)
    payload = _idx_bytes(array, code)
    path = tmp_path / ("a.idx.gz" if compressed else "a.idx")
    path.write_bytes(gzip.compress(payload) if compressed else payload)
    got = datasets.read_idx(path)
    assert got.shape == (2, 3, 4)
    assert got.dtype.isnative and got.dtype.kind == np.dtype(dtype).kind
    np.testing.assert_array_equal(got, array)


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda b: b"\x01" + b[1:], "magic number"),
        (lambda b: b[:2] + b"\x07" + b[3:], "type code"),
        (lambda b: b[:-5], "truncated|promises"),
        (lambda b: b + b"\x00", "more data|promises"),
        (lambda b: b[:2], "truncated"),
        # a forged header: 60000 x 28 x 28 images promised, 24 bytes present
        (lambda b: b[:4] + np.array([60000, 28, 28], dtype=">u4").tobytes() + b[16:], "truncated|promises"),
        # a header promising 2^32 - 1 sizes per dimension (~ 7.9e28 bytes): refused, not allocated
        (lambda b: b[:4] + np.array([2**32 - 1] * 3, dtype=">u4").tobytes() + b[16:], "truncated|promises"),
        (lambda b: b[:3] + b"\x00", "0 dimensions"),
    ],
)
def test_read_idx_refuses_malformed_files(tmp_path, compressed, edit, message):
    import gzip

    payload = edit(_idx_bytes(np.arange(24, dtype=">u1").reshape(2, 3, 4), 0x08))
    path = tmp_path / ("bad.idx.gz" if compressed else "bad.idx")
    path.write_bytes(gzip.compress(payload) if compressed else payload)
    with pytest.raises(ValueError, match=message):
        datasets.read_idx(path)


def test_read_idx_refuses_a_corrupt_gzip_stream_and_bad_paths(tmp_path):
    path = tmp_path / "x.idx.gz"
    path.write_bytes(b"this is not gzip data")
    with pytest.raises(ValueError, match="gzip"):
        datasets.read_idx(path)
    with pytest.raises(TypeError, match="path"):
        datasets.read_idx(3)


def test_read_idx_refuses_a_corrupt_deflate_stream(tmp_path):
    # byte 10 starts the deflate data after gzip's 10-byte header; 0xFF makes an invalid block type,
    # which zlib reports as zlib.error (neither an OSError nor an EOFError)
    import gzip

    compressed = bytearray(gzip.compress(_idx_bytes(np.arange(24, dtype=">u1"), 0x08), mtime=0))
    compressed[10] = 0xFF
    path = tmp_path / "corrupt.idx.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(ValueError, match="corrupt.idx.gz: not a readable gzip IDX file"):
        datasets.read_idx(path)


@pytest.mark.parametrize("n_dims", [65, 100, 255])
def test_read_idx_names_the_file_with_more_dimensions_than_numpy_supports(tmp_path, n_dims):
    path = tmp_path / "deep.idx"
    path.write_bytes(bytes([0, 0, 0x08, n_dims]) + np.ones(n_dims, dtype=">u4").tobytes() + b"\x07")
    with pytest.raises(ValueError, match=f"deep.idx: the header says the array has {n_dims} dimensions"):
        datasets.read_idx(path)


def test_read_idx_reads_an_empty_array_and_a_64_dimensional_one(tmp_path):
    empty = np.zeros((0, 28, 28), dtype=">i2")
    (tmp_path / "empty.idx").write_bytes(_idx_bytes(empty, 0x0B))
    got = datasets.read_idx(tmp_path / "empty.idx")
    assert got.shape == (0, 28, 28) and got.dtype == np.int16
    deep = np.arange(2, dtype=">f8").reshape((2,) + (1,) * 63)
    (tmp_path / "deep.idx").write_bytes(_idx_bytes(deep, 0x0E))
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "deep.idx"), deep)


def test_read_idx_names_a_directory_or_a_missing_path(tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path} is a directory"):
        datasets.read_idx(tmp_path)
    with pytest.raises(FileNotFoundError, match="missing.idx"):
        datasets.read_idx(tmp_path / "missing.idx")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_read_idx_refuses_a_fifo_without_blocking(tmp_path):
    import threading

    fifo = tmp_path / "pipe.idx"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            datasets.read_idx(fifo)
        except Exception as err:  # the assertions below say which was expected
            outcome.append(err)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    blocked = reader.is_alive()
    if blocked:  # open() waits for a writer: give it one that closes at once, so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join()
    assert not blocked, "read_idx blocked on a FIFO with no writer"
    assert isinstance(outcome[0], ValueError) and "pipe.idx is not a regular file" in str(outcome[0])


_PEAK_MEMORY = """
import sys
from bmlib._idx import read_idx  # datasets.read_idx, without importing Numba's kernels

def memory(field):  # bytes; VmHWM is the peak resident size of this process, VmRSS the current one
    line = next(line for line in open("/proc/self/status") if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024

baseline = memory("VmRSS")
for path in sys.argv[1:]:
    try:
        outcome = read_idx(path).shape
    except ValueError as err:
        outcome = type(err).__name__
    print(repr(outcome), memory("VmHWM") - baseline)
"""


# Not resource.getrusage: a child's ru_maxrss starts at its parent's peak (fork copies it, exec keeps
# it), which hid 200 MB of growth under pytest. /proc/self/status counts this process only.
@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak resident size from /proc/self/status")
def test_read_idx_grows_memory_by_at_most_the_declared_array(tmp_path):
    # #17 item 5: reading must not grow memory beyond the declared array (+ 10 %). The peak RSS only
    # rises, so the files are read in one process from the smallest declared growth to the largest.
    import gzip

    mib = 1 << 20
    member = gzip.compress(bytes(mib), compresslevel=9, mtime=0)  # 1 MiB of zeros in ~1 kB

    def idx_header(shape):
        return bytes([0, 0, 0x08, len(shape)]) + np.array(shape, dtype=">u4").tobytes()

    def gzip_file(name, shape, n_mib):  # a multi-member gzip file: header, then n_mib MiB of zeros
        path = tmp_path / name
        path.write_bytes(gzip.compress(idx_header(shape), mtime=0) + member * n_mib)
        return path

    # forged: 256 MiB of zeros in a 0.27 MB file whose header promises 4 GiB; and a 16-byte raw file
    # promising 4 GiB. Both are refused before anything is read: no growth beyond a few MiB
    forged_gz = gzip_file("forged.idx.gz", (4096, 1024, 1024), 256)
    forged_raw = tmp_path / "forged.idx"
    forged_raw.write_bytes(idx_header((4096, 1024, 1024)))
    # valid: 64 MiB, through gzip and raw (a sparse file). 64, not 256: each 64 MiB costs 0.2-0.5 s,
    # and the old reader's 2 x 64 MiB is as far above 1.1 x 64 MiB as 2 x 256 MiB is above 1.1 x 256
    valid_gz = gzip_file("valid.idx.gz", (64, 1024, 1024), 64)
    valid_raw = tmp_path / "valid.idx"
    with open(valid_raw, "wb") as f:
        f.write(idx_header((64, 1024, 1024)))
        f.truncate(16 + 64 * mib)
    files = [forged_gz, forged_raw, valid_gz, valid_raw]
    run = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY, *map(str, files)], capture_output=True, text=True, check=True
    )
    results = [line.rsplit(" ", 1) for line in run.stdout.splitlines()]
    outcomes = [outcome for outcome, _ in results]
    growth = [int(grown) / mib for _, grown in results]
    assert outcomes == ["'ValueError'", "'ValueError'", "(64, 1024, 1024)", "(64, 1024, 1024)"]
    assert growth[0] < 8 and growth[1] < 8, growth  # the old reader: 258 MiB for the forged .gz
    assert growth[2] <= 1.1 * 64 and growth[3] <= 1.1 * 64, growth  # the old reader: 2 x 64 MiB


# #17 item 14: one rule at every public face: a flag is a real bool, a bool is not a number
@pytest.mark.parametrize("bad", ["abc", float("nan"), 1, None])
def test_flags_must_be_bools(bad):
    with pytest.raises(TypeError, match="distinct must be True or False"):
        datasets.bars_and_stripes(3, distinct=bad)
    with pytest.raises(TypeError, match="point_group must be True or False"):
        datasets.lattice_orbits(3, point_group=bad)


def test_numpy_bools_are_flags_and_bools_are_not_numbers():
    np.testing.assert_array_equal(
        datasets.bars_and_stripes(3, distinct=np.False_), datasets.bars_and_stripes(3, distinct=False)
    )
    np.testing.assert_array_equal(
        datasets.lattice_orbits(3, point_group=np.False_)[0], datasets.lattice_orbits(3, point_group=False)[0]
    )
    for call in [
        lambda: datasets.bars_and_stripes(True),
        lambda: datasets.encoder_patterns(np.True_),
        lambda: datasets.lattice_orbits(True),
        lambda: datasets.digits(binarize=np.False_),
    ]:
        with pytest.raises(TypeError, match="bool"):
            call()


def test_sizes_whose_result_could_not_fit_in_memory_are_refused_by_name():
    # bars_and_stripes(30) built 2^31 rows until memory ran out; the others raised MemoryError
    with pytest.raises(ValueError, match="n must be at most 14"):
        datasets.bars_and_stripes(30)
    with pytest.raises(ValueError, match="n must be at most 4_096"):
        datasets.encoder_patterns(10**6)
    with pytest.raises(ValueError, match="L must be at most 64"):
        datasets.lattice_orbits(1000)
