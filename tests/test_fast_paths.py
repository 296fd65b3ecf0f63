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


@pytest.mark.parametrize("command", [
    "hyperparameters pytorch-ic-mobilenet-v2", "describe pytorch-ic-mobilenet-v2",
    "describe pytorch-ic-mobilenet-v2 --scope training -i ml.c5.2xlarge", "models", "frameworks", "tasks",
    "outdated", "audit"])
def test_read_only_commands_on_shipped_data_import_no_sdk(command):
    """No SageMaker SDK, boto3 or CDK in the process (each costs a second or more of a 0.3 s command)."""
    code = ("import sys\nfrom constructs_jumpstart.cli import app\n"
            f"try:\n    app({command.split() + ['--source', 'shipped', '--json']!r})\n"
            "except SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sagemaker', 'boto3', 'botocore', 'aws_cdk'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _instance_requests(model_id: str, scope: str):
    """The default, every supported instance type of every version in the scope, and one no spec lists."""
    types = {None, "ml.nope.xlarge"}
    for h in MANIFEST:
        if h["model_id"] == model_id:
            spec = json.loads((CATALOG / h["spec_key"]).read_text())
            types |= set(spec.get(f"supported_{scope}_instance_types") or [])
    return sorted(types, key=str)


@pytest.mark.parametrize("scope", ["inference", "training"])
@pytest.mark.parametrize("model_id", MODELS + ["fixture-llm-gatd"])
def test_describe_from_the_spec_is_the_sdks(model_id, scope, monkeypatch):
    """Every shipped model, version request and instance type, in both scopes: catalog.describe (the spec's
    fields where the fast path answers) equals the SDK path's answer, or fails with the same error."""
    for version in _requests(model_id):
        for instance_type in _instance_requests(model_id, scope):
            kwargs = dict(scope=scope, instance_type=instance_type, region=REGION, source="shipped")
            fast = _outcome(lambda: catalog.describe(model_id, version, **kwargs))
            with monkeypatch.context() as sdk_only:
                sdk_only.setattr(resolver, "local_describe", lambda *a, **k: None)
                # as in a fresh process (one describe each): the SDK's get_instance_specific_environment_variables
                # writes an instance type's variables into its cached spec's family entry, so a later answer for
                # another type of that family would carry them (SM_NUM_GPUS 8 for ml.g5.12xlarge after ml.g5.48xlarge)
                resolver.forget_metadata()
                sdk = _outcome(lambda: catalog.describe(model_id, version, **kwargs))
            assert fast == sdk, (model_id, version, scope, instance_type)


def test_describe_answers_from_the_spec_where_it_is_enough():
    """Which shipped models the spec alone answers (else the SDK does): not the gated model's training
    environment, inference configs, nor model packages."""
    def where(model_id: str, scope: str) -> str:
        kind, answer = _outcome(lambda: resolver.local_describe(model_id, region=REGION, scope=scope, source="shipped"))
        return kind if kind != "ok" else ("spec" if answer else "SDK")

    assert {(m, s): where(m, s) for m in MODELS for s in ("inference", "training")
            if where(m, s) != "UnsupportedScopeError"} == {
        ("fixture-ic-deprecated", "inference"): "spec", ("fixture-ic-vulnerable", "inference"): "spec",
        ("fixture-llm-families", "inference"): "spec", ("fixture-llm-families", "training"): "spec",
        ("fixture-llm-finetune", "inference"): "spec", ("fixture-llm-finetune", "training"): "SDK",
        ("fixture-llm-gated", "inference"): "SDK", ("fixture-model-package", "inference"): "SDK",
        ("fixture-llm-optimized", "inference"): "SDK", ("fixture-tf-script-mode", "inference"): "spec",
        ("pytorch-ic-mobilenet-v2", "inference"): "spec", ("pytorch-ic-mobilenet-v2", "training"): "spec",
    }
