"""The artifact packer, seen from the stack: an uncompressed S3-prefix artifact packed at deploy into
one ``model.tar.gz`` in a bucket of the stack.

SageMaker refuses ``ModelDataSource`` (the only way to serve an S3 prefix) for batch transform and
serverless endpoints (``ContainerDefinition.ModelDataSource`` documentation). The stack's handler
(``jobs/handler``, ``Custom::JumpStartArtifact``) streams the prefix into a multipart upload
(bounded memory, nothing on disk) and the model then uses ``ModelDataUrl``. The object key is a hash
of the source URI (JumpStart artifact paths carry their version): a new artifact only when the source
changes; a retried create finds the object; ``cdk destroy`` deletes it (every version) and the
bucket.
"""

from __future__ import annotations

import hashlib
from typing import Optional

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from . import _iam
from .types import S3Artifact

BUCKET_ID = "JumpStartArtifacts"
LIMIT_BYTES = 30 * 2**30
"""The most the packer takes: 30 GiB, streamed in 7.8 minutes at the 65 MiB/s that
``benchmarks/packer.py`` measures (tar + gzip framing + multipart parts, against moto's in-memory
S3), about half of the handler's 15-minute Lambda timeout. Larger prefixes are refused at deploy,
before anything is written, with the ``model_data=`` escape hatch named."""


def artifact_bucket(stack: Stack) -> s3.Bucket:
    """The stack's bucket of packed artifacts (created on first use): reproducible data, so it is
    removed with the stack (the handler deletes every version of what it wrote, first)."""
    existing = stack.node.try_find_child(BUCKET_ID)
    if existing is not None:
        return existing
    from ._buckets import secure_bucket

    bucket = secure_bucket(stack, BUCKET_ID, None, RemovalPolicy.DESTROY)
    bucket.add_lifecycle_rule(abort_incomplete_multipart_upload_after=__import__("aws_cdk").Duration.days(1))
    return bucket


def packed(scope: Construct, id: str, source: S3Artifact, reader: iam.IGrantable,
           code: Optional[S3Artifact] = None) -> S3Artifact:
    """``source`` (an S3 prefix, or a ``model.tar.gz``) as one ``model.tar.gz`` in the stack's
    artifact bucket, with ``code`` (a ``sourcedir.tar.gz``) under ``code/`` when given, readable by
    ``reader``. The returned URI is a token: whatever uses it waits for the packing."""
    from .provider import custom_resource, handler_function

    stack = Stack.of(scope)
    bucket = artifact_bucket(stack)
    inputs = source.s3_uri + (f"+{code.s3_uri}" if code else "")
    key = f"jumpstart-artifacts/{hashlib.sha256(inputs.encode()).hexdigest()[:16]}/model.tar.gz"
    function = handler_function(stack)
    _iam.grant_read(stack, function, [source] + ([code] if code else []))
    bucket.grant_read_write(function, key)
    function.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucketVersions", "s3:DeleteObjectVersion"],
                                                    resources=[bucket.bucket_arn, bucket.arn_for_objects(key)]))
    resource = custom_resource(
        scope, id, "Custom::JumpStartArtifact",
        {"Source": source.s3_uri, "Bucket": bucket.bucket_name, "Key": key, "LimitBytes": str(LIMIT_BYTES),
         **({"Code": code.s3_uri} if code else {})},
    )
    resource.node.add_dependency(bucket)
    bucket.grant_read(reader, key)
    return S3Artifact(resource.get_att_string("ArtifactUri"), "S3Object", "Gzip")
