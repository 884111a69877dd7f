"""Simulations with error bars: equilibrate, measure E and M, average per temperature.

:func:`simulate` runs Metropolis or Wolff at each temperature and records the energy E and
magnetisation M after every sweep; :func:`series_observables` turns such series into
per-spin averages with error bars that account for autocorrelation (blocking for means, a
jackknife for the fluctuation quantities), as :class:`SimulationResult` defines them.
"""

from dataclasses import dataclass

import numpy as np

from bmlib import _validate, rng, stats
from bmlib.ising import _checks
from bmlib.ising._checks import lattice_size
from bmlib.ising._multispin import Metropolis
from bmlib.ising.lattice import T_C, ordered_spins, random_spins
from bmlib.ising.wolff import bond_probability, wolff_flip_budget, wolff_series
from bmlib.progress import Progress


@dataclass
class SimulationResult:
    """Per-temperature averages from :func:`simulate`, each with its error bar (``*_err``).

    All arrays have shape (n_temperatures,). Per-spin quantities use N = L^2:
    ``energy`` = <E>/N, ``abs_magnetization`` = <|M|>/N,
    ``specific_heat`` = (<E^2> - <E>^2) / (N T^2),
    ``susceptibility`` = (<M^2> - <|M|>^2) / (N T),
    ``binder`` = 1 - <M^4> / (3 <M^2>^2), and ``tau_abs_m``, the integrated
    autocorrelation time of |M| in sweeps (1/2 for independent samples).
    ``series`` holds the E and M time series per temperature when asked for.
    """

    L: int
    algorithm: str
    temperatures: np.ndarray
    energy: np.ndarray
    energy_err: np.ndarray
    abs_magnetization: np.ndarray
    abs_magnetization_err: np.ndarray
    specific_heat: np.ndarray
    specific_heat_err: np.ndarray
    susceptibility: np.ndarray
    susceptibility_err: np.ndarray
    binder: np.ndarray
    binder_err: np.ndarray
    tau_abs_m: np.ndarray
    series: list | None = None


def _series_at(L, T, n_equilibrate, n_measure, algorithm, seed, J):
    """E and M after each sweep (Metropolis) or each sweep's worth of clusters (Wolff)."""
    generator = rng.as_generator(seed)
    spins = ordered_spins(L) if T < T_C else random_spins(L, seed=generator)
    energies = np.empty(n_measure)
    magnetizations = np.empty(n_measure)
    if algorithm == "metropolis":
        sampler = Metropolis(spins, T, J, 0.0, generator)
        sampler.sweep(n_equilibrate)
        sampler.series(J, 0.0, energies, magnetizations)
    else:
        p_add = bond_probability(T, J)
        states = rng.stream_states(generator, 1)
        stack = np.empty(L * L, dtype=np.int64)
        # Equilibrate for n_equilibrate sweeps' worth of flipped spins, then learn the mean
        # cluster size at equilibrium from ten more, so that one measurement is about one
        # sweep (L^2 flipped spins) whatever the temperature.
        wolff_flip_budget(spins, p_add, states, n_equilibrate * L * L, stack)
        clusters, flipped = wolff_flip_budget(spins, p_add, states, 10 * L * L, stack)
        per_measure = max(1, round(clusters * L * L / flipped))
        wolff_series(spins, p_add, states, n_measure, per_measure, J, stack, energies, magnetizations)
    return energies, magnetizations


_OBSERVABLES = tuple(
    name + suffix
    for name in ("energy", "abs_magnetization", "specific_heat", "susceptibility", "binder")
    for suffix in ("", "_err")
)


