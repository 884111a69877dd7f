"""bmlib.datasets.ising_samples and friends: Ising configurations as RBM data.

Statistical checks use fixed seeds and tolerances from computed error bars (5 standard errors),
never stored numbers, so they hold whatever random streams bmlib.ising uses.
"""

import math

import numpy as np
import pytest

from bmlib import datasets, ising, stats

# ---------------------------------------------------------------------------------------
# the +-1 <-> {0, 1} mapping


def test_spins_to_visible_maps_up_to_on_row_by_row():
    spins = np.array([[1, -1, -1], [-1, -1, 1], [1, 1, -1]], dtype=np.int8)
    visible = datasets.spins_to_visible(spins)
    np.testing.assert_array_equal(visible, [1, 0, 0, 0, 0, 1, 1, 1, 0])
    assert visible.dtype == np.float64
    np.testing.assert_array_equal(datasets.visible_to_spins(visible), spins)
    assert datasets.visible_to_spins(visible).dtype == np.int8


def test_mapping_round_trips_on_a_batch_and_leaves_input_alone():
    spins = (2 * np.random.default_rng(0).integers(0, 2, size=(5, 4, 4)) - 1).astype(np.int64)
    before = spins.copy()
    visible = datasets.spins_to_visible(spins)
    assert visible.shape == (5, 16)
    np.testing.assert_array_equal(visible, (spins.reshape(5, 16) + 1) / 2)
    np.testing.assert_array_equal(datasets.visible_to_spins(visible), spins)
    np.testing.assert_array_equal(datasets.visible_to_spins(visible, L=4), spins)
    np.testing.assert_array_equal(spins, before)


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (np.zeros((3, 3)), ValueError, "only -1 and \\+1"),
        (np.ones((2, 3)), ValueError, "shape"),
        (np.ones(4), ValueError, "shape"),
        ("spins", TypeError, "spins must be"),
        # #17 item 11: complex spins were taken, with only a ComplexWarning (an error under pytest)
        (np.ones((3, 3), dtype=complex), TypeError, "spins must hold real numbers"),
        (np.ones((3, 3), dtype="m8[s]"), TypeError, "spins must hold real numbers"),
    ],
)
def test_spins_to_visible_rejects_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        datasets.spins_to_visible(bad)


def test_visible_to_spins_rejects_bad_input():
    with pytest.raises(ValueError, match="only 0 and 1"):
        datasets.visible_to_spins(np.full(16, 0.5))
    with pytest.raises(ValueError, match="L \\* L columns"):
        datasets.visible_to_spins(np.zeros(15))
    with pytest.raises(ValueError, match="L = 3"):
        datasets.visible_to_spins(np.zeros(16), L=3)
    with pytest.raises(TypeError, match="L must be an integer"):
        datasets.visible_to_spins(np.zeros(16), L=4.0)


# ---------------------------------------------------------------------------------------
# ising_samples


@pytest.fixture(scope="module")
def near_critical():
    """The slowest case for Metropolis on 8 x 8: T close to T_C."""
    return datasets.ising_samples(8, 2.3, 1500, seed=11)


def test_samples_are_consistent_0_1_vectors_of_spins(near_critical):
    samples = near_critical
    assert len(samples) == 1500 and samples.visible.shape == (1500, 64)
    assert samples.visible.dtype == np.float64
    assert set(np.unique(samples.visible)) == {0.0, 1.0}
    spins = samples.spins
    assert spins.shape == (1500, 8, 8) and spins.dtype == np.int8
    np.testing.assert_array_equal(samples.visible, datasets.spins_to_visible(spins))
    np.testing.assert_array_equal(2 * samples.visible.reshape(-1, 8, 8) - 1, spins)
    assert (samples.L, samples.T, samples.algorithm, samples.sign) == (8, 2.3, "metropolis", "random")


def test_spacing_follows_the_measured_autocorrelation_time(near_critical):
    samples = near_critical
    assert samples.tau_int >= 0.5
    assert samples.n_pilot >= 500 * samples.tau_int
    assert samples.spacing == max(1, math.ceil(datasets.SPACING_FACTOR * samples.tau_int))
    assert samples.spacing > 1  # near T_C one sweep is not enough


