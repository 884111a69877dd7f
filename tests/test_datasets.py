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
