"""Inference components: several models sharing the endpoint's instances, each an
``AWS::SageMaker::InferenceComponent`` with the spec's resource requirements and start-up timeouts."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..model import JumpStartModel, cfn_tags
from .adapters import physical_name
from .config import JumpStartInferenceComponent
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


def build_components(scope: Construct, specs: Sequence[JumpStartInferenceComponent], models: Sequence[JumpStartModel],
                     endpoint: sagemaker.CfnEndpoint, variant_name: str) -> List[sagemaker.CfnInferenceComponent]:
    """A component per model on the endpoint's one variant, each created after the endpoint."""
    components = []
    for spec, model in zip(specs, models):
        label = _label(spec.name or spec.model_id)
        # a base of adapters is a new resource with a fixed name (they name it; CloudFormation replaces
        # the unnamed component rather than renaming it)
        component = sagemaker.CfnInferenceComponent(
            scope, f"AdapterBase{label}" if spec.adapters is not None else f"Component{label}",
            endpoint_name=endpoint.attr_endpoint_name,
            variant_name=variant_name,
            specification=_Component.InferenceComponentSpecificationProperty(
                model_name=model.model_name,
                startup_parameters=startup_parameters(model.resolved),
                compute_resource_requirements=_requirements(spec, model.resolved.resource_requirements),
            ),
            runtime_config=_Component.InferenceComponentRuntimeConfigProperty(copy_count=spec.copies),
            tags=cfn_tags(model.resolved),
        )
        if spec.adapters is not None:
            component.inference_component_name = physical_name(component)
        component.node.add_dependency(endpoint)
        components.append(component)
    return components
