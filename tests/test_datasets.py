"""bmlib.datasets: pattern counts, contents and bad input."""

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
