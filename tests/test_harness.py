"""The test harness in the repository's conftest.py, run on a scratch course of two notebooks.

An unchanged notebook must pass, cells and figures; in a notebook with a changed stored output
and a changed plotted number, each must fail with a message that says what to do; and the run
writes nothing into the (scratch) tracked figures/.
"""

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from bmlib.figures import REPOSITORY, execute_notebook

CELLS = [
    "import matplotlib.pyplot as plt\nfrom bmlib import plotting",
    "print(6 * 7)",
    "fig, ax = plt.subplots()\n"
    "ax.plot([0, 1], [0, 1.0])\n"
    'plotting.savefig(fig, "01_scratch_line")\n'
    "plt.close(fig)",
]


def _scratch_course(root):
    """A course folder with the repository's conftest.py and two notebooks with stored outputs
    (01 as it ran; 02 the same, then one stored output and one plotted number changed), with the
    figure each of them drew when it ran, committed in figures/."""
    shutil.copy(REPOSITORY / "conftest.py", root / "conftest.py")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["notebooks"]\naddopts = "--nbval --nbval-current-env"\n'
    )
    (root / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BMLIB_FIGURES_DIR", str(root / "figures"))
        patch.setenv("MPLBACKEND", "Agg")
        execute_notebook(nb, cwd=root / "notebooks")
    nbformat.write(nb, root / "notebooks" / "01_scratch.ipynb")
    shutil.copy(root / "figures" / "01_scratch_line.png", root / "figures" / "02_scratch_line.png")
    nb.cells[1].outputs[0]["text"] = "41\n"  # the stored output no longer matches
    nb.cells[2].source = nb.cells[2].source.replace("01_", "02_").replace("1.0]", "0.9]")  # one number
    nbformat.write(nb, root / "notebooks" / "02_changed.ipynb")


def _figures(root):
    return {p.name: p.read_bytes() for p in (root / "figures").iterdir()}


def test_changed_outputs_and_figures_fail_with_what_to_do_and_nothing_is_written(tmp_path):
    _scratch_course(tmp_path)
    before = _figures(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rfE"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    report = result.stdout
    assert result.returncode == 1, report
    # 01: three cells and its figures check pass; 02: one cell and its figures check fail
    assert "2 failed, 6 passed" in report, report
    failed = sorted(re.findall(r"^FAILED (\S+(?: \d+)?)", report, flags=re.M))
    assert failed == ["notebooks/02_changed.ipynb::Cell 1", "notebooks/02_changed.ipynb::figures"], failed
    for expected in [
        "cell [2] ran, but printed something different from what the notebook has stored",
        "notebook notebooks/02_changed.ipynb, cell [2]",
        '(pytest calls it "Cell 1"',
        "-41",
        "+42",
        "git checkout notebooks/02_changed.ipynb",
        "make figures",
        "02_scratch_line.png: differs from figures/02_scratch_line.png",
        "pixels changed",
    ]:
        assert expected in report, f"{expected!r} missing from:\n{report}"
    assert _figures(tmp_path) == before  # the run drew into a temporary folder
    # the run keeps its figures folder for a person to look at; this test has looked
    kept = re.search(r"this run's figure: (\S+)02_scratch_line\.png", report).group(1)
    shutil.rmtree(kept)


def test_a_python_without_the_course_packages_is_told_what_to_do():
    # pytest in a Python where matplotlib, nbval and xdist cannot be imported (and no plugin
    # is loaded from the environment), as a bare `pytest` outside .venv would be
    code = (
        "import sys\n"
        "class Hidden:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'matplotlib', 'nbval', 'xdist'}:\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hidden())\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-p', 'no:cacheprovider']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    report = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, report
    assert "does not have the course's packages (missing: matplotlib, nbval, xdist)" in report
    assert "make test" in report and "source .venv/bin/activate" in report
    assert "Traceback" not in report and "unrecognized arguments" not in report
