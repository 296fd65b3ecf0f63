"""The CLI's read-only answers from the spec JSON alone (no SDK import) against the SDK path: the same answer,
or the same error, for every shipped model and version, with concrete, wildcard and unknown versions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from constructs_jumpstart import JumpStartError, catalog, resolver
from constructs_jumpstart.resolver import local_spec, resolve

from .conftest import CATALOG, REGION, ROOT

MANIFEST = json.loads((CATALOG / "models_manifest.json").read_text())
MODELS = sorted({h["model_id"] for h in MANIFEST})


def _requests(model_id: str):
    """Every version of the model, its latest, a wildcard of each major, and versions it does not have."""
    versions = sorted({h["version"] for h in MANIFEST if h["model_id"] == model_id})
    majors = sorted({v.split(".")[0] + ".*" for v in versions})
    return ["*", *versions, *majors, "9.9.9", "9.*", "not a version"]


def _outcome(call):
    try:
        return "ok", call()
    except JumpStartError as error:
        return type(error).__name__, str(error)


def _sdk_hyperparameters(model_id: str, version: str):
    """What catalog.hyperparameters answered before the fast path: through resolve(), i.e. the SDK."""
    m = resolve(model_id, version, region=REGION, scope="training", source="shipped")
    return [{"name": h.name, "default": h.default, "type": h.type, "min": h.min, "max": h.max,
             "options": list(h.options) if h.options else None, "scope": h.scope}
            for h in m.hyperparameters if h.scope == "algorithm"]


@pytest.mark.parametrize("model_id", MODELS + ["fixture-llm-gatd"])
def test_hyperparameters_from_the_spec_are_the_sdks(model_id):
    for version in _requests(model_id):
        answered = _outcome(lambda: resolver.local_hyperparameters(model_id, version, region=REGION, source="shipped"))
        assert answered != ("ok", None)  # answered (or refused) from the spec, not handed to the SDK
        fast = _outcome(lambda: catalog.hyperparameters(model_id, version, region=REGION, source="shipped"))
        assert fast == _outcome(lambda: _sdk_hyperparameters(model_id, version)), (model_id, version)


@pytest.mark.parametrize("model_id", MODELS)
def test_the_version_chosen_from_the_spec_is_the_sdks(model_id):
    for scope in ("inference", "training"):
        for version in _requests(model_id):
            fast = _outcome(lambda: local_spec(model_id, version, region=REGION, scope=scope, source="shipped")[0])
            sdk = _outcome(lambda: resolve(model_id, version, region=REGION, scope=scope, source="shipped").version)
            assert fast == sdk, (model_id, version, scope)


def test_the_fast_path_leaves_the_live_catalog_and_unknown_regions_to_the_sdk():
    assert local_spec("pytorch-ic-mobilenet-v2", region=REGION, source="live") is None
    assert local_spec("pytorch-ic-mobilenet-v2", region="xx-nowhere-1", source="shipped") is None


def test_the_sdk_version_that_filters_manifest_entries_is_the_sdks():
    from sagemaker.core.jumpstart import utils

    assert utils.get_sagemaker_version() == resolver.SDK_SAGEMAKER_VERSION


def test_hyperparameters_on_shipped_data_import_no_sdk():
    code = ("import sys\nfrom constructs_jumpstart.cli import app\n"
            "try:\n    app(['hyperparameters', 'pytorch-ic-mobilenet-v2', '--source', 'shipped', '--json'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sagemaker', 'boto3', 'botocore', 'aws_cdk'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
