"""bmlib.ising against exact enumeration, Onsager's and Yang's solutions, and brute force.

Statistical tests use fixed seeds and tolerances of 4 standard errors, the errors from
blocking (which accounts for autocorrelation); deterministic ones are exact.
"""

import itertools
import math

import numba
import numpy as np
import pytest
from scipy import stats as scipy_stats

from bmlib import datasets, exact, ising, stats
from bmlib import rng as bmlib_rng
from bmlib.ising import _multispin, lattice
from bmlib.ising.metropolis import _reference_sweeps

# ---------------------------------------------------------------------------------------
# lattices and energies


def brute_energy(spins, J=1.0, h=0.0):
    L = spins.shape[0]
    total = 0.0
    for i in range(L):
        for j in range(L):
            total -= J * spins[i, j] * (spins[i, (j + 1) % L] + spins[(i + 1) % L, j])
            total -= h * spins[i, j]
    return total


def test_lattice_constructors():
    spins = ising.random_spins(6, seed=1)
    assert spins.shape == (6, 6) and spins.dtype == np.int8
    assert set(np.unique(spins)) <= {-1, 1}
    np.testing.assert_array_equal(spins, ising.random_spins(6, seed=1))
    assert np.all(ising.ordered_spins(5) == 1) and ising.ordered_spins(5).dtype == np.int8
    assert ising.T_C == pytest.approx(2.269185314213022, rel=1e-15)


def test_energy_and_magnetization():
    L = 6
    ordered = ising.ordered_spins(L)
    assert ising.energy(ordered) == -2.0 * L * L
    assert ising.energy(ordered, J=1.0, h=0.5) == -2.0 * L * L - 0.5 * L * L
    assert ising.energy(ordered, per_spin=True) == -2.0
    i, j = np.indices((L, L))
    antiferro = np.where((i + j) % 2 == 0, 1, -1).astype(np.int8)
    assert ising.energy(antiferro) == 2.0 * L * L
    assert ising.magnetization(antiferro) == 0 and ising.magnetization(ordered, per_spin=True) == 1.0
    for seed in range(5):
        spins = ising.random_spins(5, seed=seed)  # odd L too
        assert ising.energy(spins, J=0.7, h=-0.3) == pytest.approx(brute_energy(spins, 0.7, -0.3), abs=1e-12)
        assert ising.magnetization(spins) == int(spins.sum())


# ---------------------------------------------------------------------------------------
# exact results


def test_exact_observables_agree_with_brute_force_over_states():
    L, T, J, h = 3, 2.1, 1.0, 0.2
    energies, mags = [], []
    for values in itertools.product([-1, 1], repeat=L * L):
        spins = np.array(values, dtype=np.int8).reshape(L, L)
        energies.append(brute_energy(spins, J, h))
        mags.append(spins.sum())
    energies, mags = np.array(energies), np.array(mags, dtype=float)
    weights = np.exp(-(energies - energies.min()) / T)
    p = weights / weights.sum()
    result = ising.exact_observables(L, T, J=J, h=h)
    n = L * L
    assert result["energy"] == pytest.approx(p @ energies / n, rel=1e-12)
    assert result["abs_magnetization"] == pytest.approx(p @ np.abs(mags) / n, rel=1e-12)
    assert result["specific_heat"] == pytest.approx(
        (p @ energies**2 - (p @ energies) ** 2) / (n * T**2), rel=1e-10
    )
    assert result["log_partition"] == pytest.approx(np.log(weights.sum()) - energies.min() / T, rel=1e-12)


@pytest.mark.parametrize("T", [0.05, 0.0125, 1e-100, 1e-300])
def test_exact_variances_are_never_negative_at_low_temperature(T):
    # Issue 17: <E^2> - <E>^2 cancelled to -1.4e-9 at T = 0.05 and to -inf at T = 1e-300.
    result = ising.exact_observables(4, T)
    assert result["energy"] == -2.0 and result["abs_magnetization"] == 1.0
    for name in ("specific_heat", "susceptibility"):
        assert np.isfinite(result[name]) and result[name] >= 0.0, (name, result[name])
    # a single flipped spin costs 8 J, N of them per ground state: c = 64 K^2 e^{-8K}, K = 1/T
    K = 1.0 / T
    assert result["specific_heat"] == pytest.approx(64 * math.exp(2 * math.log(K) - 8 * K), rel=1e-9)


def test_exact_2x2_partition_function_by_hand():
    # 2x2 periodic lattice: every bond appears twice, 8 bonds. Ordered states: E = -8
    # (2 of them); one spin flipped: E = 0 (8 states); two spins in a row or column
    # flipped: E = 0 (4 states); a diagonal pair flipped: E = +8 (2 states).
    T = 1.3
    Z = 2 * math.exp(8 / T) + 12 + 2 * math.exp(-8 / T)
    assert ising.exact_observables(2, T)["log_partition"] == pytest.approx(math.log(Z), rel=1e-14)


def test_onsager_energy_limits_and_critical_value():
    assert ising.onsager_energy(ising.T_C) == pytest.approx(-math.sqrt(2), rel=1e-14)
    assert ising.onsager_energy(0.3) == pytest.approx(-2.0, abs=1e-9)
    assert ising.onsager_energy(1000.0) == pytest.approx(-2.0 / 1000.0, rel=1e-3)  # high T: -2 tanh(1/T)
    assert np.all(np.diff(ising.onsager_energy(np.linspace(0.5, 5, 50))) > 0)


