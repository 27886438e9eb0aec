# `make demo` and `make test` work on a fresh clone: each creates .venv when it is missing
# (or when pyproject.toml changed) and installs qtls with what the command needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test conformance lint bench clean

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

# The whole x509-limbo SERVER suite (tests/x509/test_limbo_conformance.py, ~1.5 min) and the
# table of verdicts per implementation. The suite shipped in tests/x509/data is used unless
# LIMBO names a compiled limbo.json (or an x509-limbo checkout holding one); see
# tests/x509/data/README.md for how to get and build one. Freezing the clock needs libfaketime
# (Debian: apt-get install faketime); without it those tests skip and say so.
LIMBO ?=
conformance: $(STAMP)
	@limbo="$(LIMBO)"; if [ -n "$$limbo" ] && [ -d "$$limbo" ]; then limbo="$$limbo/limbo.json"; fi; \
	if [ -n "$$limbo" ] && [ ! -f "$$limbo" ]; then \
		echo "no $$limbo: clone https://github.com/C2SP/x509-limbo and build it (tests/x509/data/README.md)"; exit 2; fi; \
	QTLS_LIMBO_JSON="$$limbo" QTLS_LIMBO_CONFORMANCE=1 QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -q tests/x509/test_limbo.py tests/x509/test_limbo_conformance.py && \
	QTLS_LIMBO_JSON="$$limbo" $(PY) -W ignore -m tests.x509.limbo_report

# Every workload on qtls, PyQt6, asyncio and uvloop in one run (~10 min); table in bench/results/.
bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check qtls tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
