"""Sphinx configuration of the course website (built by ``make book``, i.e. ``python book/build.py``).

The chapters are the committed notebooks with their stored outputs (nbval checks them): nothing is
executed here. Everything the pages need at view time is in the built folder: MathJax is copied
from the ``django-static-mathjax`` package (MathJax 3, SVG output, so no web fonts either) and the
theme ships its own assets, so the site builds and reads with no network.
"""

import shutil
from pathlib import Path

import mathjax  # the django-static-mathjax package: MathJax's files, nothing Django-specific used

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent

project = "Boltzmann machines, from gas molecules to contrastive divergence"
author = "the course's authors"
copyright = "the course's authors; text and figures CC BY 4.0, code MIT"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# Render the stored outputs; never run a notebook.
nb_execution_mode = "off"
nb_merge_streams = True

# MathJax from a local copy. tex-svg-full.js carries every TeX extension and draws glyphs as SVG
# paths, so it never loads another file.
_MATHJAX_STATIC = REPOSITORY / "_build" / "book" / "mathjax-static"


def _copy_mathjax():
    source = Path(mathjax.__file__).parent / "static" / "mathjax"
    target = _MATHJAX_STATIC / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("es5/tex-svg-full.js", "LICENSE"):
        shutil.copyfile(source / name, target / Path(name).name)


_copy_mathjax()
mathjax_path = "mathjax/tex-svg-full.js"

html_theme = "sphinx_book_theme"
html_title = "Boltzmann machines"
html_static_path = ["_static", str(_MATHJAX_STATIC)]
html_css_files = ["course.css"]
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
# The theme's light/dark switch starts from this; left empty, it logs a console error on first visit.
html_context = {"default_mode": "light"}
