# `make demo`, `make test` and `make docs` work on a fresh clone: each creates .venv when it is
# missing and installs qtls with what that command needs, again when pyproject.toml changed.
# Nothing here changes the system outside .venv (tests that need the openssl binary skip
# with a reason when it is missing).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
FULL := $(VENV)/.installed-full

.PHONY: demo test docs lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The demo needs qtls and its runtime dependencies only.
$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $(RUNTIME)

# Tests, docs, lint and bench: every extra (PyQt6 is the reference the tests compare with).
$(FULL): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test,docs,dev,bench]'
	touch $(RUNTIME) $(FULL)

demo: $(RUNTIME)
	$(PY) -m qtls demo

# pytest's exit code 5 (no tests collected) is non-zero, so make fails on it like on any failure.
test: $(FULL)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The API reference and guides, warnings as errors; HTML in docs/_build/html.
docs: $(FULL)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

# Every workload on qtls, PyQt6, asyncio and uvloop in one run (~10 min), then start-up times;
# tables in bench/results/.
bench: $(FULL)
	$(PY) -m bench
	$(PY) -m bench.startup

lint: $(FULL)
	$(VENV)/bin/ruff check qtls tests examples tools
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache docs/_build
