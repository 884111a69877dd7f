# The course's commands. Each one first makes sure .venv exists and matches
# requirements.txt, so a fresh clone needs nothing but Python 3.11+ and make.
#
#   make lab      set up, then open the course in JupyterLab (quiet: no nbgrader tools, no news)
#   make test     set up, then bmlib's unit tests and strict nbval of every notebook
#   make test-portable  strict nbval of every notebook again, on a generic code path
#   make figures  re-execute every notebook in place and rewrite figures/
#   make student  write solution-free student copies to student/
#   make book     build the course website into _build/book/html (no notebook is executed)
#   make test-book      build the website and load every page in headless Chromium
#   make assignments    an nbgrader course folder (classroom/) with every chapter's release
#   make lab-instructor JupyterLab with nbgrader's tools, in the course folder
#   make test-instructor  make assignments, then autograde a solved and an untouched copy
#   make bench    run every benchmark in benchmarks/
#   make lint     ruff over bmlib, tests, benchmarks, tools and book; notebook hygiene

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# .venv is rebuilt from scratch whenever requirements.txt changes (a "stale" venv);
# bmlib is reinstalled (editable) whenever pyproject.toml changes.
DEPS   := $(VENV)/.requirements-installed
BMLIB  := $(VENV)/.bmlib-installed
# The website's packages (requirements-book.txt) and its browser test's (requirements-browser.txt)
# go into the same .venv, only when a target that needs them runs; the JupyterLab settings are
# written into .venv/etc/jupyter once.
BOOK_DEPS  := $(VENV)/.book-requirements-installed
BROWSER_DEPS := $(VENV)/.browser-requirements-installed
LAB_CONFIG := $(VENV)/.lab-configured
# The nbgrader course folder `make assignments` writes (git-ignored); COURSE=... puts it elsewhere.
COURSE ?= classroom

# JupyterLab refuses to start as root unless told; only say so when we are root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

# Numba's on-disk cache (cache=True) is keyed on each kernel's own source file, so it goes
# stale when a kernel inlines a function from another module (every sampler inlines
# bmlib.rng). Clear it, the portable leg's cache included, whenever any bmlib source changes
# (subpackages too).
KERNELS := bmlib/__pycache__/.numba-cache-sources
PORTABLE_CACHE := .numba-cache/generic

.PHONY: setup lab lab-instructor test test-portable figures student book test-book assignments \
	test-instructor bench lint clean

setup: $(BMLIB) $(KERNELS)

$(KERNELS): $(shell find bmlib -name '*.py')
	@find bmlib tests \( -name '*.nbi' -o -name '*.nbc' \) -delete
	@rm -rf $(PORTABLE_CACHE)
	@mkdir -p $(@D) && touch $@

$(DEPS): requirements.txt
	@if [ -d $(VENV) ]; then echo "== $(VENV) is missing or older than requirements.txt: rebuilding it"; rm -rf $(VENV); fi
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	touch $@

$(BMLIB): $(DEPS) pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	touch $@

$(BOOK_DEPS): $(DEPS) requirements-book.txt
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt -r requirements-book.txt
	touch $@

$(BROWSER_DEPS): $(BOOK_DEPS) requirements-browser.txt
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt \
		-r requirements-book.txt -r requirements-browser.txt
	touch $@

$(LAB_CONFIG): $(DEPS) tools/lab_config.py
	$(BIN)/python tools/lab_config.py
	touch $@

# The whole repository is served (student/ copies included); the file browser opens in notebooks/.
lab: setup $(LAB_CONFIG)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(LAB_ARGS)

# nbgrader's Formgrader and Create Assignment tools, in the course folder that `make assignments` wrote.
lab-instructor: setup $(LAB_CONFIG)
	@test -f $(COURSE)/nbgrader_config.py || $(MAKE) --no-print-directory assignments
	cd $(COURSE) && PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/$(VENV)/etc/jupyter-instructor" \
	"$(CURDIR)/$(BIN)/jupyter" lab $(LAB_ARGS)

# Two workers (one per core on CI); a notebook's cells and a test module stay on one worker.
test: setup
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadscope

# The second leg: every notebook under strict nbval again (figures compared too), on another
# code path than the machine's best: Numba compiling for a generic x86-64 CPU (into a cache
# folder of its own, so the native cache stays warm), NumPy's runtime dispatch held to its
# baseline (every feature group it dispatches to, AVX2 and AVX-512 included, is disabled) and
# one Numba thread. Stored outputs must not notice. BLAS is left as the machine configures it.
NPY_DISPATCHED = $(shell $(BIN)/python -c 'import numpy as np; s = np.show_config(mode="dicts")["SIMD Extensions"]; print(" ".join(s["found"] + s["not found"]))')
test-portable: setup
	NUMBA_CPU_NAME=generic NUMBA_CACHE_DIR="$(CURDIR)/$(PORTABLE_CACHE)" NUMBA_NUM_THREADS=1 \
	NPY_DISABLE_CPU_FEATURES="$(NPY_DISPATCHED)" BMLIB_TEST_LEG=portable \
	$(BIN)/python -m pytest notebooks tests/test_code_path.py -n auto --maxprocesses 4 --dist loadscope

figures: setup
	$(BIN)/python -m bmlib.figures

student: setup
	$(BIN)/python -m bmlib.student

book: setup $(BOOK_DEPS)
	$(BIN)/python book/build.py

# Builds the site itself (incrementally) before loading every page; Chromium is Debian's package.
test-book: setup $(BROWSER_DEPS)
	BMLIB_TEST_BOOK=1 $(BIN)/python -m pytest tests/book

# nbgrader runs alembic by name, so the environment's scripts must be first on PATH.
assignments: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tools/assignments.py --course $(COURSE)

test-instructor: setup
	BMLIB_TEST_INSTRUCTOR=1 $(BIN)/python -m pytest tests/instructor

bench: setup
	@set -e; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script; done

lint: setup
	$(BIN)/ruff check conftest.py bmlib tests benchmarks tools book
	$(BIN)/ruff format --check conftest.py bmlib tests benchmarks tools book
	$(BIN)/python tools/nbcheck.py notebooks

clean:
	rm -rf $(VENV) student _build .pytest_cache .numba-cache
	find bmlib tests -name __pycache__ -type d -prune -exec rm -rf {} +
