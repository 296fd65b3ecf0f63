"""Example: a CDK Pipelines (``pipelines.CodePipeline``) stack that deploys the example endpoint.

Its synth step runs ``jumpstart lock --check`` and ``jumpstart lock --verify`` before ``cdk synth``: the
pipeline never resolves a floating ``"*"`` version by surprise; a model missing from the committed
``jumpstart.lock.json`` fails the build instead, and so does an entry that differs from what its source
resolves to today (a hand-edited lockfile is what a reviewer approves without reading). The source is a placeholder CodeStar connection, so this synthesizes
offline; replace ``repository`` and ``connection_arn`` with yours.
"""

from __future__ import annotations

from typing import Any, Optional

import jsii
from aws_cdk import Acknowledgment, Aspects, Environment, IAspect, RemovalPolicy, Stack, Stage, Validations
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import pipelines
from constructs import Construct

from constructs_jumpstart.nag import acknowledge

from .endpoint_stack import EndpointStack

PLACEHOLDER_CONNECTION = (
    "arn:aws:codeconnections:us-west-2:111111111111:connection/00000000-0000-0000-0000-000000000000"
)


class EndpointStage(Stage):
    """The deployable unit: the example endpoint stack."""

    def __init__(self, scope: Construct, id: str, *, model_id: str, model_version: str,
                 instance_type: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint_stack = EndpointStack(
            self, "JumpStartEndpointStack", model_id=model_id, model_version=model_version,
            instance_type=instance_type,
        )


class PipelineStack(Stack):
    """Source -> synth (``jumpstart lock --check``, ``--verify``, then ``cdk synth``) -> deploy the endpoint stage."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        repository: str = "my-org/jumpstart-on-cdk",
        branch: str = "main",
        connection_arn: str = PLACEHOLDER_CONNECTION,
        model_id: str = "pytorch-ic-mobilenet-v2",
        model_version: str = "*",
        instance_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        source = pipelines.CodePipelineSource.connection(repository, branch, connection_arn=connection_arn)
        synth = pipelines.ShellStep(
            "Synth",
            input=source,
            install_commands=[  # as a user's pipeline installs the package: pinned dependencies, then the package
                "npm ci",
                "pip install -r requirements.txt",
                "pip install --no-deps .",
            ],
            commands=[
                "jumpstart lock --check -c example=pipeline",
                "jumpstart lock --verify -c example=pipeline",
                "npx cdk synth -c example=pipeline",
            ],
        )
        key = kms.Key(self, "ArtifactsKey", enable_key_rotation=True, description="Encrypts the pipeline's artifacts")
        artifacts = s3.Bucket(
            self, "Artifacts", encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=True,
            enforce_ssl=True, versioned=True, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            artifacts,
            {"id": "AwsSolutions-S1", "reason": "Pipeline artifacts; log access to a log bucket of your account's choosing."},
            {"id": "HIPAA.Security-S3BucketLoggingEnabled", "reason": "As AwsSolutions-S1."},
            {"id": "HIPAA.Security-S3BucketReplicationEnabled", "reason": "Build artifacts are reproducible from the source."},
        )
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline", synth=synth, artifact_bucket=artifacts, pipeline_type=codepipeline.PipelineType.V2,
        )
        self.stage = EndpointStage(
            self, "Prod", env=Environment(account=self.account, region=self.region),
            model_id=model_id, model_version=model_version, instance_type=instance_type,
        )
        self.pipeline.add_stage(self.stage)
        self.pipeline.build_pipeline()
        Aspects.of(self.pipeline).add(_AcknowledgePipelineRoles(self, artifacts, key))


_ARTIFACT_RW = ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:PutObject", "s3:PutObjectLegalHold",
                "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionTagging", "s3:Abort*"]
_REPORTS = ["codebuild:CreateReportGroup", "codebuild:CreateReport", "codebuild:UpdateReport",
            "codebuild:BatchPutTestCases", "codebuild:BatchPutCodeCoverages"]
_BOOTSTRAP = {"ForAnyValue:StringEquals": {"iam:ResourceTag/aws-cdk:bootstrap-role":
                                           ["image-publishing", "file-publishing", "deploy"]}}


def _shape(statement: dict) -> tuple:
    """A resolved statement as (actions, resources as cdk-nag flattens them, condition), to compare."""
    import json

    from constructs_jumpstart.nag import flatten

    actions = statement.get("Action", [])
    resources = statement.get("Resource", [])
    return (tuple(sorted([actions] if isinstance(actions, str) else actions)),
            tuple(sorted(flatten(r) for r in (resources if isinstance(resources, list) else [resources]))),
            json.dumps(statement.get("Condition"), sort_keys=True))


def generated_statements(stack: Stack, bucket: s3.IBucket, key: kms.IKey, projects: list) -> dict:
    """The statements with wildcards CDK Pipelines (aws-cdk-lib 2, ``pipelines.CodePipeline``) writes
    into the roles it generates for this stack, pinned from a synth of this example, each with why:
    shape -> reason."""
    from constructs_jumpstart.nag import flatten

    ref = lambda c: stack.resolve(c.node.default_child.logical_id)  # noqa: E731
    objects, arn = f"<{ref(bucket)}.Arn>/*", f"<{ref(bucket)}.Arn>"
    key_arn = f"<{ref(key)}.Arn>"
    account, region = flatten(stack.resolve(stack.account)), flatten(stack.resolve(stack.region))
    shapes = {
        ((*sorted(_ARTIFACT_RW),), (arn, objects), "null"):
            "bucket.grant_read_write of the pipeline's own artifact bucket (pipeline, source action and synth "
            "project roles pass artifacts through it).",
        (("s3:GetBucket*", "s3:GetObject*", "s3:List*"), (arn, objects), "null"):
            "bucket.grant_read of the pipeline's own artifact bucket (the self-mutation project reads the cloud assembly).",
        (("s3:PutObjectAcl", "s3:PutObjectVersionAcl"), (objects,), "null"):
            "The CodeStar connection source action sets the ACL of the artifact it writes to the pipeline's bucket.",
        (("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"), (key_arn,), "null"):
            "key.grant_encrypt_decrypt of the pipeline's own artifact key (the bucket's encryption).",
        (("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"), (key_arn,), "null"):
            "The CodeBuild project's encryption key: the pipeline's own artifact key.",
        (("sts:AssumeRole",), (f"arn:*:iam::{account}:role/*",), _shape({"Condition": _BOOTSTRAP})[2]):
            "Self-mutation assumes the CDK bootstrap roles (tagged aws-cdk:bootstrap-role) of this account.",
        (("cloudformation:DescribeStacks",), ("*",), "null"):
            "Self-mutation reads the pipeline stack's state (cdk deploy); DescribeStacks is granted on * by CDK Pipelines.",
        (("s3:ListBucket",), ("*",), "null"):
            "Self-mutation lists the bootstrap bucket (cdk deploy); granted on * by CDK Pipelines.",
    }
    for project in projects:
        name = f"<{stack.resolve(project.logical_id)}>"
        group = f"arn:<AWS::Partition>:logs:{region}:{account}:log-group:/aws/codebuild/{name}"
        shapes[(("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), (group, f"{group}:*"), "null")] = (
            "The CodeBuild project's own log group /aws/codebuild/<project> and its streams.")
        shapes[((*sorted(_REPORTS),), (f"arn:<AWS::Partition>:codebuild:{region}:{account}:report-group/{name}-*",),
                "null")] = "The CodeBuild project's own report groups (named <project>-*)."
    return shapes


@jsii.implements(IAspect)
class _AcknowledgePipelineRoles:
    """The roles CDK Pipelines generates (pipeline, source action, CodeBuild projects, self-mutation)
    get CDK's standard grants on the pipeline's own artifact bucket and key, its CodeBuild log
    groups and report groups, and (self-mutation) the CDK bootstrap roles it must assume. A finding
    is acknowledged only when every statement of the policy that produces it is one of those
    (:func:`generated_statements`: actions, resources and condition); anything else, a ``*`` or an
    ``s3:*`` added to one of these roles, is reported."""

    def __init__(self, stack: Stack, bucket: s3.IBucket, key: kms.IKey) -> None:
        self.stack, self.bucket, self.key = stack, bucket, key

    def visit(self, node) -> None:
        if isinstance(node, iam.CfnPolicy):
            self._acknowledge(node)
        if isinstance(node, codebuild.CfnProject):
            Validations.of(node).acknowledge(Acknowledgment(
                id="HIPAA.Security::HIPAA.Security-CodeBuildProjectSourceRepoUrl",
                reason="The projects take their source from CodePipeline artifacts; no repository URL or credentials are in them."))

    def _acknowledge(self, policy: iam.CfnPolicy) -> None:
        from constructs_jumpstart.nag import statement_wildcards

        projects = [n for n in self.stack.node.find_all() if isinstance(n, codebuild.CfnProject)]
        known = generated_statements(self.stack, self.bucket, self.key, projects)
        reasons: dict = {}
        for statement in self.stack.resolve(policy.policy_document).get("Statement", []):
            reason = known.get(_shape(statement))
            for finding in statement_wildcards(statement):
                reasons.setdefault(finding, []).append(reason)
        acks = {f: "Generated by CDK Pipelines: " + " ".join(dict.fromkeys(r)) for f, r in reasons.items() if all(r)}
        acks["HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy"] = (
            "Generated by CDK Pipelines: one policy per generated role, bound to it.")
        Validations.of(policy).acknowledge(*[Acknowledgment(id=k, reason=v) for k, v in acks.items()])
