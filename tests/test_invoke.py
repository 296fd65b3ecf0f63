"""`jumpstart invoke`: a deployed endpoint called as the SDK's Predictor does, on moto's
sagemaker-runtime (happy paths) and botocore's Stubber (the service's errors, in their real shapes)."""

from __future__ import annotations

import io
import json

import boto3
import pytest
import requests
from botocore.stub import Stubber
from moto import mock_aws
from typer.testing import CliRunner

from constructs_jumpstart import invoke as calls
from constructs_jumpstart.cli import app

REGION = "us-west-2"
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:endpoint/chat"
SHIPPED = ["--source", "shipped", "--region", REGION]
TAGS = [{"Key": calls.MODEL_TAG, "Value": "fixture-llm-families"}, {"Key": calls.VERSION_TAG, "Value": "1.0.0"}]
runner = CliRunner()


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def _endpoint(sagemaker, name: str = "chat", tags=TAGS) -> None:
    sagemaker.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": "i"})
    sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.g4dn.xlarge", "InitialInstanceCount": 1}])  # moto: an old enum
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName="c", Tags=tags)


def _answer(body: bytes, content_type: str) -> None:
    """What moto's sagemaker-runtime answers next (its documented results API)."""
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results",
                  json={"account_id": "123456789012", "region": REGION,
                        "results": [{"Body": body.decode("latin-1"), "ContentType": content_type}]})


def test_invoke_sends_the_specs_example_with_its_types_and_pretty_prints_json(aws, monkeypatch):
    _endpoint(aws)
    _answer(json.dumps([{"generated_text": "Stacks bloom in spring"}]).encode(), "application/json")
    sent = []
    real = calls.send
    monkeypatch.setattr(calls, "send", lambda runtime, endpoint, request, stream: sent.append(request) or real(runtime, endpoint, request, stream))
    result = runner.invoke(app, ["invoke", "chat", *SHIPPED])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"generated_text": "Stacks bloom in spring"}]
    # the model came from the endpoint's JumpStart tags; body and types from its spec
    (request,) = sent
    assert json.loads(request.body)["inputs"] == "Write a haiku about infrastructure as code."
    assert (request.content_type, request.accept) == ("application/json", "application/json")


def test_invoke_writes_an_image_answer_to_a_file(aws, tmp_path, monkeypatch):
    _endpoint(aws)
    _answer(b"PNG-bytes", "image/png")  # moto keeps a body as text
    payload = tmp_path / "prompt.json"
    payload.write_text('{"inputs": "a cat"}')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["invoke", "chat", "--payload", str(payload), *SHIPPED])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "response.png").read_bytes() == b"PNG-bytes"
    assert "written to response.png" in result.stderr


def test_invoke_untagged_endpoint_needs_a_model_or_a_content_type(aws, tmp_path):
    _endpoint(aws, tags=[])
    result = runner.invoke(app, ["invoke", "chat", *SHIPPED])
    assert result.exit_code == 1
    assert "the endpoint's model is unknown (no JumpStart tags): pass --model-id" in result.stderr
    _answer(b"ok", "text/plain")
    payload = tmp_path / "p.txt"
    payload.write_text("hello")
    result = runner.invoke(app, ["invoke", "chat", "--payload", str(payload), "--content-type", "text/plain", *SHIPPED])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok\n"


def test_a_model_without_example_payload_is_named(aws):
    _endpoint(aws)
    result = runner.invoke(app, ["invoke", "chat", "--model-id", "pytorch-ic-mobilenet-v2", "--version", "3.0.25", *SHIPPED])
    assert result.exit_code == 1
    assert ("'pytorch-ic-mobilenet-v2' 3.0.25 has no example payload in its spec: pass --payload FILE or --payload -"
            in result.stderr)


def test_unknown_example_name_lists_the_spec_ones():
    spec = {"model_id": "x", "version": "1", "example_payloads": {"Haiku": {"body": {}}}}
    with pytest.raises(calls.InvokeError, match=r"no example payload named 'Poem' \(it has: Haiku\)"):
        calls.build_request(spec, "default:Poem", None, None)


def test_payload_from_standard_input():
    request = calls.build_request(None, "-", "text/csv", None, stdin=io.BytesIO(b"1,2,3"))
    assert request == calls.Request(b"1,2,3", "text/csv", None)


# -- the service's errors, in their real shapes (Stubber) -------------------------------------------


