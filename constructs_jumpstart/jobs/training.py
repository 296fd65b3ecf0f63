"""``JumpStartTrainingJob``: fine-tune a JumpStart model with its default hyperparameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from aws_cdk import Annotations, Duration, Fn, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .. import _api_rules, _iam
from .._checks import (
    adopt,
    annotate_resolution,
    concrete_region,
    hub_arn,
    lockfile_path,
    model_policy_problems,
    raise_problems,
    subnet_args,
)
from .._report import reports_problems
from .._resolution import resolve_for
from ..errors import JumpStartError
from ..hyperparameters import merge_and_validate
from ..lockfile import LockKey
from ..types import ModelDataUri, ResolvedModel, S3Artifact, Scope
from . import _s3
from .runner import JobRunner, job_name_base

MODEL_CHANNEL_CONTENT_TYPE = "application/x-sagemaker-model"
GATED_ENV = "SageMakerGatedModelS3Uri"
DEFAULT_VOLUME_GB = 30
SDK_MAX_RUN = 24 * 60 * 60
"""The SDK's runtime for a job whose spec sets no ``max_run`` (sagemaker-python-sdk ``EstimatorBase``:
``max_run=24 * 60 * 60``)."""
PROVISIONING = 3600
"""What the stack waits beyond the runtime: instances start, the container downloads."""


def _is_handler(stack: Any, grantee: iam.IGrantable) -> bool:
    """Whether ``grantee`` is the stack's custom-resource handler (which reports the job's outputs)."""
    from ..provider import HANDLER_ID

    handler = stack.node.try_find_child(HANDLER_ID)
    function = handler.node.try_find_child("Function") if handler is not None else None
    return function is not None and grantee.grant_principal is function.grant_principal


def _script_mode_value(value: str) -> str:
    """The SDK JSON-encodes its script-mode hyperparameters (``sagemaker_program`` & co.)."""
    return json.dumps(int(value)) if value.isdigit() else json.dumps(value)


def _channel(name: str, uri: str, data_type: str = "S3Prefix", content_type: Optional[str] = None,
             accept_eula: bool = False, hub_access: Optional[str] = None) -> Dict[str, Any]:
    source: Dict[str, Any] = {"S3DataType": data_type, "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}
    if accept_eula:
        source["ModelAccessConfig"] = {"AcceptEula": True}
    if hub_access:  # a hub's model reference: as the SDK's estimator adds it to the model channel
        source["HubAccessConfig"] = {"HubContentArn": hub_access}
    channel: Dict[str, Any] = {"ChannelName": name, "DataSource": {"S3DataSource": source}, "InputMode": "File"}
    if content_type:
        channel["ContentType"] = content_type
    return channel


def _channels(train: Any, validation: Any, resolved: ResolvedModel, model_channel: bool) -> List[Dict[str, Any]]:
    """The input channels: training, validation, the base model (not for gated models), the code."""
    channels = [_channel("training", train.uri, train.data_type)]
    if validation is not None:
        channels.append(_channel("validation", validation.uri, validation.data_type))
    if model_channel:
        reference = resolved.hub_content_arn if resolved.hub_content_type == "ModelReference" else None
        channels.append(_channel("model", resolved.model_data.s3_uri, content_type=MODEL_CHANNEL_CONTENT_TYPE,
                                 hub_access=reference))
    if resolved.script_uri:
        channels.append(_channel("code", resolved.script_uri))
    return channels


def _hyperparameters(resolved: ResolvedModel, region: str, hps: Dict[str, str]) -> Dict[str, str]:
    """The container's hyperparameters, the region, then the algorithm's, JSON-encoded as the SDK's
    estimator sends every one (``"4"`` -> ``"\\"4\\""``): the training toolkit JSON-decodes each value,
    so the script receives the strings the spec defines (a raw ``"4"`` would arrive as the int 4)."""
    all_hps = {k: _script_mode_value(v) for k, v in resolved.container_hyperparameters.items()}
    all_hps.setdefault("sagemaker_container_log_level", "20")  # the SDK's framework default (logging.INFO), raw
    all_hps["sagemaker_region"] = json.dumps(region)
    all_hps.update({k: json.dumps(v) for k, v in hps.items()})
    return all_hps


def _input(value: Any, prefix: str, what: str, problems: List[str]) -> Optional[_s3.Location]:
    """A job input's S3 location (``None`` when not given); a bad one joins ``problems``."""
    if value is None:
        return None
    try:
        return _s3.location(value, prefix, what)
    except ValueError as err:
        problems.append(str(err))
        return None


