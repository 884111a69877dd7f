"""Weight sharing: datasets.lattice_orbits and rbm.tie_parameters.

Ground truth: an RBM averaged over the orbits must have the lattice's symmetry exactly, i.e. its
free energy F(v) is unchanged when the configuration is translated, rotated or reflected.
"""

import numpy as np
import pytest

from bmlib import datasets, rbm


def symmetries(L, point_group=True):
    """The 8 L^2 (or L^2) maps of an L x L periodic lattice onto itself, as functions of lattices."""
    maps = []
    for a in range(L):
        for b in range(L):
            maps.append(lambda s, a=a, b=b: np.roll(s, (a, b), axis=(-2, -1)))
    if not point_group:
        return maps
    point = [
        lambda s: s,
        lambda s: np.rot90(s, 1, axes=(-2, -1)),
        lambda s: np.rot90(s, 2, axes=(-2, -1)),
        lambda s: np.rot90(s, 3, axes=(-2, -1)),
        lambda s: s[..., ::-1, :],
        lambda s: s[..., :, ::-1],
        lambda s: np.swapaxes(s, -1, -2),
        lambda s: np.rot90(s, 2, axes=(-2, -1)).swapaxes(-1, -2),
    ]
    return [lambda s, t=t, p=p: t(p(s)) for t in maps for p in point]


def fitted(L, seed=0, n_rows=200, **settings):
    data = (np.random.default_rng(seed).random((n_rows, L * L)) < 0.5).astype(np.float64)
    model = rbm.RBM(
        L * L, learning_rate=0.1, batch_size=10, momentum=0.5, random_state=seed, monitor=False, **settings
    )
    return model.partial_fit(data), data


@pytest.mark.parametrize(
    "L, point_group, expected", [(8, True, 15), (8, False, 64), (4, True, 6), (5, True, 6)]
)
def test_lattice_orbits_count_the_displacement_classes(L, point_group, expected):
    weights, visible, hidden = datasets.lattice_orbits(L, point_group=point_group)
    assert weights.shape == (L * L, L * L) and weights.dtype == np.int64
    assert len(np.unique(weights)) == expected
    assert np.array_equal(np.unique(weights), np.arange(expected))
    assert np.all(visible == 0) and np.all(hidden == 0)
    assert np.all(np.diag(weights) == 0)  # label 0: each hidden unit to its own site
    # every hidden unit sees every orbit equally often: the filter is the same for all of them
    counts = np.array([np.bincount(weights[:, p], minlength=expected) for p in range(L * L)])
    assert np.all(counts == counts[0])


