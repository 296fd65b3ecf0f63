"""The endpoint's models and production variants: one :class:`JumpStartModel` per variant or
inference component (each resolved once, its problems collected), and the ``ProductionVariants`` of
the endpoint config that serve them."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .._checks import collect_problems, hub_arn
from .._resolution import resolve_for
from ..errors import JumpStartError, ValidationError
from ..lockfile import LockKey
from ..model import JumpStartModel, cfn_tags
from ..types import Scope
from .adapters import base_environment
from .config import JumpStartInferenceComponent, JumpStartVariant, ServerlessConfig, is_accelerated
from .naming import variant_name
from .pools import (Pool, container_of, longest, normalize, pool_warnings_and_problems, pools_property,
                    provision_seconds)


def serverless_instance_type(scope: Construct, spec: Any, region: str) -> Optional[str]:
    """Serverless runs on CPU: resolve for a CPU instance type of the spec, or refuse."""
    probe = resolve_for(scope, LockKey(spec.model_id, spec.model_version, region, Scope.INFERENCE.value, None,
                                       spec.config_name))
    if not is_accelerated(probe.instance_type):
        return None
    cpu = [t for t in probe.supported_instance_types if not is_accelerated(t)]
    if not cpu:
        raise ValidationError(scope.node.path, [
            f"'{spec.model_id}' {probe.version} cannot run serverless: its image needs a GPU/accelerator "
            f"(supported instance types: {', '.join(probe.supported_instance_types)}). Use a real-time endpoint."
        ])
    return cpu[0]


def serves_adapters(spec: Any) -> bool:
    return isinstance(spec, JumpStartInferenceComponent) and spec.adapters is not None


def build_models(scope: Construct, specs: List[Any], instance_type: Optional[str],
                 serverless: Optional[ServerlessConfig], role: Optional[iam.IRole], common: dict, region: str,
                 problems: List[str], causes: List[JumpStartError], fleet_pools: Sequence[Tuple[str, int]] = (),
                 ) -> Tuple[List[JumpStartModel], List[str], Optional[str], List[List[Pool]]]:
    """One :class:`JumpStartModel` per variant or component, their problems collected; returns the
    models, their variant names, the fleet's instance type (inference components) and each
    variant's or component's instance pools (with the models of pools that resolve differently;
    ``fleet_pools``: the pools of the instances components share)."""
    models: List[JumpStartModel] = []
    names: List[str] = []
    pools: List[List[Pool]] = []
    fleet_type = instance_type
    for spec in specs:
        is_component = isinstance(spec, JumpStartInferenceComponent)
        label = spec.name if is_component else spec.variant_name
        label = variant_name(label or (spec.model_id if len(specs) > 1 else "AllTraffic"))
        pooled = list(fleet_pools) if is_component else (
            [] if spec.instance_pools is None else normalize(spec.instance_pools)[0])
        first_pool = pooled[0][0] if pooled else None
        hosting_type = (fleet_type or first_pool) if is_component else (first_pool or spec.instance_type)
        construct_id = "Model" if len(specs) == 1 else f"Model{label}"
        model = collect_problems(lambda: _model(scope, construct_id, spec, hosting_type, serverless, role, common,
                                                region), problems, causes)
        if model is None:
            continue
        if is_component and fleet_type is None:
            fleet_type = model.instance_type  # the first component's default sizes the fleet
        models.append(model)
        names.append(label)
        served = {container_of(model.resolved): None}  # container -> the model serving it (None: the variant's)
        pools.append([p for p in (collect_problems(lambda: _pool(scope, f"{construct_id}Pool{kind}", spec, model, kind,
                                                                   priority, served, common, region), problems, causes)
                                  for kind, priority in pooled) if p is not None])
    return models, names, fleet_type, pools


def check_placement(scope: Construct, specs: Sequence[Any], models: Sequence[JumpStartModel],
                    pools: Sequence[Sequence[Pool]], fleet_ami: Optional[str], problems: List[str]) -> None:
    """What only the resolutions tell: the AMI a spec asks for that the shipped service model does not
    list (a warning: SageMaker may know a newer one), one AMI over pools of several accelerator kinds
    (refused), pools mixing EBS and local storage (a warning)."""
    from aws_cdk import Annotations

    from .._api_rules import inference_ami_problem

    components = bool(specs) and isinstance(specs[0], JumpStartInferenceComponent)
    for index, (spec, model, pooled) in enumerate(zip(specs, models, pools)):
        given = fleet_ami if components else spec.inference_ami_version
        ami = given or model.resolved.inference_ami_version
        first = not (components and index)  # the fleet's AMI and pools are the first component's
        unlisted = inference_ami_problem(model.resolved.inference_ami_version) if first and not given else None
        warnings = [f"the spec of '{spec.model_id}' asks for an AMI the shipped service model does not list: "
                    f"{unlisted}"] if unlisted else []
        if pooled and first:
            label = "" if components else f"variant '{getattr(spec, 'variant_name', None) or spec.model_id}' "
            more, refused = pool_warnings_and_problems(pooled, ami, label, model.resolved.volume_kms_supported)
            warnings += more
            problems.extend(refused)
        for warning in warnings:
            Annotations.of(scope).add_warning_v2("jumpstart:placement", warning)


def _model(scope: Construct, construct_id: str, spec: Any, hosting_type: Optional[str],
           serverless: Optional[ServerlessConfig], role: Optional[iam.IRole], common: dict, region: str
           ) -> JumpStartModel:
    if serverless is not None:
        hosting_type = serverless_instance_type(scope, spec, region)
    return JumpStartModel(
        scope, construct_id,
        model_id=spec.model_id, model_version=spec.model_version, instance_type=hosting_type,
        environment=base_environment(scope, spec, hosting_type, region) if serves_adapters(spec)
        else spec.environment, role=role,
        accept_eula=spec.accept_eula, tolerate_deprecated=spec.tolerate_deprecated,
        tolerate_vulnerable=spec.tolerate_vulnerable, config_name=spec.config_name,
        model_data=spec.model_data, compress_artifact=serverless is not None, hub=spec.hub, **common,
    )


def _pool(scope: Construct, construct_id: str, spec: JumpStartVariant, variant_model: JumpStartModel, kind: str,
          priority: int, served: Dict[Tuple[Any, ...], Optional[JumpStartModel]], common: dict, region: str) -> Pool:
    """A pool resolved for its own instance type: served by the model of the same container (the
    variant's, or one made for an earlier pool), else by a model of its own (``ModelNameOverride``)."""
    if kind == variant_model.instance_type:
        return Pool(kind, priority, None, variant_model.resolved)
    resolved = resolve_for(scope, LockKey(spec.model_id, spec.model_version, region, Scope.INFERENCE.value, kind,
                                          spec.config_name, hub_arn(scope, spec.hub)))
    own = container_of(resolved)
    if own not in served:  # the variant model's role: the endpoint's grants to its models cover this one
        served[own] = _model(scope, construct_id, spec, kind, None, variant_model.role, common, region)
    return Pool(kind, priority, served[own], resolved)


def _variant(spec: JumpStartVariant, model: JumpStartModel, name: str, serverless: Optional[ServerlessConfig],
             pools: List[Pool]) -> Any:
    r = model.resolved
    types = [p.instance_type for p in pools] or [model.instance_type]
    resolutions = [p.resolved for p in pools if p.resolved is not None] or [r]
    return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
        model_name=model.model_name,
        variant_name=name,
        initial_variant_weight=float(spec.weight),
        instance_type=None if serverless or pools else model.instance_type,
        instance_pools=pools_property(pools),
        variant_instance_provision_timeout_in_seconds=provision_seconds(spec.provision_timeout),
        # instances of several types serve at different speeds: route to the least busy (the AWS blog on
        # instance pools recommends it; SageMaker's default is random)
        routing_config=sagemaker.CfnEndpointConfig.RoutingConfigProperty(
            routing_strategy="LEAST_OUTSTANDING_REQUESTS") if pools else None,
        initial_instance_count=None if serverless else spec.initial_instance_count,
        serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
            memory_size_in_mb=serverless.memory_size_mb, max_concurrency=serverless.max_concurrency,
            provisioned_concurrency=serverless.provisioned_concurrency,
        ) if serverless else None,
        # on pools: the longest any pool type's resolution asks for (each type may wait as long as its own)
        container_startup_health_check_timeout_in_seconds=(
            None if serverless else longest(x.container_startup_health_check_timeout for x in resolutions)),
        model_data_download_timeout_in_seconds=(
            None if serverless else longest(x.model_data_download_timeout for x in resolutions)),
        volume_size_in_gb=(
            None if serverless or not all(r.volume_kms_supported(t) for t in types)
            else longest(x.volume_size for x in resolutions)),
        inference_ami_version=spec.inference_ami_version or (None if serverless else r.inference_ami_version),
        capacity_reservation_config=capacity_config(spec.capacity_reservation),
    )


