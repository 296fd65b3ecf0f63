"""The artifact packer, seen from the stack: an uncompressed S3-prefix artifact (or a script-mode
model's ``model.tar.gz`` + ``sourcedir.tar.gz``) packed at deploy into one ``model.tar.gz`` in a
bucket of the stack.

SageMaker refuses ``ModelDataSource`` (the only way to serve an S3 prefix) for batch transform and
serverless endpoints (``ContainerDefinition.ModelDataSource`` documentation). The stack's handler
(``provider/asset/handler/artifacts.py``, ``Custom::JumpStartArtifact``) streams the source into a
multipart upload (bounded memory, nothing on disk) and the model then uses ``ModelDataUrl``.

Keys: each packing construct owns a prefix of the bucket (a digest of its construct path), and the
handler names the object under it by a digest of the source *as resolved at deploy*. Two constructs
never share an object (removing one cannot delete the other's model), and a source that is a token
(a training job's output) gets a new object, a new physical id, when its value changes (never the
stale one). The handler's role writes and deletes under the construct's prefix only, and reads
exactly the source, through the source's own grant where it has one (a bucket of the stack, a job's
output: KMS key included), else the URI's object or prefix, also when its bucket is a token.
"""

from __future__ import annotations

import hashlib
from typing import Optional, Union

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from . import _iam
from .types import ModelSource, S3Artifact

BUCKET_ID = "JumpStartArtifacts"
KEY_ROOT = "jumpstart-artifacts/"
LAMBDA_BYTES_PER_SECOND = 50 * 10**6
"""What one Lambda function moves per direction, taken at the low end of a published experiment
downloading large S3 objects from a function (400-700 Mbit/s, quoted in "Using AWS Step Functions and
Lambda for Fanout"); AWS documents 85-90 MB/s per S3 connection, for EC2 ("Performance design patterns
for Amazon S3"), and nothing for Lambda."""
STREAM_SECONDS = 900 - 60 - 30
"""Lambda's longest invocation, less the packer's stop margin (``MARGIN_SECONDS`` of the handler) and
30 s to start and list the source."""
LIMIT_BYTES = int(0.8 * LAMBDA_BYTES_PER_SECOND * STREAM_SECONDS) // 2**30 * 2**30
"""The most the packer takes: 30 GiB, 80 % of what streams at ``LAMBDA_BYTES_PER_SECOND`` in
``STREAM_SECONDS`` (10.7 minutes at that rate). ``benchmarks/packer_network.py`` (moto behind a proxy
pacing each connection) shows the packer reaches that rate: with 4 threads it moves 2.6-2.8 times what
one connection carries, so a connection needs 18-25 MB/s; its CPU, 110-150 MB per CPU second, is not the
bound. Larger sources are refused at deploy, before anything is written, with the ``model_data=`` escape
hatch named; a slower network fails cleanly before the deadline."""

Source = Union[S3Artifact, ModelSource]
SOURCE_REASON = ("The read grant of exactly the source the packer reads (a bucket's object or prefix, a training "
                 "job's model.tar.gz), with its KMS key where it has one.")
PREFIX_REASON = ("The packer writes, reads back and deletes the one object it names at deploy under this construct's "
                 "own prefix of the stack's artifact bucket.")
PACKED_REASON = ("CDK bucket.grant_read of exactly this construct's prefix of the stack's artifact bucket, where the "
                 "packer names the packed model.tar.gz at deploy.")


def artifact_bucket(stack: Stack) -> s3.Bucket:
    """The stack's bucket of packed artifacts (created on first use): reproducible data, so it is
    removed with the stack (the handler deletes every version of what it wrote, first)."""
    existing = stack.node.try_find_child(BUCKET_ID)
    if existing is not None:
        return existing
    from ._buckets import secure_bucket

    bucket = secure_bucket(stack, BUCKET_ID, None, RemovalPolicy.DESTROY)
    bucket.add_lifecycle_rule(abort_incomplete_multipart_upload_after=Duration.days(1))
    return bucket


