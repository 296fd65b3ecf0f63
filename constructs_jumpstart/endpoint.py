"""``JumpStartEndpoint``: a SageMaker endpoint serving JumpStart models, in every hosting mode."""

from __future__ import annotations

import re

import jsii
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from typing_extensions import Unpack

from aws_cdk import Annotations, ArnFormat, Duration, Fn, Names, RemovalPolicy, Resource, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

if TYPE_CHECKING:  # imported where used: each CDK module costs synth time for everyone
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_s3 as s3
from . import _iam
from ._resolution import resolve_for
from .errors import JumpStartError, ValidationError
from .hosting import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
    is_accelerated,
    )
from .lockfile import LockKey
from ._checks import adopt, collect_problems, concrete_region, raise_problems
from ._plan import mode_of, plan_problems
from ._report import reports_problems
from ._metrics import INVOCATIONS, MetricOptions, VariantMetrics, averaged, sagemaker_metric
from .nag import nag_suppress
from .model import JumpStartModel, cfn_tags
from .types import ModelSource, Scope

INVOKE_ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
ASYNC_INVOKE_ACTIONS = ["sagemaker:InvokeEndpointAsync"]
ASYNC_REASON = ("CDK bucket.grant_put of exactly the async inference output and failure prefixes (SageMaker names "
                "the result objects at run time), with aborting its multipart uploads.")
CAPTURE_REASON = ("CDK bucket.grant_put of exactly the data capture prefix (SageMaker names the captured objects at "
                  "run time), with aborting its multipart uploads.")


_PENDING_WINDOW: List[Duration] = []
_Component = sagemaker.CfnInferenceComponent


def _key_pending_window() -> Duration:
    """7 days (KMS's minimum is 7), built once rather than once per endpoint."""
    if not _PENDING_WINDOW:
        _PENDING_WINDOW.append(Duration.days(7))
    return _PENDING_WINDOW[0]


def _seconds(duration: Optional[Duration]) -> Optional[int]:
    return int(duration.to_seconds()) if duration else None


def _capacity_percent(percent: Optional[int]) -> Any:
    """``CapacitySize`` as a percentage of the fleet (``None`` for none, as a falsy percent always was)."""
    return sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=percent) if percent else None


def _step_out_of_zero(target: Any, metric: Any, cooldown: Any) -> None:
    """A step policy that adds one unit when ``metric`` shows requests waiting at zero capacity
    (target tracking cannot leave zero)."""
    from aws_cdk import aws_applicationautoscaling as appscaling

    target.scale_on_metric(
        "ScaleOutFromZero", metric=metric,
        scaling_steps=[appscaling.ScalingInterval(upper=0.5, change=0),
                       appscaling.ScalingInterval(lower=0.5, change=1)],
        adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY, cooldown=cooldown,
    )


