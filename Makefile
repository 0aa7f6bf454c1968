# 目标任务督办 — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
YEAR := $(shell date +%Y)

.PHONY: messages run test lint test-sqlite test-postgres setup demo clean chromium worker beat

# The virtualenv is rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || \
		{ echo "Python 3.11 is missing: install python3.11 and python3.11-venv (Debian: apt-get install python3 python3-venv)"; exit 1; }
	@PY_BIN=$$(command -v $(PYTHON) || command -v python3); \
	$$PY_BIN -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is required ($$PY_BIN is $$($$PY_BIN -V))"; exit 1; }; \
	test -x $(PY) || $$PY_BIN -m venv $(VENV) || \
		{ echo "Cannot create a virtualenv: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# Migrate, load the departments, the 2023 report as adopted, the same plan re-dated to
# this year (live deadlines for the demo), the demo users and progress; then serve.
demo: $(STAMP)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_departments
	$(PY) manage.py seed_report
	$(PY) manage.py seed_report --rebase-year $(YEAR)
	$(PY) manage.py load_demo --year $(YEAR)

run: demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Reminders on Celery (Redis at CELERY_BROKER_URL, default redis://127.0.0.1:6379/0): run
# each in its own terminal next to `make run`. Without them the app works in full, and
# `$(PY) manage.py send_reminders` runs the same sweep by hand.
worker: $(STAMP)
	$(VENV)/bin/celery -A config worker --loglevel=INFO

# One beat only: it reads the schedule (daily sweep 08:30, status refresh 00:05, retries
# every 10 minutes) from the database, where staff edit it in the admin.
beat: $(STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

# The web UI's browser tests (tests/browser) drive the system Chromium through Playwright.
# Install Debian's package when it is missing and we are root; otherwise say what to install
# (the tests then skip, except in CI, where a missing browser fails them).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Chromium for the browser tests: apt-get install chromium fonts-noto-cjk"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-cjk >/dev/null; \
		else \
			echo "Chromium is missing: install it with 'sudo apt-get install chromium fonts-noto-cjk'"; \
			echo "(Debian), or point CHROMIUM=/path/to/chromium at one; browser tests skip meanwhile."; \
		fi; }

# The whole suite on SQLite, then the database-sensitive tests again on PostgreSQL.
test: $(STAMP) chromium
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-postgres

test-postgres: $(STAMP)
	TEST_DATABASE_URL=$${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test} \
		$(PY) -m pytest -m postgres

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (not tests): each prints its own timings.
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/bench_importer.py
	$(PY) bench/bench_reminders.py
	@# The REST API against a city-sized data set in PostgreSQL (BENCH_SCALE=1: 100k tasks,
	@# 1M progress entries, 10k users; loaded once, ~2 min) under gunicorn; see README "API".
	$(PY) -m bench.run
	@# Load: 200 users (each a member with their own token) read and report progress for
	@# BENCH_LOAD_SECONDS (180) on the same data; zero errors, every report in the database.
	$(PY) -m bench.load_mixed

# Hostile input: schemathesis against gunicorn on a fresh PostgreSQL database, as 督查室 and
# as a member, FUZZ_EXAMPLES (200) cases per operation and phase. Not part of `make test`.
.PHONY: fuzz
fuzz: $(STAMP)
	$(PY) -m tools.fuzz_api

# Refresh the English catalogue after changing Chinese source strings (needs GNU gettext:
# Debian `apt-get install gettext`); the compiled .mo is committed so running needs none.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 var
