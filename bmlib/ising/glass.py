"""Spin glasses and simulated annealing on any symmetric coupling matrix.

A spin glass has couplings J_ij of both signs, so no configuration satisfies every bond and
the energy

    E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i,   s_i = +-1,

has many local minima. :func:`anneal` looks for low energies by Metropolis or heat-bath
sweeps at a temperature lowered along a schedule (:func:`geometric_schedule`): slowly
enough, the chain settles into a deep minimum instead of the nearest one. The same code
anneals Sherrington-Kirkpatrick and +-J glasses, and a max-cut instance written as a spin
glass with J = -w.

References
----------
S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi, "Optimization by simulated annealing",
Science 220, 671 (1983).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from bmlib import _validate, rng, stats
from bmlib.ising import _checks


def _check_couplings(J_matrix, h):
    J_matrix = _checks.couplings("J_matrix", J_matrix)
    if J_matrix.ndim != 2 or J_matrix.shape[0] != J_matrix.shape[1] or J_matrix.shape[0] < 1:
        raise ValueError(f"J_matrix must be a square matrix of shape (n, n), got shape {J_matrix.shape}")
    if not np.allclose(J_matrix, J_matrix.T, rtol=1e-12, atol=1e-12):
        raise ValueError("J_matrix must be symmetric (J_ij = J_ji)")
    if np.any(np.diag(J_matrix) != 0):
        raise ValueError("J_matrix must have a zero diagonal (no self-coupling)")
    n = J_matrix.shape[0]
    h = np.zeros(n) if h is None else _checks.couplings("h", h)
    if h.ndim == 0:
        h = np.full(n, float(h))
    if h.shape != (n,):
        raise ValueError(f"h must be a number or have shape ({n},), got shape {h.shape}")
    return np.ascontiguousarray(J_matrix), h


def _real_spins(spins):
    spins = np.asarray(spins)
    if spins.dtype.kind not in "biuf":  # complex, strings, objects: not spin values
        raise TypeError(f"spins must hold real numbers -1 and +1, got dtype {spins.dtype}")
    return spins


def _check_state(state, n):
    state = _real_spins(state)
    if state.shape != (n,):
        raise ValueError(f"spins must have shape ({n},), got {state.shape}")
    if not np.all((state == 1) | (state == -1)):
        raise ValueError("spins must hold only -1 and +1")
    return state.astype(np.int8)


def couplings_energy(spins, J_matrix, h=None):
    """E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i for any symmetric coupling matrix.

    Parameters
    ----------
    spins : array_like of shape (n,) or (n_states, n)
        Values -1 and +1.
    J_matrix : ndarray of shape (n, n)
        Symmetric, zero diagonal.
    h : float or ndarray of shape (n,), optional

    Returns
    -------
    float or ndarray of shape (n_states,)
    """
    J_matrix, h = _check_couplings(J_matrix, h)
    spins = _real_spins(spins)
    if spins.shape[-1:] != (J_matrix.shape[0],) or spins.ndim > 2:
        raise ValueError(
            f"spins must have shape (n,) or (n_states, n) with n = {J_matrix.shape[0]}, got {spins.shape}"
        )
    if not np.all((spins == 1) | (spins == -1)):
        raise ValueError("spins must hold only -1 and +1")
    s = spins.astype(np.float64)
    value = -0.5 * np.einsum("...i,ij,...j->...", s, J_matrix, s) - s @ h
    return float(value) if np.ndim(value) == 0 else value


def geometric_schedule(T_start, T_end, n_sweeps):
    """Temperatures falling geometrically from ``T_start`` to ``T_end``, one per sweep.

    Returns
    -------
    ndarray of shape (n_sweeps,)
    """
    T_start = _validate.temperature("T_start", T_start)
    T_end = _validate.temperature("T_end", T_end)
    n_sweeps = _validate.count(
        "n_sweeps",
        n_sweeps,
        maximum=10**8,
        why="the schedule holds one float per sweep (800 MB at the limit)",
    )
    if n_sweeps < 1:
        raise ValueError("n_sweeps must be >= 1")
    return np.geomspace(T_start, T_end, n_sweeps)


@dataclass
class AnnealResult:
    """Outcome of :func:`anneal`.

    Attributes
    ----------
    spins : ndarray of shape (n,), int8
        The lowest-energy state met during the run.
    energy : float
        Its energy.
    trace : ndarray of shape (n_sweeps,)
        The energy after each sweep.
    final_spins : ndarray of shape (n,), int8
        The state at the end of the schedule.
    """

    spins: np.ndarray
    energy: float
    trace: np.ndarray
    final_spins: np.ndarray


@njit(cache=True)
def _anneal_kernel(spins, J_matrix, h, schedule, heat_bath, states, trace, best):
    # Sequential sweeps over i. Local field f_i = sum_j J_ij s_j + h_i; flipping s_i costs
    # dE = 2 s_i f_i. Metropolis accepts with min(1, exp(-dE/T)); heat-bath sets s_i = +1
    # with probability sigmoid(2 f_i / T) whatever it was. At T = 0 both become greedy descent.
    n = spins.size
    field = J_matrix @ spins.astype(np.float64) + h
    E = -0.5 * np.dot(spins.astype(np.float64), field - h) - np.dot(spins.astype(np.float64), h)
    best_E = E
    best[:] = spins
    for sweep in range(schedule.size):
        T = schedule[sweep]
        for i in range(n):
            s = spins[i]
            delta = 2.0 * s * field[i]
            if heat_bath:
                if T > 0.0:
                    p_up = stats.sigmoid(2.0 * field[i] / T)
                    new = 1 if rng.next_double(states, 0) < p_up else -1
                else:
                    new = 1 if field[i] > 0 else (-1 if field[i] < 0 else s)
                flip = new != s
            elif delta <= 0.0:
                flip = True
            elif T > 0.0:
                flip = rng.next_double(states, 0) < np.exp(-delta / T)
            else:
                flip = False
            if flip:
                spins[i] = -s
                E += delta
                for j in range(n):
                    field[j] -= 2.0 * s * J_matrix[j, i]
                if E < best_E - 1e-12:
                    best_E = E
                    best[:] = spins
        trace[sweep] = E
    return best_E


def anneal(J_matrix, h, schedule, seed=None, *, spins=None, method="metropolis"):
    """Simulated annealing on E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i, s_i = +-1.

    One sequential sweep over all spins per temperature of ``schedule``. The lowest energy
    met is tracked exactly (E is updated with every accepted flip), and returned with its
    state. A schedule of zeros is a quench: greedy descent into the nearest local minimum.

    Parameters
    ----------
    J_matrix : ndarray of shape (n, n)
        Symmetric couplings with zero diagonal.
    h : float, ndarray of shape (n,) or None
        External fields (None for zero).
    schedule : array_like of shape (n_sweeps,)
        Temperatures, >= 0, usually decreasing (see :func:`geometric_schedule`).
    seed : int, numpy.random.Generator or None
    spins : array_like of shape (n,), optional
        Starting state (default: random, from the seed). Not modified.
    method : {"metropolis", "heat-bath"}

    Returns
    -------
    AnnealResult
    """
    J_matrix, h = _check_couplings(J_matrix, h)
    schedule = _validate.vector("schedule", schedule)
    if np.any(schedule < 0):
        raise ValueError("schedule temperatures must be >= 0")
    if method not in ("metropolis", "heat-bath"):
        raise ValueError(f"method must be 'metropolis' or 'heat-bath', got {method!r}")
    n = J_matrix.shape[0]
    generator = rng.as_generator(seed)
    if spins is None:
        state = (2 * generator.integers(0, 2, size=n) - 1).astype(np.int8)
    else:
        state = _check_state(spins, n).copy()
    trace = np.empty(schedule.size)
    best = np.empty(n, dtype=np.int8)
    states = rng.stream_states(generator, 1)
    best_E = _anneal_kernel(state, J_matrix, h, schedule, method == "heat-bath", states, trace, best)
    return AnnealResult(spins=best, energy=float(best_E), trace=trace, final_spins=state)
