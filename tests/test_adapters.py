"""LoRA adapters as inference components (#21 part 2): a base component that declares
``adapters=AdapterServing(...)`` gets its container's LoRA settings and a fixed name, and each
``add_adapter`` is an ``AWS::SageMaker::InferenceComponent`` of its own that names that base and a
``.tar.gz`` (``BaseInferenceComponentName`` + ``Container.ArtifactUrl``, no compute of its own), as the
service model documents; every request passes the conformance check and cfn-lint."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint_file

from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob, ModelSource, ValidationError
from constructs_jumpstart import _api_rules
from constructs_jumpstart.hosting import AdapterServing, JumpStartInferenceComponent

from . import conformance
from .conftest import role_statements

LLM = "fixture-llm-optimized"  # its default config (lmi-optimized) runs on the LMI container
ADAPTER = "s3://my-bucket/adapters/support/adapter.tar.gz"
NAME = re.compile(r"[a-z0-9]([\-a-z0-9]*[a-z0-9])?")  # the service's pattern, lower case as in its ARNs


def _endpoint(stack, serving=AdapterServing(max_loaded=4, max_rank=64), **component):
    return JumpStartEndpoint(stack, "Llm", instance_type="ml.g5.12xlarge", inference_components=[
        JumpStartInferenceComponent(model_id=LLM, name="base", adapters=serving, **component)])


def _resources(template, kind):
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_a_base_and_two_adapters(make_stack):
    stack = make_stack()
    ep = _endpoint(stack, environment={"OPTION_MAX_LORA_RANK": "128"})
    bucket = s3.Bucket(stack, "Adapters")
    support = ep.add_adapter("support-bot", ADAPTER)
    legal = ep.add_adapter("legal", ModelSource.from_bucket(bucket, "legal/adapter.tar.gz"))
    assertions = Template.from_stack(stack)
    template = assertions.to_json()
    assert conformance.check_template(template)[1] == []

    components = _resources(template, "AWS::SageMaker::InferenceComponent")
    [(base_id, base)] = [(k, c) for k, c in components.items() if "ModelName" in c["Properties"]["Specification"]]
    assert base_id.startswith("LlmAdapterBasebase")  # a new resource beside an unnamed component, not a rename
    # each adapter's logical id names its base: a new base (another name) replaces its adapters too
    assert all(k.startswith("LlmAdapterbase") for k in components if k != base_id)
    base_name = base["Properties"]["InferenceComponentName"]
    assert NAME.fullmatch(base_name)
    adapters = {k: c for k, c in components.items() if k != base_id}
    assert len(adapters) == 2
    for handle, url in ((support, ADAPTER), (legal, None)):
        [adapter] = [c for c in adapters.values() if c["Properties"]["InferenceComponentName"] == handle.component_name]
        props = adapter["Properties"]
        assert NAME.fullmatch(props["InferenceComponentName"])
        assert props["Specification"]["BaseInferenceComponentName"] == base_name
        assert set(props["Specification"]) == {"BaseInferenceComponentName", "Container"}  # the base's compute
        assert "RuntimeConfig" not in props and "VariantName" not in props
        assert adapter["DependsOn"] == [base_id]
        if url:
            assert props["Specification"]["Container"] == {"ArtifactUrl": url}
        assert {"Key": "sagemaker-sdk:jumpstart-model-id", "Value": LLM} in props["Tags"]

    [model] = _resources(template, "AWS::SageMaker::Model").values()
    env = model["Properties"]["PrimaryContainer"]["Environment"]
    assert env["OPTION_ENABLE_LORA"] == "true" and env["OPTION_MAX_LORAS"] == "4"
    assert env["OPTION_MAX_LORA_RANK"] == "128"  # yours win
    assert "OPTION_MAX_CPU_LORAS" not in env  # left to the container's default
    # the roles read exactly the adapters' objects
    reads = [s for s in role_statements(assertions) if s["Action"] == "s3:GetObject"]
    assert any("my-bucket/adapters/support/adapter.tar.gz" in json.dumps(s["Resource"]) for s in reads)
    assert any("legal/adapter.tar.gz" in json.dumps(s["Resource"]) for s in reads)


def test_the_template_passes_cfn_lint(make_stack, tmp_path):
    stack = make_stack()
    _endpoint(stack).add_adapter("support-bot", ADAPTER)
    path = tmp_path / "adapters.template.json"
    path.write_text(json.dumps(Template.from_stack(stack).to_json()))
    errors = [f"{m.rule.id} {m.message}" for m in lint_file(path, ManualArgs(regions=["us-west-2"]))
              if m.rule.id.startswith("E")]
    assert errors == []


def test_the_base_names_itself_and_scaling_and_metrics_use_that_name(make_stack):
    stack = make_stack()
    ep = _endpoint(stack)
    ep.components[0].auto_scale(1, 2)
    template = Template.from_stack(stack).to_json()
    [base] = _resources(template, "AWS::SageMaker::InferenceComponent").values()
    [target] = _resources(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    name = base["Properties"]["InferenceComponentName"]
    assert target["Properties"]["ResourceId"] == f"inference-component/{name}"
    assert stack.resolve(ep.components[0].metric_invocations().dimensions)["InferenceComponentName"] == name


ECR = "763104351884.dkr.ecr.us-west-2.amazonaws.com/"


def test_the_containers_that_load_adapters():
    from constructs_jumpstart.hosting.adapters import container_of, serving_environment, serving_problems

    vllm, _ = container_of(ECR + "vllm:0.11.2-sagemaker-v1.2")
    assert vllm is not None and vllm.version == (0, 11, 2)
    assert serving_environment(vllm, AdapterServing(max_loaded=2, max_cached=8)) == {
        "SM_VLLM_ENABLE_LORA": "true", "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True", "SM_VLLM_MAX_LORAS": "2",
        "SM_VLLM_MAX_CPU_LORAS": "8"}
    lmi, _ = container_of(ECR + "djl-inference:0.34.0-lmi16.0.0-cu128")
    assert lmi is not None and lmi.version == (16,)
    for refused, why in ((ECR + "djl-inference:0.29.0-tensorrtllm0.11.0-cu124", "documents no run-time"),
                         (ECR + "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04",
                          "documents no run-time"),
                         (ECR + "vllm:0.10.0-sagemaker-v1.0", "from 0.11.2-sagemaker on"),
                         (ECR + "vllm:0.11.2-gpu-py312-ec2", "from 0.11.2-sagemaker on"),
                         (None, "documents no run-time")):
        container, reason = container_of(refused)
        assert container is None and why in reason
    lmi13, _ = container_of(ECR + "djl-inference:0.31.0-lmi13.0.0-cu124")
    assert lmi13 is not None
    assert serving_problems(lmi13, AdapterServing(), {"OPTION_ROLLING_BATCH": "lmi-dist"}) == []
    assert serving_problems(lmi, AdapterServing(), {"OPTION_ROLLING_BATCH": "disable", "OPTION_ASYNC_MODE": "true"}) == []
    for env, text in (({"OPTION_ROLLING_BATCH": "trtllm"}, "OPTION_ROLLING_BATCH=trtllm on LMI 13 serves no adapters"),
                      ({"OPTION_ASYNC_MODE": "true"}, "serves several adapters from LMI 16 on, not LMI 13"),
                      ({"OPTION_ENABLE_LORA": "false"}, "sets OPTION_ENABLE_LORA='false', which turns off")):
        assert any(text in p for p in serving_problems(lmi13, AdapterServing(), env)), env
    assert any("lmi-dist" in p for p in serving_problems(lmi, AdapterServing(), {"OPTION_ROLLING_BATCH": "lmi-dist"}))
    # LMI loads 4 adapters at once by default (DJL: max_loras "Default: 4"): 2 cached is too few
    [few] = serving_problems(lmi, AdapterServing(max_cached=2), {})
    assert "max_cached (2) is below the adapters loaded at once (4, the LMI container's default)" in few


def test_a_fine_tuned_adapter_from_a_job(make_stack):
    stack = make_stack()
    job = JumpStartTrainingJob(stack, "Tune", model_id="fixture-llm-families", model_version="1.0.0",
                               training_data="s3://my-bucket/train/")
    _endpoint(stack).add_adapter("tuned", job.model_data)
    template = Template.from_stack(stack).to_json()
    assert conformance.check_template(template)[1] == []
    [adapter] = [c for c in _resources(template, "AWS::SageMaker::InferenceComponent").values()
                 if "BaseInferenceComponentName" in c["Properties"]["Specification"]]
    assert "Fn::GetAtt" in json.dumps(adapter["Properties"]["Specification"]["Container"]["ArtifactUrl"])


@pytest.mark.parametrize("build, message", [
    (lambda s: _endpoint(s, config_name="tgi"),
     r"inference component 'base' cannot serve adapters: 'fixture-llm-optimized' 1\.0\.0 \(config tgi\) runs on "
     r".*huggingface-pytorch-tgi-inference.*choose a config_name"),
    (lambda s: _endpoint(s, serving=AdapterServing(max_loaded=0, max_rank=True)),
     r"(?s)adapters max_loaded must be a positive integer; got 0.*max_rank must be a positive integer; got True"),
    (lambda s: _endpoint(s, serving=AdapterServing(max_loaded=4, max_cached=2)),
     r"inference component 'base': adapters max_cached \(2\) is below the adapters loaded at once \(4, max_loaded\)"),
    (lambda s: _endpoint(s, environment={"OPTION_ENABLE_LORA": "false"}),
     r"inference component 'base': your environment sets OPTION_ENABLE_LORA='false', which turns off the adapters"),
    (lambda s: JumpStartEndpoint(s, "One", model_id=LLM).add_adapter("a", ADAPTER),
     r"add_adapter needs an endpoint of inference components"),
    (lambda s: JumpStartEndpoint(s, "Plain", instance_type="ml.g5.12xlarge", inference_components=[
        JumpStartInferenceComponent(model_id=LLM, name="base")]).add_adapter("a", ADAPTER),
     r"base must name the component the adapter goes on \(base\): none serves adapters; declare "
     r"adapters=AdapterServing\(\) on one\."),
    (lambda s: JumpStartEndpoint(s, "Two", instance_type="ml.g5.12xlarge", inference_components=[
        JumpStartInferenceComponent(model_id=LLM, name="a", adapters=AdapterServing()),
        JumpStartInferenceComponent(model_id=LLM, name="b")]).add_adapter("x", ADAPTER, base="b"),
     r"component 'b' does not serve adapters: declare adapters=AdapterServing\(\)"),
    (lambda s: _endpoint(s).add_adapter("x", ADAPTER, base=3),
     r"base must be the name or index of one of the components \(base\); got 3\."),
    (lambda s: _endpoint(s).add_adapter("support_bot", ADAPTER),
     r"adapter name must be 1 to 42 letters, digits and hyphens.*got 'support_bot'"),
    (lambda s: _endpoint(s).add_adapter("x", "s3://my-bucket/adapters/support/"),
     r"adapter 's3://my-bucket/adapters/support/' is not an S3 object ending in \.tar\.gz "
     r"\(InferenceComponentContainerSpecification\.ArtifactUrl: \"This path must point to a single gzip"),
    (lambda s: _endpoint(s).add_adapter("x", "s3://my-bucket/adapter.safetensors"),
     r"is not an S3 object ending in \.tar\.gz"),
    (lambda s: _endpoint(s).add_adapter("x", JumpStartTrainingJob(
        s, "Tune", model_id="fixture-llm-finetune", accept_eula=True, training_data="s3://my-bucket/train/").model_data),
     r"adapter is a training job's uncompressed output \(an S3 prefix\)"),
])
def test_bad_adapters_are_synth_errors(make_stack, build, message):
    with pytest.raises(ValidationError, match=message):
        build(make_stack())


def test_the_same_name_twice_is_refused(make_stack):
    ep = _endpoint(make_stack())
    ep.add_adapter("support-bot", ADAPTER)
    with pytest.raises(ValidationError, match=r"adapter 'support-bot' is already on this endpoint"):
        ep.add_adapter("support-bot", ADAPTER)


def test_an_opaque_token_uri_cannot_be_granted(make_stack):
    from aws_cdk import CfnParameter

    stack = make_stack()
    uri = CfnParameter(stack, "AdapterUri").value_as_string
    with pytest.raises(ValidationError, match=r"adapter=.*is a token whose bucket cannot be known at synth"):
        _endpoint(stack).add_adapter("x", uri)


@pytest.mark.parametrize("spec, found", [
    ({"BaseInferenceComponentName": "base", "Container": {"ArtifactUrl": "s3://b/a.tar.gz"}}, []),
    ({"BaseInferenceComponentName": "base", "Container": {"ArtifactUrl": "s3://b/a/"}}, ["is not a .tar.gz"]),
    ({"BaseInferenceComponentName": "base", "Container": {"ArtifactUrl": "s3://b/a.tar.gz"},
      "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024}}, ["has ComputeResourceRequirements"]),
    ({"BaseInferenceComponentName": "other", "Container": {"ArtifactUrl": "s3://b/a.tar.gz"}},
     ["base 'other' is none of the stack's inference components"]),
])
def test_the_conformance_rules_of_adapters(spec, found):
    """The rules the service model states in documentation strings, applied to every template."""
    requests = [("CreateInferenceComponent", {"InferenceComponentName": "base", "EndpointName": "e",
                                              "Specification": {"ModelName": "m"}}, "S/Base"),
                ("CreateInferenceComponent", {"InferenceComponentName": "x", "EndpointName": "e",
                                              "Specification": spec}, "S/Adapter")]
    problems = _api_rules.request_problems(requests, lambda t: True, lambda t: True)
    assert len(problems) == len(found)
    for problem, text in zip(problems, found):
        assert problem.startswith("S/Adapter: ") and text in problem
