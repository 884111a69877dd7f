"""bmlib.stats: stable sigmoid, softplus and log-sum-exp against closed forms and naive formulas."""

import math

import numpy as np
import pytest
from numba import njit

from bmlib import stats

MODERATE = np.linspace(-30.0, 30.0, 601)


def test_sigmoid_matches_naive_formula_where_it_is_safe():
    np.testing.assert_allclose(stats.sigmoid(MODERATE), 1 / (1 + np.exp(-MODERATE)), rtol=1e-14, atol=0)


def test_sigmoid_extremes_and_symmetry():
    assert stats.sigmoid(0.0) == 0.5
    assert stats.sigmoid(1000.0) == 1.0
    assert stats.sigmoid(-1000.0) == 0.0
    assert stats.sigmoid(-745.0) > 0.0  # exp(-745) is the smallest subnormal: still resolved
    np.testing.assert_allclose(stats.sigmoid(MODERATE) + stats.sigmoid(-MODERATE), 1.0, rtol=1e-15)


def test_softplus_matches_naive_and_limits():
    np.testing.assert_allclose(stats.softplus(MODERATE), np.log1p(np.exp(MODERATE)), rtol=1e-14, atol=0)
    assert stats.softplus(0.0) == pytest.approx(math.log(2.0), rel=1e-15)
    assert stats.softplus(1000.0) == 1000.0
    assert stats.softplus(-1000.0) == 0.0
    assert stats.softplus(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)
    # softplus(x) - softplus(-x) = x, and its derivative is the sigmoid
    np.testing.assert_allclose(stats.softplus(MODERATE) - stats.softplus(-MODERATE), MODERATE, atol=1e-13)
    h = 1e-6
    derivative = (stats.softplus(MODERATE + h) - stats.softplus(MODERATE - h)) / (2 * h)
    np.testing.assert_allclose(derivative, stats.sigmoid(MODERATE), atol=1e-8)


def test_logsumexp_matches_naive_and_stays_finite():
    a = np.array([0.5, -1.0, 2.0, 3.25])
    assert stats.logsumexp(a) == pytest.approx(math.log(np.exp(a).sum()), rel=1e-15)
    assert stats.logsumexp([1000.0, 1000.0]) == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
    assert stats.logsumexp([-1000.0, -1000.0]) == pytest.approx(-1000.0 + math.log(2.0), rel=1e-15)
    assert stats.logsumexp([5.0]) == 5.0
    assert stats.logsumexp([-np.inf, 0.0]) == 0.0
    assert stats.logsumexp([-np.inf, -np.inf]) == -np.inf
    assert stats.logsumexp(np.zeros((2, 3))) == pytest.approx(math.log(6.0), rel=1e-15)


def test_logsumexp_works_inside_njit():
    @njit
    def log_partition(energies):
        return stats.logsumexp(-energies) + stats.sigmoid(0.0) + stats.softplus(0.0)

    energies = np.array([0.0, 1.0, 3.0])
    expected = math.log(1 + math.exp(-1) + math.exp(-3)) + 0.5 + math.log(2.0)
    assert log_partition(energies) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "bad, error",
    [
        ([], ValueError),
        ([1.0, np.nan], ValueError),
        ([np.inf], ValueError),
        ("abc", TypeError),
        (None, TypeError),
    ],
)
def test_logsumexp_bad_input(bad, error):
    with pytest.raises(error, match="a must"):
        stats.logsumexp(bad)


def test_total_variation_distance():
    assert stats.total_variation_distance([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert stats.total_variation_distance([1.0, 0.0], [0.0, 1.0]) == 1.0
    assert stats.total_variation_distance([0.2, 0.3, 0.5], [0.3, 0.3, 0.4]) == pytest.approx(0.1, abs=1e-15)


@pytest.mark.parametrize(
    "p, q, message",
    [
        ([0.5, 0.6], [0.5, 0.5], "p must sum to 1"),
        ([1.0], [0.5, 0.5], "same shape"),
        ([1.5, -0.5], [0.5, 0.5], "p must be non-negative"),
        ([0.5, 0.5], [np.nan, 1.0], "q must be finite"),
    ],
)
def test_total_variation_distance_bad_input(p, q, message):
    with pytest.raises(ValueError, match=message):
        stats.total_variation_distance(p, q)