def construct_prefix(path: str) -> str:
    """The key prefix a packing construct owns in the artifact bucket: a digest of its construct
    path, which is unique in the stack (and the bucket is the stack's)."""
    return f"{KEY_ROOT}{hashlib.sha256(path.encode()).hexdigest()[:16]}/"


def _as_source(value: Source) -> ModelSource:
    return value if isinstance(value, ModelSource) else ModelSource(value)


def grant_source(stack: Stack, grantee: iam.IGrantable, source: ModelSource) -> None:
    """Read exactly ``source``: through its own grant where it has one (a bucket, an asset, a job's
    output, with their KMS keys), else the URI's object or prefix, also when its bucket is a token
    (``_iam.grantable``). A URI that is one opaque token names no bucket: the model refuses it at
    synth before anything is packed."""
    if source.bucket_read is not None:  # exactly its keys, listed only by prefix
        _iam.grant_bucket_read(grantee, *source.bucket_read, SOURCE_REASON)
    elif source.grants:
        _iam.acknowledge_grant(grantee, source.grant(grantee), SOURCE_REASON)
    else:
        _iam.grant_read(stack, grantee, [source.artifact])


def _grant_prefix(bucket: s3.Bucket, grantee: iam.IGrantable, prefix: str) -> None:
    """What the handler does under a construct's prefix: read (HeadObject of a retry or rollback),
    write (the multipart upload), abort it, delete every version. ``s3:ListBucket`` is on the
    bucket: without it S3 answers HeadObject of a missing key with 403 instead of 404 (HeadObject,
    Amazon S3 API Reference, "Permissions"); ``s3:ListBucketVersions`` is limited to the prefix by
    ``s3:prefix`` (Service Authorization Reference, Amazon S3: condition keys of
    ListBucketVersions)."""
    owned = _iam.own_account(bucket) or {}  # the stack's own bucket: s3:ResourceAccount, as every grant on one
    objects = iam.PolicyStatement(
        actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObjectVersion"],
        resources=[bucket.arn_for_objects(f"{prefix}*")], conditions=owned or None)
    grantee.grant_principal.add_to_principal_policy(objects)
    _iam.acknowledge_grant(grantee, [objects], PREFIX_REASON)
    grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
        actions=["s3:ListBucket"], resources=[bucket.bucket_arn], conditions=owned or None))
    grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
        actions=["s3:ListBucketVersions"], resources=[bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": f"{prefix}*"}, **owned}))
    if bucket.encryption_key is not None:
        _iam.acknowledge_grant(grantee, bucket.encryption_key.grant_encrypt_decrypt(grantee), _iam.KEY_REASON)


def packed(scope: Construct, id: str, source: Source, reader: iam.IGrantable,
           code: Optional[Source] = None) -> S3Artifact:
    """``source`` (an S3 prefix, or a ``model.tar.gz``; a :class:`ModelSource` grants through its
    own grant) as one ``model.tar.gz`` in the stack's artifact bucket, with ``code`` (a
    ``sourcedir.tar.gz``) under ``code/`` when given, readable by ``reader``. The returned URI is a
    token: whatever uses it waits for the packing."""
    from .provider import custom_resource, handler_function

    stack = Stack.of(scope)
    bucket = artifact_bucket(stack)
    source, code = _as_source(source), (_as_source(code) if code is not None else None)
    prefix = construct_prefix(f"{scope.node.path}/{id}")
    function = handler_function(stack)
    for what in [source] + ([code] if code else []):
        grant_source(stack, function, what)
    _grant_prefix(bucket, function, prefix)
    resource = custom_resource(
        scope, id, "Custom::JumpStartArtifact",
        {"Source": source.artifact.s3_uri, "Bucket": bucket.bucket_name, "Prefix": prefix,
         "LimitBytes": str(LIMIT_BYTES), **({"Code": code.artifact.s3_uri} if code else {})},
    )
    resource.node.add_dependency(bucket)
    _iam.grant_bucket_read(reader, bucket, f"{prefix}*", PACKED_REASON)
    return S3Artifact(resource.get_att_string("ArtifactUri"), "S3Object", "Gzip")
