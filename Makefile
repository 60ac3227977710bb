# nnbook: `make book` builds the HTML book, `make test` runs every test. Both create the
# environment (.venv, pinned by requirements.lock) when it is missing or out of date.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := $(VENV)/.vendored
JOBS ?= 2
# One BLAS/OpenMP thread per process: the book's models are small, and with two notebooks running
# side by side (or any other load) PyTorch's spinning worker threads made tiny training loops 50x slower.
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: help env book test unit lint notebooks lab release grade bench clean

help:
	@echo "make book     build the HTML book into _build/html (executes every notebook, cached)"
	@echo "make test     run all tests: unit tests and every notebook of book/ and exercises/ under nbval"
	@echo "make lint     ruff: lint and format check (config in pyproject.toml)"
	@echo "make lab      open the chapters as notebooks in JupyterLab (widgets work)"
	@echo "make release  write the student versions of the exercises into _build/release"
	@echo "make grade SUBMISSIONS=dir MASTER=exercises/ch01_perceptron.md   grade a folder of submissions"
	@echo "make bench    benchmarks: book build, notebook times, accuracy claims over 3 seeds, NumPy vs PyTorch, grading vs nbgrader"
	@echo "              one section: make bench BENCH='--section notebooks --notebooks book/ch0[12]*' (see python -m benchmarks.run -h)"
	@echo "make clean    remove build outputs (keeps the environment)"

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "nnbook needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements.lock
	$(PY) -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	@# the kernel name the chapters' headers carry, so saving a chapter in JupyterLab keeps its header
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null
	touch $@

$(VENDOR): js/vendor.json scripts/vendor_js.py
	$(PYTHON) scripts/vendor_js.py
	touch $@

env: $(STAMP) $(VENDOR)

book: env
	$(PY) -m nnbook.notebooks guard-cache _build
	@# Sphinx executes the notebooks one at a time; run those missing from the cache $(JOBS) at a time
	@# first (a failing one stays uncached, so the build below runs it again and fails with its error)
	$(PY) -m nnbook.notebooks prefill . $(JOBS)
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going
	@echo "Open _build/html/index.html"

test: lint
	rm -rf _build/nbval
	$(VENV)/bin/nnbook export _build/nbval
	@# tests/test_browser.py builds the book (cached) and checks every page in headless Chromium;
	@# -rs prints why a test was skipped (no Chromium: how to install it)
	$(PY) -m pytest tests _build/nbval -n $(JOBS) --dist loadfile --nbval-lax --nbval-cell-timeout=300 -p no:randomly -rs

unit: env
	$(PY) -m pytest tests -n $(JOBS) --ignore=tests/test_browser.py

lint: env
	$(VENV)/bin/ruff check nnbook tests scripts benchmarks
	$(VENV)/bin/ruff format --check nnbook tests scripts benchmarks

lab: env
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp scripts/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab book

release: env
	$(VENV)/bin/nnbook release exercises --out _build/release

grade: env
	@test -n "$(SUBMISSIONS)" -a -n "$(MASTER)" || { echo "usage: make grade SUBMISSIONS=dir MASTER=exercises/chNN_<topic>.md [OUT=grades.csv]"; exit 2; }
	$(VENV)/bin/nnbook grade $(SUBMISSIONS) --master $(MASTER) --out $(or $(OUT),grades.csv)

# BENCH: arguments for benchmarks.run, e.g. BENCH="--section claims --claims LSTM"; results in benchmarks/results.{md,json}
bench: env
	$(PY) -m benchmarks.run $(BENCH)

clean:
	rm -rf _build
