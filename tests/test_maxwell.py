"""bmlib.maxwell against closed forms, numerical integration and hand-computed values.

Statistical tests use fixed seeds and tolerances derived from error bars (5 standard
errors, or a stated significance level for goodness-of-fit tests).
"""

import math

import numba
import numpy as np
import pytest
from scipy import integrate
from scipy import stats as scipy_stats

from bmlib import maxwell

N2 = maxwell.GASES["N2"]
T = 300.0


def a_scale(T, m):
    return math.sqrt(maxwell.K_B * T / m)


# ---------------------------------------------------------------------------------------
# closed forms


def test_constants_and_gas_table():
    assert maxwell.K_B == 1.380649e-23
    assert maxwell.N_A == 6.02214076e23
    assert N2.mass == pytest.approx(28.014e-3 / 6.02214076e23, rel=1e-15)
    for name in ["He", "Ne", "Ar", "N2", "O2", "Xe"]:
        gas = maxwell.GASES[name]
        assert gas.name == name and 1 < gas.molar_mass < 140


@pytest.mark.parametrize("gas, T", [("He", 4.2), ("N2", 300.0), ("Xe", 1500.0)])
def test_pdf_normalised_and_moments_match_closed_forms(gas, T):
    m = maxwell.GASES[gas]
    a = a_scale(T, m.mass)
    upper = 40 * a

    def moment(k):
        return integrate.quad(
            lambda v: v**k * maxwell.speed_pdf(v, T, m), 0, upper, epsabs=0, epsrel=1e-12, limit=200
        )[0]

    assert moment(0) == pytest.approx(1.0, rel=1e-10)
    assert moment(1) == pytest.approx(maxwell.mean_speed(T, m), rel=1e-10)
    assert math.sqrt(moment(2)) == pytest.approx(maxwell.rms_speed(T, m), rel=1e-10)
    # closed forms in terms of a = sqrt(kT/m)
    assert maxwell.most_probable_speed(T, m) == pytest.approx(math.sqrt(2) * a, rel=1e-15)
    assert maxwell.mean_speed(T, m) == pytest.approx(math.sqrt(8 / math.pi) * a, rel=1e-15)
    assert maxwell.rms_speed(T, m) == pytest.approx(math.sqrt(3) * a, rel=1e-15)
    # <v^3> = 8 sqrt(2/pi) a^3 and <v^4> = 15 a^4 (moments of the chi distribution, 3 dof)
    assert moment(3) == pytest.approx(8 * math.sqrt(2 / math.pi) * a**3, rel=1e-10)
    assert moment(4) == pytest.approx(15 * a**4, rel=1e-10)


def test_most_probable_speed_is_the_peak():
    v_p = maxwell.most_probable_speed(T, N2)
    h = 1e-3 * v_p
    assert maxwell.speed_pdf(v_p, T, N2) > maxwell.speed_pdf(v_p - h, T, N2)
    assert maxwell.speed_pdf(v_p, T, N2) > maxwell.speed_pdf(v_p + h, T, N2)
    # peak height 4 / (sqrt(pi) e v_p)
    assert maxwell.speed_pdf(v_p, T, N2) == pytest.approx(4 / (math.sqrt(math.pi) * math.e * v_p), rel=1e-14)


def test_characteristic_speed_ratios():
    v_p, mean, rms = (f(T, N2) for f in (maxwell.most_probable_speed, maxwell.mean_speed, maxwell.rms_speed))
    assert mean / v_p == pytest.approx(2 / math.sqrt(math.pi), rel=1e-14)  # 1.128
    assert rms / v_p == pytest.approx(math.sqrt(1.5), rel=1e-14)  # 1.225
    assert round(mean / v_p, 3) == 1.128 and round(rms / v_p, 3) == 1.225


def test_pdf_matches_textbook_formula_and_is_zero_below_zero():
    v = np.linspace(0, 3000, 301)
    kT = maxwell.K_B * T
    textbook = 4 * np.pi * (N2.mass / (2 * np.pi * kT)) ** 1.5 * v**2 * np.exp(-N2.mass * v**2 / (2 * kT))
    np.testing.assert_allclose(maxwell.speed_pdf(v, T, N2), textbook, rtol=1e-13, atol=0)
    np.testing.assert_allclose(maxwell.speed_pdf(v, T, N2.mass), textbook, rtol=1e-13, atol=0)
    assert maxwell.speed_pdf(-5.0, T, N2) == 0.0
    assert maxwell.speed_cdf(-5.0, T, N2) == 0.0
    assert maxwell.speed_sf(-5.0, T, N2) == 1.0


