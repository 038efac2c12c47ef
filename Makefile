# encommun: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench-write bench-rebuild rebuild clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Load Haut-Val (12 months) into a fresh store and build its projections.
demo: $(STAMP)
	$(PY) -m demo --store var/demo.sqlite --months 12 --force
	$(PY) -m projections rebuild --store var/demo.sqlite --db var/demo.duckdb

test: $(STAMP)
	$(PY) -m pytest

bench-write: $(STAMP)
	$(PY) -m bench.write

bench-rebuild: $(STAMP)
	$(PY) -m bench.rebuild

# Rebuild the demo's projections from its event store (the CLI issue adds `encommun rebuild`).
rebuild: $(STAMP)
	$(PY) -m projections rebuild --store var/demo.sqlite --db var/demo.duckdb

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
