"""The annealing explorer (bmlib.explore.annealing, issue 20), driven as its widgets drive it."""

import io
import itertools

import ipywidgets
import numpy as np
import pytest

from bmlib import ising, plotting
from bmlib.explore import AnnealingExplorer, _display
from bmlib.explore.annealing import ground_state


def _anneal_to_the_end(lab):
    lab.advance(-(-lab.n_sweeps // lab.sweeps_per_frame))


def test_the_ground_state_is_the_lowest_of_all_states():
    lab = AnnealingExplorer(n=10, seed=0)
    states = np.array(list(itertools.product([-1, 1], repeat=10)))
    energies = ising.couplings_energy(states, lab.J)
    assert lab.ground_energy == pytest.approx(energies.min(), abs=1e-12)
    assert ising.couplings_energy(lab.ground_spins, lab.J) == pytest.approx(energies.min(), abs=1e-12)
    energy, spins = ground_state(-np.ones((4, 4)) + np.eye(4))  # antiferromagnet: frustrated, E0 = -2
    assert energy == -2.0 and spins[0] == 1


def test_slow_cooling_finds_the_ground_state_more_often_than_fast():
    found = {}
    for n_sweeps in (10, 3000):
        runs = [AnnealingExplorer(n=16, n_sweeps=n_sweeps, seed=seed) for seed in range(20)]
        for lab in runs:
            _anneal_to_the_end(lab)
        found[n_sweeps] = sum(lab.found_ground_state for lab in runs)
    # measured at these seeds: 7 of 20 and 19 of 20
    assert found == {10: 7, 3000: 19}


def test_annealing_goes_down_and_a_quench_stops_in_a_local_minimum():
    lab = AnnealingExplorer(seed=3)
    _anneal_to_the_end(lab)
    assert lab.energies[-1] < lab.energies[0]
    assert lab.energies[-1] >= lab.ground_energy / lab.n - 1e-12
    lab.quench()
    _anneal_to_the_end(lab)
    # a local minimum: no single flip lowers the energy (dE_i = 2 s_i sum_j J_ij s_j >= 0)
    assert np.all(2 * lab.spins * (lab.J @ lab.spins) >= -1e-12)
    assert lab.temperatures[-1] == 0.0


def test_frames_follow_the_schedule_and_stay_at_its_end():
    lab = AnnealingExplorer(n_sweeps=10, sweeps_per_frame=4, seed=0)
    lab.advance(2)
    assert lab.sweep == 8 and lab.temperatures[-1] == pytest.approx(lab.schedule[7])
    lab.advance(3)
    assert lab.temperatures[-1] == pytest.approx(lab.T_end) and len(lab.energies) == 6


def test_the_same_seed_and_actions_give_the_same_run():
    def run():
        lab = AnnealingExplorer(seed=5)
        lab.advance(7)
        lab.set(n_sweeps=30)
        lab.advance(3)
        lab.reheat()
        lab.advance(2)
        return lab.spins, lab.energies

    (a, ea), (b, eb) = run(), run()
    np.testing.assert_array_equal(a, b)
    assert ea == eb


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"n": 3}, ValueError, "n must be between 4 and 22"),
        ({"n": 30}, ValueError, "n must be between 4 and 22"),
        ({"n": 8.0}, TypeError, "n must be an integer"),
        ({"n_sweeps": 50}, ValueError, "n_sweeps must be one of"),
        ({"n_sweeps": True}, ValueError, "n_sweeps must be one of"),
        ({"T_start": 0.0}, ValueError, "T_start must be > 0"),
        ({"T_end": float("nan")}, ValueError, "T_end must be finite"),
        ({"T_start": 1.0, "T_end": 2.0}, ValueError, "need 0.01 <= T_end < T_start <= 10"),
        ({"sweeps_per_frame": 0}, ValueError, "sweeps_per_frame must be between 1 and 100"),
        ({"instance": -1}, ValueError, "instance must be >= 0"),
        ({"seed": "abc"}, TypeError, "seed must be an int"),
    ],
)
def test_bad_settings_are_refused_by_name(arguments, error, match):
    with pytest.raises(error, match=match):
        AnnealingExplorer(**{"n": 8, **arguments})


def test_set_refuses_unknown_controls():
    lab = AnnealingExplorer(n=8, seed=0)
    with pytest.raises(TypeError, match="unknown control"):
        lab.set(T=1.0)
    with pytest.raises(ValueError, match="n_frames must be >= 0"):
        lab.advance(-1)


def test_the_static_figure_is_the_same_bytes_every_time():
    plotting.use_style()

    def draw(seed):
        buffer = io.BytesIO()
        _display.static(AnnealingExplorer(n=10, seed=seed)).savefig(
            buffer, format="png", metadata={"Software": None}
        )
        return buffer.getvalue()

    assert draw(0) == draw(0)


def test_the_widgets_drive_the_explorer():
    lab = AnnealingExplorer(n=8, seed=0)
    view = _display.live(lab)
    (play,) = _display.widgets_of(view, ipywidgets.Play)
    play.value = 1
    assert lab.sweep == lab.sweeps_per_frame and len(lab.energies) == 2
    (schedule,) = _display.widgets_of(view, ipywidgets.SelectionSlider)  # the cooling rate
    schedule.value = 3000
    assert lab.n_sweeps == 3000 and lab.sweep == 0  # a new schedule starts from T_start
    (quench,) = [b for b in _display.widgets_of(view, ipywidgets.Button) if b.description == "quench"]
    quench.click()
    assert np.all(lab.schedule == 0.0)


def test_the_animation_is_the_same_bytes_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    first = _display.save_animation(AnnealingExplorer(n=8, seed=0), "99_explore_anneal", 5).read_bytes()
    second = _display.save_animation(AnnealingExplorer(n=8, seed=0), "99_explore_anneal", 5).read_bytes()
    assert first == second
