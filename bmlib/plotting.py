"""One figure style for the whole course, and saving figures to ``figures/`` byte for byte.

In a notebook::

    from bmlib import plotting
    plotting.use_style()
    fig, ax = plt.subplots()
    ...
    plotting.savefig(fig, "01_speed_distribution")   # -> figures/01_speed_distribution.png

``savefig`` writes to the repository's ``figures/`` folder, found from where bmlib lives
(not from the notebook's working directory), and strips the metadata that would make two
runs differ, so re-running an unchanged notebook rewrites identical PNG files.
"""

import os
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np

from bmlib import _validate

__all__ = ["STYLE", "use_style", "figures_dir", "savefig", "figure_path", "tile_images"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 150,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
}
"""The course's matplotlib settings (readable sizes, light grid, no top/right spines)."""

_NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


def use_style():
    """Apply :data:`STYLE` to matplotlib's global settings."""
    mpl.rcParams.update(STYLE)


def figures_dir():
    """Return the folder figures are written to.

    The environment variable ``BMLIB_FIGURES_DIR`` wins (tests use it to write elsewhere);
    otherwise it is ``figures/`` at the top of the course repository that holds this copy
    of bmlib; if bmlib was installed outside a course checkout, ``./figures``.
    """
    override = os.environ.get("BMLIB_FIGURES_DIR")
    if override:
        return Path(override)
    root = Path(__file__).resolve().parent.parent
    if (root / "notebooks").is_dir():
        return root / "figures"
    return Path.cwd() / "figures"


def savefig(fig, name):
    """Save ``fig`` as ``figures/<name>.png`` with fixed metadata; return the path.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        ``NN_short_name``: the notebook's two-digit number, an underscore, then lower-case
        letters, digits and underscores; no extension.

    Returns
    -------
    pathlib.Path
    """
    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    path = figure_path(name, ".png")
    # Matplotlib writes a "Software" text chunk with its version; nothing else varies.
    fig.savefig(path, format="png", metadata={"Software": None})
    return path


def figure_path(name, suffix):
    """``figures/<name><suffix>`` after checking ``name`` (see :func:`savefig`); makes the folder."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must look like '01_speed_distribution' (NN_lower_case, no extension), got {name!r}"
        )
    folder = figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}{suffix}"


def tile_images(images, image_shape, n_columns=10, padding=1):
    """Arrange flattened images (digits, RBM filters) in a grid, for one ``imshow``.

    Parameters
    ----------
    images : array_like of shape (n_images, height * width)
        One flattened image per row (row by row, as ``image.ravel()`` gives).
    image_shape : tuple (height, width)
    n_columns : int
        Images per row of the grid (fewer if there are fewer images).
    padding : int
        Pixels of gap between images.

    Returns
    -------
    ndarray of shape (rows * (height + padding) - padding, columns * (width + padding) - padding)
        The mosaic; gaps and unused cells are NaN, which ``imshow`` leaves blank.
    """
    images = _validate.real_array("images", images)
    if np.ndim(image_shape) != 1 or len(image_shape) != 2:
        raise ValueError(f"image_shape must be a pair (height, width), got {_validate.show(image_shape)}")
    height, width = (
        _validate.count("image_shape", n, maximum=100_000, why="no image is that large") for n in image_shape
    )
    if height < 1 or width < 1:
        raise ValueError(f"image_shape must hold two integers >= 1, got {image_shape}")
    if images.ndim != 2 or images.shape[1] != height * width:
        raise ValueError(
            f"images must have shape (n_images, {height * width}) for image_shape {image_shape}, "
            f"got {images.shape}"
        )
    n_columns = _validate.count("n_columns", n_columns)
    if n_columns < 1:
        raise ValueError(f"n_columns must be >= 1, got {n_columns}")
    # a gap wider than an image is not a gap, and would make the mosaic mostly padding
    padding = _validate.count("padding", padding, maximum=max(height, width), why="at most the image's size")
    n_columns = min(n_columns, max(len(images), 1))
    n_rows = -(-len(images) // n_columns)
    mosaic = np.full((n_rows * (height + padding) - padding, n_columns * (width + padding) - padding), np.nan)
    for index, image in enumerate(images):
        top, left = (index // n_columns) * (height + padding), (index % n_columns) * (width + padding)
        mosaic[top : top + height, left : left + width] = image.reshape(height, width)
    return mosaic
