# Quick start: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions of every dependency; pyproject.toml holds only lower bounds.
CONSTRAINTS := constraints.txt
# Test workers: pytest-xdist on both cores, tests handed out one at a time (slow ones first, see
# tests/conftest.py); a module marked xdist_group (the web and browser tests) stays on one worker, so its
# app, server and browser start once; `make test WORKERS=0` runs in one process.
WORKERS ?= 2
XDIST := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadgroup --maxschedchunk 1)

.PHONY: run serve test test-fast test-browser test-fuzz test-postgres fuzz lint typecheck install curate bench clean migration-reset

# Re-installs whenever pyproject.toml or the constraints change.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -c 'import sys; sys.exit("blocwatch needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The summary on the bundled data (`blocwatch run`, which returns), then the web dashboard on the same
# database: `blocwatch serve` prints its address and keeps running until Ctrl-C. It listens on
# 127.0.0.1:8000 unless BLOCWATCH_HOST / BLOCWATCH_PORT say otherwise (`make run BLOCWATCH_PORT=8001`).
run: $(STAMP)
	$(BIN)/blocwatch run
	$(BIN)/blocwatch serve

# The dashboard alone (no summary first).
serve: $(STAMP)
	$(BIN)/blocwatch serve

# Everything but the browser tests (about 2.5 min on 2 cores); the browser tests drive Debian's chromium
# (apt-get install chromium) and run alone, in one process, after it (.ci/run runs both).
test: $(STAMP)
	$(BIN)/python -m pytest -q $(XDIST) -m 'not browser and not fuzz'

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser tests/test_browser.py

# The whole suite (less the browser and fuzzing runs, and the tests of SQLite files) again on a throwaway
# PostgreSQL server that the tests start (tests/postgres.py: Debian's postgresql package, apt-get install
# postgresql; BLOCWATCH_TEST_PG_URL=postgresql://USER@HOST/DB uses a running server instead): 3 min 30 s here.
# Without the server binaries every test is skipped, saying why (.ci/run installs them and fails then).
# The inner loop: make test-postgres PG_TESTS='postgres and not browser and not fuzz' (the modules marked postgres).
PG_TESTS ?= not browser and not fuzz
test-postgres: $(STAMP)
	BLOCWATCH_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q $(XDIST) -m '$(PG_TESTS)'

# Thousands of generated and damaged inputs for every reader, and schemathesis on /openapi.json.
# Coverage-guided fuzzing with atheris, on demand (not in CI): make fuzz [TARGET=vote_record] [RUNS=100000].
fuzz: $(STAMP)
	$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/pip install -q atheris
	for t in $${TARGET:-vote_record event_file un_resolutions statement_text}; do \
	    $(BIN)/python fuzz/readers.py $$t -runs=$${RUNS:-20000} || exit 1; done

test-fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q $(XDIST) -m fuzz tests/test_fuzz.py tests/test_schema.py

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q $(XDIST) -m 'not slow and not browser and not fuzz'

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

# Rebuild the curated data from the raw inputs kept in curation/sources
# (refresh those from a shared/data folder with `blocwatch curate sources --from DIR`).
curate: $(STAMP)
	$(BIN)/blocwatch curate all

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

# The schema is not released yet: regenerate the initial migration from models.py.
migration-reset: $(STAMP)
	rm -f src/blocwatch/store/migrations/versions/0001_initial_schema.py
	$(BIN)/python -c "from alembic import command; from blocwatch.store.db import make_engine, _migrations_config; command.revision(_migrations_config(make_engine('sqlite://')), message='initial schema', autogenerate=True, rev_id='0001')"
