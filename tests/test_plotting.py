"""bmlib.plotting: figures land in figures/, byte for byte the same on every save."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bmlib import plotting


def _figure():
    plotting.use_style()
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, label="x^2")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return fig


def test_savefig_is_byte_identical_and_carries_no_software_stamp(tmp_path, monkeypatch):
    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    fig = _figure()
    first = plotting.savefig(fig, "99_test_figure").read_bytes()
    plt.close(fig)
    fig = _figure()
    path = plotting.savefig(fig, "99_test_figure")
    plt.close(fig)
    assert path == tmp_path / "99_test_figure.png"
    assert path.read_bytes() == first
    assert first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"Matplotlib version" not in first


def test_default_folder_is_the_repository_figures_folder(monkeypatch):
    monkeypatch.delenv("BMLIB_FIGURES_DIR", raising=False)
    folder = plotting.figures_dir()
    assert folder.name == "figures"
    assert (folder.parent / "notebooks").is_dir() and (folder.parent / "bmlib").is_dir()


@pytest.mark.parametrize("name", ["speed", "01_speed.png", "1_speed", "01_Speed", "01 speed", 1])
def test_savefig_refuses_bad_names(name, tmp_path, monkeypatch):
    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path))
    fig = _figure()
    with pytest.raises(ValueError, match="name"):
        plotting.savefig(fig, name)
    plt.close(fig)
    assert not list(tmp_path.iterdir())


def test_savefig_refuses_non_figures():
    with pytest.raises(TypeError, match="fig"):
        plotting.savefig("not a figure", "01_x")
