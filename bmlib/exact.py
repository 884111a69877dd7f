"""Exact enumeration of every state of a small binary model: the ground truth for tests.

A Boltzmann machine over N units s_i in {0, 1}, with a symmetric weight matrix W (zero
diagonal) and biases theta, has energy

    E(s) = -( sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i ) = -( 1/2 s^T W s + theta^T s )

and, at temperature T, the Boltzmann distribution P(s) = exp(-E(s) / T) / Z with
Z = sum_s exp(-E(s) / T). For N up to about 20 the 2^N terms of Z can simply be added up.

How the states are visited
--------------------------
The states are walked in Gray-code order (:func:`binary_states`): consecutive states differ
in one unit, so the energy is updated in O(N) from the previous one instead of recomputed
in O(N^2). The kernel keeps the fields h_i = sum_j w_ij s_j + theta_i; switching unit i on
lowers the energy by h_i, switching it off raises it by h_i, and either way every field
h_j moves by +-w_ij: O(2^N N) time in all.

How results are indexed
-----------------------
Arrays over all states (:func:`distribution`, :func:`marginal`) are indexed by the state's
*code* k = sum_i s_i 2^i: unit i is bit i of k. :func:`state_codes` turns states into codes
and :func:`states_by_code` lists the states in code order. With the visible units first,
the code of the visible part of s is the code of s modulo 2^n_visible.
"""

import numpy as np
from numba import njit

from bmlib import _validate, stats

__all__ = [
    "binary_states",
    "states_by_code",
    "state_codes",
    "check_weights",
    "energies",
    "log_weights",
    "log_partition",
    "distribution",
    "marginal",
    "moments",
    "clamped_moments",
    "kl_divergence",
    "MAX_GAP",
]

_MAX_UNITS = 26  # 2^26 states x 26 bytes = 1.7 GB: beyond this enumeration is not the tool
_SYMMETRY_TOLERANCE = 1e-10  # relative to the largest |w_ij|
_MAX_LOG_WEIGHT = 1e307  # |-E(s)/T| below this: log Z and log P stay finite (the largest float is 1.8e308)

MAX_GAP = 1e300
"""The largest energy gap bound, max_i (sum_j |w_ij| + |theta_i|), that :func:`check_weights`
accepts: with it every energy gap, every energy of up to 10^7 units, and every partial sum on the
way is a finite float."""


