"""The Ising explorer and what every explorer shares (bmlib.explore, issue 20).

The explorer is driven as the widgets drive it (``set``, ``advance``, the buttons' actions) and
checked against the physics: quenched at T = 1 the lattice orders, at T = 5 it stays disordered.
The other explorers have their own test files (test_explore_*.py).
"""

import io
import time

import ipywidgets
import numpy as np
import pytest

from bmlib import ising, plotting
from bmlib.explore import IsingExplorer, _display


@pytest.mark.parametrize("algorithm", ["metropolis", "wolff"])
def test_a_lattice_quenched_at_T_1_orders_and_at_T_5_stays_disordered(algorithm):
    L = 64
    cold = IsingExplorer(L=L, T=1.0, algorithm=algorithm, seed=3)
    cold.advance(60)
    # Perfect order has E/N = -2; two straight domain walls across the lattice (stripes, which
    # Metropolis can keep for long) cost 2 * 2L / N = 0.0625; thermal excitations at T = 1 add
    # about 0.003 (Onsager: E/N = -1.9973).
    assert cold.energies[-1] < -2.0 + 0.0625 + 0.02
    hot = IsingExplorer(L=L, T=5.0, algorithm=algorithm, seed=3, start="ordered")
    hot.advance(60)
    # At T = 5 the correlation length is below one lattice spacing: |M|/N of independent-ish
    # spins is of order 1/sqrt(N) = 0.016; E/N near the high-temperature value (Onsager -0.41).
    assert hot.magnetizations[-1] < 5 / L
    assert abs(hot.energies[-1] - ising.onsager_energy(5.0)) < 0.1


def test_below_T_c_an_ordered_start_keeps_the_spontaneous_magnetization():
    lab = IsingExplorer(L=64, T=2.0, start="ordered", seed=1)
    lab.advance(100)
    exact = ising.onsager_magnetization(2.0)  # 0.9113
    assert abs(np.mean(lab.magnetizations[50:]) - exact) < 0.03  # finite L and 50 frames


def test_a_field_orders_the_lattice_above_T_c():
    lab = IsingExplorer(L=64, T=3.0, h=1.0, seed=2)
    lab.advance(40)
    assert ising.magnetization(lab.spins, per_spin=True) > 0.8


def test_the_same_seed_and_actions_give_the_same_lattice():
    def run():
        lab = IsingExplorer(L=32, seed=7)
        lab.advance(3)
        lab.set(T=1.5, algorithm="wolff")
        lab.advance(2)
        lab.quench("random")
        lab.advance(2)
        return lab.spins, lab.energies

    (a, ea), (b, eb) = run(), run()
    np.testing.assert_array_equal(a, b)
    assert ea == eb


def test_a_frame_is_sweeps_per_frame_sweeps():
    lab = IsingExplorer(L=16, sweeps_per_frame=7, seed=0)
    lab.advance(3)
    assert lab.frame == 3 and lab.sweeps == 21
    wolff = IsingExplorer(L=16, algorithm="wolff", sweeps_per_frame=5, T=1.5, seed=0)
    wolff.advance(4)
    # whole clusters: at least the asked-for spin flips, and at most twice as many per frame
    assert 4 * 5 <= wolff.sweeps <= 4 * 2 * 5 + 4


def test_the_traces_keep_history_frames_and_show_onsager_at_zero_field():
    lab = IsingExplorer(L=16, seed=0, history=5)
    lab.advance(20)
    traces = lab.traces()
    assert len(traces["E/N"][0]) == 5 and len(traces["|M|/N"][0]) == 5
    assert traces["E/N"][1] == pytest.approx(ising.onsager_energy(ising.T_C))
    lab.set(h=0.5)
    assert lab.traces()["E/N"][1] is None  # no exact value with a field


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"L": 5}, ValueError, "L must be even"),
        ({"L": 2048}, ValueError, "L must be at most"),
        ({"L": 2.5}, TypeError, "L must be an integer"),
        ({"T": 0.0}, ValueError, "T must be > 0"),
        ({"T": float("nan")}, ValueError, "T must be finite"),
        ({"T": 50.0}, ValueError, "T must be between 0.05 and 10"),
        ({"h": "up"}, TypeError, "h must be a real number"),
        ({"h": 3.0}, ValueError, "h must be between -2 and 2"),
        ({"algorithm": "heat bath"}, ValueError, "algorithm must be 'metropolis' or 'wolff'"),
        ({"algorithm": "wolff", "h": 0.1}, ValueError, "Wolff's clusters here take no field"),
        ({"sweeps_per_frame": 0}, ValueError, "sweeps_per_frame must be between 1 and 100"),
        ({"start": "hot"}, ValueError, "start must be 'random' or 'ordered'"),
        ({"seed": "abc"}, TypeError, "seed must be an int"),
        ({"history": 1}, ValueError, "history must be at least 2"),
    ],
)
def test_bad_settings_are_refused_by_name(arguments, error, match):
    with pytest.raises(error, match=match):
        IsingExplorer(**{"L": 16, **arguments})


