"""An nbgrader course folder made from the course notebooks: ``make assignments`` runs this.

    python tools/assignments.py                       # classroom/, every chapter
    python tools/assignments.py --course DIR 01_maxwell_boltzmann

For each chapter NN_name it copies ``notebooks/NN_name.ipynb`` to ``source/NN_name/`` in the
course folder (with the students' note under its title, as ``make student`` adds it) and runs
``nbgrader generate_assignment NN_name --force`` (one run with the pattern ``[0-9][0-9]_*`` when
it makes every chapter), which writes the student version to
``release/NN_name/`` and records the assignment, its graded cells and their points in the course's
gradebook (``gradebook.db``). The course notebooks stay the source of truth: edit them, not the
copies in ``source/``, and run this again.

nbgrader runs its database migrations with the ``alembic`` command, so the folder holding this
Python's scripts (``.venv/bin``) is put first on PATH for it; without that, generate_assignment
fails with ``FileNotFoundError: ... 'alembic'``.

``nbgrader_config.py`` is written once and then left as the instructor edits it. It also sends the
figures the notebooks save while nbgrader runs them (``autograde``) to the course folder's own
``figures/``, so grading never rewrites the repository's ``figures/``.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from bmlib.figures import NOTEBOOKS, REPOSITORY, course_notebooks
from bmlib.student import with_student_note

COURSE_ID = "boltzmann-machines"
CHAPTER_PATTERN = "[0-9][0-9]_*"  # nbgrader takes a glob for the assignment: every NN_name folder

CONFIG = '''\
"""nbgrader's settings for this course folder (written by `make assignments`; yours to edit)."""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides it)

here = Path(__file__).resolve().parent
c.CourseDirectory.course_id = "{course_id}"
c.CourseDirectory.root = str(here)

# Notebooks save their figures through bmlib.plotting; while nbgrader runs students' copies,
# send them here rather than into the course repository's figures/.
os.environ.setdefault("BMLIB_FIGURES_DIR", str(here / "figures"))

# To hand out and collect through nbgrader's exchange (JupyterHub, several users on one machine),
# point it at a folder every student can write to, for example:
# c.Exchange.root = "/srv/nbgrader/exchange"
'''


def tools_environment():
    """The environment with this Python's scripts folder (where alembic and nbgrader are) first on PATH."""
    scripts = str(Path(sys.executable).parent)
    env = dict(os.environ)
    env["PATH"] = scripts + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(course, *arguments):
    """Run ``nbgrader ARGUMENTS`` in the course folder with the environment's tools on PATH."""
    command = [sys.executable, "-m", "nbgrader", *arguments]
    return subprocess.run(command, cwd=course, env=tools_environment(), check=True)


def make_course(course, stems):
    """Write the course folder's config and sources, and generate each assignment's release."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG.format(course_id=COURSE_ID), encoding="utf-8")
    for stem in stems:
        notebook = NOTEBOOKS / f"{stem}.ipynb"
        target = course / "source" / stem / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_student_note(nbformat.read(notebook, as_version=4)), target)
    # one nbgrader run for every chapter (its start-up takes seconds), one run each for a few
    every_chapter = sorted(stems) == [path.stem for path in course_notebooks()]
    for pattern in [CHAPTER_PATTERN] if every_chapter else stems:
        nbgrader(course, "generate_assignment", pattern, "--force")
    return course


def main(argv=None):
    chapters = [path.stem for path in course_notebooks()]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=REPOSITORY / "classroom", help="the course folder")
    parser.add_argument("chapters", nargs="*", default=chapters, help="notebooks to make assignments of")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.chapters) - set(chapters))
    if unknown:
        parser.error(f"no such notebook: {', '.join(unknown)} (choose from {', '.join(chapters)})")
    course = make_course(args.course, args.chapters)
    print(f"\nnbgrader course folder: {course}")
    print(f"  student versions to hand out: {course / 'release'}/<chapter>/")
    print(f"  put what students hand in at: {course / 'submitted'}/<student>/<chapter>/")
    print("  then grade and give feedback: see 'For instructors' in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
