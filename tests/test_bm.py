"""bmlib.bm: Boltzmann machines and Hopfield nets, checked against exact enumeration."""

import itertools
import tracemalloc

import numba
import numpy as np
import pytest

from bmlib import bm, datasets, exact, stats
from bmlib.bm import _kernels, learning


def _random_machine(n, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(0.0, scale, size=(n, n)), 1)
    return upper + upper.T, rng.normal(0.0, scale, size=n)


def _random_states(n_chains, n, seed):
    return (np.random.default_rng(seed).random((n_chains, n)) < 0.5).astype(float)


def _tv_noise(p, n_samples):
    """Mean and standard deviation of the TV distance of n independent samples from p.

    Each count error is close to normal with variance n p (1 - p), so |p_hat - p| has mean
    sqrt(2 p (1 - p) / (pi n)) and variance (1 - 2/pi) p (1 - p) / n; TV is half their sum.
    """
    variance = p * (1 - p) / n_samples
    return 0.5 * np.sum(np.sqrt(2 * variance / np.pi)), 0.5 * np.sqrt(np.sum((1 - 2 / np.pi) * variance))


# --- energy ------------------------------------------------------------------------------


def test_energy_and_energy_gaps_follow_the_definitions():
    W, theta = _random_machine(6, seed=1)
    states = np.array(list(itertools.product([0.0, 1.0], repeat=6)))
    by_hand = [
        -(sum(W[i, j] * s[i] * s[j] for i in range(6) for j in range(i + 1, 6)) + theta @ s) for s in states
    ]
    np.testing.assert_allclose(bm.energy(states, W, theta), by_hand, rtol=1e-12, atol=1e-12)
    assert bm.energy(states[5], W, theta) == pytest.approx(by_hand[5], rel=1e-12)
    gaps = bm.delta_energy(states, W, theta)
    for i in range(6):
        off, on = states.copy(), states.copy()
        off[:, i], on[:, i] = 0, 1
        np.testing.assert_allclose(gaps[:, i], bm.energy(off, W, theta) - bm.energy(on, W, theta), atol=1e-12)


# --- Gibbs sampling against exact enumeration -------------------------------------------


def test_gibbs_samples_follow_the_exact_boltzmann_distribution():
    # a random 10-unit machine, weights of scale 1, T = 1; 1000 chains x 1000 samples = 10^6
    W, theta = _random_machine(10, seed=1)
    p = exact.distribution(W, theta)
    samples = bm.gibbs_samples(
        _random_states(1000, 10, 0), W, theta, 1.0, n_samples=1000, seed=3, burn_in=100
    )
    counts = np.bincount(exact.state_codes(samples.reshape(-1, 10)), minlength=2**10)
    tv = stats.total_variation_distance(counts / counts.sum(), p)
    mean, sd = _tv_noise(p, counts.sum())  # for independent samples: 0.0066 +- 0.0003
    # Consecutive sweeps are correlated, which inflates the noise; this machine mixes within a
    # sweep or two, so the measured TV (0.0069) is within 5 sd of the independent-sample value.
    assert tv < 0.01
    assert tv < mean + 5 * sd, (tv, mean, sd)
    # the same test tells a slightly wrong temperature apart
    wrong = bm.gibbs_samples(_random_states(1000, 10, 0), W, theta, 1.1, n_samples=1000, seed=3, burn_in=100)
    counts = np.bincount(exact.state_codes(wrong.reshape(-1, 10)), minlength=2**10)
    assert stats.total_variation_distance(counts / counts.sum(), p) > mean + 10 * sd


def test_clamped_gibbs_samples_follow_the_exact_conditional_distribution():
    W, theta = _random_machine(10, seed=1)
    clamped = np.arange(10) < 5
    v = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    start = _random_states(1000, 10, 1)
    start[:, :5] = v
    samples = bm.gibbs_samples(start, W, theta, 1.0, n_samples=1000, seed=4, burn_in=100, clamped=clamped)
    assert np.all(samples[:, :, :5] == v), "clamped units must never change"
    # given v, the free units form a Boltzmann machine with biases theta_h + W_hv v
    conditional = exact.distribution(W[5:, 5:], theta[5:] + W[5:, :5] @ v)
    counts = np.bincount(exact.state_codes(samples[:, :, 5:].reshape(-1, 5)), minlength=2**5)
    tv = stats.total_variation_distance(counts / counts.sum(), conditional)
    mean, sd = _tv_noise(conditional, counts.sum())  # 0.0012 +- 0.0002
    assert tv < 0.01
    assert tv < mean + 5 * sd, (tv, mean, sd)


