"""The committed notebooks pass the project's own hygiene check (tools/nbcheck.py, run by make lint),
and the README's course map is the one tools/course_map.py computes from the notebooks."""

import json
import sys

import pytest

from bmlib.figures import NOTEBOOKS, REPOSITORY, course_notebooks

sys.path.insert(0, str(REPOSITORY / "tools"))

import course_map  # noqa: E402
import nbcheck  # noqa: E402


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_notebook_hygiene(path):
    assert nbcheck.problems(path) == []


def test_nbcheck_finds_what_it_promises(tmp_path):
    cell = {
        "cell_type": "code",
        "execution_count": 2,
        "source": '# NBVAL_SKIP\nopen("/home/me/x")',
        "metadata": {},
        "outputs": [{"output_type": "error", "ename": "OSError"}],
    }
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": {"name": "other"}}}))
    found = " | ".join(nbcheck.problems(bad))
    expected = ["title", "kernel", "execution count 2", "nbval", "error", "path on one machine", "SOLUTION"]
    assert [word for word in expected if word not in found] == []
    assert nbcheck.main([str(NOTEBOOKS)]) == 0


def test_the_readme_course_map_is_computed_from_the_notebooks():
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    table, total = course_map.readme_map()
    assert table in readme, "the README's course map is stale: paste python tools/course_map.py's output"
    assert f"about {total} minutes" in readme
    assert f"at {course_map.READING_SPEED} words a minute" in readme.replace("\n", " ")
