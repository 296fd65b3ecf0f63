"""``Custom::JumpStartJob`` and ``Custom::JumpStartJobResult``: SageMaker training and transform jobs.

Create/Update *start* the job and return at once; Delete *stops* a job that is still running
(SageMaker jobs cannot be deleted) and treats a missing or finished job as already gone. The job's
name is the construct's prefix (a hash of its inputs) plus a hash of the stack's wait-condition
handle URL: every retry of one CloudFormation request, and a rollback to the resource as it was,
finds the same job (no second job); a new deployment lifetime (after a failed create rolled back, or
after ``cdk destroy``) has a new handle, so it starts a fresh job rather than reusing a failed one,
or a finished one whose output sits in a bucket the new stack's roles cannot read. The job's
EventBridge state change, forwarded with the handle, signals the ``AWS::CloudFormation::WaitCondition``
(SUCCESS, or FAILURE with SageMaker's ``FailureReason``); the result resource then reads the outputs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional

from botocore.exceptions import ClientError

from . import aws, cfn

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
RUNNING = {"InProgress", "Stopping"}
TERMINAL = {"Completed", "Failed", "Stopped"}
NAME_SUFFIX = 6


def job_name(prefix: str, wait_handle: str) -> str:
    """The job of one deployment lifetime: the inputs' prefix plus a hash of the wait handle URL."""
    return f"{prefix}-{hashlib.sha256(wait_handle.encode()).hexdigest()[:NAME_SUFFIX]}"


def describe(kind: str, name: str) -> Optional[Dict[str, Any]]:
    """The job, or None if SageMaker has no job of that name."""
    k = KINDS[kind]
    try:
        return aws.call(k["describe"], **{k["name"]: name})
    except ClientError as err:
        if aws.not_found(err):
            return None
        raise


def build_request(kind: str, name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """The exact Create* request body sent for ``request`` under ``name`` (the conformance check
    validates this very function's output against the service model)."""
    if kind == "model":
        return {"ModelName": name, **request}
    body = dict(request)
    body[KINDS[kind]["name"]] = name
    if kind == "training":
        hps = dict(body.get("HyperParameters") or {})
        hps.setdefault("sagemaker_job_name", json.dumps(name))  # as the SDK sets it
        body["HyperParameters"] = hps
    return body


def start(kind: str, name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """Start the job unless a job of that name exists already (a retried create, or a rollback)."""
    k = KINDS[kind]
    existing = describe(kind, name)
    if existing is not None:
        return existing
    try:
        aws.call(k["create"], **build_request(kind, name, request))
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
            aws.call(k["stop"], **{k["name"]: name})
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


def signal(handle_url: str, kind: str, job: Dict[str, Any]) -> None:
    status = job.get(KINDS[kind]["status"])
    ok = status == "Completed"
    cfn.put(handle_url, cfn.fit({
        "Status": "SUCCESS" if ok else "FAILURE",
        "Reason": "completed" if ok else failure_reason(kind, job),
        "UniqueId": job.get(KINDS[kind]["name"], "job"),
        "Data": json.dumps(outcome(kind, job)) if ok else "",
    }))


def signal_if_finished(request_type: str, kind: str, job: Optional[Dict[str, Any]], handle_url: str) -> None:
    """A Create (a retry, or a checkpoint between two stages) that finds its job already finished
    makes sure the wait hears of it. Best effort: the state-change event and the heartbeat signal
    too. An Update is a rollback to something that already waited: its handle's pre-signed URL may
    have expired, so nothing is sent."""
    if request_type != "Create" or job is None or job.get(KINDS[kind]["status"]) not in TERMINAL:
        return
    try:
        signal(handle_url, kind, job)
    except Exception as err:  # noqa: BLE001 - see above
        print(f"signal of {job.get(KINDS[kind]['name'])} not sent: {err}")


def on_job(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    kind = props["Kind"]
    if event["RequestType"] == "Delete":
        physical = event.get("PhysicalResourceId") or ""
        state = stop_if_running(kind, physical) if physical.startswith(props["JobName"]) else "never started"
        cfn.respond(event, "SUCCESS", physical or props["JobName"], f"job {state}")
        return
    name = job_name(props["JobName"], props["WaitHandle"])
    job = start(kind, name, json.loads(props["Request"]))
    signal_if_finished(event["RequestType"], kind, job, props["WaitHandle"])  # a retried create
    cfn.respond(event, "SUCCESS", name, f"{kind} job {name}", {"JobName": name})


def on_result(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    kind, name = props["Kind"], props["JobName"]
    if event["RequestType"] == "Delete":
        cfn.respond(event, "SUCCESS", event.get("PhysicalResourceId") or name)
        return
    job = describe(kind, name)
    if job is None:
        cfn.respond(event, "FAILED", name, f"SageMaker {kind} job {name} does not exist")
        return
    if job.get(KINDS[kind]["status"]) != "Completed":
        cfn.respond(event, "FAILED", name, failure_reason(kind, job))
        return
    cfn.respond(event, "SUCCESS", name, "", outcome(kind, job))


def on_state_change(event: Dict[str, Any]) -> None:
    """EventBridge: ``{"kind": ..., "waitHandle": ..., "detail": <SageMaker state-change detail>}``."""
    kind, detail = event["kind"], event["detail"]
    if detail.get(KINDS[kind]["status"]) in TERMINAL:
        job = describe(kind, detail[KINDS[kind]["name"]]) or detail
        signal(event["waitHandle"], kind, job)
