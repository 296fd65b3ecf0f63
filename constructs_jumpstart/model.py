"""``JumpStartModel``: a SageMaker model (execution role + ``AWS::SageMaker::Model``) for a
JumpStart model id, resolved at synth."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

import jsii
from aws_cdk import Annotations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2

from . import _api_rules, _iam
from ._checks import (
    adopt,
    annotate_resolution,
    concrete_region,
    hub_arn,
    is_token,
    lockfile_path,
    model_policy_problems,
    raise_problems,
    subnet_args,
)
from ._report import reports_problems
from ._resolution import resolve_for
from .errors import JumpStartError
from .lockfile import LockKey
from .types import ModelSource, ResolvedModel, S3Artifact, Scope

SCRIPT_ENTRY_POINT = "inference.py"
API_MODEL_REASON = ("Models created through the API are named at deploy from a hash of their resolved request (a new "
                    "name per change); scoped to this construct's model-name base in this account and region.")
SOURCE_REASON = ("The read grant of exactly the model artifact served (a bucket's object or prefix, a CDK asset's "
                 "object, a training job's model.tar.gz), with the bucket's KMS key where it has one.")


def _failed_model(model: "JumpStartModel") -> dict:
    from ._report import PLACEHOLDER

    return {"model_name": PLACEHOLDER, "model_version": PLACEHOLDER, "instance_type": PLACEHOLDER}


@jsii.implements(iam.IGrantable)
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

    failed = False
    """``True`` when its problems were reported as synth errors (see ``jumpstart:errors``)."""
    resolved = role = model_data = cfn_model = vpc_config = packed_artifact = custom_model = _api_model_arn = None
    _connections = None
    uses_model_data_source = network_isolation = owns_role = False
    security_groups: List[Any] = []

    @reports_problems(_failed_model)
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
        model_data: Optional[Union[str, ModelSource]] = None,
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        enable_network_isolation: Optional[bool] = None,
        compress_artifact: bool = False,
        hub: Optional[str] = None,
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
            model_data: model artifacts to serve instead of the spec's (for example a fine-tuned
                ``model.tar.gz``; the image and environment still come from the spec): an S3 URI, or a
                :class:`ModelSource` (``from_uri``, ``from_bucket``, ``from_asset``, a training
                job's ``model_data``), which grants the role read access to exactly that.
            vpc, vpc_subnets, security_groups: run the model's containers in your VPC.
            hub: a private SageMaker hub (name or ARN) to take the model from: a model reference to
                a public JumpStart model, or a model of the hub's own, as the SDK's ``hub_name=``.
                Its artifact is read with ``HubAccessConfig`` (model references), the role may
                describe exactly that hub content, and the lockfile records the resolution.
            enable_network_isolation: default: the spec's setting. It may only be made stricter
                (``True``); turning off isolation a spec asks for is refused.
            compress_artifact: serve an uncompressed S3-prefix artifact as one ``model.tar.gz``,
                packed at deploy into a bucket of the stack (``ModelDataUrl`` instead of
                ``ModelDataSource``, which SageMaker refuses for batch transform and serverless
                endpoints; those set this themselves).
        """
        if vpc is not None:
            _make_connectable()
        super().__init__(scope, id)
        adopt(self, scope, id)
        problems = _input_problems(self, environment, model_data, security_groups, vpc)
        region = concrete_region(self, "JumpStartModel")
        try:
            key = LockKey(model_id, model_version, region, Scope.INFERENCE.value, instance_type, config_name,
                          hub_arn(self, hub))
            resolved = resolve_for(self, key)
        except JumpStartError as err:
            raise_problems(self, problems, err)
            raise
        policy = model_policy_problems(resolved, accept_eula=accept_eula, tolerate_deprecated=tolerate_deprecated,
                                       tolerate_vulnerable=tolerate_vulnerable)
        problems += _resolved_problems(resolved, enable_network_isolation, compress_artifact and model_data is None,
                                       policy)
        raise_problems(self, problems)
        annotate_resolution(self, resolved, str(lockfile_path(self)))

        self.resolved: ResolvedModel = resolved
        """Everything resolved for this model (plain data: image, artifacts, version, ...)."""
        self.model_id = model_id
        self.model_version = resolved.version
        """The concrete JumpStart version deployed."""
        self.instance_type = resolved.instance_type
        """The instance type the model was resolved for."""

        source = model_data if isinstance(model_data, ModelSource) else (
            ModelSource.from_uri(model_data) if model_data else None)
        artifact = source.artifact if source is not None else resolved.model_data
        gated_spec_artifact = resolved.eula_required and model_data is None
        packable = artifact is not None and resolved.model_package_arn is None and not gated_spec_artifact
        script = S3Artifact.from_uri(resolved.script_uri) if resolved.script_uri else None
        repack = script is not None and packable  # the SDK's script-mode repack: code/ inside the artifact
        pack = repack or (compress_artifact and packable and artifact.is_prefix)
        granted = source is not None and source.grants  # grants itself (a bucket, an asset, a job's output)
        served = [None if granted else artifact, None if repack else script]
        depends = self._build_role(resolved, role, vpc, [] if pack else served)
        artifact = self._build_artifact(artifact, source, script if repack else None, pack)
        env = self._environment(resolved, model_id, script, repack, region, environment)
        reference = resolved.hub_content_arn if resolved.hub_content_type == "ModelReference" and not pack else None
        container = _container(resolved, artifact, env, accepted=gated_spec_artifact and accept_eula,
                               hub_access=reference if model_data is None else None)
        self._build_model(resolved, container, accept_eula, depends, vpc, vpc_subnets, security_groups,
                          enable_network_isolation)

    def _build_model(self, resolved: ResolvedModel, container: Dict[str, Any], accept_eula: bool, depends: List[Any],
                     vpc: Optional[ec2.IVpc], vpc_subnets: Optional[ec2.SubnetSelection],
                     security_groups: Optional[Sequence[ec2.ISecurityGroup]],
                     enable_network_isolation: Optional[bool]) -> None:
        """The model itself: an ``AWS::SageMaker::Model``, or ``CreateModel`` through the stack's
        handler when it has additional data sources (which the resource type lacks)."""
        model_id = resolved.model_id
        self.uses_model_data_source: bool = "ModelDataSource" in container
        """Whether the container reads its artifact through ``ModelDataSource`` (which batch
        transform and serverless endpoints refuse; see ``compress_artifact``)."""
        extra = _additional_sources(resolved, accept_eula)
        self._served = (container, extra)

        self.custom_model: Optional[Any] = None
        """The custom resource that creates the model through the API (additional data sources), or ``None``."""
        vpc_config = self._vpc(vpc, vpc_subnets, security_groups, model_id)
        self.vpc_config: Optional[Dict[str, Any]] = vpc_config
        """``VpcConfig`` of the model (``SecurityGroupIds``, ``Subnets``), or ``None``."""
        isolation = bool(resolved.model_package_arn) or resolved.network_isolation or bool(enable_network_isolation)
        self.network_isolation: bool = isolation

        self.cfn_model: Optional[sagemaker.CfnModel] = None
        if extra:
            # AWS::SageMaker::Model has no AdditionalModelDataSources (cfn-lint: E3002), so a model
            # with them (e.g. a speculative-decoding draft model) is created through the API.
            container["AdditionalModelDataSources"] = extra
            self.model_name: str = self._create_through_api(model_id, container, isolation, vpc_config, depends,
                                                            resolved.sdk_tags())
            self._register_identity(self.model_name, self._api_model_arn)
            return
        self.cfn_model = sagemaker.CfnModel(
            self,
            "Resource",
            execution_role_arn=self.role.role_arn,
            enable_network_isolation=isolation,
            tags=cfn_tags(resolved),
        )
        self.cfn_model.add_property_override("PrimaryContainer", container)
        if vpc_config:
            self.cfn_model.add_property_override("VpcConfig", vpc_config)
        self.cfn_model.node.add_dependency(self.role, *depends)
        self.model_name = self.cfn_model.attr_model_name
        """The model's name."""
        self._register_identity(self.model_name)

    def _register_identity(self, *tokens: str) -> None:
        """The model's name and ARN stand for what it serves: a digest that reads them (a transform
        job's name, a smoke test's fingerprint) changes when the model does, although the tokens'
        text stays the same (computed when first read: most are never)."""
        from ._names import register_identity, request_digest

        for token in tokens:
            register_identity(self, token, lambda: request_digest(self, self.fingerprint))

    def _build_role(self, resolved: ResolvedModel, role: Optional[iam.IRole], vpc: Optional[ec2.IVpc],
                    artifacts: List[Optional[S3Artifact]]) -> List[Any]:
        """The execution role: reads exactly the artifacts served as they are (none of a model
        package; a packed artifact grants its own), the data sources, the image, its logs, and the
        hub content it comes from. Returns what the model must wait for."""
        reads = [a for a in artifacts if a is not None and resolved.model_package_arn is None]
        reads += [d.artifact for d in resolved.additional_data_sources]
        self.role, depends = _iam.sagemaker_role(
            self, role, f"SageMaker execution role for JumpStart model {resolved.model_id} {resolved.version}",
            reads, resolved.image_uri, "/aws/sagemaker/", vpc=vpc is not None,
        )
        if resolved.hub_content_arn:  # exactly the hub content this model uses
            self.role.add_to_principal_policy(iam.PolicyStatement(
                actions=["sagemaker:DescribeHubContent"], resources=[resolved.hub_content_arn]))
        self.owns_role: bool = role is None
        """The execution role (yours, or a created least-privilege one)."""
        return depends

    def _build_artifact(self, artifact: Optional[S3Artifact], source: Optional[ModelSource],
                        code: Optional[S3Artifact], pack: bool) -> Optional[S3Artifact]:
        """The artifact served: packed at deploy (an S3 prefix as one ``model.tar.gz``, or with the
        script under ``code/``), or as it is; a source that grants binds to the role."""
        self.packed_artifact: Optional[S3Artifact] = None
        """The ``model.tar.gz`` packed at deploy: an S3 prefix (``compress_artifact``), or the
        artifact with the inference script under ``code/`` (script-mode models, as the SDK repacks)."""
        if pack:
            from ._artifacts import packed

            given = source if source is not None else artifact  # a source that grants grants the packer too
            artifact = self.packed_artifact = packed(self, "PackedArtifact", given, self.role, code=code)
        self.model_data: Optional[S3Artifact] = artifact
        """The artifact the container serves (``None`` for model packages)."""
        if source is not None and source.grants:  # a bucket, an asset, a training job's output
            _iam.acknowledge_grant(self.role, source.grant(self.role), SOURCE_REASON)
        return artifact

    def _environment(self, resolved: ResolvedModel, model_id: str, script: Optional[S3Artifact], repack: bool,
                     region: str, environment: Optional[Mapping[str, str]]) -> Dict[str, str]:
        """The spec's environment, the script-mode variables (as the SDK sets them), then yours."""
        env: Dict[str, str] = dict(resolved.environment)
        if repack:  # what the SDK's deploy sets for a repacked script-mode model
            env.update(SAGEMAKER_PROGRAM=SCRIPT_ENTRY_POINT, SAGEMAKER_SUBMIT_DIRECTORY="/opt/ml/model/code",
                       SAGEMAKER_CONTAINER_LOG_LEVEL="20", SAGEMAKER_REGION=region)
        elif script is not None:
            env.update(SAGEMAKER_PROGRAM=SCRIPT_ENTRY_POINT, SAGEMAKER_SUBMIT_DIRECTORY=script.s3_uri,
                       SAGEMAKER_REGION=region)
            Annotations.of(self).add_warning_v2(
                "jumpstart:script-mode-not-repacked",
                f"'{model_id}' serves its inference script from {script.s3_uri}, which its container does not "
                "download; the SDK repacks the script into the model artifact, which cannot be done for a gated "
                "artifact. Pass model_data= an artifact with the script under code/.")
        env.update(environment or {})
        return env

    def _vpc(self, vpc: Optional[ec2.IVpc], vpc_subnets: Optional[ec2.SubnetSelection],
             security_groups: Optional[Sequence[ec2.ISecurityGroup]], model_id: str) -> Optional[Dict[str, Any]]:
        """Security groups (created, no outbound, when not given), connections and ``VpcConfig``."""
        vpc_config: Optional[Dict[str, Any]] = None
        self.security_groups: List[ec2.ISecurityGroup] = []
        """The model's security groups (in a VPC; else empty)."""
        self._connections: Optional[ec2.Connections] = None
        if vpc is not None:
            from aws_cdk import aws_ec2 as ec2

            groups = list(security_groups or [ec2.SecurityGroup(
                self, "SecurityGroup", vpc=vpc, allow_all_outbound=False, description=f"JumpStart model {model_id}")])
            self.security_groups = groups
            self._connections = ec2.Connections(security_groups=groups)
            subnets = vpc.select_subnets(**subnet_args(vpc_subnets))
            vpc_config = {"SecurityGroupIds": [g.security_group_id for g in groups], "Subnets": subnets.subnet_ids}
        return vpc_config

    @property
    def fingerprint(self) -> Dict[str, Any]:
        """What this model serves (container, data sources, resolution): a smoke test re-runs when
        it changes (computed when asked: most models never are)."""
        if self.failed:
            return {}
        container, extra = self._served
        return {"container": container, "extra": extra, "resolved": self.resolved.resolution()}

    @property
    def connections(self) -> Optional[ec2.Connections]:
        """``ec2.Connections`` of the model's containers in your VPC (``None`` without a VPC)."""
        return self._connections

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The execution role, so a model can be granted access like any ``IGrantable``."""
        if self.role is None:  # failed: reported as synth errors; grants go nowhere
            return iam.UnknownPrincipal(resource=self)
        return self.role.grant_principal

    @property
    def model_arn(self) -> str:
        """The model's ARN (read on first use)."""
        if self.failed:
            return f"arn:aws:sagemaker:::model/{self.model_name}"
        if self.cfn_model is not None:
            arn = self.cfn_model.ref
            self._register_identity(arn)
            return arn
        return self._api_model_arn

    def _create_through_api(self, model_id: str, container: Dict[str, Any], isolation: bool,
                            vpc_config: Optional[Dict[str, Any]], depends: List[Any],
                            tags: List[Dict[str, str]]) -> str:
        """``CreateModel`` / ``DeleteModel`` through the stack's handler (``Custom::JumpStartModel``).
        The handler finishes the name at deploy, ``{base}-{digest of the resolved request}``, so a
        change of any input, deploy-time tokens included, is a new physical id and CloudFormation
        replaces the model (then deletes the old one) as it replaces an ``AWS::SageMaker::Model``.
        The base (model id and a digest of the construct's path and stack) keeps names unique in the
        account and scopes the handler's permissions to this construct's models. It must not change
        with the request: CloudFormation updates the handler's policy before the model (the model
        depends on the function, which depends on its policy), so the cleanup Delete of the old model
        runs under the new policy, and the rollback's cleanup Delete of the new one under the old: a
        base that followed the request would deny both (``sagemaker:DeleteModel`` on
        ``model/${ModelName}``, Service Authorization Reference for SageMaker) and leak the model.
        Consumers read the name and ARN through ``Fn::GetAtt``."""
        from ._names import path_digest
        from .provider import custom_resource, handler_function

        stack = self._jumpstart_facts.stack
        request: Dict[str, Any] = {"ExecutionRoleArn": self.role.role_arn, "PrimaryContainer": container,
                                   "EnableNetworkIsolation": isolation}
        if vpc_config:
            request["VpcConfig"] = vpc_config
        request["Tags"] = tags
        base = api_model_name_base(model_id, path_digest(self, 10))  # path and stack only: stable
        function = handler_function(stack)
        models = iam.PolicyStatement(
            actions=["sagemaker:CreateModel", "sagemaker:AddTags", "sagemaker:DescribeModel", "sagemaker:DeleteModel"],
            resources=[stack.format_arn(service="sagemaker", resource="model", resource_name=f"{base.lower()}-*")])
        function.add_to_role_policy(models)
        _iam.acknowledge_grant(function, [models], API_MODEL_REASON)
        function.add_to_role_policy(iam.PolicyStatement(
            actions=["iam:PassRole"], resources=[self.role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}))
        self.custom_model = custom_resource(self, "Resource", "Custom::JumpStartModel",
                                            {"ModelNameBase": base, "Request": stack.to_json_string(request)})
        self.custom_model.node.add_dependency(self.role, *depends)
        self._api_model_arn = self.custom_model.get_att_string("ModelArn")
        return self.custom_model.get_att_string("ModelName")


