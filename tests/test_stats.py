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


# ---------------------------------------------------------------------------------------
# error bars for correlated series, on an AR(1) process whose answers are known:
# x_t = phi x_{t-1} + e_t has rho(t) = phi^t, tau_int = (1 + phi) / (2 (1 - phi)), and
# variance of its mean ~ 2 tau_int var(x) / n.


def _ar1(phi, n, seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=n)
    x = np.empty(n)
    x[0] = noise[0] / np.sqrt(1 - phi**2)  # start in the stationary distribution
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return x


def test_autocorrelation_of_ar1():
    phi = 0.8
    rho = stats.autocorrelation(_ar1(phi, 200_000, seed=1), max_lag=10)
    assert rho[0] == 1.0
    # standard error of rho(t) for a long series ~ sqrt((1 + phi^2) / (1 - phi^2) / n) < 0.01
    np.testing.assert_allclose(rho, phi ** np.arange(11), atol=0.02)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_integrated_autocorrelation_time_of_ar1(phi):
    tau = stats.integrated_autocorrelation_time(_ar1(phi, 400_000, seed=2))
    exact = (1 + phi) / (2 * (1 - phi))
    # Sokal: relative error of tau ~ sqrt(2 (2W + 1) / n) with W ~ 5 tau: 2.2 % at phi = 0.9
    assert tau == pytest.approx(exact, rel=0.05 + 4 * np.sqrt(2 * (10 * exact + 1) / 400_000))


@pytest.mark.parametrize("phi", [0.0, 0.9])
def test_blocking_error_matches_the_exact_error_of_the_mean(phi):
    n = 2**18
    x = _ar1(phi, n, seed=3)
    exact = np.sqrt((1 + phi) / (1 - phi) / (1 - phi**2) / n)  # sqrt(2 tau var / n), var = 1/(1-phi^2)
    # the plateau estimate uses >= 32 blocks: its own relative error is about 1/sqrt(2 * 31)
    assert stats.blocking_error(x) == pytest.approx(exact, rel=4 / np.sqrt(62))
    naive = x.std() / np.sqrt(n)
    if phi > 0:
        assert stats.blocking_error(x) > 3 * naive  # the naive error is far too small


def test_jackknife_of_mean_and_of_a_nonlinear_estimate():
    x = np.random.default_rng(4).normal(2.0, 1.0, size=64_000)
    value, error = stats.jackknife(np.mean, x, n_blocks=64)
    assert value == x.mean()
    # for independent data the jackknife error of the mean is s / sqrt(n), to ~1/sqrt(63)
    assert error == pytest.approx(x.std() / np.sqrt(x.size), rel=4 / np.sqrt(126))
    # variance of N(2, 1): 1 with standard error sqrt(2 / n); with 1000 blocks the jackknife's
    # own relative error is about 1/sqrt(2 * 999), so 5 of those is 11 %
    value, error = stats.jackknife(np.var, x, n_blocks=1000)
    assert abs(value - 1.0) < 4 * error
    assert error == pytest.approx(np.sqrt(2 / x.size), rel=5 / np.sqrt(2 * 999))
    # two series: ratio of means
    y = np.random.default_rng(5).normal(4.0, 1.0, size=64_000)
    value, _ = stats.jackknife(lambda a, b: a.mean() / b.mean(), x, y)
    assert value == pytest.approx(x.mean() / y.mean())


def test_error_bars_by_hand():
    # Issue 17: blocking_error dividing by sqrt(n_blocks - 1) instead of sqrt(n_blocks) passed
    # every statistical test. These are exact. 0, 1, 0, 1, ... (32 values, one level): the
    # standard error sqrt(s^2 / 32) with s^2 = 32 * 0.25 / 31.
    assert stats.blocking_error([0.0, 1.0] * 16) == pytest.approx(1 / (2 * np.sqrt(31)), rel=1e-14)
    # 0, 0, 1, 1, ... (128 values): 128 values give 0.5 / sqrt(127), their 64 pair means
    # alternate 0, 1 and give 0.5 / sqrt(63), the 32 means of four are all 0.5: the largest wins
    assert stats.blocking_error([0.0, 0.0, 1.0, 1.0] * 32) == pytest.approx(0.5 / np.sqrt(63), rel=1e-14)
    # the jackknife error of a mean over K equal blocks is the standard error of the K block
    # means, exactly: theta_i - mean(theta) = -(B_i - mean(B)) / (K - 1)
    g = np.random.default_rng(1).normal(size=4096)
    for K in (32, 64, 128):
        _, error = stats.jackknife(np.mean, g, n_blocks=K)
        block_means = g.reshape(K, -1).mean(axis=1)
        assert error == pytest.approx(block_means.std(ddof=1) / np.sqrt(K), rel=1e-12)


def test_error_bar_functions_refuse_bad_input():
    with pytest.raises(ValueError, match="at least 32 samples"):
        stats.blocking_error(np.ones(10))
    with pytest.raises(ValueError, match="finite"):
        stats.integrated_autocorrelation_time([1.0, np.nan, 2.0])
    with pytest.raises(TypeError, match="callable"):
        stats.jackknife("mean", np.ones(100))
    with pytest.raises(ValueError, match="same length"):
        stats.jackknife(lambda a, b: 0.0, np.ones(100), np.ones(99))
    with pytest.raises(ValueError, match="n_blocks must be >= 2"):
        stats.jackknife(np.mean, np.ones(100), n_blocks=1)


# ----------------------------------------------------------------------------------------------
# several chains: split R-hat and the effective sample size
# ----------------------------------------------------------------------------------------------


