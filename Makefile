# The README's quick start: `make run` and `make test`. Everything installs into .venv
# and node_modules; the embedded default needs no services (SQLite, in-process tasks).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point at the server `make run` starts (README: SITE_URL), unless SITE_URL is set;
# bound to every interface (0.0.0.0), it is reached from this machine as 127.0.0.1.
SITE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# The demo's commands: development mode, e-mail links on this server.
# DEMO_MFA_CODE: the demo logins' second step also accepts this code (allauth refuses it unless DEBUG is on).
DEMO_MFA_CODE ?= 000000
DEV := DEBUG=1 SITE_URL=$(SITE_URL) DEMO_MFA_CODE=$(DEMO_MFA_CODE)
MANAGE := $(DEV) $(BIN)/python manage.py

.PHONY: install run test test-fast lint format migrate demo clean bench messages

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
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

# Without REDIS_URL, beat runs each scheduled task itself (eager mode): reminders hourly, each agency
# once per local day from 06:00 local, the hold-deadline sweep every 15 minutes. run_jobs runs them all once at start. Beat starts
# quiet and serve_demo (runserver) prints the demo logins once it listens, so they come last;
# e-mail goes to files under var/mail/ with one line each (EMAIL_URL's DEBUG default).
run: demo
	$(MANAGE) run_jobs
	@$(DEV) $(BIN)/celery -A compliance --quiet beat --loglevel=WARNING --schedule=var/celerybeat-schedule & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) serve_demo $(HOST):$(PORT)

# Two test processes (pytest-xdist; CI's machine has two cores), each class or module's tests in one process
# (loadscope: a class's setUpTestData runs once); TEST_PROCESSES=0 runs them in this process.
TEST_PROCESSES ?= 2
test: install
	$(BIN)/pytest $(if $(filter 0,$(TEST_PROCESSES)),,-n $(TEST_PROCESSES) --dist loadscope)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Translations of the public complaint pages (docs/translations.md): refresh every catalog under locale/ from the
# code and templates, then compile them. LANG_CODE=xx adds a new language's catalog.
MESSAGES_IGNORE := -i ".venv/*" -i "node_modules/*" -i "var/*" -i "tests/*" -i "bench/*"
messages: install
	$(MANAGE) makemessages $(if $(LANG_CODE),-l $(LANG_CODE),-a) --no-obsolete --no-location $(MESSAGES_IGNORE)
	$(MANAGE) compilemessages --ignore ".venv" --ignore "node_modules"

clean:
	rm -rf $(VENV) node_modules var