def _stubbed():
    sagemaker = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    runtime = boto3.client("sagemaker-runtime", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return sagemaker, Stubber(sagemaker), runtime, Stubber(runtime)


def _described(status: str, **extra) -> dict:
    return {"EndpointName": "chat", "EndpointArn": ARN, "EndpointStatus": status,
            "CreationTime": "2026-11-25T00:00:00Z", "LastModifiedTime": "2026-11-25T00:00:00Z", **extra}


def test_endpoint_not_found():
    sagemaker, stub, _, _ = _stubbed()
    stub.add_client_error("describe_endpoint", "ValidationException",
                          f"Could not find endpoint \"{ARN}\".", expected_params={"EndpointName": "chat"})
    with stub, pytest.raises(calls.InvokeError, match=r"endpoint 'chat' not found in us-west-2: check the name"):
        calls.endpoint_model(sagemaker, "chat")


@pytest.mark.parametrize("status, extra, message", [
    ("Creating", {}, r"endpoint 'chat' is Creating, not InService; wait for the deployment to finish\."),
    ("Failed", {"FailureReason": "The primary container did not pass the ping health check."},
     r"is Failed, not InService: The primary container did not pass the ping health check\."),
])
def test_endpoint_not_in_service(status, extra, message):
    sagemaker, stub, _, _ = _stubbed()
    stub.add_response("describe_endpoint", _described(status, **extra), {"EndpointName": "chat"})
    with stub, pytest.raises(calls.InvokeError, match=message):
        calls.endpoint_model(sagemaker, "chat")


def test_model_error_carries_the_containers_message_and_logs():
    _, _, runtime, stub = _stubbed()
    stub.add_client_error("invoke_endpoint", "ModelError", "Received client error (400) from primary",
                          http_status_code=424, response_meta={}, modeled_fields={
                              "OriginalStatusCode": 400, "OriginalMessage": "Input payload must contain an 'inputs' key",
                              "LogStreamArn": "arn:aws:logs:us-west-2:123456789012:log-group:/aws/sagemaker/Endpoints/chat"})
    with stub, pytest.raises(calls.InvokeError, match=r"the model answered with an error \(status 400\): Input payload "
                                                      r"must contain an 'inputs' key Logs: arn:aws:logs:"):
        content_type, parts = calls.send(runtime, "chat", calls.Request(b"{}", "application/json", None))
        list(parts)


def test_no_credentials_is_one_line(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    result = runner.invoke(app, ["invoke", "chat", *SHIPPED])
    assert result.exit_code == 1
    assert "error: no AWS credentials: configure a profile" in result.stderr


def test_stream_prints_the_parts_as_they_arrive(aws, monkeypatch):
    """InvokeEndpointWithResponseStream: an event stream of PayloadPart events (moto and Stubber have
    no event streams, so the runtime client here yields the parsed events botocore would)."""
    _endpoint(aws)

    class Runtime:
        def invoke_endpoint_with_response_stream(self, **kwargs):
            assert kwargs["ContentType"] == "application/json" and kwargs["Accept"] == "application/json"
            return {"ContentType": "application/json", "Body": iter([
                {"PayloadPart": {"Bytes": b'data: {"token": "Stacks"}\n'}},
                {"PayloadPart": {"Bytes": b'data: {"token": " bloom"}\n'}}])}

    sagemaker = boto3.client("sagemaker", region_name=REGION)
    monkeypatch.setattr(calls, "clients", lambda region: (sagemaker, Runtime()))
    result = runner.invoke(app, ["invoke", "chat", "--stream", *SHIPPED])
    assert result.exit_code == 0, result.output
    assert result.stdout == 'data: {"token": "Stacks"}\ndata: {"token": " bloom"}\n\n'


def test_a_network_error_or_a_mistyped_region_is_one_line(monkeypatch):
    """botocore's EndpointConnectionError (no route, a region without an endpoint) ends in one line,
    not a traceback; a region that is no JumpStart region is refused before any call."""
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        meta = type("Meta", (), {"region_name": REGION})()

        def describe_endpoint(self, **_):
            raise EndpointConnectionError(endpoint_url=f"https://api.sagemaker.{REGION}.amazonaws.com/")

    monkeypatch.setattr(calls, "clients", lambda region: (Unreachable(), None))
    result = runner.invoke(app, ["invoke", "chat", *SHIPPED])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "error: DescribeEndpoint failed: Could not connect to the endpoint URL" in " ".join(result.stderr.split())
    assert "--region" in result.stderr
    mistyped = runner.invoke(app, ["invoke", "chat", "--source", "shipped", "--region", "us-west2"])
    assert mistyped.exit_code == 2 and "did you mean 'us-west-2'" in " ".join(mistyped.output.split())


def test_a_stream_that_breaks_off_is_one_line():
    from botocore.exceptions import ReadTimeoutError

    def events():
        yield {"PayloadPart": {"Bytes": b"a"}}
        raise ReadTimeoutError(endpoint_url="https://runtime.sagemaker.us-west-2.amazonaws.com/")

    parts = calls.stream_parts(events())
    assert next(parts) == b"a"
    with pytest.raises(calls.InvokeError, match="the response stream broke off: Read timeout"):
        next(parts)


# -- inference components and adapters (--component) ------------------------------------------------

IC_ARN = f"arn:aws:sagemaker:{REGION}:123456789012:inference-component/s-llm-adaptersupportbot-ea996fbd"
ADAPTER = "s-llm-adaptersupportbot-ea996fbd"


def _component(status: str = "InService", endpoint: str = "chat") -> dict:
    return {"InferenceComponentName": ADAPTER, "InferenceComponentArn": IC_ARN, "EndpointName": endpoint,
            "EndpointArn": ARN, "InferenceComponentStatus": status, "CreationTime": "2026-11-25T00:00:00Z",
            "LastModifiedTime": "2026-11-25T00:00:00Z"}


def test_invoke_reaches_an_adapter_with_its_base_models_example(monkeypatch):
    """``--component``: the model comes from the component's tags (an adapter carries its base model's),
    and InvokeEndpoint names the component (``InferenceComponentName``)."""
    sagemaker, stub, runtime, runtime_stub = _stubbed()
    stub.add_response("describe_endpoint", _described("InService"), {"EndpointName": "chat"})
    stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": ARN})
    stub.add_response("describe_inference_component", _component(), {"InferenceComponentName": ADAPTER})
    stub.add_response("list_tags", {"Tags": TAGS}, {"ResourceArn": IC_ARN})
    answer = json.dumps([{"generated_text": "Hello from the adapter"}]).encode()
    runtime_stub.add_response("invoke_endpoint", {"Body": io.BytesIO(answer), "ContentType": "application/json"}, {
        "EndpointName": "chat", "InferenceComponentName": ADAPTER, "ContentType": "application/json",
        "Accept": "application/json",
        "Body": json.dumps({"inputs": "Write a haiku about infrastructure as code.",
                            "parameters": {"max_new_tokens": 64, "temperature": 0.6, "top_p": 0.9}}).encode()})
    monkeypatch.setattr(calls, "clients", lambda region: (sagemaker, runtime))
    with stub, runtime_stub:
        result = runner.invoke(app, ["invoke", "chat", "--component", ADAPTER, *SHIPPED])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"generated_text": "Hello from the adapter"}]