def test_consecutive_samples_are_decorrelated(near_critical):
    # The docstring's bound: rho(spacing) ~ exp(-5) for an exponential decay. With n samples the
    # lag-1 estimate has a standard error of about 1 / sqrt(n) = 0.026, so 0.13 is 5 of them.
    spins = near_critical.spins.astype(np.int64)
    energies = -(spins * (np.roll(spins, -1, 1) + np.roll(spins, -1, 2))).sum(axis=(1, 2))
    abs_m = np.abs(spins.sum(axis=(1, 2)))
    bound = 5 / np.sqrt(len(spins))
    for series in (energies, abs_m):
        assert abs(stats.autocorrelation(series, max_lag=3)[1]) < bound
        assert stats.integrated_autocorrelation_time(series) < 0.5 + bound


def test_same_seed_same_samples_in_this_and_another_process(digests):
    first = datasets.ising_samples(6, 2.0, 50, seed=3)
    again = datasets.ising_samples(6, 2.0, 50, seed=3)
    np.testing.assert_array_equal(first.visible, again.visible)
    assert (first.spacing, first.tau_int) == (again.spacing, again.tau_int)
    other_seed = datasets.ising_samples(6, 2.0, 50, seed=4)
    assert not np.array_equal(first.visible, other_seed.visible)
    other = digests.in_fresh_process(
        "from bmlib import datasets\nresult = (datasets.ising_samples(6, 2.0, 50, seed=3).visible,)"
    )
    assert other == digests.of(first.visible)


def test_wolff_samples_are_reproducible_and_valid():
    first = datasets.ising_samples(6, 2.3, 40, seed=5, algorithm="wolff")
    np.testing.assert_array_equal(
        first.visible, datasets.ising_samples(6, 2.3, 40, seed=5, algorithm="wolff").visible
    )
    assert first.visible.shape == (40, 36) and set(np.unique(first.visible)) <= {0.0, 1.0}
    assert first.algorithm == "wolff" and first.spacing >= 1


def test_sign_choices_below_the_transition():
    n = 400
    magnetizations = {
        sign: datasets.ising_samples(6, 1.5, n, seed=2, sign=sign).spins.sum(axis=(1, 2))
        for sign in ("random", "positive", "chain")
    }
    # random: each sign with probability 1/2 (binomial standard error sqrt(n) / 2)
    assert abs(np.sum(magnetizations["random"] > 0) - n / 2) < 5 * np.sqrt(n) / 2
    assert np.all(magnetizations["positive"] >= 0)
    # the chain starts all up and cannot cross to M < 0 at T = 1.5
    assert np.all(magnetizations["chain"] > 0)
    # |M| is the same quantity whatever the sign choice
    assert (
        abs(np.abs(magnetizations["random"]).mean() - np.abs(magnetizations["positive"]).mean()) < 0.05 * 36
    )


def test_observables_of_samples_match_exact_enumeration():
    T = 2.5
    samples = datasets.ising_samples(4, T, 2000, seed=8)
    measured = datasets.ising_observables(samples.spins, T)
    exact = ising.exact_observables(4, T)
    for name in ("energy", "abs_magnetization", "specific_heat", "susceptibility"):
        error = measured[name + "_err"]
        assert error > 0
        assert abs(measured[name] - exact[name]) < 5 * error, (name, measured[name], exact[name], error)


