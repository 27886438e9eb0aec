# `make demo`, `make test` and `make docs` work on a fresh clone: each creates .venv when it is
# missing and installs qtls with what that command needs, again when pyproject.toml changed.
# Nothing here changes the system outside .venv (tests that need the openssl binary skip
# with a reason when it is missing).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
FULL := $(VENV)/.installed-full

.PHONY: demo test docs conformance conformance-limbo conformance-tlsfuzzer fuzz stress lint bench clean

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

# The public conformance suites: x509-limbo (conformance-limbo) and tlsfuzzer
# (conformance-tlsfuzzer, when TLSFUZZER names a checkout).
conformance: conformance-limbo conformance-tlsfuzzer

# The whole x509-limbo SERVER suite (tests/x509/test_limbo_conformance.py, ~1.5 min) and the
# table of verdicts per implementation. The suite shipped in tests/x509/data is used unless
# LIMBO names a compiled limbo.json (or an x509-limbo checkout holding one); see
# tests/x509/data/README.md for how to get and build one. Freezing the clock needs libfaketime
# (Debian: apt-get install faketime); without it those tests skip and say so.
LIMBO ?=
conformance-limbo: $(FULL)
	@limbo="$(LIMBO)"; if [ -n "$$limbo" ] && [ -d "$$limbo" ]; then limbo="$$limbo/limbo.json"; fi; \
	if [ -n "$$limbo" ] && [ ! -f "$$limbo" ]; then \
		echo "no $$limbo: clone https://github.com/C2SP/x509-limbo and build it (tests/x509/data/README.md)"; exit 2; fi; \
	QTLS_LIMBO_JSON="$$limbo" QTLS_LIMBO_CONFORMANCE=1 QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -q tests/x509/test_limbo.py tests/x509/test_limbo_conformance.py && \
	QTLS_LIMBO_JSON="$$limbo" $(PY) -W ignore -m tests.x509.limbo_report

# tlsfuzzer's scripts against a qtls QSslServer beside a bare pyOpenSSL server (tests/tlsfuzzer/);
# tlslite-ng and ecdsa go into their own venv.
TLSFUZZER ?=
TLSFUZZER_VENV := .venv-tlsfuzzer
conformance-tlsfuzzer: $(FULL)
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

fuzz: $(FULL)
	@if $(PY) -m pip install --quiet atheris >/dev/null 2>&1; then \
		$(PY) -m tests.fuzz.long --seconds $(FUZZ_SECONDS); \
	else \
		echo "atheris does not install on this Python: running the hypothesis fuzz tests with $(FUZZ_EXAMPLES) examples each instead"; \
		QTLS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q --timeout=0 tests/fuzz; \
	fi

# Load, faults and soak (tests/stress/, ~10 min): 10,000 idle connections, 1,000 handshakes at
# once, 500 slow clients, vanishing peers, descriptor exhaustion, then sequential connections
# for STRESS_SOAK_SECONDS per mode (event-driven, blocking); a table of descriptors, threads,
# objects and RSS before and after. `make test` runs the same scenarios small (tests/stress).
STRESS_SOAK_SECONDS ?= 90
stress: $(FULL)
	$(PY) -m tests.stress --soak-seconds $(STRESS_SOAK_SECONDS)

# Every workload on qtls, PyQt6, asyncio and uvloop in one run (~10 min), then start-up times;
# tables in bench/results/.
bench: $(FULL)
	$(PY) -m bench
	$(PY) -m bench.startup
	$(PY) -m bench.dtls

lint: $(FULL)
	$(VENV)/bin/ruff check qtls tests examples tools
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(TLSFUZZER_VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache docs/_build