def test_onsager_specific_heat_is_the_derivative_of_the_energy():
    T = np.array([1.0, 1.5, 2.0, 2.2, 2.26, 2.28, 2.4, 3.0, 5.0])
    h = 1e-6
    derivative = (ising.onsager_energy(T + h) - ising.onsager_energy(T - h)) / (2 * h)
    np.testing.assert_allclose(ising.onsager_specific_heat(T), derivative, rtol=1e-7)
    assert ising.onsager_specific_heat(ising.T_C) == np.inf


def test_onsager_results_stay_finite_and_physical_far_from_t_c():
    # Issue 17: NaN below T ~ 0.0028 J (inf / inf), a specific heat that turned negative where
    # the terms of the closed form cancel (T < 0.9 J, and T > 60 J). The pytest settings make
    # any RuntimeWarning an error, so an overflow on the way fails here as well.
    T = np.geomspace(1e-300, 1e150, 2251)  # the whole range a temperature may take
    u, c, m = ising.onsager_energy(T), ising.onsager_specific_heat(T), ising.onsager_magnetization(T)
    assert np.all((u >= -2.0 - 1e-15) & (u <= 0.0))
    assert np.all(np.isfinite(c) & (c >= 0.0))
    assert np.all((m >= 0.0) & (m <= 1.0))
    np.testing.assert_allclose(ising.onsager_energy([0.001, 0.01]), -2.0, rtol=1e-15)
    assert ising.onsager_energy(1.0, J=1000.0) == pytest.approx(-2000.0, rel=1e-15)
    # low T: the first excitations are single flipped spins, 8 J each, N of them: c = 64 K^2 e^{-8K}
    for T_low in (0.1, 0.2):
        K = 1.0 / T_low
        assert ising.onsager_specific_heat(T_low) == pytest.approx(64 * K**2 * math.exp(-8 * K), rel=1e-9)
    # high T: c = 2 K^2 (1 + O(K^2)), two bonds per spin
    assert ising.onsager_specific_heat(1e6) == pytest.approx(2e-12, rel=1e-10)
    # on both sides of where the series take over (sigma = 1e-3 near T = 0.46, tau = 1e-3 near
    # T = 63), c is still the derivative of u
    for T_mid in (0.4, 0.5, 50.0, 100.0):
        h = 1e-4 * T_mid
        derivative = (ising.onsager_energy(T_mid + h) - ising.onsager_energy(T_mid - h)) / (2 * h)
        assert ising.onsager_specific_heat(T_mid) == pytest.approx(derivative, rel=1e-5)


def test_yang_magnetization():
    assert ising.onsager_magnetization(2.0) == pytest.approx((1 - math.sinh(1.0) ** -4) ** 0.125, rel=1e-15)
    assert ising.onsager_magnetization(0.5) == pytest.approx(1.0, abs=1e-6)  # 1 - sinh(4)^-4 / 8
    np.testing.assert_array_equal(ising.onsager_magnetization([ising.T_C, 2.5, 4.0]), 0.0)
    assert ising.onsager_magnetization(ising.T_C * (1 - 1e-6)) < 0.25  # vanishes like (T_C - T)^(1/8)


# ---------------------------------------------------------------------------------------
# detailed balance of Metropolis, exactly and as the kernel does it


def _site_order(L):
    """Sites in the order the checkerboard kernel visits them in one sweep."""
    return [(i, j) for colour in (0, 1) for i in range(L) for j in range(L) if (i + j) % 2 == colour]


def _single_site_matrix(states, site, T, J, h):
    """Exact transition matrix of one Metropolis update of ``site``, from the kernel's table."""
    always, thresholds = _multispin._acceptance_table(T, J, h)
    L = states.shape[1]
    index = {s.tobytes(): k for k, s in enumerate(states)}
    P = np.zeros((len(states), len(states)))
    i, j = site
    for a, spins in enumerate(states):
        s = int(spins[i, j])
        nb = int(
            spins[(i - 1) % L, j] + spins[(i + 1) % L, j] + spins[i, (j - 1) % L] + spins[i, (j + 1) % L]
        )
        c = 5 * (s + 1) // 2 + (s * nb + 4) // 2  # class: 5 [s = +1] + aligned neighbours
        accept = 1.0 if (always >> c) & 1 else int(thresholds[c]) / 2**64
        flipped = spins.copy()
        flipped[i, j] = -s
        P[a, index[flipped.tobytes()]] += accept
        P[a, a] += 1 - accept
    return P


@pytest.mark.parametrize("T, J, h", [(1.7, 1.0, 0.0), (1.7, 1.0, 0.3), (3.0, -0.8, 0.2)])
def test_metropolis_satisfies_detailed_balance_exactly(T, J, h):
    L = 2
    states = (2 * exact.binary_states(L * L).astype(np.int8) - 1).reshape(-1, L, L)
    energies = np.array([ising.energy(s, J, h) for s in states])
    pi = np.exp(-(energies - energies.min()) / T)
    pi /= pi.sum()
    sweep = np.eye(len(states))
    for site in _site_order(L):
        P = _single_site_matrix(states, site, T, J, h)
        flow = pi[:, None] * P
        np.testing.assert_allclose(flow, flow.T, atol=1e-15)  # detailed balance (to 2^-64)
        sweep = sweep @ P
    np.testing.assert_allclose(pi @ sweep, pi, atol=1e-9)  # a whole sweep keeps pi stationary