def test_translation_orbits_are_the_displacements():
    L = 6
    weights, _, _ = datasets.lattice_orbits(L, point_group=False)
    for i in range(L * L):
        for p in range(L * L):
            dx, dy = (i // L - p // L) % L, (i % L - p % L) % L
            assert weights[i, p] == dx * L + dy


@pytest.mark.parametrize("point_group", [True, False])
@pytest.mark.parametrize("centered", [True, False])
def test_tied_rbm_has_the_lattice_symmetry_exactly(point_group, centered):
    L = 4
    model, _ = fitted(L, centered=centered)
    v = (np.random.default_rng(1).random((50, L * L)) < 0.5).astype(np.float64)
    params = (model.W_, model.visible_bias_, model.hidden_bias_)
    lattices = v.reshape(-1, L, L)
    moved = symmetries(L, point_group)[L + 1](lattices).reshape(-1, L * L)  # translation by (1, 1)
    assert np.max(np.abs(rbm.free_energy(moved, *params) - rbm.free_energy(v, *params))) > 1e-9  # not yet
    rbm.tie_parameters(model, *datasets.lattice_orbits(L, point_group=point_group))
    params = (model.W_, model.visible_bias_, model.hidden_bias_)
    free = rbm.free_energy(v, *params)
    for g in symmetries(L, point_group):
        np.testing.assert_allclose(
            rbm.free_energy(g(lattices).reshape(-1, L * L), *params), free, rtol=0, atol=1e-12
        )


def test_translations_alone_do_not_give_rotation_symmetry():
    L = 4
    model, _ = fitted(L)
    rbm.tie_parameters(model, *datasets.lattice_orbits(L, point_group=False))
    v = (np.random.default_rng(2).random((50, L * L)) < 0.5).astype(np.float64)
    params = (model.W_, model.visible_bias_, model.hidden_bias_)
    turned = np.rot90(v.reshape(-1, L, L), 1, axes=(1, 2)).reshape(-1, L * L)
    # the weights are small after one epoch, so compare against the rounding level, not np.allclose's
    assert np.max(np.abs(rbm.free_energy(turned, *params) - rbm.free_energy(v, *params))) > 1e-9


def test_tie_parameters_is_the_orthogonal_projection():
    L = 4
    model, _ = fitted(L, centered=True)
    orbits = datasets.lattice_orbits(L)
    before = [a.copy() for a in (model.W_, model.visible_bias_, model.hidden_bias_, *model._velocity)]
    before += [model.visible_offset_.copy(), model.hidden_offset_.copy()]
    rbm.tie_parameters(model, *orbits)
    after = [model.W_, model.visible_bias_, model.hidden_bias_, *model._velocity]
    after += [model.visible_offset_, model.hidden_offset_]
    ids = [orbits[0], orbits[1], orbits[2], orbits[0], orbits[1], orbits[2], orbits[1], orbits[2]]
    for old, new, labels in zip(before, after, ids, strict=True):
        labels = labels.ravel()
        # constant on every orbit, with the orbit's mean kept, and the removed part orthogonal to it
        for k in np.unique(labels):
            members = new.ravel()[labels == k]
            assert np.all(members == members[0])
            assert members[0] == pytest.approx(old.ravel()[labels == k].mean(), abs=1e-15)
        assert abs(np.dot((old - new).ravel(), new.ravel())) < 1e-10 * max(
            1.0, np.dot(old.ravel(), old.ravel())
        )
    again = [a.copy() for a in after]
    rbm.tie_parameters(model, *orbits)  # idempotent (up to the rounding of a mean of equal numbers)
    now = [model.W_, model.visible_bias_, model.hidden_bias_, *model._velocity]
    now += [model.visible_offset_, model.hidden_offset_]
    for a, b in zip(again, now, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-14, atol=1e-300)


def test_training_with_tied_parameters_stays_symmetric_and_learns():
    L = 4
    weights, visible, hidden = datasets.lattice_orbits(L)
    data = datasets.spins_to_visible(
        np.sign(np.random.default_rng(3).random((400, L, L)) - 0.2).astype(np.int8)
    )
    model = rbm.RBM(
        L * L, learning_rate=0.05, batch_size=20, momentum=0.5, centered=True, random_state=0, monitor=False
    )
    start = None
    for _ in range(5):
        for chunk in np.split(data, 4):
            model.partial_fit(chunk)
            rbm.tie_parameters(model, weights, visible, hidden)
        if start is None:
            start = model.pseudo_log_likelihood(data)
    assert len(np.unique(model.W_)) <= len(np.unique(weights))
    assert model.pseudo_log_likelihood(data) > start


def test_tie_parameters_rejects_bad_input():
    L = 4
    model, _ = fitted(L)
    weights, visible, hidden = datasets.lattice_orbits(L)
    with pytest.raises(ValueError, match=r"weight_orbits must have shape \(16, 16\)"):
        rbm.tie_parameters(model, weights[:8], visible, hidden)
    with pytest.raises(ValueError, match=r"hidden_orbits must have shape \(16,\)"):
        rbm.tie_parameters(model, weights, visible, hidden[:3])
    with pytest.raises(TypeError, match="visible_orbits must hold integer orbit labels"):
        rbm.tie_parameters(model, weights, visible.astype(float), hidden)
    with pytest.raises(ValueError, match="weight_orbits must hold non-negative"):
        rbm.tie_parameters(model, weights - 1, visible, hidden)
    with pytest.raises(ValueError, match="not fitted"):
        rbm.tie_parameters(rbm.RBM(16), weights, visible, hidden)
    with pytest.raises(TypeError, match="model must be a bmlib.rbm.RBM"):
        rbm.tie_parameters(object(), weights, visible, hidden)
    with pytest.raises(ValueError, match="L must be >= 2"):
        datasets.lattice_orbits(1)
    with pytest.raises(TypeError, match="L must be an integer"):
        datasets.lattice_orbits(4.0)


def test_orbit_labels_may_be_any_non_negative_integers():
    # Issue 17: one label of 10**9 made np.bincount allocate 7.45 GiB, one count per possible
    # label; only which labels are equal matters. Labels near 2**60 (beyond any address space)
    # and uint64 labels beyond int64 give the same model as the compact labels.
    L = 3
    weights, visible, hidden = datasets.lattice_orbits(L)
    expected, _ = fitted(L, n_rows=20)
    rbm.tie_parameters(expected, weights, visible, hidden)
    spread = [np.asarray(labels, dtype=np.int64) * 2**52 for labels in (weights, visible, hidden)]
    top = [
        np.iinfo(np.uint64).max - np.asarray(labels, dtype=np.uint64) for labels in (weights, visible, hidden)
    ]
    for labels in (spread, top):
        model, _ = fitted(L, n_rows=20)
        rbm.tie_parameters(model, *labels)
        for name in ("W_", "visible_bias_", "hidden_bias_", "hidden_offset_"):
            np.testing.assert_array_equal(getattr(model, name), getattr(expected, name))