def api_model_name_base(model_id: str, digest: str) -> str:
    """The base of an API-created model's name: the model id (made to fit ``ModelName``'s pattern,
    ``[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?``, and cut) and the construct's digest. The handler
    appends ``-`` and 10 hex characters of the resolved request, and ``ModelName`` is at most 63
    characters (botocore's SageMaker service model, shape ``ModelName``): 41 + 1 + 10 + 1 + 10."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-")[:63 - 10 - 1 - len(digest) - 1].strip("-")
    return f"{stem or 'model'}-{digest}"


def _input_problems(scope: Construct, environment: Optional[Mapping[str, str]], model_data: Any, security_groups: Any,
                    vpc: Any) -> List[str]:
    """What is wrong with the props themselves, before anything is resolved."""
    problems = [f"environment must map strings to strings; got {key!r}: {value!r} ({type(value).__name__}). "
                f"Quote the value, e.g. '{key}': '{value}'."
                for key, value in (environment or {}).items() if not isinstance(key, str) or not isinstance(value, str)]
    if isinstance(model_data, str) and not is_token(model_data) and not model_data.startswith("s3://"):
        problems.append(f"model_data must be an s3:// URI; got {model_data!r}.")
    uri = model_data.artifact.s3_uri if isinstance(model_data, ModelSource) else model_data
    granted = isinstance(model_data, ModelSource) and model_data.grants
    if isinstance(uri, str) and is_token(uri) and not granted and not _iam.grantable(uri):
        problems.append(_iam.ungrantable_problem("model_data", uri, "ModelSource.from_bucket(bucket, key)", scope))
    if security_groups and vpc is None:
        problems.append("security_groups need vpc=.")
    return problems


def _resolved_problems(resolved: ResolvedModel, enable_network_isolation: Optional[bool], compress_spec_artifact: bool,
                       policy: List[str]) -> List[str]:
    """What the resolved spec refuses: an instance type the API does not know, network isolation
    turned off, the EULA/deprecation/vulnerability ``policy`` problems, a gated artifact to be copied."""
    problems = [p for p in [_api_rules.instance_type_problem("hosting", resolved.instance_type)] if p]
    name = f"'{resolved.model_id}' {resolved.version}"
    if enable_network_isolation is False and (resolved.network_isolation or resolved.model_package_arn):
        problems.append(f"enable_network_isolation=False is refused: the spec of {name} runs with network isolation, "
                        "and it may only be made stricter.")
    problems += policy
    if compress_spec_artifact and resolved.eula_required:
        problems.append(
            f"{name} is gated: SageMaker reads its artifact only through ModelDataSource "
            "with ModelAccessConfig.AcceptEula, which batch transform and serverless endpoints do not support "
            f"({_api_rules.MODEL_DATA_SOURCE_DOC}), and the artifact may not be copied. Use a real-time endpoint, "
            "or pass model_data= a model.tar.gz you may use.")
    return problems


def cfn_tags(resolved: Optional[ResolvedModel]) -> Optional[List[Any]]:
    """The SDK's JumpStart tags (:meth:`ResolvedModel.sdk_tags`) as ``CfnTag``s; CDK's ``Tags.of``
    still adds to them."""
    if resolved is None:
        return None
    from aws_cdk import CfnTag

    return [CfnTag(key=t["Key"], value=t["Value"]) for t in resolved.sdk_tags()]


def _container(resolved: ResolvedModel, artifact: Optional[S3Artifact], env: Dict[str, str], accepted: bool,
               hub_access: Optional[str] = None) -> Dict[str, Any]:
    """The container, shaped as both the CreateModel API and AWS::SageMaker::Model name it: a model
    package, or the image with a compressed artifact (``ModelDataUrl``) or an uncompressed or
    gated one (``ModelDataSource``, with ``ModelAccessConfig`` once the EULA is accepted)."""
    container: Dict[str, Any] = {}
    if resolved.model_package_arn:
        container["ModelPackageName"] = resolved.model_package_arn
    else:
        container["Image"] = resolved.image_uri
        if artifact is not None:
            if artifact.is_prefix or accepted:
                source: Dict[str, Any] = {"S3Uri": artifact.s3_uri, "S3DataType": artifact.s3_data_type,
                                          "CompressionType": artifact.compression_type}
                if accepted:
                    source["ModelAccessConfig"] = {"AcceptEula": True}
                if hub_access:  # a hub's model reference, as the SDK sends it
                    source["HubAccessConfig"] = {"HubContentArn": hub_access}
                container["ModelDataSource"] = {"S3DataSource": source}
            else:
                container["ModelDataUrl"] = artifact.s3_uri
    if env:
        container["Environment"] = env
    return container


def _additional_sources(resolved: ResolvedModel, accept_eula: bool) -> List[Dict[str, Any]]:
    """The spec's additional model data sources (e.g. a speculative-decoding draft model), with the
    access the SDK sends: ``AcceptEula`` true for a source with its own EULA once accepted, else the
    spec's own ``model_access_config`` as it stands."""
    if resolved.model_package_arn:
        return []
    sources = []
    for d in resolved.additional_data_sources:
        source: Dict[str, Any] = {"S3Uri": d.artifact.s3_uri, "S3DataType": d.artifact.s3_data_type,
                                  "CompressionType": d.artifact.compression_type}
        access = True if d.requires_eula and accept_eula else d.accept_eula
        if access is not None:
            source["ModelAccessConfig"] = {"AcceptEula": access}
        sources.append({"ChannelName": d.channel_name, "S3DataSource": source})
    return sources


def _make_connectable() -> None:
    """Declare ``JumpStartModel`` an ``ec2.IConnectable`` (its ``connections``) once a model in a VPC
    is created: importing ``aws_ec2`` costs about 0.1 s of every synth, so apps without a VPC skip it."""
    from aws_cdk import aws_ec2 as ec2

    if ec2.IConnectable not in getattr(JumpStartModel, "__jsii_ifaces__", []):
        jsii.implements(ec2.IConnectable)(JumpStartModel)
