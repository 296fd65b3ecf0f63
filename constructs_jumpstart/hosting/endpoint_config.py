"""The ``AWS::SageMaker::EndpointConfig`` and the ``AWS::SageMaker::Endpoint``: the variants, the
volume key, what the endpoint writes, and, for inference components, the container settings the
config carries; the endpoint with its deployment config."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .config import DeploymentConfig
from .deployment import deployment_config
from .keys import acknowledge_no_volume_key
from .variants import component_vpc_config, sdk_tags


def build_config(scope: Construct, models: Sequence[Any], role: iam.IRole, production_variants: List[Any],
                 volume_key: Optional[kms.IKey], async_config: Any, capture_config: Any, components: bool,
                 serverless: bool) -> sagemaker.CfnEndpointConfig:
    config = sagemaker.CfnEndpointConfig(
        scope, "EndpointConfig",
        production_variants=production_variants,
        kms_key_id=volume_key.key_arn if volume_key else None,
        async_inference_config=async_config,
        data_capture_config=capture_config,
        execution_role_arn=role.role_arn if components else None,
        # an inference-component endpoint runs the containers: isolation and VPC go on its config
        enable_network_isolation=any(m.network_isolation for m in models) if components else None,
        vpc_config=component_vpc_config(models) if components else None,
        tags=sdk_tags(models),
    )
    for model in models:
        config.node.add_dependency(model)
    if volume_key is None and not serverless:
        acknowledge_no_volume_key(
            config,
            "The instance types store on local instance storage, encrypted by the hardware; SageMaker refuses a "
            "KmsKeyId for them (the SDK's instance_supports_kms).",
            "local instance storage is hardware-encrypted.")
    if serverless:
        acknowledge_no_volume_key(
            config,
            "Serverless endpoints have no ML storage volume to encrypt; SageMaker refuses a KmsKeyId.",
            "serverless has no storage volume.")
    return config


def build_endpoint(scope: Construct, config_name: str, endpoint_name: Optional[str],
                   deployment: Optional[DeploymentConfig], alarms: Sequence[Any],
                   models: Sequence[Any]) -> sagemaker.CfnEndpoint:
    return sagemaker.CfnEndpoint(
        scope, "Endpoint",
        endpoint_config_name=config_name,
        endpoint_name=endpoint_name,
        deployment_config=deployment_config(deployment, alarms) if deployment else None,
        tags=sdk_tags(models),
    )


def attach_endpoint(ep: Any, endpoint_name: Optional[str], deployment: Optional[DeploymentConfig]) -> None:
    """The endpoint of ``ep``'s config: your name, a generated one (a deployment config's alarms
    may watch its metrics), or CloudFormation's."""
    from . import naming

    ep._named_by_user = endpoint_name is not None
    generated = endpoint_name is None and deployment is not None
    if generated:
        endpoint_name = naming.generated_endpoint_name(ep)
    ep.endpoint_config_name = ep.endpoint_config.attr_endpoint_config_name
    ep.cfn_endpoint = build_endpoint(ep, ep.endpoint_config_name, endpoint_name, deployment, ep._rollback_alarms,
                                     ep.models)
    ep._endpoint_name = endpoint_name
    ep._endpoint_arn = None
    if generated:  # renamed when an instance type changes, as a scaled endpoint
        naming.watch_exports(ep)
