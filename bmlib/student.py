"""Write solution-free student copies of the course notebooks.

Usage (what ``make student`` runs)::

    python -m bmlib.student            # notebooks/NN_*.ipynb -> student/NN_*.ipynb

Uses nbgrader's own preprocessors, in the order ``nbgrader generate_assignment`` applies
them (without its database): code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
becomes ``raise NotImplementedError()``, markdown solutions become "YOUR ANSWER HERE",
hidden tests and mark schemes are removed, every output is cleared (an output could give
a solution away) and cells are locked and checksummed as nbgrader marks them.
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

__all__ = ["student_copy", "write_student_copies", "main"]

_PREPROCESSORS = (
    LockCells,
    ClearSolutions,
    ClearOutput,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
)


def student_copy(nb):
    """Return a student copy of ``nb`` (a NotebookNode); ``nb`` itself is not changed."""
    result = copy.deepcopy(nb)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
