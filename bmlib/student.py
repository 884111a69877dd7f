"""Write solution-free student copies of the course notebooks.

Usage (what ``make student`` runs)::

    python -m bmlib.student            # notebooks/NN_*.ipynb -> student/NN_*.ipynb

Uses nbgrader's own preprocessors, in the order ``nbgrader generate_assignment`` applies
them (without its database): code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
becomes ``raise NotImplementedError()``, markdown solutions become "YOUR ANSWER HERE",
hidden tests and mark schemes are removed, every output is cleared (an output could give
a solution away) and cells are locked and checksummed as nbgrader marks them. The title cell
of each copy begins with a short note (``STUDENT_NOTE``) on how to read on past an exercise
that is not solved yet.
"""

import argparse
import copy
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

from bmlib.figures import NOTEBOOKS, REPOSITORY, course_notebooks

__all__ = ["STUDENT_NOTE", "with_student_note", "student_copy", "write_student_copies", "main"]

STUDENT_NOTE = """\
> **Your copy, without solutions.** *Run → Run All Cells* stops at the first exercise you have not
> solved yet, where a cell raises `NotImplementedError`, and the cells below it stay empty. To read
> on before solving it, click the first cell after that exercise's checks and choose
> *Run → Run Selected Cell and All Below*; do the same at each exercise you leave for later. When an
> exercise's check cell runs without an error, your answer passes the checks shown."""

_PREPROCESSORS = (
    LockCells,
    ClearSolutions,
    ClearOutput,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
)


def with_student_note(nb):
    """Return a copy of ``nb`` with ``STUDENT_NOTE`` under its title (its first cell's first line)."""
    result = copy.deepcopy(nb)
    first = result.cells[0]
    if first.cell_type != "markdown":
        raise ValueError("a course notebook begins with a markdown title cell")
    if STUDENT_NOTE not in first.source:
        title, _, rest = first.source.partition("\n")
        first.source = f"{title}\n\n{STUDENT_NOTE}\n\n{rest.lstrip()}".rstrip()
    return result


def student_copy(nb):
    """Return a student copy of ``nb`` (a NotebookNode); ``nb`` itself is not changed."""
    result = with_student_note(nb)
    resources = {}
    for preprocessor in _PREPROCESSORS:
        result, resources = preprocessor().preprocess(result, resources)
    nbformat.validate(result)
    return result


def write_student_copies(source=NOTEBOOKS, target=REPOSITORY / "student"):
    """Write a student copy of every course notebook in ``source`` to ``target``; return the paths."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in course_notebooks(source):
        out = target / path.name
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), out)
        written.append(out)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bmlib.student", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / "student", help="folder for the copies")
    args = parser.parse_args(argv)
    for path in write_student_copies(target=args.out):
        print(f"wrote {path}")
    print(
        f"Open them in JupyterLab: `make lab`, then the folder {args.out.name}/ in the file browser"
        f" (without make: python -m jupyter lab {args.out.name}). Each copy starts with a note on how"
        " to read on past an exercise you have not solved yet."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
