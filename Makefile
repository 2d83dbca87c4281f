# Fourfold: the one entry point. `make run` serves the demo; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

# Django 6 needs Python 3.12 or newer. Plain python3 may be older (and pip there would quietly
# install an older Django), so look for a suitable interpreter, pyenv's included.
PYTHON_CANDIDATES := $(PYTHON) python3.14 python3.13 python3.12 \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)) \
	$(wildcard /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]) python3 python
find_python = $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && command -v $(p))))

.PHONY: help venv run test lint audit format bench loadtest check-migrations openapi oidc-provider screenshots clean

help:
	@echo "make run    - set up, migrate, load the demo organisation, serve on http://127.0.0.1:8000 with the worker"
	@echo "make test   - run the whole test suite (set DATABASE_URL to test against PostgreSQL)"
	@echo "make lint   - ruff check and format check; apps import downward only (import-linter); pip-audit"
	@echo "make audit  - pip-audit: known vulnerabilities in the pinned requirements (needs PyPI)"
	@echo "make bench  - benchmarks on PostgreSQL: every page against the floor, on 5 and 10 years (TIER=quick|council|national)"
	@echo "make loadtest - gunicorn on PostgreSQL under 50 users (locust) for 60 s; figures to docs/performance.md"
	@echo "make openapi - write the API's OpenAPI document to docs/openapi.json (a test compares them)"
	@echo "make oidc-provider - install the test identity provider (npm) that the SSO tests start"
	@echo "make screenshots - the main pages at 1280 px and 390 px into docs/screenshots/ (Chromium, Playwright)"

venv: $(STAMP)

$(STAMP): requirements.txt
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
		echo "$(VENV) was made with Python older than 3.12; recreating it."; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then \
		python_bin="$(call find_python)"; \
		if [ -z "$$python_bin" ]; then \
			echo "Fourfold needs Python 3.12 or newer (Django 6 requires it), and none was found."; \
			echo "Install one (e.g. 'sudo apt install python3.12 python3.12-venv', or pyenv), or run: make PYTHON=/path/to/python3.12 ..."; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$python_bin ($$($$python_bin --version))"; \
		$$python_bin -m venv $(VENV) || { echo "Could not create a virtual environment: install the venv module (e.g. 'sudo apt install python3-venv')."; exit 1; }; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Where `make run` serves (e.g. make run ADDR=127.0.0.1:8001).
ADDR ?= 127.0.0.1:8000

# The worker sends the emails waiting in the outbox and queues the daily reminders. It runs
# beside the server in its own process group (setsid), so that however the server stops
# (Ctrl-C, an error) the trap stops the worker and its autoreloader child with it.
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@if command -v setsid >/dev/null 2>&1; then setsid $(PY) manage.py run_worker & \
	else $(PY) manage.py run_worker & fi; worker=$$!; \
	trap 'kill -TERM -- -$$worker 2>/dev/null || kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Worker started (process $$worker); it stops with the server."; \
	echo "Two-step sign-in is offered, not required, in this demo (MFA_REQUIRED_FOR=$${MFA_REQUIRED_FOR:-nobody});"; \
	echo "a live deployment requires it of managers and administrators unless told otherwise."; \
	MFA_REQUIRED_FOR=$${MFA_REQUIRED_FOR:-nobody} $(PY) manage.py runserver $(ADDR)

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker of
# every run parses the app and rewrites each test module's asserts again (~3 s of CPU per worker).
# __pycache__ is ignored by git.
test: venv
	@if [ -n "$$DATABASE_URL" ]; then echo "Testing against $${DATABASE_URL%%\?*}"; else echo "Testing against SQLite"; fi
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n auto $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@$(MAKE) --no-print-directory audit

# pip-audit asks PyPI, for each version pinned in requirements.txt, which known vulnerabilities
# it has. --strict: a package it could not ask about fails the audit (by default it is skipped
# and the audit passes, having checked nothing). SKIP_AUDIT=1 skips it, and says so loudly.
audit: venv
	@if [ -n "$(SKIP_AUDIT)" ]; then \
		echo "pip-audit SKIPPED (SKIP_AUDIT is set): the dependencies have NOT been checked for known vulnerabilities."; \
		exit 0; \
	fi; \
	echo "pip-audit: checking requirements.txt against PyPI's vulnerability data"; \
	out=$$($(VENV)/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r requirements.txt 2>&1); \
	status=$$?; \
	echo "$$out" | grep -v -e "users are encouraged to fully hash" -e "Consider using a tool like"; \
	if [ $$status -ne 0 ] && echo "$$out" | grep -q -i -e "could not be audited" -e "connection" -e "timed out" -e "resolve"; then \
		echo; \
		echo "make lint FAILED: pip-audit could not get PyPI's vulnerability data for every pinned package"; \
		echo "from this machine (no network, or the index here does not serve PyPI's per-version JSON)."; \
		echo "The dependencies have NOT been checked. Run 'make audit' where PyPI is reachable,"; \
		echo "or 'make lint SKIP_AUDIT=1' to skip the check knowingly."; \
	fi; \
	exit $$status

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks on PostgreSQL (bench/run.py): TIER=council (default), quick or national;
# BENCH_REPEAT, BENCH_PRACTITIONERS, BENCH_YEARS and BENCH_DATABASE_SERVER to change them.
bench: venv
	$(PY) -m bench.run $(if $(TIER),--tier $(TIER))

# Needs PostgreSQL (LOADTEST_ADMIN_URL, default postgres@127.0.0.1:5432); see scripts/loadtest.sh.
loadtest: venv
	bash scripts/loadtest.sh

# The API's OpenAPI document, committed so that integrators can read it without a server;
# tests/api fails when it differs from the one served.
openapi: venv
	$(PY) manage.py export_openapi_schema --api api.urls.api --indent 2 --sorted --output docs/openapi.json

# The single sign-on tests start a real OpenID Connect provider (tests/oidc, oidc-provider from
# npm); they install it themselves on first use, this does it ahead of time.
oidc-provider:
	cd tests/oidc && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

# The README's pictures: the demo organisation in headless Chromium (apt install chromium).
screenshots: venv
	$(VENV)/bin/pip install --quiet -r requirements-browser.txt
	$(PY) scripts/screenshots.py

check-migrations: venv
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
