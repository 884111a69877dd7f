"""Hopfield networks: memories stored by Hebb's rule, recalled by deterministic descent.

A Hopfield network is a Boltzmann machine at T = 0: unit i becomes 1 when its energy gap
Delta E_i = sum_j w_ij s_j + theta_i is positive and 0 when it is negative, so no update
raises the energy and the state rolls down into a local minimum. Hebb's rule puts minima at
the patterns to be stored (Hopfield 1982); descent from a corrupted pattern then recalls the
original, as long as not too many patterns are stored.

References
----------
J. J. Hopfield, "Neural networks and physical systems with emergent collective computational
abilities", PNAS 79 (1982) 2554.
"""

import numpy as np

from bmlib import _validate, rng
from bmlib.bm import _checks, _kernels
from bmlib.exact import check_weights

__all__ = ["hopfield_weights", "hopfield_recall"]


def hopfield_weights(patterns):
    """Hebbian weights storing binary patterns in a Hopfield network of {0, 1} units.

    In spin language, x = 2s - 1 in {-1, +1}, Hebb's rule is J = (1/N) sum_p x^p x^p^T with a
    zero diagonal and energy -1/2 x^T J x. Substituting x = 2s - 1 gives the same energy (up
    to a constant) for {0, 1} units with

        W = 4 J,   theta_i = -2 sum_j J_ij .

    Parameters
    ----------
    patterns : array_like of shape (n_patterns, N)
        Binary patterns to store, not empty.

    Returns
    -------
    W : ndarray of shape (N, N)
        Symmetric, zero diagonal.
    theta : ndarray of shape (N,)
    """
    array = _validate.real_array("patterns", patterns)
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"patterns must be 2-D (n_patterns, N), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError("patterns must not be empty (nothing to store)")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("patterns must hold only 0 and 1")
    spins = 2.0 * array - 1.0
    J = spins.T @ spins / array.shape[1]
    np.fill_diagonal(J, 0.0)
    return 4.0 * J, -2.0 * J.sum(axis=1)


def hopfield_recall(s, W, theta, max_sweeps=100, seed=None):
    """Asynchronous deterministic descent: the T -> 0 limit of Gibbs sampling.

    Each sweep visits the units in a random order; unit i becomes 1 if Delta E_i > 0 and 0
    if Delta E_i < 0 (a tie leaves it alone). No update can raise the energy, since it changes
    E by -(s_i' - s_i) Delta E_i <= 0. Stops after a sweep that changes nothing (a local
    minimum: a stored memory, or a spurious one) or after ``max_sweeps``.

    Parameters
    ----------
    s : array_like of shape (N,) or (n_states, N)
        Starting states (binary); not modified.
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    max_sweeps : int
        >= 1. Only a bound: memory follows the sweeps the states actually need.
    seed : int, numpy.random.Generator or None
        The visiting orders, one stream per state.

    Returns
    -------
    final : ndarray of the shape of ``s``, float64
    energies : ndarray of shape (n_visits + 1,) or (n_states, n_visits + 1)
        The energy before the first visit and after every unit visit, n_visits being N times
        the largest number of sweeps any state needed; a converged state's energy is
        repeated to the end.

    Notes
    -----
    The descent runs twice with the same random numbers: once to count the sweeps the slowest
    state needs, then again to record the energies into an array of exactly the returned size,
    so a generous ``max_sweeps`` costs no memory. Descent is cheap; the array can be large.
    """
    W, theta = check_weights(W, theta)
    states, one = _checks.chains("s", s, theta.size)
    max_sweeps = _validate.count("max_sweeps", max_sweeps)
    if max_sweeps < 1:
        raise ValueError("max_sweeps must be >= 1")
    streams = rng.stream_states(seed, states.shape[0])
    no_record = np.empty((states.shape[0], 0))
    used = _kernels.hopfield_descent(states.copy(), W, theta, max_sweeps, streams.copy(), no_record)
    # the second run, capped at the sweeps the first one used, takes the same steps
    energies = np.empty((states.shape[0], used * theta.size + 1))
    _kernels.hopfield_descent(states, W, theta, used, streams, energies)
    return (states[0], energies[0]) if one else (states, energies)
