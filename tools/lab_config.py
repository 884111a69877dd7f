"""A quiet JupyterLab for students, nbgrader's tools for instructors: configured inside .venv only.

    python tools/lab_config.py          # what `make lab` runs once (and the no-make route may run)

writes, under this Python environment's own prefix (``.venv/etc/jupyter``, never a user's or the
system's configuration):

* ``labconfig/page_config.json``: JupyterLab without nbgrader's extension (its "Nbgrader" menu,
  "Create Assignment" sidebar, assignment and course lists) and without the news pop-up
  (the announcements plugin, which also checks for updates over the network);
* ``jupyter_server_config.json``: nbgrader's server extensions off, so the server does not load
  them (nor warn "No nbgrader_config.py file found").

and, for ``make lab-instructor``, the same two files under ``.venv/etc/jupyter-instructor`` with
nbgrader switched back on (the news stays off). That folder is read only when it is put on
JUPYTER_CONFIG_PATH, where it takes precedence over the students' settings::

    JUPYTER_CONFIG_PATH=.venv/etc/jupyter-instructor jupyter lab
"""

import argparse
import json
import sys
from pathlib import Path

NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"
NEWS = "@jupyterlab/apputils-extension:announcements"
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


def _merge_json(path, update):
    """Merge ``update`` into the JSON object in ``path`` (one level of nesting), keeping the rest."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for key, value in update.items():
        if isinstance(value, dict):
            section = data.setdefault(key, {})
            for inner, inner_value in value.items():
                if isinstance(inner_value, dict):
                    section.setdefault(inner, {}).update(inner_value)
                else:
                    section[inner] = inner_value
        else:
            data[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _write(config_dir, nbgrader_on):
    _merge_json(
        config_dir / "labconfig" / "page_config.json",
        {"disabledExtensions": {NBGRADER_LAB_EXTENSION: not nbgrader_on, NEWS: True}},
    )
    _merge_json(
        config_dir / "jupyter_server_config.json",
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(NBGRADER_SERVER_EXTENSIONS, nbgrader_on)}},
    )


def configure(prefix=sys.prefix):
    """Write the students' and the instructors' settings under ``prefix``; return their folders."""
    student = Path(prefix) / "etc" / "jupyter"
    instructor = Path(prefix) / "etc" / "jupyter-instructor"
    _write(student, nbgrader_on=False)
    _write(instructor, nbgrader_on=True)
    return student, instructor


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", type=Path, default=Path(sys.prefix), help="environment to configure")
    args = parser.parse_args(argv)
    student, instructor = configure(args.prefix)
    print(f"JupyterLab for students: {student} (no nbgrader, no news)")
    print(f"for instructors: JUPYTER_CONFIG_PATH={instructor} (nbgrader on)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