def test_cdf_is_integral_of_pdf_and_sf_is_its_complement():
    for v in [50.0, 300.0, 422.0, 900.0, 2000.0]:
        integral = integrate.quad(lambda x: maxwell.speed_pdf(x, T, N2), 0, v, epsabs=0, epsrel=1e-12)[0]
        assert maxwell.speed_cdf(v, T, N2) == pytest.approx(integral, rel=1e-10)
        assert maxwell.speed_cdf(v, T, N2) + maxwell.speed_sf(v, T, N2) == pytest.approx(1.0, rel=1e-14)


def test_sf_is_accurate_deep_in_the_tail():
    # where 1 - cdf has lost every digit, sf still matches the tail integral
    v = 14 * maxwell.most_probable_speed(T, N2)
    assert 1.0 - maxwell.speed_cdf(v, T, N2) == 0.0
    tail = integrate.quad(lambda x: maxwell.speed_pdf(x, T, N2), v, 2 * v, epsabs=0, epsrel=1e-12)[0]
    assert tail > 0
    assert maxwell.speed_sf(v, T, N2) == pytest.approx(tail, rel=1e-9)


def test_broadcasting_over_temperatures_and_scalar_returns():
    v = np.array([100.0, 500.0])
    temps = np.array([100.0, 300.0, 1000.0])
    table = maxwell.speed_pdf(v[:, None], temps[None, :], N2)
    assert table.shape == (2, 3)
    assert table[1, 2] == maxwell.speed_pdf(500.0, 1000.0, N2)
    assert isinstance(maxwell.speed_pdf(500.0, T, N2), float)
    assert isinstance(maxwell.mean_speed(T, N2), float)
    np.testing.assert_allclose(maxwell.mean_speed(temps, N2), [maxwell.mean_speed(t, N2) for t in temps])


# ---------------------------------------------------------------------------------------
# sampling


def test_sampled_components_are_normal_with_variance_kT_over_m():
    n = 300_000
    velocities = maxwell.sample_velocities(n, T, N2, seed=2)
    assert velocities.shape == (n, 3) and velocities.dtype == np.float64
    variance = maxwell.K_B * T / N2.mass
    # mean 0 with standard error sqrt(variance / n); sample variance with standard error
    # variance * sqrt(2 / (n - 1)) (normal data); correlations with standard error 1/sqrt(n)
    assert np.all(np.abs(velocities.mean(axis=0)) < 5 * math.sqrt(variance / n))
    assert np.all(np.abs(velocities.var(axis=0, ddof=1) - variance) < 5 * variance * math.sqrt(2 / (n - 1)))
    correlation = np.corrcoef(velocities.T)
    assert np.all(np.abs(correlation[np.triu_indices(3, 1)]) < 5 / math.sqrt(n))


def test_sampled_speeds_moments_match_closed_forms():
    n = 500_000
    speeds = maxwell.sample_speeds(n, T, N2, seed=3)
    a = a_scale(T, N2.mass)
    # mean: standard error sqrt(Var v / n), Var v = <v^2> - <v>^2 = (3 - 8/pi) a^2
    assert abs(speeds.mean() - maxwell.mean_speed(T, N2)) < 5 * a * math.sqrt((3 - 8 / math.pi) / n)
    # mean of v^2: standard error sqrt(Var v^2 / n), Var v^2 = <v^4> - <v^2>^2 = 15 a^4 - 9 a^4
    assert abs(np.mean(speeds**2) - 3 * a**2) < 5 * a**2 * math.sqrt(6 / n)


def test_sampled_speeds_pass_kolmogorov_smirnov_at_fixed_seed():
    # Significance level 0.001: a correct sampler fails with probability 1/1000 for a random
    # seed; the seed is fixed, so the outcome is fixed.
    speeds = maxwell.sample_speeds(200_000, T, N2, seed=4)
    result = scipy_stats.kstest(speeds, lambda v: maxwell.speed_cdf(v, T, N2))
    assert result.pvalue > 1e-3, result


def test_sampled_speeds_pass_chi_square_on_equal_probability_bins():
    # 50 bins of equal probability under the exact cdf: counts ~ 2000 each; the chi-square
    # statistic has 49 degrees of freedom. Significance level 0.001.
    n, n_bins = 100_000, 50
    speeds = maxwell.sample_speeds(n, T, N2, seed=5)
    cdf_values = maxwell.speed_cdf(speeds, T, N2)
    counts = np.bincount(np.minimum((cdf_values * n_bins).astype(int), n_bins - 1), minlength=n_bins)
    statistic = np.sum((counts - n / n_bins) ** 2 / (n / n_bins))
    assert scipy_stats.chi2.sf(statistic, n_bins - 1) > 1e-3, statistic


def test_speeds_are_the_norms_of_velocities_for_the_same_seed():
    n = 3 * 4096 + 7  # several blocks and an odd tail
    velocities = maxwell.sample_velocities(n, T, N2, seed=6)
    speeds = maxwell.sample_speeds(n, T, N2, seed=6)
    np.testing.assert_allclose(np.linalg.norm(velocities, axis=1), speeds, rtol=1e-14, atol=0)


