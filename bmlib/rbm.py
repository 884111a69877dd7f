"""Restricted Boltzmann machines: conditionals, free energy, block Gibbs sampling, CD-k and PCD-k.

The model
---------
An RBM has visible units v in {0, 1}^n_visible and hidden units h in {0, 1}^n_hidden, connected
only across the two layers, with energy

    E(v, h) = - sum_i b_i v_i - sum_j c_j h_j - sum_ij v_i W_ij h_j

where ``W`` (shape (n_visible, n_hidden)) holds the weights, b the *visible biases* and c the
*hidden biases*, and p(v, h) = exp(-E(v, h)) / Z. Because no two hidden units are connected,
given v they are independent and

    P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij),     P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j),

and summing out h gives the *free energy* F(v) = - log sum_h exp(-E(v, h))

    F(v) = - sum_i b_i v_i - sum_j softplus(c_j + sum_i v_i W_ij),    p(v) = exp(-F(v)) / Z.

Data are float64 arrays of shape (n_samples, n_visible) with values in [0, 1]: 0/1 pixels, or
grey levels read as the probabilities of the units being on (as scikit-learn's BernoulliRBM
does). Sampled states are float64 arrays of 0.0 and 1.0.

Training (:class:`RBM`)
-----------------------
The log-likelihood gradient is d log p(v) / d W_ij = <v_i h_j>_data - <v_i h_j>_model. CD-k
(Hinton 2002) replaces the model average by k steps of block Gibbs sampling started at the data;
PCD-k (Tieleman 2008) keeps ``batch_size`` persistent chains running between updates instead.
Minibatches, momentum and L2 weight decay follow Hinton's *A Practical Guide to Training RBMs*.

Two implementations of one epoch, chosen per shape
--------------------------------------------------
* ``"fused"``: one Numba kernel runs a whole epoch, minibatch after minibatch, with no NumPy call
  inside. Each product gathers the non-zero entries of the 0/1 (or sparse) vector it multiplies
  without branching, then adds the matching weight rows four at a time; the weights are kept in
  both layouts (W and W^T) so every inner loop runs over contiguous memory. It wins when the
  matrices are small (digits: 64 x 100, batch 10), where a NumPy call's fixed cost (~1-2 us) is
  larger than its arithmetic.
* ``"blas"``: each minibatch is a few NumPy matrix products (BLAS), the weight gradient one
  product [v_data; v_model]^T [h_data / m; -h_model / n], and Numba only draws the random
  numbers and applies the update in one pass. It wins for large shapes with dense data.

``kernel="auto"`` takes ``"fused"`` when batch_size * n_visible * n_hidden <= 4 * 10^6, or when
at most 30 % of the data's entries are non-zero (MNIST has about 19 %); otherwise ``"blas"``.
Measured on the course machine (one BLAS thread, CD-1, one epoch of 2000 random binary rows;
``benchmarks/bench_rbm.py``):

=====================  ==========  ========  ========
shape, batch           pixels on   fused     blas
=====================  ==========  ========  ========
64 x 100, batch 10     15 %        10 ms     34 ms
784 x 500, batch 10    15 %        227 ms    484 ms
784 x 100, batch 100   15 %        63 ms     76 ms
784 x 500, batch 100   15 %        240 ms    273 ms
784 x 500, batch 100   50 %        386 ms    260 ms
=====================  ==========  ========  ========

Small batches always favour the fused kernel; at batch 100 the winner depends on how sparse the
data are: skipping zeros pays on MNIST-like data, BLAS's blocked products on dense data. Both
use the same random numbers in the same order, so they give the same samples and (to rounding)
the same weights.

Random numbers
--------------
Every stochastic function takes ``seed`` (see :mod:`bmlib.rng`). Row r of a batch of chains
draws from xoshiro256** stream r, in a fixed order, so results depend on the seed alone.

References
----------
G. E. Hinton, "Training products of experts by minimizing contrastive divergence",
Neural Computation 14 (2002) 1771-1800.
T. Tieleman, "Training restricted Boltzmann machines using approximations to the likelihood
gradient", ICML 2008.
G. E. Hinton, "A practical guide to training restricted Boltzmann machines", UTML TR 2010-003.
"""

import inspect
import numbers

import numpy as np
from numba import njit, prange

from bmlib import _validate, rng, stats
from bmlib.progress import Progress
from bmlib.rng import next_double
from bmlib.stats import sigmoid, softplus

__all__ = [
    "RBM",
    "energy",
    "free_energy",
    "hidden_probabilities",
    "visible_probabilities",
    "sample_hidden",
    "sample_visible",
    "gibbs",
    "reconstruct",
    "sample",
    "cd_update",
    "pseudo_log_likelihood",
    "reconstruction_error",
    "log_partition_function",
    "log_likelihood",
    "EXACT_LIMIT",
]

EXACT_LIMIT = 20
"""Largest min(n_visible, n_hidden) for which exact log Z is computed (2^20 terms)."""

_FUSED_LIMIT = 4_000_000  # batch_size * n_visible * n_hidden at or below which "auto" fuses
_SPARSE_LIMIT = 0.3  # ... and above it, the largest fraction of non-zero data for which it still fuses


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _units(name, value, n_columns=None, columns_name="n_visible"):
    """Return ``value`` as a C-contiguous 2-D float64 array of values in [0, 1] (1-D -> one row)."""
    array = _validate.real_array(name, value)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_units), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(f"{name} has {array.shape[1]} columns, expected {columns_name} = {n_columns}")
    if np.any(array < 0.0) or np.any(array > 1.0):
        raise ValueError(
            f"{name} must hold values in [0, 1] (binary units, or probabilities of being on), "
            f"found values in [{array.min():g}, {array.max():g}]"
        )
    return np.ascontiguousarray(array)


