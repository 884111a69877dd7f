"""Course-wide conventions every notebook must keep (nbval itself checks their outputs)."""

import re

import nbformat
import pytest

from bmlib.figures import REPOSITORY, course_notebooks

NOTEBOOKS = course_notebooks()
SAVEFIG = re.compile(r"""plotting\.savefig\(\s*\w+\s*,\s*["']([^"']+)["']""")
# an explorer's static figure: figures/<name>.png and the website's figures/<name>.gif
EXPLORER = re.compile(r"""\.show\(\s*["']([0-9][0-9]_explore_[a-z_]+)["']""")


def _saved_figures(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return [name for source in code for pattern in (SAVEFIG, EXPLORER) for name in pattern.findall(source)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_saves_at_least_three_figures_named_after_it(path):
    names = _saved_figures(path)
    assert len(names) >= 3
    assert len(set(names)) == len(names), "two figures share a name"
    assert all(name.startswith(path.name[:3]) for name in names), names


def test_every_figure_on_disk_comes_from_a_notebook_and_vice_versa():
    saved = {name for path in NOTEBOOKS for name in _saved_figures(path)}
    on_disk = {p.stem for p in (REPOSITORY / "figures").glob("*.png")}
    assert saved == on_disk, (
        f"only in notebooks: {sorted(saved - on_disk)}; only on disk: {sorted(on_disk - saved)}"
    )
    animations = {p.stem for p in (REPOSITORY / "figures").glob("*.gif")}
    assert animations == {name for name in saved if "_explore_" in name}, sorted(animations)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_opts_out_of_nbval(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        assert "NBVAL_IGNORE_OUTPUT" not in cell.source and "NBVAL_SKIP" not in cell.source, cell.source[:80]