def test_gibbs_is_reproducible_independent_of_threads_and_leaves_input_alone():
    W, theta = _random_machine(12, seed=2)
    start = _random_states(64, 12, 5)
    original = start.copy()
    first = bm.gibbs(start, W, theta, 1.0, 20, seed=7)
    assert np.array_equal(start, original)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        serial = bm.gibbs(start, W, theta, 1.0, 20, seed=7)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(first, serial)
    assert not np.array_equal(first, bm.gibbs(start, W, theta, 1.0, 20, seed=8))
    assert bm.gibbs(start[0], W, theta, 1.0, 3, seed=1).shape == (12,)
    assert np.array_equal(bm.gibbs(start, W, theta, 1.0, 0, seed=1), start)


@pytest.mark.parametrize("path", ["serial", "parallel"])
def test_gibbs_is_gibbs_reference_bit_for_bit(path, monkeypatch):
    # the fast kernels against the sweep written out unit by unit: same seed, same streams, the
    # same states, with clamped units and at temperatures other than 1, on either kernel
    used = []
    for name in ("_gibbs_serial", "_gibbs_parallel"):
        kernel = getattr(_kernels, name)
        monkeypatch.setattr(
            _kernels, name, lambda *args, kernel=kernel, name=name: used.append(name) or kernel(*args)
        )
    monkeypatch.setattr(_kernels, "PARALLEL_WORK", 0 if path == "parallel" else np.inf)
    W, theta = _random_machine(12, seed=6)
    start = _random_states(16, 12, 7)
    for T, clamped, seed in [(1.0, None, 1), (0.6, np.arange(12) % 3 == 0, 2), (2.5, np.arange(12) < 5, 3)]:
        fast = bm.gibbs(start, W, theta, T, 15, seed=seed, clamped=clamped)
        reference = bm.gibbs_reference(start, W, theta, T, 15, seed=seed, clamped=clamped)
        assert np.array_equal(fast, reference), (T, seed)
        assert not np.array_equal(fast, start)
    assert used == [f"_gibbs_{path}"] * 3
    one = bm.gibbs_reference(start[0], W, theta, 1.3, 4, seed=5)
    assert one.shape == (12,) and np.array_equal(one, bm.gibbs(start[0], W, theta, 1.3, 4, seed=5))


def test_gibbs_samples_and_anneal_run_the_reference_chain():
    W, theta = _random_machine(10, seed=8)
    start = _random_states(9, 10, 9)
    clamped = np.arange(10) >= 7
    samples = bm.gibbs_samples(start, W, theta, 0.8, n_samples=4, seed=4, clamped=clamped, burn_in=5, thin=3)
    for k in range(4):  # sample k is the state after burn_in + (k + 1) thin sweeps
        reference = bm.gibbs_reference(start, W, theta, 0.8, 5 + 3 * (k + 1), seed=4, clamped=clamped)
        assert np.array_equal(samples[:, k], reference)
    # annealing through one temperature is Gibbs sampling at it; a random start is drawn from the seed
    assert np.array_equal(
        bm.anneal(W, theta, [(0.8, 6)], seed=4, s=start), bm.gibbs(start, W, theta, 0.8, 6, seed=4)
    )
    random_start = bm.anneal(W, theta, seed=11)
    assert random_start.shape == (10,) and np.array_equal(random_start, bm.anneal(W, theta, seed=11))


def test_sampled_statistics_agree_with_exact_ones_within_error_bars():
    W, theta = _random_machine(8, seed=3)
    patterns = np.array([[1, 0, 1, 0, 1], [0, 1, 1, 0, 0]])
    for data in (None, patterns):
        _, exact_pairwise = bm.statistics(W, theta, data)
        runs = np.array(
            [
                bm.statistics(W, theta, data, method="sample", n_chains=50, n_sweeps=200, seed=s)[1]
                for s in range(8)
            ]
        )
        # error bar from 8 independent replicates (its own spread), 5 standard errors
        error = runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
        deviation = np.abs(runs.mean(axis=0) - exact_pairwise)
        assert np.all(deviation <= 5 * error + 1e-12), deviation.max()
        assert error.max() < 0.01  # the test has teeth: errors are small
    _, clamped = bm.statistics(W, theta, patterns)
    np.testing.assert_allclose(clamped[:5, :5], patterns.T @ patterns / 2)


