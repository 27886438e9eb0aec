# `make demo` and `make test` work on a fresh clone: each creates .venv when it is missing
# (or when pyproject.toml changed) and installs qtls with what the command needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean conformance conformance-tlsfuzzer fuzz

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

# Conformance suites fetched when needed (never part of qtls). tlsfuzzer: the checkout's path in
# TLSFUZZER; its Python dependencies go into a venv of their own. ~5 min; exits 1 when a script
# fails more probes on qtls than on a bare pyOpenSSL server with the same certificate.
TLSFUZZER ?=
TLSFUZZER_VENV := .venv-tlsfuzzer

conformance: conformance-tlsfuzzer

conformance-tlsfuzzer: $(STAMP)
	@if [ -z "$(TLSFUZZER)" ] || [ ! -d "$(TLSFUZZER)/scripts" ]; then \
		echo "conformance-tlsfuzzer needs a tlsfuzzer checkout (https://github.com/tlsfuzzer/tlsfuzzer):"; \
		echo "  git clone --depth 1 https://github.com/tlsfuzzer/tlsfuzzer /tmp/tlsfuzzer"; \
		echo "  make conformance TLSFUZZER=/tmp/tlsfuzzer"; \
		exit 1; fi
	test -x $(TLSFUZZER_VENV)/bin/python || $(PYTHON) -m venv $(TLSFUZZER_VENV)
	$(TLSFUZZER_VENV)/bin/python -m pip install --quiet -r $(TLSFUZZER)/requirements.txt ecdsa
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.tlsfuzzer.runner --tlsfuzzer $(TLSFUZZER) \
		--python $(TLSFUZZER_VENV)/bin/python

# The long fuzz run: atheris (coverage-guided) for FUZZ_SECONDS per target (7 targets); where
# atheris does not install, the hypothesis fuzz tests with many more examples instead.
FUZZ_SECONDS ?= 60
FUZZ_EXAMPLES ?= 20000

fuzz: $(STAMP)
	@if $(PY) -m pip install --quiet atheris >/dev/null 2>&1; then \
		$(PY) -m tests.fuzz.long --seconds $(FUZZ_SECONDS); \
	else \
		echo "atheris does not install on this Python: running the hypothesis fuzz tests with $(FUZZ_EXAMPLES) examples each instead"; \
		QTLS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q --timeout=0 tests/fuzz; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check qtls tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(TLSFUZZER_VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
