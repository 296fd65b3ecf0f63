"""A deployment that proves the endpoint answers: the smoke-test trigger in the template, the bad
inputs refused at synth, and its handler on botocore's Stubber (real request and error shapes)."""

from __future__ import annotations

import base64
import io
import json

import boto3
import pytest
from aws_cdk import Duration
from aws_cdk.assertions import Match, Template
from botocore.response import StreamingBody
from botocore.stub import Stubber

from constructs_jumpstart import JumpStartEndpoint, ValidationError
from constructs_jumpstart.hosting import AsyncInferenceConfig, JumpStartInferenceComponent
from constructs_jumpstart.smoke import index as smoke

from .conftest import role_statements

LLM = dict(model_id="fixture-llm-families", model_version="1.0.0")


def _function(template: Template) -> dict:
    (function,) = [f for k, f in template.find_resources("AWS::Lambda::Function").items() if "SmokeTest" in k]
    return function["Properties"]


def _asset_payload(stack) -> bytes:
    """The payload file in the smoke test function's code asset."""
    from pathlib import Path

    from aws_cdk import aws_s3_assets as s3_assets

    (asset,) = [c for c in stack.node.find_all() if isinstance(c, s3_assets.Asset) and "SmokeTest" in c.node.path]
    return (Path(stack.node.root.outdir) / asset.asset_path / "payload").read_bytes()


def test_smoke_test_invokes_the_endpoint_after_it_is_in_service_with_the_specs_example(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "Chat", smoke_test=True, **LLM)
    template = Template.from_stack(stack)
    env = _function(template)["Environment"]["Variables"]
    assert json.loads(base64.b64decode(env["PAYLOAD"]))["inputs"] == "Write a haiku about infrastructure as code."
    assert (env["CONTENT_TYPE"], env["ACCEPT"]) == ("application/json", "application/json")
    assert env["ENDPOINT_CONFIG_NAME"] == {"Fn::GetAtt": [stack.get_logical_id(ep.endpoint_config), "EndpointConfigName"]}
    # a CDK trigger, synchronous, after the endpoint (CloudFormation: after it is InService)
    (trigger_id, trigger), = template.find_resources("Custom::Trigger").items()
    assert trigger["Properties"]["InvocationType"] == "RequestResponse"
    assert stack.get_logical_id(ep.cfn_endpoint) in trigger["DependsOn"]
    # least privilege: describe and invoke this endpoint, write its own logs
    statements = role_statements(template, "ChatSmokeTest")
    endpoint_ref = {"Ref": stack.get_logical_id(ep.cfn_endpoint)}
    assert {(s["Action"], json.dumps(s["Resource"])) for s in statements if "sagemaker:" in str(s["Action"])} == {
        ("sagemaker:DescribeEndpoint", json.dumps(endpoint_ref)), ("sagemaker:InvokeEndpoint", json.dumps(endpoint_ref))}


def test_the_test_reruns_when_what_the_endpoint_serves_changes(make_stack):
    """The trigger executes its function's current version: the version changes with the models."""
    def fingerprint(**kw) -> str:
        stack = make_stack()
        JumpStartEndpoint(stack, "Chat", smoke_test=True, **LLM, **kw)
        return _function(Template.from_stack(stack))["Environment"]["Variables"]["FINGERPRINT"]

    assert fingerprint() == fingerprint()
    assert fingerprint() != fingerprint(instance_type="ml.g6.2xlarge")
    assert fingerprint() != fingerprint(environment={"MAX_TOTAL_TOKENS": "2048"})


def test_your_own_payload_for_a_model_without_example(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "Classifier", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
    ep.add_smoke_test(b"\xff\xd8\xff\xe0 tiny jpeg", timeout=Duration.minutes(2))
    env = _function(Template.from_stack(stack))["Environment"]["Variables"]
    assert "PAYLOAD" not in env  # yours travels in the code asset, not in the plain-text environment
    assert _asset_payload(stack) == b"\xff\xd8\xff\xe0 tiny jpeg"
    assert env["CONTENT_TYPE"] == "application/x-image"  # the spec's default


def test_inference_components_are_tested_through_their_first_component(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Shared", instance_type="ml.g5.2xlarge", smoke_test=True, inference_components=[
        JumpStartInferenceComponent(**LLM, accelerators=1)])
    template = Template.from_stack(stack)
    assert "INFERENCE_COMPONENT" in _function(template)["Environment"]["Variables"]
    template.has_resource("Custom::Trigger", {"DependsOn": Match.array_with([Match.string_like_regexp("SharedComponent")])})


@pytest.mark.parametrize("build, message", [
    (lambda s: JumpStartEndpoint(s, "E", model_id="pytorch-ic-mobilenet-v2", smoke_test=True),
     r"'pytorch-ic-mobilenet-v2' 3\.0\.25 has no example payload in its spec: pass add_smoke_test\(payload=\.\.\.\)"),
    (lambda s: JumpStartEndpoint(s, "E", **LLM, smoke_test=True, async_inference=AsyncInferenceConfig()),
     r"an asynchronous endpoint refuses InvokeEndpoint: test it with InvokeEndpointAsync"),
    (lambda s: JumpStartEndpoint(s, "E", **LLM, smoke_test=True).add_smoke_test(),
     r"this endpoint has a smoke test already"),
    (lambda s: JumpStartEndpoint(s, "E", **LLM).add_smoke_test(b"x" * 3000),
     r"the smoke-test payload is 3000 bytes; at most 2048 fit"),
])
def test_bad_smoke_tests_are_refused_at_synth(make_stack, build, message):
    with pytest.raises(ValidationError, match=message):
        build(make_stack())


