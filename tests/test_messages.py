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


@pytest.mark.parametrize("construct, props, message", [
    ("training", dict(timeout=3600), r"timeout=3600 is an integer; it takes an aws_cdk.Duration, e.g. Duration.seconds\(3600\)"),
    ("training", dict(role="arn:aws:iam::123456789012:role/R"),
     r"role='arn:aws:iam::123456789012:role/R' is a string; it takes an aws_iam.IRole, e.g. iam.Role.from_role_arn"),
    ("training", dict(hyperparameters=[("epochs", 3)]),
     r"hyperparameters=\[\('epochs', 3\)\] is a list; it takes a mapping \(a dict\) of names to values, e.g. \{'epochs': 3\}"),
    ("endpoint", dict(instance_type=5), r"instance_type=5 is an integer; it takes a string, e.g. \"ml.m5.large\""),
    ("endpoint", dict(accept_eula="yes"), r"accept_eula='yes' is a string; it takes True or False"),
])
def test_a_prop_of_the_wrong_type_is_named_with_what_it_takes(make_stack, construct, props, message):
    """These used to end in tracebacks from inside the library ('int' object has no attribute 'to_seconds')."""
    stack = make_stack()
    with pytest.raises(JumpStartError, match=message):
        if construct == "training":
            JumpStartTrainingJob(stack, "T", model_id="pytorch-ic-mobilenet-v2", training_data="s3://b/t/", **props)
        else:
            JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2", **props)


def test_tokens_where_a_value_must_be_known_at_synth_say_so_and_which_props_take_tokens(make_stack):
    from aws_cdk import CfnParameter

    stack = make_stack()
    with pytest.raises(JumpStartError, match=r"instance_type is a token .* must be known at synth, because the image, "
                                             r"the artifacts and the environment are resolved for it then \(props that "
                                             r"take tokens: role, buckets"):
        JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2",
                          instance_type=CfnParameter(stack, "Type").value_as_string)
    with pytest.raises(JumpStartError, match=r"initial_instance_count is a token"):
        JumpStartEndpoint(stack, "C", model_id="pytorch-ic-mobilenet-v2",
                          initial_instance_count=CfnParameter(stack, "Count", type="Number").value_as_number)
    with pytest.raises(JumpStartError, match=r"hyperparameters 'epochs' are tokens"):
        JumpStartTrainingJob(stack, "T", model_id="pytorch-ic-mobilenet-v2", training_data="s3://b/t/",
                             hyperparameters={"epochs": CfnParameter(stack, "Epochs").value_as_string})


def test_a_wrong_type_in_an_own_app_is_a_synth_error_on_the_construct_not_a_traceback(make_stack):
    stack = make_stack(context={"jumpstart:errors": "annotate"})
    endpoint = JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2", instance_type=5)
    assert endpoint.failed
    Annotations.from_stack(stack).has_error("/TestStack/E", Match.string_like_regexp("instance_type=5 is an integer"))
