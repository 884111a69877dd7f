"""Re-execute the course notebooks in place and rewrite ``figures/``.

Usage (what ``make figures`` runs)::

    python -m bmlib.figures                  # every notebook, in order
    python -m bmlib.figures notebooks/01_maxwell_boltzmann.ipynb

Each notebook runs top to bottom in a fresh kernel of *this* Python environment (never a
globally registered kernel), with its own folder as working directory. Stored outputs are
replaced by the new ones, consecutive stream outputs are merged and no timing metadata is
recorded, so running twice with nothing changed leaves every byte as it was.
"""

import argparse
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default

from bmlib.plotting import figures_dir

__all__ = ["REPOSITORY", "NOTEBOOKS", "course_notebooks", "execute_notebook", "main"]

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPOSITORY / "notebooks"


class _ThisPythonSpecs(KernelSpecManager):
    """Whatever kernel a notebook names, start it with the Python running this module."""

    def get_kernel_spec(self, kernel_name):
        return KernelSpec(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


class _ThisPythonKernelManager(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self):
        return _ThisPythonSpecs(data_dir=self.data_dir)


def course_notebooks(folder=NOTEBOOKS):
    """Return the course notebooks (``NN_*.ipynb``) in ``folder``, in course order."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(nb, cwd, timeout=900, allow_errors=False):
    """Run every cell of ``nb`` (a NotebookNode) in place, as nbval and JupyterLab would.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    cwd : path-like
        Working directory of the kernel (the notebook's folder).
    timeout : int
        Seconds one cell may take.
    allow_errors : bool
        If False, the first cell that raises stops the run with
        ``nbclient.exceptions.CellExecutionError``.

    Returns
    -------
    nbformat.NotebookNode
        ``nb`` itself, with new outputs and execution counts 1..n.
    """
    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=_ThisPythonKernelManager,
        timeout=timeout,
        allow_errors=allow_errors,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(cwd)}},
        # this jupyter_client warns on every start that the local TCP socket is unencrypted
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute()
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bmlib.figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all, in order)")
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    if not paths:
        print(f"no notebooks found in {NOTEBOOKS}", file=sys.stderr)
        return 1
    started = time.time()
    for number, path in enumerate(paths, start=1):
        print(f"[{number}/{len(paths)}] {path.name} ...", end=" ", flush=True)
        tic = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        execute_notebook(nb, cwd=path.resolve().parent)
        nbformat.write(nb, path)
        print(f"{time.perf_counter() - tic:.1f} s", flush=True)
    print(f"all {len(paths)} notebook(s) in {time.time() - started:.1f} s; figures in {figures_dir()}")
    if not args.notebooks:
        stale = sorted(p.name for p in figures_dir().glob("*.png") if p.stat().st_mtime < started)
        if stale:
            print("not written by any notebook (delete them if they are gone for good): " + ", ".join(stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