# -- the handler ------------------------------------------------------------------------------------


@pytest.fixture
def handler_env(monkeypatch):
    monkeypatch.setenv("ENDPOINT_NAME", "chat")
    monkeypatch.setenv("ENDPOINT_CONFIG_NAME", "chat-config-new")
    monkeypatch.setenv("PAYLOAD", base64.b64encode(b'{"inputs": "hi"}').decode())
    monkeypatch.setenv("CONTENT_TYPE", "application/json")
    monkeypatch.setenv("ACCEPT", "application/json")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    sagemaker = boto3.client("sagemaker", aws_access_key_id="x", aws_secret_access_key="x")
    runtime = boto3.client("sagemaker-runtime", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(smoke.boto3, "client", lambda name, **kw: sagemaker if name == "sagemaker" else runtime)
    return Stubber(sagemaker), Stubber(runtime)


def _described(config: str) -> dict:
    return {"EndpointName": "chat", "EndpointArn": "arn:aws:sagemaker:us-west-2:123456789012:endpoint/chat",
            "EndpointConfigName": config, "EndpointStatus": "InService",
            "CreationTime": "2026-11-25T00:00:00Z", "LastModifiedTime": "2026-11-25T00:00:00Z"}


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def test_handler_passes_when_the_endpoint_answers(handler_env):
    sagemaker, runtime = handler_env
    sagemaker.add_response("describe_endpoint", _described("chat-config-new"), {"EndpointName": "chat"})
    runtime.add_response("invoke_endpoint", {"Body": _body(b'[{"generated_text": "hello"}]'), "ContentType": "application/json"},
                         {"EndpointName": "chat", "Body": b'{"inputs": "hi"}', "ContentType": "application/json",
                          "Accept": "application/json"})
    with sagemaker, runtime:
        assert smoke.handler({}, None) == {"bytes": 29, "content_type": "application/json"}


def test_handler_skips_while_an_update_rolls_back(handler_env):
    """CloudFormation re-runs the previous template's trigger during a rollback, while the endpoint
    still serves the new config: calling it then would fail the rollback itself."""
    sagemaker, runtime = handler_env
    sagemaker.add_response("describe_endpoint", _described("chat-config-other"), {"EndpointName": "chat"})
    with sagemaker, runtime:
        assert smoke.handler({}, None) == {"skipped": True}
    runtime.assert_no_pending_responses()


def test_handler_fails_the_deployment_with_the_containers_message(handler_env):
    sagemaker, runtime = handler_env
    sagemaker.add_response("describe_endpoint", _described("chat-config-new"), {"EndpointName": "chat"})
    runtime.add_client_error("invoke_endpoint", "ModelError", "Received client error (400) from primary",
                             http_status_code=424, modeled_fields={"OriginalStatusCode": 400,
                                                                   "OriginalMessage": "CUDA out of memory"})
    with sagemaker, runtime, pytest.raises(RuntimeError, match=r"smoke test of endpoint chat failed: ModelError "
                                                               r"\(status 400\): CUDA out of memory"):
        smoke.handler({}, None)


def test_handler_fails_on_an_empty_answer(handler_env):
    sagemaker, runtime = handler_env
    sagemaker.add_response("describe_endpoint", _described("chat-config-new"), {"EndpointName": "chat"})
    runtime.add_response("invoke_endpoint", {"Body": _body(b""), "ContentType": "application/json"})
    with sagemaker, runtime, pytest.raises(RuntimeError, match="answered with an empty body"):
        smoke.handler({}, None)


def test_the_test_reruns_when_a_fine_tuned_model_is_retrained(make_stack):
    """The endpoint serves a training job's output, a token whose text does not change when the job
    does: the fingerprint reads the token's identity, so new hyperparameters (a retrained model)
    are a new function version, which the trigger runs."""
    from constructs_jumpstart import JumpStartTrainingJob

    def fingerprint(epochs: int) -> str:
        stack = make_stack()
        job = JumpStartTrainingJob(stack, "FineTune", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                                   training_data="s3://my-data/train/", hyperparameters={"epochs": epochs})
        ep = JumpStartEndpoint(stack, "Tuned", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                               model_data=job.model_data)
        ep.add_smoke_test(b"\xff\xd8jpeg", content_type="application/x-image")
        template = Template.from_stack(stack)
        (trigger,) = template.find_resources("Custom::Trigger").values()
        return (_function(template)["Environment"]["Variables"]["FINGERPRINT"],
                trigger["Properties"]["HandlerArn"]["Ref"])  # the function version the trigger runs

    same, retrained = fingerprint(3), fingerprint(4)
    assert same == fingerprint(3)
    assert same[0] != retrained[0] and same[1] != retrained[1]
