"""Maxwell–Boltzmann speeds of gas molecules, and the Boltzmann distribution over discrete states.

Continuous part (SI units: speeds in m/s, T in kelvin, masses in kg)
--------------------------------------------------------------------
In an ideal gas at temperature T each velocity component of a molecule of mass m is
normal with variance a^2 = k_B T / m, because its probability is proportional to the
Boltzmann factor exp(-m v_x^2 / (2 k_B T)) of its kinetic energy. The speed
v = |(v_x, v_y, v_z)| then has the density

    f(v) = sqrt(2/pi) v^2 / a^3 exp(-v^2 / (2 a^2))
         = 4 pi (m / (2 pi k_B T))^(3/2) v^2 exp(-m v^2 / (2 k_B T)),   v >= 0,

the Boltzmann factor times 4 pi v^2, the area of the sphere of velocities with speed v.

Discrete part (energies and T in the same units, k_B = 1)
---------------------------------------------------------
An energy-based model gives state x the probability p(x) = exp(-E(x)/T) / Z with the
partition function Z = sum_x exp(-E(x)/T). :func:`boltzmann_probabilities` and
:func:`log_partition_function` compute them without overflow for energies spanning
hundreds or thousands of T.
"""

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange, vectorize

from bmlib import _validate, rng
from bmlib.stats import logsumexp

__all__ = [
    "K_B",
    "N_A",
    "Gas",
    "GASES",
    "speed_pdf",
    "speed_cdf",
    "speed_sf",
    "most_probable_speed",
    "mean_speed",
    "rms_speed",
    "sample_velocities",
    "sample_speeds",
    "boltzmann_probabilities",
    "log_partition_function",
]

K_B = 1.380649e-23
"""Boltzmann constant in J/K (exact in the 2019 SI)."""

N_A = 6.02214076e23
"""Avogadro constant in 1/mol (exact in the 2019 SI)."""


@dataclass(frozen=True)
class Gas:
    """A gas whose molecules we treat as point masses.

    Attributes
    ----------
    name : str
    molar_mass : float
        In g/mol (standard atomic weights, IUPAC); one finite number > 0, or a ValueError or
        TypeError names it.
    """

    name: str
    molar_mass: float

    def __post_init__(self):
        # checked once here, so that every function taking a Gas can trust its mass
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string, got {type(self.name).__name__}")
        if isinstance(self.molar_mass, bool):
            raise TypeError("molar_mass must be a number of grams per mole, got a bool")
        object.__setattr__(self, "molar_mass", _validate.positive_scalar("molar_mass", self.molar_mass))

    @property
    def mass(self):
        """Mass of one molecule in kg: molar mass / N_A."""
        return self.molar_mass * 1e-3 / N_A


GASES = {
    gas.name: gas
    for gas in [
        Gas("H2", 2.016),
        Gas("He", 4.002602),
        Gas("CH4", 16.043),
        Gas("H2O", 18.015),
        Gas("Ne", 20.1797),
        Gas("N2", 28.014),
        Gas("O2", 31.998),
        Gas("Ar", 39.948),
        Gas("CO2", 44.009),
        Gas("Kr", 83.798),
        Gas("Xe", 131.293),
    ]
}
"""Some real gases by formula: ``GASES["N2"].mass`` is the mass of one N2 molecule in kg."""


# ---------------------------------------------------------------------------------------
# Closed forms


def _mass(m):
    if isinstance(m, Gas):
        return m.mass
    return _validate.positive("m", m)


def _scale(T, m):
    """a = sqrt(k_B T / m), the standard deviation of one velocity component, in m/s."""
    return np.sqrt(K_B * _validate.temperatures("T", T) / _mass(m))


def _standard_speed(v, a):
    """x = v / a, clipped to [-1e3, 1e3]: beyond |x| = 40 exp(-x^2/2) is exactly 0 in float64,
    so clipping changes no result, and it keeps x^2 finite for speeds near the largest float."""
    with np.errstate(over="ignore"):
        return np.clip(v / a, -1e3, 1e3)


