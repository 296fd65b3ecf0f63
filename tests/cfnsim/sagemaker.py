"""A SageMaker fake: requests are validated against botocore's service model (``ParamValidator`` plus
the min/max/pattern/enum constraints it skips: tests/conformance.py), and answers carry what the
service fills in. Sources, by rule:

* names unique "within an Amazon Web Services Region in an Amazon Web Services account" for ever
  (service model, ``CreateTrainingJob.TrainingJobName`` / ``CreateTransformJob.TransformJobName``;
  jobs cannot be deleted, so a stopped, failed or completed job keeps its name): ``ResourceInUse``
  (the operations' error list in the service model);
* a missing job: ``ValidationException`` "Requested resource not found." (the message
  sagemaker-python-sdk's ``model_card.py`` tests for after ``describe_training_job``);
  a missing model: "Could not find model ..." (same file, after ``describe_model``); an existing
  model: "Cannot create already existing model ..." (sagemaker-python-sdk ``session.py``,
  ``create_model``);
* ``S3DataType: S3Prefix`` URIs must end with ``/`` (service model, ``S3ModelDataSource.S3DataType``:
  "A valid key name prefix identified by S3Uri always ends with a forward slash");
* ``StopTrainingJob`` moves the job to ``Stopping``, then ``Stopped`` (service model, ``StopTrainingJob``:
  "SageMaker sends the algorithm the SIGTERM signal, which delays job termination for 120 seconds"),
  so minutes, not an instant (here 300 s); the transition is due at its time even while a Lambda
  invocation polls (a Describe* catches up with it: an invocation is atomic in virtual time);
* a stopped training job writes its artifacts when it reaches ``Stopped`` (same page: "Algorithms
  can use this 120-second window to save the model artifacts"; ``StoppingCondition.MaxRuntimeInSeconds``:
  artifacts are still uploaded after the stop), if its output bucket still exists;
* ``MaxRuntimeInSeconds`` reached: the job stops, ``SecondaryStatus: MaxRuntimeExceeded`` (service
  model, ``DescribeTrainingJob.SecondaryStatus``);
* output locations: ``S3OutputPath/<job name>/output/model.tar.gz``, or with ``CompressionType: NONE``
  the uncompressed files under ``S3OutputPath/<job name>/output/model/`` and ``S3ModelArtifacts``
  without its trailing slash (issue #18: what the service reports); checkpoints are written to
  ``CheckpointConfig.S3Uri`` itself ("Use checkpoints in Amazon SageMaker"); batch transform writes
  ``<input object name>.out`` under ``TransformOutput.S3OutputPath`` (service model,
  ``TransformOutput.S3OutputPath``: "For every S3 object used as input ... with an .out suffix");
* each status change is an EventBridge event, source ``aws.sagemaker``, detail-type "SageMaker
  Training Job State Change" / "SageMaker Transform Job State Change", detail shaped like the
  Describe output ("Amazon SageMaker events" in the SageMaker Developer Guide).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

from tests.conformance import shape_problems

from .botohook import ServiceError

ACCOUNT, REGION = "123456789012", "us-west-2"
KINDS = {
    "training": ("TrainingJobName", "TrainingJobStatus", "training-job", "SageMaker Training Job State Change"),
    "transform": ("TransformJobName", "TransformJobStatus", "transform-job", "SageMaker Transform Job State Change"),
}
STARTING, UPLOADING, STOPPING = 120.0, 60.0, 300.0  # seconds of provisioning, output upload, and a stop


def arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name.lower()}"


class SageMaker:
    def __init__(self, clock, s3, emit: Callable[[str, str, Dict[str, Any]], None]):
        self.clock, self.s3, self.emit = clock, s3, emit
        self.jobs: Dict[str, Dict[str, Any]] = {}  # name -> describe output (+ "_kind")
        self.models: Dict[str, Dict[str, Any]] = {}
        self.endpoints: Dict[str, Dict[str, Any]] = {}
        self.components: Dict[str, Dict[str, Any]] = {}  # inference components: name -> {"base", "spec"}
        self.plans: List[Tuple[str, str, float, str]] = []  # (name prefix, outcome, seconds, reason)
        self.default_run = 600.0
        self.history: List[Tuple[float, str, str]] = []  # (time, job, status)
        self.writes: Dict[str, List[str]] = {}  # job -> every s3://bucket/key it wrote

    # -- what tests steer --

    def plan(self, prefix: str, outcome: str = "Completed", seconds: Optional[float] = None, reason: str = "") -> None:
        """Jobs whose name starts with ``prefix`` end so (``Completed``/``Failed``) after ``seconds``
        of training (None: run until stopped or MaxRuntime)."""
        self.plans.insert(0, (prefix, outcome, float("inf") if seconds is None else seconds, reason))

    def end(self, prefix: str, outcome: str = "Completed", reason: str = "") -> None:
        """End now every job in progress whose name starts with ``prefix`` (``Completed``/``Failed``)."""
        for name in [n for n in self.running() if n.startswith(prefix)]:
            self._finish(name, outcome, reason)

    def running(self) -> List[str]:
        return [n for n, j in self.jobs.items() if j[KINDS[j["_kind"]][1]] in ("InProgress", "Stopping")]

    # -- validation --

    @staticmethod
    def _validate(operation: str, params: Dict[str, Any]) -> None:
        problems = shape_problems(operation, params)
        if problems:
            raise ServiceError("ValidationException", "; ".join(problems))

    # -- jobs --

    def _create_job(self, kind: str, operation: str, params: Dict[str, Any]) -> Dict[str, Any]:
        self._validate(operation, params)
        name_key, status_key, arn_kind, _ = KINDS[kind]
        name = params[name_key]
        if name in self.jobs:
            what = "Training job names" if kind == "training" else "Job names"
            raise ServiceError("ResourceInUse", f"{what} must be unique within an AWS account and region, and a "
                               f"{kind} job with this name already exists ({arn(arn_kind, name)})")
        job = copy.deepcopy(params)
        job.pop("Tags", None)
        job.update({"_kind": kind, "_tags": params.get("Tags", []), f"{name_key[:-4]}Arn": arn(arn_kind, name),
                    status_key: "InProgress", "CreationTime": self.clock.datetime(),
                    "LastModifiedTime": self.clock.datetime()})
        if kind == "training":
            job["SecondaryStatus"] = "Starting"
        self.jobs[name] = job
        self._changed(name)
        outcome, seconds, reason = next(((o, s, r) for p, o, s, r in self.plans if name.startswith(p)),
                                        ("Completed", self.default_run, ""))
        limit = float((params.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds", float("inf")))
        if seconds > limit:  # SecondaryStatus MaxRuntimeExceeded: the job stops at its MaxRuntime
            outcome, seconds, reason = "Stopped", limit, "MaxRuntimeExceeded"
        if seconds != float("inf"):
            self.clock.after(STARTING + seconds + UPLOADING, lambda: self._finish(name, outcome, reason))
        if kind == "training" and params.get("CheckpointConfig"):
            self.clock.after(STARTING + 1, lambda: self._write_checkpoint(name))
        return {f"{name_key[:-4]}Arn": arn(arn_kind, name)}

    def _status(self, name: str) -> str:
        job = self.jobs[name]
        return job[KINDS[job["_kind"]][1]]

    def _set(self, name: str, status: str, **extra: Any) -> None:
        job = self.jobs[name]
        job[KINDS[job["_kind"]][1]] = status
        job["LastModifiedTime"] = self.clock.datetime()
        job.update(extra)
        self._changed(name)

    def _changed(self, name: str) -> None:
        job = self.jobs[name]
        self.history.append((self.clock.now, name, self._status(name)))
        self.emit("aws.sagemaker", KINDS[job["_kind"]][3], self._public(job))

    def _finish(self, name: str, outcome: str, reason: str) -> None:
        if self._status(name) != "InProgress":
            return
        if outcome == "Completed":
            self._write_output(name)
            self._set(name, "Completed", **({"SecondaryStatus": "Completed"} if self.jobs[name]["_kind"] == "training"
                                           else {}))
        elif reason == "MaxRuntimeExceeded":
            self._write_stopped(name)
            self._set(name, "Stopped", SecondaryStatus="MaxRuntimeExceeded")
        else:
            self._set(name, outcome, FailureReason=reason or "AlgorithmError: simulated failure")

    def _put(self, job: str, bucket: str, key: str, data: bytes) -> None:
        self.s3.put(bucket, key, data)
        self.writes.setdefault(job, []).append(f"s3://{bucket}/{key}")

    def _write_output(self, name: str) -> None:
        job = self.jobs[name]
        if job["_kind"] == "training":
            base = f"{job['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{name}/output"
            bucket, key = _split(base)
            if (job["OutputDataConfig"].get("CompressionType") == "NONE"):
                self._put(name, bucket, f"{key}/model/model.bin", b"weights")
                job["ModelArtifacts"] = {"S3ModelArtifacts": f"{base}/model"}
            else:
                self._put(name, bucket, f"{key}/model.tar.gz", b"model.tar.gz")
                job["ModelArtifacts"] = {"S3ModelArtifacts": f"{base}/model.tar.gz"}
            return
        source = job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        out_bucket, out_prefix = _split(job["TransformOutput"]["S3OutputPath"].rstrip("/"))
        in_bucket, in_prefix = _split(source)
        for key in self.s3.keys(in_bucket, in_prefix) or [in_prefix]:
            self._put(name, out_bucket, f"{out_prefix}/{key[len(in_prefix):].lstrip('/') or key.split('/')[-1]}.out",
                        f"output of {name}".encode())

    def _write_stopped(self, name: str) -> None:
        """What a stopped training job saves in its SIGTERM window: its model as it stands."""
        job = self.jobs[name]
        if job["_kind"] != "training":
            return
        bucket, key = _split(f"{job['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{name}/output")
        if bucket in self.s3.buckets:  # a bucket deleted meanwhile: the upload fails, nothing is written
            self._put(name, bucket, f"{key}/model.tar.gz", b"partial model.tar.gz")
            job["ModelArtifacts"] = {"S3ModelArtifacts": f"s3://{bucket}/{key}/model.tar.gz"}

    def _stopped(self, name: str) -> None:
        """The end of a Stop: due at ``_stopping_until`` (run by the clock, or by a Describe* first)."""
        if self._status(name) == "Stopping" and self.clock.now >= self.jobs[name].get("_stopping_until", 0):
            self._write_stopped(name)
            self._set(name, "Stopped")

    def _write_checkpoint(self, name: str) -> None:
        job = self.jobs[name]
        if self._status(name) == "InProgress":
            bucket, key = _split(job["CheckpointConfig"]["S3Uri"].rstrip("/"))
            self._put(name, bucket, f"{key}/checkpoint.pt", f"checkpoint of {name}".encode())

    def _public(self, job: Dict[str, Any]) -> Dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in job.items() if not k.startswith("_")}

    def _describe(self, kind: str, name: str) -> Dict[str, Any]:
        job = self.jobs.get(name)
        if job is None or job["_kind"] != kind:
            raise ServiceError("ValidationException", "Requested resource not found.")
        self._stopped(name)  # a Stop due by now has ended, whether or not the clock ran its entry yet
        return self._public(job)

    def _stop(self, kind: str, name: str) -> Dict[str, Any]:
        self._describe(kind, name)
        status = self._status(name)
        if status != "InProgress":
            raise ServiceError("ValidationException",
                               f"The request was rejected because the {kind} job is in status {status}.")
        self._set(name, "Stopping", _stopping_until=self.clock.now + STOPPING)
        self.clock.after(STOPPING, lambda: self._stopped(name))
        return {}

    def CreateTrainingJob(self, **params):
        return self._create_job("training", "CreateTrainingJob", params)

    def CreateTransformJob(self, **params):
        return self._create_job("transform", "CreateTransformJob", params)

    def DescribeTrainingJob(self, TrainingJobName):
        return self._describe("training", TrainingJobName)

    def DescribeTransformJob(self, TransformJobName):
        return self._describe("transform", TransformJobName)

    def StopTrainingJob(self, TrainingJobName):
        return self._stop("training", TrainingJobName)

    def StopTransformJob(self, TransformJobName):
        return self._stop("transform", TransformJobName)

    def tags_of(self, name: str) -> Optional[List[Dict[str, str]]]:
        """The tags a job or model of that name was created with (``None``: no such resource), for the
        ``aws:ResourceTag/*`` keys of a call on it (tests/cfnsim/iam.py)."""
        item = self.jobs.get(name) or self.models.get(name)
        return None if item is None else list(item["_tags"])

    def ListTags(self, ResourceArn, **_):
        """Tags given at creation are kept (CreateTrainingJob/CreateTransformJob/CreateModel ``Tags``)."""
        for item in list(self.jobs.values()) + list(self.models.values()):
            if ResourceArn in (item.get("TrainingJobArn"), item.get("TransformJobArn"), item.get("ModelArn")):
                return {"Tags": item["_tags"]}
        raise ServiceError("ValidationException", "Requested resource not found.")

    # -- models --

    def CreateModel(self, **params):
        self._validate("CreateModel", params)
        for container in [params.get("PrimaryContainer")] + list(params.get("Containers") or []):
            source = ((container or {}).get("ModelDataSource") or {}).get("S3DataSource") or {}
            if source.get("S3DataType") == "S3Prefix" and not source.get("S3Uri", "").endswith("/"):
                raise ServiceError("ValidationException", f"S3Uri {source['S3Uri']} of S3DataType S3Prefix must "
                                   "end with a forward slash (/).")
        name = params["ModelName"]
        if name in self.models:
            raise ServiceError("ValidationException", f'Cannot create already existing model "{arn("model", name)}".')
        model = copy.deepcopy(params)
        model.pop("Tags", None)
        for key in ("PrimaryContainer",):
            if key in model:
                model[key].setdefault("Mode", "SingleModel")  # filled in by the service (ContainerDefinition.Mode)
        for container in model.get("Containers", []):
            container.setdefault("Mode", "SingleModel")
        model.update({"ModelArn": arn("model", name), "CreationTime": self.clock.datetime(),
                      "DeploymentRecommendation": {"RecommendationStatus": "COMPLETED",
                                                   "RealTimeInferenceRecommendations": []},
                      "_tags": params.get("Tags", [])})
        self.models[name] = model
        return {"ModelArn": model["ModelArn"]}

    def DescribeModel(self, ModelName):
        if ModelName not in self.models:
            raise ServiceError("ValidationException", f'Could not find model "{arn("model", ModelName)}".')
        return self._public(self.models[ModelName])

    def DeleteModel(self, ModelName):
        self.DescribeModel(ModelName)
        del self.models[ModelName]
        return {}


    # -- inference components (what CloudFormation's handler asks of the API) --

    def CreateInferenceComponent(self, name: str, specification: Dict[str, Any]) -> str:
        """An adapter names an existing base ("Before you can create an adapter inference component,
        you must have an existing inference component that contains the foundation model", the
        service model's InferenceComponentSpecification.BaseInferenceComponentName)."""
        if name in self.components:
            raise ServiceError("ValidationException", f'Cannot create already existing inference component "{name}".')
        base = specification.get("BaseInferenceComponentName")
        if base is not None and base not in self.components:
            raise ServiceError("ValidationException", f'Could not find inference component "{base}".')
        self.components[name] = {"base": base, "spec": specification}
        return arn("inference-component", name)

    def UpdateInferenceComponent(self, name: str, specification: Dict[str, Any]) -> None:
        """UpdateInferenceComponent names the component to update and has no new name: a name the
        template changes is one the API cannot find."""
        if name not in self.components:
            raise ServiceError("ValidationException", f'Could not find inference component "{name}".')
        self.components[name]["spec"] = specification

    def DeleteInferenceComponent(self, name: str) -> None:
        """A base that still carries adapters is refused (terraform-provider-aws#48894, tested against
        AWS: deleting a base with adapters fails; its adapters must go first)."""
        adapters = [n for n, c in self.components.items() if c["base"] == name]
        if adapters:
            raise ServiceError("ValidationException", f"Inference component {name} is a base inference component of "
                               f"{', '.join(adapters)}; delete them first.")
        self.components.pop(name, None)


def _split(uri: str) -> Tuple[str, str]:
    bucket, _, key = re.sub(r"^s3://", "", uri).partition("/")
    return bucket, key
