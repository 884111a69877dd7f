"""The RBM fantasies explorer (bmlib.explore.fantasies, issue 20).

Driven as the widgets drive it (``set``, ``advance``, the buttons' actions) on models small
enough to know exactly: the chains' states against the exact p(v) of an RBM with 4 visible
units, at T = 1 and at the temperature it is run at; the image against 1/2 at high T, with a
bound that holds for every pixel; and k against the exact k-step transition of independent
two-unit chains. Error bars are 5 standard errors over independent chains.
"""

import ipywidgets
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from bmlib import plotting, rbm
from bmlib.explore import _display
from bmlib.explore.fantasies import FantasyExplorer
from bmlib.stats import sigmoid


def _small_model():
    """4 visible, 3 hidden units with random couplings: 16 visible states whose probabilities
    differ by a factor of 3.8 at T = 1 and 28 at T = 0.5, all likely enough (p > 0.009 at both
    temperatures) to be counted often in a few thousand samples."""
    g = np.random.default_rng(1)
    return g.normal(0.0, 0.8, (4, 3)), g.normal(0.0, 0.5, 4), g.normal(0.0, 0.5, 3)


def _codes(v):
    """State index of each row, unit i as bit i (the order of rbm.visible_distribution)."""
    return (v.astype(np.int64) << np.arange(v.shape[1])).sum(axis=1)


@pytest.mark.parametrize("T", [1.0, 0.5])
def test_the_chains_sample_the_exact_distribution_of_the_tempered_rbm(T):
    W, b, c = _small_model()
    exact = rbm.visible_distribution(W / T, b / T, c / T)
    assert exact.min() > 0.009 and exact.max() > 3 * exact.min()
    lab = FantasyExplorer(W, b, c, image_shape=(2, 2), T=T, n_chains=64, seed=4)
    lab.advance(20)  # burn-in: this model mixes in a few steps
    counts = np.zeros((64, 16))
    for _ in range(300):
        lab.advance(1)
        counts[np.arange(64), _codes(lab.v)] += 1
    per_chain = counts / 300  # the chains are independent: their spread is the error bar
    error = per_chain.std(axis=0, ddof=1) / np.sqrt(64)
    assert np.all(error > 0)
    np.testing.assert_array_less(np.abs(per_chain.mean(axis=0) - exact), 5 * error)


def test_at_high_temperature_the_image_is_grey():
    W, b, c = _small_model()
    T = 20.0
    lab = FantasyExplorer(W, b, c, image_shape=(2, 2), T=T, n_chains=64, seed=5)
    lab.advance(5)
    # every P(v_i = 1 | h) = sigmoid((b_i + sum_j W_ij h_j) / T) is within this of 1/2:
    bound = sigmoid(np.max(np.abs(b) + np.abs(W).sum(axis=1)) / T) - 0.5
    means = []
    for _ in range(100):
        lab.advance(1)
        assert np.all(np.abs(lab.probabilities - 0.5) <= bound)
        means.append(lab.probabilities.mean(axis=1))
    per_chain = np.mean(means, axis=0)
    # its average is the tempered model's mean pixel, exactly
    codes = np.arange(16)
    states = (codes[:, None] >> np.arange(4)) & 1
    exact = rbm.visible_distribution(W / T, b / T, c / T) @ states.mean(axis=1)
    error = per_chain.std(ddof=1) / np.sqrt(64)
    assert abs(per_chain.mean() - exact) < 5 * error
    assert abs(exact - 0.5) < bound < 0.1