def series_observables(energies, magnetizations, T, n_spins):
    """Per-spin averages with error bars from series of E and M (J = 1 units, N = ``n_spins``).

    The definitions of :class:`SimulationResult`: <E>/N and <|M|>/N with blocking errors
    (:func:`bmlib.stats.blocking_error`), and specific heat (<E^2> - <E>^2) / (N T^2),
    susceptibility (<M^2> - <|M|>^2) / (N T) and Binder cumulant 1 - <M^4> / (3 <M^2>^2) with
    32-block jackknife errors (:func:`bmlib.stats.jackknife`). Used by :func:`simulate` and by
    :func:`bmlib.datasets.ising_observables`, so Monte Carlo and model samples are measured alike.

    Parameters
    ----------
    energies, magnetizations : array_like of shape (n,)
        Finite series of E and M, n >= 32, the same length.
    T : float
        The temperature they were sampled at, > 0.
    n_spins : int
        N >= 1.

    Returns
    -------
    dict
        ``energy``, ``abs_magnetization``, ``specific_heat``, ``susceptibility``, ``binder``,
        each with its ``*_err``.
    """
    energies = _validate.vector("energies", energies)
    magnetizations = _validate.vector("magnetizations", magnetizations)
    if energies.size != magnetizations.size:
        raise ValueError(
            f"energies and magnetizations must be series of the same length, got {energies.size} "
            f"and {magnetizations.size}"
        )
    if energies.size < 32:
        raise ValueError(
            f"energies must hold >= 32 measurements for error bars from 32 blocks, got {energies.size}"
        )
    T = _checks.temperature(T)
    n_spins = _validate.count("n_spins", n_spins)
    if n_spins < 1:
        raise ValueError("n_spins must be >= 1")

    # A series that does not vary has no heat capacity or susceptibility at any T: 0, where
    # dividing by N T^2 would give 0 / 0 once T^2 underflows (T < 1e-162).
    def finite(value, name):
        if not np.isfinite(value):
            raise ValueError(
                f"the {name} of these series is beyond the largest float at T = {T!r}: they fluctuate "
                "far more than a system in equilibrium at that temperature can"
            )
        return value

    def specific_heat(e):
        variance = e.var()
        if variance <= 0:
            return 0.0
        with np.errstate(over="ignore", divide="ignore"):
            return finite(variance / (n_spins * T**2), "specific heat")

    def susceptibility(m):
        variance = np.mean(m**2) - np.mean(np.abs(m)) ** 2
        if variance <= 0:
            return 0.0
        with np.errstate(over="ignore"):
            return finite(variance / (n_spins * T), "susceptibility")

    def binder(m):
        m2 = np.mean(m**2)
        return 1.0 - np.mean(m**4) / (3.0 * m2**2) if m2 > 0 else 0.0

    e, a = energies / n_spins, np.abs(magnetizations) / n_spins
    result = {
        "energy": e.mean(),
        "energy_err": stats.blocking_error(e),
        "abs_magnetization": a.mean(),
        "abs_magnetization_err": stats.blocking_error(a),
    }
    for name, estimator, series in [
        ("specific_heat", specific_heat, energies),
        ("susceptibility", susceptibility, magnetizations),
        ("binder", binder, magnetizations),
    ]:
        result[name], result[name + "_err"] = stats.jackknife(estimator, series)
    return result


def simulate(
    L,
    temperatures,
    n_equilibrate,
    n_measure,
    algorithm="metropolis",
    seed=None,
    J=1.0,
    *,
    keep_series=False,
    verbose="auto",
):
    """Equilibrate and measure an L x L lattice at each temperature; averages with error bars.

    Each temperature starts afresh (ordered below T_C, random above), equilibrates for
    ``n_equilibrate`` sweeps and then records E and M after each of ``n_measure`` sweeps.
    For Wolff a "sweep" is as many clusters as flip L^2 spins on average, so the
    autocorrelation times of the two algorithms are in the same unit.

    Error bars: blocking for <E>/N and <|M|>/N; a 32-block jackknife for the specific heat,
    susceptibility and Binder cumulant. They are honest only when n_measure is many times
    the autocorrelation time (reported as ``tau_abs_m``).

    Parameters
    ----------
    L : int
        Side of the lattice, >= 2 (even for Metropolis checkerboard).
    temperatures : array_like of shape (n_temperatures,)
        Each > 0.
    n_equilibrate, n_measure : int
        Sweeps to discard and to measure; n_measure >= 64.
    algorithm : {"metropolis", "wolff"}
    seed : int, numpy.random.Generator or None
        Temperature k uses an independent stream derived from the seed.
    J : float
        Coupling, > 0 (zero field).
    keep_series : bool
        Also return the (E, M) series per temperature in ``result.series``.
    verbose : bool or "auto"
        Show a progress line over temperatures; "auto" shows it only when someone is
        watching (a terminal or an interactive notebook; never under nbval).

    Returns
    -------
    SimulationResult
    """
    L = lattice_size(L)
    temperatures = _validate.vector("temperatures", temperatures)
    for T in temperatures:
        _validate.temperature("temperatures", T)
    # at most 10**12 spin updates per temperature (hours of work, and well inside int64)
    why = f"at most 10**12 spin updates of the {L} x {L} lattice per temperature"
    n_equilibrate = _validate.count("n_equilibrate", n_equilibrate, _validate.MAX_COUNT // (L * L), why)
    n_measure = _validate.count("n_measure", n_measure, _validate.MAX_COUNT // (L * L), why)
    if n_measure < 64:
        raise ValueError(f"n_measure must be >= 64 for error bars from blocks, got {n_measure}")
    if algorithm not in ("metropolis", "wolff"):
        raise ValueError(f"algorithm must be 'metropolis' or 'wolff', got {algorithm!r}")
    J = _checks.positive_coupling("J", J)
    keep_series = _validate.flag("keep_series", keep_series)
    n = L * L
    # one independent generator per temperature, so a temperature's result does not depend
    # on which other temperatures are in the list
    children = rng.seed_sequence(seed).spawn(len(temperatures))
    rows, series = [], []
    progress = Progress(len(temperatures), f"L = {L} {algorithm}: temperature", verbose)
    for T, child in zip(temperatures, children, strict=True):
        e_series, m_series = _series_at(
            L, float(T), n_equilibrate, n_measure, algorithm, np.random.default_rng(child), J
        )
        averages = series_observables(e_series, m_series, float(T), n)
        rows.append(
            (
                *(averages[name] for name in _OBSERVABLES),
                stats.integrated_autocorrelation_time(np.abs(m_series)),
            )
        )
        if keep_series:
            series.append((e_series, m_series))
        progress.update(f"T = {T:.3f}")
    progress.close()
    columns = np.array(rows).T
    return SimulationResult(L, algorithm, temperatures, *columns, series=series if keep_series else None)
