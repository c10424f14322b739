# Gradients & Mixtures -- three commands for a new reader:
#   make book   create .venv from pinned versions, execute every chapter, build HTML into _build/html
#   make test   library tests, strict nbval on every chapter, book build with warnings as errors,
#               the built book in headless Chromium (offline, every page) and the wheel it ships,
#               the library tests on another Python, every chapter executed off the pins
#   make lab    JupyterLab on the chapters, with the same settings as `make book`
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# Python 3.12 is required (PyMC 6, ArviZ 1). Under pyenv, .python-version selects it.
PYTHON  ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)

# Reproducible runs: fixed hash seed, one BLAS thread per process (numpy and scipy each
# bundle an OpenBLAS; their thread pools fight on small machines and slow small solves 5x).
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1

# Same digits on every x86-64 machine with AVX2 (Intel or AMD, with or without AVX-512):
# numpy's SIMD dispatch, OpenBLAS's kernels, PyTensor's C code and Numba's JIT all target
# the Haswell (x86-64-v3) instruction set. Without this, round-off differs between CPUs,
# strict nbval fails on values like 4.4e-16, and MCMC chains (chaotic) drift apart.
# Numba's fastmath is off: with it, freshly compiled and cached code round differently.
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR
export OPENBLAS_CORETYPE := Haswell
export NUMBA_CPU_NAME := haswell
comma := ,
export PYTENSOR_FLAGS := blas__ldflags=,numba__fastmath=False,gcc__cxxflags=-march=haswell$(if $(PYTENSOR_FLAGS),$(comma)$(PYTENSOR_FLAGS))

CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
JB_FLAGS := -W -n --keep-going

.PHONY: help venv book lab test test-lib test-notebooks test-build test-browser test-py test-offpin \
        test-cells notebook-cells pdf execute bench lint lock clean

help:
	@echo "make book   build the book into _build/html (creates .venv first)"
	@echo "make test   run everything CI runs"
	@echo "make lab    JupyterLab on the chapters, in the book's pinned environment and settings"
	@echo "make bench  run the benchmarks and print their ratios"
	@echo "make pdf    print the book to _build/pdf/gradients-and-mixtures.pdf (needs chromium)"

$(STAMP): requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
	  echo "error: Python 3.12 is required but was not found."; \
	  echo "       Install it (e.g. 'pyenv install 3.12'), or run 'make PYTHON=/path/to/python3.12 ...'."; \
	  exit 1; fi
	"$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)
	@echo "Open _build/html/index.html"

# JupyterLab (pinned in the lock, with jupyterlab-myst so MyST roles and directives render) from the
# book's environment, with every setting exported above: a chapter run here prints the book's digits.
LAB_FLAGS ?=
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) \
	  $(LAB_FLAGS) chapters/

test: test-cells test-lib test-notebooks test-build test-browser test-py test-offpin

test-lib: $(STAMP)
	$(PY) -m pytest tests lib --doctest-modules -q --ignore=tests/browser

# Strict nbval: every stored output must be reproduced (masks in .ci/nbval-sanitize.cfg).
test-notebooks: $(STAMP)
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with .ci/nbval-sanitize.cfg \
	  -p no:cacheprovider -q $(CHAPTERS)

# Build with warnings as errors from the committed (nbval-checked) outputs, without re-executing.
# (The copied config lives in _build/, so the local extension path gains a "../".)
test-build: $(STAMP)
	@mkdir -p _build
	sed -e 's/^\(  *execute_notebooks:\).*/\1 "off"/' \
	    -e 's|^\(    [a-z_]*:\) _ext$$|\1 ../_ext|' _config.yml > _build/_config.test.yml
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS) --config _build/_config.test.yml

# The built book (from test-build) in headless Chromium, offline: no remote or failed requests,
# no console errors, math typeset, images loaded, search and download work. Screenshots of every
# page go to _build/screenshots/. Needs Debian's chromium (`apt-get install chromium`).
test-browser: $(STAMP)
	$(PY) -m pytest tests/browser -q -p no:cacheprovider

