# Omdena Challenges: every entry point. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite runs on PostgreSQL; pytest-django creates and drops the test_<name> database.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PRODUCTION_CHECK_ENV := DJANGO_SETTINGS_MODULE=omdena.settings.production \
	SECRET_KEY=check-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH \
	ALLOWED_HOSTS=challenges.example.org DATABASE_URL=$(TEST_DATABASE_URL)

.DEFAULT_GOAL := help
.PHONY: help install install-dev run demo serve fakes worker beat test test-quick lint fmt migrations check-deploy screenshots clean

help: ## List every target
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime ## Create .venv and install the runtime requirements

install-dev: $(VENV)/.dev ## Install runtime plus test and development tools

run: install ## Install, start the fake GitHub/Slack, migrate, load demo data, serve http://127.0.0.1:8000
	@$(PY) scripts/fake_services.py > .fake_services.log 2>&1 & echo $$! > .fake_services.pid; \
	trap 'kill $$(cat .fake_services.pid) 2>/dev/null; rm -f .fake_services.pid' EXIT INT TERM; \
	sleep 1; \
	$(MANAGE) migrate --noinput && $(MANAGE) seed_demo && \
	$(MANAGE) sync_activity > /dev/null && $(MANAGE) score_week && \
	echo "Serving on http://$(HOST):$(PORT)/ (fake GitHub on :8201, fake Slack on :8202). Ctrl-C stops all." && \
	$(MANAGE) runserver $(HOST):$(PORT)

demo: install ## Migrate and (re)load the demo data; safe to repeat (start scripts/fake_services.py first)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo

serve: ## Serve the local platform (after `make demo`), with the fake GitHub/Slack servers
	@$(PY) scripts/fake_services.py > .fake_services.log 2>&1 & echo $$! > .fake_services.pid; \
	trap 'kill $$(cat .fake_services.pid) 2>/dev/null; rm -f .fake_services.pid' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

fakes: install ## Run only the fake GitHub (:8201) and Slack (:8202) servers, in the foreground
	$(PY) scripts/fake_services.py

worker: install ## Run a Celery worker (needs Redis; set CELERY_TASK_ALWAYS_EAGER=false)
	$(VENV)/bin/celery -A omdena worker --loglevel=INFO --queues=default,integrations

beat: install ## Run Celery beat, the weekly schedule
	$(VENV)/bin/celery -A omdena beat --loglevel=INFO

test: install-dev ## Lint, migrations check, deploy check, then the whole suite on PostgreSQL (browser tests included)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(PRODUCTION_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

test-quick: install-dev ## Fast local loop: SQLite, no browser tests
	DATABASE_URL=sqlite:///$(CURDIR)/.test-quick.sqlite3 $(VENV)/bin/pytest -m "not browser and not postgres" -q $(PYTEST_ARGS)

lint: install-dev ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations: install ## Make new migrations after a model change
	$(MANAGE) makemigrations

check-deploy: install ## manage.py check --deploy on the production settings
	$(PRODUCTION_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

screenshots: install-dev ## Screenshot pages of a running server into test-artifacts/screenshots
	$(PY) scripts/screenshots.py http://$(HOST):$(PORT) test-artifacts/screenshots / /challenges/

clean: ## Remove the virtualenv, local database and caches
	rm -rf $(VENV) db.sqlite3 .test-quick.sqlite3 staticfiles .pytest_cache .ruff_cache test-artifacts
