"""Least-privilege policy statements for what a SageMaker execution role reads."""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam

from .types import S3Artifact

_ECR_RE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repo>[^:@]+)")


def split_s3_uri(uri: str) -> Tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def s3_read_statements(stack: Stack, artifacts: Iterable[S3Artifact]) -> List[iam.PolicyStatement]:
    """``s3:GetObject`` on exactly the objects (or prefixes) given, plus ``s3:ListBucket`` limited
    to those prefixes for ``S3Prefix`` artifacts. Artifacts whose URI is a token are skipped: whoever
    made the token (a training job, a bucket) grants access to it."""
    objects: List[str] = []
    list_by_bucket: dict = {}
    for artifact in artifacts:
        if Token.is_unresolved(artifact.s3_uri):
            continue
        bucket, key = split_s3_uri(artifact.s3_uri)
        if artifact.is_prefix or artifact.s3_uri.endswith("/"):
            objects.append(f"arn:{stack.partition}:s3:::{bucket}/{key}*")
            list_by_bucket.setdefault(bucket, []).append(f"{key}*")
        else:
            objects.append(f"arn:{stack.partition}:s3:::{bucket}/{key}")
    statements: List[iam.PolicyStatement] = []
    if objects:
        statements.append(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=sorted(set(objects)))
        )
    for bucket, prefixes in sorted(list_by_bucket.items()):
        statements.append(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[f"arn:{stack.partition}:s3:::{bucket}"],
                conditions={"StringLike": {"s3:prefix": sorted(set(prefixes))}},
            )
        )
    return statements


def ecr_repository_arn(stack: Stack, image_uri: str) -> Optional[str]:
    match = _ECR_RE.match(image_uri)
    if not match:
        return None
    return (
        f"arn:{stack.partition}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"
    )


def ecr_pull_statements(stack: Stack, image_uris: Iterable[Optional[str]]) -> List[iam.PolicyStatement]:
    repos = sorted({arn for arn in (ecr_repository_arn(stack, u) for u in image_uris if u) if arn})
    if not repos:
        return []
    return [
        iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=repos,
        ),
        # GetAuthorizationToken has no resource-level permissions: '*' is the only valid resource.
        iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]),
    ]


def vpc_access_statement() -> iam.PolicyStatement:
    """What SageMaker needs to attach a model's or job's containers to your VPC."""
    return iam.PolicyStatement(
        actions=["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
                 "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
                 "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
        resources=["*"],  # these EC2 actions support no resource-level scoping for this use
    )


def logs_statements(stack: Stack, log_group_prefix: str) -> List[iam.PolicyStatement]:
    group = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{log_group_prefix}*"
    return [
        iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            resources=[group, f"{group}:log-stream:*"],
        )
    ]


def sagemaker_role(scope, role: Optional[iam.IRole], description: str, reads: Iterable[S3Artifact],
                   image_uri: Optional[str], log_prefix: str):
    """The execution role SageMaker assumes for a model or a job: ``role`` if given, else a new one
    whose generated wildcards are acknowledged for cdk-nag; either way granted exactly ``reads``,
    a pull of ``image_uri``'s repository and its log groups. Returns the role and what must be
    depended on before SageMaker uses it."""
    stack = Stack.of(scope)
    if role is None:
        role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"), description=description)
        acknowledge_generated_wildcards(role)
    statements = s3_read_statements(stack, reads)
    statements += ecr_pull_statements(stack, [image_uri])
    statements += logs_statements(stack, log_prefix)
    return role, grant(scope, role, statements)


def grant(scope, role: iam.IRole, statements: List[iam.PolicyStatement]) -> List[object]:
    """Add ``statements`` to ``role``. Those whose only valid resource is ``*`` go into a policy of
    their own ("UnscopablePolicy"), so a ``Resource::*`` anyone adds to the role's default policy
    later is still reported by cdk-nag rather than hidden behind these. Returns what the role's
    users must depend on."""
    scoped = [st for st in statements if "*" not in st.resources]
    unscopable = [st for st in statements if "*" in st.resources]
    for statement in scoped:
        role.add_to_principal_policy(statement)
    if not unscopable:
        return []
    existing = scope.node.try_find_child("UnscopablePolicy")
    if existing is not None:
        existing.add_statements(*unscopable)
        return [existing]
    policy = iam.Policy(scope, "UnscopablePolicy", statements=unscopable)
    role.attach_inline_policy(policy)
    acknowledge_generated_wildcards(policy)  # it holds only the statements above
    return [policy]


# -- cdk-nag acknowledgements, with reasons, for the wildcards this library generates on purpose --

