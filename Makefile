# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= auto
XDIST = -n $(PYTEST_WORKERS) --dist loadfile
MO := $(patsubst %.po,%.mo,$(wildcard */translations/*/LC_MESSAGES/messages.po */*/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-sqlite test-postgres services browser translations assets bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar on -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --progress-bar on -e ".[dev]"
	touch $@ $(VENV)/.run-deps

%.mo: %.po $(VENV)/.run-deps
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO)

## assets: the browser libraries the pages load, pinned by package-lock.json (npm registry)
node_modules/.installed: package.json package-lock.json
	bash .ci/node.sh
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

assets: node_modules/.installed

## run: install, initialise the SQLite demo network with a populated day, serve on :5000
run: $(VENV)/.run-deps translations assets
	$(BIN)/queue-app demo
	$(BIN)/queue-app serve --host 127.0.0.1 --port 5000

## test: install everything the tests need, then run them on SQLite and on PostgreSQL
test: $(VENV)/.test-deps translations assets services browser test-sqlite test-postgres

services:
	bash .ci/services.sh

browser:
	bash .ci/browser.sh

# The browser tests (tests/e2e) run once, in the PostgreSQL pass: the pages are the same on either
# database, whose differences the unit and integration tests cover in both passes. This keeps CI
# within its time; `.venv/bin/python -m pytest` alone runs everything on SQLite. The tests are
# spread over the machine's cores (pytest-xdist; each worker has its own database, live server and
# Chromium, and a file's tests stay together on one worker; PYTEST_WORKERS=0 runs them in this
# process). The tests in SERIAL run alone in one process on a quiet machine: they wait on sockets,
# and on two busy cores those waits ran out (CI, 2026-12-06).
# Tests marked reference_day replay simulated days in SQLite databases of their own: the
# PostgreSQL pass leaves them out (they would run the very same thing again), as it leaves out the
# tests that use no database of the suite's (marker no_database, set by tests/conftest.py: the unit
# tests, the CLI's servers on SQLite databases of their own, the simulations).
SERIAL = tests/integration/test_device_sightings.py

test-sqlite: $(VENV)/.test-deps translations assets
	@echo "== tests on SQLite (all but the browser tests)"
	$(BIN)/python -m pytest $(XDIST) --ignore=tests/e2e $(addprefix --ignore=,$(SERIAL))
	$(BIN)/python -m pytest $(SERIAL)

test-postgres: $(VENV)/.test-deps translations assets
	@echo "== tests on PostgreSQL ($(PG_TEST_URL))"
	ONEDOOR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(XDIST) -m "not reference_day and not no_database" --ignore=tests/e2e $(addprefix --ignore=,$(SERIAL))
	@echo "== browser tests (Chromium), on PostgreSQL"
	ONEDOOR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(XDIST) tests/e2e
	@echo "== the tests that wait on sockets, on PostgreSQL, in one process"
	ONEDOOR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(SERIAL)

## bench: the engine benchmark on SQLite and PostgreSQL (see docs/benchmarks.md)
bench: $(VENV)/.test-deps translations services
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache $(MO) node_modules