@pytest.mark.parametrize("described, message", [
    (_component("Creating"), r"inference component 's-llm-adaptersupportbot-ea996fbd' is Creating, not InService"),
    (_component(endpoint="other"), r"is on endpoint 'other', not 'chat'"),
])
def test_a_component_not_ready_or_elsewhere(described, message):
    sagemaker, stub, _, _ = _stubbed()
    stub.add_response("describe_inference_component", described, {"InferenceComponentName": ADAPTER})
    with stub, pytest.raises(calls.InvokeError, match=message):
        calls.component_model(sagemaker, "chat", ADAPTER)


def test_an_unknown_component_lists_the_endpoints_components():
    sagemaker, stub, _, _ = _stubbed()
    stub.add_client_error("describe_inference_component", "ValidationException",
                          f"Could not find inference component \"{IC_ARN}\".",
                          expected_params={"InferenceComponentName": ADAPTER})
    def listed(name: str) -> dict:
        return {"InferenceComponentName": name, "InferenceComponentArn": IC_ARN, "EndpointName": "chat",
                "EndpointArn": ARN, "VariantName": "AllTraffic", "CreationTime": "2026-11-25T00:00:00Z",
                "LastModifiedTime": "2026-11-25T00:00:00Z"}

    # two pages: the names of both
    stub.add_response("list_inference_components", {"InferenceComponents": [listed("s-llm-legal-2")], "NextToken": "p2"},
                      {"EndpointNameEquals": "chat", "MaxResults": 100})
    stub.add_response("list_inference_components", {"InferenceComponents": [listed("s-llm-base-1")]},
                      {"EndpointNameEquals": "chat", "MaxResults": 100, "NextToken": "p2"})
    with stub, pytest.raises(calls.InvokeError, match=r"inference component '.*' not found in us-west-2: pass "
                                                      r"--component with one of the components of endpoint 'chat': "
                                                      r"s-llm-base-1, s-llm-legal-2\."):
        calls.component_model(sagemaker, "chat", ADAPTER)


def test_an_endpoint_of_components_without_component_says_which_there_are(monkeypatch):
    """The service refuses InvokeEndpoint without InferenceComponentName on such an endpoint; the
    error then names the components."""
    sagemaker, stub, runtime, runtime_stub = _stubbed()
    stub.add_response("describe_endpoint", _described("InService"), {"EndpointName": "chat"})
    stub.add_response("list_tags", {"Tags": TAGS}, {"ResourceArn": ARN})
    runtime_stub.add_client_error(
        "invoke_endpoint", "ValidationError", "Inference Component Name header is required for endpoints to which "
        "you plan to deploy inference components. Please include Inference Component Name header or consider using "
        "SageMaker models.")
    stub.add_response("list_inference_components", {"InferenceComponents": [
        {"InferenceComponentName": "s-llm-base-1", "InferenceComponentArn": IC_ARN, "EndpointName": "chat",
         "EndpointArn": ARN, "VariantName": "AllTraffic", "CreationTime": "2026-11-25T00:00:00Z",
         "LastModifiedTime": "2026-11-25T00:00:00Z"}]}, {"EndpointNameEquals": "chat", "MaxResults": 100})
    monkeypatch.setattr(calls, "clients", lambda region: (sagemaker, runtime))
    with stub, runtime_stub:
        result = runner.invoke(app, ["invoke", "chat", *SHIPPED])
    assert result.exit_code == 1
    assert ("Hint: pass --component with one of the components of endpoint 'chat': s-llm-base-1."
            in " ".join(result.stderr.split()))