_ACTION_WILDCARDS = {
    # CDK's own s3/kms grant helpers (bucket.grant_read/put, key.grant_encrypt_decrypt) expand to these
    "s3:GetObject*": "CDK bucket.grant_read on exactly the job's/endpoint's prefix: object reads and their versions/ACL/tagging reads.",
    "s3:GetBucket*": "CDK bucket.grant_read: bucket metadata reads (location, versioning) SageMaker needs, on this bucket only.",
    "s3:List*": "CDK bucket.grant_read: listing that SageMaker needs to read an S3 prefix, on this bucket only.",
    "s3:Abort*": "CDK bucket.grant_put: abort multipart uploads SageMaker starts for large outputs, under the prefix only.",
    "s3:DeleteObject*": "CDK bucket.grant_read_write on the training checkpoints prefix only (spot training rewrites checkpoints).",
    "kms:GenerateDataKey*": "CDK key grant: data keys of this one KMS key, to write encrypted outputs.",
    "kms:ReEncrypt*": "CDK key grant: re-encryption with this one KMS key.",
}
_STAR_ACTIONS = {
    "ecr:GetAuthorizationToken": "ecr:GetAuthorizationToken supports no resource-level permission; '*' is the only valid resource.",
    "ec2:CreateNetworkInterface": "SageMaker's VPC access: these EC2 network-interface actions cannot be scoped for this use.",
    "ec2:CreateNetworkInterfacePermission": "as above",
    "ec2:DeleteNetworkInterface": "as above",
    "ec2:DeleteNetworkInterfacePermission": "as above",
    "ec2:DescribeDhcpOptions": "Describe actions support no resource-level permission.",
    "ec2:DescribeNetworkInterfaces": "as above",
    "ec2:DescribeSecurityGroups": "as above",
    "ec2:DescribeSubnets": "as above",
    "ec2:DescribeVpcs": "as above",
}


def _flatten(value) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in finding ids."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            return f"<{arg}>"
        if key == "Fn::GetAtt":
            return f"<{arg[0]}.{arg[1]}>"
        if key == "Fn::Join":
            return arg[0].join(_flatten(p) for p in arg[1])
    return str(value)


def _resource_reason(resource: str, actions) -> "str | None":
    if resource == "*":
        if all(a in _STAR_ACTIONS for a in actions):
            return "; ".join(sorted({_STAR_ACTIONS[a] for a in actions if _STAR_ACTIONS[a] != "as above"}) or ["EC2 VPC access actions cannot be scoped."])
        return None
    if (":training-job/" in resource or ":transform-job/" in resource) and all(a.startswith("sagemaker:") for a in actions):
        return ("Jobs are named at deploy from a hash of their inputs (a new name per change); scoped to this "
                "construct's job-name prefix in this account and region.")
    if ":log-group:/aws/sagemaker/" in resource:
        return "SageMaker names its log groups and streams per endpoint/job at run time; scoped to /aws/sagemaker/ in this account and region."
    if (":s3:::" in resource or ".Arn>/" in resource) and resource.endswith("*"):
        if all(a.startswith("s3:") for a in actions):
            return "Exactly the S3 prefix SageMaker reads or writes (model artifacts, training data or outputs); objects under it are named at run time."
    if ".Arn>" in resource and resource.endswith("*") and all(a.startswith("s3:") for a in actions):
        return "Objects under this job's or endpoint's own output prefix."
    return None


class AcknowledgeGeneratedWildcards:
    """A CDK Aspect: at synth, acknowledge (with a reason) exactly the cdk-nag findings for the
    wildcards this library generates on the roles it creates, and nothing else: a wildcard
    someone adds later (``s3:*``, ``Resource::*`` on other actions) is still reported."""

    def visit(self, node) -> None:
        from aws_cdk import Acknowledgment, Stack, Validations
        from aws_cdk import aws_iam as iam

        if not isinstance(node, iam.CfnPolicy):
            return
        document = Stack.of(node).resolve(node.policy_document)
        acks = {}
        for statement in document.get("Statement", []):
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource", [])
            resources = [resources] if not isinstance(resources, list) else resources
            for action in actions:
                if "*" in action and action in _ACTION_WILDCARDS:
                    acks[f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]"] = _ACTION_WILDCARDS[action]
            for resource in resources:
                flat = _flatten(resource)
                if "*" in flat:
                    reason = _resource_reason(flat, actions)
                    if reason:
                        acks[f"AwsSolutions::AwsSolutions-IAM5[Resource::{flat}]"] = reason
        acks["HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy"] = (
            "CDK attaches this role's least-privilege statements as an AWS::IAM::Policy bound to this role "
            "alone; a managed policy would grant nothing narrower.")
        for rule_id, reason in acks.items():
            Validations.of(node).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def acknowledge_generated_wildcards(role) -> None:
    """Register :class:`AcknowledgeGeneratedWildcards` on a role this library created."""
    import jsii
    from aws_cdk import Aspects, IAspect

    Aspects.of(role).add(jsii.implements(IAspect)(AcknowledgeGeneratedWildcards)())
