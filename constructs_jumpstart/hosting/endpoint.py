"""``JumpStartEndpoint``: a SageMaker endpoint serving JumpStart models, in every hosting mode. The
facade: it checks the options, has each model resolved once (``variants``), and hands the results
down to the rooms that render each part (``keys``, ``outputs``, ``variants``, ``components``,
``deployment``, ``naming``, ``scaling``), in the template's order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

import jsii
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

if TYPE_CHECKING:  # imported where used: each CDK module costs synth time for everyone
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_ec2 as ec2
from .._checks import adopt, concrete_region, raise_problems
from .._plan import plan_problems
from .._report import reports_problems
from ..errors import JumpStartError
from ..types import ModelSource
from . import keys, outputs, scaling
from .adapters import AdapterHost, JumpStartAdapter
from .base import EndpointBase
from .checks import check_mode, failed_endpoint, placement_problems
from .components import build_components
from .config import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
)
from .deployment import check_alarm, deployment_config
from .endpoint_config import attach_endpoint, build_config
from .objective import choose
from .pools import endpoint_pool_problems, normalize
from .smoke import add_smoke_test
from .variants import build_models, check_placement, fleet_variant, production_variants


@jsii.implements(sagemaker.IEndpoint)
class JumpStartEndpoint(EndpointBase, AdapterHost):
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
    resolved = role = None
    serverless = async_inference = _deployment = cfn_endpoint = endpoint_config = None
    _watching_exports = False

    @reports_problems(failed_endpoint)
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
        inference_ami_version: Optional[str] = None,
        capacity_reservation: Optional[str] = None,
        instance_pools: Optional[Sequence[Any]] = None,
        provision_timeout: Optional[Duration] = None,
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
            inference_ami_version: the instances' AMI (``InferenceAmiVersion``: NVIDIA/Neuron drivers).
            capacity_reservation: an ML capacity reservation or training plan ARN to launch into only.
                With ``variants=``, both are set on each :class:`JumpStartVariant`.
            instance_pools / provision_timeout: up to five instance types in priority order, each resolved for
                its own type, and how long to try them (:class:`JumpStartVariant`'s, docs/hosting.md).
        """
        super().__init__(scope, id)
        where = adopt(self, scope, id)
        problems: List[str] = []
        check_mode(where.path, model_id, variants, inference_components)
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
        problems += placement_problems(inference_ami_version, capacity_reservation, variants, serverless, region)
        problems += endpoint_pool_problems(instance_pools, provision_timeout, instance_type, variants,
                                           inference_components, serverless, optimize_for)
        if optimize_for is not None or instance_types is not None:
            instance_type, config_name = choose(self, model_id, model_version, region, optimize_for, concurrency,
                                                instance_types, instance_type, config_name, hub)
        common = dict(vpc=vpc, vpc_subnets=vpc_subnets, security_groups=security_groups,
                      enable_network_isolation=enable_network_isolation)
        # -- the models, then what they need: key, outputs, config, endpoint, components ----------
        if model_id is not None:
            variants = [JumpStartVariant(
                model_id=model_id, model_version=model_version, variant_name=variant_name, instance_type=instance_type,
                initial_instance_count=initial_instance_count or 1, environment=environment, accept_eula=accept_eula,
                config_name=config_name, model_data=model_data, tolerate_deprecated=tolerate_deprecated,
                tolerate_vulnerable=tolerate_vulnerable, hub=hub, inference_ami_version=inference_ami_version,
                capacity_reservation=capacity_reservation, instance_pools=instance_pools,
                provision_timeout=provision_timeout)]
        causes: List[JumpStartError] = []
        self.models, self.variant_names, fleet_type, self.pools = build_models(
            self, list(variants or []) + list(inference_components or []), instance_type, serverless, role, common,
            region, problems, causes, normalize(instance_pools)[0] if inference_components and instance_pools else ())
        check_placement(self, list(variants or []) + list(inference_components or []), self.models, self.pools,
                        inference_ami_version, problems)
        raise_problems(self, problems, *causes)

        self._first_model_attributes(fleet_type if inference_components else None)
        local_storage = keys.local_storage_instance_types(self.models, self.instance_type, bool(inference_components),
                                                          self.pools)
        writes_data = async_inference is not None or data_capture is not None
        self.encryption_key, volume_key = keys.build_key(self, where.path, self.models, encryption_key,
                                                         volume_encryption, serverless is not None, local_storage,
                                                         writes_data)
        self.async_output_bucket, self.data_capture_bucket, async_config, capture_config = outputs.build_outputs(
            self, self.models, self.encryption_key, async_inference, data_capture)
        if inference_components:
            ami = inference_ami_version or self.resolved.inference_ami_version  # the first component's spec's
            variants_config = [fleet_variant(variant_name, fleet_type, initial_instance_count, ami,
                                             capacity_reservation, self.pools[0], provision_timeout)]
            self.variant_names = [variant_name]
        else:
            variants_config = production_variants(variants, self.models, self.variant_names, serverless, self.pools)
        self.endpoint_config = build_config(self, self.models, self.role, variants_config, volume_key, async_config,
                                            capture_config, bool(inference_components), serverless is not None)
        attach_endpoint(self, endpoint_name, deployment)
        self.inference_components: List[sagemaker.CfnInferenceComponent] = []
        self.adapters: Dict[str, JumpStartAdapter] = {}
        if inference_components:
            self.inference_components = build_components(self, inference_components, self.models, self.cfn_endpoint,
                                                         variant_name, self.pools)
        self.smoke_test = None
        if smoke_test:
            self.add_smoke_test()

    def add_rollback_alarm(self, alarm: cloudwatch.IAlarm) -> None:
        """Roll a deployment back when ``alarm`` fires (needs ``deployment=``). Alarms on this
        endpoint's own metrics are fine: the endpoint then has a generated physical name."""
        if not self.failed:
            check_alarm(self.node.path, self._deployment, len(self._rollback_alarms) + 1)
            self._rollback_alarms.append(alarm)
            self.cfn_endpoint.deployment_config = deployment_config(self._deployment, self._rollback_alarms)

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
        return add_smoke_test(self, payload, content_type, accept, timeout)

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
        return scaling.auto_scale(self, min_capacity, max_capacity, target_invocations, target_backlog_per_instance,
                                  variant_name, component, scale_in_cooldown, scale_out_cooldown, max_instances)