def _parameters(W, visible_bias=None, hidden_bias=None):
    """Check W (n_visible, n_hidden) and the biases against it; return float64 copies-or-views."""
    W = np.ascontiguousarray(_validate.real_array("W", W))
    if W.ndim != 2 or W.shape[0] == 0 or W.shape[1] == 0:
        raise ValueError(f"W must be a non-empty 2-D array (n_visible, n_hidden), got shape {W.shape}")
    out = [W]
    for name, bias, size, what in [
        ("visible_bias", visible_bias, W.shape[0], "n_visible"),
        ("hidden_bias", hidden_bias, W.shape[1], "n_hidden"),
    ]:
        if bias is None:
            continue
        bias = _validate.real_array(name, bias)
        if bias.shape != (size,):
            raise ValueError(f"{name} must have shape ({size},) ({what} of W), got {bias.shape}")
        out.append(np.ascontiguousarray(bias))
    return out


def _positive_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_validate._show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _nonnegative(name, value, below_one=False):
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise TypeError(f"{name} must be a single number, got {_validate._show(value)}")
    value = float(_validate.real_array(name, value))
    if value < 0.0 or (below_one and value >= 1.0):
        raise ValueError(f"{name} must be in [0, {'1)' if below_one else 'inf)'}, got {value}")
    return value


def _squeeze(result, was_vector):
    return result[0] if was_vector else result


# --------------------------------------------------------------------------------------------
# Kernels (trust their arguments)
# --------------------------------------------------------------------------------------------


@njit(cache=True)
def _bernoulli(p, states):
    """Return 0/1 samples of P(unit = 1) = p; row r draws from stream r, columns in order."""
    n_rows, n_columns = p.shape
    out = np.empty((n_rows, n_columns))
    for r in range(n_rows):
        for j in range(n_columns):
            out[r, j] = 1.0 if next_double(states, r) < p[r, j] else 0.0
    return out


@njit(cache=True)
def _gibbs_chains(v, W, WT, visible_bias, hidden_bias, n_steps, states):
    """Run ``n_steps`` block Gibbs steps v -> h -> v from each row of ``v`` (in place).

    Row r draws from stream r: per step n_hidden numbers for h, then n_visible for v.
    """
    n_rows, n_visible = v.shape
    n_hidden = W.shape[1]
    a_hidden = np.empty(n_hidden)
    h = np.empty(n_hidden)
    a_visible = np.empty(n_visible)
    for r in range(n_rows):
        for _ in range(n_steps):
            # P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij)
            a_hidden[:] = hidden_bias
            for i in range(n_visible):
                x = v[r, i]
                if x != 0.0:
                    for j in range(n_hidden):
                        a_hidden[j] += x * W[i, j]
            for j in range(n_hidden):
                h[j] = 1.0 if next_double(states, r) < sigmoid(a_hidden[j]) else 0.0
            # P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j)
            a_visible[:] = visible_bias
            for j in range(n_hidden):
                if h[j] != 0.0:
                    for i in range(n_visible):
                        a_visible[i] += WT[j, i]
            for i in range(n_visible):
                v[r, i] = 1.0 if next_double(states, r) < sigmoid(a_visible[i]) else 0.0


@njit(cache=True, parallel=True)
def _pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias):
    """sum_i log P(v_i | v_-i) = sum_i log sigmoid(F(v with v_i -> 1 - v_i) - F(v)) for each row."""
    n_rows, n_visible = X.shape
    n_hidden = W.shape[1]
    out = np.empty(n_rows)
    for r in prange(n_rows):
        a = hidden_bias.copy()
        for i in range(n_visible):
            if X[r, i] != 0.0:
                for j in range(n_hidden):
                    a[j] += X[r, i] * W[i, j]
        linear = 0.0
        for i in range(n_visible):
            linear += visible_bias[i] * X[r, i]
        free = -linear
        for j in range(n_hidden):
            free -= softplus(a[j])
        total = 0.0
        for i in range(n_visible):
            d = 1.0 - 2.0 * X[r, i]  # change of v_i when it is flipped
            flipped = -(linear + visible_bias[i] * d)
            for j in range(n_hidden):
                flipped -= softplus(a[j] + d * W[i, j])
            # log sigmoid(x) = -softplus(-x)
            total -= softplus(free - flipped)
        out[r] = total
    return out


@njit(cache=True)
def _log_partition_function(W, visible_bias, hidden_bias):
    """log Z by summing exp(-F) over every state of the *first* layer (Gray-code order).

    Written for W of shape (n_sum, n_other): for each state s of the n_sum layer,
    log sum_t exp(-E(s, t)) = bias_s . s + sum_k softplus(bias_t_k + (s W)_k).
    """
    n_sum, n_other = W.shape
    terms = np.empty(2**n_sum)
    s = np.zeros(n_sum)
    a = hidden_bias.copy()
    linear = 0.0
    for index in range(2**n_sum):
        if index > 0:
            # Gray code: state index differs from index - 1 in the lowest set bit of index
            flip = 0
            while not (index >> flip) & 1:
                flip += 1
            d = 1.0 - 2.0 * s[flip]
            s[flip] += d
            linear += d * visible_bias[flip]
            for k in range(n_other):
                a[k] += d * W[flip, k]
        total = linear
        for k in range(n_other):
            total += softplus(a[k])
        terms[index] = total
    return stats._logsumexp(terms)