def _resolved_problems(resolved: ResolvedModel, volume_key: bool) -> List[str]:
    """What the API refuses for the resolved training instance type (and a volume key on it)."""
    problems = [p for p in [_api_rules.instance_type_problem("training", resolved.instance_type)] if p]
    if volume_key:
        problem = _api_rules.volume_kms_problem("volume_encryption_key", resolved.instance_type,
                                                resolved.volume_kms_supported(resolved.instance_type))
        problems += [problem] if problem else []
    return problems


def _isolation(resolved: ResolvedModel, network_isolation: Optional[bool],
               inter_container: Optional[bool]) -> Tuple[Tuple[bool, bool], List[str]]:
    """(``EnableNetworkIsolation``, ``EnableInterContainerTrafficEncryption``) and the problems: tightened
    only. Network isolation defaults to the spec's ``training_enable_network_isolation``, as the SDK's
    JumpStartEstimator sends it (sagemaker-python-sdk ``jumpstart/artifacts/kwargs.py``). Inter-container
    encryption defaults to on, where the SDK sends the spec's ``estimator_kwargs`` value, else the
    ``Estimator`` default ``False``: it protects what distributed training sends between instances and
    "doesn't affect training jobs with a single compute instance" ("Protect Communications Between ML
    Compute Instances in a Distributed Training Job", SageMaker Developer Guide). Turning either off where
    the spec turns it on is refused."""
    name = f"'{resolved.model_id}' {resolved.version}"
    spec_encryption = bool(resolved.estimator_kwargs.get("encrypt_inter_container_traffic", False))
    problems = []
    if network_isolation is False and resolved.network_isolation:
        problems.append(f"enable_network_isolation=False: {name} trains with network isolation (its spec's "
                        "training_enable_network_isolation); it can be tightened, not loosened: drop the prop.")
    if inter_container is False and spec_encryption:
        problems.append(f"encrypt_inter_container_traffic=False: {name} trains with inter-container traffic "
                        "encryption (its spec's estimator_kwargs); it can be tightened, not loosened: drop the prop.")
    isolation = resolved.network_isolation or bool(network_isolation)
    encryption = spec_encryption or inter_container is not False
    return (isolation, encryption), problems


def _max_wait_problems(use_spot: bool, max_wait: Optional[Duration], runtime: Duration) -> List[str]:
    """Spot's longest wait must cover the runtime."""
    if use_spot and max_wait is not None and max_wait.to_seconds() < runtime.to_seconds():
        return [f"max_wait ({max_wait.to_human_string()}) must be at least max_runtime ({runtime.to_human_string()})."]
    return []


def _encrypt(request: Dict[str, Any], volume_key: Optional[kms.IKey], output_key: Optional[kms.IKey]) -> None:
    if output_key is not None:
        request["OutputDataConfig"]["KmsKeyId"] = output_key.key_arn
    if volume_key is not None:
        request["ResourceConfig"]["VolumeKmsKeyId"] = volume_key.key_arn


