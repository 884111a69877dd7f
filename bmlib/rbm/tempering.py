"""Parallel tempering as the negative phase of RBM training.

Each persistent chain has replicas at inverse temperatures 1 = beta_0 > ... > beta_(K-1) = 0;
every replica takes block Gibbs steps at its own temperature, then neighbouring replicas swap
states with probability min(1, exp((beta_t - beta_(t+1)) (E_t - E_(t+1)))), which keeps the
joint distribution of all replicas invariant. The beta = 1 replicas are the model samples of
the update (Desjardins et al. 2010; Cho et al. 2010).

References
----------
G. Desjardins, A. Courville, Y. Bengio, P. Vincent and O. Delalleau, "Tempered Markov chain Monte
Carlo for training of restricted Boltzmann machines", AISTATS 2010.
K. Cho, T. Raiko and A. Ilin, "Parallel tempering is efficient for learning restricted Boltzmann
machines", IJCNN 2010.
"""

import numpy as np
from numba import njit

from bmlib._simd import draw, list_on, sigmoid_block, sum_rows, uniform
from bmlib.rbm._blas import apply_update
from bmlib.stats import sigmoid


@njit(cache=True)
def _joint_energy(v, h, W, visible_bias, hidden_bias):
    """E(v, h) = - b.v - c.h - v W h for one pair of 0/1 vectors."""
    n_visible, n_hidden = W.shape
    total = 0.0
    for j in range(n_hidden):
        if h[j] != 0.0:
            total -= hidden_bias[j]
            for i in range(n_visible):
                total -= v[i] * W[i, j]
    for i in range(n_visible):
        total -= visible_bias[i] * v[i]
    return total


@njit(cache=True, error_model="numpy")
def _tempered_chains(replicas, params, WT, betas, k, parity, swaps):
    """k block Gibbs steps of every replica, then one round of swaps between neighbours (in place).

    V has shape (n_temperatures, n_chains, n_visible), H (n_temperatures, n_chains, n_hidden):
    replica t of chain r samples p_t(v, h) ~ exp(-beta_t E(v, h)). A step draws
    v_i ~ sigmoid(beta_t (b_i + (W h)_i)), then h_j ~ sigmoid(beta_t (c_j + (v W)_j)). Then the
    pairs (t, t + 1) with t = parity, parity + 2, ... exchange their states with probability
    min(1, exp((beta_t - beta_{t+1}) (E_t - E_{t+1}))), which keeps the joint distribution of
    all replicas invariant. ``swaps[t]`` counts accepted exchanges of pair (t, t + 1).
    Chain r (all of its replicas) draws from stream r: per step and replica n_visible then
    n_hidden numbers, then one number per attempted swap that would raise the energy
    (log_accept < 0; the others are always accepted). As in :func:`train_epoch_fused`: sums
    of weight rows for the units that are on, vectorized sigmoids, the stream in local variables.
    """
    V, H, states = replicas
    W, visible_bias, hidden_bias = params
    n_temperatures, n_chains, n_visible = V.shape
    n_hidden = H.shape[2]
    a_visible = np.empty(n_visible)
    a_hidden = np.empty(n_hidden)
    p_visible = np.empty(n_visible)
    p_hidden = np.empty(n_hidden)
    rows = np.empty(max(n_visible, n_hidden), dtype=np.int64)
    scaled = np.empty(max(n_visible, n_hidden))
    reduced = np.empty(max(n_visible, n_hidden))
    numbers = np.empty(max(n_visible, n_hidden))
    for r in range(n_chains):
        s0, s1, s2, s3 = states[r, 0], states[r, 1], states[r, 2], states[r, 3]
        for _ in range(k):
            for t in range(n_temperatures):
                beta = betas[t]
                v = V[t, r]
                h = H[t, r]
                count = list_on(h, rows)
                a_visible[:] = visible_bias
                sum_rows(a_visible, WT, rows, count)
                for i in range(n_visible):
                    a_visible[i] *= beta
                sigmoid_block(a_visible, p_visible, scaled, reduced)
                for i in range(n_visible):
                    numbers[i], s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                draw(numbers, 0, 1, p_visible, v)
                count = list_on(v, rows)
                a_hidden[:] = hidden_bias
                sum_rows(a_hidden, W, rows, count)
                for j in range(n_hidden):
                    a_hidden[j] *= beta
                sigmoid_block(a_hidden, p_hidden, scaled, reduced)
                for j in range(n_hidden):
                    numbers[j], s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                draw(numbers, 0, 1, p_hidden, h)
        for t in range(parity, n_temperatures - 1, 2):
            e_low = _joint_energy(V[t, r], H[t, r], W, visible_bias, hidden_bias)
            e_high = _joint_energy(V[t + 1, r], H[t + 1, r], W, visible_bias, hidden_bias)
            log_accept = (betas[t] - betas[t + 1]) * (e_low - e_high)
            accept = log_accept >= 0.0
            if not accept:
                u, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
                accept = u < np.exp(log_accept)
            if accept:
                for i in range(n_visible):
                    V[t, r, i], V[t + 1, r, i] = V[t + 1, r, i], V[t, r, i]
                for j in range(n_hidden):
                    H[t, r, j], H[t + 1, r, j] = H[t + 1, r, j], H[t, r, j]
                swaps[t] += 1
        states[r, 0], states[r, 1], states[r, 2], states[r, 3] = s0, s1, s2, s3


def train_epoch_tempered(X, order, params, velocities, replicas, settings, ladder, n_updates):
    """One epoch with parallel tempering as the negative phase; returns the number of updates made.

    The positive phase is P(h | v_data) for the minibatch; the negative phase is the beta = 1
    replica of each chain after :func:`_tempered_chains`, with P(h | v_model); the update is the
    one of :func:`train_epoch_blas`.
    """
    W, visible_bias, hidden_bias = params
    velocity_W, velocity_visible, velocity_hidden = velocities
    learning_rate, momentum, weight_decay = settings.learning_rate, settings.momentum, settings.weight_decay
    k, batch_size = settings.k, settings.batch_size
    betas, swaps, attempts = ladder
    n_samples = X.shape[0]
    n_chains = replicas[0].shape[1]
    for start in range(0, n_samples, batch_size):
        v_data = X[order[start : start + batch_size]]
        m = v_data.shape[0]
        h_data = sigmoid(v_data @ W + hidden_bias)
        parity = n_updates % 2
        _tempered_chains(replicas, params, np.ascontiguousarray(W.T), betas, k, parity, swaps)
        attempts[parity : len(betas) - 1 : 2] += n_chains
        n_updates += 1
        v_model = replicas[0][0]
        h_model = sigmoid(v_model @ W + hidden_bias)
        gradient = v_data.T @ h_data / m - v_model.T @ h_model / n_chains
        apply_update(W, velocity_W, gradient, learning_rate, momentum, weight_decay)
        velocity_visible *= momentum
        velocity_visible += learning_rate * (v_data.mean(axis=0) - v_model.mean(axis=0))
        visible_bias += velocity_visible
        velocity_hidden *= momentum
        velocity_hidden += learning_rate * (h_data.mean(axis=0) - h_model.mean(axis=0))
        hidden_bias += velocity_hidden
    return n_updates
