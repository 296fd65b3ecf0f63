"""Lambda handler of the constructs_jumpstart custom resources. Plain boto3.

Events that reach it:

* ``Custom::JumpStartJob`` (training and batch transform): Create/Update *start* the job and return
  at once; Delete *stops* a job that is still running (SageMaker jobs cannot be deleted) and treats a
  missing or finished job as already gone. The job's name is the construct's prefix (a hash of its
  inputs) plus a hash of the stack's wait-condition handle URL: every retry of one CloudFormation
  request, and a rollback to the resource as it was, finds the same job (no second job); a new
  deployment lifetime (after a failed create rolled back, or after ``cdk destroy``) has a new handle,
  so it starts a fresh job rather than reusing a failed one, or a finished one whose output sits in
  a bucket the new stack's roles cannot read.
* An EventBridge state-change event of the job, forwarded with the wait-condition handle: a finished
  job signals the ``AWS::CloudFormation::WaitCondition`` (SUCCESS, or FAILURE with SageMaker's
  ``FailureReason``).
* ``Custom::JumpStartJobResult`` (after the wait condition): reads the finished job's outputs.
* ``Custom::JumpStartModel``: ``CreateModel`` for models CloudFormation cannot describe (additional
  model data sources). Create is idempotent for an identical request (a retry, or a rollback to a
  model that still exists); Delete treats a missing model as gone.
* ``Custom::JumpStartArtifact``: the artifact packer: streams an S3 prefix (or a ``model.tar.gz``,
  with a ``sourcedir.tar.gz`` under ``code/``: the SDK's script-mode repack) into one
  ``model.tar.gz`` (multipart upload, bounded memory, no local copy), for what the service refuses
  ``ModelDataSource`` for (batch transform, serverless) and for script-mode models. Content-addressed
  and idempotent; Delete removes the object.

Every response to CloudFormation fits its 4096-byte limit, with the reason truncated by bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import tarfile
import time
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

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
RUNNING = {"InProgress", "Stopping"}
TERMINAL = {"Completed", "Failed", "Stopped"}
THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
RESPONSE_LIMIT = 4096  # bytes of a custom-resource response body (and of a wait-condition signal)
NAME_SUFFIX = 6

_clients: Dict[str, Any] = {}


def client(service: str):
    if service not in _clients:
        _clients[service] = boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))
    return _clients[service]


def sagemaker():
    return client("sagemaker")


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


def _not_found(err: ClientError) -> bool:
    message = err.response["Error"].get("Message", "").lower()
    return err.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound", "NoSuchKey", "404") and any(
        phrase in message for phrase in ("not found", "does not exist", "could not find", "not exist")
    )


# -- jobs ---------------------------------------------------------------------------------------


def job_name(prefix: str, wait_handle: str) -> str:
    """The job of one deployment lifetime: the inputs' prefix plus a hash of the wait handle URL."""
    return f"{prefix}-{hashlib.sha256(wait_handle.encode()).hexdigest()[:NAME_SUFFIX]}"


def describe(kind: str, name: str) -> Optional[Dict[str, Any]]:
    """The job, or None if SageMaker has no job of that name."""
    k = KINDS[kind]
    try:
        return call(k["describe"], **{k["name"]: name})
    except ClientError as err:
        if _not_found(err):
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
        call(k["create"], **build_request(kind, name, request))
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


# -- models created through the API ---------------------------------------------------------------


def _same_model(existing: Dict[str, Any], request: Dict[str, Any]) -> bool:
    """DescribeModel against the request: every member but the tags (which DescribeModel omits)."""
    return all(existing.get(key) == value for key, value in request.items() if key != "Tags")


def create_model(name: str, request: Dict[str, Any]) -> str:
    """CreateModel, idempotent for an identical request (retry; rollback to a model that still exists)."""
    try:
        call("create_model", **build_request("model", name, request))
        return "created"
    except ClientError as err:
        if "already exist" not in err.response["Error"].get("Message", "").lower():
            raise
    existing = call("describe_model", ModelName=name)
    if not _same_model(existing, request):
        raise RuntimeError(f"a different model named {name} exists already; delete it or change the construct's id")
    return "exists"


def delete_model(name: str) -> str:
    try:
        call("delete_model", ModelName=name)
        return "deleted"
    except ClientError as err:
        if _not_found(err):
            return "missing"
        raise