def test_same_seed_same_samples_and_prefix_property():
    a = maxwell.sample_speeds(10_000, T, N2, seed=8)
    np.testing.assert_array_equal(a, maxwell.sample_speeds(10_000, T, N2, seed=8))
    np.testing.assert_array_equal(a[:100], maxwell.sample_speeds(100, T, N2, seed=8))
    assert not np.array_equal(a, maxwell.sample_speeds(10_000, T, N2, seed=9))
    generator = np.random.default_rng(1)
    assert not np.array_equal(
        maxwell.sample_speeds(10, T, N2, seed=generator), maxwell.sample_speeds(10, T, N2, seed=generator)
    )


def test_samples_do_not_depend_on_the_thread_count():
    n = 5 * 4096 + 3
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = maxwell.sample_velocities(n, T, N2, seed=10)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        all_threads = maxwell.sample_velocities(n, T, N2, seed=10)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(one_thread, all_threads)


def test_same_seed_same_samples_in_another_process(digests):
    other = digests.in_fresh_process(
        "from bmlib import maxwell\n"
        "result = (maxwell.sample_velocities(10000, 300.0, maxwell.GASES['N2'], seed=12),)"
    )
    assert other == digests.of(maxwell.sample_velocities(10000, 300.0, N2, seed=12))


def test_zero_samples():
    assert maxwell.sample_velocities(0, T, N2, seed=1).shape == (0, 3)
    assert maxwell.sample_speeds(0, T, N2, seed=1).shape == (0,)


# ---------------------------------------------------------------------------------------
# discrete Boltzmann distribution


def test_boltzmann_probabilities_hand_computed():
    p = maxwell.boltzmann_probabilities([0.0, 1.0, 3.0], 1.0)
    weights = np.array([1.0, math.exp(-1), math.exp(-3)])
    np.testing.assert_allclose(p, weights / weights.sum(), rtol=1e-15)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    # two levels 0 and 1 at T = 1 / ln 3: upper level exactly 1/4
    np.testing.assert_allclose(
        maxwell.boltzmann_probabilities([0.0, 1.0], 1 / math.log(3)), [0.75, 0.25], rtol=1e-14
    )
    # degenerate levels are equally likely; T -> large gives uniform
    np.testing.assert_allclose(maxwell.boltzmann_probabilities([2.0, 2.0], 0.1), [0.5, 0.5])
    np.testing.assert_allclose(
        maxwell.boltzmann_probabilities([0.0, 1.0, 3.0], 1e12), [1 / 3] * 3, rtol=1e-11
    )


def test_log_partition_function_hand_computed_and_mean_energy_identity():
    energies = np.array([0.0, 1.0, 3.0])
    assert maxwell.log_partition_function(energies, 1.0) == pytest.approx(
        math.log(1 + math.exp(-1) + math.exp(-3)), rel=1e-15
    )
    # -d log Z / d beta = <E>
    T0, h = 1.5, 1e-5
    derivative = -(
        maxwell.log_partition_function(energies, 1 / (1 / T0 + h))
        - maxwell.log_partition_function(energies, 1 / (1 / T0 - h))
    ) / (2 * h)
    assert derivative == pytest.approx(maxwell.boltzmann_probabilities(energies, T0) @ energies, rel=1e-9)


def test_stable_for_energies_spanning_hundreds_of_kT():
    energies = np.array([0.0, 1.0, 3.0])
    for shift in [500.0, -500.0, 1e5, -1e5]:
        np.testing.assert_allclose(
            maxwell.boltzmann_probabilities(energies + shift, 1.0),
            maxwell.boltzmann_probabilities(energies, 1.0),
            rtol=1e-12,
        )
        assert maxwell.log_partition_function(energies + shift, 1.0) == pytest.approx(
            maxwell.log_partition_function(energies, 1.0) - shift, rel=1e-12
        )
    wide = np.array([0.0, 300.0, 700.0, 1000.0])  # 1000 kT apart at T = 1
    p = maxwell.boltzmann_probabilities(wide, 1.0)
    assert np.all(np.isfinite(p)) and p[0] == 1.0 and p[1] == pytest.approx(math.exp(-300), rel=1e-12)
    assert maxwell.log_partition_function(wide, 1.0) == pytest.approx(math.log1p(math.exp(-300)), abs=1e-15)
    # low temperature: all weight on the ground state, no 0/0
    np.testing.assert_array_equal(maxwell.boltzmann_probabilities([5.0, 1.0, 2.0], 1e-3), [0.0, 1.0, 0.0])