def _acknowledge_no_volume_key(config: Any, reason: str, hipaa_reason: str) -> None:
    """cdk-nag: an endpoint config that cannot have a volume KMS key (SM2 and its HIPAA twin)."""
    nag_suppress(config, {"id": "AwsSolutions-SM2", "reason": reason},
                 {"id": "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                  "reason": f"As AwsSolutions-SM2: {hipaa_reason}"})


if TYPE_CHECKING:
    from typing import Protocol

    class IJumpStartEndpoint(sagemaker.IEndpoint, Protocol):
        """What any endpoint, created here or imported, offers: an ``aws_sagemaker.IEndpoint`` (its
        name, ARN and ``grant_invoke``), so ``SagemakerIntegration`` & co. take it as type checkers
        see it too (jsii interfaces are protocols; at run time they are implemented with
        ``jsii.implements``, below)."""
else:
    class IJumpStartEndpoint:
        """What any endpoint, created here or imported, offers: its name, ARN and ``grant_invoke``
        (an ``aws_sagemaker.IEndpoint``)."""

        endpoint_name: str
        endpoint_arn: str

        def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:  # pragma: no cover - interface
            raise NotImplementedError


def _grant_invoke(grantee: iam.IGrantable, endpoint_arn: str, actions: Sequence[str] = INVOKE_ACTIONS) -> iam.Grant:
    return iam.Grant.add_to_principal(grantee=grantee, actions=list(actions), resource_arns=[endpoint_arn])


def _endpoint_ref(endpoint_arn: str):
    from aws_cdk.interfaces import aws_sagemaker as refs

    return refs.EndpointReference(endpoint_arn=endpoint_arn)


@jsii.implements(sagemaker.IEndpoint)
class _ImportedEndpoint(Resource, IJumpStartEndpoint):
    """An existing endpoint: an ``aws_sagemaker.IEndpoint`` (for ``SagemakerIntegration`` & co.)."""

    def __init__(self, scope: Construct, id: str, *, endpoint_name: str, endpoint_arn: str):
        super().__init__(scope, id)
        self._name, self._arn = endpoint_name, endpoint_arn

    @property
    def endpoint_name(self) -> str:
        return self._name

    @property
    def endpoint_arn(self) -> str:
        return self._arn

    @property
    def endpoint_ref(self):
        return _endpoint_ref(self._arn)

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        return _grant_invoke(grantee, self.endpoint_arn)


def _variant_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")[:63] or "Variant"


def _failed_endpoint(ep: "JumpStartEndpoint") -> dict:
    """Placeholders of an endpoint whose problems were reported as synth errors."""
    from ._report import PLACEHOLDER, Unavailable

    return {"_endpoint_name": PLACEHOLDER, "_endpoint_arn": f"arn:aws:sagemaker:::endpoint/{PLACEHOLDER}",
            "endpoint_config_name": PLACEHOLDER, "model_name": PLACEHOLDER, "model_version": PLACEHOLDER,
            "instance_type": PLACEHOLDER, "model": Unavailable(), "models": [], "variant_names": ["AllTraffic"],
            "inference_components": [], "inference_component_specs": [], "_rollback_alarms": [], "_fleet_count": 1,
            "_named_by_user": True, "smoke_test": None}


def _check_mode(path: str, model_id: Optional[str], variants: Any, inference_components: Any) -> None:
    """Exactly one hosting mode, and no empty model id: else nothing else can be checked."""
    if model_id is not None and not str(model_id).strip():
        raise ValidationError(path, [
            "model_id is an empty string: pass a JumpStart model id, e.g. 'pytorch-ic-mobilenet-v2' "
            "(`jumpstart models` lists them)."])
    modes = mode_of(model_id, variants, inference_components)
    if len(modes) != 1:
        raise ValidationError(path, [
            "pass exactly one of model_id= (one model), variants= (A/B) or inference_components= "
            f"(several models on shared instances); got {', '.join(modes) or 'none'}."
        ])


@jsii.implements(sagemaker.IEndpoint)
class JumpStartEndpoint(Resource, IJumpStartEndpoint, VariantMetrics):
    """A SageMaker endpoint for JumpStart models: real-time (one model or several weighted
    variants), serverless, asynchronous, or several models as inference components.

    Example::

        endpoint = JumpStartEndpoint(self, "Classifier", model_id="pytorch-ic-mobilenet-v2",
                                     model_version="3.0.25", instance_type="ml.m5.large")
        endpoint.grant_invoke(my_function)
        endpoint.auto_scale(min_capacity=1, max_capacity=4)

    Secure by default: the storage volume is encrypted with a KMS key (created with rotation unless
    you pass one; skipped for serverless and for instance types with hardware-encrypted NVMe
    storage, where SageMaker refuses a key), every bucket it creates is KMS-encrypted, private and
    TLS-only, network isolation follows the spec and may only be made stricter, and roles get
    exactly the S3 locations, repositories, topics and keys they use. The spec's deploy settings go
    on each production variant. Models and endpoint configs have no physical names, so changing a
    model or instance type updates the endpoint in place.
    """

    failed = False
    """``True`` when its problems were reported as synth errors (see ``jumpstart:errors``)."""
    resolved = role = encryption_key = async_output_bucket = data_capture_bucket = None
    serverless = async_inference = _deployment = cfn_endpoint = endpoint_config = None
    _watching_exports = False

    @reports_problems(_failed_endpoint)
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: Optional[str] = None,
        model_version: str = "*",
        instance_type: Optional[str] = None,
        initial_instance_count: Optional[int] = None,
        variant_name: str = "AllTraffic",
        environment: Optional[Mapping[str, str]] = None,
        role: Optional[iam.IRole] = None,
        accept_eula: bool = False,
        tolerate_deprecated: bool = False,
        tolerate_vulnerable: bool = False,
        config_name: Optional[str] = None,
        model_data: Optional[Union[str, ModelSource]] = None,
        variants: Optional[Sequence[JumpStartVariant]] = None,
        inference_components: Optional[Sequence[JumpStartInferenceComponent]] = None,
        serverless: Optional[ServerlessConfig] = None,
        async_inference: Optional[AsyncInferenceConfig] = None,
        data_capture: Optional[DataCaptureConfig] = None,
        deployment: Optional[DeploymentConfig] = None,
        encryption_key: Optional[kms.IKey] = None,
        volume_encryption: bool = True,
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        enable_network_isolation: Optional[bool] = None,
        endpoint_name: Optional[str] = None,
        smoke_test: bool = False,
        hub: Optional[str] = None,
        optimize_for: Optional[str] = None,
        concurrency: int = 1,
        instance_types: Optional[Sequence[str]] = None,
    ) -> None:
        """
        Args:
            model_id: JumpStart model id (one model); or ``variants`` / ``inference_components``.
            model_version: a concrete version, a wildcard like ``"3.*"``, or ``"*"`` (latest).
            instance_type: hosting instance type. Default: the spec's default. With inference
                components: the shared fleet's type.
            initial_instance_count: instances (default 1). Not with ``serverless``.
            variant_name: name of the production variant (single model).
            environment: container environment, merged over the spec's defaults (yours win).
            role: execution role for every model, instead of a created least-privilege one each.
            accept_eula: accept the model's EULA (gated models).
            tolerate_deprecated / tolerate_vulnerable: deploy such versions anyway, with a warning.
            config_name: a spec inference config (e.g. ``"lmi-optimized"``); default: top-ranked.
            model_data: S3 URI of artifacts to serve instead of the spec's (e.g. fine-tuned).
            variants: several production variants with weights (A/B testing).
            inference_components: several models sharing the endpoint's instances.
            serverless: serverless inference (memory, concurrency, provisioned concurrency).
            async_inference: asynchronous inference (S3 output and failure paths, SNS topics).
            data_capture: capture requests/responses to S3.
            deployment: blue/green (all at once, canary, linear) or rolling updates with automatic
                rollback on CloudWatch alarms (see also :meth:`add_rollback_alarm`).
            encryption_key: KMS key for volumes and every location the endpoint writes; default: a
                created key with rotation. ``volume_encryption=False`` creates none.
            vpc, vpc_subnets, security_groups: run the models in your VPC.
            enable_network_isolation: only ``True`` (stricter than the spec) is accepted as a change.
            endpoint_name: a physical name. Generated when a deployment config is given, so that
                rollback alarms on this endpoint's metrics do not depend on the endpoint itself.
            hub: a private SageMaker hub (name or ARN) holding the model (see :class:`JumpStartModel`).
            smoke_test: after every deployment that changes what the endpoint serves, invoke it with
                the spec's example payload and fail the deployment (rolling back) if it does not
                answer; see :meth:`add_smoke_test` for your own payload.
            optimize_for: ``"latency"``, ``"throughput"`` or ``"cost"``: choose the inference config and
                the instance type from the spec's own benchmark figures (one model; not with
                ``instance_type`` or ``config_name``), recorded in the lockfile (docs/objective.md).
            concurrency: with ``optimize_for``: the concurrent users the figures are read at (default 1).
            instance_types: with ``optimize_for``: the instance types it may choose from (default: all the
                spec measured).
        """
        super().__init__(scope, id)
        where = adopt(self, scope, id)
        problems: List[str] = []
        _check_mode(where.path, model_id, variants, inference_components)
        self.serverless = serverless
        self._fleet_count = initial_instance_count or 1
        self.async_inference = async_inference
        self.inference_component_specs = list(inference_components or [])
        self._deployment = deployment
        self._rollback_alarms: List[cloudwatch.IAlarm] = list(deployment.alarms) if deployment else []
        problems += plan_problems(
            instance_type=instance_type, initial_instance_count=initial_instance_count, variant_name=variant_name,
            variants=variants, inference_components=inference_components, serverless=serverless,
            async_inference=async_inference, data_capture=data_capture, deployment=deployment, vpc=vpc)

        region = concrete_region(self, "JumpStartEndpoint")
        if optimize_for is not None or instance_types is not None:
            instance_type, config_name = self._choose(model_id, model_version, region, optimize_for, concurrency,
                                                      instance_types, instance_type, config_name, hub)
        common = dict(vpc=vpc, vpc_subnets=vpc_subnets, security_groups=security_groups,
                      enable_network_isolation=enable_network_isolation)
        # -- the models, then what they need: key, outputs, config, endpoint, components ----------
        if model_id is not None:
            variants = [JumpStartVariant(
                model_id=model_id, model_version=model_version, variant_name=variant_name, instance_type=instance_type,
                initial_instance_count=initial_instance_count or 1, environment=environment, accept_eula=accept_eula,
                config_name=config_name, model_data=model_data, tolerate_deprecated=tolerate_deprecated,
                tolerate_vulnerable=tolerate_vulnerable, hub=hub,
            )]
        causes: List[JumpStartError] = []
        fleet_type = self._build_models(list(variants or []) + list(inference_components or []), instance_type,
                                        serverless, role, common, region, problems, causes)
        raise_problems(self, problems, *causes)

        self._first_model_attributes(fleet_type if inference_components else None)
        volume_key = self._build_key(encryption_key, volume_encryption, bool(inference_components),
                                     async_inference is not None or data_capture is not None)
        async_config, capture_config = self._build_outputs(async_inference, data_capture)
        variants_config = self._production_variants(variants, inference_components, variant_name, fleet_type,
                                                    initial_instance_count)
        self._build_config(variants_config, volume_key, async_config, capture_config, bool(inference_components))
        self._build_endpoint(endpoint_name, deployment)
        self.inference_components: List[sagemaker.CfnInferenceComponent] = []
        if inference_components:
            self._build_components(inference_components, variant_name)
        self.smoke_test: Optional[Any] = None
        """The ``aws_cdk.triggers.Trigger`` of :meth:`add_smoke_test` (``None`` without one)."""
        if smoke_test:
            self.add_smoke_test()

    def _choose(self, model_id: Optional[str], version: str, region: str, objective: Optional[str], concurrency: int,
                allowed: Optional[Sequence[str]], instance_type: Optional[str], config_name: Optional[str],
                hub: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
        """(instance type, config) chosen by ``objective`` from the spec's figures (``_resolution.choose_for``:
        the lockfile first, recorded there, with a synth info saying why)."""
        from ._resolution import choose_for

        given = [name for name, value in (("instance_type", instance_type), ("config_name", config_name),
                                           ("hub", hub)) if value is not None]
        if objective is None or model_id is None or given:
            raise ValidationError(self.node.path, [
                "optimize_for= chooses the instance type and the inference config of one model (model_id=) from the "
                "spec's benchmark figures: " + (f"drop {', '.join(given)} (it chooses them), or drop optimize_for."
                                               if given else "pass optimize_for= with model_id= (instance_types= "
                                               "and concurrency= only narrow its choice).")])
        _, choice = choose_for(self, model_id, version, region, objective, concurrency, allowed)
        return choice.instance_type, choice.config_name

    # -- builders (each renders one part of the template, in the template's order) ----------------

    def _first_model_attributes(self, fleet_type: Optional[str]) -> None:
        self.model: JumpStartModel = self.models[0]
        """The (first) model."""
        self.resolved = self.model.resolved
        self.role: iam.IRole = self.model.role
        self.model_name: str = self.model.model_name
        self.model_version: str = self.model.model_version
        self.instance_type: Optional[str] = None if self.serverless else (fleet_type or self.model.instance_type)
        """The instance type (``None`` for serverless)."""

    def _build_outputs(self, async_inference: Optional[AsyncInferenceConfig], data_capture: Optional[DataCaptureConfig]
                       ) -> Tuple[Any, Any]:
        """Where the endpoint writes (async results, captured data): buckets the models may write."""
        self.async_output_bucket: Optional[s3.IBucket] = None
        """Where async results and failures go (``None`` unless ``async_inference``)."""
        self.data_capture_bucket: Optional[s3.IBucket] = None
        """Where captured requests and responses go (``None`` unless ``data_capture``)."""
        return (self._build_async(async_inference) if async_inference is not None else None,
                self._build_capture(data_capture) if data_capture is not None else None)

    def _build_models(self, specs: List[Any], instance_type: Optional[str], serverless: Optional[ServerlessConfig],
                      role: Optional[iam.IRole], common: dict, region: str, problems: List[str],
                      causes: List[JumpStartError]) -> Optional[str]:
        """One :class:`JumpStartModel` per variant or component, their problems collected;
        returns the fleet's instance type (inference components)."""
        self.models: List[JumpStartModel] = []
        self.variant_names: List[str] = []
        fleet_type = instance_type
        for index, spec in enumerate(specs):
            is_component = isinstance(spec, JumpStartInferenceComponent)
            label = spec.name if is_component else spec.variant_name
            label = _variant_name(label or (spec.model_id if len(specs) > 1 else "AllTraffic"))
            hosting_type = fleet_type if is_component else spec.instance_type

            def build(spec=spec, label=label, hosting_type=hosting_type) -> JumpStartModel:
                if serverless is not None:
                    hosting_type = self._serverless_instance_type(spec, region)
                return JumpStartModel(
                    self, "Model" if len(specs) == 1 else f"Model{label}",
                    model_id=spec.model_id, model_version=spec.model_version, instance_type=hosting_type,
                    environment=spec.environment, role=role,
                    accept_eula=spec.accept_eula, tolerate_deprecated=spec.tolerate_deprecated,
                    tolerate_vulnerable=spec.tolerate_vulnerable, config_name=spec.config_name,
                    model_data=spec.model_data, compress_artifact=serverless is not None, hub=spec.hub, **common,
                )

            model = collect_problems(build, problems, causes)
            if model is None:
                continue
            if is_component and fleet_type is None:
                fleet_type = model.instance_type  # the first component's default sizes the fleet
            self.models.append(model)
            self.variant_names.append(label)
        return fleet_type

    def _build_key(self, encryption_key: Optional[kms.IKey], volume_encryption: bool, components: bool,
                   writes_data: bool) -> Optional[kms.IKey]:
        """The endpoint's KMS key, created only where something uses it; returns the volume key."""
        local_storage = self._local_storage_instance_types(components)
        volume_key_allowed = self.serverless is None and not local_storage
        if local_storage and self.serverless is None:
            Annotations.of(self).add_info(
                f"no KmsKeyId on the endpoint config: {', '.join(local_storage)} store on local instance storage, "
                "which the hardware encrypts and SageMaker refuses a key for (the SDK's instance_supports_kms)."
            )
        self.encryption_key: Optional[kms.IKey] = encryption_key
        """The KMS key of the volume and of what the endpoint writes (``None`` when none is needed)."""
        if encryption_key is None and volume_encryption and (volume_key_allowed or writes_data):
            # created only where something uses it; kept as long as the data it encrypts (the async
            # results and captured data are retained on destroy, so is their key)
            self.encryption_key = kms.Key(
                self, "Key", enable_key_rotation=True,
                removal_policy=RemovalPolicy.RETAIN if writes_data else RemovalPolicy.DESTROY,
                pending_window=_key_pending_window(),
                description=f"Encrypts the storage and outputs of endpoint {self._jumpstart_facts.path}",
            )
        volume_key = self.encryption_key if volume_key_allowed else None
        if self.encryption_key is not None and writes_data:
            for model in self.models:  # they write async results / captured data with the key
                _iam.acknowledge_grant(model, self.encryption_key.grant_encrypt_decrypt(model.role), _iam.KEY_REASON)
        return volume_key

    def _build_async(self, async_inference: AsyncInferenceConfig) -> Any:
        """The results bucket, the roles' writes and publishes, and ``AsyncInferenceConfig``."""
        from ._buckets import secure_bucket

        bucket = async_inference.output_bucket or secure_bucket(self, "AsyncOutput", self.encryption_key)
        self.async_output_bucket = bucket
        out = async_inference.output_prefix.strip("/")
        fail = async_inference.failure_prefix.strip("/")
        for model in self.models:
            for prefix in (out, fail):
                _iam.record_owned_grant(model, bucket, bucket.grant_put(model.role, f"{prefix}/*"), ASYNC_REASON)
            for topic in (async_inference.success_topic, async_inference.error_topic):
                if topic is not None:
                    _iam.acknowledge_grant(model, topic.grant_publish(model.role), ASYNC_REASON)
        notification = None
        if async_inference.success_topic or async_inference.error_topic:
            notification = sagemaker.CfnEndpointConfig.AsyncInferenceNotificationConfigProperty(
                success_topic=async_inference.success_topic.topic_arn if async_inference.success_topic else None,
                error_topic=async_inference.error_topic.topic_arn if async_inference.error_topic else None,
            )
        async_config = sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
            output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
                s3_output_path=f"s3://{bucket.bucket_name}/{out}",
                s3_failure_path=f"s3://{bucket.bucket_name}/{fail}",
                kms_key_id=self.encryption_key.key_arn if self.encryption_key else None,
                notification_config=notification,
            ),
            client_config=sagemaker.CfnEndpointConfig.AsyncInferenceClientConfigProperty(
                max_concurrent_invocations_per_instance=async_inference.max_concurrent_invocations_per_instance,
            ) if async_inference.max_concurrent_invocations_per_instance else None,
        )
        return async_config

    def _build_capture(self, data_capture: DataCaptureConfig) -> Any:
        """The capture bucket, the roles' writes, and ``DataCaptureConfig``."""
        from ._buckets import secure_bucket

        bucket = data_capture.bucket or secure_bucket(self, "DataCapture", self.encryption_key)
        self.data_capture_bucket = bucket
        prefix = data_capture.prefix.strip("/")
        for model in self.models:
            _iam.record_owned_grant(model, bucket, bucket.grant_put(model.role, f"{prefix}/*"), CAPTURE_REASON)
        modes_ = [m for m, on in (("Input", data_capture.capture_input), ("Output", data_capture.capture_output)) if on]
        capture_config = sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
            enable_capture=True,
            initial_sampling_percentage=data_capture.sampling_percentage,
            destination_s3_uri=f"s3://{bucket.bucket_name}/{prefix}",
            kms_key_id=self.encryption_key.key_arn if self.encryption_key else None,
            capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=m) for m in modes_],
        )
        return capture_config

    def _production_variants(self, variants: Optional[Sequence[JumpStartVariant]], inference_components: Any,
                             variant_name: str, fleet_type: Optional[str],
                             initial_instance_count: Optional[int]) -> List[Any]:
        production_variants = []
        if inference_components:
            production_variants.append(sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name=variant_name, instance_type=fleet_type, initial_instance_count=initial_instance_count or 1,
                routing_config=sagemaker.CfnEndpointConfig.RoutingConfigProperty(
                    routing_strategy="LEAST_OUTSTANDING_REQUESTS"),
            ))
            self.variant_names = [variant_name]
        else:
            for spec, model, name in zip(variants or [], self.models, self.variant_names):
                r, serverless = model.resolved, self.serverless
                production_variants.append(sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    model_name=model.model_name,
                    variant_name=name,
                    initial_variant_weight=float(spec.weight),
                    instance_type=None if serverless else model.instance_type,
                    initial_instance_count=None if serverless else spec.initial_instance_count,
                    serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                        memory_size_in_mb=serverless.memory_size_mb, max_concurrency=serverless.max_concurrency,
                        provisioned_concurrency=serverless.provisioned_concurrency,
                    ) if serverless else None,
                    container_startup_health_check_timeout_in_seconds=(
                        None if serverless else r.container_startup_health_check_timeout),
                    model_data_download_timeout_in_seconds=None if serverless else r.model_data_download_timeout,
                    volume_size_in_gb=(
                        None if serverless or not r.volume_kms_supported(model.instance_type) else r.volume_size),
                ))
        return production_variants

    def _build_config(self, production_variants: List[Any], volume_key: Optional[kms.IKey], async_config: Any,
                      capture_config: Any, components: bool) -> None:
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self, "EndpointConfig",
            production_variants=production_variants,
            kms_key_id=volume_key.key_arn if volume_key else None,
            async_inference_config=async_config,
            data_capture_config=capture_config,
            execution_role_arn=self.role.role_arn if components else None,
            # an inference-component endpoint runs the containers: isolation and VPC go on its config
            enable_network_isolation=any(m.network_isolation for m in self.models) if components else None,
            vpc_config=self._component_vpc_config() if components else None,
            tags=self._sdk_tags(),
        )
        for model in self.models:
            self.endpoint_config.node.add_dependency(model)
        if volume_key is None and self.serverless is None:
            _acknowledge_no_volume_key(
                self.endpoint_config,
                "The instance types store on local instance storage, encrypted by the hardware; SageMaker refuses a "
                "KmsKeyId for them (the SDK's instance_supports_kms).",
                "local instance storage is hardware-encrypted.")
        if self.serverless is not None:
            _acknowledge_no_volume_key(
                self.endpoint_config,
                "Serverless endpoints have no ML storage volume to encrypt; SageMaker refuses a KmsKeyId.",
                "serverless has no storage volume.")

    def _sdk_tags(self) -> Optional[List[Any]]:
        """The SDK's JumpStart tags when every model of the endpoint is the same JumpStart model (as
        with the SDK's one-model deploy); an endpoint of several models gets none at this level."""
        tag_sets = {tuple((t["Key"], t["Value"]) for t in m.resolved.sdk_tags()) for m in self.models if m.resolved}
        same_model = len(tag_sets) == 1 and all(m.resolved for m in self.models)
        return cfn_tags(self.models[0].resolved) if same_model else None

    def _build_endpoint(self, endpoint_name: Optional[str], deployment: Optional[DeploymentConfig]) -> None:
        self._named_by_user = endpoint_name is not None
        generated = endpoint_name is None and deployment is not None
        if generated:
            endpoint_name = self._generated_endpoint_name()
        self.endpoint_config_name: str = self.endpoint_config.attr_endpoint_config_name
        self.cfn_endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint",
            endpoint_config_name=self.endpoint_config_name,
            endpoint_name=endpoint_name,
            deployment_config=self._deployment_config(deployment) if deployment else None,
            tags=self._sdk_tags(),
        )
        self._endpoint_name: Optional[str] = endpoint_name
        self._endpoint_arn: Optional[str] = None
        if generated:  # renamed when an instance type changes, as a scaled endpoint
            self._watch_exports()

    def _build_components(self, inference_components: Sequence[JumpStartInferenceComponent], variant_name: str) -> None:
        labels = [_variant_name(c.name or c.model_id) for c in inference_components]
        for spec, model, label in zip(inference_components, self.models, labels):
            req = model.resolved.resource_requirements
            component = sagemaker.CfnInferenceComponent(
                self, f"Component{label}",
                endpoint_name=self.cfn_endpoint.attr_endpoint_name,
                variant_name=variant_name,
                specification=_Component.InferenceComponentSpecificationProperty(
                    model_name=model.model_name,
                    startup_parameters=self._startup_parameters(model.resolved),
                    compute_resource_requirements=_Component.InferenceComponentComputeResourceRequirementsProperty(
                        number_of_accelerator_devices_required=(
                            spec.accelerators if spec.accelerators is not None else req.get("num_accelerators")),
                        min_memory_required_in_mb=(
                            spec.memory_mb if spec.memory_mb is not None else req.get("min_memory_mb", 1024)),
                        number_of_cpu_cores_required=spec.cpu_cores,
                    ),
                ),
                runtime_config=_Component.InferenceComponentRuntimeConfigProperty(copy_count=spec.copies),
                tags=cfn_tags(model.resolved),
            )
            component.node.add_dependency(self.cfn_endpoint)
            self.inference_components.append(component)

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name (generated by CloudFormation unless a deployment config needs one).
        Read on first use: each read of a CloudFormation attribute is a round trip to the CDK."""
        if self._endpoint_name is None:
            self._endpoint_name = self.cfn_endpoint.attr_endpoint_name
        return self._endpoint_name

    @property
    def endpoint_arn(self) -> str:
        """The endpoint's ARN."""
        if self._endpoint_arn is None:
            self._endpoint_arn = self.cfn_endpoint.ref
        return self._endpoint_arn

    @property
    def endpoint_ref(self):
        """``aws_sagemaker.IEndpoint``'s reference to this endpoint."""
        return _endpoint_ref(self.endpoint_arn)

    # -- helpers ----------------------------------------------------------------------------------

    def _scale_component_from_zero(self, target: appscaling.ScalableTarget, component: Any, max_instances: int,
                                   cooldown: Duration) -> None:
        """What AWS documents for inference components at zero: instances that may go to zero
        (managed instance scaling), and a step policy out of zero copies on the alarm of requests
        that found no capacity."""
        from aws_cdk import aws_cloudwatch as cloudwatch

        self.endpoint_config.add_property_override("ProductionVariants.0.ManagedInstanceScaling", {
            "Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": max_instances})
        name = Fn.select(1, Fn.split("/", component.attr_inference_component_arn))
        _step_out_of_zero(target, cloudwatch.Metric(
            namespace="AWS/SageMaker", metric_name="NoCapacityInvocationFailures",
            dimensions_map={"InferenceComponentName": name}, statistic="Maximum", period=Duration.minutes(1)), cooldown)

    def _keep_scaled_instances(self) -> None:
        """Before instances are scaled: keep the scaled count across updates, and make an instance
        type change a replacement (see :meth:`auto_scale`)."""
        endpoint = self.cfn_endpoint
        if endpoint is None:  # failed: reported as synth errors
            return
        endpoint.retain_all_variant_properties = True
        endpoint.exclude_retained_variant_properties = [sagemaker.CfnEndpoint.VariantPropertyProperty(
            variant_property_type=t) for t in ("DesiredWeight", "DataCaptureConfig")]
        if self._named_by_user:
            Annotations.of(self).add_warning_v2(
                "jumpstart:scaled-fixed-name",
                "endpoint_name is fixed, so a change of a scaled variant's instance type cannot replace the "
                "endpoint, and SageMaker refuses it as an update while the variant is registered with Application "
                "Auto Scaling. To change it: remove auto_scale and deploy (deregisters the target), change the "
                "instance type and deploy, then add auto_scale again.")
            return
        if self._deployment is None and endpoint.endpoint_name is None:
            endpoint.endpoint_name = self._generated_endpoint_name()
        self._watch_exports()

    def _watch_exports(self) -> None:
        """Warn at synth when the endpoint's generated name, which changes with its instance types,
        or its ARN leaves the stack through an export (see :mod:`._exported`)."""
        if not self._watching_exports:
            from ._exported import warn_when_exported

            self._watching_exports = True
            warn_when_exported(self, self.cfn_endpoint, self._warn_exported)

    def _warn_exported(self, output: Any, importers: List[str]) -> None:
        """The endpoint is replaced when an instance type changes (a new name and ARN), and
        CloudFormation refuses to change an export another stack imports (``Fn::ImportValue``,
        AWS CloudFormation User Guide)."""
        if importers:
            where, who = f"export {output.export_name}", f"stack {', '.join(importers)} imports it"
        else:
            where = f"export {output.export_name} of output {output.node.path}"
            who = "another stack may import it"
        Annotations.of(self).add_warning_v2(
            "jumpstart:scaled-name-exported",
            f"this endpoint's name or ARN is exported ({where}) and {who}: its generated name ends in a hash of its "
            "instance types (auto_scale, deployment=), so changing one replaces the endpoint (a new name), and "
            "CloudFormation refuses to change an export that is in use, so that deploy fails. Pass the name through "
            "an SSM parameter instead (aws_ssm.StringParameter here, StringParameter.value_for_string_parameter in "
            "the consumer), or set endpoint_name= and follow the documented procedure (docs/hosting.md, "
            "'Autoscaling and updates').")

    def _local_storage_instance_types(self, components: bool) -> List[str]:
        """The endpoint's instance types that have local storage (no volume key), by the SDK's rule
        as each model's resolution recorded it."""
        if components:
            pairs = [(m, self.instance_type) for m in self.models]
        else:
            pairs = [(m, m.instance_type) for m in self.models]
        found = [t for m, t in pairs if t and not m.resolved.volume_kms_supported(t)]
        return list(dict.fromkeys(found))

    def _component_vpc_config(self) -> Optional[Any]:
        config = next((m.vpc_config for m in self.models if m.vpc_config), None)
        if config is None:
            return None
        return sagemaker.CfnEndpointConfig.VpcConfigProperty(security_group_ids=config["SecurityGroupIds"],
                                                             subnets=config["Subnets"])

    @staticmethod
    def _startup_parameters(resolved: Any) -> Optional[Any]:
        """The spec's start-up timeouts, on the component as the SDK's deploy sets them there."""
        download, health = resolved.model_data_download_timeout, resolved.container_startup_health_check_timeout
        if download is None and health is None:
            return None
        return sagemaker.CfnInferenceComponent.InferenceComponentStartupParametersProperty(
            model_data_download_timeout_in_seconds=download, container_startup_health_check_timeout_in_seconds=health)

    def _generated_endpoint_name(self) -> str:
        """A physical name unique in the app, ending in a hash of the variants' instance types: a
        change of instance type is then a replacement (a new endpoint, with its scaling target),
        which SageMaker allows, where an in-place update of a variant registered with Application
        Auto Scaling is refused."""
        import hashlib

        types = sorted(t for t in (m.instance_type for m in self.models) if t) if self.serverless is None else []
        if self.inference_component_specs:
            types = [self.instance_type or ""]
        digest = hashlib.sha256("|".join(types).encode()).hexdigest()[:8]
        base = Names.unique_resource_name(self, max_length=63 - 9, separator="-").lower().strip("-")
        return f"{base}-{digest}"

    def _serverless_instance_type(self, spec: Any, region: str) -> Optional[str]:
        """Serverless runs on CPU: resolve for a CPU instance type of the spec, or refuse."""
        probe = resolve_for(self, LockKey(spec.model_id, spec.model_version, region, Scope.INFERENCE.value, None,
                                          spec.config_name))
        if not is_accelerated(probe.instance_type):
            return None
        cpu = [t for t in probe.supported_instance_types if not is_accelerated(t)]
        if not cpu:
            raise ValidationError(self.node.path, [
                f"'{spec.model_id}' {probe.version} cannot run serverless: its image needs a GPU/accelerator "
                f"(supported instance types: {', '.join(probe.supported_instance_types)}). Use a real-time endpoint."
            ])
        return cpu[0]

    def _deployment_config(self, deployment: DeploymentConfig) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
        cfn = sagemaker.CfnEndpoint
        # AutoRollbackConfig.Alarms takes 1 to 10 alarms: none means no automatic rollback
        rollback = cfn.AutoRollbackConfigProperty(
            alarms=[cfn.AlarmProperty(alarm_name=a.alarm_name) for a in self._rollback_alarms],
        ) if self._rollback_alarms else None
        max_execution = _seconds(deployment.max_execution_timeout)
        if deployment.mode == "rolling":
            return cfn.DeploymentConfigProperty(
                auto_rollback_configuration=rollback,
                rolling_update_policy=cfn.RollingUpdatePolicyProperty(
                    maximum_batch_size=cfn.CapacitySizeProperty(type="CAPACITY_PERCENT",
                                                                value=deployment.batch_percent),
                    wait_interval_in_seconds=int(deployment.wait.to_seconds()),
                    rollback_maximum_batch_size=_capacity_percent(deployment.rollback_batch_percent),
                    maximum_execution_timeout_in_seconds=max_execution,
                ),
            )
        traffic = deployment.traffic
        size = _capacity_percent(traffic.percent)
        return cfn.DeploymentConfigProperty(
            auto_rollback_configuration=rollback,
            blue_green_update_policy=cfn.BlueGreenUpdatePolicyProperty(
                traffic_routing_configuration=cfn.TrafficRoutingConfigProperty(
                    type=traffic.type,
                    wait_interval_in_seconds=int(traffic.wait.to_seconds()),
                    canary_size=size if traffic.type == "CANARY" else None,
                    linear_step_size=size if traffic.type == "LINEAR" else None,
                ),
                termination_wait_in_seconds=_seconds(deployment.termination_wait),
                maximum_execution_timeout_in_seconds=max_execution,
            ),
        )

    def add_rollback_alarm(self, alarm: cloudwatch.IAlarm) -> None:
        """Roll a deployment back when ``alarm`` fires (needs ``deployment=``). Alarms on this
        endpoint's own metrics are fine: the endpoint then has a generated physical name."""
        if self.failed:
            return
        if self._deployment is None:
            raise JumpStartError(f"{self.node.path}: add_rollback_alarm needs "
                                 "deployment=DeploymentConfig.blue_green(...) or .rolling(...).")
        from . import _api_rules

        problem = _api_rules.alarms_problem(len(self._rollback_alarms) + 1, False)
        if problem:
            raise ValidationError(f"{self.node.path}.add_rollback_alarm", [problem])
        self._rollback_alarms.append(alarm)
        self.cfn_endpoint.deployment_config = self._deployment_config(self._deployment)

    def add_smoke_test(self, payload: Any = None, *, content_type: Optional[str] = None, accept: Optional[str] = None,
                       timeout: Duration = Duration.minutes(5)) -> Any:
        """After every deployment that changes what the endpoint serves, invoke it once it is
        InService (a CDK trigger) and fail the deployment, so CloudFormation rolls back to the
        previous endpoint, when the call fails, times out or answers nothing.

        Args:
            payload: the request (bytes, text, or data sent as JSON); default: the spec's first
                example payload (``jumpstart describe`` lists them).
            content_type / accept: default: the example's, else the spec's defaults.
            timeout: how long the test may take (the trigger's and the function's timeout).
        """
        from . import _smoke  # aws_cdk.triggers and aws_lambda load only for endpoints that use it

        where = f"{self.node.path}.add_smoke_test"
        if self.failed:
            return None
        problems = []
        if self.async_inference is not None:
            problems.append("an asynchronous endpoint refuses InvokeEndpoint: test it with InvokeEndpointAsync and "
                            "its S3 output instead (jumpstart invoke does not either).")
        if self.smoke_test is not None:
            problems.append("this endpoint has a smoke test already: call add_smoke_test once "
                            "(or drop smoke_test=True).")
        request, more = _smoke.request_of(self.models[0].resolved, payload, content_type, accept)
        if problems + more:
            raise ValidationError(where, problems + more)
        component = None
        if self.inference_components:
            first = self.inference_components[0]
            arn = first.attr_inference_component_arn  # .../inference-component/NAME (no name attribute)
            component = (Fn.select(1, Fn.split("/", arn)), arn)
        fingerprint = {"models": [m.fingerprint for m in self.models], "variants": self.variant_names,
                       "instance_type": self.instance_type,
                       "request": [request[0].decode(errors="replace"), *request[1:]]}
        self.smoke_test = _smoke.build(Construct(self, "SmokeTest"), self.endpoint_name, self.endpoint_config_name,
                                       self.endpoint_arn, request, fingerprint,
                                       [self.cfn_endpoint, *self.inference_components], component, timeout,
                                       yours=payload is not None)
        return self.smoke_test

    # -- permissions ------------------------------------------------------------------------------

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke this endpoint only (``InvokeEndpoint``, the response-stream
        variant, and ``InvokeEndpointAsync`` for asynchronous endpoints)."""
        actions = ASYNC_INVOKE_ACTIONS if self.async_inference is not None else INVOKE_ACTIONS
        return _grant_invoke(grantee, self.endpoint_arn, actions)

    @staticmethod
    def from_endpoint_name(scope: Construct, id: str, endpoint_name: str) -> IJumpStartEndpoint:
        """Import an existing endpoint by name (for ``grant_invoke`` in another stack)."""
        name = endpoint_name if Token.is_unresolved(endpoint_name) else endpoint_name.lower()
        arn = Stack.of(scope).format_arn(
            service="sagemaker", resource="endpoint", resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )
        return _ImportedEndpoint(scope, id, endpoint_name=endpoint_name, endpoint_arn=arn)

    @staticmethod
    def from_endpoint_arn(scope: Construct, id: str, endpoint_arn: str) -> IJumpStartEndpoint:
        """Import an existing endpoint by ARN."""
        name = Stack.of(scope).split_arn(endpoint_arn, ArnFormat.SLASH_RESOURCE_NAME).resource_name
        return _ImportedEndpoint(scope, id, endpoint_name=name, endpoint_arn=endpoint_arn)

    # -- metrics ----------------------------------------------------------------------------------

    def variant(self, name: str):
        """A handle on one production variant (its metrics and ``auto_scale``)."""
        from ._variants import VariantHandle

        if name not in self.variant_names:
            raise ValidationError(f"{self.node.path}.variant", [
                f"no production variant {name!r}; variants: {', '.join(self.variant_names)}."])
        return VariantHandle(self, name)

    @property
    def components(self) -> list:
        """Handles on the inference components, in the order given (metrics, ``auto_scale``)."""
        from ._variants import ComponentHandle

        return [ComponentHandle(self, i, c) for i, c in enumerate(self.inference_components)]

    def metric(self, metric_name: str, *, variant_name: Optional[str] = None, namespace: str = INVOCATIONS,
               with_variant: bool = True, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """A CloudWatch metric of this endpoint (dimensions EndpointName and, unless ``with_variant``
        is false, VariantName: the first variant's unless ``variant_name``); ``options`` as CDK's
        ``MetricOptions`` (default: Sum over a minute)."""
        dims = {"EndpointName": self.endpoint_name}
        if with_variant:
            dims["VariantName"] = variant_name or self.variant_names[0]
        return sagemaker_metric(metric_name, dims, namespace, **options)

    def metric_backlog_size_per_instance(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Async endpoints: queued requests per instance."""
        return self.metric("ApproximateBacklogSizePerInstance", with_variant=False, **averaged(options))

    # -- autoscaling ------------------------------------------------------------------------------

    def auto_scale(
        self,
        min_capacity: int,
        max_capacity: int,
        *,
        target_invocations: Optional[float] = None,
        target_backlog_per_instance: Optional[float] = None,
        variant_name: Optional[str] = None,
        component: Optional[int] = None,
        scale_in_cooldown: Optional[Duration] = None,
        scale_out_cooldown: Optional[Duration] = None,
        max_instances: Optional[int] = None,
    ) -> appscaling.ScalableTarget:
        """Scale instances (or an inference component's copies) with target tracking, and return
        the scalable target for scheduled actions::

            target = endpoint.auto_scale(0, 4)            # async or inference component: may reach 0
            target.scale_on_schedule("Night", schedule=appscaling.Schedule.cron(hour="20", minute="0"),
                                     min_capacity=0, max_capacity=0)
            target.scale_on_schedule("Morning", schedule=appscaling.Schedule.cron(hour="7", minute="0"),
                                     min_capacity=1, max_capacity=4)

        Real-time endpoints track invocations per instance (default target 100 per minute); async
        endpoints track the backlog per instance (default 5) and scale out from zero when requests
        wait with no instance; inference components track invocations per copy. Only async
        endpoints and inference components may scale to zero. A component scaled to zero copies
        also lets its endpoint's instances go to zero (``ManagedInstanceScaling``, from 0 to
        ``max_instances``, default the initial instance count) and scales out of zero with a step
        policy on ``NoCapacityInvocationFailures``, as AWS documents; target tracking alone never
        leaves zero.

        Scaling instances keeps the scaled count across updates (``RetainAllVariantProperties``,
        except weights and data capture) and gives the endpoint a name that ends in a hash of its
        instance types, so changing an instance type replaces the endpoint (SageMaker refuses an
        in-place update that changes the instance type of a variant registered with Application
        Auto Scaling). The new name is a new value of any export of it, which CloudFormation refuses
        while another stack imports it: synth warns (``jumpstart:scaled-name-exported``) when the
        name or ARN is exported; pass it to other stacks through an SSM parameter instead.
        """
        from aws_cdk import aws_applicationautoscaling as appscaling

        scale_in_cooldown = scale_in_cooldown or Duration.minutes(5)
        scale_out_cooldown = scale_out_cooldown or Duration.minutes(1)
        name = variant_name or self.variant_names[0]
        suffix = f"{name}{component if component is not None else ''}"
        problems = self._scaling_problems(min_capacity, max_capacity, component, name, suffix, max_instances)
        if problems:
            raise ValidationError(f"{self.node.path}.auto_scale", problems)
        cooldowns = dict(scale_in_cooldown=scale_in_cooldown, scale_out_cooldown=scale_out_cooldown)
        if self.inference_components:
            return self._scale_component(component or 0, suffix, min_capacity, max_capacity, target_invocations,
                                         max_instances, cooldowns)
        self._keep_scaled_instances()
        target = appscaling.ScalableTarget(
            self, f"Scaling{suffix}", service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"endpoint/{self.endpoint_name}/variant/{name}",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=min_capacity, max_capacity=max_capacity,
        )
        if not self.failed:
            target.node.add_dependency(self.cfn_endpoint)
        if self.async_inference is not None:
            self._scale_async(target, min_capacity, target_backlog_per_instance, cooldowns)
            return target
        target.scale_to_track_metric(
            "InvocationsPerInstance", target_value=target_invocations or 100,
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE, **cooldowns,
        )
        return target

    def _scaling_problems(self, min_capacity: int, max_capacity: int, component: Optional[int], name: str, suffix: str,
                          max_instances: Optional[int]) -> List[str]:
        problems = []
        if self.serverless is not None:
            problems.append("serverless endpoints scale by themselves; use ServerlessConfig(max_concurrency=...) "
                            "instead.")
        if not 0 <= min_capacity <= max_capacity or max_capacity < 1:
            problems.append("need 0 <= min_capacity <= max_capacity and max_capacity >= 1; "
                            f"got {min_capacity}, {max_capacity}.")
        if min_capacity == 0 and self.async_inference is None and not self.inference_components:
            problems.append("only async endpoints and inference components can scale to zero instances; "
                            "use min_capacity >= 1.")
        count = len(self.inference_components)
        if component is not None and not 0 <= component < count:
            problems.append(f"component must index one of the {count} inference components; got {component}.")
        if self.node.try_find_child(f"Scaling{suffix}") is not None:
            problems.append(f"{'component ' + str(component) if component is not None else 'variant ' + name} is "
                            "already auto-scaled; call auto_scale once per variant or component and add schedules "
                            "to the scalable target it returns.")
        not_components = component is None and not self.inference_components
        if max_instances is not None and (not_components or max_instances < self._fleet_count):
            problems.append(f"max_instances applies to inference components and must be at least the initial instance "
                            f"count ({self._fleet_count}); got {max_instances}.")
        return problems

    def _scale_component(self, index: int, suffix: str, min_capacity: int, max_capacity: int,
                         target_invocations: Optional[float], max_instances: Optional[int],
                         cooldowns: Dict[str, Any]) -> Any:
        """An inference component's copies, tracking invocations per copy (and out of zero by steps)."""
        from aws_cdk import aws_applicationautoscaling as appscaling

        ic = self.inference_components[index]
        target = appscaling.ScalableTarget(
            self, f"Scaling{suffix}", service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
            resource_id=f"inference-component/{Fn.select(1, Fn.split('/', ic.attr_inference_component_arn))}",
            scalable_dimension="sagemaker:inference-component:DesiredCopyCount",
            min_capacity=min_capacity, max_capacity=max_capacity,
        )
        target.node.add_dependency(ic)
        target.scale_to_track_metric(
            "InvocationsPerCopy",
            target_value=target_invocations or 10,
            predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_INVOCATIONS_PER_COPY,
            **cooldowns,
        )
        if min_capacity == 0:
            self._scale_component_from_zero(target, ic, max_instances or self._fleet_count,
                                            cooldowns["scale_out_cooldown"])
        return target

    def _scale_async(self, target: Any, min_capacity: int, backlog: Optional[float], cooldowns: Dict[str, Any]) -> None:
        """Async instances track the backlog per instance; from zero, a step policy on waiting requests."""
        target.scale_to_track_metric(
            "BacklogPerInstance", target_value=backlog or 5,
            custom_metric=self.metric_backlog_size_per_instance(), **cooldowns,
        )
        if min_capacity == 0:
            # target tracking cannot leave zero: step out when requests wait without capacity
            _step_out_of_zero(target, self.metric("HasBacklogWithoutCapacity", statistic="Average", with_variant=False),
                              cooldowns["scale_out_cooldown"])
