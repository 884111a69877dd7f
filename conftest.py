"""What every test run of the course does, unit tests and notebooks alike.

This file sits at the top of the repository rather than in ``tests/`` because pytest asks a
folder's conftest only about the tests under that folder, and these rules are for the
notebooks' nbval cells too (and for a bare ``pytest notebooks/02_ising_model.ipynb``).

1. **The right Python.** Run from a Python without the course's packages (a bare ``pytest``
   outside ``.venv``), the tests stop at once and say to use ``make test`` or activate ``.venv``.
2. **No writes into the tracked tree.** Every test process sends the figures that
   ``bmlib.plotting.savefig`` writes to a temporary folder (``BMLIB_FIGURES_DIR``, which the
   notebook kernels nbval starts inherit), so ``git status`` shows only what you changed.
   ``make figures`` is the one command that rewrites ``figures/``.
3. **Figures are compared too.** nbval compares text and skips images. After the last cell of
   each notebook comes one more test, ``notebooks/NN_name.ipynb::figures``: every figure the
   notebook drew in this run must equal the committed ``figures/*.png`` (and the explorers'
   website animations, ``figures/*.gif``) byte for byte.
4. **Failure messages a student can act on.** When a cell's output differs from the stored
   one, the report names the notebook and the cell as JupyterLab numbers it, shows the stored
   and the new output, and gives the two ways forward (restore the notebook, or store the new
   outputs with ``make figures``).
"""

import difflib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

# make test runs one pytest-xdist worker per core, and each worker's Numba kernels (and the
# notebook kernels it starts, which inherit this) run parallel regions on OpenMP threads of
# their own. By default idle OpenMP threads spin, taking the core from the other worker: a
# parallel exact log Z took three times as long under load. Waiting passively changes no
# result (bmlib gives the same bits on any thread count), only the time. A value set by the
# user is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_NEEDED = ("numpy", "numba", "matplotlib", "nbval", "xdist", "bmlib")


def _absent(name):
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True


_MISSING = [name for name in _NEEDED if _absent(name)]

if _MISSING:
    # pyproject.toml's addopts name nbval's options; declare them so that pytest gets as far
    # as pytest_configure and prints the message below instead of "unrecognized arguments".

    def pytest_addoption(parser):
        if "nbval" in _MISSING:
            group = parser.getgroup("nbval (not installed in this Python)")
            group.addoption("--nbval", action="store_true")
            group.addoption("--nbval-current-env", action="store_true")
            group.addoption("--nbval-sanitize-with")

    def pytest_configure(config):
        raise pytest.UsageError(
            f"this Python ({sys.executable}) does not have the course's packages "
            f"(missing: {', '.join(_MISSING)}).\n"
            "Run the tests with `make test`, which sets up .venv first, or activate the course's "
            "environment and run pytest from it:\n"
            "    source .venv/bin/activate        (Windows: .venv\\Scripts\\activate)\n"
            "    python -m pytest"
        )

