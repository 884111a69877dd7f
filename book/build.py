"""Build the course website from the committed notebooks: ``make book`` runs this.

    python book/build.py            # writes _build/book/html/index.html

The chapters are the notebooks in ``notebooks/`` with their stored outputs (the ones nbval
validates); nothing is executed. Each notebook is copied to ``_build/book/src/chapters/`` with three
changes for reading: exercise solutions (cells nbgrader marks as solutions) are folded behind a
"Show solution" toggle; nbgrader's ``### BEGIN/END SOLUTION`` marker lines are dropped (markdown
would show them as headings); and the hidden checks of the check cells
(``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS``), which would give answers away above the
toggle, are left out, as in a student's copy. The landing page is ``book/index.md`` with the course
map from ``tools/course_map.py``; the explorers' animations (``figures/*.gif``, which the
chapters show as ``../figures/...``) are copied beside the chapters. Sphinx then renders
``_build/book/src`` with ``book/conf.py``.
Files are only rewritten when they change, so a second build only redoes what changed.
"""

import copy
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path.insert(0, str(REPOSITORY / "tools"))

import course_map  # noqa: E402

BUILD = REPOSITORY / "_build" / "book"
SOURCE = BUILD / "src"
HTML = BUILD / "html"

SHOW, HIDE = "Show solution", "Hide solution"
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.M | re.S)


def _source(cell):
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def chapter_for_the_site(nb):
    """Return a copy of notebook ``nb`` (a dict) with its solutions folded away."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "### BEGIN HIDDEN TESTS" in _source(cell):
            cell["source"] = HIDDEN_TESTS.sub("", _source(cell)).rstrip()
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        if cell["cell_type"] == "code":
            cell["source"] = MARKER.sub("", _source(cell))
            # MyST-NB folds a cell tagged hide-cell (code and outputs) behind a toggle
            tags = cell["metadata"].setdefault("tags", [])
            if "hide-cell" not in tags:
                tags.append("hide-cell")
            cell["metadata"]["mystnb"] = {"code_prompt_show": SHOW, "code_prompt_hide": HIDE}
        elif cell["cell_type"] == "markdown":
            # the same <details> element MyST-NB draws, around a written answer
            answer = MARKER.sub("", _source(cell)).strip()
            cell["source"] = (
                '<details class="admonition hide solution">\n'
                '<summary aria-label="Toggle the solution">\n'
                f'<p class="collapsed admonition-title">{SHOW}</p>\n'
                f'<p class="expanded admonition-title">{HIDE}</p>\n'
                "</summary>\n\n"
                f"{answer}\n\n"
                "</details>\n"
            )
    return nb


def write_sources():
    """Write the landing page and the chapters into _build/book/src; return the chapters' names."""
    table, total = course_map.course_map(lambda stem: f"chapters/{stem}.ipynb")
    stems = list(course_map.CHAPTERS)
    landing = (HERE / "index.md").read_text(encoding="utf-8")
    for placeholder, value in {
        "{course_map}": table,
        "{reading_speed}": str(course_map.READING_SPEED),
        "{code_minutes}": f"{course_map.MINUTES_PER_CODE_CELL:g}",
        "{round_to}": str(course_map.ROUND_TO),
        "{total}": str(total),
        "{chapter_list}": "\n".join(f"chapters/{stem}" for stem in stems),
    }.items():
        landing = landing.replace(placeholder, value)
    _write_if_changed(SOURCE / "index.md", landing)
    for stem in stems:
        nb = json.loads((REPOSITORY / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        text = json.dumps(chapter_for_the_site(nb), indent=1, ensure_ascii=False) + "\n"
        _write_if_changed(SOURCE / "chapters" / f"{stem}.ipynb", text)
    # the explorers' animations, which the chapters' markdown shows as ../figures/NN_explore_*.gif
    for animation in sorted((REPOSITORY / "figures").glob("*.gif")):
        target = SOURCE / "figures" / animation.name
        if not target.exists() or target.read_bytes() != animation.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(animation.read_bytes())
    return stems


def build(quiet=True):
    """Write the sources and run Sphinx; return the folder of the site."""
    write_sources()
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-c", str(HERE), "-d", str(BUILD / "doctrees"),
        "-W", "--keep-going", str(SOURCE), str(HTML),
    ]  # fmt: skip
    if quiet:
        command.append("-q")
    subprocess.run(command, check=True, cwd=REPOSITORY)
    return HTML


def main():
    start = time.perf_counter()
    html = build()
    print(f"built {html / 'index.html'} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