def _spin_glass(n, seed):
    """A Sherrington-Kirkpatrick spin glass written for {0, 1} units (W = 4J, theta = -2 J 1)."""
    rng = np.random.default_rng(seed)
    J = np.triu(rng.normal(0.0, 1.0 / np.sqrt(n), size=(n, n)), 1)
    J = J + J.T
    return 4 * J, -2 * J.sum(axis=1)


def test_annealing_reaches_equilibrium_and_beats_greedy_descent():
    W, theta = _spin_glass(16, seed=0)
    energies = bm.energy(exact.states_by_code(16), W, theta)
    ground = np.isclose(energies, energies.min())
    start = _random_states(200, 16, 2)
    # slow cooling to T = 0.3 ends in the Boltzmann distribution there: P(ground) is exact
    annealed = bm.anneal(W, theta, [(T, 20) for T in np.geomspace(3.0, 0.3, 100)], seed=1, s=start)
    p_ground = exact.distribution(W, theta, 0.3)[ground].sum()  # 0.434
    found = np.mean(np.isclose(bm.energy(annealed, W, theta), energies.min()))
    assert abs(found - p_ground) < 5 * np.sqrt(p_ground * (1 - p_ground) / 200)  # 5 binomial sd
    # cooling further finds the ground state several times as often as T = 0 descent does
    colder = bm.anneal(W, theta, [(T, 20) for T in np.geomspace(0.3, 0.05, 50)], seed=2, s=annealed)
    descended, _ = bm.hopfield_recall(start, W, theta, seed=1)
    by_annealing = np.mean(np.isclose(bm.energy(colder, W, theta), energies.min()))
    by_descent = np.mean(np.isclose(bm.energy(descended, W, theta), energies.min()))
    assert by_annealing > 2 * by_descent + 0.1, (by_annealing, by_descent)


# --- learning ------------------------------------------------------------------------------


def test_exact_kl_gradient_equals_a_central_finite_difference():
    W, theta = _random_machine(7, scale=0.7, seed=4)
    patterns = np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 0]])
    grad_W, grad_theta = bm.kl_gradient(W, theta, patterns, T=1.3)
    h = 1e-5  # truncation error ~h^2 = 1e-10, rounding ~1e-16 / h = 1e-11
    for i, j in itertools.combinations(range(7), 2):
        plus, minus = W.copy(), W.copy()
        plus[i, j] = plus[j, i] = W[i, j] + h
        minus[i, j] = minus[j, i] = W[i, j] - h
        numeric = (
            bm.kl_from_data(plus, theta, patterns, 1.3) - bm.kl_from_data(minus, theta, patterns, 1.3)
        ) / (2 * h)
        assert abs(grad_W[i, j] - numeric) < 1e-6
    for i in range(7):
        step = np.zeros(7)
        step[i] = h
        numeric = (
            bm.kl_from_data(W, theta + step, patterns, 1.3) - bm.kl_from_data(W, theta - step, patterns, 1.3)
        ) / (2 * h)
        assert abs(grad_theta[i] - numeric) < 1e-6
    assert np.array_equal(grad_W, grad_W.T) and np.all(np.diag(grad_W) == 0)


def test_learning_without_hidden_units_lowers_the_kl_to_the_data():
    rng = np.random.default_rng(0)
    prototypes = np.array([[1, 1, 1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]], dtype=float)
    patterns = prototypes[rng.integers(0, 2, 60)]
    patterns = np.where(rng.random(patterns.shape) < 0.1, 1 - patterns, patterns)
    machine = bm.BoltzmannMachine(10, 0, seed=1).fit(patterns, 300, 0.1)
    kl = np.array(machine.kl_history_)
    assert len(kl) == 301 and kl[-1] < 0.5 * kl[0]
    assert np.all(np.diff(kl) <= 1e-12), "gradient descent with a small step never raises the KL"
    assert machine.kl_from_data(patterns) == pytest.approx(kl[-1])
    # samples from the trained machine have the data's pixel frequencies (5 binomial sd)
    samples = machine.sample(4000, seed=2)
    mean, _ = exact.moments(machine.W_, machine.theta_)
    assert np.all(np.abs(samples.mean(axis=0) - mean) < 5 * np.sqrt(mean * (1 - mean) / 4000))


