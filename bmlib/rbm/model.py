"""The RBM itself: energy, free energy, the two conditionals, block Gibbs sampling.

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
does). Sampled states are float64 arrays of 0.0 and 1.0. Random numbers: row r of a batch of
chains draws from stream r of ``seed`` (see :mod:`bmlib.rng`). Parameters whose |entries| sum
to more than 1e300 are refused: |E(v, h)| is at most that sum, so below it energies are finite.
"""

import numpy as np

from bmlib import rng
from bmlib.rbm import _checks
from bmlib.rbm._blas import bernoulli
from bmlib.rbm._fused import gibbs_chains
from bmlib.stats import sigmoid, softplus


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
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1 and np.ndim(h) == 1
    v = _checks.units("v", v, W.shape[0])
    h = _checks.units("h", h, W.shape[1], "n_hidden")
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
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _checks.units("v", v, W.shape[0])
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
    W, hidden_bias = _checks.parameters(W, hidden_bias=hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _checks.units("v", v, W.shape[0])
    return _checks.squeeze(sigmoid(v @ W + hidden_bias), was_vector)


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
    W, visible_bias = _checks.parameters(W, visible_bias)
    was_vector = np.ndim(h) == 1
    h = _checks.units("h", h, W.shape[1], "n_hidden")
    return _checks.squeeze(sigmoid(h @ W.T + visible_bias), was_vector)


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
    return _checks.squeeze(bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


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
    return _checks.squeeze(bernoulli(p, rng.stream_states(seed, p.shape[0])), was_vector)


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
        Number of steps, from 1 to 10**12 (more could not finish in a day).
    seed : int, numpy.random.Generator or None
        Chain r uses random stream r of this seed.

    Returns
    -------
    ndarray of shape (n_samples, n_visible) of 0.0 and 1.0, or (n_visible,) for one vector
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _checks.units("v", v, W.shape[0]).copy()
    k = _checks.positive_int("k", k)
    gibbs_chains(
        v, W, np.ascontiguousarray(W.T), visible_bias, hidden_bias, k, rng.stream_states(seed, len(v))
    )
    return _checks.squeeze(v, was_vector)


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
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    was_vector = np.ndim(v) == 1
    v = _checks.units("v", v, W.shape[0])
    return _checks.squeeze(sigmoid(sigmoid(v @ W + hidden_bias) @ W.T + visible_bias), was_vector)


def sample(n_samples, W, visible_bias, hidden_bias, n_steps=1000, seed=None, start=None):
    """Draw ``n_samples`` fantasy vectors from the model by running independent Gibbs chains.

    Parameters
    ----------
    n_samples : int
        Number of chains, from 1 to 10**12; ignored when ``start`` is given.
    W, visible_bias, hidden_bias : the RBM's parameters
    n_steps : int
        Gibbs steps per chain, from 1 to 10**12 (more could not finish in a day).
    seed : int, numpy.random.Generator or None
    start : array_like of shape (n_chains, n_visible) or None
        Where the chains start. None: uniformly random 0/1 vectors drawn from ``seed``.

    Returns
    -------
    ndarray of shape (n_chains, n_visible) of 0.0 and 1.0
    """
    W, visible_bias, hidden_bias = _checks.parameters(W, visible_bias, hidden_bias)
    n_steps = _checks.positive_int("n_steps", n_steps)
    generator = rng.as_generator(seed)
    if start is None:
        n_samples = _checks.positive_int("n_samples", n_samples)
        try:
            start = (generator.random((n_samples, W.shape[0])) < 0.5).astype(np.float64)
        except MemoryError as err:
            raise MemoryError(
                f"n_samples = {n_samples:_} chains need more memory than there is: {err}"
            ) from err
    else:
        start = _checks.units("start", start, W.shape[0])
    return gibbs(start, W, visible_bias, hidden_bias, k=n_steps, seed=generator)