# ---------------------------------------------------------------------------------------
# the fast kernels against the readable reference (metropolis_reference)


def _reference_chain(start, T, J, h, seed, n_sweeps):
    """The reference sampler's lattice after each of n_sweeps sweeps, shape (n_sweeps, L, L).

    Calls the reference kernel one sweep at a time with the same streams, so the chain is
    the one metropolis_reference(start, T, n_sweeps, seed, J, h) runs (checked below).
    """
    spins = start.copy()
    states = bmlib_rng.stream_states(seed, spins.shape[0])
    chain = np.empty((n_sweeps,) + spins.shape, dtype=np.int8)
    for t in range(n_sweeps):
        _reference_sweeps(spins, T, J, h, states, 1)
        chain[t] = spins
    whole = start.copy()
    ising.metropolis_reference(whole, T, n_sweeps, seed=seed, J=J, h=h)
    np.testing.assert_array_equal(chain[-1], whole)
    return chain


def _transition_chi_square(chain, start, P, index):
    """Chi-square of the chain's one-sweep transition counts against the exact matrix P.

    Given how often the chain left each state, the counts out of it are multinomial with the
    row of P (Anderson and Goodman 1957); per row, cells expected fewer than 5 times are
    pooled. Returns (statistic, degrees of freedom, number of impossible transitions seen,
    number of states the chain left).
    """
    codes = np.array([index[s.tobytes()] for s in np.concatenate([start[None], chain])])
    counts = np.zeros_like(P)
    np.add.at(counts, (codes[:-1], codes[1:]), 1)
    statistic, dof = 0.0, 0
    left = np.flatnonzero(counts.sum(axis=1))
    for a in left:
        expected = counts[a].sum() * P[a]
        small = expected < 5
        observed_cells = np.append(counts[a, ~small], counts[a, small].sum())
        expected_cells = np.append(expected[~small], expected[small].sum())
        keep = expected_cells > 0
        statistic += np.sum((observed_cells[keep] - expected_cells[keep]) ** 2 / expected_cells[keep])
        dof += keep.sum() - 1
    return statistic, dof, counts[P == 0].sum(), left.size


@pytest.mark.parametrize("sampler", ["reference", "fast"])
def test_both_samplers_realise_the_exact_one_sweep_transition_matrix_from_every_state(sampler):
    # One chain of 40,000 sweeps on 2x2 visits all 16 states; its transitions out of each
    # state against the exact sweep matrix (built from single-site Metropolis updates).
    L, T, J, h, n = 2, 2.5, 1.0, 0.3, 40_000
    states = (2 * exact.binary_states(L * L).astype(np.int8) - 1).reshape(-1, L, L)
    index = {s.tobytes(): k for k, s in enumerate(states)}
    P = np.eye(len(states))
    for site in _site_order(L):
        P = P @ _single_site_matrix(states, site, T, J, h)
    start = states[5]
    if sampler == "reference":
        chain = _reference_chain(start, T, J, h, 41, n)
    else:
        chain = ising.metropolis_snapshots(start.copy(), T, n, 1, seed=41, J=J, h=h)
    statistic, dof, impossible, rows = _transition_chi_square(chain, start, P, index)
    assert impossible == 0
    assert rows == len(states)  # every row of the matrix is tested, not just the start's
    assert scipy_stats.chi2.sf(statistic, dof) > 1e-3, (statistic, dof)


@pytest.mark.parametrize("L, T, J, h", [(3, 1.8, 1.0, 0.0), (5, ising.T_C, 1.0, 0.3), (7, 2.5, -0.7, 0.4)])
def test_fast_metropolis_is_the_reference_number_for_number_on_odd_lattices(L, T, J, h):
    # For odd L both visit the sites in the same order and draw one number per site from row
    # i's stream; they differ only in how they decide u < exp(-dE/T) (a 64-bit threshold
    # against a float64 exp), which could make them part with probability ~2^-53 per site.
    start = ising.random_spins(L, seed=L)
    fast, reference = start.copy(), start.copy()
    rate = ising.metropolis(fast, T, 300, seed=8, J=J, h=h)
    assert ising.metropolis_reference(reference, T, 300, seed=8, J=J, h=h) == rate
    np.testing.assert_array_equal(fast, reference)
    assert 0 < rate < 1


@pytest.mark.parametrize(
    "L, T, J, h",
    [
        (4, ising.T_C, 1.0, 0.0),  # one word per row, h = 0: two thresholds
        (4, 2.0, 1.0, 0.3),  # a field: five thresholds
        (6, 2.5, -0.7, 0.4),  # two words of 3 bits per row, antiferromagnet in a field
    ],
)
def test_fast_and_reference_samplers_have_the_same_stationary_averages(L, T, J, h):
    # 20,000 sweeps of each from the same start; <E>/N and <|M|>/N agree within 4 combined
    # standard errors (blocking), and with exact enumeration where L <= 4.
    n = 20_000
    start = ising.random_spins(L, seed=L)
    chains = {
        "fast": ising.metropolis_snapshots(start.copy(), T, n, 1, seed=51, J=J, h=h),
        "reference": _reference_chain(start, T, J, h, 52, n),
    }
    means = {}
    for name, chain in chains.items():
        s = chain.astype(np.int64)
        bonds = (s * (np.roll(s, -1, axis=1) + np.roll(s, -1, axis=2))).sum(axis=(1, 2))
        M = s.sum(axis=(1, 2))
        for observable, series in [
            ("energy", (-J * bonds - h * M) / L**2),
            ("abs_magnetization", np.abs(M) / L**2),
        ]:
            error = stats.blocking_error(series)
            assert 0 < error < 0.01
            means[name, observable] = series.mean(), error
    for observable in ["energy", "abs_magnetization"]:
        (fast, fast_err), (ref, ref_err) = means["fast", observable], means["reference", observable]
        assert abs(fast - ref) < 4 * math.hypot(fast_err, ref_err), (observable, fast, ref, fast_err, ref_err)
        if L <= 4:
            truth = ising.exact_observables(L, T, J, h)[observable]
            for value, error in [(fast, fast_err), (ref, ref_err)]:
                assert abs(value - truth) < 4 * error, (observable, value, truth, error)


