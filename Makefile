# Rumbo: `make run` starts everything on this machine, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= rumbo-demo-2026
# Also load the demo in this language (e.g. es: organization acme-revops-es, users demo-admin-es…).
DEMO_LANGUAGE ?=

.PHONY: run test lint bench venv install install-dev browser migrate demo clean messages

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=/path/to/python3.11 …'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(BIN)/activate

$(VENV)/.installed: requirements.txt | venv
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | venv
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo --password "$(DEMO_PASSWORD)"
	@if [ -n "$(DEMO_LANGUAGE)" ] && [ "$(DEMO_LANGUAGE)" != en ]; then \
		$(PY) manage.py load_demo --password "$(DEMO_PASSWORD)" --language "$(DEMO_LANGUAGE)"; fi

run: demo
	@HOST=$(HOST) PORT=$(PORT) DEMO_PASSWORD="$(DEMO_PASSWORD)" BIN=$(BIN) sh scripts/run.sh

browser:
	@sh scripts/ensure_chromium.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install-dev browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

# Translators: refresh locale/es/LC_MESSAGES/django.po from the code, then compile it (needs GNU gettext).
# The compiled .mo is committed, so running Rumbo never needs gettext.
messages: install-dev
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=staticfiles --add-location=file --no-obsolete
	$(PY) manage.py compilemessages -l es --ignore=.venv

bench: install-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) var/*.sqlite3* var/celery test-output
