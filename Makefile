# Every target installs what it needs on a fresh clone: a .venv with pip packages, and Azurite from npm.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PORT ?= 5055
KEY ?=
ENGINE ?= pocketsphinx

.PHONY: all setup test demo emulator bench lint clean

all: test

$(PY_STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(PY_STAMP) $(NODE_STAMP)

test: setup
	$(PY) -m pytest

demo: setup
	$(PY) -m devtools.demo

emulator: $(PY_STAMP)
	$(PY) -m devtools.speech_emulator --host 127.0.0.1 --port $(PORT) --engine $(ENGINE) $(if $(KEY),--key $(KEY),)

bench: setup
	$(PY) -m bench

lint: $(PY_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