@njit(cache=True, inline="always")
def _nonzero(values, rows, coefficients, scale):
    """Store the indices and scale * values of the non-zero entries of ``values``; return how many.

    Branch-free (every entry is written; the position only advances past non-zeros), because
    on 0/1 data a branch per entry would be mispredicted half the time.
    """
    count = 0
    for i in range(values.shape[0]):
        x = values[i]
        rows[count] = i
        coefficients[count] = scale * x
        count += x != 0.0
    return count


@njit(cache=True, inline="always")
def _add_rows(out, M, rows, coefficients, count):
    """out += sum_t coefficients[t] * M[rows[t]], four rows per pass over ``out``."""
    n = out.shape[0]
    t = 0
    while t + 4 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        c0, c1, c2, c3 = coefficients[t], coefficients[t + 1], coefficients[t + 2], coefficients[t + 3]
        for j in range(n):
            out[j] += (c0 * M[r0, j] + c1 * M[r1, j]) + (c2 * M[r2, j] + c3 * M[r3, j])
        t += 4
    while t < count:
        r0, c0 = rows[t], coefficients[t]
        for j in range(n):
            out[j] += c0 * M[r0, j]
        t += 1


@njit(cache=True)
def _train_epoch_fused(
    X,
    order,
    W,
    WT,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
):
    """One epoch of CD-k / PCD-k over the rows ``X[order]``, minibatch by minibatch, in place.

    Random numbers: negative chain r draws from stream r. CD: first n_hidden numbers for the
    hidden sample of data row r, then per Gibbs step n_visible (v) and n_hidden (h, skipped in
    the last step). PCD: per step n_visible then n_hidden (the last one updates the chain).
    A unit is 1 when its number u < its probability.
    """
    n_samples, n_visible = X.shape
    n_hidden = W.shape[1]
    n_chains = chains.shape[0]
    n_negative_max = max(batch_size, n_chains)
    # rows 0..m-1: the minibatch and P(h | v_data); rows m..m+n-1: the chains' v and P(h | v)
    V = np.empty((batch_size + n_negative_max, n_visible))
    H = np.empty((batch_size + n_negative_max, n_hidden))
    h = np.empty(n_hidden)
    a_hidden = np.empty(n_hidden)
    a_visible = np.empty(n_visible)
    gradient = np.empty(n_hidden)
    size = max(n_visible, n_hidden, batch_size + n_negative_max)
    rows = np.empty(size, dtype=np.int64)
    coefficients = np.empty(size)
    for start in range(0, n_samples, batch_size):
        m = min(batch_size, n_samples - start)
        n_negative = n_chains if persistent else m
        # positive phase: P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij), skipping v_i = 0
        for b in range(m):
            V[b] = X[order[start + b]]
            a_hidden[:] = hidden_bias
            count = _nonzero(V[b], rows, coefficients, 1.0)
            _add_rows(a_hidden, W, rows, coefficients, count)
            for j in range(n_hidden):
                H[b, j] = sigmoid(a_hidden[j])
        # negative phase: k block Gibbs steps h -> v -> h per chain
        for r in range(n_negative):
            if persistent:
                h[:] = chains[r]
            else:
                for j in range(n_hidden):
                    h[j] = np.float64(next_double(states, r) < H[r, j])
            v = V[m + r]
            for step in range(k):
                # v_i ~ P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j): rows of W^T for h_j = 1
                a_visible[:] = visible_bias
                count = _nonzero(h, rows, coefficients, 1.0)
                _add_rows(a_visible, WT, rows, coefficients, count)
                for i in range(n_visible):
                    v[i] = np.float64(next_double(states, r) < sigmoid(a_visible[i]))
                # P(h_j = 1 | v) for the sampled v
                a_hidden[:] = hidden_bias
                count = _nonzero(v, rows, coefficients, 1.0)
                _add_rows(a_hidden, W, rows, coefficients, count)
                for j in range(n_hidden):
                    H[m + r, j] = sigmoid(a_hidden[j])
                if persistent or step < k - 1:
                    for j in range(n_hidden):
                        h[j] = np.float64(next_double(states, r) < H[m + r, j])
            if persistent:
                chains[r] = h
        # update: dW_ij = <v_i h_j>_data - <v_i h_j>_model = sum_t coefficient_t(i) H[t, j]
        # with coefficient v_ti / m for data rows and -v_ti / n for chains; then
        # velocity = momentum * velocity + learning_rate * (dW - weight_decay * W);  W += velocity
        n_rows = m + n_negative
        for i in range(n_visible):
            count = 0
            d_visible = 0.0
            for t in range(n_rows):
                x = V[t, i] / m if t < m else -V[t, i] / n_negative
                rows[count] = t
                coefficients[count] = x
                count += x != 0.0
                d_visible += x
            gradient[:] = 0.0
            _add_rows(gradient, H, rows, coefficients, count)
            for j in range(n_hidden):
                step_ij = momentum * velocity_W[i, j] + learning_rate * (gradient[j] - weight_decay * W[i, j])
                velocity_W[i, j] = step_ij
                W[i, j] += step_ij
            velocity_visible[i] = momentum * velocity_visible[i] + learning_rate * d_visible
            visible_bias[i] += velocity_visible[i]
        for j in range(n_hidden):
            d_hidden = 0.0
            for b in range(m):
                d_hidden += H[b, j]
            d_hidden /= m
            minus = 0.0
            for r in range(n_negative):
                minus += H[m + r, j]
            d_hidden -= minus / n_negative
            velocity_hidden[j] = momentum * velocity_hidden[j] + learning_rate * d_hidden
            hidden_bias[j] += velocity_hidden[j]
        for j in range(n_hidden):
            for i in range(n_visible):
                WT[j, i] = W[i, j]