# The library's tests once more, on the newest Python other than 3.12 found on PATH or under pyenv
# (override: make test-py OTHER_PYTHON=/path/to/python3.X), from the wheel the book ships, with its
# dependencies from PyPI. PyMC tests skip there. The book's stored outputs stay on the 3.12 lock.
OTHER_PYTHON ?= $(shell for v in 3.14 3.13; do \
  for p in $$(command -v python$$v 2>/dev/null) $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null | sort -rV); do \
    if "$$p" -c 'import sys; sys.exit(sys.version_info[:2] == (3, 12))' 2>/dev/null; then echo "$$p"; exit 0; fi; \
  done; done)
test-py: $(STAMP)
	bash .ci/test_other_python.sh "$(OTHER_PYTHON)"

# Every chapter executed off the pins: a clean environment (env -i: none of the numeric pins,
# thread settings or hash seed above), outputs not compared, every cell (so every assert) must
# pass. Executed copies go to _build/offpin/. Chapters listed in OFFPIN_XFAIL are known to fail
# off the pins (issue 15); they still run, their failure is reported but not fatal, and a pass
# says "XPASS": then take them off the list. Empty the list as the fixes land.
# 15: the sparse overfitted fit (K = 5, alpha0 = 0.01) failed its label-free convergence assert
# off the pins on 2026-12-04 (r-hat 1.018, bulk ESS 236; 1.004 / 945 pinned): not robust yet.
OFFPIN_XFAIL := chapters/15-how-many-components.ipynb
test-offpin: $(STAMP)
	env -i HOME="$$HOME" PATH="$$PATH" LANG=C.UTF-8 TERM=dumb \
	  $(PY) .ci/execute_notebooks.py --check-dir _build/offpin --xfail "$(OFFPIN_XFAIL)" $(CHAPTERS)

# (Re)write the generated cells of the chapters (install cell, library source cells):
# see .ci/notebook_cells.py. Idempotent; fills the new cells' outputs, so strict nbval holds.
notebook-cells: $(STAMP)
	$(PY) .ci/notebook_cells.py $(or $(NB),$(CHAPTERS))

# Fails when a chapter's generated cells are missing or stale (run `make notebook-cells`).
test-cells: $(STAMP)
	$(PY) .ci/notebook_cells.py --check $(CHAPTERS)

# The book as one A4 PDF (no LaTeX): Sphinx's singlehtml builder writes the whole book as one page
# from the stored outputs (no execution), then .ci/make_pdf.py prints it with Debian's Chromium
# through Playwright, solutions and hidden cells expanded. Everything stays under _build/pdf (its own
# doctrees, so it never touches the HTML build). Sphinx warnings are listed, not fatal.
PDF_DIR := _build/pdf
pdf: $(STAMP)
	@mkdir -p $(PDF_DIR)
	sed -e 's/^\(  *execute_notebooks:\).*/\1 "off"/' \
	    -e 's|^\(    [a-z_]*:\) _ext$$|\1 ../_ext|' _config.yml > _build/_config.pdf.yml
	@echo "Building the single-page HTML (log: $(PDF_DIR)/build.log) ..."
	@$(VENV)/bin/jupyter-book build . --builder singlehtml $(filter-out -W,$(JB_FLAGS)) \
	  --config _build/_config.pdf.yml --path-output $(PDF_DIR) > $(PDF_DIR)/build.log 2>&1 \
	  || { tail -n 40 $(PDF_DIR)/build.log; exit 1; }
	$(PY) .ci/make_pdf.py --html $(PDF_DIR)/_build/singlehtml \
	  --out $(PDF_DIR)/gradients-and-mixtures.pdf --build-log $(PDF_DIR)/build.log

# Refresh the stored outputs of every chapter (or NB=chapters/xx.ipynb).
execute: $(STAMP)
	$(PY) .ci/execute_notebooks.py $(or $(NB),$(CHAPTERS))

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check lib tests benchmarks

lock: $(STAMP)
	$(PY) -m pip install --quiet -r requirements.in
	{ head -n 2 requirements.lock; $(PY) -m pip freeze --exclude-editable | grep -v '^mixgrad'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	$(PY) .ci/write_environment_yml.py

clean:
	rm -rf _build .pytest_cache .hypothesis