def test_caller_array_is_not_modified():
    energies = np.array([3.0, 1.0, 2.0])
    maxwell.boltzmann_probabilities(energies, 0.7)
    maxwell.log_partition_function(energies, 0.7)
    np.testing.assert_array_equal(energies, [3.0, 1.0, 2.0])


# ---------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("T_bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_temperature(T_bad):
    with pytest.raises(ValueError, match="T must"):
        maxwell.speed_pdf(100.0, T_bad, N2)
    with pytest.raises(ValueError, match="T must"):
        maxwell.sample_speeds(10, T_bad, N2, seed=1)
    with pytest.raises(ValueError, match="T must"):
        maxwell.boltzmann_probabilities([0.0, 1.0], T_bad)


@pytest.mark.parametrize("m_bad", [0.0, -1e-26, np.nan])
def test_bad_mass(m_bad):
    with pytest.raises(ValueError, match="m must"):
        maxwell.mean_speed(300.0, m_bad)
    with pytest.raises(ValueError, match="m must"):
        maxwell.sample_velocities(10, 300.0, m_bad, seed=1)


@pytest.mark.parametrize(
    "molar_mass, error, match",
    [
        (0, ValueError, "molar_mass must be > 0"),
        (-28.0, ValueError, "molar_mass must be > 0"),
        (np.nan, ValueError, "molar_mass must be finite"),
        (np.inf, ValueError, "molar_mass must be finite"),
        (True, TypeError, "molar_mass must be a number"),
        ("28", TypeError, "molar_mass must be a real number"),
        (None, TypeError, "molar_mass must be a real number"),
    ],
)
def test_a_gas_refuses_a_molar_mass_it_cannot_have(molar_mass, error, match):
    # Issue 17: Gas("x", 0) made speed_pdf return zeros with a divide-by-zero warning and
    # sample_speeds raise ZeroDivisionError; NaN or negative masses gave NaN arrays, inf speeds 0.
    with pytest.raises(error, match=match):
        maxwell.Gas("x", molar_mass)
    with pytest.raises(TypeError, match="name must be a string"):
        maxwell.Gas(28, 28.0)
    assert maxwell.Gas("N2", 28.014) == N2 and maxwell.Gas("N2", 28.014).molar_mass == 28.014


def test_bad_sample_count():
    with pytest.raises(ValueError, match="n must be >= 0"):
        maxwell.sample_speeds(-1, T, N2, seed=1)
    with pytest.raises(TypeError, match="n must be an integer"):
        maxwell.sample_speeds(10.5, T, N2, seed=1)


def test_bad_speeds_and_array_temperature_for_sampling():
    with pytest.raises(ValueError, match="v must be finite"):
        maxwell.speed_pdf([1.0, np.nan], T, N2)
    with pytest.raises(TypeError, match="v must"):
        maxwell.speed_cdf("fast", T, N2)
    with pytest.raises(ValueError, match="T must be a single number"):
        maxwell.sample_speeds(10, [300.0, 400.0], N2, seed=1)


@pytest.mark.parametrize(
    "energies, message",
    [
        ([0.0, np.nan], "energies must be finite"),
        ([], "energies must not be empty"),
        ([[0.0, 1.0]], "energies must be 1-D"),
        ([np.inf, 0.0], "energies must be finite"),
    ],
)
def test_bad_energies(energies, message):
    with pytest.raises(ValueError, match=message):
        maxwell.boltzmann_probabilities(energies, 1.0)
    with pytest.raises(ValueError, match=message):
        maxwell.log_partition_function(energies, 1.0)


# ---------------------------------------------------------------------------------------
# float-range edges (#17 item 15)


def test_extreme_but_valid_inputs_give_finite_values_without_warnings():
    # speeds near the largest float made v / a and x^2 overflow: NaN densities and warnings
    v = np.array([-1e300, 0.0, 1.0, 1e300])
    for T in (1e-150, 300.0, 1e150):
        for f in (maxwell.speed_pdf, maxwell.speed_cdf, maxwell.speed_sf):
            assert np.all(np.isfinite(f(v, T, 4.0)))
    assert maxwell.speed_pdf(1e300, 300.0, 4.0) == 0.0 and maxwell.speed_sf(1e300, 300.0, 4.0) == 0.0
    assert maxwell.speed_cdf(1e300, 300.0, 4.0) == 1.0
    # a state 2e308 above the ground state has probability 0, not NaN
    np.testing.assert_array_equal(maxwell.boltzmann_probabilities([0.0, 1e308, -1e308], 1.0), [0, 0, 1])
    with pytest.raises(ValueError, match="log Z is too"):
        maxwell.log_partition_function([0.0, -1e308], 1e-10)
    with pytest.raises(ValueError, match="T must be between"):
        maxwell.speed_pdf(1.0, 1e-320, 4.0)
