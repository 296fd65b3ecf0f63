"""``Custom::JumpStartJob`` and ``Custom::JumpStartJobResult``: SageMaker training and transform jobs.

Create/Update *start* the job and return at once; Delete *stops* a job that is still running
(SageMaker jobs cannot be deleted) and answers once it is ``Stopped`` (see ``delete_job``), and
treats a missing or finished job as already gone. The job's
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
import time
from typing import Any, Dict, List, Optional

from botocore.exceptions import ClientError

from . import aws, cfn, reasons

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
FINGERPRINT = 12
ID_SEPARATOR = "#"
"""Between the job's name and its request's fingerprint in the physical id."""


def job_name(prefix: str, wait_handle: str) -> str:
    """The job of one deployment lifetime: the inputs' prefix plus a hash of the wait handle URL."""
    return f"{prefix}-{hashlib.sha256(wait_handle.encode()).hexdigest()[:NAME_SUFFIX]}"


def describe(kind: str, name: str, denied_for: float = 0.0) -> Optional[Dict[str, Any]]:
    """The job, or None if SageMaker has no job of that name (a denial tried again for ``denied_for``
    seconds, see ``aws.PROPAGATION``)."""
    k = KINDS[kind]
    try:
        return aws.call(k["describe"], denied_for=denied_for, **{k["name"]: name})
    except ClientError as err:
        if aws.not_found(err):
            return None
        raise


