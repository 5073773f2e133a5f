# Every target installs what it needs on a fresh clone: a .venv with pip packages, and Azurite from npm.
# Python 3.13, as the Function App runs it: from PATH, else the newest 3.13 pyenv has installed.
PYTHON ?= $(shell devtools/find_python.sh 3.13)
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed-py3.13
NODE_STAMP := node_modules/.installed
# The browser tests' chromium: Debian's package (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
# The emulator tests' read sentences are synthesised at test time with Debian's flite.
FLITE := /usr/bin/flite
PORT ?= 5055
KEY ?=
ENGINE ?= pocketsphinx
# make dev: every port can be moved, e.g. make dev FUNCTIONS_PORT=7072
FUNCTIONS_PORT ?= 7071
AZURITE_BLOB_PORT ?= 10000
AZURITE_QUEUE_PORT ?= 10001
AZURITE_TABLE_PORT ?= 10002
EMULATOR_PORT ?= 5055

N ?= 1000

.PHONY: all setup test unit integration app browser deploy stress chaos dev upload demo emulator bench lint clean requirements

all: test

$(PY_STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found: install it (pyenv install 3.13, or your system's python3.13), or run make PYTHON=/path/to/python3.13" >&2; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	# 1. exactly what is deployed, every package checked against its hash (as the remote build does)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	# 2. the dev tools, hashed too, in a second call (compiled with requirements.txt as a
	#    constraint, so every package both name is at step 1's version)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	$(PY) -c "from devtools.functions_host.protocol import load_protos; load_protos()"  # the local host's protocol classes, into .cache/
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Installed once as root (sudo otherwise) when missing: `apt-get install -y chromium`.
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo )sh -c 'apt-get update -qq && apt-get install -y -qq chromium'

$(FLITE):
	$(if $(filter 0,$(shell id -u)),,sudo )sh -c 'apt-get update -qq && apt-get install -y -qq flite'

setup: $(PY_STAMP) $(NODE_STAMP) $(CHROMIUM) $(FLITE)

# Every tier (docs/TESTS.md), as CI runs it.
test: setup
	$(PY) -m pytest

# The fast tier: the flows on in-memory fakes of storage, queues and Speech; no sockets, no services.
unit: $(PY_STAMP)
	$(PY) -m pytest tests/unit -q

# Real SDKs against Azurite, the Speech emulator and the local token and ingestion servers.
integration: setup
	$(PY) -m pytest tests/integration -q

# The app through the local Functions host (Microsoft's worker runtime), and make dev end to end.
app: setup
	$(PY) -m pytest tests/app -q

# The page in a real browser: make dev, Debian's chromium driven by Playwright, axe-core.
browser: setup
	$(PY) -m pytest tests/browser -q

# Bicep, the deployment package, requirements, app settings and the docs; nothing running.
deploy: $(PY_STAMP)
	$(PY) -m pytest tests/deploy -q

# Chaos (the one-outcome rule under faults and restarts), fuzzing, and fidelity to the live service.
stress: setup
	$(PY) -m pytest tests/stress -q

# Exactly-one outcomes under duplicates, faults and a storage restart, with N blobs (CI runs 300).
chaos: setup
	CHAOS_BLOBS=$(N) $(PY) -m pytest tests/stress/chaos -q

dev: setup
	$(PY) -m devtools.dev --functions-port $(FUNCTIONS_PORT) --emulator-port $(EMULATOR_PORT) \
		--azurite-blob-port $(AZURITE_BLOB_PORT) --azurite-queue-port $(AZURITE_QUEUE_PORT) --azurite-table-port $(AZURITE_TABLE_PORT) \
		--data-dir $(CURDIR)/.azurite --engine $(ENGINE)

# A recording into make dev's audio-in through /api/uploads (as a client uploads): make upload FILE=meeting.wav
upload: $(PY_STAMP)
	$(PY) -m devtools.upload --base http://127.0.0.1:$(FUNCTIONS_PORT) $(if $(NAME),--name '$(NAME)',) '$(FILE)'

demo: setup
	$(PY) -m devtools.demo

emulator: $(PY_STAMP)
	$(PY) -m devtools.speech_emulator --host 127.0.0.1 --port $(PORT) --engine $(ENGINE) $(if $(KEY),--key $(KEY),)

bench: setup
	$(PY) -m bench

# ruff, and the core's layers and no import cycles (.importlinter, docs/ARCHITECTURE.md)
lint: $(PY_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

# Re-pin requirements.txt from requirements.in, then requirements-dev.txt from requirements-dev.in
# (hashes included; the dev file constrained by the runtime one). Add UPGRADE=1 to move every
# package to its newest allowed version, or UPGRADE=<package> for one.
PIP_COMPILE = $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links \
  $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE),))
requirements: $(PY_STAMP)
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .cache .hypothesis .azurite