def _encoder_solved(machine):
    """With V1 clamped to e_i: the most probable output V2 is e_i, and the most probable hidden
    codes of the four inputs are all different (exact, over the 64 states of V2 and H)."""
    W, theta = machine.W_, machine.theta_
    codes = set()
    for i in range(4):
        p = exact.distribution(W[4:, 4:], theta[4:] + W[4:, :4] @ np.eye(4)[i]).reshape(4, 16)
        if np.argmax(p.sum(axis=0)) != 2**i:
            return False
        codes.add(int(np.argmax(p.sum(axis=1))))
    return len(codes) == 4


ENCODER_SCHEDULE = ((2.0, 2), (1.5, 2), (1.2, 2), (1.0, 4))  # the 1985 schedule with T / 10


def test_the_4_2_4_encoder_is_solved_in_at_least_90_percent_of_seeds():
    # the 1985 recipe: annealed sampled phases, noisy clamping, fixed-size (sign) steps
    patterns = datasets.encoder_patterns(4)
    cycles = []
    for seed in range(20):
        machine = bm.BoltzmannMachine(8, 2, connectivity=bm.encoder_connectivity(4, 2), seed=seed)
        machine.fit(
            patterns,
            2000,
            0.2,
            method="sample",
            step="sign",
            noise=(0.15, 0.05),
            n_chains=2,
            n_sweeps=10,
            schedule=ENCODER_SCHEDULE,
            stop=lambda m: m.n_cycles_ % 5 == 0 and _encoder_solved(m),
        )
        if _encoder_solved(machine):
            cycles.append(machine.n_cycles_)
    assert len(cycles) >= 18, f"solved {len(cycles)} of 20 (cycles {cycles})"


def test_sampled_learning_moves_the_weights_like_the_exact_gradient():
    patterns = datasets.encoder_patterns(2)
    exact_machine = bm.BoltzmannMachine(4, 1, seed=3)
    sampled_machine = bm.BoltzmannMachine(4, 1, seed=3)
    exact_machine.fit(patterns, 1, 0.5)
    sampled_machine.fit(patterns, 1, 0.5, method="sample", n_chains=2000, n_sweeps=20, seed=1)
    # 2000 x 20 correlated samples: sampling error of each statistic below 0.01, times eta = 0.5
    np.testing.assert_allclose(sampled_machine.W_, exact_machine.W_, atol=0.02)


