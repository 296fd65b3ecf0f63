# Two entry points, each installing what it needs first:
#   make synth   install Python deps + CDK CLI, synthesize the example app (offline, no AWS account)
#   make test    install, then run the whole test suite
VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Nothing here may reach AWS: no instance-metadata lookups for credentials or region.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_VERSION_CHECK := true

.PHONY: install synth test clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: install
	cdk synth --no-notices

test: install
	$(PY) -m pytest -n 2

clean:
	rm -rf cdk.out .pytest_cache