# -- the artifact packer --------------------------------------------------------------------------

PART_SIZE = 16 * 1024 * 1024
READ_SIZE = 1024 * 1024


class MultipartWriter(io.RawIOBase):
    """A write-only stream into an S3 multipart upload: parts of ``PART_SIZE`` are sent as they fill,
    so memory stays at about one part whatever the size of the artifact."""

    def __init__(self, s3, bucket: str, key: str, part_size: int = PART_SIZE, metadata: Optional[Dict[str, str]] = None):
        self.s3, self.bucket, self.key, self.part_size = s3, bucket, key, part_size
        self.upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/gzip",
                                                    Metadata=metadata or {})["UploadId"]
        self.parts: List[Dict[str, Any]] = []
        self.buffer = bytearray()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= self.part_size:
            self._send(bytes(self.buffer[: self.part_size]))
            del self.buffer[: self.part_size]
        return len(data)

    def _send(self, chunk: bytes) -> None:
        number = len(self.parts) + 1
        etag = self.s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number,
                                   Body=chunk)["ETag"]
        self.parts.append({"ETag": etag, "PartNumber": number})

    def complete(self) -> None:
        if self.buffer or not self.parts:
            self._send(bytes(self.buffer))
            self.buffer.clear()
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                          MultipartUpload={"Parts": self.parts})

    def abort(self) -> None:
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


def split_uri(uri: str) -> Tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def list_objects(s3, uri: str) -> Iterator[Dict[str, Any]]:
    bucket, prefix = split_uri(uri)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                yield item


def _sources(s3, source: str) -> List[Dict[str, Any]]:
    """The objects of a prefix (``.../``), or the one object a URI names."""
    if source.endswith("/"):
        return list(list_objects(s3, source))
    bucket, key = split_uri(source)
    return [{"Key": key, "Size": s3.head_object(Bucket=bucket, Key=key)["ContentLength"]}]