else:
    import matplotlib
    from nbval.plugin import IPyNbCell, NbCellError

    # Tests draw without a screen. (Set in-process only: an MPLBACKEND environment variable
    # would leak into the notebook kernels nbval starts and change their outputs.)
    matplotlib.use("Agg")

    _FIGURES_KEY = pytest.StashKey[Path]()  # this process's folder for figures
    _KEEP_KEY = pytest.StashKey[bool]()  # keep it after the run (a figure differed)
    _ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def pytest_configure(config):
        # One folder per test process (each xdist worker sets its own; a notebook's cells and
        # its figures check run on the same worker, so they share it).
        folder = Path(tempfile.mkdtemp(prefix="bmlib-figures-"))
        os.environ["BMLIB_FIGURES_DIR"] = str(folder)
        config.stash[_FIGURES_KEY] = folder
        config.stash[_KEEP_KEY] = False

    def pytest_report_header(config):
        """The code path of this run, for reading a failure from another machine."""
        import llvmlite.binding
        import numba
        import numpy as np
        from threadpoolctl import threadpool_info

        simd = np.show_config(mode="dicts")["SIMD Extensions"]
        blas = sorted(
            f"{i['internal_api']} {i['version']} ({i['architecture']})"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        )
        return [
            f"Numba: CPU {numba.config.CPU_NAME or llvmlite.binding.get_host_cpu_name()}, "
            f"{numba.config.NUMBA_NUM_THREADS} thread(s); NumPy SIMD: baseline {' '.join(simd['baseline'])}, "
            f"dispatching to {' '.join(simd.get('found', [])) or 'nothing more'}; BLAS: {', '.join(blas)}"
        ]

    def pytest_unconfigure(config):
        folder = config.stash.get(_FIGURES_KEY, None)
        if folder is not None and not config.stash.get(_KEEP_KEY, False):
            shutil.rmtree(folder, ignore_errors=True)

    # -- 3. the figures check after each notebook ---------------------------------------------

    class FiguresDiffer(Exception):
        """The figures a notebook drew are not the committed ones."""

    class NotebookFigures(pytest.Item):
        """Every figure a notebook drew in this run equals the committed ``figures/*.png`` (and
        ``*.gif``, the explorers' animations)."""

        def runtest(self):
            drawn_folder = self.config.stash[_FIGURES_KEY]
            committed_folder = self.config.rootpath / "figures"
            problems = figure_differences(self.path.name[:3], drawn_folder, committed_folder)
            if problems:
                self.config.stash[_KEEP_KEY] = True
                raise FiguresDiffer("\n".join(problems))

        def repr_failure(self, excinfo):
            if not isinstance(excinfo.value, FiguresDiffer):
                return super().repr_failure(excinfo)
            notebook = self.path.relative_to(self.config.rootpath).as_posix()
            return (
                f"{notebook}: the figures this run drew are not the ones in figures/ "
                "(nbval compares text only; this check compares the PNG files byte for byte).\n\n"
                f"{textwrap.indent(str(excinfo.value), '  ')}\n\n" + _ways_forward(notebook)
            )

        def reportinfo(self):
            return self.path, None, f"{self.path.name}::figures"

    def figure_differences(prefix, drawn_folder, committed_folder):
        """Lines describing how ``prefix*.png`` and ``prefix*.gif`` in ``drawn_folder`` differ from
        ``committed_folder`` (an empty list when every file is there and equal byte for byte)."""
        drawn = {p.name: p for ext in ("png", "gif") for p in Path(drawn_folder).glob(f"{prefix}*.{ext}")}
        committed = {
            p.name: p for ext in ("png", "gif") for p in Path(committed_folder).glob(f"{prefix}*.{ext}")
        }
        problems = []
        for name in sorted(drawn.keys() | committed.keys()):
            if name not in drawn:
                problems.append(f"{name}: in figures/, but this run did not draw it")
            elif name not in committed:
                problems.append(f"{name}: drawn by this run ({drawn[name]}), but not in figures/")
            else:
                new, old = drawn[name].read_bytes(), committed[name].read_bytes()
                if new != old:
                    problems.append(f"{name}: differs from figures/{name}; {_pixel_summary(new, old)}")
                    problems.append(f"    this run's figure: {drawn[name]}")
        return problems

    def _pixel_summary(new, old):
        """How two PNG files differ, in pixels (for a person deciding which one is right)."""
        import io

        import numpy as np
        from PIL import Image

        a, b = (np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")) for data in (new, old))
        if a.shape != b.shape:
            return f"{a.shape[1]} x {a.shape[0]} pixels against the committed {b.shape[1]} x {b.shape[0]}"
        changed = int(np.any(a != b, axis=2).sum())
        if changed == 0:
            return "the pixels are the same, the file bytes are not (metadata or compression)"
        return f"{changed:,} of {a.shape[0] * a.shape[1]:,} pixels changed"

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(session, config, items):
        """After the last cell of each notebook, add its figures check, when every code cell of
        the notebook is selected (with ``-k`` or one cell picked, the figures are not all drawn)."""
        cells = {}
        for index, item in enumerate(items):
            if isinstance(item, IPyNbCell):
                cells.setdefault(item.parent, []).append(index)
        for notebook, indices in sorted(cells.items(), key=lambda pair: -pair[1][-1]):
            n_code_cells = sum(cell.cell_type == "code" for cell in notebook.nb.cells)
            if len(indices) == n_code_cells:
                items.insert(indices[-1] + 1, NotebookFigures.from_parent(notebook, name="figures"))

    # -- 4. what a student reads when a notebook's output changed --------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(item, call):
        report = yield
        if (
            report.failed
            and call.when == "call"
            and isinstance(item, IPyNbCell)
            and isinstance(call.excinfo.value, NbCellError)
        ):
            report.longrepr = _explain_cell_failure(item, call.excinfo.value)
        return report

    def _ways_forward(notebook):
        return (
            "Two ways forward:\n"
            "  * You did not mean to change this notebook: restore the committed copy\n"
            "    (this discards your edits to it, outputs included):\n"
            f"        git checkout {notebook}\n"
            "  * The new output is the right one (you changed the notebook or bmlib on purpose):\n"
            "    re-run the notebooks and store their new outputs and figures, then commit them:\n"
            "        make figures\n"
            f"    (or just this notebook: .venv/bin/python -m bmlib.figures {notebook})"
        )

    def _explain_cell_failure(item, error):
        notebook = item.path.relative_to(item.config.rootpath).as_posix()
        count = item.cell.get("execution_count")
        cell = f"cell [{count}]" if count is not None else "an unrun cell"
        where = (
            f"notebook {notebook}, {cell}: the number JupyterLab shows beside the cell "
            f'(pytest calls it "Cell {item.cell_num}", counting code cells from 0)'
        )
        source = textwrap.indent(item.cell.source, "    | ")
        message = str(error)
        if message == "Cell outputs differ":
            return (
                f"{cell} ran, but printed something different from what the notebook has stored\n{where}\n\n"
                f"{_output_diff(item)}\n\nThe cell:\n{source}\n\n{_ways_forward(notebook)}"
            )
        if message == "Cell execution caused an exception":
            return (
                f"{cell} raised an exception\n{where}\n\nThe cell:\n{source}\n{error.inner_traceback}\n\n"
                f"If it ran before you edited the notebook, `git checkout {notebook}` restores the "
                "committed copy (and discards your edits to it)."
            )
        return f"{cell}: {message}\n{where}\n\nThe cell:\n{source}\n{error.inner_traceback or ''}"

    def _output_diff(item):
        """The cell's stored and new text outputs, line by line (sanitized as nbval compares them)."""
        patterns = getattr(item.parent, "sanitize_patterns", {})

        def text(outputs):
            lines = []
            for output in outputs or []:
                kind = output.get("output_type")
                if kind == "stream":
                    lines.append(output.get("text", ""))
                elif kind in ("execute_result", "display_data"):
                    data = output.get("data", {})
                    if "text/plain" in data and not any(k.startswith("image/") for k in data):
                        lines.append(data["text/plain"] + "\n")
                    else:
                        lines.append("[" + ", ".join(sorted(data)) + "]\n")
                elif kind == "error":
                    lines.append(f"{output.get('ename')}: {output.get('evalue')}\n")
            joined = "".join(lines)
            for regex, replacement in patterns.items():
                joined = re.sub(regex, replacement, joined)
            return _ANSI.sub("", joined).splitlines()

        diff = difflib.unified_diff(
            text(item.cell.outputs),
            text(item.test_outputs),
            "stored in the notebook",
            "printed by this run",
            lineterm="",
            n=1,
        )
        return textwrap.indent("\n".join(diff), "  ") or "  (the same text; the outputs differ in kind)"
