"""The training epoch as NumPy matrix products (private: the speed work).

The update of :func:`bmlib.rbm.training.cd_reference`, minibatch after minibatch, with each
product one BLAS call: it wins over the fused kernel for large, dense minibatches. Numba only
draws the 0/1 samples (the same random numbers, in the same order) and applies the update in
one pass over memory.
"""

import numpy as np
from numba import njit

from bmlib._simd import draw
from bmlib.rng import next_double


@njit(cache=True)
def bernoulli(p, states):
    """Return 0/1 samples of P(unit = 1) = p; row r draws from stream r, columns in order."""
    n_rows, n_columns = p.shape
    out = np.empty((n_rows, n_columns))
    for r in range(n_rows):
        row = out[r]
        for j in range(n_columns):
            row[j] = next_double(states, r)
        draw(row, 0, 1, p[r], row)
    return out


@njit(cache=True)
def apply_update(W, velocity, gradient, learning_rate, momentum, weight_decay):
    """velocity = momentum * velocity + learning_rate * (gradient - weight_decay * W); W += velocity.

    One pass over memory (NumPy would need four, with temporaries the size of W).
    """
    n_rows, n_columns = W.shape
    for i in range(n_rows):
        for j in range(n_columns):
            step = momentum * velocity[i, j] + learning_rate * (gradient[i, j] - weight_decay * W[i, j])
            velocity[i, j] = step
            W[i, j] += step


def _sigmoid_numpy(a):
    """sigmoid(a) = 1 / (1 + exp(-a)) in place on the temporary ``a``, with NumPy's SIMD exp.

    NumPy's exp runs in SIMD registers; the exp that ``stats.sigmoid`` (a Numba ufunc) calls
    is scalar, which matters for the large arrays of the BLAS path.
    For a < -709, exp(-a) overflows to inf and the result is exactly 0 (the true value is below
    1e-308). The result may differ from ``stats.sigmoid`` in the last bit.
    """
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def train_epoch_blas(X, order, params, velocities, negative, settings, offsets):
    """The same epoch as :func:`train_epoch_fused` with NumPy (BLAS) products, same random numbers."""
    W, visible_bias, hidden_bias = params
    velocity_W, velocity_visible, velocity_hidden = velocities
    chains, states = negative
    visible_offset, hidden_offset = offsets
    learning_rate, momentum, weight_decay = settings.learning_rate, settings.momentum, settings.weight_decay
    k, persistent, batch_size = settings.k, settings.persistent, settings.batch_size
    centered, offset_rate = settings.centered, settings.offset_rate  # (ends_epoch: no use here)
    n_samples = X.shape[0]
    n_chains = chains.shape[0]
    for start in range(0, n_samples, batch_size):
        v_data = X[order[start : start + batch_size]]
        m = v_data.shape[0]
        h_data = _sigmoid_numpy(v_data @ W + hidden_bias)
        n_negative = n_chains if persistent else m
        h = chains if persistent else bernoulli(h_data, states)
        for step in range(k):
            v_model = bernoulli(_sigmoid_numpy(h @ W.T + visible_bias), states)
            h_model = _sigmoid_numpy(v_model @ W + hidden_bias)
            if persistent or step < k - 1:
                h = bernoulli(h_model, states)
        if persistent:
            chains[:] = h
        # <v_i h_j>_data - <v_i h_j>_model as ONE product: [v_data; v_model]^T [h_data / m; -h_model / n]
        gradient = np.concatenate([v_data, v_model]).T @ np.concatenate([h_data / m, h_model / -n_negative])
        d_visible = v_data.mean(axis=0) - v_model.mean(axis=0)
        d_hidden = h_data.mean(axis=0) - h_model.mean(axis=0)
        if centered:
            gradient -= np.outer(visible_offset, d_hidden) + np.outer(d_visible, hidden_offset)
            d_visible = d_visible - gradient @ hidden_offset
            d_hidden = d_hidden - visible_offset @ gradient
        apply_update(W, velocity_W, gradient, learning_rate, momentum, weight_decay)
        velocity_visible *= momentum
        velocity_visible += learning_rate * d_visible
        visible_bias += velocity_visible
        velocity_hidden *= momentum
        velocity_hidden += learning_rate * d_hidden
        hidden_bias += velocity_hidden
        if centered:
            hidden_offset += offset_rate * (h_data.mean(axis=0) - hidden_offset)