def _ar1_chains(phi, n_chains, n_draws, seed):
    """Stationary AR(1) chains x_t = phi x_{t-1} + e_t: tau_int = (1 + phi) / (2 (1 - phi))."""
    g = np.random.default_rng(seed)
    noise = g.normal(size=(n_chains, n_draws))
    x = np.empty_like(noise)
    x[:, 0] = noise[:, 0] / np.sqrt(1 - phi**2)
    for t in range(1, n_draws):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


def test_split_rhat_is_one_for_mixed_chains_and_large_for_chains_in_different_places():
    m, n = 20, 500  # 40 half-chains of 250 draws
    x = np.random.default_rng(0).normal(size=(m, n))
    # for mixed chains R^2 - 1 ~ (chi2_{2m-1} / (2m-1) - 1) / (n/2): R - 1 has sd sqrt(2/(2m-1)) / n
    assert abs(stats.split_rhat(x) - 1.0) < 5 * np.sqrt(2 / (2 * m - 1)) / n
    shifted = x.copy()
    shifted[: m // 2] += 1.0  # half the chains sit one standard deviation higher
    # expected: var+ / W = (n/2 - 1)/(n/2) + [40 * 0.25 / 39 + 1/(n/2)], about 1.121; sd about 0.005
    half = n // 2
    expected = np.sqrt((half - 1) / half + 2 * m * 0.25 / (2 * m - 1) + 1 / half)
    assert abs(stats.split_rhat(shifted) - expected) < 0.02
    drifting = x + np.linspace(0, 2, n)  # every chain drifts: the split halves disagree
    assert stats.split_rhat(drifting) > 1.1
    assert stats.split_rhat(np.ones((3, 8))) == 1.0
    assert stats.split_rhat(np.repeat([[0.0], [1.0]], 8, axis=1)) == np.inf


def test_effective_sample_size_of_independent_and_of_ar1_chains():
    # independent draws: tau_int = 1/2, ESS = N; Sokal: sd(tau) ~ tau sqrt(2 (2W + 1) / N), W ~ 3
    x = np.random.default_rng(1).normal(size=(20, 500))
    assert abs(stats.effective_sample_size(x) / x.size - 1) < 5 * np.sqrt(2 * 7 / x.size)
    # AR(1), phi = 0.8: tau_int = 4.5, ESS = N / 9; W ~ 5 tau ~ 23
    y = _ar1_chains(0.8, 20, 5000, seed=2)
    relative_error = np.sqrt(2 * (2 * 23 + 1) / y.size)
    assert abs(stats.effective_sample_size(y) / (y.size / 9) - 1) < 5 * relative_error + 0.01  # + window bias


@pytest.mark.parametrize(
    "chains, message",
    [
        (np.zeros(10), "chains must be 2-D"),
        (np.zeros((1, 10)), "at least 2 chains of at least 4 draws"),
        (np.zeros((3, 3)), "at least 2 chains of at least 4 draws"),
        (np.array([[0.0, 1, 2, np.nan], [0, 1, 2, 3]]), "chains"),
    ],
)
def test_chain_diagnostics_refuse_bad_input(chains, message):
    for function in (stats.split_rhat, stats.effective_sample_size):
        with pytest.raises(ValueError, match=message):
            function(chains)


# ---------------------------------------------------------------------------------------
# the input contract (#17)


def test_logsumexp_refuses_complex_and_bools_by_name():
    with pytest.raises(TypeError, match="a must be real, got complex"):
        stats.logsumexp(np.array([1.0 + 2.0j, 0.0]))
    with pytest.raises(TypeError, match="got the bool"):
        stats.logsumexp(True)


def test_error_bars_of_series_near_the_largest_float_are_finite_and_scale_exactly():
    # entries of 1e308 overflowed the mean and the squares: all-NaN autocorrelation, inf errors
    x = np.random.default_rng(5).standard_normal(256)
    chains = x.reshape(4, 64)
    big = 2.0**1020  # about 1.1e307: every result must be the small series' result, rescaled
    np.testing.assert_allclose(
        stats.autocorrelation(x * big), stats.autocorrelation(x), rtol=1e-12, atol=1e-15
    )
    assert stats.blocking_error(x * big) == pytest.approx(stats.blocking_error(x) * big, rel=1e-12)
    assert stats.integrated_autocorrelation_time(x * big) == pytest.approx(
        stats.integrated_autocorrelation_time(x), rel=1e-12
    )
    assert stats.split_rhat(chains * big) == pytest.approx(stats.split_rhat(chains), rel=1e-12)
    assert stats.effective_sample_size(chains * big) == pytest.approx(
        stats.effective_sample_size(chains), rel=1e-12
    )
    assert np.isfinite(stats.autocorrelation(np.full(64, 1e308) * np.sign(x[:64]))).all()


def test_a_read_only_array_costs_logsumexp_no_second_compilation():
    a = np.linspace(-3.0, 3.0, 7)
    stats.logsumexp(a)
    compiled = len(stats._logsumexp.signatures)
    assert stats.logsumexp(np.broadcast_to(a, a.shape)) == stats.logsumexp(a)
    assert len(stats._logsumexp.signatures) == compiled


def test_jackknife_of_estimates_near_the_largest_float_has_a_finite_error():
    x = np.random.default_rng(6).standard_normal(64)
    value, error = stats.jackknife(lambda s: s.mean(), x)
    big_value, big_error = stats.jackknife(lambda s: 1e300 * s.mean(), x)
    assert big_value == pytest.approx(1e300 * value, rel=1e-12)
    assert big_error == pytest.approx(1e300 * error, rel=1e-12)


def test_zero_dimensional_bool_arrays_are_not_numbers():
    with pytest.raises(TypeError, match="window_factor must be a number, got the bool"):
        stats.integrated_autocorrelation_time(np.arange(10.0), window_factor=np.array(True))