def _request(resolved: ResolvedModel, role_arn: str, channels: List[Dict[str, Any]], output_uri: str,
             instance_count: int, volume_size_gb: Optional[int], runtime: Duration, hyperparameters: Dict[str, str],
             accept_eula: bool, isolation: Tuple[bool, bool]) -> Dict[str, Any]:
    """The ``CreateTrainingJob`` body (less the name, which the handler adds) as the SDK's estimator
    builds it from the spec; keys, encryption, spot and VPC are added by the construct. ``isolation``:
    (``EnableNetworkIsolation``, ``EnableInterContainerTrafficEncryption``), see :func:`_isolation`."""
    request: Dict[str, Any] = {
        "AlgorithmSpecification": {"TrainingImage": resolved.image_uri, "TrainingInputMode": "File"},
        "RoleArn": role_arn,
        "InputDataConfig": channels,
        "OutputDataConfig": {"S3OutputPath": output_uri},
        "ResourceConfig": {
            "InstanceType": resolved.instance_type,
            "InstanceCount": instance_count,
            # the spec's size only where the instance type has an EBS volume, as the SDK does
            "VolumeSizeInGB": volume_size_gb or (resolved.training_volume_size if resolved.volume_kms_supported(
                resolved.instance_type) else None) or DEFAULT_VOLUME_GB,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": int(runtime.to_seconds())},
        "HyperParameters": hyperparameters,
        "EnableNetworkIsolation": isolation[0],
        "EnableInterContainerTrafficEncryption": isolation[1],
        "Tags": resolved.sdk_tags(),
    }
    if resolved.estimator_kwargs.get("disable_output_compression"):  # as the SDK: the model is an S3 prefix
        request["OutputDataConfig"]["CompressionType"] = "NONE"
    if resolved.metric_definitions:
        request["AlgorithmSpecification"]["MetricDefinitions"] = [dict(m) for m in resolved.metric_definitions]
    environment = dict(resolved.environment)
    if resolved.eula_required and accept_eula:
        environment["accept_eula"] = "true"  # the SDK's JumpStartEstimator(environment={"accept_eula": "true"})
    if environment:
        request["Environment"] = environment
    return request


def _failed_training(job: "JumpStartTrainingJob") -> dict:
    from .._report import PLACEHOLDER

    return {"job_name": PLACEHOLDER, "model_version": PLACEHOLDER, "instance_type": PLACEHOLDER, "hyperparameters": {},
            "model_data": ModelDataUri(f"s3://{PLACEHOLDER}/model.tar.gz")}


@dataclass(frozen=True)
class _Checked:
    """What a training job is built from, once its props and spec passed every check."""

    resolved: ResolvedModel
    train: _s3.Location
    validation: Optional[_s3.Location]
    hyperparameters: Dict[str, str]
    timeout: Duration
    runtime: Duration
    isolation: Tuple[bool, bool]


class JumpStartTrainingJob(Construct):
    """Fine-tunes a JumpStart model: a SageMaker training job started at deploy, waited for, and
    its trained ``model.tar.gz`` exposed as :attr:`model_data` for a :class:`JumpStartEndpoint`.

    Example::

        job = JumpStartTrainingJob(self, "FineTune", model_id="pytorch-ic-mobilenet-v2",
                                   training_data="s3://my-bucket/train/",
                                   hyperparameters={"epochs": 3})
        JumpStartEndpoint(self, "Tuned", model_id="pytorch-ic-mobilenet-v2",
                          model_data=job.model_data)

    Everything the SDK's JumpStart training sets from the spec is set here: the training image for
    the instance type, the training script as the ``code`` channel with the JumpStart entry point
    (``sagemaker_program`` / ``sagemaker_submit_directory``), the base model as the ``model``
    channel (EULA accepted on that channel for gated models), metric definitions, network
    isolation, inter-container traffic encryption and the spec's default hyperparameters
    (validated at synth, passed as strings).
    """

    failed = False
    """``True`` when its problems were reported as synth errors (see ``jumpstart:errors``)."""
    resolved = role = output_bucket = runner = _output = _output_key = encryption_key = None

    @reports_problems(_failed_training)
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str,
        training_data: Optional[_s3.S3Input] = None,
        model_version: str = "*",
        training_data_prefix: str = "",
        validation_data: Optional[_s3.S3Input] = None,
        validation_data_prefix: str = "",
        hyperparameters: Optional[Mapping[str, Any]] = None,
        instance_type: Optional[str] = None,
        instance_count: int = 1,
        output_bucket: Optional[s3.IBucket] = None,
        output_prefix: str = "jumpstart-training",
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        role: Optional[iam.IRole] = None,
        accept_eula: bool = False,
        tolerate_deprecated: bool = False,
        tolerate_vulnerable: bool = False,
        timeout: Optional[Duration] = None,
        max_runtime: Optional[Duration] = None,
        volume_size_gb: Optional[int] = None,
        encryption_key: Optional[kms.IKey] = None,
        volume_encryption_key: Optional[kms.IKey] = None,
        output_encryption_key: Optional[kms.IKey] = None,
        enable_network_isolation: Optional[bool] = None,
        encrypt_inter_container_traffic: Optional[bool] = None,
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        allow_all_outbound: bool = False,
        use_spot: bool = False,
        max_wait: Optional[Duration] = None,
        hub: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        expected_bucket_owner: Optional[str] = None,
        training_plan: Optional[str] = None,
    ) -> None:
        """
        Args:
            model_id: a JumpStart model id whose spec supports training.
            training_data: the ``training`` channel: ``s3://bucket/prefix/``, an ``s3.Bucket``
                (with ``training_data_prefix``) or an ``s3_assets.Asset``. Left out: the spec's
                default dataset (``jumpstart describe MODEL --scope training`` names it); a model
                without one is a synth error.
            model_version: version or ``"*"`` (locked in ``jumpstart.lock.json``).
            validation_data: optional ``validation`` channel, same forms.
            hyperparameters: merged over the spec's defaults; checked at synth against the spec's
                types, ranges and options (unknown names refused).
            instance_type: training instance type (default: the spec's training default).
            instance_count: number of training instances.
            output_bucket: where the trained artifact goes; default: a new encrypted bucket.
            output_prefix: key prefix in the output bucket.
            removal_policy: what ``cdk destroy`` does to the created output bucket (default RETAIN:
                trained models are kept).
            role: job execution role; default: a least-privilege role for exactly these locations.
            accept_eula: accept the base model's EULA (gated models).
            tolerate_deprecated / tolerate_vulnerable: train such versions anyway, with a warning.
            timeout: how long the stack waits for the job, up to 28 days (past 12 hours, a chain of
                wait conditions; see docs/jobs.md). Default: the spec's ``max_run`` (else the SDK's
                default of 24 hours) plus an hour for provisioning.
            max_runtime: SageMaker's stopping condition. Default: the spec's ``max_run``, else the
                SDK's 24 hours (as the SDK), capped at ``timeout`` when you set one.
            volume_size_gb: ML storage volume per instance (default: the spec's, else 30).
            encryption_key: KMS key of the instances' volumes and of the output (``VolumeKmsKeyId``,
                ``OutputDataConfig.KmsKeyId``, the created output bucket), as an endpoint's; default: a
                created key with rotation, kept as the output bucket is (``removal_policy``). Instance
                types with local storage get no volume key (SageMaker refuses one).
            volume_encryption_key / output_encryption_key: a different key for the volume or the output.
            enable_network_isolation: default: the spec's (as the SDK's estimator); True tightens it, and
                False where the spec sets it is refused.
            encrypt_inter_container_traffic: default True (the SDK sends the spec's value, else False);
                False where the spec sets it is refused.
            vpc, vpc_subnets, security_groups: run the job in your VPC. The security group created when
                none is given allows HTTPS out (S3, ECR and CloudWatch through your VPC's endpoints) and,
                for more than one instance, all traffic between its members; nothing else.
            allow_all_outbound: the created security group allows all outbound traffic instead of HTTPS.
            use_spot: managed spot training, with checkpoints under the output prefix.
            max_wait: spot only: the longest total wait (default: the timeout).
            hub: a private SageMaker hub (name or ARN) holding the model (see :class:`JumpStartModel`);
                a model reference's base model is read with ``HubAccessConfig``, as the SDK's estimator.
            tags: tags of the training job, after the SDK's JumpStart tags (``Tags.of(scope)`` reaches the
                job too: SageMaker, not CloudFormation, creates it).
            expected_bucket_owner: the account id that owns the buckets of the data and output you pass:
                the role's grants on them hold ``s3:ResourceAccount`` (a bucket of that name in another
                account is not reached). The stack's own buckets always do; JumpStart's never.
            training_plan: a SageMaker training plan ARN whose reserved capacity the job runs on
                (``ResourceConfig.TrainingPlanArn``); its instance type must be the job's (AWS: "must match").
        """
        super().__init__(scope, id)
        where = adopt(self, scope, id)
        region = concrete_region(self, "JumpStartTrainingJob")
        checked = self._check_props(
            (model_id, model_version, region, instance_type, hub), instance_count=instance_count,
            training=(training_data, training_data_prefix), validation=(validation_data, validation_data_prefix),
            hyperparameters=hyperparameters,
            accept_eula=accept_eula, tolerate_deprecated=tolerate_deprecated, tolerate_vulnerable=tolerate_vulnerable,
            timeout=timeout, max_runtime=max_runtime, volume_key=volume_encryption_key, use_spot=use_spot,
            max_wait=max_wait, isolation=(enable_network_isolation, encrypt_inter_container_traffic),
            training_plan=training_plan,
        )
        resolved = checked.resolved
        annotate_resolution(self, resolved, str(lockfile_path(self)))
        self.resolved: ResolvedModel = resolved
        self.model_version: str = resolved.version
        self.instance_type: str = resolved.instance_type
        volume_encryption_key, output_encryption_key = self._keys(
            encryption_key, volume_encryption_key, output_encryption_key, removal_policy)
        self.output_bucket: s3.IBucket = _s3.output_bucket(self, output_bucket, removal_policy, output_encryption_key)
        prefix = output_prefix.strip("/")
        self._output = _s3.location(self.output_bucket, prefix, "output")
        self.output_uri: str = self._output.uri
        """Where the job writes (its ``OutputDataConfig.S3OutputPath``): SageMaker puts the trained model
        at ``<output_uri>/<job name>/output/model.tar.gz`` (:attr:`model_data`), and what the script
        writes to ``/opt/ml/output/data`` at ``.../output/output.tar.gz``."""
        # Gated models, as the SDK's estimator: no model channel; the container reads the base model from
        # the SageMakerGatedModelS3Uri the spec gives (the role may read it), with accept_eula set
        model_channel = resolved.model_data is not None and not resolved.eula_required
        depends = self._build_role(resolved, role, vpc, model_channel)
        self._grant_data(where.stack, [checked.train if training_data is not None else None, checked.validation],
                         self._output, volume_encryption_key, output_encryption_key, expected_bucket_owner)
        if training_data is None:  # the spec's default dataset, in JumpStart's (AWS's) bucket
            self._grant_data(where.stack, [checked.train], None, None, None, None)
        self.hyperparameters: Dict[str, str] = checked.hyperparameters
        """The algorithm hyperparameters the job runs with (spec defaults + yours, as strings; sent
        JSON-encoded, as the SDK sends them)."""
        request = _request(
            resolved, self.role.role_arn, _channels(checked.train, checked.validation, resolved, model_channel),
            self._output.uri, instance_count, volume_size_gb, checked.runtime,
            _hyperparameters(resolved, region, checked.hyperparameters), accept_eula, checked.isolation)
        _encrypt(request, volume_encryption_key, output_encryption_key)
        if training_plan is not None:  # one plan per job ("Create a training job using the API ...")
            request["ResourceConfig"]["TrainingPlanArn"] = training_plan
        if use_spot:
            self._spot(request, prefix, max_wait or checked.timeout, where.stack)
        if vpc is not None:
            request["VpcConfig"] = self._vpc_config(vpc, vpc_subnets, security_groups,
                                                    (instance_count, allow_all_outbound))
        self._build_runner(model_id, request, checked.timeout, depends, tags)

    def _check_props(self, wanted: Tuple[str, str, str, Optional[str], Optional[str]], *, instance_count: Any,
                     training: Tuple[Any, str], validation: Tuple[Any, str],
                     hyperparameters: Optional[Mapping[str, Any]], accept_eula: bool,
                     tolerate_deprecated: bool, tolerate_vulnerable: bool, timeout: Optional[Duration],
                     max_runtime: Optional[Duration], volume_key: Optional[kms.IKey], use_spot: bool,
                     max_wait: Optional[Duration], isolation: Tuple[Optional[bool], Optional[bool]],
                     training_plan: Optional[str] = None) -> "_Checked":
        """Every problem of the props and of the resolved spec (``wanted``: model id, version,
        region, instance type, hub), raised together as synth errors; else what the job is built
        from."""
        problems: List[str] = [] if isinstance(instance_count, int) and instance_count >= 1 else [
            f"instance_count must be an integer of at least 1; got {instance_count!r}."]
        train = _input(*training, "training_data", problems)
        checked_validation = _input(*validation, "validation_data", problems)
        problems += [] if use_spot or max_wait is None else [
            "max_wait applies to spot training only: pass use_spot=True or drop max_wait."]
        model_id, model_version, region, instance_type, hub = wanted
        problems += [p for p in [_api_rules.training_plan_problem(training_plan, region)] if p]
        try:
            key = LockKey(model_id, model_version, region, Scope.TRAINING.value, instance_type, None,
                          hub_arn(self, hub))
            resolved = resolve_for(self, key)
        except JumpStartError as err:
            raise_problems(self, problems, err)
            raise
        problems += model_policy_problems(resolved, accept_eula=accept_eula, tolerate_deprecated=tolerate_deprecated,
                                          tolerate_vulnerable=tolerate_vulnerable)
        hps, hp_problems = merge_and_validate(resolved, hyperparameters or {})
        problems += hp_problems
        if training[0] is None:
            train, problem = self._default_dataset(resolved)
            problems += [problem] if problem else []
        problems += _resolved_problems(resolved, volume_key is not None)
        checked_isolation, isolation_problems = _isolation(resolved, *isolation)
        problems += isolation_problems
        timeout, runtime = self._wait_and_runtime(resolved, timeout, max_runtime)
        problems += _max_wait_problems(use_spot, max_wait, runtime)
        problems += [p for p in [_api_rules.max_runtime_problem(int(runtime.to_seconds()))] if p]
        raise_problems(self, problems)
        assert train is not None
        return _Checked(resolved, train, checked_validation, hps, timeout, runtime, checked_isolation)

    def _build_runner(self, model_id: str, request: Dict[str, Any], timeout: Duration, depends: List[Any],
                      tags: Optional[Mapping[str, str]]) -> None:
        """The job, started and waited for at deploy, and its trained artifact."""
        uncompressed = bool(self.resolved.estimator_kwargs.get("disable_output_compression"))
        self.runner = JobRunner(
            self, "Runner", kind="training", name_base=job_name_base(model_id, "ft"), request=request,
            timeout=timeout, pass_role=self.role, tags=tags,
        )
        self.runner.node.add_dependency(self.role, *depends)
        _s3.emptied_after(self.output_bucket, self.runner.job)
        self.job_name: str = self.runner.job_name
        """The training job's (deterministic) name."""
        self.model_data: ModelDataUri = ModelDataUri(
            self.runner.output("ModelArtifacts"), self.grant_read_model_data, "S3Prefix" if uncompressed else "S3Object"
        )
        """S3 URI of the trained ``model.tar.gz``. Using it makes a resource wait for the job."""

    def _build_role(self, resolved: ResolvedModel, role: Optional[iam.IRole], vpc: Optional[ec2.IVpc],
                    model_channel: bool) -> List[Any]:
        """The job's role: reads the base model (or the gated URI), the script, pulls the image,
        writes logs and metrics, describes the hub content it comes from. Returns what the job
        must wait for."""
        gated_uri = resolved.environment.get(GATED_ENV) if resolved.eula_required else None
        reads = [a for a in [resolved.model_data if model_channel else None] if a is not None]
        if gated_uri:
            reads.append(S3Artifact.from_uri(gated_uri))
        if resolved.script_uri:
            reads.append(S3Artifact.from_uri(resolved.script_uri))
        self.role, depends = _iam.sagemaker_role(
            self, role, f"SageMaker training role for JumpStart model {resolved.model_id} {resolved.version}",
            reads, resolved.image_uri, ["/aws/sagemaker/TrainingJobs"], vpc=vpc is not None,
            metrics_namespace="/aws/sagemaker/TrainingJobs" if resolved.metric_definitions else None,
        )
        if resolved.hub_content_arn:  # exactly the hub content this job uses
            self.role.add_to_principal_policy(iam.PolicyStatement(
                actions=["sagemaker:DescribeHubContent"], resources=[resolved.hub_content_arn]))
        return depends

    def _grant_data(self, stack: Any, inputs: List[Optional[_s3.Location]], output: Optional[_s3.Location],
                    volume_key: Optional[kms.IKey], output_key: Optional[kms.IKey], owner: Optional[str]) -> None:
        """The role reads exactly the inputs, writes only the output prefix, and uses the keys; ``owner``
        owns the buckets of the inputs and output."""
        for location in inputs:
            if location is not None:
                location.grant_read(self.role, stack, owner)
        if output is not None:
            output.grant_write(self.role, stack, owner)
        if volume_key is not None:
            _iam.grant_key(self.role, volume_key, create_grant=True)
        if output_key is not None:  # SageMaker encrypts the output as the job's role: "the SageMaker execution
            # role must include permissions to call kms:Encrypt" (service model, OutputDataConfig.KmsKeyId)
            _iam.grant_key(self.role, output_key, encrypt=True)

    def _spot(self, request: Dict[str, Any], prefix: str, max_wait: Duration, stack: Any) -> None:
        """Managed spot training, with checkpoints under the output prefix (readable by the job)."""
        checkpoints = _s3.location(self.output_bucket, f"{prefix}/checkpoints", "output")
        checkpoints.grant_read(self.role, stack)
        request["EnableManagedSpotTraining"] = True
        request["StoppingCondition"]["MaxWaitTimeInSeconds"] = int(max_wait.to_seconds())
        request["CheckpointConfig"] = {"S3Uri": checkpoints.uri}

    def _keys(self, key: Optional[kms.IKey], volume_key: Optional[kms.IKey], output_key: Optional[kms.IKey],
              removal_policy: RemovalPolicy) -> Tuple[Optional[kms.IKey], kms.IKey]:
        """(volume key, output key): yours, else ``encryption_key``, else a created key with rotation, as
        an endpoint's (kept as long as the output it encrypts). No volume key on an instance type with local
        storage: ``ResourceConfig.VolumeKmsKeyId`` is refused there (the SDK's ``instance_supports_kms``)."""
        self.encryption_key: Optional[kms.IKey] = key
        """The KMS key of the volumes and the output unless others were given (``None`` then)."""
        volume_allowed = self.resolved.volume_kms_supported(self.instance_type)
        if key is None and (output_key is None or (volume_key is None and volume_allowed)):
            self.encryption_key = kms.Key(
                self, "Key", enable_key_rotation=True, removal_policy=removal_policy,
                pending_window=Duration.days(7),
                description=f"Encrypts the volumes and the output of training job {self.node.path}")
        if volume_key is None and not volume_allowed:
            Annotations.of(self).add_info(
                f"no VolumeKmsKeyId: {self.instance_type} stores on local instance storage, encrypted by the hardware; "
                "SageMaker refuses a volume key for it. The key still encrypts the output.")
        volume = volume_key or (self.encryption_key if volume_allowed else None)
        self._output_key = output_key or self.encryption_key
        return volume, self._output_key

    def _vpc_config(self, vpc: ec2.IVpc, vpc_subnets: Optional[ec2.SubnetSelection],
                    security_groups: Optional[Sequence[ec2.ISecurityGroup]],
                    sizing: Tuple[int, bool]) -> Dict[str, Any]:
        self.security_groups: List[ec2.ISecurityGroup] = list(security_groups or [self._security_group(vpc, *sizing)])
        """The job's security groups (yours, or the one created)."""
        subnets = vpc.select_subnets(**subnet_args(vpc_subnets))
        return {"SecurityGroupIds": [g.security_group_id for g in self.security_groups], "Subnets": subnets.subnet_ids}

    def _security_group(self, vpc: ec2.IVpc, instance_count: int, allow_all_outbound: bool) -> ec2.SecurityGroup:
        """The job's security group. Out: HTTPS only (unless ``allow_all_outbound``): in a VPC the job reaches
        S3, ECR and CloudWatch through the VPC ("Give SageMaker Training Jobs Access to Resources in Your
        Amazon VPC": an S3 VPC endpoint and interface endpoints, all HTTPS). More than one instance: all
        traffic between the group's members, which distributed training needs (same page, "Configure the VPC
        Security Group") and inter-container encryption too (its inbound and outbound rules within the group:
        "Protect Communications Between ML Compute Instances in a Distributed Training Job")."""
        group = ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc, description="JumpStart training job",
                                  allow_all_outbound=allow_all_outbound)
        if not allow_all_outbound:
            group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to S3, ECR and CloudWatch")
        if instance_count > 1:
            group.add_ingress_rule(group, ec2.Port.all_traffic(), "between the instances of the training job")
            group.add_egress_rule(group, ec2.Port.all_traffic(), "between the instances of the training job")
        return group

    def _default_dataset(self, resolved: ResolvedModel) -> Tuple[Optional[_s3.Location], Optional[str]]:
        """Fine-tuning without ``training_data``: the spec's default dataset, as JumpStart's notebooks
        and Studio fine-tune (the SDK's ``fit()`` without inputs sends no training channel at all,
        which leaves the script nothing to train on), with an annotation naming it."""
        uri = resolved.default_training_dataset_uri
        if uri is None:
            return None, (f"'{resolved.model_id}' {resolved.version} has no default training dataset: pass "
                          "training_data= (an S3 URI, a bucket with training_data_prefix, an asset or a JobInput).")
        Annotations.of(self).add_info(
            f"No training_data: fine-tuning '{resolved.model_id}' {resolved.version} on the spec's default dataset "
            f"{uri}. Pass training_data= to train on your own.")
        return _s3.location(uri, "", "training_data"), None

    def _wait_and_runtime(self, resolved: ResolvedModel, timeout: Optional[Duration],
                          max_runtime: Optional[Duration]):
        """(how long the stack waits, SageMaker's MaxRuntime). By default as the SDK: the spec's
        max_run, and a wait long enough for it; a timeout you set also caps the runtime, so the job
        does not outlive the stack's wait."""
        spec_max_run = int(resolved.estimator_kwargs.get("max_run") or 0)
        default_run = spec_max_run or SDK_MAX_RUN
        if timeout is None:
            timeout = Duration.seconds(default_run + PROVISIONING)
        elif max_runtime is None and spec_max_run > timeout.to_seconds():
            Annotations.of(self).add_warning_v2(
                "jumpstart:runtime-capped",
                f"the spec's max_run of {spec_max_run} s (what the SDK would give the job) is capped at the "
                f"timeout of {timeout.to_human_string()}. Drop timeout= to wait as long as the spec allows, "
                "or pass max_runtime=.",
            )
        runtime = max_runtime or Duration.seconds(min(default_run, int(timeout.to_seconds())))
        if runtime.to_seconds() > timeout.to_seconds():
            Annotations.of(self).add_warning_v2(
                "jumpstart:runtime-exceeds-timeout",
                f"max_runtime {runtime.to_human_string()} exceeds timeout {timeout.to_human_string()}: "
                "the stack stops waiting (and fails) before SageMaker stops the job.",
            )
        return timeout, runtime

    def grant_read_model_data(self, grantee: iam.IGrantable) -> List[iam.PolicyStatement]:
        """Allow ``grantee`` (e.g. a model's execution role) to read exactly this job's trained model:
        the object (or, uncompressed, the prefix) the finished job reports as
        ``ModelArtifacts.S3ModelArtifacts`` ("the path of the S3 object that contains the model
        artifacts", DescribeTrainingJob), split out of its URI at deploy, not the output prefix with
        every job's output and the checkpoints; and the output bucket's key. Returns the statements.

        The stack's handler (the artifact packer) is the exception: the job's result is its own
        output, so a policy naming it would be a cycle; it reads the output prefix, as before."""
        if self._output is None:  # failed: reported as synth errors
            return []
        stack = self._jumpstart_facts.stack
        if _is_handler(stack, grantee):
            self._output.grant_read(grantee, stack)
            return []
        path = Fn.select(1, Fn.split("s3://", self.model_data))  # bucket/key of the artifact
        prefix = self.model_data.s3_data_type == "S3Prefix"
        statement = iam.PolicyStatement(actions=["s3:GetObject"], conditions=_iam.own_account(self.output_bucket),
                                        resources=[f"arn:{stack.partition}:s3:::{path}" + ("*" if prefix else "")])
        grantee.grant_principal.add_to_principal_policy(statement)
        # the job wrote it with its output key (OutputDataConfig.KmsKeyId), else the bucket's own key
        key = self._output_key if self._output_key is not None else self.output_bucket.encryption_key
        grant = key.grant_decrypt(grantee) if key is not None else None
        return [statement] + (list(grant.principal_statements) if grant is not None else [])
