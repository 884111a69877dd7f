"""bmlib.exact: enumeration of all binary states."""

import itertools
import time

import numpy as np
import pytest

from bmlib import exact


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_binary_states_are_all_states_once_in_gray_code_order(n):
    states = exact.binary_states(n)
    assert states.shape == (2**n, n) and states.dtype == np.uint8
    assert {tuple(s) for s in states} == set(itertools.product([0, 1], repeat=n))
    assert np.all(np.abs(np.diff(states.astype(int), axis=0)).sum(axis=1) == 1)
    assert not states[0].any()


@pytest.mark.parametrize("n", [0, 27])
def test_binary_states_refuses_sizes_it_cannot_enumerate(n):
    with pytest.raises(ValueError, match="n must be between 1 and 26"):
        exact.binary_states(n)


# --- exact log Z, distribution, marginals, moments and KL (issue 4) -----------------------


def _random_machine(n, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(0.0, scale, size=(n, n)), 1)
    return upper + upper.T, rng.normal(0.0, scale, size=n)


def _brute_force_log_weights(W, theta, T):
    """-E(s)/T for every state in itertools.product order, straight from the definition."""
    states = np.array(list(itertools.product([0.0, 1.0], repeat=theta.size)))
    minus_energy = [
        sum(W[i, j] * s[i] * s[j] for i in range(len(s)) for j in range(i + 1, len(s))) + theta @ s
        for s in states
    ]
    return states, np.array(minus_energy) / T


@pytest.mark.parametrize("n", [1, 2, 5, 9, 12])
@pytest.mark.parametrize("T", [1.0, 0.3])
def test_log_partition_equals_brute_force_log_sum_exp(n, T):
    W, theta = _random_machine(n, seed=n)
    _, log_weights = _brute_force_log_weights(W, theta, T)
    m = log_weights.max()
    brute = m + np.log(np.sum(np.exp(log_weights - m)))
    # Gray-code updates add one rounding error per step: relative 1e-12 leaves ample room
    assert exact.log_partition(W, theta, T) == pytest.approx(brute, rel=1e-12, abs=1e-12)


def test_log_partition_stays_accurate_for_large_weights_and_low_temperature():
    W, theta = _random_machine(14, scale=100.0, seed=3)
    _, log_weights = _brute_force_log_weights(W, theta, 0.05)
    m = log_weights.max()
    brute = m + np.log(np.sum(np.exp(log_weights - m)))
    assert np.isfinite(brute) and abs(brute) > 1e4
    assert exact.log_partition(W, theta, 0.05) == pytest.approx(brute, rel=1e-11)


def test_distribution_is_indexed_by_code_and_matches_brute_force():
    W, theta = _random_machine(7, seed=1)
    states, log_weights = _brute_force_log_weights(W, theta, 0.8)
    brute = np.exp(log_weights) / np.exp(log_weights).sum()
    p = exact.distribution(W, theta, 0.8)
    assert p.shape == (2**7,) and p.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(p[exact.state_codes(states)], brute, rtol=1e-12, atol=0)
    by_code = exact.states_by_code(7)
    np.testing.assert_array_equal(exact.state_codes(by_code), np.arange(2**7))
    assert exact.state_codes([1, 0, 1]) == 5


def test_marginal_sums_the_hidden_units_out():
    W, theta = _random_machine(8, seed=2)
    states, log_weights = _brute_force_log_weights(W, theta, 1.0)
    brute = np.exp(log_weights) / np.exp(log_weights).sum()
    visible_codes = exact.state_codes(states[:, :5])
    expected = np.bincount(visible_codes, weights=brute, minlength=2**5)
    np.testing.assert_allclose(exact.marginal(W, theta, 5), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exact.marginal(W, theta, 8), exact.distribution(W, theta), rtol=1e-12)


def test_moments_match_brute_force():
    W, theta = _random_machine(6, seed=4)
    states, log_weights = _brute_force_log_weights(W, theta, 1.3)
    p = np.exp(log_weights) / np.exp(log_weights).sum()
    mean, pairwise = exact.moments(W, theta, 1.3)
    np.testing.assert_allclose(mean, p @ states, rtol=1e-12)
    np.testing.assert_allclose(pairwise, (states.T * p) @ states, rtol=1e-12)


