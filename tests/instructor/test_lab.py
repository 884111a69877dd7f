"""make lab's quiet JupyterLab and make lab-instructor's nbgrader tools, each in a real server.

tools/lab_config.py writes the settings into a throwaway prefix here (``make lab`` writes them into
.venv); JUPYTER_CONFIG_PATH points the server at them as ``make lab-instructor`` does. For students,
the page JupyterLab serves must list nbgrader's extension and the news among its disabled
extensions, and nbgrader's Formgrader must not be served; for instructors, nbgrader is back and the
news stays off. Run by ``make test-instructor`` (each server takes seconds to start).
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

if os.environ.get("BMLIB_TEST_INSTRUCTOR") != "1":
    pytest.skip("JupyterLab's settings are tested by `make test-instructor`", allow_module_level=True)

from bmlib.figures import REPOSITORY  # noqa: E402

sys.path.insert(0, str(REPOSITORY / "tools"))

import lab_config  # noqa: E402

TOKEN = "course-test"
PAGE_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError):  # not listening yet
        return None, ""


def _serve_and_read(config_path, cwd, tmp_path):
    """Start JupyterLab with ``config_path``; return (disabled extensions, Formgrader's status, log)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, JUPYTER_CONFIG_PATH=os.pathsep.join(map(str, config_path)))
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "user-config")  # no user settings of this machine
    env["PATH"] = str(REPOSITORY / ".venv" / "bin") + os.pathsep + env["PATH"]
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={cwd}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp_path / f"lab-{port}.log"
    with open(log, "w") as output:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while _get(f"{base}/api/status?token={TOKEN}")[0] != 200:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
            status, page = _get(f"{base}/lab?token={TOKEN}")
            assert status == 200
            disabled = json.loads(PAGE_CONFIG.search(page).group(1))["disabledExtensions"]
            formgrader, _ = _get(f"{base}/formgrader?token={TOKEN}")
        finally:
            server.terminate()
            server.wait(timeout=60)
    return disabled, formgrader, log.read_text()


def test_students_get_no_nbgrader_and_no_news(tmp_path):
    student, _ = lab_config.configure(tmp_path / "prefix")
    disabled, formgrader, log = _serve_and_read([student], REPOSITORY, tmp_path)
    assert lab_config.NBGRADER_LAB_EXTENSION in disabled and lab_config.NEWS in disabled
    assert formgrader == 404
    assert "nbgrader" not in log.lower(), log  # no extension loaded, no "No nbgrader_config.py" warning


def test_instructors_get_nbgrader_back_in_the_course_folder(tmp_path):
    student, instructor = lab_config.configure(tmp_path / "prefix")
    course = tmp_path / "classroom"
    course.mkdir()
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "test"\n')
    disabled, formgrader, log = _serve_and_read([instructor, student], course, tmp_path)
    assert lab_config.NBGRADER_LAB_EXTENSION not in disabled and lab_config.NEWS in disabled
    assert formgrader == 200, log
    assert "No nbgrader_config.py file found" not in log