def _scalar_or_array(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def speed_pdf(v, T, m):
    """Maxwell–Boltzmann probability density of the speed, in s/m.

    f(v) = 4 pi (m / (2 pi k_B T))^(3/2) v^2 exp(-m v^2 / (2 k_B T)) for v >= 0, and 0
    for v < 0.

    Parameters
    ----------
    v : float or ndarray
        Speeds in m/s.
    T : float or ndarray
        Temperature in kelvin, > 0. Broadcasts against ``v``.
    m : float, ndarray or Gas
        Mass of one molecule in kg, > 0 (or an entry of :data:`GASES`).

    Returns
    -------
    float or ndarray
        The density, broadcast to the shape of the inputs.
    """
    v = _validate.real_array("v", v)
    a = _scale(T, m)
    x = _standard_speed(v, a)
    density = np.sqrt(2.0 / np.pi) * x * x * np.exp(-0.5 * x * x) / a
    return _scalar_or_array(np.where(v >= 0.0, density, 0.0))


@vectorize(["float64(float64)"], cache=True)
def _speed_cdf_standard(x):
    # F(x) = erf(x / sqrt 2) - sqrt(2/pi) x exp(-x^2/2),  x = v / a >= 0
    if x <= 0.0:
        return 0.0
    return math.erf(x / math.sqrt(2.0)) - math.sqrt(2.0 / math.pi) * x * math.exp(-0.5 * x * x)


def speed_cdf(v, T, m):
    """Probability that a molecule's speed is at most ``v``.

    F(v) = erf(v / (sqrt(2) a)) - sqrt(2/pi) (v/a) exp(-v^2 / (2 a^2)), a = sqrt(k_B T / m).

    Parameters
    ----------
    v, T, m
        As in :func:`speed_pdf`.

    Returns
    -------
    float or ndarray
        Values in [0, 1]; 0 for v <= 0.
    """
    v = _validate.real_array("v", v)
    return _scalar_or_array(_speed_cdf_standard(_standard_speed(v, _scale(T, m))))


@vectorize(["float64(float64)"], cache=True)
def _speed_sf_standard(x):
    # 1 - F(x) = erfc(x / sqrt 2) + sqrt(2/pi) x exp(-x^2/2): no cancellation in the tail
    if x <= 0.0:
        return 1.0
    return math.erfc(x / math.sqrt(2.0)) + math.sqrt(2.0 / math.pi) * x * math.exp(-0.5 * x * x)


def speed_sf(v, T, m):
    """Probability that a molecule's speed exceeds ``v``: 1 - F(v), accurate far into the tail.

    ``1 - speed_cdf(v, T, m)`` loses every digit once F(v) rounds to 1 (about 1e-16 from
    the top); this form, erfc(v / (sqrt(2) a)) + sqrt(2/pi) (v/a) exp(-v^2 / (2 a^2)),
    stays accurate down to about 1e-300.

    Parameters
    ----------
    v, T, m
        As in :func:`speed_pdf`.

    Returns
    -------
    float or ndarray
        Values in [0, 1]; 1 for v <= 0.
    """
    v = _validate.real_array("v", v)
    return _scalar_or_array(_speed_sf_standard(_standard_speed(v, _scale(T, m))))


def most_probable_speed(T, m):
    """Speed at the peak of f(v): v_p = sqrt(2 k_B T / m), in m/s."""
    return _scalar_or_array(np.sqrt(2.0) * _scale(T, m))


def mean_speed(T, m):
    """Mean speed <v> = sqrt(8 k_B T / (pi m)), in m/s."""
    return _scalar_or_array(np.sqrt(8.0 / np.pi) * _scale(T, m))


def rms_speed(T, m):
    """Root-mean-square speed sqrt(<v^2>) = sqrt(3 k_B T / m), in m/s."""
    return _scalar_or_array(np.sqrt(3.0) * _scale(T, m))


# ---------------------------------------------------------------------------------------
# Sampling

_BLOCK_ROWS = 4096  # rows per random stream; even, so pairs of normals never straddle blocks


@njit(cache=True, parallel=True)
def _sample_velocities(states, sigma, out):
    # v_x, v_y, v_z ~ Normal(0, sigma^2) independently, sigma = sqrt(k_B T / m).
    # Block b of rows draws from stream b, so the result does not depend on thread count.
    n = out.shape[0]
    flat = out.reshape(3 * n)
    for block in prange(states.shape[0]):
        start = 3 * block * _BLOCK_ROWS
        stop = min(3 * n, start + 3 * _BLOCK_ROWS)
        for j in range(start, stop, 2):
            z0, z1 = rng.next_normal_pair(states, block)
            flat[j] = sigma * z0
            if j + 1 < stop:
                flat[j + 1] = sigma * z1


@njit(cache=True, parallel=True)
def _sample_speeds(states, sigma, out):
    # v = sigma * sqrt(z_1^2 + z_2^2 + z_3^2): the same normals, in the same order, as
    # _sample_velocities, so speeds equal the norms of the velocities for the same seed.
    # Two rows at a time take three pairs of normals.
    n = out.shape[0]
    for block in prange(states.shape[0]):
        start = block * _BLOCK_ROWS
        stop = min(n, start + _BLOCK_ROWS)
        for i in range(start, stop, 2):
            a0, a1 = rng.next_normal_pair(states, block)
            b0, b1 = rng.next_normal_pair(states, block)
            out[i] = sigma * np.sqrt(a0 * a0 + a1 * a1 + b0 * b0)
            if i + 1 < stop:
                c0, c1 = rng.next_normal_pair(states, block)
                out[i + 1] = sigma * np.sqrt(b1 * b1 + c0 * c0 + c1 * c1)


def _sampling_setup(n, T, m, seed):
    n = _validate.count("n", n)
    sigma = float(np.sqrt(K_B * _validate.temperature("T", T) / _scalar_mass(m)))
    states = rng.stream_states(seed, -(-n // _BLOCK_ROWS))
    return n, sigma, states


def _scalar_mass(m):
    if isinstance(m, Gas):
        return m.mass
    return _validate.positive_scalar("m", m)


def sample_velocities(n, T, m, seed=None):
    """Draw ``n`` molecular velocities from the Maxwell–Boltzmann distribution.

    Each component is Normal(0, k_B T / m). Compiled with Numba and run in parallel over
    fixed blocks of 4096 rows, one random stream per block (see :mod:`bmlib.rng`), so the
    same seed gives the same array whatever the number of threads.

    Parameters
    ----------
    n : int
        Number of molecules, >= 0.
    T : float
        Temperature in kelvin, > 0.
    m : float or Gas
        Mass of one molecule in kg, > 0.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    ndarray of shape (n, 3)
        Velocities (v_x, v_y, v_z) in m/s.
    """
    n, sigma, states = _sampling_setup(n, T, m, seed)
    out = np.empty((n, 3), dtype=np.float64)
    if n:
        _sample_velocities(states, sigma, out)
    return out


def sample_speeds(n, T, m, seed=None):
    """Draw ``n`` molecular speeds from the Maxwell–Boltzmann distribution.

    Equal to ``np.linalg.norm(sample_velocities(n, T, m, seed), axis=1)`` (the same random
    numbers), but computed in one pass without storing the velocities.

    Parameters
    ----------
    n, T, m, seed
        As in :func:`sample_velocities`.

    Returns
    -------
    ndarray of shape (n,)
        Speeds in m/s.
    """
    n, sigma, states = _sampling_setup(n, T, m, seed)
    out = np.empty(n, dtype=np.float64)
    if n:
        _sample_speeds(states, sigma, out)
    return out


# ---------------------------------------------------------------------------------------
# Discrete energy-based model


def _scaled_energies(energies, T):
    """Return -(E - E_min)/T (all <= 0, the largest exactly 0) and -E_min/T."""
    energies = _validate.vector("energies", energies)
    T = _validate.temperature("T", T)
    lowest = energies.min()
    # a state more than ~1.8e308 T above the ground state has probability exactly 0: its
    # exponent overflows to -inf, which logsumexp and exp take as weight 0
    with np.errstate(over="ignore"):
        return -(energies - lowest) / T, -lowest / T


def log_partition_function(energies, T):
    """Return log Z, Z = sum_x exp(-E(x)/T), without overflow.

    log Z = -E_min/T + log sum_x exp(-(E(x) - E_min)/T): every exponent is <= 0 and the
    ground state contributes exactly 1, so the sum is finite and >= 1.

    Parameters
    ----------
    energies : array_like of shape (n_states,)
        Energy of every state, in the same units as T (k_B = 1). Finite, not empty.
    T : float
        Temperature, > 0.

    Returns
    -------
    float
    """
    scaled, shift = _scaled_energies(energies, T)
    if not np.isfinite(shift):
        raise ValueError(
            f"-min(energies) / T is beyond the largest float (T = {T!r}), so log Z is too: measure "
            "the energies from a nearer zero or in larger units"
        )
    return shift + logsumexp(scaled)


def boltzmann_probabilities(energies, T):
    """Return p(x) = exp(-E(x)/T) / Z for every state x.

    Computed as exp(-(E(x) - E_min)/T - log Z'), Z' = sum_x exp(-(E(x) - E_min)/T), so
    energies spanning thousands of T give the right answer, never 0/0.

    Parameters
    ----------
    energies : array_like of shape (n_states,)
        Energy of every state, in the same units as T (k_B = 1). Finite, not empty.
    T : float
        Temperature, > 0.

    Returns
    -------
    ndarray of shape (n_states,)
        Probabilities, summing to 1.
    """
    scaled, _ = _scaled_energies(energies, T)
    return np.exp(scaled - logsumexp(scaled))
