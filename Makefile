# carbon-ledger: `make run` brings the ledger up with demo data; `make test` runs every test.
# Both install what they need (Python venv, npm toolchain, Debian packages where missing) and are idempotent.

PYTHON ?= python3.11
VENV := .venv
# schemathesis needs a newer hypothesis than eth-brownie pins, so it lives in a venv of its own.
SCHEMATHESIS_VENV := .venv-schemathesis
PY := $(VENV)/bin/python
STATE := .carbonledger
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test setup schemathesis-venv system-deps python-deps node-deps solc-bridge test-python test-contracts bench chain-down clean

run: setup
	$(VENV)/bin/carbonledger demo

test: setup schemathesis-venv test-python test-contracts

test-python:
	$(PY) -m pytest -p no:pytest-brownie -q tests

# brownie's pytest plugin compiles the contracts and starts its own Anvil (port 8555, see tests/contracts/conftest.py).
test-contracts:
	$(VENV)/bin/brownie test tests/contracts

setup: system-deps python-deps node-deps solc-bridge

system-deps:
	@bash scripts/install-system-deps.sh

python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,postgres]'
	touch $@

schemathesis-venv: $(SCHEMATHESIS_VENV)/.installed

$(SCHEMATHESIS_VENV)/.installed: tests/webapp/schemathesis-requirements.txt
	test -x $(SCHEMATHESIS_VENV)/bin/python || $(PYTHON) -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/webapp/schemathesis-requirements.txt
	touch $@

node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# brownie looks for solc 0.8.37 at ~/.solcx/solc-v0.8.37; the bridge answers there through solc-js.
solc-bridge:
	@mkdir -p $(HOME)/.solcx
	@ln -sfn $(CURDIR)/scripts/solc $(HOME)/.solcx/solc-v0.8.37

bench: setup
	$(PY) scripts/bench_log.py

chain-down:
	-$(VENV)/bin/carbonledger chain down

clean: chain-down
	rm -rf $(STATE) build
