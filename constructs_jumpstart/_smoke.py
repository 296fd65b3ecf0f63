"""The smoke test of an endpoint (:meth:`JumpStartEndpoint.add_smoke_test`): a CDK trigger
(``aws_cdk.triggers``) that invokes the endpoint once it is InService and fails the deployment, so
CloudFormation rolls back to the previous endpoint, when the call fails (handler: ``smoke/index.py``).

The trigger runs again whenever what the endpoint serves changes: the function's environment holds a
digest of the models and variants (``FINGERPRINT``), so its version, which the trigger executes,
changes with them.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Tuple

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import triggers
from constructs import Construct

from ._iam import acknowledge_generated_wildcards, acknowledge_grant
from ._names import request_digest
from .nag import nag_suppress
from .types import ResolvedModel

SMOKE_DIR = Path(__file__).resolve().parent / "smoke"
MAX_PAYLOAD_BYTES = 2048
"""Lambda keeps all environment variables of a function in 4 KB; the payload travels base64-encoded."""
PAYLOAD_FILE = "payload"
"""Your own request, in the code asset beside the handler (see :func:`build`)."""
PROVIDER_ID = "AWSCDK.TriggerCustomResourceProvider"


def request_of(resolved: ResolvedModel, payload: Any, content_type: Optional[str], accept: Optional[str]
               ) -> Tuple[Optional[Tuple[bytes, str, Optional[str]]], List[str]]:
    """(body, content type, accept) for the test, or the problems: the spec's first example payload
    unless one is given (bytes, text, or JSON-serialisable data)."""
    name = f"'{resolved.model_id}' {resolved.version}"
    if payload is None:
        if not resolved.default_payloads:
            return None, [f"{name} has no example payload in its spec: pass add_smoke_test(payload=...) with a request "
                          "the model answers (and content_type= unless it is the spec's default)."]
        example = next(iter(resolved.default_payloads.values()))
        payload, content_type = example.get("body"), content_type or example.get("content_type")
    if isinstance(payload, bytes):
        body = payload
    else:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    content_type = content_type or resolved.default_content_type
    problems = []
    if len(body) > MAX_PAYLOAD_BYTES:
        problems.append(f"the smoke-test payload is {len(body)} bytes; at most {MAX_PAYLOAD_BYTES} fit in the test "
                        "function's environment (4 KB in all): pass a smaller request.")
    if not content_type:
        problems.append(f"{name} has no default content type: pass add_smoke_test(content_type=...).")
    return (None if problems else (body, content_type, accept or resolved.default_accept_type)), problems


def _code_dir(payload: Optional[bytes]) -> Path:
    """The handler's code: ``smoke/``, or a copy of it with ``payload`` beside the handler."""
    if payload is None:
        return SMOKE_DIR
    staged = Path(tempfile.mkdtemp(prefix="jumpstart-smoke-"))
    shutil.copy(SMOKE_DIR / "index.py", staged / "index.py")
    (staged / PAYLOAD_FILE).write_bytes(payload)
    return staged


def build(scope: Construct, endpoint_name: str, config_name: str, endpoint_arn: str,
          request: Tuple[bytes, str, Optional[str]], fingerprint: Any, after: List[Construct],
          component: Optional[Tuple[str, str]], timeout: Duration, yours: bool = False) -> triggers.Trigger:
    """The test function (its own least-privilege role and log group) and the trigger that runs it
    after ``after``; ``component`` is (name, ARN) of the inference component to call, if any. The
    spec's example request travels in the environment; ``yours`` (a payload you gave, which may be
    private) in the function's code asset instead (``payload``, beside the handler): an environment is
    shown in plain text by the Lambda console and ``GetFunctionConfiguration``."""
    body, content_type, accept = request
    stack = Stack.of(scope)
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    description=f"Smoke test of the endpoint at {scope.node.path}")
    role.add_to_policy(iam.PolicyStatement(actions=["sagemaker:DescribeEndpoint"], resources=[endpoint_arn]))
    role.add_to_policy(iam.PolicyStatement(actions=["sagemaker:InvokeEndpoint"],
                                           resources=[endpoint_arn] + ([component[1]] if component else [])))
    log_group = logs.LogGroup(scope, "Logs", retention=logs.RetentionDays.ONE_YEAR,
                              removal_policy=RemovalPolicy.DESTROY)
    environment = {"ENDPOINT_NAME": endpoint_name, "ENDPOINT_CONFIG_NAME": config_name, "CONTENT_TYPE": content_type,
                   "FINGERPRINT": request_digest(scope, fingerprint)}
    if not yours:
        environment["PAYLOAD"] = base64.b64encode(body).decode()
    if accept:
        environment["ACCEPT"] = accept
    if component:
        environment["INFERENCE_COMPONENT"] = component[0]
    function = lambda_.Function(scope, "Function", runtime=lambda_.Runtime.PYTHON_3_14, handler="index.handler",
                                code=lambda_.Code.from_asset(str(_code_dir(body if yours else None)),
                                                             exclude=["__pycache__", "*.pyc"]),
                                timeout=timeout, role=role, log_group=log_group, environment=environment,
                                description=f"Smoke test of the endpoint at {scope.node.path}")
    acknowledge_generated_wildcards(role)  # a role of the library's: its recorded grants are acknowledged
    acknowledge_grant(role, log_group.grant_write(role), "CDK log group grant: write to this function's own log "
                      "group (no wildcards; its default policy is inline to this one role).")
    trigger = triggers.Trigger(scope, "Trigger", handler=function, execute_after=after, timeout=timeout,
                               invocation_type=triggers.InvocationType.REQUEST_RESPONSE)
    _acknowledge(scope, function, log_group, stack)
    return trigger


def _acknowledge(scope: Construct, function: lambda_.Function, log_group: logs.LogGroup, stack: Stack) -> None:
    nag_suppress(
        function,
        {"id": "HIPAA.Security-LambdaConcurrency", "reason": "Runs once per deployment that changes the endpoint; "
         "reserving concurrency fails deploys in accounts with little unreserved concurrency (minimum 10)."},
        {"id": "HIPAA.Security-LambdaDLQ", "reason": "The trigger invokes it synchronously and fails the deployment "
         "with its error: nothing is dropped."},
        {"id": "HIPAA.Security-LambdaInsideVPC", "reason": "It calls only the SageMaker API; a VPC would need NAT or "
         "endpoints and protect nothing more."},
    )
    nag_suppress(log_group, {"id": "HIPAA.Security-CloudWatchLogGroupEncrypted", "reason":
                             "Logs hold only the endpoint's name and the size and type of its answer, not the "
                             "answer; CloudWatch Logs encrypts them at rest with its own key."})
    provider = stack.node.try_find_child(PROVIDER_ID)
    if provider is not None:  # CDK's one trigger provider per stack (a CustomResourceProvider)
        nag_suppress(
            provider,
            {"id": "AwsSolutions-IAM4", "reason": "CDK's trigger provider (aws_cdk.triggers) logs through "
             "AWSLambdaBasicExecutionRole; it is CDK's own singleton, not configurable."},
            {"id": "AwsSolutions-L1", "reason": "CDK's trigger provider runtime is chosen by aws-cdk-lib."},
        )