def capacity_config(arn: Optional[str]) -> Any:
    """``CapacityReservationConfig``: launch only into the reservation (its one preference in the API)."""
    if arn is None:
        return None
    return sagemaker.CfnEndpointConfig.CapacityReservationConfigProperty(
        capacity_reservation_preference="capacity-reservations-only", ml_reservation_arn=arn)


def production_variants(variants: Optional[Sequence[JumpStartVariant]], models: Sequence[JumpStartModel],
                        names: Sequence[str], serverless: Optional[ServerlessConfig],
                        pools: Sequence[List[Pool]]) -> List[Any]:
    """A variant per model (weights, instances, instance pools or serverless, the spec's deploy settings)."""
    return [_variant(spec, model, name, serverless, pooled)
            for spec, model, name, pooled in zip(variants or [], models, names, pools)]


def fleet_variant(variant_name: str, fleet_type: Optional[str], initial_instance_count: Optional[int],
                  inference_ami_version: Optional[str], capacity_reservation: Optional[str],
                  pools: Sequence[Pool] = (), provision_timeout: Any = None) -> Any:
    """The one variant whose instances inference components share (its instance type, or its pools:
    the components carry a specification per pool type where they differ)."""
    return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
        variant_name=variant_name, instance_type=None if pools else fleet_type,
        instance_pools=pools_property(pools, overrides=False),
        variant_instance_provision_timeout_in_seconds=provision_seconds(provision_timeout),
        initial_instance_count=initial_instance_count or 1,
        routing_config=sagemaker.CfnEndpointConfig.RoutingConfigProperty(routing_strategy="LEAST_OUTSTANDING_REQUESTS"),
        inference_ami_version=inference_ami_version, capacity_reservation_config=capacity_config(capacity_reservation),
    )


def sdk_tags(models: Sequence[JumpStartModel]) -> Optional[List[Any]]:
    """The SDK's JumpStart tags when every model of the endpoint is the same JumpStart model (as
    with the SDK's one-model deploy); an endpoint of several models gets none at this level."""
    tag_sets = {tuple((t["Key"], t["Value"]) for t in m.resolved.sdk_tags()) for m in models if m.resolved}
    same_model = len(tag_sets) == 1 and all(m.resolved for m in models)
    return cfn_tags(models[0].resolved) if same_model else None


def component_vpc_config(models: Sequence[JumpStartModel]) -> Optional[Any]:
    config = next((m.vpc_config for m in models if m.vpc_config), None)
    if config is None:
        return None
    return sagemaker.CfnEndpointConfig.VpcConfigProperty(security_group_ids=config["SecurityGroupIds"],
                                                         subnets=config["Subnets"])