@njit(cache=True)
def _apply_update(W, velocity, gradient, learning_rate, momentum, weight_decay):
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

    NumPy's exp takes about 1 ns a number here, against 6 ns for the scalar exp that
    ``stats.sigmoid`` (a Numba ufunc) calls, which matters for the large arrays of the BLAS path.
    For a < -709, exp(-a) overflows to inf and the result is exactly 0 (the true value is below
    1e-308). The result may differ from ``stats.sigmoid`` in the last bit.
    """
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def _train_epoch_blas(
    X,
    order,
    W,
    visible_bias,
    hidden_bias,
    velocity_W,
    velocity_visible,
    velocity_hidden,
    chains,
    states,
    learning_rate,
    momentum,
    weight_decay,
    k,
    persistent,
    batch_size,
):
    """The same epoch as :func:`_train_epoch_fused` with NumPy (BLAS) products, same random numbers."""
    n_samples = X.shape[0]
    n_chains = chains.shape[0]
    for start in range(0, n_samples, batch_size):
        v_data = X[order[start : start + batch_size]]
        m = v_data.shape[0]
        h_data = _sigmoid_numpy(v_data @ W + hidden_bias)
        n_negative = n_chains if persistent else m
        h = chains if persistent else _bernoulli(h_data, states)
        for step in range(k):
            v_model = _bernoulli(_sigmoid_numpy(h @ W.T + visible_bias), states)
            h_model = _sigmoid_numpy(v_model @ W + hidden_bias)
            if persistent or step < k - 1:
                h = _bernoulli(h_model, states)
        if persistent:
            chains[:] = h
        # <v_i h_j>_data - <v_i h_j>_model as ONE product: [v_data; v_model]^T [h_data / m; -h_model / n]
        gradient = np.concatenate([v_data, v_model]).T @ np.concatenate([h_data / m, h_model / -n_negative])
        _apply_update(W, velocity_W, gradient, learning_rate, momentum, weight_decay)
        velocity_visible *= momentum
        velocity_visible += learning_rate * (v_data.mean(axis=0) - v_model.mean(axis=0))
        visible_bias += velocity_visible
        velocity_hidden *= momentum
        velocity_hidden += learning_rate * (h_data.mean(axis=0) - h_model.mean(axis=0))
        hidden_bias += velocity_hidden


# --------------------------------------------------------------------------------------------
# Public functions of the parameters (W, visible_bias, hidden_bias)
# --------------------------------------------------------------------------------------------


def energy(v, h, W, visible_bias, hidden_bias):
    """Energy E(v, h) = - v.b - h.c - v W h of joint states.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Visible states, values in [0, 1].
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
        Hidden states, values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples,), or a float for one pair of vectors
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1 and np.ndim(h) == 1
    v = _units("v", v, W.shape[0])
    h = _units("h", h, W.shape[1], "n_hidden")
    if v.shape[0] != h.shape[0]:
        raise ValueError(f"v and h must have as many rows, got {v.shape[0]} and {h.shape[0]}")
    result = -(v @ visible_bias) - (h @ hidden_bias) - ((v @ W) * h).sum(axis=1)
    return float(result[0]) if was_vector else result