def binary_states(n):
    """All 2^n binary states of n units, in Gray-code order.

    Consecutive rows differ in exactly one unit, so an energy can be updated incrementally
    from one state to the next. Row k is the Gray code g = k XOR (k >> 1), unit i being
    bit i of g; row 0 is all zeros.

    Parameters
    ----------
    n : int
        Number of units, 1 <= n <= 26.

    Returns
    -------
    ndarray of shape (2**n, n), dtype uint8
    """
    n = _units("n", n)
    k = np.arange(2**n, dtype=np.int64)
    gray = k ^ (k >> 1)
    return ((gray[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def states_by_code(n):
    """All 2^n binary states of n units in code order: row k has unit i equal to bit i of k.

    This is the order of :func:`distribution` and :func:`marginal`.

    Parameters
    ----------
    n : int
        Number of units, 1 <= n <= 26.

    Returns
    -------
    ndarray of shape (2**n, n), dtype uint8
    """
    n = _units("n", n)
    k = np.arange(2**n, dtype=np.int64)
    return ((k[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def state_codes(states):
    """Code k = sum_i s_i 2^i of each binary state (the index into :func:`distribution`).

    Parameters
    ----------
    states : array_like of shape (n_units,) or (n_states, n_units)
        Values 0 and 1; 1 <= n_units <= 62.

    Returns
    -------
    int or ndarray of shape (n_states,), dtype int64
    """
    array = _validate.real_array("states", states)
    if array.ndim not in (1, 2) or array.shape[-1] == 0:
        raise ValueError(f"states must have shape (n_units,) or (n_states, n_units), got {array.shape}")
    if array.shape[-1] > 62:
        raise ValueError(f"states must have at most 62 units to fit a code in int64, got {array.shape[-1]}")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("states must hold only 0 and 1")
    codes = array.astype(np.int64) @ (np.int64(1) << np.arange(array.shape[-1], dtype=np.int64))
    return int(codes) if array.ndim == 1 else codes


def check_weights(W, theta):
    """Check and convert the parameters of a Boltzmann machine; the one place that does so.

    Parameters
    ----------
    W : array_like of shape (n_units, n_units)
        Finite, symmetric (to 1e-10 of its largest entry) with a zero diagonal.
    theta : array_like of shape (n_units,)
        Finite biases. No unit's energy gap may exceed :data:`MAX_GAP` = 1e300 in any state:
        sum_j |w_ij| + |theta_i| <= 1e300 for every i.

    Returns
    -------
    W : ndarray of shape (n_units, n_units), float64
        A new array, exactly symmetric (the mean of W and W^T) with an exactly zero diagonal.
    theta : ndarray of shape (n_units,), float64
        A new array.

    Raises
    ------
    ValueError
        Wrong shapes, sizes that do not match, NaN or infinity, parameters so large that an
        energy would overflow, an asymmetric W or a non-zero diagonal.
    """
    W = _validate.real_array("W", W)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"W must be a non-empty square matrix (n_units, n_units), got shape {W.shape}")
    theta = _validate.real_array("theta", theta)
    if theta.ndim != 1:
        raise ValueError(f"theta must be 1-D (one bias per unit), got shape {theta.shape}")
    if theta.shape[0] != W.shape[0]:
        raise ValueError(f"theta has {theta.shape[0]} entries but W is {W.shape[0]} x {W.shape[1]}")
    with np.errstate(over="ignore"):  # a sum beyond the largest float is inf, and refused
        gaps = np.abs(W).sum(axis=1) + np.abs(theta)
    if gaps.max() > MAX_GAP:
        i = int(np.argmax(gaps))
        raise ValueError(
            f"W and theta are too large: unit {i} has an energy gap of up to sum_j |w_ij| + |theta_i| = "
            f"{gaps[i]:.3g}, beyond {MAX_GAP:g}, where energies stop being finite floats"
        )
    scale = max(1.0, float(np.abs(W).max()))
    asymmetry = float(np.abs(W - W.T).max())
    if asymmetry > _SYMMETRY_TOLERANCE * scale:
        i, j = np.unravel_index(np.argmax(np.abs(W - W.T)), W.shape)
        raise ValueError(
            f"W must be symmetric (w_ij = w_ji): W[{i}, {j}] = {W[i, j]!r} but W[{j}, {i}] = {W[j, i]!r}"
        )
    diagonal = float(np.abs(np.diag(W)).max())
    if diagonal > _SYMMETRY_TOLERANCE * scale:
        i = int(np.argmax(np.abs(np.diag(W))))
        raise ValueError(f"W must have a zero diagonal (no self-connections), but W[{i}, {i}] = {W[i, i]!r}")
    W = 0.5 * (W + W.T)
    np.fill_diagonal(W, 0.0)
    return np.ascontiguousarray(W), theta.copy()


def energies(W, theta):
    """Energy E(s) = -(sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i) of every state, by Gray-code walk.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.

    Returns
    -------
    ndarray of shape (2**N,)
        Entry k is the energy of the state with code k (see :func:`states_by_code`).
    """
    W, theta, _ = _model(W, theta, 1.0)
    return -_log_weights(W, theta, 1.0)


def log_weights(W, theta, T=1.0):
    """Log Boltzmann weight -E(s) / T of every state, by Gray-code walk: log P(s) = this - log Z.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    T : float
        Temperature, > 0.

    Returns
    -------
    ndarray of shape (2**N,)
        Entry k is -E(s)/T for the state s with code k (see :func:`states_by_code`); entry 0,
        all units off, is 0.
    """
    W, theta, T = _model(W, theta, T)
    return _log_weights(W, theta, 1.0 / T)


def log_partition(W, theta, T=1.0):
    """Exact log Z = log sum_s exp(-E(s) / T) over all 2^N states, by Gray-code enumeration.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    T : float
        Temperature, > 0.

    Returns
    -------
    float

    Notes
    -----
    E(s) = -(sum_{i<j} w_ij s_i s_j + sum_i theta_i s_i). Time O(2^N N), memory 2^N floats;
    N <= 26.
    """
    W, theta, T = _model(W, theta, T)
    return float(stats.logsumexp(_log_weights(W, theta, 1.0 / T)))


def distribution(W, theta, T=1.0):
    """Exact Boltzmann distribution P(s) = exp(-E(s) / T) / Z of every state.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    T : float
        Temperature, > 0.

    Returns
    -------
    ndarray of shape (2**N,)
        Entry k is the probability of the state with code k (unit i = bit i of k; see
        :func:`states_by_code`). Sums to 1.
    """
    W, theta, T = _model(W, theta, T)
    return _probabilities(_log_weights(W, theta, 1.0 / T))


def marginal(W, theta, n_visible, T=1.0):
    """Exact marginal P(v) = sum_h P(v, h) of the first ``n_visible`` units (the visible ones).

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal; units 0 .. n_visible - 1 are visible, the
        rest hidden.
    theta : array_like of shape (N,)
        Biases.
    n_visible : int
        1 <= n_visible <= N.
    T : float
        Temperature, > 0.

    Returns
    -------
    ndarray of shape (2**n_visible,)
        Entry k is the probability of the visible state with code k.
    """
    W, theta, T = _model(W, theta, T)
    n_visible = _n_visible(n_visible, theta.size)
    p = _probabilities(_log_weights(W, theta, 1.0 / T))
    # code = visible code + 2^n_visible * hidden code, so rows of this reshape are hidden states
    return p.reshape(2 ** (theta.size - n_visible), 2**n_visible).sum(axis=0)


def moments(W, theta, T=1.0):
    """Exact first and second moments <s_i> and <s_i s_j> under the Boltzmann distribution.

    These are the free-phase statistics of Boltzmann-machine learning.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    T : float
        Temperature, > 0.

    Returns
    -------
    mean : ndarray of shape (N,)
        <s_i>.
    pairwise : ndarray of shape (N, N)
        <s_i s_j>, symmetric; its diagonal is <s_i s_i> = <s_i>.
    """
    W, theta, T = _model(W, theta, T)
    pairwise = _moments_from_log_weights(_log_weights(W, theta, 1.0 / T), theta.size)
    return np.diag(pairwise).copy(), pairwise


def clamped_moments(W, theta, patterns, T=1.0, weights=None):
    """Exact moments with the visible units clamped to data and the hidden units at equilibrium.

    With visible units v (the first ``patterns.shape[1]`` units) and hidden units h,

        <s_i s_j>^+ = sum_v P^+(v) sum_h P(h | v) s_i s_j,   P(h | v) = exp(-E(v, h)/T) / Z(v),

    where P^+ puts probability ``weights[p]`` (default: 1 / n_patterns) on row p of ``patterns``. Each
    P(h | v) is enumerated over the 2^n_hidden hidden states. With no hidden units this is
    just the data's own <v_i v_j>.

    Parameters
    ----------
    W : array_like of shape (N, N)
        Symmetric weights with a zero diagonal.
    theta : array_like of shape (N,)
        Biases.
    patterns : array_like of shape (n_patterns, n_visible)
        Values 0 and 1, n_visible <= N, at least one pattern.
    T : float
        Temperature, > 0.
    weights : array_like of shape (n_patterns,), optional
        P^+ of each pattern: non-negative and summing to 1 (to 1e-9), used as given (a
        repeated row and its weights simply add up). Default: 1 / n_patterns each.

    Returns
    -------
    mean : ndarray of shape (N,)
    pairwise : ndarray of shape (N, N)
        As in :func:`moments`, the diagonal holding the means.
    """
    W, theta, T = _model(W, theta, T)
    patterns = _validate.binary_patterns("patterns", patterns, theta.size)
    if weights is None:
        weights = np.full(patterns.shape[0], 1.0 / patterns.shape[0])
    else:
        weights = _validate.probability_vector("weights", weights)
        if weights.shape != (patterns.shape[0],):
            raise ValueError(
                f"weights must have shape ({patterns.shape[0]},), one per pattern, got {weights.shape}"
            )
    pairwise = _clamped_moments(W, theta, patterns, weights, 1.0 / T)
    return np.diag(pairwise).copy(), pairwise


def kl_divergence(p_data, p_model):
    """Kullback-Leibler divergence KL(P+ || P-) = sum_v P+(v) log(P+(v) / P-(v)), in nats.

    Terms with P+(v) = 0 contribute 0; a state with P+(v) > 0 but P-(v) = 0 makes it +inf.

    Parameters
    ----------
    p_data : array_like of shape (n_states,)
        P+, the data distribution: non-negative, summing to 1 (to 1e-9).
    p_model : array_like of shape (n_states,)
        P-, the model distribution over the same states (e.g. :func:`marginal`).

    Returns
    -------
    float
        >= 0, and 0 only when the two distributions are equal.
    """
    p = _validate.probability_vector("p_data", p_data)
    q = _validate.probability_vector("p_model", p_model)
    if p.shape != q.shape:
        raise ValueError(f"p_data and p_model must have the same shape, got {p.shape} and {q.shape}")
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return float(max(0.0, np.sum(p[support] * (np.log(p[support]) - np.log(q[support])))))


# ---------------------------------------------------------------------------------------
# validation helpers (private)


def _units(name, n):
    n = _validate.count(name, n)
    if not 1 <= n <= _MAX_UNITS:
        raise ValueError(f"{name} must be between 1 and {_MAX_UNITS} to enumerate 2^n states, got {n}")
    return n


def _model(W, theta, T):
    W, theta = check_weights(W, theta)
    if theta.size > _MAX_UNITS:
        raise ValueError(f"W has {theta.size} units; exact enumeration handles at most {_MAX_UNITS}")
    T = _validate.temperature("T", T)
    largest_energy = 0.5 * np.abs(W).sum() + np.abs(theta).sum()  # >= |E(s)| for every s
    if largest_energy > _MAX_LOG_WEIGHT * T:
        raise ValueError(
            f"W and theta are too large for T = {T!r}: energies up to {largest_energy:.3g} make -E(s)/T "
            "overflow a float; raise T or scale W and theta down"
        )
    return W, theta, T


def _n_visible(n_visible, n_units):
    n_visible = _validate.count("n_visible", n_visible)
    if not 1 <= n_visible <= n_units:
        raise ValueError(f"n_visible must be between 1 and the number of units {n_units}, got {n_visible}")
    return n_visible


def _probabilities(log_weights):
    return np.exp(log_weights - stats.logsumexp(log_weights))


# ---------------------------------------------------------------------------------------
# kernels


@njit(cache=True)
def _log_weights(W, theta, beta):
    """log of the Boltzmann weight, -E(s) / T, of every state, indexed by code."""
    n = theta.size
    out = np.empty(1 << n)
    fields = theta.copy()  # h_i = sum_j w_ij s_j + theta_i, all units off
    on = np.zeros(n, dtype=np.bool_)
    minus_energy = 0.0
    code = 0
    out[0] = 0.0
    for k in range(1, 1 << n):
        # Gray codes k ^ (k >> 1) of k - 1 and k differ in the lowest set bit of k
        i = 0
        while not (k >> i) & 1:
            i += 1
        code ^= 1 << i
        # -E rises by h_i when unit i switches on, falls by h_i when it switches off
        sign = -1.0 if on[i] else 1.0
        minus_energy += sign * fields[i]
        on[i] = not on[i]
        for j in range(n):
            fields[j] += sign * W[i, j]
        out[code] = beta * minus_energy
    return out


@njit(cache=True)
def _moments_from_log_weights(log_weights, n):
    """sum_s P(s) s_i s_j from log weights indexed by code."""
    m = log_weights.max()
    total = 0.0
    pairwise = np.zeros((n, n))
    on = np.empty(n, dtype=np.int64)
    for code in range(log_weights.size):
        p = np.exp(log_weights[code] - m)
        total += p
        n_on = 0
        for i in range(n):
            if (code >> i) & 1:
                on[n_on] = i
                n_on += 1
        for a in range(n_on):
            for b in range(a, n_on):
                pairwise[on[a], on[b]] += p
    for i in range(n):
        for j in range(i, n):
            pairwise[i, j] /= total
            pairwise[j, i] = pairwise[i, j]
    return pairwise


@njit(cache=True)
def _clamped_moments(W, theta, patterns, weights, beta):
    """sum_v P+(v) sum_h P(h | v) s_i s_j, enumerating hidden states for each pattern."""
    n = theta.size
    n_visible = patterns.shape[1]
    n_hidden = n - n_visible
    pairwise = np.zeros((n, n))
    s = np.empty(n)
    if n_hidden == 0:
        for p in range(patterns.shape[0]):
            for i in range(n):
                s[i] = patterns[p, i]
            for i in range(n):
                for j in range(n):
                    pairwise[i, j] += weights[p] * s[i] * s[j]
        return pairwise
    W_hidden = np.ascontiguousarray(W[n_visible:, n_visible:])
    for p in range(patterns.shape[0]):
        if weights[p] == 0.0:
            continue
        # the hidden units given v form a Boltzmann machine with biases theta_h + W_hv v
        bias = theta[n_visible:].copy()
        for k in range(n_hidden):
            for i in range(n_visible):
                bias[k] += W[n_visible + k, i] * patterns[p, i]
        hidden = _moments_from_log_weights(_log_weights(W_hidden, bias, beta), n_hidden)
        # assemble <s_i s_j | v>: visible-visible products are fixed, the rest use hidden moments
        for i in range(n_visible):
            vi = patterns[p, i]
            for j in range(n_visible):
                pairwise[i, j] += weights[p] * vi * patterns[p, j]
            for k in range(n_hidden):
                value = weights[p] * vi * hidden[k, k]
                pairwise[i, n_visible + k] += value
                pairwise[n_visible + k, i] += value
        for k in range(n_hidden):
            for m in range(n_hidden):
                pairwise[n_visible + k, n_visible + m] += weights[p] * hidden[k, m]
    return pairwise