# ---------------------------------------------------------------------------------------
# samplers against exact enumeration and Onsager


@pytest.mark.parametrize("algorithm", ["metropolis", "wolff"])
def test_4x4_averages_match_exact_enumeration(algorithm):
    temperatures = [1.5, 2.27, 3.5]
    result = ising.simulate(4, temperatures, 1000, 100_000, algorithm=algorithm, seed=11)
    for k, T in enumerate(temperatures):
        truth = ising.exact_observables(4, T)
        for name in ["energy", "abs_magnetization"]:
            value, error = getattr(result, name)[k], getattr(result, name + "_err")[k]
            assert 0 < error < 0.01
            assert abs(value - truth[name]) < 4 * error, (algorithm, T, name, value, truth[name], error)
        # the jackknife errors of the nonlinear estimates are honest too
        for name in ["specific_heat", "susceptibility", "binder"]:
            value, error = getattr(result, name)[k], getattr(result, name + "_err")[k]
            assert abs(value - truth[name]) < 5 * error, (algorithm, T, name, value, truth[name], error)


@pytest.mark.parametrize(
    "L, T, J, h",
    [
        (4, 2.0, 1.0, 0.3),  # multi-spin kernel with a field: five distinct thresholds
        (4, 2.5, -0.7, 0.4),  # antiferromagnet in a field
        (3, 1.8, 1.0, 0.0),  # odd L: the site-by-site kernel
        (3, 2.5, 1.0, -0.5),
    ],
)
def test_metropolis_with_field_and_odd_lattices_matches_exact_enumeration(L, T, J, h):
    spins = ising.random_spins(L, seed=21)
    sampler = _multispin.Metropolis(spins, T, J, h, seed=22)
    sampler.sweep(1000)
    energies, magnetizations = np.empty(50_000), np.empty(50_000)
    sampler.series(J, h, energies, magnetizations)
    truth = ising.exact_observables(L, T, J, h)
    n = L * L
    for name, series in [("energy", energies / n), ("abs_magnetization", np.abs(magnetizations) / n)]:
        error = stats.blocking_error(series)
        assert 0 < error < 0.01
        assert abs(series.mean() - truth[name]) < 4 * error, (name, series.mean(), truth[name], error)
    # the E and M the kernel reports are those of the lattice it leaves behind
    sampler.store()
    assert energies[-1] == ising.energy(spins, J, h)
    assert magnetizations[-1] == ising.magnetization(spins)


@pytest.mark.parametrize("L", [2, 6, 10, 130, 192])
def test_packed_layout_round_trips_and_knows_its_neighbours(L):
    # Words of B < 64 bits, several words per row, and the rotation at the row's ends: the
    # packed energy and magnetisation equal those of the int8 lattice.
    spins = ising.random_spins(L, seed=L)
    W, B = _multispin._word_layout(L)
    assert W % 2 == 0 and W * B == L and B <= 64
    packed = _multispin._pack(spins, W)
    back = np.zeros_like(spins)
    _multispin._unpack(packed, back)
    np.testing.assert_array_equal(back, spins)
    bonds, total = _multispin._packed_bonds_and_total(packed, B)
    assert -bonds == ising.energy(spins) and total == ising.magnetization(spins)


def test_64x64_magnetization_matches_yang_and_energy_matches_onsager():
    result = ising.simulate(64, [1.8, 2.0, 3.0], 1000, 4000, seed=12)
    for k, T in enumerate([1.8, 2.0]):
        exact_m = ising.onsager_magnetization(T)
        assert result.abs_magnetization_err[k] < 0.0025 * exact_m  # the 1 % test has teeth
        assert abs(result.abs_magnetization[k] - exact_m) < 0.01 * exact_m
    exact_e = ising.onsager_energy(3.0)
    assert result.energy_err[2] < 0.0025 * abs(exact_e)
    assert abs(result.energy[2] - exact_e) < 0.01 * abs(exact_e)


def test_metropolis_acceptance_rate_limits():
    spins = ising.ordered_spins(16)
    assert ising.metropolis(spins, 0.1, 5, seed=1) == 0.0  # frozen: every flip costs 8J
    assert np.all(spins == 1)
    hot = ising.random_spins(16, seed=2)
    assert ising.metropolis(hot, 1e6, 20, seed=3) > 0.99


