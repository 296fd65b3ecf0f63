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


def logs_statements(stack: Stack, log_group_prefix: str) -> List[iam.PolicyStatement]:
    group = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:{log_group_prefix}*"
    return [
        iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            resources=[group, f"{group}:log-stream:*"],
        )
    ]
