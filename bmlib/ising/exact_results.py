"""Exact results: Onsager's infinite lattice and the enumeration of small ones.

The square-lattice Ising model at zero field was solved by Onsager (1944): its energy and
specific heat per spin are closed forms in complete elliptic integrals, and Yang (1952)
derived the spontaneous magnetisation. For a finite L x L lattice with L <= 4 every one of
the 2^(L*L) states can be enumerated, which gives the exact Boltzmann distribution and
thermal averages that the Monte Carlo samplers are tested against.

References
----------
L. Onsager, "Crystal statistics. I.", Phys. Rev. 65, 117 (1944).
C. N. Yang, "The spontaneous magnetization of a two-dimensional Ising model",
Phys. Rev. 85, 808 (1952).
"""

import functools
from dataclasses import dataclass

import numpy as np

from bmlib import _validate, exact, stats
from bmlib.ising._checks import lattice_size, positive_coupling, real, temperature


def _onsager_variables(T, J):
    """K = J/T, the elliptic modulus k = 2 sinh(2K) / cosh^2(2K) (1 at T_C), t = tanh(2K) and
    s = 1 / cosh(2K).

    k is computed as 2 t s and s as 2 exp(-2K) / (1 + exp(-4K)), which neither overflow nor
    divide inf by inf at low T (where sinh(2K) / cosh^2(2K) would give NaN below T ~ 0.0028 J).
    """
    J = positive_coupling("J", J)
    T = np.asarray(_validate.temperatures("T", T), dtype=np.float64)
    with np.errstate(over="ignore"):
        K = J / T
    if not np.all(np.isfinite(K)):
        raise ValueError(f"J / T must be a finite float, got J = {J!r} and T as low as {T.min()!r}")
    t = np.tanh(2 * K)
    s = 2.0 * np.exp(-2 * K) / (1.0 + np.exp(-4 * K))
    return J, K, 2.0 * t * s, t, s


