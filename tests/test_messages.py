"""Messages that say what is really wrong (each of these used to mislead)."""

from __future__ import annotations

import json
import shutil

import pytest
from aws_cdk import Duration
from aws_cdk.assertions import Annotations, Match

from constructs_jumpstart import JumpStartEndpoint, JumpStartError, JumpStartTrainingJob, UnsupportedInstanceTypeError
from constructs_jumpstart.errors import MetadataError
from constructs_jumpstart.resolver import resolve

from .conftest import CATALOG


def test_an_empty_model_id_is_called_empty_not_missing(make_stack):
    with pytest.raises(JumpStartError, match=r"model_id is an empty string: pass a JumpStart model id"):
        JumpStartEndpoint(make_stack(), "E", model_id="")


def test_an_instance_type_typo_gets_a_did_you_mean(make_stack):
    with pytest.raises(UnsupportedInstanceTypeError, match=r"'ml.m5.larg' is not supported .* Did you mean: 'ml.m5.large'"):
        JumpStartEndpoint(make_stack(), "E", model_id="pytorch-ic-mobilenet-v2", instance_type="ml.m5.larg")


def test_an_instance_type_without_its_ml_prefix_gets_a_did_you_mean(make_stack):
    with pytest.raises(UnsupportedInstanceTypeError, match=r"'m5.large' is not supported .* Did you mean: 'ml.m5.large'"):
        JumpStartEndpoint(make_stack(), "E", model_id="pytorch-ic-mobilenet-v2", instance_type="m5.large")


def test_a_spec_without_an_image_says_so(tmp_path):
    root = tmp_path / "meta"
    shutil.copytree(CATALOG, root)
    path = root / "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"
    spec = json.loads(path.read_text())
    for key in ("hosting_ecr_specs", "hosting_instance_type_variants"):
        spec.pop(key, None)
    path.write_text(json.dumps(spec))
    with pytest.raises(MetadataError, match=r"lists ml.m5.large for inference but gives no container image for it"):
        resolve("pytorch-ic-mobilenet-v2", "3.0.25", region="us-west-2", instance_type="ml.m5.large", source=str(root))


def test_a_tolerated_deprecation_names_its_message(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", model_id="fixture-ic-deprecated", tolerate_deprecated=True)
    Annotations.from_stack(stack).has_warning(
        "/TestStack/E/Model", Match.string_like_regexp(r"deprecated \(tolerated\): fixture-ic-deprecated is deprecated and will be removed"))


def test_a_capped_spec_max_run_warns(make_stack):
    stack = make_stack()
    JumpStartTrainingJob(stack, "T", model_id="fixture-llm-finetune", training_data="s3://d/", accept_eula=True,
                         timeout=Duration.hours(12))
    Annotations.from_stack(stack).has_warning(
        "/TestStack/T", Match.string_like_regexp(r"the spec's max_run of 360000 s .* is capped at the timeout of 12 hours"))
