"""``JumpStartEndpoint``: a real-time SageMaker endpoint serving a JumpStart model."""

from __future__ import annotations

from typing import List, Mapping, Optional

from aws_cdk import ArnFormat, Resource, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .errors import JumpStartError, ValidationError
from .model import JumpStartModel

INVOKE_ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]


class IJumpStartEndpoint:
    """What any endpoint, created here or imported, offers: its name, ARN and ``grant_invoke``."""

    endpoint_name: str
    endpoint_arn: str

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:  # pragma: no cover - interface
        raise NotImplementedError


def _grant_invoke(grantee: iam.IGrantable, endpoint_arn: str) -> iam.Grant:
    return iam.Grant.add_to_principal(grantee=grantee, actions=INVOKE_ACTIONS, resource_arns=[endpoint_arn])


class _ImportedEndpoint(Resource, IJumpStartEndpoint):
    def __init__(self, scope: Construct, id: str, *, endpoint_name: str, endpoint_arn: str):
        super().__init__(scope, id)
        self.endpoint_name = endpoint_name
        self.endpoint_arn = endpoint_arn

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        return _grant_invoke(grantee, self.endpoint_arn)


class JumpStartEndpoint(Construct, IJumpStartEndpoint):
    """A real-time SageMaker endpoint for a JumpStart model: a :class:`JumpStartModel`, an
    ``AWS::SageMaker::EndpointConfig`` and an ``AWS::SageMaker::Endpoint``.

    Example::

        endpoint = JumpStartEndpoint(self, "Classifier", model_id="pytorch-ic-mobilenet-v2",
                                     model_version="3.0.25", instance_type="ml.m5.large")
        endpoint.grant_invoke(my_function)

    The spec's deploy settings (container start-up health-check timeout, model download timeout,
    volume size) go on the production variant. Model and endpoint config have no physical name, so
    changing the model or instance type replaces them and updates the endpoint in place.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str,
        model_version: str = "*",
        instance_type: Optional[str] = None,
        initial_instance_count: int = 1,
        variant_name: str = "AllTraffic",
        environment: Optional[Mapping[str, str]] = None,
        role: Optional[iam.IRole] = None,
        accept_eula: bool = False,
        tolerate_deprecated: bool = False,
        tolerate_vulnerable: bool = False,
        config_name: Optional[str] = None,
        model_data: Optional[str] = None,
        encryption_key: Optional[kms.IKey] = None,
    ) -> None:
        """
        Args:
            model_id: JumpStart model id, e.g. ``"pytorch-ic-mobilenet-v2"``.
            model_version: a concrete version, a wildcard like ``"3.*"``, or ``"*"`` (latest).
            instance_type: hosting instance type. Default: the spec's default.
            initial_instance_count: instances behind the endpoint (at least 1).
            variant_name: name of the production variant.
            environment: container environment, merged over the spec's defaults (yours win).
            role: execution role to use instead of creating a least-privilege one.
            accept_eula: accept the model's EULA (required for gated models).
            tolerate_deprecated: deploy a deprecated version anyway (with a warning).
            tolerate_vulnerable: deploy a version with known-vulnerable dependencies anyway.
            config_name: a spec inference config (e.g. ``"lmi-optimized"``); default: top-ranked.
            model_data: S3 URI of artifacts to serve instead of the spec's (e.g. fine-tuned).
            encryption_key: KMS key for the ML storage volume of the endpoint instances.
        """
        super().__init__(scope, id)
        problems: List[str] = []
        if not isinstance(initial_instance_count, int) or initial_instance_count < 1:
            problems.append(f"initial_instance_count must be an integer of at least 1; got {initial_instance_count!r}.")
        if not variant_name or len(variant_name) > 63 or not all(c.isalnum() or c == "-" for c in variant_name):
            problems.append(
                f"variant_name must be 1-63 letters, digits or hyphens; got {variant_name!r}."
            )
        try:
            self.model = JumpStartModel(
                self,
                "Model",
                model_id=model_id,
                model_version=model_version,
                instance_type=instance_type,
                environment=environment,
                role=role,
                accept_eula=accept_eula,
                tolerate_deprecated=tolerate_deprecated,
                tolerate_vulnerable=tolerate_vulnerable,
                config_name=config_name,
                model_data=model_data,
            )
        except ValidationError as err:
            raise ValidationError(self.node.path, err.problems + problems) from None
        except JumpStartError as err:
            if problems:
                raise ValidationError(self.node.path, [str(err)] + problems) from None
            raise
        if problems:
            raise ValidationError(self.node.path, problems)

        resolved = self.model.resolved
        self.resolved = resolved
        self.role: iam.IRole = self.model.role
        self.model_name: str = self.model.model_name
        self.instance_type: str = resolved.instance_type
        self.model_version: str = resolved.version
        """The concrete JumpStart version deployed."""

        variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
            model_name=self.model.model_name,
            variant_name=variant_name,
            initial_instance_count=initial_instance_count,
            instance_type=resolved.instance_type,
            initial_variant_weight=1.0,
            container_startup_health_check_timeout_in_seconds=resolved.container_startup_health_check_timeout,
            model_data_download_timeout_in_seconds=resolved.model_data_download_timeout,
            volume_size_in_gb=resolved.volume_size,
        )
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            production_variants=[variant],
            kms_key_id=encryption_key.key_arn if encryption_key else None,
        )
        self.endpoint_config.node.add_dependency(self.model)
        if encryption_key is not None:
            encryption_key.grant(self.role, "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey*")
        self.cfn_endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint", endpoint_config_name=self.endpoint_config.attr_endpoint_config_name
        )
        self.endpoint_name: str = self.cfn_endpoint.attr_endpoint_name
        """The endpoint's name (generated by CloudFormation)."""
        self.endpoint_arn: str = self.cfn_endpoint.ref
        """The endpoint's ARN."""
        self.endpoint_config_name: str = self.endpoint_config.attr_endpoint_config_name

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` to invoke this endpoint (``sagemaker:InvokeEndpoint`` and the
        response-stream variant), on this endpoint only."""
        return _grant_invoke(grantee, self.endpoint_arn)

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
