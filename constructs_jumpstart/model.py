"""``JumpStartModel``: a SageMaker model (execution role + ``AWS::SageMaker::Model``) for a
JumpStart model id, resolved at synth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2

from . import _iam
from ._resolution import lockfile_path, resolve_for
from .errors import JumpStartError, RegionError, ValidationError
from .lockfile import LockKey
from .types import ResolvedModel, S3Artifact, Scope

SCRIPT_ENTRY_POINT = "inference.py"


def _subnet_args(selection: Optional[ec2.SubnetSelection]) -> Dict[str, Any]:
    if selection is None:
        return {}
    return {k: v for k, v in {
        "subnets": selection.subnets, "subnet_type": selection.subnet_type, "subnet_group_name": selection.subnet_group_name,
        "availability_zones": selection.availability_zones, "one_per_az": selection.one_per_az,
    }.items() if v is not None}


def concrete_region(construct: Construct, what: str) -> str:
    """The stack's region, or a clear error if it is a token (an environment-agnostic stack)."""
    region = Stack.of(construct).region
    if Token.is_unresolved(region):
        raise RegionError(
            f"{what} '{construct.node.path}' needs a concrete AWS region, because JumpStart images "
            "and artifacts are regional, but its stack's region is unresolved. Create the stack "
            "with env=Environment(account=..., region='us-west-2') (or another JumpStart region)."
        )
    return region


def raise_problems(construct: Construct, problems: List[str], cause: Optional[JumpStartError] = None) -> None:
    """Raise ``cause`` alone when it is the only problem, else everything together."""
    if cause is not None and not problems:
        raise cause
    if cause is not None:
        problems = [str(cause)] + problems
    if problems:
        raise ValidationError(construct.node.path, problems)


def model_policy_problems(
    resolved: ResolvedModel, *, accept_eula: bool, tolerate_deprecated: bool, tolerate_vulnerable: bool
) -> List[str]:
    """Checks shared by every construct that runs a JumpStart model (hosting or jobs)."""
    problems: List[str] = []
    who = f"JumpStart model '{resolved.model_id}' {resolved.version}"
    if resolved.eula_required and not accept_eula:
        where = f" Read it at {resolved.eula_url}" if resolved.eula_url else ""
        problems.append(
            f"{who} is gated behind an end-user license agreement (EULA).{where} "
            "and pass accept_eula=True to accept it."
        )
    if resolved.deprecated and not tolerate_deprecated:
        problems.append(
            f"{who} is deprecated: {resolved.deprecated_message or 'no message in the spec'}. "
            "Pin another version, or pass tolerate_deprecated=True to deploy it anyway."
        )
    if resolved.vulnerable and not tolerate_vulnerable:
        problems.append(
            f"{who} has dependencies with known vulnerabilities for {resolved.scope}: "
            f"{', '.join(resolved.vulnerabilities) or 'not listed'}. Pin another version, or pass "
            "tolerate_vulnerable=True to deploy it anyway."
        )
    return problems


def annotate_resolution(construct: Construct, resolved: ResolvedModel, lockfile: str) -> None:
    """Warnings that show in ``cdk synth`` output."""
    notes = Annotations.of(construct)
    if resolved.requested_version != resolved.version:
        notes.add_warning_v2(
            "jumpstart:floating-version",
            f"model_version '{resolved.requested_version}' of '{resolved.model_id}' resolved to "
            f"{resolved.version} (recorded in {lockfile}). Pin model_version='{resolved.version}' to "
            "make upgrades explicit.",
        )
    if resolved.deprecated:
        notes.add_warning_v2(
            "jumpstart:deprecated",
            f"'{resolved.model_id}' {resolved.version} is deprecated (tolerated): {resolved.deprecated_message}",
        )
    if resolved.vulnerable:
        notes.add_warning_v2(
            "jumpstart:vulnerable",
            f"'{resolved.model_id}' {resolved.version} has known-vulnerable dependencies (tolerated): "
            f"{', '.join(resolved.vulnerabilities)}",
        )


