"""The custom-resource provider of constructs_jumpstart: one Lambda function per stack behind every
custom resource the library emits (jobs and their waits, models created through the API, packed
artifacts). Its code is the ``asset/handler`` package (entry point ``handler.index.on_event``), which
CloudFormation and EventBridge invoke; this module deploys it. Jobs and models use it from below."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from aws_cdk import ArnFormat, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._iam import acknowledge_generated_wildcards, acknowledge_grant
from ..nag import nag_suppress

ASSET_DIR = Path(__file__).resolve().parent / "asset"
"""The function's code: the ``handler`` package, as Lambda loads it."""
HANDLER_ID = "JumpStartJobsHandler"
FUNCTION_TIMEOUT = Duration.minutes(15)
"""Lambda's longest run: the packer needs it; every other event takes seconds."""
MAX_EVENT_AGE = Duration.minutes(10)
"""CloudFormation and EventBridge invoke the function asynchronously, and Lambda retries a failed
invocation twice, 1 and 2 minutes later ("Asynchronous invocation", AWS Lambda Developer Guide).
Events older than this are dropped instead: a retry can then never start after CloudFormation gave
up on its request (see ``SERVICE_TIMEOUT``), which would create what the rollback already deleted."""
SERVICE_TIMEOUT = Duration.minutes(30)
"""How long CloudFormation waits for a response (``ServiceTimeout``, 1 to 3600 s, default 3600;
``AWS::CloudFormation::CustomResource``): the last retry of an event starts within ``MAX_EVENT_AGE``
and ends within ``FUNCTION_TIMEOUT`` (25 minutes in all), and the handler answers before its own
timeout; a response lost all the same fails the stack after 30 minutes instead of an hour."""


def _grant_logs(key: kms.Key, stack: Stack, log_group_name: str) -> None:
    """CloudWatch Logs may use the key for this one log group only: the key policy's
    ``kms:EncryptionContext:aws:logs:arn`` condition, with the ARN of the log group, as in "Encrypt log
    data in CloudWatch Logs using AWS KMS" (CloudWatch Logs User Guide; the context key also appears
    in the AWS managed policy CloudWatchLogsAPIKeyAccess). The log group has a fixed name so its ARN
    is known without referring to it (key -> log group -> key would be a cycle)."""
    arn = stack.format_arn(service="logs", resource="log-group", resource_name=log_group_name,
                           arn_format=ArnFormat.COLON_RESOURCE_NAME)
    key.add_to_resource_policy(iam.PolicyStatement(
        principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
        actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources=["*"], conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arn}}))


def _failure_queue(scope: Construct, key: kms.Key) -> sqs.Queue:
    """Where Lambda sends an event whose asynchronous invocation failed every retry or grew too old
    (``MAX_EVENT_AGE``): an on-failure destination ("Asynchronous invocation", AWS Lambda Developer
    Guide), kept 14 days (SQS's longest retention), encrypted with the handler's key, TLS only. CDK
    grants the function's role ``sqs:SendMessage`` on it and the key."""
    queue = sqs.Queue(scope, "Failed", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key,
                      retention_period=Duration.days(14), enforce_ssl=True)
    nag_suppress(queue, {"id": "AwsSolutions-SQS3", "reason": "It is the dead-letter destination of the handler's "
                         "failed asynchronous invocations; nothing consumes it to need a queue of its own."})
    return queue


def handler_function(stack: Stack) -> lambda_.Function:
    """The stack's one handler function (created on first use), shared by every custom resource of
    this library in it: its own role (no managed policy), its own encrypted-at-rest log group with a
    retention, the latest Python runtime. No reserved concurrency: reserving it fails in accounts
    whose unreserved concurrency would drop below the minimum of 10."""
    existing = stack.node.try_find_child(HANDLER_ID)
    if existing is not None:
        return existing.node.find_child("Function")
    scope = Construct(stack, HANDLER_ID)
    key = kms.Key(scope, "LogsKey", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY,
                  pending_window=Duration.days(7), description="Encrypts the logs of the "
                                                               "constructs_jumpstart jobs handler")
    log_group_name = f"/constructs-jumpstart/{stack.stack_name}/jobs-handler"
    _grant_logs(key, stack, log_group_name)
    logs_group = logs.LogGroup(scope, "Logs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=key,
                               log_group_name=log_group_name, removal_policy=RemovalPolicy.DESTROY)
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    description="Starts, stops and reports the SageMaker jobs of constructs_jumpstart")
    acknowledge_generated_wildcards(role)
    failed = _failure_queue(scope, key)
    # made here, so that exactly their statements are acknowledged (the destination's own grant of the
    # same to the function's role adds nothing new)
    acknowledge_grant(role, failed.grant_send_messages(role), "CDK queue grant: send to this one on-failure queue.")
    acknowledge_grant(role, key.grant_encrypt_decrypt(role), "CDK key grant (as the queue's grant_send_messages "
                      "makes it): data keys of the handler's own key, which encrypts its on-failure queue.")
    acknowledge_grant(role, logs_group.grant_write(role), "CDK log group grant: write to this function's own log "
                      "group (its streams are named by Lambda at run time).")
    function = lambda_.Function(
        scope,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="handler.index.on_event",
        code=lambda_.Code.from_asset(str(ASSET_DIR), exclude=["__pycache__", "*.pyc"]),
        timeout=FUNCTION_TIMEOUT,
        max_event_age=MAX_EVENT_AGE,
        on_failure=destinations.SqsDestination(failed),
        memory_size=1769,  # one full vCPU for the packer (Lambda allots CPU by memory)
        role=role,
        log_group=logs_group,
        description="Starts, stops and reports SageMaker jobs for constructs_jumpstart",
    )
    nag_suppress(
        function,
        {"id": "HIPAA.Security-LambdaConcurrency", "reason": "Invoked once per custom-resource event, "
                                                             "job state change and hourly heartbeat of a running "
         "job; reserving concurrency fails deploys in accounts with little unreserved concurrency (minimum 10)."},
        # cdk-nag's LambdaDLQ reads DeadLetterConfig only; an on-failure destination is the newer form of
        # it for asynchronous invocations and records the error and the response too ("Asynchronous
        # invocation", AWS Lambda Developer Guide)
        {"id": "HIPAA.Security-LambdaDLQ", "reason": "CloudFormation and EventBridge invoke it asynchronously; an "
         "event that fails Lambda's two retries or grows older than 10 minutes goes to its on-failure destination "
         "(an encrypted SQS queue, kept 14 days), which cdk-nag does not read: it checks DeadLetterConfig only."},
        {"id": "HIPAA.Security-LambdaInsideVPC", "reason": "It calls only the SageMaker API and "
                                                           "CloudFormation's pre-signed "
         "response URLs; a VPC would need NAT or endpoints and protect nothing more."},
    )
    return function


def custom_resource(scope: Construct, id: str, resource_type: str, properties: Dict[str, Any]) -> CustomResource:
    """A custom resource of this library on its stack's handler, with its ``ServiceTimeout``."""
    function = handler_function(Stack.of(scope))
    return CustomResource(scope, id, service_token=function.function_arn, resource_type=resource_type,
                          properties=properties, service_timeout=SERVICE_TIMEOUT)
