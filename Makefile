# Two entry points, each installing what it needs first:
#   make synth   install Python deps + CDK CLI, synthesize the example app (offline, no AWS account)
#   make test    install (also the SageMaker SDK the tests compare with), then run the whole test suite
VENV      ?= .venv
SDK_VENV  ?= .venv-sdk
PYTHON    ?= python3
PY        := $(VENV)/bin/python
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Nothing here may reach AWS: no instance-metadata lookups for credentials or region.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_VERSION_CHECK := true

.PHONY: install synth test clean

install: $(VENV)/.installed $(SDK_VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The SageMaker SDK v2 as the test oracle (tests/test_sdk_oracle.py), apart: it pins sagemaker-core 1.x.
$(SDK_VENV)/.installed: requirements-sdk.txt
	test -x $(SDK_VENV)/bin/python || $(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sdk.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: $(VENV)/.installed node_modules/.installed
	cdk synth --no-notices

test: install
	$(PY) -m pytest -n 2

clean:
	rm -rf cdk.out .pytest_cache
