"""Where an endpoint's instances run (#21 part 3, first steps): ``inference_ami_version=`` (the
variant's ``InferenceAmiVersion``, one of the service model's enum) and ``capacity_reservation=`` (an
ML capacity reservation or training plan ARN, ``CapacityReservationConfig`` with SageMaker's one
preference, ``capacity-reservations-only``), on one model, on each ``JumpStartVariant``, and on the
fleet of inference components; every request passes the conformance check (botocore's shapes)."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from constructs_jumpstart import JumpStartEndpoint, ValidationError
from constructs_jumpstart.hosting import JumpStartInferenceComponent, JumpStartVariant, ServerlessConfig

from . import conformance

PINNED = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
PLAN = "arn:aws:sagemaker:us-west-2:123456789012:training-plan/my-plan"
AMI = "al2-ami-sagemaker-inference-gpu-3-1"


def _variants(stack) -> list:
    template = Template.from_stack(stack).to_json()
    _, problems = conformance.check_template(template)
    assert problems == []
    [config] = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::EndpointConfig"]
    return config["Properties"]["ProductionVariants"]


def test_one_model_gets_the_ami_and_the_reservation(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Serve", **PINNED, inference_ami_version=AMI, capacity_reservation=PLAN)
    [variant] = _variants(stack)
    assert variant["InferenceAmiVersion"] == AMI
    assert variant["CapacityReservationConfig"] == {"CapacityReservationPreference": "capacity-reservations-only",
                                                    "MlReservationArn": PLAN}


def test_each_variant_and_the_component_fleet(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "AB", variants=[
        JumpStartVariant(**PINNED, variant_name="A", inference_ami_version=AMI),
        JumpStartVariant(**PINNED, variant_name="B", capacity_reservation=PLAN)])
    a, b = _variants(stack)
    assert a["InferenceAmiVersion"] == AMI and "CapacityReservationConfig" not in a
    assert b["CapacityReservationConfig"]["MlReservationArn"] == PLAN and "InferenceAmiVersion" not in b
    other = make_stack()
    JumpStartEndpoint(other, "Shared", instance_type="ml.m5.xlarge", capacity_reservation=PLAN,
                      inference_components=[JumpStartInferenceComponent(**PINNED, name="one")])
    [fleet] = _variants(other)
    assert fleet["CapacityReservationConfig"]["MlReservationArn"] == PLAN


def test_without_them_nothing_changes(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Serve", **PINNED)
    [variant] = _variants(stack)
    assert "InferenceAmiVersion" not in variant and "CapacityReservationConfig" not in variant


@pytest.mark.parametrize("kwargs, message", [
    (dict(inference_ami_version="al2-gpu"), r"inference_ami_version 'al2-gpu' is not one SageMaker offers.*"
                                            r"valid: al2-ami-sagemaker-inference-gpu-2, "),
    (dict(capacity_reservation="my-plan"), r"capacity_reservation 'my-plan' is not an ML capacity reservation ARN"),
    (dict(capacity_reservation=PLAN.replace("us-west-2", "us-east-1")), r"is in us-east-1; the endpoint is in us-west-2"),
    (dict(capacity_reservation=PLAN, serverless=ServerlessConfig()), r"capacity_reservation applies to instances; a "
                                                                     r"serverless endpoint has none"),
])
def test_bad_placement_is_a_synth_error(make_stack, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartEndpoint(make_stack(), "Serve", **PINNED, **kwargs)


def test_with_variants_they_are_set_per_variant(make_stack):
    with pytest.raises(ValidationError, match="set them on each JumpStartVariant"):
        JumpStartEndpoint(make_stack(), "AB", inference_ami_version=AMI,
                          variants=[JumpStartVariant(**PINNED, variant_name="A")])
    with pytest.raises(ValidationError, match="inference_ami_version 'x' is not one SageMaker offers"):
        JumpStartEndpoint(make_stack(), "AB2", variants=[JumpStartVariant(**PINNED, inference_ami_version="x")])


# -- the AMI a spec's deploy settings ask for (the SDK's deploy_kwargs["inference_ami_version"]) ------

SPEC_AMI = "al2-ami-sagemaker-inference-gpu-3-1"  # fixture-llm-optimized's deploy settings


def test_the_specs_ami_goes_on_the_variant_as_the_sdks_deploy_sets_it(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Llm", model_id="fixture-llm-optimized")
    [variant] = _variants(stack)
    assert variant["InferenceAmiVersion"] == SPEC_AMI
    yours = make_stack()
    JumpStartEndpoint(yours, "Llm", model_id="fixture-llm-optimized", inference_ami_version=AMI.replace("3-1", "2"))
    [variant] = _variants(yours)
    assert variant["InferenceAmiVersion"] == "al2-ami-sagemaker-inference-gpu-2"  # yours win
    fleet = make_stack()
    JumpStartEndpoint(fleet, "IC", instance_type="ml.g5.12xlarge",
                      inference_components=[JumpStartInferenceComponent(model_id="fixture-llm-optimized")])
    [variant] = _variants(fleet)
    assert variant["InferenceAmiVersion"] == SPEC_AMI
    other = make_stack()
    JumpStartEndpoint(other, "Llm", model_id="fixture-llm-families")
    [variant] = _variants(other)
    assert "InferenceAmiVersion" not in variant


def test_a_lockfile_entry_written_before_the_field_existed_still_reads():
    from constructs_jumpstart.types import ResolvedModel, schema_problems

    entry = ResolvedModel(model_id="m", requested_version="*", version="1.0.0", region="us-west-2", scope="inference",
                          instance_type="ml.g5.2xlarge", image_uri="i", model_data=None,
                          spec_digest="sha256:" + "0" * 64).to_dict()
    assert entry["inference_ami_version"] is None
    older = {k: v for k, v in entry.items() if k != "inference_ami_version"}
    assert schema_problems(older) == [] and ResolvedModel.from_dict(older).inference_ami_version is None
    assert schema_problems({**entry, "inference_ami_version": 3}) == [
        "field 'inference_ami_version' must be a string or null, not a number"]
