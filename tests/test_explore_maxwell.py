"""The Maxwell–Boltzmann explorer (bmlib.explore.maxwell, issue 20).

The explorer is driven as the widgets drive it (``set``, ``advance``, the "new sample" button) and
checked against the exact distribution: its sample mean lands within a few standard errors of
<v>, computed from the exact standard deviation of the speed, and its histogram is the histogram of
the speeds ``bmlib.maxwell.sample_speeds`` draws from the same seed.
"""

import copy

import ipywidgets
import numpy as np
import pytest

from bmlib import maxwell, plotting
from bmlib.explore import _display
from bmlib.explore.maxwell import MaxwellExplorer


def _standard_error(T, gas, n):
    """sigma / sqrt(n): sigma^2 = <v^2> - <v>^2 = v_rms^2 - <v>^2, from the closed forms."""
    sigma = np.sqrt(maxwell.rms_speed(T, gas) ** 2 - maxwell.mean_speed(T, gas) ** 2)
    return sigma / np.sqrt(n)


def test_the_sample_mean_and_rms_land_within_five_standard_errors():
    lab = MaxwellExplorer(T=300.0, gas="N2", molecules_per_frame=1000, seed=4)
    lab.advance(50)
    gas = maxwell.GASES["N2"]
    assert lab.n == 50_000 and lab.frame == 50
    assert abs(lab.means[-1] - maxwell.mean_speed(300.0, gas)) < 5 * _standard_error(300.0, gas, lab.n)
    # v_rms^2 is the mean of v^2, whose variance is <v^4> - <v^2>^2 = 15 a^4 - 9 a^4 = 6 a^4
    # (a^2 = k_B T / m); by the delta method the sample rms has standard error sqrt(6) a^2 / (2 v_rms sqrt(n))
    a2 = maxwell.K_B * 300.0 / gas.mass
    rms_error = np.sqrt(6.0) * a2 / (2 * maxwell.rms_speed(300.0, gas) * np.sqrt(lab.n))
    assert abs(lab.rms_speeds[-1] - maxwell.rms_speed(300.0, gas)) < 5 * rms_error
    assert lab.z_scores[-1] == pytest.approx(
        (lab.means[-1] - lab.exact["<v>"]) / _standard_error(300.0, gas, lab.n)
    )


def test_raising_T_starts_a_new_sample_with_a_higher_mean():
    lab = MaxwellExplorer(T=300.0, molecules_per_frame=1000, seed=1)
    lab.advance(10)
    cold = lab.means[-1]
    lab.set(T=1200.0)
    assert lab.n == 0 and lab.frame == 0 and lab.means == [] and not lab.counts.any()
    lab.advance(10)
    hot = lab.means[-1]
    gas = maxwell.GASES["N2"]
    # <v> grows like sqrt(T): twice as fast at four times the temperature, far beyond the noise
    combined = np.hypot(_standard_error(300.0, gas, 10_000), _standard_error(1200.0, gas, 10_000))
    assert hot - cold > 0.9 * (maxwell.mean_speed(1200.0, gas) - maxwell.mean_speed(300.0, gas))
    assert abs(hot - cold - (maxwell.mean_speed(1200.0, gas) - maxwell.mean_speed(300.0, gas))) < 5 * combined


def test_the_histogram_holds_exactly_the_speeds_drawn_from_the_seed():
    lab = MaxwellExplorer(T=800.0, gas="He", molecules_per_frame=500, seed=11)
    lab.advance(6)
    generator = np.random.default_rng(11)
    speeds = np.concatenate(
        [maxwell.sample_speeds(500, 800.0, maxwell.GASES["He"], seed=generator) for _ in range(6)]
    )
    np.testing.assert_array_equal(lab.counts, np.histogram(speeds, bins=lab.edges)[0])
    assert lab.means[-1] == pytest.approx(speeds.mean(), rel=1e-12)
    # the density integrates to the fraction of molecules inside the axes (per km/s * m/s / 1000)
    inside = np.mean(speeds < lab.edges[-1])
    assert np.sum(lab.density() * np.diff(lab.edges)) / 1000.0 == pytest.approx(inside, rel=1e-12)


def test_the_histogram_follows_f_v_bin_by_bin():
    lab = MaxwellExplorer(T=500.0, gas="Ar", molecules_per_frame=5000, seed=2)
    lab.advance(8)
    gas = maxwell.GASES["Ar"]
    expected = lab.n * np.diff(maxwell.speed_cdf(lab.edges, 500.0, gas))
    kept = expected >= 5  # Pearson's chi-squared over the bins with enough molecules expected
    chi2 = np.sum((lab.counts[kept] - expected[kept]) ** 2 / expected[kept])
    k = kept.sum()
    assert chi2 < k + 5 * np.sqrt(2 * k)  # chi-squared with ~k degrees of freedom: mean k, sd sqrt(2k)


def test_the_same_seed_and_actions_give_the_same_sample():
    def run():
        lab = MaxwellExplorer(seed=7)
        lab.advance(3)
        lab.set(gas="Xe", molecules_per_frame=50)
        lab.advance(2)
        lab.new_sample()
        lab.advance(2)
        return lab.counts, lab.means

    (a, means_a), (b, means_b) = run(), run()
    np.testing.assert_array_equal(a, b)
    assert means_a == means_b


