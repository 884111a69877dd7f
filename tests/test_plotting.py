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


def test_tile_images_checks_its_shape_and_counts():
    images = np.zeros((3, 4))
    with pytest.raises(TypeError, match="image_shape must be an integer"):
        plotting.tile_images(images, (2.5, 2))  # was truncated to (2, 2)
    with pytest.raises(TypeError, match="n_columns must be an integer"):
        plotting.tile_images(images, (2, 2), n_columns=np.inf)
    with pytest.raises(TypeError, match="n_columns must be an integer"):
        plotting.tile_images(images, (2, 2), n_columns=True)
    with pytest.raises(ValueError, match="padding must be at most 2"):
        plotting.tile_images(images, (2, 2), padding=10**6)  # a mosaic of terabytes
    with pytest.raises(TypeError, match="images must be real"):
        plotting.tile_images(images.astype(complex), (2, 2))
    assert plotting.tile_images(images, (2, 2), n_columns=2).shape == (5, 5)