def test_a_frame_is_k_gibbs_steps():
    # 16 independent pairs (v_i, h_i), weight 4 and biases -2 (symmetric under v, h -> 1 - v, 1 - h):
    # from v = 0 each visible unit is on after k steps with probability (1 - lambda^k) / 2, where
    # lambda = tanh(1)^2 = 0.58 is the second eigenvalue of the pair's one-step transition matrix
    w, bias = 4.0, -2.0
    W, b, c = w * np.eye(16), np.full(16, bias), np.full(16, bias)
    lam = (sigmoid(bias + w) - sigmoid(bias)) ** 2

    def on_after(k, frames):
        lab = FantasyExplorer(W, b, c, data=np.zeros((1, 16)), start="data", k=k, n_chains=64, seed=k)
        lab.advance(frames)
        assert lab.steps == k * frames and lab.frame == frames
        return lab.v.mean()  # 1024 independent units

    for k, frames in [(1, 1), (1, 3), (3, 1)]:
        exact = (1.0 - lam ** (k * frames)) / 2
        assert abs(on_after(k, frames) - exact) < 5 * np.sqrt(exact * (1 - exact) / 1024)
    assert (1 - lam**3) / 2 - (1 - lam) / 2 > 10 * np.sqrt(0.25 / 1024)  # k = 3 and k = 1 differ


def test_the_same_seed_and_actions_give_the_same_chains():
    W, b, c = _small_model()
    data = np.eye(4)

    def run():
        lab = FantasyExplorer(W, b, c, image_shape=(2, 2), data=data, seed=7)
        lab.advance(3)
        lab.set(T=2.0, k=4)
        lab.advance(2)
        lab.restart("data")
        lab.advance(2)
        return lab.v, lab.probabilities, lab.free_energies, lab.flips

    first, second = run(), run()
    for a, b_ in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b_)


def test_a_fitted_rbm_is_taken_as_its_parameters_and_copied():
    data = (np.random.default_rng(0).random((30, 4)) < 0.5).astype(float)
    model = rbm.RBM(3, n_epochs=2, random_state=0).fit(data)
    from_model = FantasyExplorer(model, image_shape=(2, 2), seed=1)
    parameters = model.W_, model.visible_bias_, model.hidden_bias_
    from_arrays = FantasyExplorer(*parameters, image_shape=(2, 2), seed=1)
    from_model.advance(3)
    from_arrays.advance(3)
    np.testing.assert_array_equal(from_model.v, from_arrays.v)
    model.W_ += 1.0  # training on does not change the explorer
    assert not np.shares_memory(from_model.W, model.W_)
    with pytest.raises(TypeError, match="either a fitted RBM or W"):
        FantasyExplorer(model, model.visible_bias_, image_shape=(2, 2))
    with pytest.raises(NotFittedError, match="not fitted"):
        FantasyExplorer(rbm.RBM(3))


def test_the_image_is_the_tiles_of_the_chains():
    W, b, c = _small_model()
    lab = FantasyExplorer(W, b, c, image_shape=(2, 2), n_chains=9, seed=0)
    image = lab.image()
    assert image.shape == (3 * 3 - 1, 3 * 3 - 1) and not np.any(np.isnan(image))
    np.testing.assert_array_equal(image[:2, :2], lab.v[0].reshape(2, 2))  # the start, before a step
    lab.advance(1)
    np.testing.assert_array_equal(lab.image()[3:5, 6:8], lab.probabilities[5].reshape(2, 2))
    assert lab.image()[2, 0] == 0.15  # the gaps


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"k": 0}, ValueError, "k must be between 1 and 1000"),
        ({"k": 2.5}, TypeError, "k must be an integer"),
        ({"T": 0.0}, ValueError, "T must be > 0"),
        ({"T": float("nan")}, ValueError, "T must be finite"),
        ({"T": 50.0}, ValueError, "T must be between 0.05 and 20"),
        ({"n_chains": 0}, ValueError, "n_chains must be at least 1"),
        ({"n_chains": 1000}, ValueError, "n_chains must be at most 256"),
        ({"image_shape": (3, 3)}, ValueError, r"image_shape \(3, 3\) must hold n_visible = 4"),
        ({"image_shape": 4}, ValueError, "image_shape must be a pair"),
        ({"visible_bias": np.zeros(5)}, ValueError, r"visible_bias must have shape \(4,\)"),
        ({"hidden_bias": None}, TypeError, "hidden_bias must be an array"),
        ({"W": np.full((4, 3), np.inf)}, ValueError, "W must be finite"),
        ({"data": np.zeros((2, 3))}, ValueError, "data has 3 columns, expected n_visible = 4"),
        ({"data": np.full((2, 4), 2.0)}, ValueError, r"data must hold values in \[0, 1\]"),
        ({"start": "data"}, ValueError, "start='data' needs data"),
        ({"start": "hot"}, ValueError, "start must be 'noise' or 'data'"),
        ({"seed": "abc"}, TypeError, "seed must be an int"),
        ({"history": 1}, ValueError, "history must be at least 2"),
    ],
)
def test_bad_settings_are_refused_by_name(arguments, error, match):
    W, b, c = _small_model()
    settings = {"W": W, "visible_bias": b, "hidden_bias": c, "image_shape": (2, 2), **arguments}
    with pytest.raises(error, match=match):
        FantasyExplorer(**settings)


