# bcbt: make run (demo on SQLite), make test (every test), make lint, make bench, make faults.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench faults clean

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

setup: $(STAMP) node_modules/.package-lock.json
	mkdir -p var/broker/queue var/broker/processed var/mail

# The embedded default: SQLite under var/, Celery on the filesystem broker under var/, with a
# worker and beat started beside the web server and stopped with it.
run: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_modules
	@if ! DJANGO_DEBUG=1 $(BIN)/python manage.py shell -c "from care.models import Service; import sys; sys.exit(0 if Service.objects.exists() else 1)" 2>/dev/null; then \
		DJANGO_DEBUG=1 BCBT_BASE_URL=$${BCBT_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py seed_demo; \
	else \
		echo "Demo data already present. Demo accounts: admin, pwp, pwp2, navigator, patient, patient001 ..."; \
		echo "Password for every demo account: $${BCBT_DEMO_PASSWORD:-demo-password-2026}"; \
	fi
	@echo "Serving bcbt on http://$(HOST):$(PORT)/ (Ctrl-C stops the server, worker and beat)"
	DJANGO_DEBUG=1 BCBT_BASE_URL=$${BCBT_BASE_URL:-http://$(HOST):$(PORT)} bash scripts/run-embedded.sh $(BIN) $(HOST) $(PORT)

# PYTEST_ARGS passes options through, e.g. make test PYTEST_ARGS='-m "not browser"'.
test: setup
	bash scripts/test.sh $(BIN) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/mypy .
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

bench: setup
	$(BIN)/python -m bench

# The fault campaign (docs/operations.md): every scenario in scripts/faults/, each on servers of
# its own; a table of results, and a failure on any duplicate, loss, send in quiet hours or
# request of 5 s or more. Needs DATABASE_URL (PostgreSQL) for the scenarios that use a
# throwaway database, redis-server, and the PostgreSQL server binaries.
faults: setup
	$(BIN)/python -m scripts.faults $(SCENARIOS)

clean:
	rm -rf $(VENV) node_modules staticfiles var