def _copy_prefix(s3, tar, source: str, objects: List[Dict[str, Any]]) -> None:
    bucket, prefix = split_uri(source)
    for item in objects:
        info = tarfile.TarInfo(item["Key"][len(prefix):].lstrip("/"))
        info.size, info.mode, info.mtime = item["Size"], 0o644, 0
        tar.addfile(info, _Reader(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"]))


def _copy_archive(s3, tar, uri: str, under: str = "") -> None:
    """Every member of the ``.tar.gz`` at ``uri``, streamed (``r|gz``), optionally under a directory."""
    bucket, key = split_uri(uri)
    body = _Reader(s3.get_object(Bucket=bucket, Key=key)["Body"])
    with tarfile.open(fileobj=body, mode="r|gz") as archive:
        for member in archive:
            name = member.name
            while name.startswith("./"):
                name = name[2:]
            if not name or name in (".",) or name.startswith("/") or ".." in name.split("/") \
                    or member.issym() or member.islnk():
                continue  # nothing that could escape the model directory
            member.name = f"{under}/{name}" if under else name
            tar.addfile(member, archive.extractfile(member) if member.isfile() else None)


def pack(s3, source: str, bucket: str, key: str, limit_bytes: int, code: str = "") -> Dict[str, Any]:
    """Stream ``source`` into ``s3://bucket/key`` as one gzip'd tar in the layout SageMaker unpacks
    into ``/opt/ml/model``: the objects of an S3 prefix (paths relative to it), or the members of a
    ``model.tar.gz``; with ``code`` (a ``sourcedir.tar.gz``), its members under ``code/``, as the
    SDK's repack does for script-mode models. Refuses, before writing anything, more than
    ``limit_bytes`` of input."""
    objects = _sources(s3, source)
    total = sum(o["Size"] for o in objects) + (sum(o["Size"] for o in _sources(s3, code)) if code else 0)
    if not objects:
        raise RuntimeError(f"{source} holds no objects to pack")
    if total > limit_bytes:
        raise RuntimeError(
            f"{source} holds {total / 2**30:.1f} GiB, more than the packer's limit of {limit_bytes / 2**30:.1f} GiB "
            "(what one Lambda invocation streams within its 15 minutes). Pack it yourself into a model.tar.gz "
            "and pass it as model_data=.")
    writer = MultipartWriter(s3, bucket, key, metadata={"source-bytes": str(total)})  # read back by a retry
    try:
        # level 0: the gzip framing SageMaker needs (model.tar.gz) without deflate, whose CPU time (47 MiB/s at
        # level 1 on one core) would bound the packer, for weights that do not compress anyway
        with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=0, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                if source.endswith("/"):
                    _copy_prefix(s3, tar, source, objects)
                else:
                    _copy_archive(s3, tar, source)
                if code:
                    _copy_archive(s3, tar, code, under="code")
        writer.complete()
    except BaseException:
        writer.abort()
        raise
    return {"ArtifactUri": f"s3://{bucket}/{key}", "SourceBytes": str(total), "ArtifactBytes": str(writer.size)}


class _Reader(io.RawIOBase):
    """tarfile reads in blocks; a botocore StreamingBody serves them without buffering the object."""

    def __init__(self, body):
        self.body = body

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.body.read(READ_SIZE if size is None or size < 0 else size)


def ensure_packed(props: Dict[str, Any]) -> Dict[str, Any]:
    s3 = client("s3")
    bucket, key = props["Bucket"], props["Key"]
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        return {"ArtifactUri": f"s3://{bucket}/{key}", "SourceBytes": head.get("Metadata", {}).get("source-bytes", ""),
                "ArtifactBytes": str(head["ContentLength"])}
    except ClientError as err:
        if err.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    return pack(s3, props["Source"], bucket, key, int(props["LimitBytes"]), props.get("Code", ""))


def remove_packed(bucket: str, key: str) -> str:
    """Delete every version of the packed artifact (the bucket is versioned), so ``cdk destroy``
    can delete the bucket; a missing object or bucket is already gone."""
    s3 = client("s3")
    try:
        listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return "missing"
        raise
    versions = [v for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []) if v["Key"] == key]
    for version in versions:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
    return "deleted" if versions else "missing"


# -- plumbing -----------------------------------------------------------------------------------


def fit(body: Dict[str, Any], field: str = "Reason", limit: int = RESPONSE_LIMIT) -> bytes:
    """The JSON body, with ``field`` cut (by bytes of the encoded document, escapes included) so
    the whole body fits ``limit``."""
    data = json.dumps(body).encode()
    text = str(body.get(field, ""))
    while len(data) > limit and text:
        over = len(data) - limit
        text = text[: max(0, len(text) - max(over, 1) - 3)]
        data = json.dumps({**body, field: text + "..."}).encode()
    return data


def put(url: str, data: bytes) -> None:
    """PUT a JSON document to a pre-signed S3 URL (custom resource response or wait-condition
    signal). The URL is signed without a content type, so none is sent."""
    request = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(data))})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - CloudFormation's URL
        response.read()


