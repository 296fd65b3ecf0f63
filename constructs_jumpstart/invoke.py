"""Call a deployed JumpStart endpoint the way the SDK's ``Predictor`` does (``jumpstart invoke``).

The model of the endpoint comes from ``--model-id`` or from the SDK's JumpStart tags on the endpoint
(``sagemaker-sdk:jumpstart-model-id`` / ``-model-version``, which this library's constructs and the
SDK's ``deploy()`` both set); its spec gives the content and accept types and the example payload.
Every failure is an :class:`InvokeError` with one line that says what to do.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .errors import JumpStartError

MODEL_TAG = "sagemaker-sdk:jumpstart-model-id"
VERSION_TAG = "sagemaker-sdk:jumpstart-model-version"


class InvokeError(JumpStartError):
    """An endpoint could not be called, or answered with an error."""


@dataclass(frozen=True)
class Request:
    """What is sent: the body and its content type, the accept type (``None``: the container's default)."""

    body: bytes
    content_type: str
    accept: Optional[str]
    component: Optional[str] = None
    """The inference component (or adapter) to reach (``InferenceComponentName``)."""


def clients(region: str) -> Tuple[Any, Any]:
    """(sagemaker, sagemaker-runtime) clients of the region (replaced by tests)."""
    try:
        import boto3
    except ImportError:  # the lean, synth-only install
        raise InvokeError("jumpstart invoke needs boto3: pip install boto3") from None
    session = boto3.session.Session(region_name=region)
    return session.client("sagemaker"), session.client("sagemaker-runtime")


def call(what: str, function: Any, **kwargs: Any) -> Any:
    """One API call with its failures as one-line errors."""
    from botocore.exceptions import (BotoCoreError, ClientError, ConnectionError, NoCredentialsError, NoRegionError,
                                     ReadTimeoutError)

    try:
        return function(**kwargs)
    except (ConnectionError, ReadTimeoutError) as error:  # botocore's: EndpointConnectionError, ConnectTimeout...
        raise InvokeError(f"{what} failed: {error}. Check the network (a proxy or VPN) and --region: a mistyped "
                          "region has no endpoint to connect to.") from None
    except NoCredentialsError:
        raise InvokeError("no AWS credentials: configure a profile (aws configure, then AWS_PROFILE) or set "
                          "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.") from None
    except NoRegionError:
        raise InvokeError("no region: pass --region or set AWS_REGION.") from None
    except ClientError as error:
        info = error.response.get("Error", {})
        if info.get("Code") == "ModelError":
            status = error.response.get("OriginalStatusCode", "?")
            message = error.response.get("OriginalMessage") or info.get("Message", "")
            logs = error.response.get("LogStreamArn")
            raise InvokeError(f"the model answered with an error (status {status}): {message}"
                              + (f" Logs: {logs}" if logs else "")) from None
        raise InvokeError(f"{what} failed: {info.get('Code', 'Error')}: {info.get('Message', error)}") from None
    except BotoCoreError as error:
        raise InvokeError(f"{what} failed: {error}") from None


def stream_parts(events: Any) -> Iterator[bytes]:
    """The payload parts of a response stream; a failure while reading is an :class:`InvokeError` too
    (the stream is read after the call returned: botocore raises from the iteration)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        for event in events:
            if "PayloadPart" in event:
                yield event["PayloadPart"]["Bytes"]
    except (BotoCoreError, ClientError) as error:
        raise InvokeError(f"the response stream broke off: {error}") from None


def endpoint_model(sagemaker: Any, endpoint: str) -> Tuple[Optional[str], Optional[str]]:
    """The endpoint's JumpStart model (id, version) from its tags, once it is InService."""
    try:
        described = call("DescribeEndpoint", sagemaker.describe_endpoint, EndpointName=endpoint)
    except InvokeError as error:
        if "could not find endpoint" not in str(error).lower():
            raise
        raise InvokeError(f"endpoint '{endpoint}' not found in {sagemaker.meta.region_name}: check the name (the "
                          "stack output EndpointName) and --region.") from None
    status = described["EndpointStatus"]
    if status != "InService":
        reason = described.get("FailureReason")
        raise InvokeError(f"endpoint '{endpoint}' is {status}, not InService" + (f": {reason}" if reason else "")
                          + ("; wait for the deployment to finish." if status in ("Creating", "Updating") else "."))
    tags = call("ListTags", sagemaker.list_tags, ResourceArn=described["EndpointArn"]).get("Tags", [])
    values = {t["Key"]: t["Value"] for t in tags}
    return values.get(MODEL_TAG), values.get(VERSION_TAG)


def component_model(sagemaker: Any, endpoint: str, component: str) -> Tuple[Optional[str], Optional[str]]:
    """The JumpStart model (id, version) of an inference component or adapter of ``endpoint`` from its
    tags, once it is InService (an adapter carries its base model's tags)."""
    try:
        described = call("DescribeInferenceComponent", sagemaker.describe_inference_component,
                         InferenceComponentName=component)
    except InvokeError as error:
        if "could not find" not in str(error).lower():
            raise
        raise InvokeError(f"inference component '{component}' not found in {sagemaker.meta.region_name}: "
                          + components_hint(sagemaker, endpoint)) from None
    if described.get("EndpointName") != endpoint:
        raise InvokeError(f"inference component '{component}' is on endpoint '{described.get('EndpointName')}', "
                          f"not '{endpoint}'.")
    status = described.get("InferenceComponentStatus")
    if status != "InService":
        reason = described.get("FailureReason")
        raise InvokeError(f"inference component '{component}' is {status}, not InService"
                          + (f": {reason}" if reason else "") + ".")
    tags = call("ListTags", sagemaker.list_tags, ResourceArn=described["InferenceComponentArn"]).get("Tags", [])
    values = {t["Key"]: t["Value"] for t in tags}
    return values.get(MODEL_TAG), values.get(VERSION_TAG)


def components_hint(sagemaker: Any, endpoint: str) -> str:
    """Which components ``--component`` may name on ``endpoint`` (adapters included)."""
    names: List[str] = []
    page: Dict[str, Any] = {"EndpointNameEquals": endpoint, "MaxResults": 100}
    while True:
        listed = call("ListInferenceComponents", sagemaker.list_inference_components, **page)
        names += [c["InferenceComponentName"] for c in listed.get("InferenceComponents", [])]
        if not listed.get("NextToken"):
            break
        page["NextToken"] = listed["NextToken"]
    names.sort()
    if not names:
        return f"endpoint '{endpoint}' has no inference components."
    return f"pass --component with one of the components of endpoint '{endpoint}': {', '.join(names)}."


def build_request(spec: Optional[Dict[str, Any]], payload: str, content_type: Optional[str], accept: Optional[str],
                  stdin: Any = None) -> Request:
    """The request from ``--payload`` (``default``, ``default:NAME``, a file or ``-``) and the spec's
    content and accept types (``spec`` is ``jumpstart describe``'s data, or ``None`` when the model
    is unknown)."""
    import json

    spec = spec or {}
    if payload == "default" or payload.startswith("default:"):
        examples = spec.get("example_payloads") or {}
        if not spec:
            raise InvokeError("the endpoint's model is unknown (no JumpStart tags): pass --model-id, or --payload "
                              "FILE with --content-type.")
        name = payload.partition(":")[2] or next(iter(examples), None)
        if name not in examples:
            raise InvokeError(f"'{spec['model_id']}' {spec['version']} has no example payload"
                              + (f" named '{name}' (it has: "
                                 f"{', '.join(examples)})" if examples and name else " in its spec")
                              + ": pass --payload FILE or --payload - (standard input).")
        example = examples[name]
        body = example["body"]
        data = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
        content_type = content_type or example.get("content_type")
    elif payload == "-":
        data = (stdin or sys.stdin.buffer).read()
    else:
        path = Path(payload)
        if not path.is_file():
            raise InvokeError(f"--payload {payload!r} is not a file; use default, default:NAME, a file "
                              "or - (standard input).")
        data = path.read_bytes()
    content_type = content_type or spec.get("default_content_type")
    if not content_type:
        raise InvokeError("no content type: the endpoint's model is unknown; pass --content-type or --model-id.")
    return Request(data, content_type, accept or spec.get("default_accept_type"))


def send(runtime: Any, endpoint: str, request: Request, stream: bool = False) -> Tuple[str, Iterator[bytes]]:
    """Invoke the endpoint: (response content type, the body in parts; one part unless streaming)."""
    kwargs: Dict[str, Any] = {"EndpointName": endpoint, "Body": request.body, "ContentType": request.content_type}
    if request.accept:
        kwargs["Accept"] = request.accept
    if request.component:
        kwargs["InferenceComponentName"] = request.component
    if stream:
        response = call("InvokeEndpointWithResponseStream", runtime.invoke_endpoint_with_response_stream, **kwargs)
        return response.get("ContentType", ""), stream_parts(response["Body"])
    response = call("InvokeEndpoint", runtime.invoke_endpoint, **kwargs)
    return response.get("ContentType", ""), iter([response["Body"].read()])
