"""Autoscaling: instances of a variant (invocations per instance; an async endpoint's backlog, from
and to zero), an inference component's copies (invocations per copy, from and to zero with managed
instance scaling), and what scaled instances need across updates (see
:meth:`JumpStartEndpoint.auto_scale`)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from aws_cdk import Annotations, Duration
from aws_cdk import aws_sagemaker as sagemaker

from ..errors import ValidationError
from .naming import generated_endpoint_name, watch_exports


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


def auto_scale(ep: Any, min_capacity: int, max_capacity: int, target_invocations: Optional[float],
               target_backlog_per_instance: Optional[float], variant_name: Optional[str], component: Optional[int],
               scale_in_cooldown: Optional[Duration], scale_out_cooldown: Optional[Duration],
               max_instances: Optional[int]) -> Any:
    """:meth:`JumpStartEndpoint.auto_scale`'s work."""
    from aws_cdk import aws_applicationautoscaling as appscaling

    scale_in_cooldown = scale_in_cooldown or Duration.minutes(5)
    scale_out_cooldown = scale_out_cooldown or Duration.minutes(1)
    name = variant_name or ep.variant_names[0]
    suffix = f"{name}{component if component is not None else ''}"
    problems = _scaling_problems(ep, min_capacity, max_capacity, component, name, suffix, max_instances)
    if problems:
        raise ValidationError(f"{ep.node.path}.auto_scale", problems)
    cooldowns = dict(scale_in_cooldown=scale_in_cooldown, scale_out_cooldown=scale_out_cooldown)
    if ep.inference_components:
        return _scale_component(ep, component or 0, suffix, min_capacity, max_capacity, target_invocations,
                                max_instances, cooldowns)
    _keep_scaled_instances(ep)
    target = appscaling.ScalableTarget(
        ep, f"Scaling{suffix}", service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
        resource_id=f"endpoint/{ep.endpoint_name}/variant/{name}",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        min_capacity=min_capacity, max_capacity=max_capacity,
    )
    if not ep.failed:
        target.node.add_dependency(ep.cfn_endpoint)
    if ep.async_inference is not None:
        _scale_async(ep, target, min_capacity, target_backlog_per_instance, cooldowns)
        return target
    target.scale_to_track_metric(
        "InvocationsPerInstance", target_value=target_invocations or 100,
        predefined_metric=appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE, **cooldowns,
    )
    return target


def _scaling_problems(ep: Any, min_capacity: int, max_capacity: int, component: Optional[int], name: str,
                      suffix: str, max_instances: Optional[int]) -> List[str]:
    problems = []
    if ep.serverless is not None:
        problems.append("serverless endpoints scale by themselves; use ServerlessConfig(max_concurrency=...) "
                        "instead.")
    if not 0 <= min_capacity <= max_capacity or max_capacity < 1:
        problems.append("need 0 <= min_capacity <= max_capacity and max_capacity >= 1; "
                        f"got {min_capacity}, {max_capacity}.")
    if min_capacity == 0 and ep.async_inference is None and not ep.inference_components:
        problems.append("only async endpoints and inference components can scale to zero instances; "
                        "use min_capacity >= 1.")
    count = len(ep.inference_components)
    if component is not None and not 0 <= component < count:
        problems.append(f"component must index one of the {count} inference components; got {component}.")
    if ep.node.try_find_child(f"Scaling{suffix}") is not None:
        problems.append(f"{'component ' + str(component) if component is not None else 'variant ' + name} is "
                        "already auto-scaled; call auto_scale once per variant or component and add schedules "
                        "to the scalable target it returns.")
    not_components = component is None and not ep.inference_components
    if max_instances is not None and (not_components or max_instances < ep._fleet_count):
        problems.append(f"max_instances applies to inference components and must be at least the initial instance "
                        f"count ({ep._fleet_count}); got {max_instances}.")
    return problems


def _scale_component(ep: Any, index: int, suffix: str, min_capacity: int, max_capacity: int,
                     target_invocations: Optional[float], max_instances: Optional[int],
                     cooldowns: Dict[str, Any]) -> Any:
    """An inference component's copies, tracking invocations per copy (and out of zero by steps)."""
    from aws_cdk import aws_applicationautoscaling as appscaling

    ic = ep.inference_components[index]
    name = ep.components[index].component_name
    target = appscaling.ScalableTarget(
        ep, f"Scaling{suffix}", service_namespace=appscaling.ServiceNamespace.SAGEMAKER,
        resource_id=f"inference-component/{name}",
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
        _scale_component_from_zero(ep, target, name, max_instances or ep._fleet_count, cooldowns["scale_out_cooldown"])
    return target


def _scale_component_from_zero(ep: Any, target: Any, name: str, max_instances: int, cooldown: Duration) -> None:
    """What AWS documents for inference components at zero: instances that may go to zero
    (managed instance scaling), and a step policy out of zero copies on the alarm of requests
    that found no capacity."""
    from aws_cdk import aws_cloudwatch as cloudwatch

    ep.endpoint_config.add_property_override("ProductionVariants.0.ManagedInstanceScaling", {
        "Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": max_instances})
    _step_out_of_zero(target, cloudwatch.Metric(
        namespace="AWS/SageMaker", metric_name="NoCapacityInvocationFailures",
        dimensions_map={"InferenceComponentName": name}, statistic="Maximum", period=Duration.minutes(1)), cooldown)


def _scale_async(ep: Any, target: Any, min_capacity: int, backlog: Optional[float], cooldowns: Dict[str, Any]) -> None:
    """Async instances track the backlog per instance; from zero, a step policy on waiting requests."""
    target.scale_to_track_metric(
        "BacklogPerInstance", target_value=backlog or 5,
        custom_metric=ep.metric_backlog_size_per_instance(), **cooldowns,
    )
    if min_capacity == 0:
        # target tracking cannot leave zero: step out when requests wait without capacity
        _step_out_of_zero(target, ep.metric("HasBacklogWithoutCapacity", statistic="Average", with_variant=False),
                          cooldowns["scale_out_cooldown"])


def _keep_scaled_instances(ep: Any) -> None:
    """Before instances are scaled: keep the scaled count across updates, and make an instance
    type change a replacement (see :meth:`JumpStartEndpoint.auto_scale`)."""
    endpoint = ep.cfn_endpoint
    if endpoint is None:  # failed: reported as synth errors
        return
    endpoint.retain_all_variant_properties = True
    endpoint.exclude_retained_variant_properties = [sagemaker.CfnEndpoint.VariantPropertyProperty(
        variant_property_type=t) for t in ("DesiredWeight", "DataCaptureConfig")]
    if ep._named_by_user:
        Annotations.of(ep).add_warning_v2(
            "jumpstart:scaled-fixed-name",
            "endpoint_name is fixed, so a change of a scaled variant's instance type cannot replace the "
            "endpoint, and SageMaker refuses it as an update while the variant is registered with Application "
            "Auto Scaling. To change it: remove auto_scale and deploy (deregisters the target), change the "
            "instance type and deploy, then add auto_scale again.")
        return
    if ep._deployment is None and endpoint.endpoint_name is None:
        endpoint.endpoint_name = generated_endpoint_name(ep)
    watch_exports(ep)