@pytest.mark.parametrize("T", [0.011, 1e-3, 1e-200])
def test_metropolis_at_very_low_temperature_warns_of_nothing_and_is_the_reference_chain(T):
    # Issue 17: exp(-dE/T) overflowed with a RuntimeWarning for dE < 0 at T <= 0.011 (the pytest
    # settings turn it into an error). Downhill flips are always taken, uphill ones never.
    start = ising.random_spins(7, seed=4)
    fast, reference = start.copy(), start.copy()
    rate = ising.metropolis(fast, T, 3, seed=5, h=0.1)
    assert rate == ising.metropolis_reference(reference, T, 3, seed=5, h=0.1)
    np.testing.assert_array_equal(fast, reference)
    ising.metropolis_snapshots(ising.random_spins(8, seed=4), T, 2, 1, seed=5)
    result = ising.simulate(8, [T], 5, 64, seed=6, verbose=False)
    assert result.energy[0] <= -1.0


def test_wolff_cluster_sizes():
    cold = ising.ordered_spins(16)
    assert ising.wolff(cold, 0.5, 10, seed=1) == pytest.approx(256, rel=1e-3)  # p_add ~ 1: whole lattice
    hot = ising.random_spins(16, seed=2)
    assert 1.0 <= ising.wolff(hot, 50.0, 100, seed=3) < 1.2  # p_add ~ 0.04: single spins


@pytest.mark.parametrize("T", [2.0, 3.0])
def test_wolff_mean_cluster_size_is_the_exact_n_m_squared_on_4x4(T):
    # Issue 17: with p_add = 1 - exp(-J/T) instead of 1 - exp(-2J/T) every test passed. For
    # single-cluster Wolff the mean cluster size is an improved estimator of <M^2> / N = N <m^2>,
    # known exactly on 4 x 4; that wrong p_add is the right one at 2T, where N <m^2> is 4.0
    # instead of 13.9 (T = 2) and 2.3 instead of 7.2 (T = 3), against error bars of 0.04-0.05.
    spins, generator = ising.random_spins(4, seed=8), np.random.default_rng(9)
    ising.wolff(spins, T, 200, seed=generator)
    sizes = np.array([ising.wolff(spins, T, 10, seed=generator) for _ in range(2_000)])  # means of 10
    exact_size = 16 * ising.exact_observables(4, T)["m2"]
    assert abs(sizes.mean() - exact_size) < 5 * stats.blocking_error(sizes), (sizes.mean(), exact_size)


# ---------------------------------------------------------------------------------------
# reproducibility


def test_same_seed_same_lattice_serial_and_parallel_any_thread_count():
    start = ising.random_spins(32, seed=5)
    serial = start.copy()
    ising.metropolis(serial, ising.T_C, 50, seed=6)
    threads = numba.get_num_threads()
    try:
        for n_threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(n_threads)
            parallel = start.copy()
            ising.metropolis(parallel, ising.T_C, 50, seed=6, parallel=True)
            np.testing.assert_array_equal(parallel, serial)
    finally:
        numba.set_num_threads(threads)
    again = start.copy()
    ising.metropolis(again, ising.T_C, 50, seed=6)
    np.testing.assert_array_equal(again, serial)
    other = start.copy()
    ising.metropolis(other, ising.T_C, 50, seed=7)
    assert not np.array_equal(other, serial)


def test_same_seed_same_lattice_in_another_process(digests):
    other = digests.in_fresh_process(
        "from bmlib import ising\n"
        "s = ising.random_spins(32, seed=5); ising.metropolis(s, 2.3, 20, seed=6, parallel=True)\n"
        "w = ising.random_spins(16, seed=1); ising.wolff(w, 2.3, 50, seed=2)\n"
        "result = (s, w)"
    )
    s = ising.random_spins(32, seed=5)
    ising.metropolis(s, 2.3, 20, seed=6)
    w = ising.random_spins(16, seed=1)
    ising.wolff(w, 2.3, 50, seed=2)
    assert other == digests.of(s, w)


def test_simulate_is_reproducible_and_temperatures_are_independent():
    a = ising.simulate(8, [2.0, 2.5], 100, 200, seed=3)
    b = ising.simulate(8, [2.0, 2.5], 100, 200, seed=3)
    np.testing.assert_array_equal(a.energy, b.energy)
    single = ising.simulate(8, [2.0, 2.5, 3.0], 100, 200, seed=3)
    np.testing.assert_array_equal(single.energy[:2], a.energy)


# ---------------------------------------------------------------------------------------
# annealing


def _random_maxcut(n, seed):
    rng = np.random.default_rng(seed)
    weights = np.triu(rng.integers(1, 10, size=(n, n)) * (rng.random((n, n)) < 0.5), 1).astype(float)
    return weights + weights.T


def test_couplings_energy_matches_definition():
    rng = np.random.default_rng(0)
    J = rng.normal(size=(6, 6))
    J = np.triu(J, 1) + np.triu(J, 1).T
    h = rng.normal(size=6)
    s = np.array([1, -1, -1, 1, 1, -1])
    direct = -sum(J[i, j] * s[i] * s[j] for i in range(6) for j in range(i + 1, 6)) - h @ s
    assert ising.couplings_energy(s, J, h) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("method", ["metropolis", "heat-bath"])
