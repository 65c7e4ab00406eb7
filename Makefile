# The README's quick start: `make run` and `make test`. Everything installs into .venv
# and node_modules; the embedded default needs no services (SQLite, in-process tasks).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format migrate demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency list or the lock changes.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

# Without REDIS_URL, beat runs each scheduled task itself (eager mode): reminders daily,
# the hold-deadline sweep every 15 minutes. run_jobs runs both once at start.
run: demo
	DEBUG=1 $(BIN)/python manage.py run_jobs
	@DEBUG=1 $(BIN)/python manage.py seed_demo --logins-only
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)."
	DEBUG=1 $(BIN)/celery -A compliance beat --loglevel=WARNING --schedule=var/celerybeat-schedule & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var