def test_changing_molecules_per_frame_keeps_the_sample_and_new_sample_clears_it():
    lab = MaxwellExplorer(molecules_per_frame=100, seed=0)
    lab.advance(2)
    lab.set(molecules_per_frame=300, T=300.0, gas="N2")  # T and gas unchanged: the sample stays
    lab.advance(1)
    assert lab.n == 500 and lab.sizes == [100, 200, 500]
    (new_sample,) = lab.actions().values()
    new_sample()
    assert lab.n == 0 and lab.frame == 0 and lab.traces()["mean speed (m/s)"][0] == []


def test_the_traces_keep_history_frames_against_the_exact_speeds():
    lab = MaxwellExplorer(gas="He", molecules_per_frame=10, seed=0, history=5)
    lab.advance(20)
    traces = lab.traces()
    assert set(traces) == {"mean speed (m/s)", "rms speed (m/s)", "z of the mean"}
    assert all(len(values) == 5 for values, _, _ in traces.values())
    assert traces["mean speed (m/s)"][1] == pytest.approx(maxwell.mean_speed(300.0, maxwell.GASES["He"]))
    assert traces["rms speed (m/s)"][1] == pytest.approx(maxwell.rms_speed(300.0, maxwell.GASES["He"]))
    assert traces["z of the mean"][1] == 0.0


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"T": 0.0}, ValueError, "T must be > 0"),
        ({"T": -20.0}, ValueError, "T must be > 0"),
        ({"T": float("nan")}, ValueError, "T must be finite"),
        ({"T": 5000.0}, ValueError, "T must be between 100 and 1500 K"),
        ({"T": "hot"}, TypeError, "T must be a real number"),
        ({"T": True}, TypeError, "T must be a number"),
        ({"gas": "Unobtainium"}, ValueError, "gas must be one of H2, He"),
        ({"gas": maxwell.GASES["N2"]}, TypeError, "gas must be a formula"),
        ({"molecules_per_frame": 0}, ValueError, "molecules_per_frame must be at least 1"),
        ({"molecules_per_frame": 2.5}, TypeError, "molecules_per_frame must be an integer"),
        ({"molecules_per_frame": 10**6}, ValueError, "molecules_per_frame must be at most"),
        ({"seed": "abc"}, TypeError, "seed must be an int"),
        ({"history": 1}, ValueError, "history must be at least 2"),
    ],
)
def test_bad_settings_are_refused_by_name(arguments, error, match):
    with pytest.raises(error, match=match):
        MaxwellExplorer(**arguments)


def test_set_refuses_unknown_controls_and_keeps_the_state():
    lab = MaxwellExplorer(seed=0)
    lab.advance(2)
    with pytest.raises(TypeError, match="unknown control"):
        lab.set(temperature=500.0)
    with pytest.raises(ValueError, match="T must be > 0"):
        lab.set(T=-1.0, gas="He")
    assert lab.T == 300.0 and lab.gas == "N2" and lab.n == 400  # nothing half-changed
    with pytest.raises(ValueError, match="n_frames must be >= 0"):
        lab.advance(-1)


def test_the_image_is_a_small_rgba_picture_that_changes_with_the_sample():
    lab = MaxwellExplorer(seed=0)
    empty = lab.image()
    assert empty.shape == (320, 480, 4) and empty.dtype == np.uint8
    np.testing.assert_array_equal(lab.image(), empty)  # drawing twice changes nothing
    lab.advance(1)
    first = lab.image()
    assert not np.array_equal(first, empty)
    copied = copy.deepcopy(lab)  # a copy draws its own figure, the same picture
    np.testing.assert_array_equal(copied.image(), first)
    lab.advance(3)
    lab.new_sample()  # the bars of the old sample are gone from the picture
    np.testing.assert_array_equal(lab.image(), empty)
    lab.set(T=1000.0)
    assert lab.image().shape == (320, 480, 4)


def test_the_static_figure_is_the_same_bytes_every_time():
    plotting.use_style()
    first = _display.figure_png(_display.static(MaxwellExplorer(seed=0)))
    second = _display.figure_png(_display.static(MaxwellExplorer(seed=0)))
    assert first == second
    assert first != _display.figure_png(_display.static(MaxwellExplorer(seed=1)))


def test_the_widgets_drive_the_explorer():
    lab = MaxwellExplorer(seed=0)
    view = _display.live(lab)
    (play,) = _display.widgets_of(view, ipywidgets.Play)
    (image,) = _display.widgets_of(view, ipywidgets.Image)
    before = image.value
    play.value = 1  # a step of the Play widget's value: one frame
    assert lab.frame == 1 and lab.n == 200 and image.value != before
    (temperature,) = [s for s in _display.widgets_of(view, ipywidgets.FloatSlider) if s.description == "T"]
    temperature.value = 600.0
    assert lab.T == 600.0 and lab.n == 0
    (gas,) = _display.widgets_of(view, ipywidgets.Dropdown)
    gas.value = "He"
    assert lab.gas == "He" and lab.exact["<v>"] == pytest.approx(
        maxwell.mean_speed(600.0, maxwell.GASES["He"])
    )
    play.value = 2
    (new_sample,) = [b for b in _display.widgets_of(view, ipywidgets.Button) if b.description == "new sample"]
    new_sample.click()
    assert lab.n == 0 and lab.frame == 0


def test_the_animation_is_the_same_bytes_every_time(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    path = _display.save_animation(MaxwellExplorer(seed=0), "99_explore_maxwell", n_frames=5)
    first = path.read_bytes()
    assert _display.save_animation(MaxwellExplorer(seed=0), "99_explore_maxwell", n_frames=5) == path
    assert path.read_bytes() == first
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (480, 320)
