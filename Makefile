# InFuSe: `make demo` runs the platform on its embedded default; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(shell scripts/find-python)
STAMP := $(VENV)/.installed

.PHONY: demo test install assets messages messages-update migrate serve lint typecheck pytest clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) assets messages

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

build/static/infuse/infuse.css: node_modules/.package-lock.json frontend/infuse.scss scripts/build-assets.mjs
	node scripts/build-assets.mjs

assets: build/static/infuse/infuse.css

messages: $(STAMP)
	cd infuse && ../$(BIN)/django-admin compilemessages --ignore=.venv -l cy >/dev/null

# After marking new strings: refresh the Welsh catalogue, then translate the new entries.
messages-update: $(STAMP)
	cd infuse && ../$(BIN)/django-admin makemessages -l cy --no-location --no-obsolete --settings=infuse.settings --pythonpath=..

migrate: install
	$(BIN)/infuse migrate --no-input

demo: install migrate
	$(BIN)/infuse collectstatic --no-input --verbosity 0
	$(BIN)/infuse demo
	$(BIN)/infuse serve --with-worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check infuse tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -p no:cacheprovider -n auto --dist loadfile $(PYTEST_ARGS)

test: install lint typecheck pytest

bench: install
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules build var
