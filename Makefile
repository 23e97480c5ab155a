# Quick start: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast install curate bench clean migration-reset

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("blocwatch needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/blocwatch run

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not slow'

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