def free_energy(v, W, visible_bias, hidden_bias):
    """Free energy F(v) = - log sum_h exp(-E(v, h)) = - v.b - sum_j softplus(c_j + (v W)_j).

    p(v) = exp(-F(v)) / Z: a visible vector is likely when its free energy is low.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples,), or a float for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    result = -(v @ visible_bias) - softplus(v @ W + hidden_bias).sum(axis=1)
    return float(result[0]) if was_vector else result


def hidden_probabilities(v, W, hidden_bias):
    """P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij), each hidden unit independently.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    hidden_bias : array_like of shape (n_hidden,)

    Returns
    -------
    ndarray of shape (n_samples, n_hidden), or (n_hidden,) for one vector
    """
    W, hidden_bias = _parameters(W, hidden_bias=hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    return _squeeze(sigmoid(v @ W + hidden_bias), was_vector)


def visible_probabilities(h, W, visible_bias):
    """P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j), each visible unit independently.

    Parameters
    ----------
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
        Values in [0, 1].
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)

    Returns
    -------
    ndarray of shape (n_samples, n_visible), or (n_visible,) for one vector
    """
    W, visible_bias = _parameters(W, visible_bias)
    was_vector = np.ndim(h) == 1
    h = _units("h", h, W.shape[1], "n_hidden")
    return _squeeze(sigmoid(h @ W.T + visible_bias), was_vector)


def sample_hidden(v, W, hidden_bias, seed=None):
    """Draw h ~ P(h | v): hidden unit j is 1 with probability sigmoid(c_j + (v W)_j).

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
    W : array_like of shape (n_visible, n_hidden)
    hidden_bias : array_like of shape (n_hidden,)
    seed : int, numpy.random.Generator or None
        Row r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_hidden) of 0.0 and 1.0, or (n_hidden,) for one vector
    """
    was_vector = np.ndim(v) == 1
    p = np.atleast_2d(hidden_probabilities(v, W, hidden_bias))
    return _squeeze(_bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


def sample_visible(h, W, visible_bias, seed=None):
    """Draw v ~ P(v | h): visible unit i is 1 with probability sigmoid(b_i + (W h)_i).

    Parameters
    ----------
    h : array_like of shape (n_samples, n_hidden) or (n_hidden,)
    W : array_like of shape (n_visible, n_hidden)
    visible_bias : array_like of shape (n_visible,)
    seed : int, numpy.random.Generator or None
        Row r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_visible) of 0.0 and 1.0, or (n_visible,) for one vector
    """
    was_vector = np.ndim(h) == 1
    p = np.atleast_2d(visible_probabilities(h, W, visible_bias))
    return _squeeze(_bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


def gibbs(v, W, visible_bias, hidden_bias, k=1, seed=None):
    """Run k steps of block Gibbs sampling v -> h -> v' from each row of ``v``.

    One step samples h ~ P(h | v), then v' ~ P(v | h). After many steps the rows are samples of
    the model's p(v), whatever they started from. ``v`` itself is not changed.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        Starting states, values in [0, 1] (probabilities are fine: the first step samples h).
    W, visible_bias, hidden_bias : the RBM's parameters, shapes (n_visible, n_hidden),
        (n_visible,), (n_hidden,)
    k : int
        Number of steps, >= 1.
    seed : int, numpy.random.Generator or None
        Chain r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_visible) of 0.0 and 1.0, or (n_visible,) for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0]).copy()
    k = _positive_int("k", k)
    _gibbs_chains(
        v, W, np.ascontiguousarray(W.T), visible_bias, hidden_bias, k, rng.stream_states(seed, len(v))
    )
    return _squeeze(v, was_vector)


def reconstruct(v, W, visible_bias, hidden_bias):
    """Mean-field reconstruction P(v' = 1 | h = P(h = 1 | v)): up to the hidden layer and back.

    Deterministic: probabilities, not samples, at both layers.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    ndarray of shape (n_samples, n_visible), or (n_visible,) for one vector
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _units("v", v, W.shape[0])
    return _squeeze(sigmoid(sigmoid(v @ W + hidden_bias) @ W.T + visible_bias), was_vector)


def sample(n_samples, W, visible_bias, hidden_bias, n_steps=1000, seed=None, start=None):
    """Draw ``n_samples`` fantasy vectors from the model by running independent Gibbs chains.

    Parameters
    ----------
    n_samples : int
        Number of chains (>= 1); ignored when ``start`` is given.
    W, visible_bias, hidden_bias : the RBM's parameters
    n_steps : int
        Gibbs steps per chain, >= 1.
    seed : int, numpy.random.Generator or None
    start : array_like of shape (n_chains, n_visible) or None
        Where the chains start. None: uniformly random 0/1 vectors drawn from ``seed``.

    Returns
    -------
    ndarray of shape (n_chains, n_visible) of 0.0 and 1.0
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    n_steps = _positive_int("n_steps", n_steps)
    generator = rng.as_generator(seed)
    if start is None:
        n_samples = _positive_int("n_samples", n_samples)
        start = (generator.random((n_samples, W.shape[0])) < 0.5).astype(np.float64)
    else:
        start = _units("start", start, W.shape[0])
    return gibbs(start, W, visible_bias, hidden_bias, k=n_steps, seed=generator)


def cd_update(v, W, visible_bias, hidden_bias, k=1, learning_rate=0.1, seed=None):
    """One CD-k update of (W, visible_bias, hidden_bias) on the minibatch ``v``; returns new copies.

    The step :class:`RBM` repeats for every minibatch (here without momentum or weight decay):

    1. h0_probs = P(h = 1 | v0) for the data v0, and a sample h ~ h0_probs;
    2. k times: v ~ P(v | h), h_probs = P(h = 1 | v) (and h ~ h_probs, except in the last step);
    3. W += learning_rate * (v0^T h0_probs - v_k^T h_probs) / n_samples, and likewise
       b += learning_rate * mean(v0 - v_k), c += learning_rate * mean(h0_probs - h_probs).

    Random numbers: row r draws from stream r of ``seed`` (see :mod:`bmlib.rng`), in this order:
    n_hidden numbers for h, then per step n_visible for v and n_hidden for h (none in the last
    step). Unit j of a sample is 1 when its number u_j < its probability.

    Parameters
    ----------
    v : array_like of shape (n_samples, n_visible) or (n_visible,)
        The minibatch, values in [0, 1].
    W, visible_bias, hidden_bias : the RBM's parameters (not modified)
    k : int
        Gibbs steps, >= 1.
    learning_rate : float > 0
    seed : int, numpy.random.Generator or None

    Returns
    -------
    W, visible_bias, hidden_bias : new ndarrays of shapes (n_visible, n_hidden), (n_visible,),
        (n_hidden,)
    """
    W, visible_bias, hidden_bias = (p.copy() for p in _parameters(W, visible_bias, hidden_bias))
    v = _units("v", v, W.shape[0])
    k = _positive_int("k", k)
    learning_rate = _validate.positive_scalar("learning_rate", learning_rate)
    n = len(v)
    velocities = (np.zeros_like(W), np.zeros_like(visible_bias), np.zeros_like(hidden_bias))
    _train_epoch_fused(
        v,
        np.arange(n, dtype=np.int64),
        W,
        np.ascontiguousarray(W.T),
        visible_bias,
        hidden_bias,
        *velocities,
        np.zeros((n, W.shape[1])),
        rng.stream_states(seed, n),
        learning_rate,
        0.0,
        0.0,
        k,
        False,
        n,
    )
    return W, visible_bias, hidden_bias