def signal(handle_url: str, kind: str, job: Dict[str, Any]) -> None:
    status = job.get(KINDS[kind]["status"])
    ok = status == "Completed"
    put(handle_url, fit({
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


def respond(event: Dict[str, Any], status: str, physical_id: str, reason: str = "", data: Optional[Dict[str, Any]] = None) -> None:
    put(event["ResponseURL"], fit({
        "Status": status,
        "Reason": reason or f"See the log group of this function for {physical_id}",
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": data or {},
    }))


def on_job(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    kind = props["Kind"]
    if event["RequestType"] == "Delete":
        physical = event.get("PhysicalResourceId") or ""
        state = stop_if_running(kind, physical) if physical.startswith(props["JobName"]) else "never started"
        respond(event, "SUCCESS", physical or props["JobName"], f"job {state}")
        return
    name = job_name(props["JobName"], props["WaitHandle"])
    job = start(kind, name, json.loads(props["Request"]))
    signal_if_finished(event["RequestType"], kind, job, props["WaitHandle"])  # a retried create
    respond(event, "SUCCESS", name, f"{kind} job {name}", {"JobName": name})


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


def on_model(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    if event["RequestType"] == "Delete":
        name = event.get("PhysicalResourceId") or props["ModelName"]
        respond(event, "SUCCESS", name, f"model {delete_model(name)}")
        return
    name = props["ModelName"]
    state = create_model(name, json.loads(props["Request"]))
    respond(event, "SUCCESS", name, f"model {name} {state}", {"ModelName": name})


def on_artifact(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    physical = f"s3://{props['Bucket']}/{props['Key']}"
    if event["RequestType"] == "Delete":
        bucket, key = split_uri(event.get("PhysicalResourceId") or physical)
        respond(event, "SUCCESS", event.get("PhysicalResourceId") or physical, f"artifact {remove_packed(bucket, key)}")
        return
    respond(event, "SUCCESS", physical, f"packed {props['Source']}", ensure_packed(props))


# -- waits longer than 12 hours: a chain of wait conditions ------------------------------------------

STAGE_SECONDS = 43200
STAGE_END = 11 * 3600  # a heartbeat ends a stage this long after it began, well before its 12 hours


def stack_resources(stack: str) -> Dict[str, Dict[str, Any]]:
    resources = client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r for r in resources}


def current_stage(event: Dict[str, Any], resources: Dict[str, Dict[str, Any]]) -> Optional[Tuple[int, str, Any]]:
    """(index, handle URL, start time) of the chain's wait in progress, or None between stages."""
    for index, stage in enumerate(event["stages"]):
        wait = resources.get(stage["wait"], {})
        if wait.get("ResourceStatus") == "CREATE_IN_PROGRESS" and stage["handle"] in resources:
            return index, resources[stage["handle"]]["PhysicalResourceId"], wait.get("Timestamp")
    return None


def on_chain_event(event: Dict[str, Any], now: Optional[float] = None) -> str:
    """A state change or an hourly heartbeat of a job with a chained wait: signal the stage in
    progress with the job's end, or (heartbeat) end a stage that has waited 11 hours while the job
    still runs. Between stages nothing is signalled: the next checkpoint looks at the job itself."""
    kind = event["kind"]
    resources = stack_resources(event["stack"])
    stage = current_stage(event, resources)
    if stage is None:
        return "between stages"
    index, handle, started = stage
    name = (event.get("detail") or {}).get(KINDS[kind]["name"]) or resources.get(event["job"], {}).get("PhysicalResourceId")
    job = describe(kind, name) if name else None
    if job is not None and job.get(KINDS[kind]["status"]) in TERMINAL:
        signal(handle, kind, job)
        return f"stage {index}: {job.get(KINDS[kind]['status'])}"
    last = index == len(event["stages"]) - 1
    waited = (now or time.time()) - (started.timestamp() if hasattr(started, "timestamp") else float(started or 0))
    if event.get("heartbeat") and not last and waited >= STAGE_END:
        put(handle, fit({"Status": "SUCCESS", "Reason": f"{name} still running after stage {index}",
                         "UniqueId": f"stage-{index}", "Data": ""}))
        return f"stage {index}: still running"
    return f"stage {index}: waiting"


def on_checkpoint(event: Dict[str, Any]) -> None:
    """Between two stages: a job that already finished signals the new stage's handle at once."""
    props = event["ResourceProperties"]
    physical = f"{props['JobName']}-stage-{props['Stage']}"
    if event["RequestType"] == "Create":
        signal_if_finished("Create", props["Kind"], describe(props["Kind"], props["JobName"]), props["WaitHandle"])
    respond(event, "SUCCESS", event.get("PhysicalResourceId") or physical, "checkpoint")


HANDLERS = {"Custom::JumpStartJobResult": on_result, "Custom::JumpStartModel": on_model,
            "Custom::JumpStartArtifact": on_artifact, "Custom::JumpStartJobCheckpoint": on_checkpoint}


def on_event(event: Dict[str, Any], context: Any = None) -> None:
    """Lambda entry point."""
    if "RequestType" in event:
        handler = HANDLERS.get(event.get("ResourceType", ""), on_job)
        try:
            handler(event)
        except Exception as err:  # report every failure to CloudFormation instead of hanging it
            props = event.get("ResourceProperties", {})
            physical = event.get("PhysicalResourceId") or props.get("JobName") or props.get("ModelName") or "none"
            respond(event, "FAILED", physical, f"{type(err).__name__}: {err}")
        return
    if "stages" in event:  # a chained wait: state change or heartbeat
        print(on_chain_event(event))
        return
    # EventBridge: {"kind": ..., "waitHandle": ..., "detail": <SageMaker state-change detail>}
    kind, detail = event["kind"], event["detail"]
    if detail.get(KINDS[kind]["status"]) in TERMINAL:
        job = describe(kind, detail[KINDS[kind]["name"]]) or detail
        signal(event["waitHandle"], kind, job)