def test_set_refuses_unknown_controls_and_keeps_the_state():
    lab = IsingExplorer(L=16, seed=0)
    with pytest.raises(TypeError, match="unknown control"):
        lab.set(temperature=2.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        lab.set(T=-1.0, h=0.5)
    assert lab.T == ising.T_C and lab.h == 0.0  # nothing half-changed
    with pytest.raises(ValueError, match="n_frames must be >= 0"):
        lab.advance(-1)


def test_the_static_figure_is_the_same_bytes_every_time():
    plotting.use_style()
    first = _display.figure_png(_display.static(IsingExplorer(L=32, seed=0)))
    second = _display.figure_png(_display.static(IsingExplorer(L=32, seed=0)))
    assert first == second
    assert first != _display.figure_png(_display.static(IsingExplorer(L=32, seed=1)))


def test_the_widgets_drive_the_explorer():
    lab = IsingExplorer(L=32, seed=0)
    view = _display.live(lab)
    (play,) = _display.widgets_of(view, ipywidgets.Play)
    (image,) = _display.widgets_of(view, ipywidgets.Image)
    before = image.value
    play.value = 1  # a step of the Play widget's value: one frame
    assert lab.frame == 1 and image.value != before
    (temperature,) = [s for s in _display.widgets_of(view, ipywidgets.FloatSlider) if s.description == "T"]
    temperature.value = 1.0
    assert lab.T == 1.0
    (algorithm,) = _display.widgets_of(view, ipywidgets.Dropdown)
    (field,) = [s for s in _display.widgets_of(view, ipywidgets.FloatSlider) if s.description == "h"]
    field.value = 0.5
    algorithm.value = "wolff"  # refused with a field: the dropdown goes back and says why
    assert algorithm.value == "metropolis" and lab.algorithm == "metropolis"
    assert any("take no field" in widget.value for widget in _display.widgets_of(view, ipywidgets.HTML))
    (ordered,) = [
        b for b in _display.widgets_of(view, ipywidgets.Button) if b.description == "quench from ordered"
    ]
    ordered.click()
    assert lab.frame == 0 and np.all(lab.spins == 1)


def test_play_runs_frames_in_a_thread_until_paused():
    lab = IsingExplorer(L=16, seed=0)
    (play,) = _display.widgets_of(_display.live(lab), ipywidgets.Play)
    play.playing = True  # what the play button does
    deadline = time.perf_counter() + 10.0
    while lab.frame < 3 and time.perf_counter() < deadline:
        time.sleep(0.01)
    play.playing = False
    time.sleep(3 * _display.FRAME_MS / 1e3)  # the running frame finishes
    stopped = lab.frame
    assert stopped >= 3
    time.sleep(3 * _display.FRAME_MS / 1e3)
    assert lab.frame == stopped  # paused
    play.value = 0  # the stop button: no frame
    assert lab.frame == stopped


def test_show_without_a_person_watching_draws_and_saves_the_static_figure(tmp_path, monkeypatch):
    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    IsingExplorer(L=16, seed=0).show("99_explore_test")
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(first) == {"99_explore_test.png", "99_explore_test.gif"}
    IsingExplorer(L=16, seed=0).show("99_explore_test")
    assert first == {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(ValueError, match="name must look like"):
        _display.save_animation(IsingExplorer(L=16), "explore", 2)


def test_the_animation_has_its_frames_and_starts_from_the_seed(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    path = _display.save_animation(IsingExplorer(L=16, seed=0), "99_explore_frames", 5)
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (256, 256)
        first = np.asarray(gif.convert("L"))
    spins = IsingExplorer(L=16, seed=0).spins
    np.testing.assert_array_equal(first[::16, ::16] == 0, spins == 1)  # +1 black


def test_png_draws_spins_probabilities_and_rgb():
    from PIL import Image

    spins = np.array([[1, -1], [-1, 1]], dtype=np.int8)
    image = np.asarray(Image.open(io.BytesIO(_display.png(spins, pixels=4))))
    assert image.shape == (4, 4) and image[0, 0] == 0 and image[0, 3] == 255
    grey = np.asarray(Image.open(io.BytesIO(_display.png(np.array([[0.0, 1.0]]), pixels=2))))
    assert grey[0].tolist() == [255, 0]
    rgb = np.zeros((3, 5, 4), dtype=np.uint8)
    assert Image.open(io.BytesIO(_display.png(rgb, pixels=1))).size == (5, 3)
