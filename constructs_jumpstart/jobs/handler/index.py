"""Lambda handler of the JumpStart jobs mechanism (training and batch transform). Plain boto3.

Three kinds of events reach it:

* CloudFormation custom resource ``Custom::JumpStartJob``: Create/Update *start* the job under its
  deterministic name (idempotent: an existing job of that name is never started twice) and return at
  once; Delete *stops* a job that is still running (SageMaker jobs cannot be deleted) and treats a
  missing or finished job as already gone.
* An EventBridge state-change event of the job, forwarded with the stack's wait-condition handle:
  a finished job signals the ``AWS::CloudFormation::WaitCondition`` (SUCCESS, or FAILURE with
  SageMaker's ``FailureReason``). This is how a stack waits up to 12 hours for a job without the
  one-hour limit of a custom resource.
* CloudFormation custom resource ``Custom::JumpStartJobResult`` (after the wait condition): reads
  the finished job's outputs (the trained ``model.tar.gz``) for the rest of the stack.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from typing import Any, Dict, Optional

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

KINDS: Dict[str, Dict[str, str]] = {
    "training": {
        "create": "create_training_job",
        "describe": "describe_training_job",
        "stop": "stop_training_job",
        "name": "TrainingJobName",
        "status": "TrainingJobStatus",
    },
    "transform": {
        "create": "create_transform_job",
        "describe": "describe_transform_job",
        "stop": "stop_transform_job",
        "name": "TransformJobName",
        "status": "TransformJobStatus",
    },
}
RUNNING = {"InProgress"}
TERMINAL = {"Completed", "Failed", "Stopped"}
THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}

_client = None


def sagemaker():
    global _client
    if _client is None:
        _client = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    return _client


def call(operation: str, attempts: int = 8, base_delay: float = 0.5, **kwargs):
    """Call a SageMaker API, retrying throttling with exponential backoff and full jitter (on top
    of botocore's own retries, for bursts of CloudFormation and EventBridge calls)."""
    for attempt in range(attempts):
        try:
            return getattr(sagemaker(), operation)(**kwargs)
        except ClientError as err:
            if err.response["Error"]["Code"] not in THROTTLING or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0, base_delay * 2**attempt))
    raise AssertionError("unreachable")


def describe(kind: str, name: str) -> Optional[Dict[str, Any]]:
    """The job, or None if SageMaker has no job of that name."""
    k = KINDS[kind]
    try:
        return call(k["describe"], **{k["name"]: name})
    except ClientError as err:
        message = err.response["Error"].get("Message", "")
        if err.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound") and any(
            phrase in message.lower() for phrase in ("not found", "does not exist", "could not find")
        ):
            return None
        raise


