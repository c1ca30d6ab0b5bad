# A newcomer's two commands: `make run` serves the site, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint format bench loadtest messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The translations Django reads (locale/*/LC_MESSAGES/django.mo), compiled from the .po files
# kept in the repository.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
$(TRANSLATIONS): %.mo: %.po $(BIN)/.installed
	$(BIN)/python scripts/compile_translations.py

install: $(BIN)/.installed $(TRANSLATIONS)

# Local development on a SQLite file (or DATABASE_URL's database), with the seed loaded.
# The task worker runs beside the server and stops with it: emails are queued, and the
# worker prints them (the console backend with DEBUG), sign-in links included.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed
	DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py db_worker --queue-name '*' \
		--no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# axe-core, which the browser tests inject to check accessibility (pinned in package-lock.json).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --silent
	touch $@

# The whole suite, browser tests included (scripts/ensure_redis.sh and ensure_browser.sh set
# up redis-server and Chromium first, or say how): SQLite by default, PostgreSQL when
# DATABASE_URL is set. One pytest-xdist worker per core, each with its own test database,
# Redis and Chromium. Each worker takes the tests in pytest-django's order, the transactional
# ones (which empty every table, rows made by migrations included) last; --dist=loadfile
# would break that order. `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
test: install node_modules/.package-lock.json
	bash scripts/ensure_redis.sh
	PLAYWRIGHT=$(BIN)/playwright bash scripts/ensure_browser.sh
	$(BIN)/pytest --numprocesses=$(PYTEST_WORKERS) --dist=load

# After changing user-facing text: adds new strings to locale/es/LC_MESSAGES/django.po
# (needs GNU gettext's xgettext); translate them there, then `make install` compiles them.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages --locale es --no-location --no-obsolete \
		--ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'scripts/*' \
		--ignore 'staticfiles/*'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmark on PostgreSQL (BENCH_DATABASE_URL, default the local server): 100,000 and then
# 500,000 demo therapists, gunicorn with 2 workers and no page cache, wrk over 500+ listing
# searches, 50+ landing pages and the key pages; appends each size's table, the index's
# build time and memory and issue 11's targets met or missed to docs/benchmarks.md.
# `N=500000 make bench` measures one size only.
N ?= 100000 500000
bench: install
	$(BIN)/python scripts/bench.py --therapists $(N)

# Public pages under load (wrk, 32 connections, 60 s) while staff approve quotes and edit
# a modality; fails on any error, non-2xx response or lost edit.
loadtest: install
	$(BIN)/python scripts/loadtest.py