def test_anneal_finds_the_brute_force_max_cut_of_16_nodes(method):
    n = 16
    weights = _random_maxcut(n, seed=21)
    # cut(s) = sum_{i<j} w_ij (1 - s_i s_j) / 2: maximise the cut = minimise E with J = -w
    spins = 2 * exact.binary_states(n).astype(np.int64) - 1
    cuts = 0.25 * np.einsum("ki,ij,kj->k", spins, weights, -spins) + 0.25 * weights.sum()
    best_cut = cuts.max()
    found = 0
    for seed in range(10):
        result = ising.anneal(
            -weights, None, ising.geometric_schedule(10.0, 0.05, 300), seed=seed, method=method
        )
        s = result.spins.astype(float)
        cut = 0.25 * np.sum(weights * (1 - np.outer(s, s)))
        assert result.energy == pytest.approx(ising.couplings_energy(result.spins, -weights), abs=1e-9)
        assert result.trace.shape == (300,) and result.energy <= result.trace.min() + 1e-9
        found += cut == best_cut
    assert found >= 9, f"optimum {best_cut} found in {found}/10 runs"


def test_quench_gets_stuck_where_annealing_does_not():
    # Sherrington-Kirkpatrick, n = 14: brute-force ground state; a zero-temperature
    # quench from random states lands in local minima above it on average.
    n = 14
    rng = np.random.default_rng(4)
    J = rng.normal(0, 1 / math.sqrt(n), size=(n, n))
    J = np.triu(J, 1) + np.triu(J, 1).T
    spins = 2 * exact.binary_states(n).astype(np.int64) - 1
    ground = ising.couplings_energy(spins, J).min()
    quenched = [ising.anneal(J, None, np.zeros(20), seed=s).energy for s in range(20)]
    annealed = [
        ising.anneal(J, None, ising.geometric_schedule(3.0, 0.02, 400), seed=s).energy for s in range(20)
    ]
    assert min(annealed) == pytest.approx(ground, abs=1e-9)
    assert np.mean(np.isclose(annealed, ground)) >= 0.9
    assert np.mean(quenched) > np.mean(annealed)


# ---------------------------------------------------------------------------------------
# bad input


def test_bad_lattices():
    with pytest.raises(ValueError, match="square"):
        ising.energy(np.ones((3, 4), dtype=np.int8))
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        ising.energy(np.zeros((4, 4), dtype=np.int8))
    with pytest.raises(TypeError, match="int8"):
        ising.metropolis(np.ones((4, 4), dtype=np.int64), 2.0, 1, seed=1)
    with pytest.raises(TypeError, match="numpy array"):
        ising.metropolis([[1, 1], [1, 1]], 2.0, 1, seed=1)
    with pytest.raises(ValueError, match="L must be >= 2"):
        ising.random_spins(1)
    with pytest.raises(ValueError, match="even L"):
        ising.metropolis(ising.ordered_spins(5), 2.0, 1, seed=1, parallel=True)
    with pytest.raises(TypeError, match="int8"):
        ising.metropolis_reference(np.ones((3, 3), dtype=np.int64), 2.0, 1, seed=1)
    with pytest.raises(TypeError, match="n_sweeps"):
        ising.metropolis_reference(ising.ordered_spins(3), 2.0, 1.5, seed=1)
    with pytest.raises(ValueError, match="h must be finite"):
        ising.metropolis_reference(ising.ordered_spins(3), 2.0, 1, seed=1, h=np.inf)


@pytest.mark.parametrize("T", [0.0, -1.0, np.nan])
def test_bad_temperature(T):
    with pytest.raises(ValueError, match="T must"):
        ising.metropolis(ising.ordered_spins(4), T, 1, seed=1)
    with pytest.raises(ValueError, match="T must"):
        ising.wolff(ising.ordered_spins(4), T, 1, seed=1)
    with pytest.raises(ValueError, match="T must"):
        ising.metropolis_reference(ising.ordered_spins(4), T, 1, seed=1)
    with pytest.raises(ValueError, match="T must"):
        ising.exact_observables(2, T)


def test_bad_simulation_settings():
    with pytest.raises(ValueError, match="n_measure"):
        ising.simulate(4, [2.0], 10, 10)
    with pytest.raises(ValueError, match="algorithm"):
        ising.simulate(4, [2.0], 10, 100, algorithm="gibbs")
    with pytest.raises(ValueError, match="temperatures"):
        ising.simulate(4, [2.0, -1.0], 10, 100)
    with pytest.raises(ValueError, match="L must be <= 4"):
        ising.exact_observables(5, 2.0)


@pytest.mark.parametrize(
    "change, error, match",
    [
        ({"T": 0.0}, ValueError, "T must be > 0"),
        ({"T": -1.0}, ValueError, "T must be > 0"),
        ({"T": np.inf}, ValueError, "T must be finite"),
        ({"n_spins": -1}, ValueError, "n_spins must be >= 0"),
        ({"n_spins": 0}, ValueError, "n_spins must be >= 1"),
        ({"n_spins": 2.5}, TypeError, "n_spins must be an integer"),
        ({"n_spins": True}, TypeError, "n_spins must be an integer"),
        ({"n_spins": np.inf}, TypeError, "n_spins must be an integer"),
        ({"energies": np.full(64, np.nan)}, ValueError, "energies must be finite"),
        ({"magnetizations": np.zeros(63)}, ValueError, "the same length"),
        ({"energies": np.zeros(8), "magnetizations": np.zeros(8)}, ValueError, ">= 32 measurements"),
        ({"energies": np.zeros((8, 8))}, ValueError, "energies must be 1-D"),
    ],
)
def test_series_observables_checks_its_arguments(change, error, match):
    # Issue 17: T = 0 gave an infinite specific heat, T = -1, inf and n_spins = -1, 2.5, True, inf
    # were accepted, and NaN energies were reported as "x must be finite".
    arguments = {"energies": -np.arange(64.0), "magnetizations": np.ones(64), "T": 2.0, "n_spins": 16}
    arguments.update(change)
    with pytest.raises(error, match=match):
        ising.series_observables(**arguments)


