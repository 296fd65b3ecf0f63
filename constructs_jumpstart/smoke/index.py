"""The smoke test of a JumpStartEndpoint, run by a CDK trigger after the endpoint is InService.

It invokes the endpoint once with the model's example payload (or the user's) and fails, failing
the deployment so CloudFormation rolls back to the previous endpoint config, when the call fails,
times out or answers with an empty body. During that rollback CloudFormation runs the trigger of
the previous template again while the endpoint still serves the new config: a test that finds the
endpoint on a config other than the one it was made for therefore passes without calling it, so the
rollback itself cannot fail.
"""

import base64
import os
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Real-time endpoints answer within 60 s; serverless ones may first start a container (retried).
RUNTIME = Config(connect_timeout=10, read_timeout=70, retries={"max_attempts": 3, "mode": "standard"})


PAYLOAD_FILE = Path(__file__).resolve().parent / "payload"
"""A request you gave travels in the code asset; the spec's example in ``PAYLOAD`` (base64)."""


def payload() -> bytes:
    if "PAYLOAD" in os.environ:
        return base64.b64decode(os.environ["PAYLOAD"])
    return PAYLOAD_FILE.read_bytes()


def request() -> dict:
    kwargs = {"EndpointName": os.environ["ENDPOINT_NAME"], "Body": payload(),
              "ContentType": os.environ["CONTENT_TYPE"]}
    if os.environ.get("ACCEPT"):
        kwargs["Accept"] = os.environ["ACCEPT"]
    if os.environ.get("INFERENCE_COMPONENT"):
        kwargs["InferenceComponentName"] = os.environ["INFERENCE_COMPONENT"]
    return kwargs


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        response = error.response
        message = response.get("OriginalMessage") or response.get("Error", {}).get("Message", "")
        status = response.get("OriginalStatusCode")
        return f"{response.get('Error', {}).get('Code', 'Error')}{f' (status {status})' if status else ''}: {message}"
    return str(error)


def handler(event, context):
    endpoint, config = os.environ["ENDPOINT_NAME"], os.environ["ENDPOINT_CONFIG_NAME"]
    current = boto3.client("sagemaker").describe_endpoint(EndpointName=endpoint)
    if current["EndpointConfigName"] != config:
        print(f"skipped: {endpoint} serves {current['EndpointConfigName']}, not {config} (an update rolling back)")
        return {"skipped": True}
    try:
        response = boto3.client("sagemaker-runtime", config=RUNTIME).invoke_endpoint(**request())
        body = response["Body"].read()
    except (ClientError, BotoCoreError) as error:
        raise RuntimeError(f"smoke test of endpoint {endpoint} failed: {_reason(error)}") from None
    if not body:
        raise RuntimeError(f"smoke test of endpoint {endpoint} failed: the model answered with an empty body")
    # the size and type only: the answer may repeat or reveal what the request holds
    print(f"{endpoint} answered {len(body)} bytes of {response.get('ContentType')}")
    return {"bytes": len(body), "content_type": response.get("ContentType")}
