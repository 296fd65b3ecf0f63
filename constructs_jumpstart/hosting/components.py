"""Inference components: several models sharing the endpoint's instances, each an
``AWS::SageMaker::InferenceComponent`` with the spec's resource requirements and start-up timeouts."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..errors import ValidationError
from ..model import JumpStartModel, cfn_tags
from .adapters import physical_name
from .config import JumpStartInferenceComponent
from .pools import Pool
from .naming import variant_name as _label

_Component = sagemaker.CfnInferenceComponent


def startup_parameters(resolved: Any) -> Optional[Any]:
    """The spec's start-up timeouts, on the component as the SDK's deploy sets them there."""
    download, health = resolved.model_data_download_timeout, resolved.container_startup_health_check_timeout
    if download is None and health is None:
        return None
    return _Component.InferenceComponentStartupParametersProperty(
        model_data_download_timeout_in_seconds=download, container_startup_health_check_timeout_in_seconds=health)


def _requirements(spec: JumpStartInferenceComponent, req: dict) -> Any:
    return _Component.InferenceComponentComputeResourceRequirementsProperty(
        number_of_accelerator_devices_required=(
            spec.accelerators if spec.accelerators is not None else req.get("num_accelerators")),
        min_memory_required_in_mb=spec.memory_mb if spec.memory_mb is not None else req.get("min_memory_mb", 1024),
        number_of_cpu_cores_required=spec.cpu_cores,
    )


def _served(spec: JumpStartInferenceComponent, model: JumpStartModel, pools: Sequence[Pool]
            ) -> List[Tuple[Optional[str], JumpStartModel, Any]]:
    """(instance type, model, resolution) per pool type, or one ``(None, model, resolution)`` when every
    pool type is served alike (the same model, compute and start-up timeouts: one ``Specification``)."""
    served = [(p.instance_type, p.model or model, p.resolved) for p in pools]
    def alike(entry: Tuple[Optional[str], JumpStartModel, Any]) -> Tuple[Any, ...]:
        _, m, r = entry
        return (id(m), tuple(sorted(r.resource_requirements.items())), r.model_data_download_timeout,
                r.container_startup_health_check_timeout)
    if len({alike(e) for e in served}) <= 1:
        return [(None, model, model.resolved)]
    return served


def _specification(spec: JumpStartInferenceComponent, instance_type: Optional[str], model: JumpStartModel,
                   resolved: Any) -> Any:
    fields = dict(model_name=model.model_name, startup_parameters=startup_parameters(resolved),
                  compute_resource_requirements=_requirements(spec, resolved.resource_requirements))
    if instance_type is None:
        return _Component.InferenceComponentSpecificationProperty(**fields)
    return _Component.InferenceComponentSpecificationForInstanceTypeProperty(instance_type=instance_type, **fields)


def build_components(scope: Construct, specs: Sequence[JumpStartInferenceComponent], models: Sequence[JumpStartModel],
                     endpoint: sagemaker.CfnEndpoint, variant_name: str,
                     pools: Sequence[Sequence[Pool]] = ()) -> List[sagemaker.CfnInferenceComponent]:
    """A component per model on the endpoint's one variant, each created after the endpoint; on
    instance pools, a specification per pool type where the types are served differently
    (``Specifications``: "Each specification includes an InstanceType field that maps it to an
    instance type in the endpoint's instance pools", SageMaker Developer Guide)."""
    components = []
    for spec, model, pooled in zip(specs, models, list(pools) or [()] * len(specs)):
        label = _label(spec.name or spec.model_id)
        per_type = [_specification(spec, *served) for served in _served(spec, model, pooled)]
        if spec.adapters is not None and len(per_type) > 1:  # the schema: adapters "only on the singular Specification"
            raise ValidationError(scope.node.path, [
                f"inference component '{spec.name or spec.model_id}' serves adapters, but its pool types are served "
                "differently (a Specification per instance type), and adapter components are supported only on a base "
                "with one Specification (the CloudFormation schema): give pools its container serves alike."])
        # a base of adapters is a new resource with a fixed name (they name it; CloudFormation replaces
        # the unnamed component rather than renaming it)
        component = sagemaker.CfnInferenceComponent(
            scope, f"AdapterBase{label}" if spec.adapters is not None else f"Component{label}",
            endpoint_name=endpoint.attr_endpoint_name,
            variant_name=variant_name,
            specification=per_type[0] if len(per_type) == 1 else None,
            specifications=per_type if len(per_type) > 1 else None,
            runtime_config=_Component.InferenceComponentRuntimeConfigProperty(copy_count=spec.copies),
            tags=cfn_tags(model.resolved),
        )
        if spec.adapters is not None:
            component.inference_component_name = physical_name(component)
        component.node.add_dependency(endpoint)
        components.append(component)
    return components