def start(kind: str, name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """Start the job unless a job of that name exists already (a retried create)."""
    k = KINDS[kind]
    existing = describe(kind, name)
    if existing is not None:
        return existing
    body = dict(request)
    body[k["name"]] = name
    if kind == "training":
        hps = dict(body.get("HyperParameters") or {})
        hps.setdefault("sagemaker_job_name", json.dumps(name))  # as the SDK sets it
        body["HyperParameters"] = hps
    try:
        call(k["create"], **body)
    except ClientError as err:
        if "already exists" in err.response["Error"].get("Message", "").lower():
            return describe(kind, name) or {}
        raise
    return {k["status"]: "InProgress"}


def stop_if_running(kind: str, name: str) -> str:
    """Delete semantics: stop a running job; a missing or finished job is already gone."""
    k = KINDS[kind]
    job = describe(kind, name)
    if job is None:
        return "missing"
    status = job.get(k["status"])
    if status in RUNNING:
        try:
            call(k["stop"], **{k["name"]: name})
        except ClientError as err:
            if err.response["Error"]["Code"] != "ValidationException":
                raise
        return "stopping"
    return status or "unknown"


def outcome(kind: str, job: Dict[str, Any]) -> Dict[str, Any]:
    """What a finished job produced."""
    if kind == "training":
        return {"ModelArtifacts": job.get("ModelArtifacts", {}).get("S3ModelArtifacts", "")}
    return {"OutputPath": job.get("TransformOutput", {}).get("S3OutputPath", "")}


def failure_reason(kind: str, job: Dict[str, Any]) -> str:
    status = job.get(KINDS[kind]["status"])
    reason = job.get("FailureReason") or ("stopped before it finished" if status == "Stopped" else "no reason given")
    return f"SageMaker {kind} job {job.get(KINDS[kind]['name'])} {str(status).lower()}: {reason}"


# -- plumbing -----------------------------------------------------------------------------------


def put(url: str, body: Dict[str, Any]) -> None:
    """PUT a JSON document to a pre-signed S3 URL (custom resource response or wait-condition
    signal). The URL is signed without a content type, so none is sent."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(data))})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - CloudFormation's URL
        response.read()


def signal(handle_url: str, kind: str, job: Dict[str, Any]) -> None:
    status = job.get(KINDS[kind]["status"])
    ok = status == "Completed"
    put(
        handle_url,
        {
            "Status": "SUCCESS" if ok else "FAILURE",
            "Reason": "completed" if ok else failure_reason(kind, job)[:4000],
            "UniqueId": job.get(KINDS[kind]["name"], "job"),
            "Data": json.dumps(outcome(kind, job)) if ok else "",
        },
    )


def respond(event: Dict[str, Any], status: str, physical_id: str, reason: str = "", data: Optional[Dict[str, Any]] = None) -> None:
    put(
        event["ResponseURL"],
        {
            "Status": status,
            "Reason": (reason or f"See the log group of this function for {physical_id}")[:4000],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "NoEcho": False,
            "Data": data or {},
        },
    )


def on_job(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    kind, name = props["Kind"], props["JobName"]
    request_type = event["RequestType"]
    if request_type == "Delete":
        physical = event.get("PhysicalResourceId") or name
        state = stop_if_running(kind, physical)
        respond(event, "SUCCESS", physical, f"job {state}")
        return
    job = start(kind, name, json.loads(props["Request"]))
    if job.get(KINDS[kind]["status"]) in TERMINAL and props.get("WaitHandle"):
        signal(props["WaitHandle"], kind, {**job, KINDS[kind]["name"]: name})  # finished before we looked
    respond(event, "SUCCESS", name, f"started {kind} job {name}", {"JobName": name})


def on_result(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    kind, name = props["Kind"], props["JobName"]
    if event["RequestType"] == "Delete":
        respond(event, "SUCCESS", event.get("PhysicalResourceId") or name)
        return
    job = describe(kind, name)
    if job is None:
        respond(event, "FAILED", name, f"SageMaker {kind} job {name} does not exist")
        return
    if job.get(KINDS[kind]["status"]) != "Completed":
        respond(event, "FAILED", name, failure_reason(kind, job))
        return
    respond(event, "SUCCESS", name, "", outcome(kind, job))


def on_event(event: Dict[str, Any], context: Any = None) -> None:
    """Lambda entry point."""
    if "RequestType" in event:
        handler = on_result if event.get("ResourceType") == "Custom::JumpStartJobResult" else on_job
        try:
            handler(event)
        except Exception as err:  # report every failure to CloudFormation instead of hanging it
            respond(event, "FAILED", event.get("PhysicalResourceId") or event["ResourceProperties"].get("JobName", "none"),
                    f"{type(err).__name__}: {err}")
        return
    # EventBridge: {"kind": ..., "waitHandle": ..., "detail": <SageMaker state-change detail>}
    kind, detail = event["kind"], event["detail"]
    if detail.get(KINDS[kind]["status"]) in TERMINAL:
        job = describe(kind, detail[KINDS[kind]["name"]]) or detail
        signal(event["waitHandle"], kind, job)
