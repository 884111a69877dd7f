"""Notebook hygiene: what a reader, nbval or the website would trip over in a committed notebook.

    python tools/nbcheck.py [notebooks]      # exit status 1 when something is found

``make lint`` runs it, and ``tests/test_hygiene.py`` runs the same checks under ``make test``.
Standard library only, so it runs from any Python. For every ``.ipynb`` in the folder:

* the first cell is a markdown title (``# ...``), which the website and student copies rely on;
* the kernel is ``python3`` (the one ``.venv`` provides);
* every code cell was run once, top to bottom: execution counts 1, 2, ..., n (``make figures``);
* no stored error output (nothing in the course is meant to fail);
* no absolute path of one machine in a cell's source or output;
* no cell opts out of nbval's comparison (``NBVAL_IGNORE_OUTPUT``, ``NBVAL_SKIP``);
* at least one exercise, with nbgrader's ``### BEGIN SOLUTION`` markers;
* the file stays under MAX_BYTES (figures at the course's size, no runaway printing).
"""

import json
import re
import sys
from pathlib import Path

MAX_BYTES = 3_000_000
MACHINE_PATH = re.compile(r"(/home/|/Users/|/root/|/work/|/tmp/|[A-Za-z]:\\\\Users)")
NBVAL_OPT_OUT = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")


def _text(value):
    return value if isinstance(value, str) else "".join(value)


def problems(path):
    """What is wrong with the notebook at ``path``, as a list of sentences (empty when nothing)."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"cannot be read as JSON: {error}"]
    found = []
    cells = nb.get("cells", [])
    if not cells or cells[0].get("cell_type") != "markdown" or not _text(cells[0]["source"]).startswith("# "):
        found.append("the first cell is not a markdown title ('# ...')")
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"the kernel is {kernel!r}, not 'python3'")
    runs = 0
    for number, cell in enumerate(cells, start=1):
        source = _text(cell.get("source", ""))
        if MACHINE_PATH.search(source):
            found.append(f"cell {number}: its source names a path on one machine")
        if cell.get("cell_type") != "code":
            continue
        runs += 1
        if cell.get("execution_count") != runs:
            found.append(
                f"cell {number}: execution count {cell.get('execution_count')}, expected {runs}"
                " (run the notebook top to bottom: make figures)"
            )
            runs = cell.get("execution_count") or runs
        if any(flag in source for flag in NBVAL_OPT_OUT):
            found.append(f"cell {number}: opts out of nbval's comparison")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {number}: stores an error, {output.get('ename')}")
            if MACHINE_PATH.search(json.dumps(output)):
                found.append(f"cell {number}: an output names a path on one machine")
    if not any("### BEGIN SOLUTION" in _text(cell.get("source", "")) for cell in cells):
        found.append("no exercise with '### BEGIN SOLUTION' markers")
    size = Path(path).stat().st_size
    if size > MAX_BYTES:
        found.append(f"{size:,} bytes, over {MAX_BYTES:,}: smaller figures or less printing")
    return found


def notebooks(folder):
    return sorted(p for p in Path(folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0] if argv else "notebooks")
    paths = notebooks(folder)
    if not paths:
        print(f"nbcheck: no notebooks in {folder}")
        return 1
    bad = 0
    for path in paths:
        for problem in problems(path):
            print(f"{path}: {problem}")
            bad += 1
    print(f"nbcheck: {len(paths)} notebooks, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