class JumpStartModel(Construct):
    """A SageMaker model for a JumpStart model id: an execution role and an ``AWS::SageMaker::Model``.

    The container image, model artifact (compressed ``ModelDataUrl`` or uncompressed S3 prefix
    ``ModelDataSource``), additional data sources, default environment and network isolation all
    come from the model's JumpStart spec for the stack's region and the instance type, exactly as the
    SageMaker SDK's deploy would set them. Resolutions are recorded in ``jumpstart.lock.json``.

    Example::

        model = JumpStartModel(self, "Model", model_id="pytorch-ic-mobilenet-v2",
                               model_version="3.0.25", instance_type="ml.m5.large")

    The model has no physical name, so CloudFormation can replace it when the model changes.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str,
        model_version: str = "*",
        instance_type: Optional[str] = None,
        environment: Optional[Mapping[str, str]] = None,
        role: Optional[iam.IRole] = None,
        accept_eula: bool = False,
        tolerate_deprecated: bool = False,
        tolerate_vulnerable: bool = False,
        config_name: Optional[str] = None,
        model_data: Optional[str] = None,
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        enable_network_isolation: Optional[bool] = None,
    ) -> None:
        """
        Args:
            model_id: JumpStart model id, e.g. ``"pytorch-ic-mobilenet-v2"``.
            model_version: a concrete version (recommended), a wildcard such as ``"3.*"``, or
                ``"*"`` for the latest; the concrete version is recorded in the lockfile.
            instance_type: the hosting instance type (e.g. ``"ml.m5.large"``). Default: the spec's
                default inference instance type. Images, artifacts and environment can differ per
                instance type.
            environment: container environment variables, merged over the spec's defaults (yours win).
            role: an execution role to use instead of creating one. Policies are added to it where
                possible (roles imported as immutable get none).
            accept_eula: accept the model's end-user license agreement. Required for gated models.
            tolerate_deprecated: deploy a version the spec marks deprecated (with a warning).
            tolerate_vulnerable: deploy a version whose spec lists vulnerable dependencies.
            config_name: one of the spec's inference configs (e.g. ``"lmi-optimized"``). Default:
                the top-ranked config, as the SDK picks it.
            model_data: an S3 URI of model artifacts to serve instead of the spec's (for example a
                fine-tuned ``model.tar.gz``; the image and environment still come from the spec).
            vpc, vpc_subnets, security_groups: run the model's containers in your VPC.
            enable_network_isolation: default: the spec's setting. It may only be made stricter
                (``True``); turning off isolation a spec asks for is refused.
        """
        super().__init__(scope, id)
        problems: List[str] = []
        if environment is not None:
            for key, value in environment.items():
                if not isinstance(key, str) or not isinstance(value, str):
                    problems.append(
                        f"environment must map strings to strings; got {key!r}: {value!r} "
                        f"({type(value).__name__}). Quote the value, e.g. '{key}': '{value}'."
                    )
        if model_data is not None and not Token.is_unresolved(model_data) and not model_data.startswith("s3://"):
            problems.append(f"model_data must be an s3:// URI; got {model_data!r}.")

        if security_groups and vpc is None:
            problems.append("security_groups need vpc=.")
        region = concrete_region(self, "JumpStartModel")
        key = LockKey(model_id, model_version, region, Scope.INFERENCE.value, instance_type, config_name)
        try:
            resolved = resolve_for(self, key)
        except JumpStartError as err:
            raise_problems(self, problems, err)
            raise
        if enable_network_isolation is False and (resolved.network_isolation or resolved.model_package_arn):
            problems.append(
                f"enable_network_isolation=False is refused: the spec of '{model_id}' {resolved.version} runs "
                "with network isolation, and it may only be made stricter."
            )
        problems += model_policy_problems(
            resolved,
            accept_eula=accept_eula,
            tolerate_deprecated=tolerate_deprecated,
            tolerate_vulnerable=tolerate_vulnerable,
        )
        raise_problems(self, problems)
        annotate_resolution(self, resolved, str(lockfile_path(self)))

        self.resolved: ResolvedModel = resolved
        """Everything resolved for this model (plain data: image, artifacts, version, ...)."""
        self.model_id = model_id
        self.model_version = resolved.version
        """The concrete JumpStart version deployed."""
        self.instance_type = resolved.instance_type
        """The instance type the model was resolved for."""

        artifact = S3Artifact.from_uri(model_data) if model_data and not Token.is_unresolved(model_data) else None
        if model_data and artifact is None:  # a token, e.g. a training job's output
            prefix = getattr(model_data, "s3_data_type", "S3Object") == "S3Prefix"
            artifact = S3Artifact(model_data, "S3Prefix", "None") if prefix else S3Artifact(model_data, "S3Object", "Gzip")
        artifact = artifact or resolved.model_data
        self.model_data: Optional[S3Artifact] = artifact

        stack = Stack.of(self)
        reads = [a for a in [artifact] if a is not None and resolved.model_package_arn is None]
        reads += [d.artifact for d in resolved.additional_data_sources]
        if resolved.script_uri:
            reads.append(S3Artifact.from_uri(resolved.script_uri))
        self.role, depends = _iam.sagemaker_role(
            self, role, f"SageMaker execution role for JumpStart model {model_id} {resolved.version}",
            reads, resolved.image_uri, "/aws/sagemaker/", vpc=vpc is not None,
        )
        self.owns_role: bool = role is None
        """The execution role (yours, or a created least-privilege one)."""
        if hasattr(model_data, "grant_read"):
            model_data.grant_read(self.role)  # e.g. a training job's output
            self.acknowledge_grants()

        env: Dict[str, str] = dict(resolved.environment)
        if resolved.script_uri:
            # Script mode, as the SDK's Model sets it for a source_dir on S3.
            env.update(
                SAGEMAKER_PROGRAM=SCRIPT_ENTRY_POINT,
                SAGEMAKER_SUBMIT_DIRECTORY=resolved.script_uri,
                SAGEMAKER_REGION=region,
            )
            if resolved.network_isolation:
                Annotations.of(self).add_warning_v2(
                    "jumpstart:script-mode-isolation",
                    f"'{model_id}' serves its inference script from {resolved.script_uri} and runs "
                    "with network isolation, so the container cannot download it: the SDK repacks "
                    "the script into the model artifact. Pass model_data= a repacked artifact.",
                )
        env.update(environment or {})

        container: Dict[str, Any] = {}
        if resolved.model_package_arn:
            container["model_package_name"] = resolved.model_package_arn
        else:
            container["image"] = resolved.image_uri
            if artifact is not None:
                access = sagemaker.CfnModel.ModelAccessConfigProperty(accept_eula=True) if (
                    resolved.eula_required and accept_eula and model_data is None
                ) else None
                if artifact.is_prefix or access is not None:
                    container["model_data_source"] = sagemaker.CfnModel.ModelDataSourceProperty(
                        s3_data_source=sagemaker.CfnModel.S3DataSourceProperty(
                            s3_uri=artifact.s3_uri,
                            s3_data_type=artifact.s3_data_type,
                            compression_type=artifact.compression_type,
                            model_access_config=access,
                        )
                    )
                else:
                    container["model_data_url"] = artifact.s3_uri
        if env:
            container["environment"] = env

        vpc_config = None
        if vpc is not None:
            from aws_cdk import aws_ec2 as ec2

            groups = list(security_groups or [ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                                                                description=f"JumpStart model {model_id}")])
            self.security_groups = groups
            subnets = vpc.select_subnets(**_subnet_args(vpc_subnets))
            vpc_config = sagemaker.CfnModel.VpcConfigProperty(
                security_group_ids=[g.security_group_id for g in groups], subnets=subnets.subnet_ids
            )
        isolation = bool(resolved.model_package_arn) or resolved.network_isolation or bool(enable_network_isolation)
        self.network_isolation: bool = isolation
        self.cfn_model = sagemaker.CfnModel(
            self,
            "Resource",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(**container),
            enable_network_isolation=isolation,
            vpc_config=vpc_config,
        )
        if resolved.additional_data_sources and not resolved.model_package_arn:
            self.cfn_model.add_property_override(
                "PrimaryContainer.AdditionalModelDataSources",
                [
                    {
                        "ChannelName": d.channel_name,
                        "S3DataSource": {
                            "S3Uri": d.artifact.s3_uri,
                            "S3DataType": d.artifact.s3_data_type,
                            "CompressionType": d.artifact.compression_type,
                            **({"ModelAccessConfig": {"AcceptEula": True}} if d.requires_eula and accept_eula else {}),
                        },
                    }
                    for d in resolved.additional_data_sources
                ],
            )
        self.cfn_model.node.add_dependency(self.role, *depends)
        self.model_name: str = self.cfn_model.attr_model_name
        """The name CloudFormation gives the model."""
        self.model_arn: str = self.cfn_model.ref

    def acknowledge_grants(self) -> None:
        """For cdk-nag: acknowledge the wildcards of CDK grant helpers (on this library's own
        buckets and keys) in the default policy of the role this model created."""
        if self.owns_role:
            _iam.acknowledge_generated_wildcards(self.role)