def test_a_non_square_model_needs_an_image_shape():
    with pytest.raises(ValueError, match="image_shape must be given: n_visible = 6"):
        FantasyExplorer(np.zeros((6, 2)), np.zeros(6), np.zeros(2))


def test_set_refuses_unknown_controls_and_keeps_the_state():
    W, b, c = _small_model()
    lab = FantasyExplorer(W, b, c, image_shape=(2, 2), seed=0)
    with pytest.raises(TypeError, match="unknown control"):
        lab.set(temperature=2.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        lab.set(k=5, T=-1.0)
    assert lab.k == 1 and lab.T == 1.0  # nothing half-changed
    with pytest.raises(ValueError, match="n_frames must be >= 0"):
        lab.advance(-1)
    assert list(lab.actions()) == ["restart from noise"]  # no data, no "restart from data"


def test_the_static_figure_is_the_same_bytes_every_time():
    def drawn(seed):
        return _display.figure_png(
            _display.static(FantasyExplorer(*_small_model(), (2, 2), np.eye(4), seed=seed))
        )

    plotting.use_style()
    first = drawn(0)
    assert first == drawn(0)
    assert first != drawn(1)


def test_the_widgets_drive_the_explorer():
    W, b, c = _small_model()
    lab = FantasyExplorer(W, b, c, image_shape=(2, 2), data=np.eye(4), seed=0)
    view = _display.live(lab)
    (play,) = _display.widgets_of(view, ipywidgets.Play)
    (image,) = _display.widgets_of(view, ipywidgets.Image)
    before = image.value
    play.value = 1  # a step of the Play widget's value: one frame
    assert lab.frame == 1 and image.value != before
    (steps,) = _display.widgets_of(view, ipywidgets.IntSlider)
    steps.value = 7
    play.value = 2
    assert lab.k == 7 and lab.steps == 8
    (temperature,) = _display.widgets_of(view, ipywidgets.FloatSlider)
    temperature.value = 2.5
    assert lab.T == 2.5
    (from_data,) = [
        b_ for b_ in _display.widgets_of(view, ipywidgets.Button) if b_.description == "restart from data"
    ]
    from_data.click()
    assert lab.frame == 0 and all(any((row == d).all() for d in np.eye(4)) for row in lab.v)


def test_show_and_the_animation_write_the_same_bytes_every_time(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    W, b, c = _small_model()
    path = _display.save_animation(FantasyExplorer(W, b, c, (2, 2), seed=0), "99_fantasies_gif", 5)
    first = path.read_bytes()
    _display.save_animation(FantasyExplorer(W, b, c, (2, 2), seed=0), "99_fantasies_gif", 5)
    assert path.read_bytes() == first
    with Image.open(path) as gif:
        assert gif.n_frames == 5
    FantasyExplorer(W, b, c, image_shape=(2, 2), seed=0).show("99_fantasies_show")
    shown = {p.name: p.read_bytes() for p in tmp_path.glob("99_fantasies_show*")}
    assert set(shown) == {"99_fantasies_show.png", "99_fantasies_show.gif"}
    FantasyExplorer(W, b, c, image_shape=(2, 2), seed=0).show("99_fantasies_show")
    assert shown == {p.name: p.read_bytes() for p in tmp_path.glob("99_fantasies_show*")}