def pseudo_log_likelihood(X, W, visible_bias, hidden_bias):
    """Average pseudo-log-likelihood sum_i log P(v_i | v_-i), over every bit (deterministic).

    Each term is log P(v_i | all other units) = log sigmoid(F(v~) - F(v)) with v~ the vector v
    with unit i flipped (v_i -> 1 - v_i). Unlike scikit-learn's ``score_samples`` (which flips
    one random bit per row and multiplies by n_visible), every bit is used, so the value is
    exact and the same on every call. For grey-level data the same formula is applied with
    v_i -> 1 - v_i (as scikit-learn does). Cost: n_visible free energies per row.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
        The mean over rows (nats per vector; 0 is perfect, -n_visible log 2 is a coin).
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    X = _units("X", X, W.shape[0])
    return float(_pseudo_log_likelihood_rows(X, W, visible_bias, hidden_bias).mean())


def reconstruction_error(X, W, visible_bias, hidden_bias):
    """Average squared reconstruction error sum_i (x_i - x'_i)^2 with x' = :func:`reconstruct`.

    Easy to compute and to watch, but *not* the objective: an RBM with huge weights can
    reconstruct well and still give the data a low likelihood (see notebook 06).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
        Mean over rows of the squared error summed over the visible units.
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    X = _units("X", X, W.shape[0])
    return float(((X - reconstruct(X, W, visible_bias, hidden_bias)) ** 2).sum(axis=1).mean())


def log_partition_function(W, visible_bias, hidden_bias):
    """Exact log Z = log sum_{v,h} exp(-E(v, h)), by enumerating the smaller layer.

    With the n_hidden <= n_visible layer enumerated, log Z = logsumexp over h of
    (c.h + sum_i softplus(b_i + (W h)_i)); symmetrically for the visible layer. 2^m terms for
    m = min(n_visible, n_hidden) <= ``EXACT_LIMIT``.

    Parameters
    ----------
    W, visible_bias, hidden_bias : the RBM's parameters

    Returns
    -------
    float
    """
    W, visible_bias, hidden_bias = _parameters(W, visible_bias, hidden_bias)
    n_visible, n_hidden = W.shape
    if min(n_visible, n_hidden) > EXACT_LIMIT:
        raise ValueError(
            f"exact log Z needs 2^min(n_visible, n_hidden) terms; min({n_visible}, {n_hidden}) "
            f"> EXACT_LIMIT = {EXACT_LIMIT}"
        )
    if n_visible <= n_hidden:
        return float(_log_partition_function(W, visible_bias, hidden_bias))
    return float(_log_partition_function(np.ascontiguousarray(W.T), hidden_bias, visible_bias))


def log_likelihood(X, W, visible_bias, hidden_bias):
    """Exact average log-likelihood log p(x) = -F(x) - log Z over the rows of X (small RBMs only).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_visible), values in [0, 1]
    W, visible_bias, hidden_bias : the RBM's parameters (min(n_visible, n_hidden) <= EXACT_LIMIT)

    Returns
    -------
    float
    """
    log_z = log_partition_function(W, visible_bias, hidden_bias)
    return float(-free_energy(np.atleast_2d(X), W, visible_bias, hidden_bias).mean() - log_z)


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


class RBM:
    """Bernoulli restricted Boltzmann machine trained with CD-k or PCD-k.

    Follows scikit-learn's estimator conventions (``fit``, ``partial_fit``, ``transform``,
    ``get_params``/``set_params``), so it can be a step of a ``sklearn.pipeline.Pipeline``.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units, >= 1.
    learning_rate : float
        Step size of the parameter updates (> 0).
    batch_size : int
        Rows per minibatch, >= 1 (also the number of persistent chains with PCD).
    n_epochs : int
        Passes over the data made by ``fit``, >= 0.
    k : int
        Gibbs steps per update: CD-k or PCD-k, >= 1.
    persistent : bool
        False: CD-k, chains restart at the data for every minibatch (Hinton 2002). True: PCD-k,
        ``batch_size`` chains continue from where the last update left them (Tieleman 2008).
    momentum : float in [0, 1)
        velocity = momentum * velocity + learning_rate * gradient; parameters += velocity.
    weight_decay : float >= 0
        L2 penalty: ``weight_decay * W`` is subtracted from the weight gradient (not the biases).
    seed : int, numpy.random.Generator or None
        Seeds the initial weights, the minibatch order and every Gibbs sample: the same int
        gives the same weights in every run and process.
    verbose : bool or "auto"
        Progress after each epoch. "auto" (default) shows it only when someone is watching: a
        terminal, or a Jupyter frontend that accepts input (so nbval and ``bmlib.figures``,
        which execute notebooks without one, stay silent).
    monitor : bool
        Fill ``history_`` after every epoch (costs about one pseudo-likelihood evaluation of up
        to 1000 rows per epoch).
    shuffle : bool
        Visit the rows in a new random order every epoch (True) or in their given order.
    kernel : {"auto", "fused", "blas"}
        Implementation of an epoch; see the module docstring ("auto": fused for small shapes or
        sparse data, BLAS otherwise). Both give the same results.

    Attributes
    ----------
    W_ : ndarray of shape (n_visible, n_hidden)
        Weights W_ij between visible unit i and hidden unit j.
    visible_bias_ : ndarray of shape (n_visible,)
        Initialised to log(p_i / (1 - p_i)) with p_i the fraction of the data where unit i is on
        (clipped to [0.001, 0.999]), as Hinton's guide recommends.
    hidden_bias_ : ndarray of shape (n_hidden,)
        Initialised to 0.
    n_features_in_ : int
        n_visible, fixed by the first ``fit``/``partial_fit``.
    history_ : dict of lists
        Per epoch: "epoch", "reconstruction_error", "pseudo_log_likelihood" (on up to 1000 fixed
        rows of the data given) and, when min(n_visible, n_hidden) <= 16, "log_likelihood".
    persistent_chains_ : ndarray of shape (batch_size, n_hidden)
        Hidden states of the PCD chains (zeros until trained with ``persistent=True``).

    References
    ----------
    Hinton (2002); Tieleman (2008); Hinton, *A Practical Guide to Training RBMs* (2010).
    """

    def __init__(
        self,
        n_hidden=64,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_epochs=10,
        k=1,
        persistent=False,
        momentum=0.0,
        weight_decay=0.0,
        seed=None,
        verbose="auto",
        monitor=True,
        shuffle=True,
        kernel="auto",
    ):
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_epochs = n_epochs
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.seed = seed
        self.verbose = verbose
        self.monitor = monitor
        self.shuffle = shuffle
        self.kernel = kernel

    # scikit-learn's parameter protocol --------------------------------------------------

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set constructor parameters by name; return self (scikit-learn convention)."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for RBM; valid parameters: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name in self._get_param_names()
            if not _same(getattr(self, name), defaults[name].default)
        ]
        return f"RBM({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
        )

    # training ------------------------------------------------------------------------------

    def _check_settings(self):
        settings = {
            "n_hidden": _positive_int("n_hidden", self.n_hidden),
            "learning_rate": _validate.positive_scalar("learning_rate", self.learning_rate),
            "batch_size": _positive_int("batch_size", self.batch_size),
            "n_epochs": _positive_int("n_epochs", self.n_epochs, minimum=0),
            "k": _positive_int("k", self.k),
            "momentum": _nonnegative("momentum", self.momentum, below_one=True),
            "weight_decay": _nonnegative("weight_decay", self.weight_decay),
        }
        if self.kernel not in ("auto", "fused", "blas"):
            raise ValueError(f"kernel must be 'auto', 'fused' or 'blas', got {self.kernel!r}")
        if self.verbose not in (True, False, "auto", 0, 1):
            raise ValueError(f"verbose must be True, False or 'auto', got {self.verbose!r}")
        return settings

    def _initialize(self, X, settings):
        generator = rng.as_generator(self.seed)
        n_visible, n_hidden = X.shape[1], settings["n_hidden"]
        self.n_features_in_ = n_visible
        self.W_ = generator.normal(0.0, 0.01, size=(n_visible, n_hidden))
        frequency = np.clip(X.mean(axis=0), 0.001, 0.999)
        self.visible_bias_ = np.log(frequency / (1.0 - frequency))
        self.hidden_bias_ = np.zeros(n_hidden)
        self._velocity = (np.zeros_like(self.W_), np.zeros(n_visible), np.zeros(n_hidden))
        self.persistent_chains_ = np.zeros((settings["batch_size"], n_hidden))
        self._generator = generator
        self._states = rng.stream_states(generator, settings["batch_size"])
        self.history_ = {"epoch": [], "reconstruction_error": [], "pseudo_log_likelihood": []}
        if min(n_visible, n_hidden) <= 16:
            self.history_["log_likelihood"] = []
        self.n_epochs_trained_ = 0

    def fit(self, X, y=None):
        """Initialise the parameters and train for ``n_epochs`` epochs on X.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible), values in [0, 1]
        y : ignored (present for the Pipeline protocol)

        Returns
        -------
        self
        """
        settings = self._check_settings()
        X = _units("X", X)
        self._initialize(X, settings)
        progress = Progress(settings["n_epochs"], "RBM epoch", self.verbose)
        for _ in range(settings["n_epochs"]):
            self._epoch(X, settings)
            history = self.history_["pseudo_log_likelihood"] if self.monitor else []
            progress.update(f"pseudo-log-likelihood {history[-1]:.2f}" if history else "")
        progress.close()
        return self

    def partial_fit(self, X, y=None):
        """Train for one epoch on X (initialising the parameters on the first call).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible), values in [0, 1]
        y : ignored

        Returns
        -------
        self
        """
        settings = self._check_settings()
        if not hasattr(self, "W_"):
            X = _units("X", X)
            self._initialize(X, settings)
        else:
            X = _units("X", X, self.n_features_in_, "n_features_in_")
            if self._states.shape[0] != settings["batch_size"]:
                raise ValueError("batch_size cannot change between partial_fit calls; call fit to restart")
        self._epoch(X, settings)
        return self

    def _epoch(self, X, settings):
        n_samples = X.shape[0]
        if self.shuffle:
            order = self._generator.permutation(n_samples).astype(np.int64)
        else:
            order = np.arange(n_samples, dtype=np.int64)
        batch_size, n_visible, n_hidden = settings["batch_size"], *self.W_.shape
        kernel = self.kernel
        if kernel == "auto":
            small = batch_size * n_visible * n_hidden <= _FUSED_LIMIT
            sparse = np.count_nonzero(X) <= _SPARSE_LIMIT * X.size
            kernel = "fused" if small or sparse else "blas"
        arguments = (
            self.visible_bias_,
            self.hidden_bias_,
            *self._velocity,
            self.persistent_chains_,
            self._states,
            settings["learning_rate"],
            settings["momentum"],
            settings["weight_decay"],
            settings["k"],
            bool(self.persistent),
            batch_size,
        )
        if kernel == "fused":
            WT = np.ascontiguousarray(self.W_.T)
            _train_epoch_fused(X, order, self.W_, WT, *arguments)
        else:
            _train_epoch_blas(X, order, self.W_, *arguments)
        if not np.all(np.isfinite(self.W_)):
            raise FloatingPointError(
                "training diverged (weights are no longer finite): lower learning_rate or momentum"
            )
        self.n_epochs_trained_ += 1
        if self.monitor:
            rows = X if n_samples <= 1000 else X[np.linspace(0, n_samples - 1, 1000).astype(np.int64)]
            params = (self.W_, self.visible_bias_, self.hidden_bias_)
            self.history_["epoch"].append(self.n_epochs_trained_)
            self.history_["reconstruction_error"].append(reconstruction_error(rows, *params))
            self.history_["pseudo_log_likelihood"].append(pseudo_log_likelihood(rows, *params))
            if "log_likelihood" in self.history_:
                self.history_["log_likelihood"].append(log_likelihood(rows, *params))

    # using a trained model ---------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "W_"):
            raise ValueError("this RBM is not fitted yet: call fit or partial_fit first")
        return self.W_, self.visible_bias_, self.hidden_bias_

    def _check_X(self, name, X):
        self._check_fitted()
        _units(name, X, self.n_features_in_, "n_features_in_ (the number of features seen in fit)")

    def transform(self, X):
        """Hidden-unit probabilities P(h = 1 | v = X): the RBM's features of X.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_visible)

        Returns
        -------
        ndarray of shape (n_samples, n_hidden)
        """
        self._check_X("X", X)
        return hidden_probabilities(np.atleast_2d(X), self.W_, self.hidden_bias_)

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def energy(self, v, h):
        """E(v, h) = - v.b - h.c - v W h; see :func:`energy`."""
        return energy(v, h, *self._check_fitted())

    def free_energy(self, v):
        """F(v) = - v.b - sum_j softplus(c_j + (v W)_j); see :func:`free_energy`."""
        return free_energy(v, *self._check_fitted())

    def hidden_probabilities(self, v):
        """P(h = 1 | v); see :func:`hidden_probabilities`."""
        W, _, hidden_bias = self._check_fitted()
        return hidden_probabilities(v, W, hidden_bias)

    def visible_probabilities(self, h):
        """P(v = 1 | h); see :func:`visible_probabilities`."""
        W, visible_bias, _ = self._check_fitted()
        return visible_probabilities(h, W, visible_bias)

    def sample_hidden(self, v, seed=None):
        """h ~ P(h | v); see :func:`sample_hidden`."""
        W, _, hidden_bias = self._check_fitted()
        return sample_hidden(v, W, hidden_bias, seed=seed)

    def sample_visible(self, h, seed=None):
        """v ~ P(v | h); see :func:`sample_visible`."""
        W, visible_bias, _ = self._check_fitted()
        return sample_visible(h, W, visible_bias, seed=seed)

    def gibbs(self, v, k=1, seed=None):
        """k block Gibbs steps from each row of v; see :func:`gibbs`."""
        return gibbs(v, *self._check_fitted(), k=k, seed=seed)

    def reconstruct(self, v):
        """Mean-field reconstruction; see :func:`reconstruct`."""
        return reconstruct(v, *self._check_fitted())

    def sample(self, n_samples, n_steps=1000, seed=None, start=None):
        """Fantasy vectors from ``n_samples`` Gibbs chains of ``n_steps``; see :func:`sample`."""
        return sample(n_samples, *self._check_fitted(), n_steps=n_steps, seed=seed, start=start)

    def pseudo_log_likelihood(self, X):
        """Average pseudo-log-likelihood over every bit; see :func:`pseudo_log_likelihood`."""
        return pseudo_log_likelihood(X, *self._check_fitted())

    def score_samples(self, X):
        """Pseudo-log-likelihood of each row (deterministic, all bits).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_X("X", X)
        X = _units("X", X)
        return _pseudo_log_likelihood_rows(X, self.W_, self.visible_bias_, self.hidden_bias_)

    def score(self, X, y=None):
        """Average pseudo-log-likelihood of X (higher is better)."""
        return self.pseudo_log_likelihood(X)

    def reconstruction_error(self, X):
        """Average squared reconstruction error; see :func:`reconstruction_error`."""
        return reconstruction_error(X, *self._check_fitted())

    def log_partition_function(self):
        """Exact log Z (small RBMs); see :func:`log_partition_function`."""
        return log_partition_function(*self._check_fitted())

    def log_likelihood(self, X):
        """Exact average log p(x) (small RBMs); see :func:`log_likelihood`."""
        return log_likelihood(X, *self._check_fitted())


def _same(a, b):
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):
        return False