def test_clamped_moments_average_the_conditional_of_the_hidden_units():
    W, theta = _random_machine(7, seed=5)
    patterns = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 0, 1, 1]])
    states, log_weights = _brute_force_log_weights(W, theta, 1.0)
    expected = np.zeros((7, 7))
    for v in patterns:  # P(h | v) by brute force over the states that agree with v
        agree = np.all(states[:, :4] == v, axis=1)
        weights = np.exp(log_weights[agree] - log_weights[agree].max())
        conditional = weights / weights.sum()
        expected += (states[agree].T * conditional) @ states[agree] / len(patterns)
    mean, pairwise = exact.clamped_moments(W, theta, patterns)
    np.testing.assert_allclose(pairwise, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mean, np.diag(expected))
    # no hidden units: the data's own moments
    data = np.array([[1, 0, 1], [1, 1, 0]], dtype=float)
    _, pairwise = exact.clamped_moments(W[:3, :3], theta[:3], data)
    np.testing.assert_allclose(pairwise, data.T @ data / 2)


def test_log_weights_are_minus_the_energies_over_T_and_give_the_distribution():
    W, theta = _random_machine(6, seed=7)
    states, log_weights = _brute_force_log_weights(W, theta, 0.7)
    by_code = np.empty(2**6)
    by_code[exact.state_codes(states)] = log_weights
    np.testing.assert_allclose(exact.log_weights(W, theta, 0.7), by_code, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(exact.log_weights(W, theta), -exact.energies(W, theta), rtol=1e-12, atol=1e-12)
    p = np.exp(exact.log_weights(W, theta, 0.7) - exact.log_partition(W, theta, 0.7))
    np.testing.assert_allclose(p, exact.distribution(W, theta, 0.7), rtol=1e-12)


def test_clamped_moments_weigh_the_patterns_by_a_probability_vector():
    W, theta = _random_machine(6, seed=8)
    patterns = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    weights = np.array([0.5, 0.3, 0.2])
    _, pairwise = exact.clamped_moments(W, theta, patterns, 1.2, weights=weights)
    one_by_one = [exact.clamped_moments(W, theta, row[None], 1.2)[1] for row in patterns]
    np.testing.assert_allclose(pairwise, np.tensordot(weights, one_by_one, axes=1), rtol=1e-12, atol=1e-15)
    # a repeated row is the same as its weights added up: equal weights on the rows by default
    repeated = patterns[[0, 0, 1, 2]]
    _, by_default = exact.clamped_moments(W, theta, repeated, 1.2)
    _, merged = exact.clamped_moments(W, theta, patterns, 1.2, weights=[0.5, 0.25, 0.25])
    np.testing.assert_allclose(by_default, merged, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        exact.clamped_moments(W, theta, patterns, weights=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="weights must be non-negative"):
        exact.clamped_moments(W, theta, patterns, weights=[1.5, -0.5, 0.0])
    with pytest.raises(ValueError, match=r"weights must have shape \(3,\)"):
        exact.clamped_moments(W, theta, patterns, weights=[0.5, 0.5])


def test_kl_divergence_is_the_textbook_sum_and_handles_zeros():
    p = np.array([0.5, 0.5, 0.0, 0.0])
    q = np.array([0.25, 0.25, 0.25, 0.25])
    assert exact.kl_divergence(p, q) == pytest.approx(np.log(2.0), rel=1e-14)
    assert exact.kl_divergence(q, q) == 0.0
    assert exact.kl_divergence(q, p) == np.inf
    rng = np.random.default_rng(0)
    a, b = rng.random(16), rng.random(16)
    a, b = a / a.sum(), b / b.sum()
    assert exact.kl_divergence(a, b) == pytest.approx(np.sum(a * np.log(a / b)), rel=1e-12)


def test_twenty_units_enumerate_in_well_under_a_second():
    W, theta = _random_machine(20, seed=6)
    exact.log_partition(W[:4, :4], theta[:4])  # compile (or load the cache) outside the timing
    tic = time.perf_counter()
    value = exact.log_partition(W, theta)
    elapsed = time.perf_counter() - tic
    assert np.isfinite(value)
    assert elapsed < 1.0, f"2^20 states took {elapsed:.2f} s"


@pytest.mark.parametrize(
    "W, theta, T, message",
    [
        ([[0.0, 1.0], [2.0, 0.0]], [0.0, 0.0], 1.0, "W must be symmetric"),
        ([[1.0, 0.5], [0.5, 0.0]], [0.0, 0.0], 1.0, "W must have a zero diagonal"),
        ([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0, 0.0], 1.0, "theta has 3 entries but W is 2 x 2"),
        ([[0.0, 1.0, 0.0]], [0.0], 1.0, "W must be a non-empty square matrix"),
        ([[0.0, np.nan], [np.nan, 0.0]], [0.0, 0.0], 1.0, "W must be finite"),
        ([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0], 0.0, "T must be > 0"),
        ([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0], -1.0, "T must be > 0"),
    ],
)
def test_bad_models_are_refused_with_the_parameter_named(W, theta, T, message):
    with pytest.raises(ValueError, match=message):
        exact.log_partition(W, theta, T)


def test_other_bad_input_is_refused():
    W, theta = _random_machine(4)
    with pytest.raises(ValueError, match="at most 26"):
        exact.log_partition(np.zeros((27, 27)), np.zeros(27))
    with pytest.raises(ValueError, match="n_visible must be between 1 and the number of units 4"):
        exact.marginal(W, theta, 5)
    with pytest.raises(ValueError, match="patterns must hold only 0 and 1"):
        exact.clamped_moments(W, theta, [[0.5, 1.0]])
    with pytest.raises(ValueError, match="patterns must not be empty"):
        exact.clamped_moments(W, theta, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="p_data and p_model must have the same shape"):
        exact.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="p_model must sum to 1"):
        exact.kl_divergence([0.5, 0.5], [0.2, 0.3])
    with pytest.raises(ValueError, match="states must hold only 0 and 1"):
        exact.state_codes([0, 2])
    with pytest.raises(TypeError, match="W must be a real number or an array"):
        exact.log_partition("W", theta)


@pytest.mark.parametrize("T", [5e-309, 1e-301, 1e151])
def test_temperatures_beyond_1e_minus_300_and_1e150_are_refused(T):
    # #17 item 15: below about 5.6e-309, 1/T is inf and moments came back all NaN without a word
    W, theta = _random_machine(4)
    for function in (exact.moments, exact.log_partition, exact.distribution, exact.log_weights):
        with pytest.raises(ValueError, match=r"T must be between 1e-300 and 1e\+150"):
            function(W, theta, T)


def test_the_temperature_bounds_give_the_ground_state_and_the_uniform_distribution():
    W, theta = _random_machine(6, seed=2)
    energies = exact.energies(W, theta)
    ground = exact.states_by_code(6)[np.argmin(energies)].astype(float)
    mean, pairwise = exact.moments(W, theta, 1e-150)
    assert np.array_equal(mean, ground) and np.array_equal(pairwise, np.outer(ground, ground))
    assert exact.log_partition(W, theta, 1e-150) == pytest.approx(-energies.min() / 1e-150, rel=1e-12)
    mean, pairwise = exact.moments(W, theta, 1e150)
    np.testing.assert_allclose(pairwise, np.full((6, 6), 0.25) + 0.25 * np.eye(6), rtol=1e-12)
    assert exact.log_partition(W, theta, 1e150) == pytest.approx(6 * np.log(2), rel=1e-12)


def test_parameters_whose_energies_overflow_are_refused_not_turned_into_nan():
    # #17 item 15: energies or -E/T beyond the largest float gave NaN moments (and warnings)
    W, theta = _random_machine(6, seed=2)
    with pytest.raises(ValueError, match="W and theta are too large: unit"):
        exact.energies(1e307 * W, theta)  # W + W^T and the energies overflow
    with pytest.raises(ValueError, match="W and theta are too large for T = 1e-150"):
        exact.moments(1e200 * W, theta, 1e-150)  # -E/T overflows
    with pytest.raises(ValueError, match="W and theta are too large for T = 1e-150"):
        exact.clamped_moments(1e200 * W, theta, [[1, 0, 1]], 1e-150)
    # just inside both limits: finite, and the ground state again
    ground = exact.states_by_code(6)[np.argmin(exact.energies(W, theta))].astype(float)
    mean, _ = exact.moments(1e150 * W, 1e150 * theta, 1e-150)
    assert np.array_equal(mean, ground)
    assert np.all(np.isfinite(exact.energies(1e299 * W, 1e299 * theta)))  # largest gap 6.5e299


def test_check_weights_returns_new_exactly_symmetric_arrays():
    W, theta = _random_machine(5)
    W_in = W.copy()
    W_in[0, 1] += 1e-13  # rounding noise is tolerated and removed
    W_out, theta_out = exact.check_weights(W_in, theta)
    assert np.array_equal(W_out, W_out.T) and W_out is not W_in and theta_out is not theta
    assert W_in[0, 1] == W[0, 1] + 1e-13  # the caller's array is untouched


def test_energies_of_all_states_match_the_definition():
    W, theta = _random_machine(9, seed=8)
    states = exact.states_by_code(9).astype(float)
    by_definition = -(0.5 * np.einsum("si,ij,sj->s", states, W, states) + states @ theta)
    np.testing.assert_allclose(exact.energies(W, theta), by_definition, rtol=1e-12, atol=1e-12)
