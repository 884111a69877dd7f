"""bmlib.progress: silent unless someone is watching."""

from bmlib import ising
from bmlib.progress import Progress, interactive


def test_not_interactive_under_pytest(capsys):
    assert interactive() is False  # pytest captures stderr: not a terminal
    bar = Progress(3, "step")
    for _ in range(3):
        bar.update()
    bar.close()
    assert capsys.readouterr().err == ""


def test_forced_progress_draws_one_line(capsys):
    bar = Progress(2, "step", verbose=True)
    bar.update("a")
    bar.update("b")
    bar.close()
    err = capsys.readouterr().err
    assert err.count("\r") == 2 and err.endswith("\n") and "step 2/2" in err


def test_simulate_reports_progress_only_when_asked(capsys):
    ising.simulate(4, [2.0, 3.0], 10, 64, seed=1)
    assert capsys.readouterr().err == ""
    ising.simulate(4, [2.0, 3.0], 10, 64, seed=1, verbose=True)
    assert "temperature 2/2" in capsys.readouterr().err


def test_progress_checks_its_arguments():
    import pytest

    with pytest.raises(TypeError, match="total must be an integer"):
        Progress(2.5, "step")
    with pytest.raises(ValueError, match="total must be >= 0"):
        Progress(-1, "step")
    with pytest.raises(TypeError, match="label must be a str"):
        Progress(3, 7)
    for verbose in ("yes", float("nan"), 1, None):
        with pytest.raises(TypeError, match="verbose must be True, False or"):
            Progress(3, "step", verbose)
