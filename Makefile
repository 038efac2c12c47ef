# encommun: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench-write bench-rebuild bench-api rebuild clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Load Haut-Val (12 months) into a fresh var/demo.sqlite, build var/demo.duckdb, print a
# token per role and serve the API on http://127.0.0.1:$(PORT) (`encommun demo`;
# `make demo PORT=8080` for another port; Ctrl-C stops it).
demo: $(STAMP)
	$(PY) -m cli demo --months 12 --port $(PORT)

test: $(STAMP)
	$(PY) -m pytest

bench-write: $(STAMP)
	$(PY) -m bench.write

bench-rebuild: $(STAMP)
	$(PY) -m bench.rebuild

# The HTTP API under a bounded load, on a copy of the 2.2 M-event demo (`--store` for another).
bench-api: $(STAMP)
	$(PY) -m bench.api

# Rebuild the demo's projections from its event store.
rebuild: $(STAMP)
	$(PY) -m cli rebuild --store var/demo.sqlite --projections var/demo.duckdb

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