def _scalar_or_array(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _elliptic():
    """scipy.special's complete elliptic integrals (K, E), imported on first use, so that
    importing bmlib.ising does not pay for importing scipy.special (see the README)."""
    from scipy.special import ellipe, ellipk

    return ellipk, ellipe


def onsager_energy(T, J=1.0):
    """Energy per spin of the infinite lattice (Onsager 1944), zero field.

    u = -J coth(2K) [1 + (2/pi) (2 tanh^2(2K) - 1) K1(k)], K = J/T,
    k = 2 sinh(2K) / cosh^2(2K), K1 the complete elliptic integral of the first kind.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, k, t, _ = _onsager_variables(T, J)
    with np.errstate(invalid="ignore"):
        u = -J / t * (1.0 + 2.0 / np.pi * (2.0 * t**2 - 1.0) * _elliptic()[0](np.minimum(k, 1.0) ** 2))
    # at T_C, k = 1 and K1 diverges but 2 tanh^2(2K) - 1 = 0: the product vanishes, u = -sqrt(2) J
    return _scalar_or_array(np.where(k >= 1.0, -J / t, u))


def onsager_specific_heat(T, J=1.0):
    """Specific heat per spin of the infinite lattice (k_B = 1), zero field.

    c = (4/pi) (K coth 2K)^2 {K1(k) - E1(k) - (1 - tanh^2 2K) [pi/2 + (2 tanh^2 2K - 1) K1(k)]},
    K = J/T, k = 2 sinh(2K) / cosh^2(2K), K1 and E1 the complete elliptic integrals of the
    first and second kind: the temperature derivative of :func:`onsager_energy` (the tests
    check it against a finite difference). It diverges logarithmically at T_C, where this
    returns inf.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, k, t, s = _onsager_variables(T, J)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ellipk, ellipe = _elliptic()
        first = ellipk(k**2)
        second = ellipe(k**2)
        bracket = first - second - s**2 * (np.pi / 2 + (2 * t**2 - 1) * first)  # 1 - t^2 = s^2
        # Far from T_C the terms cancel and the difference loses its digits (it even turns
        # negative); there the series of K1 and E1 in m = k^2 give, with sigma = s^2 (low T) and
        # tau = t^2 (high T), truncation errors below 1e-11:
        #   bracket = (pi/2) sigma^2 (2 + 9/4 sigma + 25/8 sigma^2 + 305/64 sigma^3 + O(sigma^4)),
        #   bracket = (pi/2) tau (1 + 5/4 tau + 3/2 tau^2 + 145/64 tau^3 + O(tau^4)).
        sigma, tau = s**2, t**2
        low = np.pi / 2 * sigma**2 * (2 + sigma * (9 / 4 + sigma * (25 / 8 + sigma * 305 / 64)))
        high = np.pi / 2 * tau * (1 + tau * (5 / 4 + tau * (3 / 2 + tau * 145 / 64)))
        bracket = np.where(sigma < 1e-3, low, np.where(tau < 1e-3, high, bracket))
        # bracket is 0 where the spins are frozen (k and s underflow), and (K / t)^2 may be inf
        c = np.where(bracket == 0.0, 0.0, 4.0 / np.pi * (K / t) ** 2 * bracket)
    return _scalar_or_array(np.where(k >= 1.0, np.inf, c))


def onsager_magnetization(T, J=1.0):
    """Spontaneous magnetisation per spin of the infinite lattice (Yang 1952).

    m = (1 - sinh(2J/T)^-4)^(1/8) below T_C, and 0 at and above it.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, *_ = _onsager_variables(T, J)
    # 1 / sinh(2K) written as 2 exp(-2K) / (1 - exp(-4K)), which does not overflow at low T; at
    # high T its fourth power may overflow to inf, and then m = 0 as it should
    with np.errstate(over="ignore"):
        inner = 1.0 - (2.0 * np.exp(-2 * K) / -np.expm1(-4 * K)) ** 4
    m = np.where(inner > 0, np.maximum(inner, 0.0) ** 0.125, 0.0)
    return _scalar_or_array(m)


@functools.cache
def _density_of_states(L):
    """Distinct (bond sum, magnetisation) pairs of an L x L lattice and how many states have each.

    Computed once per L by enumerating all 2^(L*L) states; every thermal average is then a
    sum over a few hundred classes instead of 65,536 states.
    """
    spins = (2 * exact.binary_states(L * L).astype(np.int64) - 1).reshape(-1, L, L)
    bonds = (spins * (np.roll(spins, -1, axis=1) + np.roll(spins, -1, axis=2))).sum(axis=(1, 2))
    M = spins.sum(axis=(1, 2))
    pairs, counts = np.unique(np.stack([bonds, M], axis=1), axis=0, return_counts=True)
    return pairs[:, 0].astype(np.float64), pairs[:, 1].astype(np.float64), counts.astype(np.float64)


@dataclass(frozen=True)
class ExactDistribution:
    """The Boltzmann distribution of a small lattice, state by state (see :func:`exact_distribution`)."""

    probabilities: np.ndarray
    """p(s) = exp(-E(s)/T) / Z of every state, shape (2^(L*L),)."""
    energy: np.ndarray
    """E(s) of every state."""
    magnetization: np.ndarray
    """M(s) = sum_i s_i of every state."""


def _reduced_energies(E, T, J, h):
    """E / T, the Boltzmann exponent, refused by name when it is beyond the largest float."""
    with np.errstate(over="ignore"):
        reduced = E / T
    if not np.all(np.isfinite(reduced)):
        raise ValueError(
            f"J / T = {J / T:g} and h / T = {h / T:g} make E / T overflow a float: "
            "the Boltzmann weights exp(-E/T) cannot be computed; use a higher T"
        )
    return reduced


def exact_distribution(L, T, J=1.0, h=0.0):
    """The Boltzmann distribution of an L x L periodic lattice over all its 2^(L*L) states.

    State k has spin s = 2 v - 1 at site (i, j), where v is bit i * L + j of k: the order of
    :func:`bmlib.exact.states_by_code` for the visible units of
    :func:`bmlib.datasets.spins_to_visible`, so the probabilities line up entry by entry with
    :func:`bmlib.rbm.visible_distribution` of an RBM trained on that data.

    Parameters
    ----------
    L : int
        2, 3 or 4 (4 x 4 has 65,536 states).
    T : float
        > 0.
    J, h : float

    Returns
    -------
    ExactDistribution
        ``probabilities``, ``energy`` and ``magnetization`` of every state.
    """
    L = lattice_size(L)
    if L > 4:
        raise ValueError(f"L must be <= 4 for enumeration (2^(L*L) states), got {L}")
    T = temperature(T)
    J, h = real("J", J), real("h", h)
    spins = (2 * exact.states_by_code(L * L).astype(np.int64) - 1).reshape(-1, L, L)
    bonds = (spins * (np.roll(spins, -1, axis=1) + np.roll(spins, -1, axis=2))).sum(axis=(1, 2))
    M = spins.sum(axis=(1, 2)).astype(np.float64)
    E = -J * bonds.astype(np.float64) - h * M
    log_weights = -_reduced_energies(E, T, J, h)
    probabilities = np.exp(log_weights - stats.logsumexp(log_weights))
    return ExactDistribution(probabilities=probabilities, energy=E, magnetization=M)


def exact_observables(L, T, J=1.0, h=0.0):
    """Exact thermal averages of an L x L periodic lattice by enumerating all 2^(L*L) states.

    The same quantities, with the same definitions, as :class:`SimulationResult`.

    Parameters
    ----------
    L : int
        2, 3 or 4 (4 x 4 has 65,536 states).
    T : float
        > 0.
    J, h : float

    Returns
    -------
    dict
        ``energy`` (<E>/N), ``abs_magnetization`` (<|M|>/N), ``specific_heat``,
        ``susceptibility``, ``binder``, ``log_partition`` (log Z), and ``m2`` (<M^2>/N^2).
    """
    L = lattice_size(L)
    if L > 4:
        raise ValueError(f"L must be <= 4 for enumeration (2^(L*L) states), got {L}")
    T = temperature(T)
    J, h = real("J", J), real("h", h)
    n = L * L
    bonds, M, counts = _density_of_states(L)
    E = -J * bonds - h * M
    log_weights = np.log(counts) - _reduced_energies(E, T, J, h)
    log_Z = stats.logsumexp(log_weights)
    p = np.exp(log_weights - log_weights.max())
    p /= p.sum()  # normalised by its own sum, so that the averages of constants are exact
    mean_E, mean_abs_M = p @ E, p @ np.abs(M)
    m2, m4 = p @ M**2, p @ M**4
    return {
        "energy": mean_E / n,
        "abs_magnetization": mean_abs_M / n,
        # variances as averages of squares about the mean, which cannot cancel below zero; divided
        # by T twice, since T**2 underflows to 0 for T < 1e-162 where the variance is exactly 0
        "specific_heat": p @ (E - mean_E) ** 2 / T / T / n,
        "susceptibility": p @ (np.abs(M) - mean_abs_M) ** 2 / T / n,
        "binder": 1.0 - m4 / (3.0 * m2**2),
        "log_partition": log_Z,
        "m2": m2 / n**2,
    }
