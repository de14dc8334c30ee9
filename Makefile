# PartnerHub. `make run` starts the demo on http://127.0.0.1:8000, `make test` runs every check.
# Needs nothing but Python 3.12+ or uv (plus GNU gettext for the translations): uv is taken from the PATH,
# else installed into .tools/ once, and uv finds (or fetches) the Python that .python-version asks for.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BOOTSTRAP_PYTHON ?= python3
ifndef UV
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
endif
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
RUFF := $(VENV)/bin/ruff
MYPY := $(VENV)/bin/mypy
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help venv install messages run test bench worker beat lint typecheck format clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# uv itself, only when it is not on the PATH. Any Python 3 will do to install it.
$(CURDIR)/.tools/bin/uv:
	@command -v $(BOOTSTRAP_PYTHON) >/dev/null || { \
	  echo "Neither uv nor $(BOOTSTRAP_PYTHON) was found: install uv (https://docs.astral.sh/uv/) or Python 3.12+." >&2; \
	  exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check 'uv>=0.9'

venv: install ## Create the virtualenv (.venv) with everything installed

install: $(UV) ## Install the locked dependencies, dev tools included (uv sync --frozen)
	@$(UV) sync --frozen --quiet
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), sys.version' || { \
	  echo "$(VENV) does not run Python 3.12+; remove it and run make again." >&2; exit 1; }

messages: install ## Compile the translations in locale/ (needs GNU gettext's msgfmt)
	@command -v msgfmt >/dev/null || { \
	  echo "msgfmt not found: install GNU gettext (Debian/Ubuntu: apt-get install gettext; macOS: brew install gettext)." >&2; \
	  exit 1; }
	@$(MANAGE) compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules --verbosity=0

run: messages ## Migrate, load the demo, serve on http://127.0.0.1:8000 with a worker and the scheduler
	@$(MANAGE) migrate --no-input --verbosity=0
	@$(MANAGE) seed_demo --url "http://$(HOST):$(PORT)/"
	@# Web server, Celery worker and scheduler together; tasks pass through a folder under .cache/ unless
	@# CELERY_BROKER_URL or REDIS_URL names a broker. Ctrl-C stops all three.
	$(MANAGE) runstack $(HOST):$(PORT)

test: messages ## Lint, type-check, check migrations, run the test suite (not the benchmarks)
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(MANAGE) makemigrations --check --dry-run
	$(PYTHON) -m pytest -m "not bench" $(PYTEST_ARGS)

bench: messages ## Run the benchmarks in tests/bench (prints, never fails on time)
	$(PYTHON) -m pytest tests/bench -m bench -s $(PYTEST_ARGS)

worker: messages ## A Celery worker (needs CELERY_BROKER_URL or REDIS_URL)
	$(VENV)/bin/celery -A partnerhub worker -l info

beat: install ## Celery beat, the scheduler of the periodic tasks (needs a broker too)
	@# beat's schedule state lives in the (ignored) virtualenv, not among the sources
	$(VENV)/bin/celery -A partnerhub beat -l info --schedule $(VENV)/celerybeat-schedule

lint: install ## ruff check and ruff format --check
	$(RUFF) check .
	$(RUFF) format --check .

typecheck: install ## mypy with django-stubs over the annotated modules (`files` in pyproject.toml)
	$(MYPY)

format: install ## Format the code and apply ruff's safe fixes
	$(RUFF) format .
	$(RUFF) check --fix .

clean: ## Remove caches, compiled translations and collected static files (keeps db.sqlite3 and .venv)
	rm -rf .pytest_cache .ruff_cache .mypy_cache test-results staticfiles
	find . -path ./.venv -prune -o -path ./.tools -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./.venv -prune -o -path ./.tools -prune -o -name '*.mo' -path '*/locale/*' -exec rm -f {} +

distclean: clean ## Also remove the virtualenv, the bootstrapped uv and the SQLite database
	rm -rf $(VENV) .tools db.sqlite3
