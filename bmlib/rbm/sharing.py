"""Weight sharing: averaging an RBM's parameters over the orbits of a symmetry group.

Chapter 08 trains RBMs on Ising configurations, whose distribution is unchanged by the
lattice's translations and reflections; :func:`tie_parameters` projects a model onto the
RBMs with that symmetry (one value per orbit of weights and biases).
"""

import numpy as np

from bmlib.rbm.estimator import RBM


def _orbit_ids(name, ids, shape):
    """``ids`` as a flat int64 array of orbit labels 0..n-1 for the n parameters of ``shape``.

    Only which labels are equal matters: labels of n or more (10**9, say) are renumbered in
    sorted order, so the counts per orbit take n numbers, not one per possible label.
    """
    array = np.asarray(ids)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (one orbit label per parameter), got {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer orbit labels, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold non-negative orbit labels, got {array.min()}")
    if array.size and array.max() >= array.size:
        return np.unique(array.ravel(), return_inverse=True)[1].astype(np.int64)
    return array.astype(np.int64).ravel()


def _average_over_orbits(values, ids):
    """values[k] = the mean of ``values`` over the entries with the same label as k (in place)."""
    counts = np.bincount(ids)
    sums = np.bincount(ids, weights=values.ravel(), minlength=counts.size)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    values[...] = means[ids].reshape(values.shape)


def tie_parameters(model, weight_orbits, visible_orbits, hidden_orbits):
    """Make a fitted :class:`RBM` symmetric: average every parameter over its orbit, in place.

    A symmetry of the data (a lattice translation, a rotation, ...) permutes the visible units;
    an RBM has that symmetry when the same permutation, together with a permutation of the
    hidden units, maps its parameters onto themselves. Parameters that a group of such
    permutations maps onto each other form an *orbit*, and a symmetric RBM has one value per
    orbit: weight sharing, as in a convolutional RBM. This function replaces each weight, each
    visible bias and each hidden bias by the mean over its orbit, the orthogonal projection onto
    the symmetric RBMs; applied after every few minibatch steps it trains a weight-shared RBM
    with the ordinary :class:`RBM` (the projected gradient step is the gradient step of the
    shared parameters). The training state follows: the momentum velocities and, for
    ``centered=True``, the offsets are averaged over the same orbits.

    :func:`bmlib.datasets.lattice_orbits` gives the orbits of an RBM with one hidden unit per
    site of an L x L periodic lattice.

    Parameters
    ----------
    model : RBM
        Fitted (``fit`` or ``partial_fit`` has run).
    weight_orbits : array_like of int, shape (n_visible, n_hidden)
        Orbit label (any integer >= 0) of each weight W_ij; weights with the same label become equal.
    visible_orbits : array_like of int, shape (n_visible,)
        Orbit label of each visible bias.
    hidden_orbits : array_like of int, shape (n_hidden,)
        Orbit label of each hidden bias.

    Returns
    -------
    model
        The same RBM, for chaining.
    """
    if not isinstance(model, RBM):
        raise TypeError(f"model must be a bmlib.rbm.RBM, got {type(model).__name__}")
    W, visible_bias, hidden_bias = model._check_fitted()
    n_visible, n_hidden = W.shape
    weights = _orbit_ids("weight_orbits", weight_orbits, (n_visible, n_hidden))
    visible = _orbit_ids("visible_orbits", visible_orbits, (n_visible,))
    hidden = _orbit_ids("hidden_orbits", hidden_orbits, (n_hidden,))
    velocity_W, velocity_visible, velocity_hidden = model._velocity
    for values, ids in (
        (W, weights),
        (velocity_W, weights),
        (visible_bias, visible),
        (velocity_visible, visible),
        (model.visible_offset_, visible),
        (hidden_bias, hidden),
        (velocity_hidden, hidden),
        (model.hidden_offset_, hidden),
    ):
        _average_over_orbits(values, ids)
    return model