def test_observables_use_the_ising_energy_and_magnetization():
    spins = datasets.ising_samples(5, 3.0, 64, seed=1).spins
    T = 3.0
    energies = np.array([ising.energy(s) for s in spins]) / 25
    abs_m = np.array([abs(ising.magnetization(s)) for s in spins]) / 25
    measured = datasets.ising_observables(spins, T)
    assert measured["energy"] == pytest.approx(energies.mean(), abs=1e-12)
    assert measured["abs_magnetization"] == pytest.approx(abs_m.mean(), abs=1e-12)
    assert measured["specific_heat"] == pytest.approx(25 * energies.var() / T**2, rel=1e-12)
    m = abs_m * 25
    assert measured["susceptibility"] == pytest.approx((np.mean(m**2) - m.mean() ** 2) / (25 * T), rel=1e-12)
    assert measured["n_samples"] == 64


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"L": 1}, ValueError, "L must be >= 2"),
        ({"L": 8.0}, TypeError, "L must be an integer"),
        ({"T": 0.0}, ValueError, "T must be > 0"),
        ({"T": -1.0}, ValueError, "T must be > 0"),
        ({"T": float("nan")}, ValueError, "T must be finite"),
        ({"n_samples": 0}, ValueError, "n_samples must be >= 1"),
        ({"n_samples": 2.5}, TypeError, "n_samples must be an integer"),
        ({"algorithm": "heat-bath"}, ValueError, "algorithm must be"),
        ({"algorithm": None}, TypeError, "algorithm must be"),
        ({"sign": "up"}, ValueError, "sign must be"),
        ({"spacing": 0}, ValueError, "spacing must be >= 1"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
    ],
)
def test_ising_samples_rejects_bad_input(kwargs, error, match):
    arguments = {"L": 4, "T": 2.0, "n_samples": 10, "seed": 0} | kwargs
    with pytest.raises(error, match=match):
        datasets.ising_samples(**arguments)


def test_ising_observables_rejects_too_few_or_bad_lattices():
    with pytest.raises(ValueError, match="at least 64"):
        datasets.ising_observables(np.ones((10, 4, 4)), 2.0)
    with pytest.raises(ValueError, match="at least 64"):
        datasets.ising_observables(np.ones((4, 4)), 2.0)
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        datasets.ising_observables(np.zeros((64, 4, 4)), 2.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        datasets.ising_observables(np.ones((64, 4, 4)), 0.0)
    with pytest.raises(TypeError, match="spins must hold real numbers"):  # #17 item 11
        datasets.ising_observables(np.ones((64, 4, 4), dtype=np.complex64), 2.0)
    with pytest.raises(TypeError, match="bool"):  # #17 item 14
        datasets.ising_observables(np.ones((64, 4, 4)), True)


def test_spin_mappings_take_read_only_and_bool_arrays():
    spins = np.broadcast_to(np.int8(-1), (64, 4, 4))  # read-only
    np.testing.assert_array_equal(datasets.spins_to_visible(spins), np.zeros((64, 16)))
    assert datasets.ising_observables(spins, 2.0)["abs_magnetization"] == 1.0
    visible = np.broadcast_to(np.ones(16, dtype=bool), (3, 16))  # a bool array is 0/1 data
    np.testing.assert_array_equal(datasets.visible_to_spins(visible), np.ones((3, 4, 4), dtype=np.int8))


@pytest.mark.parametrize("T", [1e-150, 1e150])
def test_ising_samples_at_the_temperature_bounds(T):
    # #17 item 15: at the ends of the accepted range, finite numbers and no RuntimeWarning
    samples = datasets.ising_samples(4, T, 8, seed=0)
    assert np.isfinite(samples.tau_int) and samples.spacing >= 1
    measured = datasets.ising_observables(np.repeat(samples.spins, 8, axis=0), T)
    assert all(np.isfinite(value) for value in measured.values()), measured


def test_ising_observables_of_fluctuating_lattices_at_the_lowest_temperature():
    spins = 2 * np.random.default_rng(0).integers(0, 2, size=(64, 4, 4)) - 1
    # stats.jackknife squared deviations of ~1e300 (the specific heat at T = 1e-150): inf error
    measured = datasets.ising_observables(spins, 1e-150)
    assert all(np.isfinite(value) for value in measured.values()), measured
    # at T = 1e-300 var(E) / (N T^2) itself is beyond the largest float: refused, not inf
    with pytest.raises(ValueError, match="specific heat of these series is beyond the largest float"):
        datasets.ising_observables(spins, 1e-300)
