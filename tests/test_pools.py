"""Instance pools (#21 part 3): ``instance_pools=`` renders ``InstancePools`` in place of
``InstanceType`` (SageMaker Developer Guide, "Deploy to multiple instance types with instance
pools"), each pool resolved for its own instance type; a pool whose resolution serves another
container (image, artifact, environment) gets a model of its own through ``ModelNameOverride``, pools
that agree share one. Every request passes the conformance check and cfn-lint."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Duration
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint_file

from constructs_jumpstart import JumpStartEndpoint, ValidationError
from constructs_jumpstart import _api_rules
from constructs_jumpstart.hosting import (InstancePool, JumpStartInferenceComponent, JumpStartVariant,
                                          ServerlessConfig)

from . import conformance

GATED = dict(model_id="fixture-llm-gated", accept_eula=True, config_name="tgi")  # SM_NUM_GPUS 4 on g5, 8 on p4d
MOBILENET = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")


def _synth(stack):
    template = Template.from_stack(stack).to_json()
    assert conformance.check_template(template)[1] == []
    [config] = [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::EndpointConfig"]
    models = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::SageMaker::Model"}
    return template, config["Properties"], models


def test_each_pool_is_resolved_for_its_own_type(make_stack, tmp_path):
    stack = make_stack()
    JumpStartEndpoint(stack, "Llm", **GATED, provision_timeout=Duration.minutes(20),
                      instance_pools=["ml.g5.12xlarge", ("ml.p4d.24xlarge", 2), InstancePool("ml.g5.48xlarge", 3)])
    template, config, models = _synth(stack)
    [variant] = config["ProductionVariants"]
    assert "InstanceType" not in variant and variant["VariantInstanceProvisionTimeoutInSeconds"] == 1200
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}  # types serve unevenly
    first, p4d, g5_48 = variant["InstancePools"]
    assert first == {"InstanceType": "ml.g5.12xlarge", "Priority": 1}  # the variant's own model
    model_of = {k: m["Properties"]["PrimaryContainer"]["Environment"]["SM_NUM_GPUS"] for k, m in models.items()}
    [variant_model] = [k for k in models if variant["ModelName"] == {"Fn::GetAtt": [k, "ModelName"]}]
    assert model_of[variant_model] == "4"
    # p4d and g5.48xlarge resolve to 8 GPUs: one model of their own, shared
    assert p4d["ModelNameOverride"] == g5_48["ModelNameOverride"]
    [override] = [k for k in models if p4d["ModelNameOverride"] == {"Fn::GetAtt": [k, "ModelName"]}]
    assert model_of[override] == "8" and len(models) == 2
    assert (p4d["Priority"], g5_48["Priority"]) == (2, 3)
    path = tmp_path / "pools.template.json"
    path.write_text(json.dumps(template))
    assert [m.rule.id for m in lint_file(path, ManualArgs(regions=["us-west-2"])) if m.rule.id.startswith("E")] == []


def test_pools_that_resolve_alike_share_the_variants_model(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Classifier", **MOBILENET, instance_pools=["ml.m5.large", "ml.c5.xlarge"])
    _, config, models = _synth(stack)
    [variant] = config["ProductionVariants"]
    assert variant["InstancePools"] == [{"InstanceType": "ml.m5.large", "Priority": 1},
                                        {"InstanceType": "ml.c5.xlarge", "Priority": 2}]
    assert len(models) == 1 and "VariantInstanceProvisionTimeoutInSeconds" not in variant


def test_a_pool_with_local_storage_drops_the_volume_key_and_size(make_stack):
    """KmsKeyId and VolumeSizeInGB are refused for instance types with local NVMe storage (the SDK's
    rule, recorded in each resolution): with such a type among the pools, neither is set."""
    stack = make_stack()
    JumpStartEndpoint(stack, "Llm", model_id="fixture-llm-families", instance_pools=["ml.m5.xlarge", "ml.g5.2xlarge"])
    _, config, _ = _synth(stack)
    assert "KmsKeyId" not in config and "VolumeSizeInGB" not in config["ProductionVariants"][0]
    ebs_only = make_stack()
    JumpStartEndpoint(ebs_only, "Llm", model_id="fixture-llm-families", instance_pools=["ml.m5.xlarge", "ml.inf2.xlarge"])
    _, config, _ = _synth(ebs_only)
    assert "KmsKeyId" in config


def test_pools_per_variant(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "AB", variants=[
        JumpStartVariant(**MOBILENET, variant_name="A", instance_pools=["ml.m5.large", "ml.m5.xlarge"],
                         provision_timeout=Duration.minutes(5)),
        JumpStartVariant(**MOBILENET, variant_name="B", instance_type="ml.c5.xlarge")])
    _, config, _ = _synth(stack)
    a, b = config["ProductionVariants"]
    assert [p["InstanceType"] for p in a["InstancePools"]] == ["ml.m5.large", "ml.m5.xlarge"]
    assert a["VariantInstanceProvisionTimeoutInSeconds"] == 300
    assert b["InstanceType"] == "ml.c5.xlarge" and "InstancePools" not in b


def test_the_generated_name_follows_the_pools(make_stack):
    """An auto-scaled endpoint's name ends in a hash of its instance types: a pool's too."""
    names = []
    for pools in (["ml.m5.large", "ml.c5.xlarge"], ["ml.m5.large", "ml.c5.2xlarge"]):
        stack = make_stack()
        JumpStartEndpoint(stack, "Classifier", **MOBILENET, instance_pools=pools).auto_scale(1, 2)
        [endpoint] = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
        names.append(endpoint["Properties"]["EndpointName"])
    assert names[0] != names[1]


@pytest.mark.parametrize("kwargs, message", [
    (dict(instance_pools=[f"ml.m5.{s}" for s in ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")]),
     r"instance_pools must list 1 to 5 instance types"),
    (dict(instance_pools=[]), r"instance_pools must list 1 to 5 instance types"),
    (dict(instance_pools=["ml.m5.large", "ml.m5.large"]), r"instance_pools lists ml\.m5\.large twice"),
    (dict(instance_pools=[("ml.m5.large", 1), ("ml.c5.xlarge", 1)]),
     r"instance_pools gives priority 1 twice \(ml\.m5\.large, ml\.c5\.xlarge\)"),
    (dict(instance_pools=[("ml.m5.large", 6)]), r"priority must be an integer from 1 \(highest\) to 5; got 6"),
    (dict(instance_pools=["ml.m5.large", 42]), r"instance_pools\[1\] must be an instance type"),
    (dict(instance_pools=["ml.x9.large"]), r"ml\.x9\.large"),
    (dict(instance_pools=["ml.m5.large"], instance_type="ml.m5.large"),
     r"instance_type and instance_pools both name the instance types"),
    (dict(instance_pools=["ml.m5.large"], provision_timeout=Duration.minutes(2)),
     r"provision_timeout must be 300 to 3600 seconds \(VariantInstanceProvisionTimeoutInSeconds\); got 120"),
    (dict(instance_pools=["ml.m5.large"], serverless=ServerlessConfig()),
     r"instance_pools apply to instances; a serverless endpoint has none"),
])
def test_bad_pools_are_synth_errors(make_stack, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartEndpoint(make_stack(), "Classifier", **MOBILENET, **kwargs)


def test_pools_on_the_endpoint_with_variants_or_components_are_refused(make_stack):
    with pytest.raises(ValidationError, match=r"instance_pools apply to each production variant: set them on each"):
        JumpStartEndpoint(make_stack(), "AB", instance_pools=["ml.m5.large"],
                          variants=[JumpStartVariant(**MOBILENET, variant_name="A")])
    with pytest.raises(ValidationError, match=r"instance_type and instance_pools both name the instance types"):
        JumpStartEndpoint(make_stack(), "IC", instance_pools=["ml.m5.large"], instance_type="ml.m5.large",
                          inference_components=[JumpStartInferenceComponent(**MOBILENET)])
    with pytest.raises(ValidationError, match=r"variant 'A' instance_type and instance_pools both"):
        JumpStartEndpoint(make_stack(), "AB2", variants=[
            JumpStartVariant(**MOBILENET, variant_name="A", instance_type="ml.m5.large", instance_pools=["ml.m5.large"])])


@pytest.mark.parametrize("variant, found", [
    ({"VariantName": "v", "ModelName": "m", "InstancePools": [{"InstanceType": "ml.m5.large", "Priority": 1}]}, []),
    ({"VariantName": "v", "ModelName": "m", "InstanceType": "ml.m5.large",
      "InstancePools": [{"InstanceType": "ml.m5.large", "Priority": 1}]}, ["has InstanceType and InstancePools"]),
    ({"VariantName": "v", "ModelName": "m", "InstancePools": [
        {"InstanceType": "ml.m5.large", "Priority": 1, "ModelNameOverride": "other"}]}, ["overrides the model with 'other'"]),
])
def test_the_conformance_rules_of_pools(variant, found):
    requests = [("CreateModel", {"ModelName": "m"}, "S/Model"),
                ("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [variant]}, "S/Config")]
    problems = _api_rules.request_problems(requests, lambda t: True, lambda t: True)
    assert len(problems) == len(found)
    for problem, text in zip(problems, found):
        assert problem.startswith("S/Config: ") and text in problem


def test_a_pool_type_the_model_does_not_support_is_a_synth_error(make_stack):
    from constructs_jumpstart import UnsupportedInstanceTypeError

    with pytest.raises(UnsupportedInstanceTypeError, match=r"Instance type 'ml\.p4d\.24xlarge' is not supported for "
                                                          r"inference .* Supported instance types: ml\.m5\.large"):
        JumpStartEndpoint(make_stack(), "Classifier", **MOBILENET, instance_pools=["ml.m5.large", "ml.p4d.24xlarge"])


def test_components_on_pools_get_a_specification_per_type_where_the_types_differ(make_stack, tmp_path):
    """The fleet's variant takes the pools; each component is resolved for every pool type: one
    ``Specification`` where all types are served alike, else ``Specifications`` with an
    ``InstanceType`` each (the Developer Guide: "Each specification includes an InstanceType field that
    maps it to an instance type in the endpoint's instance pools")."""
    stack = make_stack()
    JumpStartEndpoint(stack, "IC", instance_pools=["ml.g5.12xlarge", "ml.p4d.24xlarge"],
                      provision_timeout=Duration.minutes(10), inference_components=[
                          JumpStartInferenceComponent(**GATED, name="big"),
                          JumpStartInferenceComponent(model_id="fixture-llm-optimized", config_name="lmi", name="small")])
    template, config, models = _synth(stack)
    [fleet] = config["ProductionVariants"]
    assert "InstanceType" not in fleet and [p["InstanceType"] for p in fleet["InstancePools"]] == [
        "ml.g5.12xlarge", "ml.p4d.24xlarge"]
    assert fleet["VariantInstanceProvisionTimeoutInSeconds"] == 600
    components = {k: r["Properties"] for k, r in template["Resources"].items()
                  if r["Type"] == "AWS::SageMaker::InferenceComponent"}
    [big] = [c for k, c in components.items() if "big" in k]
    [small] = [c for k, c in components.items() if "small" in k]
    assert "Specification" not in big and [s["InstanceType"] for s in big["Specifications"]] == [
        "ml.g5.12xlarge", "ml.p4d.24xlarge"]
    gpus = {k: m["Properties"]["PrimaryContainer"]["Environment"].get("SM_NUM_GPUS") for k, m in models.items()}
    assert [gpus[s["ModelName"]["Fn::GetAtt"][0]] for s in big["Specifications"]] == ["4", "8"]
    assert "Specifications" not in small and "InstanceType" not in small["Specification"]  # served alike
    path = tmp_path / "ic-pools.template.json"
    path.write_text(json.dumps(template))
    assert [m.rule.id for m in lint_file(path, ManualArgs(regions=["us-west-2"])) if m.rule.id.startswith("E")] == []


@pytest.mark.parametrize("params, found", [
    ({"Specification": {"ModelName": "m"}}, []),
    ({"Specifications": [{"InstanceType": "ml.g5.12xlarge", "ModelName": "m"},
                         {"InstanceType": "ml.p4d.24xlarge", "ModelName": "m"}]}, []),
    ({"Specification": {"ModelName": "m"}, "Specifications": [{"InstanceType": "ml.g5.12xlarge", "ModelName": "m"}]},
     ["has Specification and Specifications"]),
    ({"Specifications": [{"InstanceType": "ml.g5.12xlarge", "ModelName": "m"}, {"ModelName": "m"}]},
     ["specification 1 names no InstanceType"]),
])
def test_the_conformance_rules_of_specifications(params, found):
    requests = [("CreateInferenceComponent", {"InferenceComponentName": "c", "EndpointName": "e", **params}, "S/IC")]
    problems = _api_rules.request_problems(requests, lambda t: True, lambda t: True)
    assert len(problems) == len(found)
    for problem, text in zip(problems, found):
        assert problem.startswith("S/IC: ") and text in problem


def test_what_only_the_resolutions_tell(make_stack):
    """#21 review: one AMI over pools of several accelerator kinds is refused; pools mixing EBS and
    local storage are a warning; a base of adapters whose pool types are served differently is refused
    (adapter components only on a singular Specification, the CloudFormation schema); on pools the
    variant waits as long as its slowest pool type's resolution asks."""
    from aws_cdk.assertions import Annotations, Match

    from constructs_jumpstart.hosting import AdapterServing

    with pytest.raises(ValidationError, match=r"instance_pools mix gpu and neuron instance types, but one "
                                              r"InferenceAmiVersion \(al2-ami-sagemaker-inference-gpu-3-1\)"):
        JumpStartEndpoint(make_stack(), "Llm", model_id="fixture-llm-families",
                          inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1",
                          instance_pools=["ml.g5.2xlarge", "ml.inf2.xlarge"])
    stack = make_stack()
    JumpStartEndpoint(stack, "Llm", model_id="fixture-llm-families", instance_pools=["ml.m5.xlarge", "ml.g5.2xlarge"])
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("mix instance types with an EBS"))
    assert len(warnings) == 1 and "ml.g5.2xlarge" in json.dumps(warnings[0].entry.data)
    with pytest.raises(ValidationError, match=r"inference component 'big' serves adapters, but its pool types are "
                                              r"served differently"):
        JumpStartEndpoint(make_stack(), "IC", instance_pools=["ml.g5.12xlarge", "ml.p4d.24xlarge"],
                          inference_components=[JumpStartInferenceComponent(
                              model_id="fixture-llm-gated", config_name="lmi-optimized", accept_eula=True, name="big",
                              adapters=AdapterServing())])


def test_longest_takes_the_largest_given():
    from constructs_jumpstart.hosting.pools import accelerator_kind, longest

    assert longest([None, 600, 1200]) == 1200 and longest([None]) is None
    assert [accelerator_kind(t) for t in ("ml.g5.2xlarge", "ml.p5.48xlarge", "ml.inf2.xlarge", "ml.trn1.2xlarge",
                                          "ml.m5.large")] == ["gpu", "gpu", "neuron", "neuron", "cpu"]
