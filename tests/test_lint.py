"""The code stays lint-clean: ruff, with the settings in pyproject.toml, as `make lint` runs it."""

import subprocess
import sys

from bmlib.figures import REPOSITORY


def test_ruff_check_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "conftest.py", "bmlib", "tests", "benchmarks"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
