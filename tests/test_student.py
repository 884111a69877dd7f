"""Student copies (bmlib.student) and the course notebooks' exercise conventions."""

import re

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from bmlib.figures import course_notebooks, execute_notebook
from bmlib.student import STUDENT_NOTE, student_copy, write_student_copies

NOTEBOOKS = course_notebooks()
MARKED_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)


def _marked_lines(nb):
    """Non-blank lines that appear only between solution or hidden-test markers in ``nb``.

    A line that also stands outside every marked region (a visible check that repeats a
    line of the solution, say) is no secret, so it is left out.
    """
    marked, unmarked = set(), set()
    for cell in nb.cells:
        for _, body in MARKED_REGION.findall(cell.source):
            marked.update(line.strip() for line in body.splitlines() if line.strip())
        outside = MARKED_REGION.sub("", cell.source)
        unmarked.update(line.strip() for line in outside.splitlines() if line.strip())
    return marked - unmarked


def _first_solution_cell(nb):
    return next(
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source
    )


def test_there_are_course_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_cell_carries_nbgrader_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert any("### BEGIN SOLUTION" in cell.source for cell in nb.cells), "no exercise with solution markers"
    for cell in nb.cells:
        if "### BEGIN SOLUTION" in cell.source:
            assert cell.metadata.get("nbgrader", {}).get("solution") is True, cell.source[:60]
        if "### BEGIN HIDDEN TESTS" in cell.source:
            assert cell.metadata.get("nbgrader", {}).get("grade") is True, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_keeps_no_solution_text_and_is_valid(path):
    nb = nbformat.read(path, as_version=4)
    copy = student_copy(nb)
    nbformat.validate(copy)
    text = nbformat.writes(copy)
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
    hidden = _marked_lines(nb)
    assert hidden, "the notebook has marked regions, so there must be lines to look for"
    student_lines = {line.strip() for cell in copy.cells for line in cell.source.splitlines()}
    assert not hidden & student_lines, f"solution text survived: {sorted(hidden & student_lines)[:3]}"
    assert all(not cell.get("outputs") for cell in copy.cells if cell.cell_type == "code"), (
        "outputs can give answers away"
    )
    assert "raise NotImplementedError()" in text
    assert len(copy.cells) == len(nb.cells)
    assert (
        nb.cells[_first_solution_cell(nb)].source.count("### BEGIN SOLUTION") == 1
    )  # the original is untouched


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_begins_with_how_to_read_on_past_an_exercise(path):
    nb = nbformat.read(path, as_version=4)
    title = student_copy(nb).cells[0].source.split("\n\n")
    assert title[0] == nb.cells[0].source.splitlines()[0] and title[0].startswith("# ")
    assert "\n\n".join(title[1:]).startswith(STUDENT_NOTE)
    assert "Run Selected Cell and All Below" in STUDENT_NOTE
    assert STUDENT_NOTE not in nb.cells[0].source  # the course notebook is untouched


def test_write_student_copies_writes_one_readable_file_per_notebook(tmp_path):
    written = write_student_copies(target=tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for path in written:
        nbformat.validate(nbformat.read(path, as_version=4))


def _first_exercise_cells(nb):
    """Indices of the cells of the first exercise: from its first solution cell up to the
    next exercise heading (a markdown cell starting with '### Exercise')."""
    first = _first_solution_cell(nb)
    end = next(
        (
            i
            for i in range(first + 1, len(nb.cells))
            if nb.cells[i].cell_type == "markdown" and nb.cells[i].source.startswith("### Exercise")
        ),
        len(nb.cells),
    )
    return range(first, end)


def _check_student_copy_runs_until_the_first_unsolved_exercise(path, tmp_path, monkeypatch):
    monkeypatch.setenv("BMLIB_FIGURES_DIR", str(tmp_path / "figures"))  # keep figures/ untouched
    nb = nbformat.read(path, as_version=4)
    copy = student_copy(nb)
    with pytest.raises(CellExecutionError) as raised:
        execute_notebook(copy, cwd=path.parent, timeout=300)
    assert raised.value.ename == "NotImplementedError"
    ran = [i for i, cell in enumerate(copy.cells) if cell.cell_type == "code" and cell.get("execution_count")]
    errors = [
        i
        for i, cell in enumerate(copy.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    # it stopped in a solution cell of the first exercise (a function whose body was a
    # solution raises only when the next cell calls it), and every cell before ran cleanly
    assert len(errors) == 1 and ran[-1] == errors[0]
    assert errors[0] in _first_exercise_cells(nb), f"stopped at cell {errors[0]}, outside the first exercise"
    assert "### BEGIN SOLUTION" in nb.cells[errors[0]].source


# Running a student copy takes as long as the notebook itself. One test class per notebook
# lets `make test` (pytest-xdist, --dist loadscope: a class is a scope) spread these runs
# over the workers instead of queueing them all on one.
for _path in NOTEBOOKS:
    _name = "TestStudentCopyRuns_" + _path.stem
    globals()[_name] = type(
        _name,
        (),
        {
            "test_runs_until_the_first_unsolved_exercise": (
                lambda self, tmp_path, monkeypatch, path=_path: (
                    _check_student_copy_runs_until_the_first_unsolved_exercise(path, tmp_path, monkeypatch)
                )
            )
        },
    )