def test_series_observables_of_a_frozen_series_are_zero_at_any_temperature():
    for T in (2.0, 1e-200):
        result = ising.series_observables(np.full(64, -32.0), np.full(64, 16.0), T, 16)
        assert result["specific_heat"] == 0.0 and result["susceptibility"] == 0.0
        assert result["specific_heat_err"] == 0.0 and result["energy"] == -2.0


def test_bad_couplings():
    J = np.array([[0.0, 1.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="symmetric"):
        ising.anneal(J, None, [1.0], seed=1)
    with pytest.raises(ValueError, match="zero diagonal"):
        ising.anneal(np.eye(2), None, [1.0], seed=1)
    with pytest.raises(ValueError, match="square"):
        ising.anneal(np.zeros((2, 3)), None, [1.0], seed=1)
    with pytest.raises(ValueError, match="h must"):
        ising.anneal(np.zeros((2, 2)), [1.0, 2.0, 3.0], [1.0], seed=1)
    with pytest.raises(ValueError, match="schedule"):
        ising.anneal(np.zeros((2, 2)), None, [1.0, -1.0], seed=1)
    with pytest.raises(ValueError, match="J_matrix must be finite"):
        ising.anneal(np.array([[0.0, np.nan], [np.nan, 0.0]]), None, [1.0], seed=1)


def test_metropolis_snapshots_are_the_chain_every_spacing_sweeps():
    start = ising.random_spins(12, seed=30)
    full = start.copy()
    snapshots = ising.metropolis_snapshots(full, 2.4, 5, 3, seed=31)
    assert snapshots.shape == (5, 12, 12) and snapshots.dtype == np.int8
    np.testing.assert_array_equal(full, snapshots[-1])
    for k in range(1, 5):  # a shorter run with the same seed is a prefix of the chain
        np.testing.assert_array_equal(
            ising.metropolis_snapshots(start.copy(), 2.4, k, 3, seed=31)[-1], snapshots[k - 1]
        )
    same = start.copy()
    ising.metropolis(same, 2.4, 15, seed=31)
    np.testing.assert_array_equal(same, snapshots[-1])
    odd = ising.random_spins(5, seed=1)  # the site-by-site kernel too
    odd_snapshots = ising.metropolis_snapshots(odd.copy(), 2.0, 4, 2, seed=2)
    np.testing.assert_array_equal(
        odd_snapshots[1], ising.metropolis_snapshots(odd.copy(), 2.0, 2, 2, seed=2)[-1]
    )
    assert not np.array_equal(odd_snapshots[0], odd_snapshots[3])
    with pytest.raises(ValueError, match="spacing"):
        ising.metropolis_snapshots(start.copy(), 2.4, 5, 0, seed=1)
    with pytest.raises(ValueError, match="n_snapshots"):
        ising.metropolis_snapshots(start.copy(), 2.4, -1, 2, seed=1)


@pytest.mark.parametrize("T", [1.5, ising.T_C, 3.5])
def test_exact_distribution_state_by_state(T):
    d = ising.exact_distribution(4, T)
    assert d.probabilities.shape == d.energy.shape == d.magnetization.shape == (2**16,)
    assert abs(d.probabilities.sum() - 1.0) < 1e-12
    # state k: site (i, j) is bit 4 i + j of k, as datasets.spins_to_visible numbers the units
    codes = np.random.default_rng(0).integers(0, 2**16, size=50)
    for k in codes:
        spins = 2 * ((int(k) >> np.arange(16)) & 1).reshape(4, 4) - 1
        assert exact.state_codes(datasets.spins_to_visible(spins)) == k
        assert d.energy[k] == ising.energy(spins) and d.magnetization[k] == spins.sum()
    assert d.probabilities[codes] == pytest.approx(
        np.exp(-d.energy[codes] / T - ising.exact_observables(4, T)["log_partition"]), rel=1e-12
    )
    # the same thermal averages as exact_observables (which sums over classes of states)
    reference = ising.exact_observables(4, T)
    p, E, M = d.probabilities, d.energy, d.magnetization
    assert p @ E / 16 == pytest.approx(reference["energy"], rel=1e-12)
    assert p @ np.abs(M) / 16 == pytest.approx(reference["abs_magnetization"], rel=1e-12)
    assert (p @ E**2 - (p @ E) ** 2) / (16 * T**2) == pytest.approx(reference["specific_heat"], rel=1e-9)


def test_exact_distribution_refuses_large_lattices_and_bad_temperatures():
    with pytest.raises(ValueError, match="L must be <= 4"):
        ising.exact_distribution(5, 2.0)
    with pytest.raises(ValueError, match="T"):
        ising.exact_distribution(4, 0.0)


# ---------------------------------------------------------------------------------------
# the input contract (#17): one rule for bools, flags, complex values, counts, temperatures


def test_bools_are_not_numbers_and_flags_are_bools():
    spins = ising.ordered_spins(4)
    with pytest.raises(TypeError, match="T must be a number, got the bool"):
        ising.metropolis(spins, True, 1, seed=0)
    for call in (
        lambda: ising.energy(spins, per_spin="abc"),
        lambda: ising.magnetization(spins, per_spin=np.nan),
        lambda: ising.metropolis(spins, 2.0, 1, seed=0, parallel=np.nan),
        lambda: ising.simulate(2, [2.0], 0, 64, keep_series="yes"),
    ):
        with pytest.raises(TypeError, match="(per_spin|parallel|keep_series) must be True or False"):
            call()
    assert ising.energy(spins, per_spin=np.True_) == -2.0  # a NumPy bool is a bool


def test_complex_values_are_refused_before_any_conversion():
    # np.asarray(z, dtype=float) drops the imaginary part with only a ComplexWarning (an error
    # under this suite's filter, but silent for a student): each face must refuse complex first
    spins = ising.ordered_spins(4).astype(np.complex128)
    J = np.zeros((4, 4))
    for call in (
        lambda: ising.energy(spins),
        lambda: ising.magnetization(spins),
        lambda: ising.couplings_energy(np.ones(4, dtype=complex), J),
        lambda: ising.anneal(J, None, [1.0], seed=0, spins=np.ones(4, dtype=complex)),
        lambda: ising.series_observables(np.ones(64, dtype=complex), np.ones(64), 1.0, 4),
    ):
        with pytest.raises(TypeError, match="must (hold |be )?real"):
            call()


def test_huge_counts_are_refused_by_name():
    with pytest.raises(ValueError, match="n_equilibrate must be at most"):
        ising.simulate(4, [2.0], 2**70, 64, algorithm="wolff")
    with pytest.raises(ValueError, match="n_measure must be at most"):
        ising.simulate(4, [2.0], 0, 2**63, algorithm="wolff")
    with pytest.raises(ValueError, match="n_sweeps must be at most"):
        ising.geometric_schedule(2.0, 0.1, 2**63)
    with pytest.raises(ValueError, match="n_sweeps must be at most"):
        ising.metropolis(ising.ordered_spins(4), 2.0, 2**63, seed=0)


@pytest.mark.parametrize("T", [1e308, 1e-320, 5e-309])
def test_temperatures_whose_reciprocal_or_square_is_not_finite_are_refused(T):
    # T = 1e308 made T**2 raise OverflowError; T < 5.6e-309 passed "> 0" with 1/T = inf
    with pytest.raises(ValueError, match="T must be between"):
        ising.metropolis(ising.ordered_spins(4), T, 1, seed=0)
    with pytest.raises(ValueError, match="T must be between"):
        ising.series_observables(np.ones(64), np.ones(64), T, 4)
    with pytest.raises(ValueError, match="temperatures must be between"):
        ising.simulate(4, [2.0, T], 0, 64)


def test_a_read_only_lattice_costs_no_second_compilation():
    # np.broadcast_to and np.load(mmap_mode="r") give read-only arrays, for which Numba
    # would compile a second specialisation of every kernel (seconds, on first use)
    spins = ising.random_spins(4, seed=0)
    ising.energy(spins)
    compiled = len(lattice.bond_sum_and_magnetization.signatures)
    frozen = spins.copy()
    frozen.setflags(write=False)
    assert ising.energy(frozen) == ising.energy(spins)
    assert ising.magnetization(np.broadcast_to(spins, spins.shape)) == ising.magnetization(spins)
    assert len(lattice.bond_sum_and_magnetization.signatures) == compiled


def test_onsager_refuses_temperatures_whose_coupling_overflows():
    # T = 1e-320 passed "> 0" and J / T overflowed with a RuntimeWarning
    with pytest.raises(ValueError, match="T must be between"):
        ising.onsager_energy([1.0, 1e-320])
    with pytest.raises(ValueError, match="J / T must be a finite float"):
        ising.onsager_specific_heat(1e-300, J=1e100)
    assert ising.onsager_magnetization(1e-150) == 1.0 and ising.onsager_energy(1e150) == 0.0


def test_couplings_and_fields_too_large_for_energies_are_refused_by_name():
    # J = 1e300 made E^2 overflow in simulate's specific heat and in exact_observables, and a
    # coupling matrix of 1e308 gave couplings_energy = -inf
    spins = ising.ordered_spins(4)
    with pytest.raises(ValueError, match="J must have magnitude at most"):
        ising.metropolis(spins, 2.0, 1, seed=0, J=1e300)
    with pytest.raises(ValueError, match="h must have magnitude at most"):
        ising.energy(spins, h=-1e300)
    with pytest.raises(ValueError, match="J must have magnitude at most"):
        ising.simulate(4, [2.0], 0, 64, J=1e300)
    with pytest.raises(ValueError, match="J_matrix must have magnitude at most"):
        ising.couplings_energy(np.ones(2), np.array([[0.0, 1e308], [1e308, 0.0]]))
    # within the bound, E / T beyond the largest float is refused, not turned into NaN or inf
    with pytest.raises(ValueError, match="make E / T overflow"):
        ising.exact_observables(4, 1e-300, J=1e100)
    with pytest.raises(ValueError, match="make E / T overflow"):
        ising.exact_distribution(2, 1e-300, h=1e100)
    result = ising.exact_observables(4, 1e-3, J=1e100, h=1e100)
    assert all(np.isfinite(value) for value in result.values())
