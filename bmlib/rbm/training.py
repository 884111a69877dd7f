"""Training an RBM: the CD-k and PCD-k minibatch update.

The log-likelihood gradient of one data vector is

    d log p(v) / d W_ij = <v_i h_j>_data - <v_i h_j>_model

(and likewise <v_i> and <h_j> for the biases). The data term is exact, P(h_j = 1 | v) is known.
The model term needs samples of the model. CD-k (Hinton 2002) starts a block Gibbs chain at
each data vector and runs k steps; PCD-k (Tieleman 2008) keeps ``batch_size`` persistent
chains running from one update to the next instead. Minibatches, momentum and L2 weight decay
follow Hinton's *A Practical Guide to Training RBMs*; the centred variant (Melchior, Fischer
and Wiskott 2016) subtracts offsets mu and lambda from v and h.

:func:`cd_reference` writes one minibatch update out with NumPy, line by line from those
formulas. The estimator runs the same update, with the same random numbers, through one of
two fast epochs: ``rbm._fused`` (one Numba kernel per epoch, optionally on several threads)
or ``rbm._blas`` (NumPy matrix products), chosen per shape; ``tests/test_rbm.py`` checks
both against :func:`cd_reference`.

References
----------
G. E. Hinton, "Training products of experts by minimizing contrastive divergence",
Neural Computation 14 (2002) 1771-1800.
T. Tieleman, "Training restricted Boltzmann machines using approximations to the likelihood
gradient", ICML 2008.
G. E. Hinton, "A practical guide to training restricted Boltzmann machines", UTML TR 2010-003.
J. Melchior, A. Fischer and L. Wiskott, "How to center deep Boltzmann machines", JMLR 17 (2016).
"""

import numpy as np

from bmlib import _validate, rng
from bmlib.rbm import _checks, bundles
from bmlib.rbm._fused import train_epoch_fused
from bmlib.rbm.bundles import Chains, Offsets, Parameters, Velocities
from bmlib.stats import sigmoid

__all__ = ["cd_reference", "cd_update"]


def cd_reference(v_data, params, velocities, chains, settings, offsets=None):
    """One minibatch update of CD-k or PCD-k, written out; updates the bundles in place.

    The readable version of what ``RBM.fit`` does for every minibatch, and the reference its
    fast kernels are tested against. It draws the same random numbers in the same order:
    negative chain r draws from stream r of ``chains.streams``, for CD first n_hidden numbers
    (the hidden sample of data row r), then per Gibbs step n_visible (v) and n_hidden (h; CD
    skips it in the last step); a unit is 1 when its number u < its probability.

    Parameters
    ----------
    v_data : ndarray (m, n_visible)
        The minibatch, values in [0, 1].
    params, velocities, chains : :class:`~bmlib.rbm.bundles.Parameters`,
        :class:`~bmlib.rbm.bundles.Velocities`, :class:`~bmlib.rbm.bundles.Chains`
        Updated in place (the chains only with ``settings.persistent``).
    settings : :class:`~bmlib.rbm.bundles.Settings`
    offsets : :class:`~bmlib.rbm.bundles.Offsets` or None
        Used (and lambda moved) when ``settings.centered``.
    """
    W, b, c = params
    learning_rate, momentum, weight_decay, k, persistent = settings[:5]
    m = len(v_data)
    # the positive phase: P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij) for the data
    h_data = sigmoid(v_data @ W + c)
    n_chains = len(chains.hidden) if persistent else m
    v_model = np.empty((n_chains, len(b)))
    h_model = np.empty((n_chains, len(c)))
    for r in range(n_chains):

        def uniform(n, r=r):  # the next n numbers of stream r
            return np.array([rng.next_double(chains.streams, r) for _ in range(n)])

        # CD starts from a sample of h given data row r; PCD from the chain's last h
        h = chains.hidden[r].copy() if persistent else (uniform(len(c)) < h_data[r]).astype(float)
        for step in range(k):
            v = (uniform(len(b)) < sigmoid(b + W @ h)).astype(float)  # P(v_i = 1 | h)
            h_probability = sigmoid(c + v @ W)  # P(h_j = 1 | v)
            if persistent or step < k - 1:
                h = (uniform(len(c)) < h_probability).astype(float)
        v_model[r], h_model[r] = v, h_probability
        if persistent:
            chains.hidden[r] = h
    # the gradient: <v h>_data - <v h>_model, with P(h | v) in place of h (same expectation)
    if settings.centered:  # for v - mu and h - lambda, turned back into steps of b and c
        mu, lam = offsets
        grad_W = (v_data - mu).T @ (h_data - lam) / m - (v_model - mu).T @ (h_model - lam) / n_chains
        grad_b = v_data.mean(0) - v_model.mean(0) - grad_W @ lam
        grad_c = h_data.mean(0) - h_model.mean(0) - mu @ grad_W
        lam += settings.offset_rate * (h_data.mean(0) - lam)
    else:
        grad_W = v_data.T @ h_data / m - v_model.T @ h_model / n_chains
        grad_b = v_data.mean(0) - v_model.mean(0)
        grad_c = h_data.mean(0) - h_model.mean(0)
    # velocity = momentum * velocity + learning_rate * (gradient - weight_decay * W); W += velocity
    velocities.W[:] = momentum * velocities.W + learning_rate * (grad_W - weight_decay * W)
    velocities.visible_bias[:] = momentum * velocities.visible_bias + learning_rate * grad_b
    velocities.hidden_bias[:] = momentum * velocities.hidden_bias + learning_rate * grad_c
    W += velocities.W
    b += velocities.visible_bias
    c += velocities.hidden_bias


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
        Gibbs steps, from 1 to 10**12 (more could not finish in a day).
    learning_rate : float > 0
        FloatingPointError when the step takes the parameters beyond the bound the other
        functions accept (their |entries| summing to more than 1e300).
    seed : int, numpy.random.Generator or None

    Returns
    -------
    W, visible_bias, hidden_bias : new ndarrays of shapes (n_visible, n_hidden), (n_visible,),
        (n_hidden,)
    """
    W, visible_bias, hidden_bias = (p.copy() for p in _checks.parameters(W, visible_bias, hidden_bias))
    v = _checks.units("v", v, W.shape[0])
    k = _checks.positive_int("k", k)
    learning_rate = _validate.positive_scalar("learning_rate", learning_rate)
    n = len(v)
    train_epoch_fused(
        v,
        np.arange(n, dtype=np.int64),
        Parameters(W, visible_bias, hidden_bias),
        np.ascontiguousarray(W.T),
        Velocities(np.zeros_like(W), np.zeros_like(visible_bias), np.zeros_like(hidden_bias)),
        Chains(np.zeros((n, W.shape[1])), rng.stream_states(seed, n)),
        bundles.settings(learning_rate, 0.0, 0.0, k, False, n, False, 0.0),
        Offsets(np.zeros(W.shape[0]), np.zeros(W.shape[1])),
    )
    try:
        _checks.bounded_size([("W", W), ("visible_bias", visible_bias), ("hidden_bias", hidden_bias)])
    except ValueError as err:
        raise FloatingPointError(
            f"learning_rate = {learning_rate:g} is too large for this step: {err}"
        ) from None
    return W, visible_bias, hidden_bias
