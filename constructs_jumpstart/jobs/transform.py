"""``JumpStartBatchTransform``: batch inference with a JumpStart model over an S3 prefix."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .. import _api_rules, _iam
from ..errors import JumpStartError, ValidationError
from .._checks import adopt, collect_problems, raise_problems
from .._report import reports_problems
from ..model import JumpStartModel
from ..types import ResolvedModel
from . import _s3
from .runner import MAX_WAIT, JobRunner, job_name_base

SPLIT_TYPES = ("None", "Line", "RecordIO", "TFRecord")
BATCH_STRATEGIES = ("MultiRecord", "SingleRecord")


def _failed_transform(job: "JumpStartBatchTransform") -> dict:
    from .._report import PLACEHOLDER

    return {"job_name": PLACEHOLDER, "output_uri": f"s3://{PLACEHOLDER}/"}


def _option_problems(instance_count: Any, split_type: Optional[str], batch_strategy: Optional[str],
                     max_payload_mb: Optional[int]) -> List[str]:
    problems = []
    if not isinstance(instance_count, int) or instance_count < 1:
        problems.append(f"instance_count must be an integer of at least 1; got {instance_count!r}.")
    if split_type is not None and split_type not in SPLIT_TYPES:
        problems.append(f"split_type {split_type!r} is not one of {', '.join(SPLIT_TYPES)}.")
    if batch_strategy is not None and batch_strategy not in BATCH_STRATEGIES:
        problems.append(f"batch_strategy {batch_strategy!r} is not one of {', '.join(BATCH_STRATEGIES)}.")
    if max_payload_mb is not None and not 0 <= max_payload_mb <= 100:
        problems.append(f"max_payload_mb must be between 0 and 100; got {max_payload_mb}.")
    return problems


def _model_problems(model: JumpStartModel, chosen_type: str, content_type: Optional[str],
                    accept: Optional[str]) -> List[str]:
    """What batch transform refuses of this model: ModelDataSource, an instance type the API or the
    spec does not take, content and accept types the spec does not list."""
    resolved, problems = model.resolved, []
    if model.uses_model_data_source:
        problems.append(
            f"model {model.node.path} reads its artifact through ModelDataSource, which batch transform refuses "
            f"({_api_rules.MODEL_DATA_SOURCE_DOC}). Create it with compress_artifact=True (packs the S3 prefix "
            "into a model.tar.gz at deploy), or pass model_id= and let the transform create its model."
        )
    api_problem = _api_rules.instance_type_problem("transform", chosen_type)
    if api_problem:
        problems.append(api_problem)
    elif resolved.supported_instance_types and chosen_type not in resolved.supported_instance_types:
        problems.append(
            f"instance_type '{chosen_type}' is not supported by '{resolved.model_id}' {resolved.version}; "
            f"supported: {', '.join(resolved.supported_instance_types)}."
        )
    if content_type and resolved.supported_content_types and content_type not in resolved.supported_content_types:
        problems.append(
            f"content_type {content_type!r} is not accepted by '{resolved.model_id}'; "
            f"supported: {', '.join(resolved.supported_content_types)}."
        )
    if accept and resolved.supported_accept_types and accept not in resolved.supported_accept_types:
        problems.append(
            f"accept {accept!r} is not produced by '{resolved.model_id}'; supported: "
            f"{', '.join(resolved.supported_accept_types)}."
        )
    return problems


def _request(model_name: str, source: Any, output: Any, content_type: Optional[str], accept: Optional[str],
             split_type: Optional[str], instance_type: str, instance_count: int, max_payload_mb: Optional[int],
             batch_strategy: Optional[str], max_concurrent_transforms: Optional[int]) -> Dict[str, Any]:
    """The ``CreateTransformJob`` body (less the name, which the handler adds; keys added after)."""
    transform_input: Dict[str, Any] = {
        "DataSource": {"S3DataSource": {"S3DataType": source.data_type, "S3Uri": source.uri}},
    }
    if content_type:
        transform_input["ContentType"] = content_type
    if split_type:
        transform_input["SplitType"] = split_type
    transform_output: Dict[str, Any] = {"S3OutputPath": output.uri}
    if accept:
        transform_output["Accept"] = accept
    if split_type == "Line":
        transform_output["AssembleWith"] = "Line"
    request: Dict[str, Any] = {
        "ModelName": model_name,
        "TransformInput": transform_input,
        "TransformOutput": transform_output,
        "TransformResources": {"InstanceType": instance_type, "InstanceCount": instance_count},
    }
    if max_payload_mb is not None:
        request["MaxPayloadInMB"] = max_payload_mb
    if batch_strategy:
        request["BatchStrategy"] = batch_strategy
    if max_concurrent_transforms is not None:
        request["MaxConcurrentTransforms"] = max_concurrent_transforms
    return request


class JumpStartBatchTransform(Construct):
    """Runs a SageMaker batch transform job with a JumpStart model (base or fine-tuned) over an S3
    input prefix, at deploy, and waits for it (up to 12 hours).

    Example::

        JumpStartBatchTransform(self, "Classify", model_id="pytorch-ic-mobilenet-v2",
                                input_data="s3://my-bucket/images/", content_type="application/x-image")

    Pass ``model=`` an existing :class:`JumpStartModel` (e.g. one serving a fine-tuned
    ``model_data``) or ``model_id`` (+ ``model_data``) to create one. Content type and accept
    default to the spec's and are checked against the types it supports.
    """

    failed = False
    """``True`` when its problems were reported as synth errors (see ``jumpstart:errors``)."""
    model = output_bucket = runner = encryption_key = None

    @reports_problems(_failed_transform)
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        input_data: _s3.S3Input,
        input_prefix: str = "",
        model: Optional[JumpStartModel] = None,
        model_id: Optional[str] = None,
        model_version: str = "*",
        model_data: Optional[str] = None,
        accept_eula: bool = False,
        config_name: Optional[str] = None,
        hub: Optional[str] = None,
        tolerate_deprecated: bool = False,
        tolerate_vulnerable: bool = False,
        environment: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
        accept: Optional[str] = None,
        split_type: Optional[str] = None,
        batch_strategy: Optional[str] = None,
        max_payload_mb: Optional[int] = None,
        max_concurrent_transforms: Optional[int] = None,
        instance_type: Optional[str] = None,
        instance_count: int = 1,
        output_bucket: Optional[s3.IBucket] = None,
        output_prefix: str = "jumpstart-transform",
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        encryption_key: Optional[kms.IKey] = None,
        timeout: Duration = MAX_WAIT,
        tags: Optional[Mapping[str, str]] = None,
        expected_bucket_owner: Optional[str] = None,
    ) -> None:
        """
        Args:
            input_data: ``s3://bucket/prefix/``, an ``s3.Bucket`` (with ``input_prefix``) or an asset.
            model: the model to run; or ``model_id`` / ``model_version`` / ``model_data`` (and the
                EULA and tolerate flags, ``config_name``, ``hub``) to create one here.
            content_type / accept: MIME types; default: the spec's defaults.
            split_type: ``None``, ``Line``, ``RecordIO`` or ``TFRecord``.
            batch_strategy: ``MultiRecord`` or ``SingleRecord``.
            max_payload_mb: 0-100. max_concurrent_transforms: per instance.
            instance_type: default: the model's instance type (the spec's inference default).
            instance_count: instances for the job.
            output_bucket / output_prefix: where results go; default: a new encrypted bucket.
            removal_policy: for the created output bucket (default RETAIN).
            encryption_key: KMS key for the output and the instance volumes (``TransformOutput.KmsKeyId``,
                ``TransformResources.VolumeKmsKeyId``, the created output bucket), as an endpoint's;
                default: a created key with rotation, kept as the output bucket is (``removal_policy``).
            timeout: how long the stack waits for the job (at most 12 hours).
            tags: tags of the transform job (``Tags.of(scope)`` reaches the job too: SageMaker, not
                CloudFormation, creates it).
            expected_bucket_owner: the account id that owns the buckets of the input and output you pass:
                the grants on them hold ``s3:ResourceAccount`` (the stack's own buckets always do).
        """
        super().__init__(scope, id)
        where = adopt(self, scope, id)
        problems: List[str] = []
        if (model is None) == (model_id is None):
            raise ValidationError(where.path, ["pass exactly one of model= (a JumpStartModel) or model_id=."])
        problems += _option_problems(instance_count, split_type, batch_strategy, max_payload_mb)
        problems += _api_rules.transform_limit_problems(instance_count, max_payload_mb, max_concurrent_transforms)
        try:
            source = _s3.location(input_data, input_prefix, "input_data")
        except ValueError as err:
            problems.append(str(err))
            source = None
        if model is None:
            causes: List[JumpStartError] = []
            model = collect_problems(lambda: JumpStartModel(
                self, "Model", model_id=model_id, model_version=model_version, instance_type=instance_type,
                model_data=model_data, accept_eula=accept_eula, config_name=config_name,
                tolerate_deprecated=tolerate_deprecated, tolerate_vulnerable=tolerate_vulnerable,
                environment=environment, compress_artifact=True, hub=hub,
            ), problems, causes)
            if model is None:
                raise_problems(self, problems, *causes)
        resolved = model.resolved
        chosen_type = instance_type or model.instance_type
        content_type = content_type or resolved.default_content_type
        accept = accept or resolved.default_accept_type
        problems += _model_problems(model, chosen_type, content_type, accept)
        if problems:
            raise ValidationError(where.path, problems)
        assert source is not None
        stack = where.stack
        self.model = model
        encryption_key = self._key(encryption_key, removal_policy)
        self.output_bucket: s3.IBucket = _s3.output_bucket(self, output_bucket, removal_policy, encryption_key)
        prefix = output_prefix.strip("/")
        output = _s3.location(self.output_bucket, prefix, "output")
        # batch transform reads and writes S3 as the model's execution role
        source.grant_read(model.role, stack, expected_bucket_owner)
        output.grant_write(model.role, stack, expected_bucket_owner)
        # created by default (#19 part 4); kms:Encrypt as OutputDataConfig.KmsKeyId asks of the role
        _iam.grant_key(model, encryption_key, create_grant=True, encrypt=True)

        request = _request(model.model_name, source, output, content_type, accept, split_type, chosen_type,
                           instance_count, max_payload_mb, batch_strategy, max_concurrent_transforms)
        self._encrypt(request, encryption_key, resolved, chosen_type)

        self.runner = JobRunner(
            self, "Runner", kind="transform", name_base=job_name_base(resolved.model_id, "bt"), request=request,
            timeout=timeout, tags=tags, model_arns=[model.model_arn, stack.format_arn(
                service="sagemaker", resource="model", resource_name=model.model_name)],
        )
        self.runner.node.add_dependency(model)
        # a stopped transform job stores no output (StopTransformJob): stopping it first is enough
        _s3.emptied_after(self.output_bucket, self.runner.job, wait_for_stop=False)
        self.job_name: str = self.runner.job_name
        """The transform job's (deterministic) name."""
        self.output_uri: str = self.runner.output("OutputPath")
        """S3 prefix of the results, ``<output_prefix>/<job name>/`` (a token that waits for the job)."""

    def _key(self, key: Optional[kms.IKey], removal_policy: RemovalPolicy) -> kms.IKey:
        """Yours, else a created key with rotation, as an endpoint's (kept as long as the output it encrypts)."""
        self.encryption_key: kms.IKey = key or kms.Key(
            self, "Key", enable_key_rotation=True, removal_policy=removal_policy, pending_window=Duration.days(7),
            description=f"Encrypts the volumes and the output of transform job {self.node.path}")
        """The KMS key of the job's volumes and output."""
        return self.encryption_key

    def _encrypt(self, request: Dict[str, Any], key: kms.IKey, resolved: ResolvedModel, instance_type: str) -> None:
        """The output with ``key``; the volume too, where the instance type has one to encrypt."""
        request["TransformOutput"]["KmsKeyId"] = key.key_arn
        if resolved.volume_kms_supported(instance_type):
            request["TransformResources"]["VolumeKmsKeyId"] = key.key_arn
        else:  # TransformResources.VolumeKmsKeyId: refused for instance types with local storage
            Annotations.of(self).add_info(
                f"no VolumeKmsKeyId: {instance_type} stores on local instance storage, encrypted by the hardware; "
                "SageMaker refuses a volume key for it. encryption_key still encrypts the output.")