def build_request(kind: str, name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """The exact Create* request body sent for ``request`` under ``name`` (the conformance check
    validates this very function's output against the service model). Every job writes under its
    own name: a transform's output and a training job's checkpoints, as the SDK's default transform
    output path (sagemaker-python-sdk ``Transformer.transform``: ``s3_path_join(..., job name)``) and
    its model output (``<S3OutputPath>/<job name>/output``); a shared checkpoint prefix would make a new
    job resume from an old job's state (SageMaker copies ``CheckpointConfig.S3Uri`` to the instance at
    start: "Use checkpoints in Amazon SageMaker", SageMaker Developer Guide)."""
    if kind == "model":
        return {"ModelName": name, **request}
    body = json.loads(json.dumps(request))  # a deep copy: the nested paths below change
    body[KINDS[kind]["name"]] = name
    if not body.get("Tags"):  # a job without tags (the runner renders an empty list)
        body.pop("Tags", None)
    if kind == "training":
        hps = dict(body.get("HyperParameters") or {})
        if "sagemaker_program" in hps:  # script mode only, as the SDK sets it (sagemaker-python-sdk
            # ``EstimatorBase._prepare_for_training``: ``_script_mode_hyperparam_update``, behind an
            # entry point or source dir, adds the job name beside ``sagemaker_program``)
            hps.setdefault("sagemaker_job_name", json.dumps(name))
        if hps:
            body["HyperParameters"] = hps
        if "CheckpointConfig" in body:
            body["CheckpointConfig"]["S3Uri"] = under(body["CheckpointConfig"]["S3Uri"], name)
    if kind == "transform":
        body["TransformOutput"]["S3OutputPath"] = under(body["TransformOutput"]["S3OutputPath"], name)
    return body


def under(uri: str, name: str) -> str:
    """``uri``'s prefix for one job: ``<uri>/<name>/``."""
    return f"{uri.rstrip('/')}/{name}/"


def fingerprint(request: Dict[str, Any]) -> str:
    """A digest of the request as CloudFormation resolved it, tags aside (a changed tag is no new
    job): the job's physical id carries it, so an Update that keeps the job's name (a value known only
    at deploy changed) is told apart from a rollback to what the job was started with."""
    body = {k: v for k, v in request.items() if k != "Tags"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:FINGERPRINT]


def changed_paths(old: Any, new: Any, path: str = "") -> List[str]:
    """The dotted paths where two requests differ (for a reason a person can act on)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        keys = [k for k in keys if k != "Tags" or path]  # the request's own tags are no input of the job
        return [p for k in keys for p in changed_paths(old.get(k), new.get(k), f"{path}.{k}".lstrip("."))]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in changed_paths(a, b, f"{path}[{i}]")]
    return [] if old == new else [path or "(the request)"]


class JobMayExist(Exception):
    """A failure after the Create* request was sent: the job may run, so the resource must keep a
    physical id whose Delete stops it (never the failed-create marker, whose Delete is a no-op)."""


def start(kind: str, name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """Start the job unless a job of that name exists already (a retried create, or a rollback)."""
    k = KINDS[kind]
    existing = describe(kind, name, aws.PROPAGATION)  # the construct's policy may be new (see aws.PROPAGATION)
    if existing is not None:
        return existing
    try:
        aws.call(k["create"], denied_for=aws.PROPAGATION, **build_request(kind, name, request))
    except ClientError as err:
        if "already exists" in err.response["Error"].get("Message", "").lower():
            return describe(kind, name) or {}
        raise JobMayExist(f"{type(err).__name__}: {err}") from err
    except Exception as err:  # a timeout or a lost connection: SageMaker may have accepted it
        raise JobMayExist(f"{type(err).__name__}: {err}") from err
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


STOP_POLL = 10.0
"""Seconds between two ``Describe*Job`` calls while a stopped job is ``Stopping``."""
STOP_MARGIN = 30.0
"""Seconds of the invocation kept to answer CloudFormation after the last poll (a call, a PUT)."""


def wait_stopped(kind: str, name: str) -> str:
    """Poll a job that was asked to stop until it is no longer running, within the invocation's time
    (``aws.seconds_left()``, less ``STOP_MARGIN``). ``StopTrainingJob`` gives the algorithm 120
    seconds after SIGTERM to save its model artifacts, and ``StoppingCondition.MaxRuntimeInSeconds``
    says artifacts are still uploaded after a stop (SageMaker API Reference): until ``Stopped`` the
    job may write to the output bucket, which CDK's auto-delete would have emptied already (the
    bucket's ``DeleteBucket`` then fails: BucketNotEmpty). Returns the last status seen."""
    status = "Stopping"
    while True:
        job = describe(kind, name)
        status = (job or {}).get(KINDS[kind]["status"]) or "missing"
        if status not in RUNNING or aws.seconds_left() < STOP_MARGIN + STOP_POLL:
            return status
        time.sleep(STOP_POLL)


def delete_job(event: Dict[str, Any], kind: str, name: str) -> None:
    """Delete: stop the job. Where its output bucket is emptied and deleted after it (the property
    ``WaitForStop``: a training job's bucket created with ``RemovalPolicy.DESTROY``), answer once it
    has stopped; if it still stops when the invocation's time runs out, FAILED (the stack's delete
    fails on this resource, with this reason, and deleting again finds the job stopped): CloudFormation
    would otherwise delete the bucket while SageMaker may still write to it, and fail there with a
    reason that names neither the job nor the cause. Elsewhere (the user's bucket, a retained one, a
    transform job, which stores no output once stopped: ``StopTransformJob``) it answers at once."""
    physical = event.get("PhysicalResourceId") or name
    state = stop_if_running(kind, name)
    if state == "stopping" and event["ResourceProperties"].get("WaitForStop") == "true":
        state = wait_stopped(kind, name)
        if state in RUNNING:
            cfn.respond(event, "FAILED", physical, (
                f"SageMaker {kind} job {name} is still {state} (it may still write its artifacts to the output "
                "bucket); delete the stack again once the job is Stopped"))
            return
    cfn.respond(event, "SUCCESS", physical, f"job {state}")


def outcome(kind: str, job: Dict[str, Any]) -> Dict[str, Any]:
    """What a finished job produced. An uncompressed model (``CompressionType`` ``NONE``) is an S3
    prefix, which hosting takes only with a trailing ``/`` (``S3ModelDataSource.S3Uri``, SageMaker
    API Reference; the SDK appends it: sagemaker-python-sdk ``EstimatorBase.model_data``)."""
    if kind == "training":
        uri = job.get("ModelArtifacts", {}).get("S3ModelArtifacts", "")
        if uri and job.get("OutputDataConfig", {}).get("CompressionType") == "NONE" and not uri.endswith("/"):
            uri += "/"
        return {"ModelArtifacts": uri}
    return {"OutputPath": job.get("TransformOutput", {}).get("S3OutputPath", "")}


def failure_reason(kind: str, job: Dict[str, Any]) -> str:
    """Why the job did not complete, without its environment's and hyperparameters' values (see
    ``reasons``): SageMaker's ``FailureReason`` can quote them."""
    status = job.get(KINDS[kind]["status"])
    reason = job.get("FailureReason") or ("stopped before it finished" if status == "Stopped" else "no reason given")
    return reasons.safe(f"SageMaker {kind} job {job.get(KINDS[kind]['name'])} {str(status).lower()}: {reason}",
                        reasons.sensitive_values(job))


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
    """Create/Update start (or find) the job of this lifetime; Delete stops it. The name is derived
    from the properties in every case, never read from the physical id, which may be CloudFormation's
    own (a lost response) or the failed-create marker."""
    props = event["ResourceProperties"]
    kind = props["Kind"]
    name = job_name(props["JobName"], props["WaitHandle"])
    if event["RequestType"] == "Delete":
        delete_job(event, kind, name)
        return
    request = json.loads(props["Request"])
    physical = f"{name}{ID_SEPARATOR}{fingerprint(request)}"
    previous = event.get("PhysicalResourceId") or ""
    if event["RequestType"] == "Update" and previous.split(ID_SEPARATOR)[0] == name:
        if not same_request(event, previous, physical):
            return
        physical = previous  # the same job (a rollback, a changed tag, an id from before fingerprints)
    try:
        job = start(kind, name, request)
    except JobMayExist as err:
        failed_after_start(event, kind, name, physical, str(err))
        return
    signal_if_finished(event["RequestType"], kind, job, props["WaitHandle"])  # a retried create
    cfn.respond(event, "SUCCESS", physical, f"{kind} job {name}", {"JobName": name})


def same_request(event: Dict[str, Any], previous: str, physical: str) -> bool:
    """An Update that keeps the job's name (prefix and wait handle): the request must be the one the
    job was started with. A value known only at deploy (a CfnParameter, an SSM parameter, an import)
    changes the resolved request but neither the name nor the wait, and a wait condition cannot wait
    again: refused with what changed (docs/jobs.md, "Fine-tuning and batch transform")."""
    if ID_SEPARATOR not in previous or previous == physical:
        return True
    old = json.loads((event.get("OldResourceProperties") or {}).get("Request") or "{}")
    changed = changed_paths(old, json.loads(event["ResourceProperties"]["Request"]))
    cfn.respond(event, "FAILED", previous, (
        f"a deploy-time value of the {event['ResourceProperties']['Kind']} job's request changed "
        f"({', '.join(changed[:5]) or 'the request'}), but its name and wait did not: the finished job cannot run "
        "again under them. Change a synth-time input of the construct (e.g. its id, or any prop) to start a new "
        "job, or revert the value."))
    return False


def failed_after_start(event: Dict[str, Any], kind: str, name: str, physical: str, reason: str) -> None:
    """The Create* request may have started the job. A Create answers FAILED with the job's id (its
    rollback Delete stops the job); an Update keeps the resource's id, so the job it may have started
    is stopped here (best effort), as no Delete will name it."""
    if event["RequestType"] == "Update":
        try:
            stop_if_running(kind, name)
        except Exception as err:  # noqa: BLE001 - the failure below is what CloudFormation must hear
            print(f"{name} not stopped: {err}")
        physical = event.get("PhysicalResourceId") or physical
    cfn.respond(event, "FAILED", physical, reason)


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
    """EventBridge: ``{"kind", "prefix", "waitHandle", "detail": <SageMaker state-change detail>}``.
    The rule matches the name prefix only, so a previous lifetime's job (its ``Stopped`` event comes
    minutes after a destroy) matches too: only the job named for this handle signals it."""
    kind, detail = event["kind"], event["detail"]
    if "prefix" in event and detail.get(KINDS[kind]["name"]) != job_name(event["prefix"], event["waitHandle"]):
        print(f"{detail.get(KINDS[kind]['name'])}: not the job of this wait")
        return
    if detail.get(KINDS[kind]["status"]) in TERMINAL:
        job = describe(kind, detail[KINDS[kind]["name"]]) or detail
        signal(event["waitHandle"], kind, job)
