# `make demo` and `make test` work on a fresh clone: each creates .venv when it is missing
# (or when pyproject.toml changed) and installs qtls with what the command needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev,bench]'
	@command -v openssl >/dev/null 2>&1 || { echo "installing openssl (interop tests need it)"; \
		(apt-get update -qq && apt-get install -y -qq openssl) >/dev/null 2>&1 || sudo apt-get install -y -qq openssl; }
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m qtls demo

# pytest's exit code 5 (no tests collected) is non-zero, so make fails on it like on any failure.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# Every workload on qtls, PyQt6, asyncio and uvloop in one run (~10 min); table in bench/results/.
bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check qtls tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