def test_bad_input_is_refused_with_the_parameter_named():
    W, theta = _random_machine(4)
    s = np.zeros(4)
    cases = [
        (lambda: bm.energy(s, W + np.triu(np.ones((4, 4)), 1), theta), ValueError, "W must be symmetric"),
        (lambda: bm.gibbs(s, W + np.eye(4), theta), ValueError, "W must have a zero diagonal"),
        (lambda: bm.gibbs([0, 1, 2, 0], W, theta), ValueError, "s must hold only 0 and 1"),
        (lambda: bm.gibbs(np.zeros(5), W, theta), ValueError, r"s must have shape \(4,\)"),
        (lambda: bm.gibbs(s, W, theta, T=0.0), ValueError, "T must be > 0"),
        (lambda: bm.gibbs(s, W, theta, T=-2.0), ValueError, "T must be > 0"),
        (lambda: bm.gibbs(s, W, theta[:3]), ValueError, "theta has 3 entries"),
        (lambda: bm.gibbs(s, W, theta, clamped=[True, False]), ValueError, "clamped must be a boolean array"),
        (lambda: bm.gibbs(s, W, theta, n_sweeps=1.5), TypeError, "n_sweeps must be an integer"),
        (lambda: bm.gibbs(s, W, theta, seed="x"), TypeError, "seed must be"),
        (lambda: bm.anneal(W, theta, [(0.0, 2)], s=s), ValueError, "schedule temperature must be > 0"),
        (lambda: bm.anneal(W, theta, [3.0], s=s), TypeError, "schedule must be a sequence"),
        (lambda: bm.anneal(W, theta, clamped=np.ones(4, bool)), ValueError, "clamped needs s"),
        (lambda: bm.gibbs_reference(s, W, theta, T=0.0), ValueError, "T must be > 0"),
        (lambda: bm.statistics(W, theta, [[0, 3]]), ValueError, "patterns must hold only 0 and 1"),
        (lambda: bm.statistics(W, theta, method="guess"), ValueError, "method must be"),
        (lambda: bm.BoltzmannMachine(3, 1).fit(np.zeros((0, 3))), ValueError, "patterns must not be empty"),
        (lambda: bm.BoltzmannMachine(3, 1).fit(np.zeros((2, 2))), ValueError, "patterns must have 3 columns"),
        (lambda: bm.BoltzmannMachine(3, 1).fit([[0, 1, 0.5]]), ValueError, "patterns must hold only 0 and 1"),
        (lambda: bm.BoltzmannMachine(3, 1, T=0), ValueError, "T must be > 0"),
        (lambda: bm.BoltzmannMachine(3, 1, connectivity=np.ones((3, 3), bool)), ValueError, "connectivity"),
        (lambda: bm.hopfield_weights(np.zeros((0, 4))), ValueError, "patterns must not be empty"),
        (lambda: bm.hopfield_weights([[0, 1, -1]]), ValueError, "patterns must hold only 0 and 1"),
        (lambda: bm.hopfield_recall([0, 1, 1], W, theta), ValueError, r"s must have shape \(4,\)"),
        (lambda: bm.kl_gradient(W, theta, [[0, 1, 1, 0, 1]]), ValueError, "between 1 and 4 columns"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()


def test_boltzmann_machine_methods_check_what_fit_checks():
    # #17 item 7: kl_from_data took 4 columns as 4 visible units of a 3-visible machine, sample
    # ran 0 sweeps, and fit(method="exact") never looked at its seed
    machine = bm.BoltzmannMachine(3, 1, seed=0)
    with pytest.raises(ValueError, match="patterns must have 3 columns"):
        machine.kl_from_data([[0, 1, 1, 0]])
    with pytest.raises(ValueError, match="n_sweeps must be >= 1"):
        machine.sample(5, n_sweeps=0)
    for seed, error in [("abc", TypeError), (np.nan, TypeError), (-1, ValueError), (2.5, TypeError)]:
        with pytest.raises(error, match="seed must be"):
            machine.fit([[0, 1, 1]], 1, method="exact", seed=seed)
    with pytest.raises(ValueError, match="n_chains and n_sweeps must be >= 1"):
        machine.fit([[0, 1, 1]], 1, method="exact", n_chains=0)
    assert machine.n_cycles_ == 0 and machine.kl_from_data([[0, 1, 1]]) > 0


@pytest.mark.parametrize("huge", [2**63, 2**70])
def test_counts_beyond_10_to_the_12_are_refused_by_name(huge):
    # #17 item 12: 2**63 wrapped around in 64-bit arithmetic, so statistics(method="sample",
    # n_sweeps=2**63) ran 0 sweeps and divided by zero; every count of bm and exact is bounded
    W, theta = _random_machine(3)
    s, patterns = np.zeros(3), [[1, 0]]
    machine = bm.BoltzmannMachine(2, 1, seed=0)
    calls = {
        "n_sweeps": [
            lambda n: bm.statistics(W, theta, method="sample", n_sweeps=n),
            lambda n: bm.gibbs(s, W, theta, n_sweeps=n),
            lambda n: bm.gibbs_reference(s, W, theta, n_sweeps=n),
            lambda n: machine.sample(1, n),
            lambda n: machine.fit(patterns, 1, method="sample", n_sweeps=n),
        ],
        "n_chains": [
            lambda n: bm.statistics(W, theta, method="sample", n_chains=n),
            lambda n: machine.fit(patterns, 1, method="sample", n_chains=n),
        ],
        "burn_in": [
            lambda n: bm.statistics(W, theta, method="sample", burn_in=n),
            lambda n: bm.gibbs_samples(s, W, theta, burn_in=n),
        ],
        "n_samples": [lambda n: bm.gibbs_samples(s, W, theta, n_samples=n), lambda n: machine.sample(n)],
        "thin": [lambda n: bm.gibbs_samples(s, W, theta, thin=n)],
        "max_sweeps": [lambda n: bm.hopfield_recall(s, W, theta, max_sweeps=n)],
        "schedule n_sweeps": [
            lambda n: bm.anneal(W, theta, [(1.0, n)]),
            lambda n: machine.fit(patterns, 1, method="sample", schedule=[(1.0, n)]),
        ],
        "n_cycles": [lambda n: machine.fit(patterns, n)],
        "n_visible": [lambda n: bm.BoltzmannMachine(n), lambda n: exact.marginal(W, theta, n)],
        "n_hidden": [lambda n: bm.BoltzmannMachine(2, n), lambda n: bm.encoder_connectivity(2, n)],
        "n_group": [lambda n: bm.encoder_connectivity(n, 2)],
        "n": [exact.binary_states, exact.states_by_code],
    }
    for name, functions in calls.items():
        for call in functions:
            with pytest.raises(ValueError, match=f"{name} must be at most 1_000_000_000_000"):
                call(huge)
    assert machine.n_cycles_ == 0


def test_bools_are_not_numbers_flags_are_bools_and_unused_settings_are_checked():
    # #17 item 14: T=True and learning_rate=True became 1.0, flags took NaN or strings, and
    # statistics(method="exact") never looked at its sampling settings or seed
    W, theta = _random_machine(3)
    s, patterns = np.zeros(3), [[1, 0]]
    machine = bm.BoltzmannMachine(2, 1, seed=0)
    calls = {
        "T": [
            lambda v: bm.gibbs(s, W, theta, T=v),
            lambda v: bm.gibbs_reference(s, W, theta, T=v),
            lambda v: bm.gibbs_samples(s, W, theta, T=v),
            lambda v: bm.statistics(W, theta, T=v),
            lambda v: bm.kl_from_data(W, theta, patterns, T=v),
            lambda v: bm.kl_gradient(W, theta, patterns, T=v),
            lambda v: bm.BoltzmannMachine(2, T=v),
            lambda v: exact.moments(W, theta, v),
            lambda v: exact.log_partition(W, theta, v),
        ],
        "schedule temperature": [
            lambda v: bm.anneal(W, theta, [(v, 2)]),
            lambda v: machine.fit(patterns, 1, method="sample", schedule=[(v, 2)]),
        ],
        "learning_rate": [lambda v: machine.fit(patterns, 1, v)],
        "weight_decay": [lambda v: machine.fit(patterns, 1, weight_decay=v)],
        "momentum": [lambda v: machine.fit(patterns, 1, momentum=v)],
        "noise": [
            lambda v: machine.fit(patterns, 1, noise=(v, 0.0)),
            lambda v: machine.fit(patterns, 1, noise=[v, v]),
        ],
        "init_scale": [lambda v: bm.BoltzmannMachine(2, init_scale=v)],
        "theta": [lambda v: bm.energy(s, W, v)],
        "n_sweeps": [
            lambda v: bm.gibbs(s, W, theta, n_sweeps=v),
            lambda v: bm.statistics(W, theta, n_sweeps=v),
        ],
        "n_chains": [
            lambda v: bm.statistics(W, theta, n_chains=v),
            lambda v: machine.fit(patterns, 1, n_chains=v),
        ],
        "max_sweeps": [lambda v: bm.hopfield_recall(s, W, theta, max_sweeps=v)],
        "n_visible": [lambda v: exact.marginal(W, theta, v)],
        "seed": [lambda v: bm.statistics(W, theta, seed=v), lambda v: machine.fit(patterns, 1, seed=v)],
    }
    for name, functions in calls.items():
        for call in functions:
            for value in (True, False, np.True_):
                with pytest.raises(TypeError, match=f"{name} must be|{name} must hold numbers"):
                    call(value)
    for value in (np.nan, "yes", 1, None):
        with pytest.raises(TypeError, match="verbose must be True or False"):
            machine.fit(patterns, 1, verbose=value)
    with pytest.raises(TypeError, match="stop must be a function"):
        machine.fit(patterns, 1, stop=True)
    with pytest.raises(TypeError, match="schedule temperature must be"):
        bm.anneal(W, theta, [("2", 2)])
    with pytest.raises(ValueError, match="weight_decay must be a single number"):
        machine.fit(patterns, 1, weight_decay=[0.1, 0.2])
    for name in ("n_chains", "n_sweeps", "burn_in"):  # checked although method="exact" does not use them
        with pytest.raises(TypeError, match=f"{name} must be an integer"):
            bm.statistics(W, theta, **{name: "abc"})
    with pytest.raises(ValueError, match="seed must be >= 0"):
        bm.statistics(W, theta, seed=-1)
    assert machine.n_cycles_ == 0


def test_temperatures_beyond_the_bounds_are_refused_and_the_bounds_give_finite_results():
    # #17 item 15: statistics at T below about 5.6e-309 (1/T = inf) returned all NaN without a word
    W, theta = _random_machine(5, seed=2)
    calls = [
        lambda T: bm.statistics(W, theta, T=T),
        lambda T: bm.statistics(W, theta, T=T, method="sample"),
        lambda T: bm.gibbs(np.zeros(5), W, theta, T=T),
        lambda T: bm.anneal(W, theta, [(T, 1)]),
        lambda T: bm.BoltzmannMachine(2, T=T),
    ]
    for T in (5e-309, 1e-301, 1e151):
        for call in calls:
            with pytest.raises(ValueError, match=r"(T|temperature) must be between 1e-300 and 1e\+150"):
                call(T)
    for T in (1e-300, 1e150):
        _, exact_pairwise = bm.statistics(W, theta, T=T)
        _, sampled = bm.statistics(W, theta, T=T, method="sample", n_chains=4, n_sweeps=5, burn_in=5, seed=0)
        assert np.all(np.isfinite(exact_pairwise)) and np.all(np.isfinite(sampled))
    # Delta E / T beyond the largest float: p_on is exactly 0 or 1, without an overflow warning
    start = _random_states(4, 5, 1)
    fast = bm.gibbs(start, 1e200 * W, 1e200 * theta, 1e-150, 3, seed=1)
    assert np.array_equal(bm.gibbs_reference(start, 1e200 * W, 1e200 * theta, 1e-150, 3, seed=1), fast)


def test_learning_that_diverges_stops_with_an_error_naming_the_learning_rate():
    # #17 item 15: at learning rate 100 the KL went 0.7 -> 12 -> 4992 without a word
    parity = np.array([v for v in itertools.product([0.0, 1.0], repeat=3) if sum(v) % 2 == 0])
    machine = bm.BoltzmannMachine(3, 1, init_scale=1.0, seed=1)
    with pytest.raises(ValueError, match=r"cycle 1: one cycle raised the KL .* learning_rate \(it is 100\)"):
        machine.fit(parity, 10, 100.0)
    assert machine.n_cycles_ == 1 and len(machine.kl_history_) == 2  # kept for inspection
    # beyond 20 units there is no exact KL: the energy gaps tell
    patterns = _random_states(4, 21, 0)
    with pytest.raises(ValueError, match=r"an energy gap can reach .* beyond 745 T.* lower learning_rate"):
        bm.BoltzmannMachine(21, seed=0).fit(patterns, 5, 1000.0, method="sample", n_chains=1, n_sweeps=1)
    # a step that overflows, even a sign step, and a weight decay that grows the weights
    machine = bm.BoltzmannMachine(3, 1, seed=1)
    with pytest.raises(ValueError, match="outgrew float arithmetic .* lower learning_rate"):
        machine.fit(parity, 3, 1e308, step="sign")
    with pytest.raises(ValueError, match="W and theta are too large"):
        machine.sample(1)  # not samples from a machine beyond float arithmetic
    with pytest.raises(ValueError, match="lower learning_rate .* or weight_decay"):
        bm.BoltzmannMachine(3, 1, seed=1).fit(parity, 100, 1.0, weight_decay=3.0)
    with pytest.raises(ValueError, match="init_scale must be between 0 and 1e288"):
        bm.BoltzmannMachine(3, 1, init_scale=1e300)


# --- Hopfield networks ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_hopfield_recall_never_raises_the_energy_and_ends_in_a_fixed_point(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    W, theta = _random_machine(n, scale=float(rng.uniform(0.1, 3)), seed=seed)
    start = _random_states(20, n, seed)
    final, energies = bm.hopfield_recall(start, W, theta, max_sweeps=200, seed=seed)
    assert np.all(np.diff(energies, axis=1) <= 1e-9 * (1 + np.abs(energies[:, 1:])))
    np.testing.assert_allclose(energies[:, -1], bm.energy(final, W, theta), atol=1e-9)
    np.testing.assert_allclose(energies[:, 0], bm.energy(start, W, theta), atol=1e-12)
    gaps = bm.delta_energy(final, W, theta)
    assert np.all((gaps <= 0) | (final == 1)) and np.all((gaps >= 0) | (final == 0)), "not a fixed point"


def test_hopfield_recall_allocates_what_it_returns_not_max_sweeps():
    # #17 item 4: the energies array was allocated for max_sweeps (and its tail filled), and the
    # returned slice kept all of it alive: 20 MB here for a 24 kB result, 1.6 GB at 200 x 100
    W, theta = _random_machine(25, seed=3)
    start = _random_states(20, 25, 4)
    short = bm.hopfield_recall(start, W, theta, max_sweeps=100, seed=5)
    tracemalloc.start()
    try:
        final, energies = bm.hopfield_recall(start, W, theta, max_sweeps=5000, seed=5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(final, short[0]) and np.array_equal(energies, short[1])
    assert peak < 4 * energies.nbytes + 100_000, (peak, energies.nbytes)
    assert energies.base is None, "the result must not be a view of a larger buffer"


def test_hebbian_weights_store_patterns_and_match_the_spin_energy():
    rng = np.random.default_rng(0)
    patterns = (rng.random((3, 60)) < 0.5).astype(float)
    W, theta = bm.hopfield_weights(patterns)
    assert np.array_equal(W, W.T) and np.all(np.diag(W) == 0)
    # {0,1} energy = spin energy -1/2 x^T J x + a constant
    spins = 2 * patterns - 1
    J = spins.T @ spins / 60
    np.fill_diagonal(J, 0)
    states = (rng.random((5, 60)) < 0.5).astype(float)
    x = 2 * states - 1
    difference = bm.energy(states, W, theta) + 0.5 * np.einsum("si,ij,sj->s", x, J, x)
    np.testing.assert_allclose(difference, difference[0], atol=1e-9)
    # 3 patterns in 60 units (load 0.05): each is a fixed point and is recalled with 10 % of bits flipped
    corrupted = np.where(rng.random((3, 60)) < 0.1, 1 - patterns, patterns)
    recalled, _ = bm.hopfield_recall(corrupted, W, theta, seed=1)
    assert np.array_equal(recalled, patterns)


def test_noisy_clamping_presents_each_unit_flipped_with_the_stated_probabilities():
    states, probability = learning._noisy_distribution(np.array([[1.0, 0.0]]), (0.15, 0.05))
    by_state = {tuple(s): p for s, p in zip(states.astype(int).tolist(), probability, strict=True)}
    assert by_state[(1, 0)] == pytest.approx(0.85 * 0.95)
    assert by_state[(0, 0)] == pytest.approx(0.15 * 0.95)
    assert by_state[(1, 1)] == pytest.approx(0.85 * 0.05)
    assert by_state[(0, 1)] == pytest.approx(0.15 * 0.05)


def test_weight_decay_keeps_weights_smaller_and_connectivity_keeps_missing_weights_at_zero():
    patterns = datasets.encoder_patterns(2)
    mask = bm.encoder_connectivity(2, 1)
    free = bm.BoltzmannMachine(4, 1, connectivity=mask, seed=0).fit(patterns, 200, 1.0)
    decayed = bm.BoltzmannMachine(4, 1, connectivity=mask, seed=0).fit(patterns, 200, 1.0, weight_decay=0.1)
    assert np.abs(decayed.W_).sum() < np.abs(free.W_).sum()
    assert np.all(free.W_[~mask] == 0) and np.all(decayed.W_[~mask] == 0)
    assert free.kl_history_[-1] < decayed.kl_history_[-1]  # decay trades fit for smaller weights
