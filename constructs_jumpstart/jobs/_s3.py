"""S3 inputs and outputs of jobs: URIs, buckets or assets, with exactly-scoped grants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from aws_cdk import RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from .. import _iam
from .._buckets import secure_bucket
from ..types import S3Artifact

READ_REASON = ("CDK bucket.grant_read of exactly the S3 object or prefix this job reads (objects under a prefix "
               "are named at run time), with the bucket reads and listing it needs, on this bucket only.")
WRITE_REASON = ("CDK bucket.grant_put of exactly the S3 prefix this job writes (SageMaker names the objects under it "
                "at run time), with aborting its multipart uploads.")
S3Input = Union[str, s3.IBucket, s3_assets.Asset, "JobInput"]
"""An S3 URI (``s3://bucket/prefix/``), a bucket (with a separate prefix), a CDK asset, or a
:class:`JobInput`."""


@dataclass
class Location:
    uri: str
    data_type: str  # S3Prefix | S3Object
    bucket: Optional[s3.IBucket]
    key: str

    @property
    def pattern(self) -> str:
        """The keys granted: the object; under a prefix, the keys of its folder (``prefix/*``: a
        literal prefix is a folder, refused for inputs without its ``/`` by :func:`location`); a
        token prefix as SageMaker reads it (``token*``: its value may or may not end in ``/``)."""
        if self.data_type != "S3Prefix":
            return self.key
        if not self.key or self.key.endswith("/") or Token.is_unresolved(self.key):
            return f"{self.key}*"
        return f"{self.key}/*"

    def grant_read(self, grantee: iam.IGrantable, stack: Stack, owner: Optional[str] = None) -> None:
        """Read exactly this object or prefix: ``s3:GetObject`` on it, ``s3:ListBucket`` only for
        keys under it (the ``s3:prefix`` condition key of ListBucket, Service Authorization
        Reference for Amazon S3), and the bucket's key; recorded for cdk-nag as this grant. ``owner``:
        the account the bucket must belong to (``s3:ResourceAccount``; the stack's for its own buckets)."""
        if self.bucket is not None:
            _iam.grant_bucket_read(grantee, self.bucket, self.pattern, READ_REASON, owner)
            return
        _iam.grant_read(stack, grantee, [S3Artifact(self.uri, self.data_type, "None")], owner)

    def grant_write(self, grantee: iam.IGrantable, stack: Stack, owner: Optional[str] = None) -> None:
        """Write under exactly this prefix (acknowledged as this grant, as :meth:`grant_read`)."""
        if self.bucket is not None:
            grant = self.bucket.grant_put(grantee, self.pattern)
            for condition, value in (_iam.own_account(self.bucket, owner) or {}).items():
                for statement in grant.principal_statements:
                    statement.add_condition(condition, value)
            _iam.acknowledge_grant(grantee, grant, WRITE_REASON)
            if self.bucket.encryption_key is not None:  # grant_put granted its key apart: the same statement
                _iam.acknowledge_grant(grantee, self.bucket.encryption_key.grant_encrypt(grantee), _iam.KEY_REASON)
            return
        bucket, _ = _iam.split_s3_uri(self.uri)
        statement = iam.PolicyStatement(actions=["s3:PutObject"], conditions=_iam.own_account(None, owner),
                                        resources=[f"arn:{stack.partition}:s3:::{bucket}/{self.pattern}"])
        grantee.grant_principal.add_to_principal_policy(statement)
        _iam.acknowledge_grant(grantee, [statement], WRITE_REASON)


class JobInput:
    """Data a job reads, as ``aws-sagemaker-alpha``'s data sources: ``bind()`` grants the job's
    role exactly that and returns the location. ``JobInput.from_uri("s3://b/train/")``,
    ``from_bucket(bucket, "train/")``, ``from_asset(asset)``; plain URIs, buckets and assets are
    accepted wherever a ``JobInput`` is."""

    def __init__(self, value: Any, prefix: str = ""):
        self.value, self.prefix = value, prefix

    @staticmethod
    def from_uri(uri: str) -> "JobInput":
        return JobInput(uri)

    @staticmethod
    def from_bucket(bucket: s3.IBucket, prefix: str = "") -> "JobInput":
        return JobInput(bucket, prefix)

    @staticmethod
    def from_asset(asset: s3_assets.Asset) -> "JobInput":
        return JobInput(asset)

    def bind(self, scope: Construct, grantee: iam.IGrantable, what: str = "input") -> Location:
        found = location(self.value, self.prefix, what)
        found.grant_read(grantee, Stack.of(scope))
        return found


def location(value: Any, prefix: str = "", what: str = "input") -> Location:
    """Normalize a job input. Raises ``ValueError`` with a message naming the bad value."""
    if isinstance(value, JobInput):
        return location(value.value, value.prefix or prefix, what)
    if isinstance(value, s3_assets.Asset):
        return Location(value.s3_object_url, "S3Object", value.bucket, value.s3_object_key)
    if hasattr(value, "bucket_name") and hasattr(value, "grant_read"):
        key = prefix.lstrip("/")
        if what != "output" and key and not key.endswith("/") and not Token.is_unresolved(key):
            raise ValueError(
                f"{what}: the prefix {key!r} has no trailing '/': SageMaker's S3Prefix reads every key that starts "
                f"with it ({key}-old/, {key}.bak too), and the role would be granted them all. To read the folder, "
                f"end it with '/' ({key + '/'!r}); for one object, pass its s3:// URI.")
        return Location(f"s3://{value.bucket_name}/{key}", "S3Prefix", value, key)
    if isinstance(value, str):
        if Token.is_unresolved(value):
            return _token_location(value, what)
        if not value.startswith("s3://") or len(value) <= len("s3://"):
            raise ValueError(f"{what} must be an s3:// URI, an s3.Bucket or an s3_assets.Asset; got {value!r}.")
        _, key = _iam.split_s3_uri(value)
        return Location(value, "S3Prefix" if value.endswith("/") or not key else "S3Object", None, key)
    raise ValueError(f"{what} must be an s3:// URI, an s3.Bucket or an s3_assets.Asset; got {type(value).__name__}.")


def _token_location(value: str, what: str) -> Location:
    """A URI with tokens: granted through its bucket where that is written out (``"s3://" + token +
    "/train/"``), refused where the whole URI is one token (its reader would get no grant and the job
    would fail with AccessDenied). Its kind cannot be read from a token, so it is a prefix."""
    if not _iam.grantable(value):
        raise ValueError(_iam.ungrantable_problem(what, value, f"JobInput.from_bucket(bucket, prefix) as {what}"))
    _, key = _iam.split_s3_uri(value)
    return Location(value, "S3Prefix", None, key)


def output_bucket(scope: Construct, bucket: Optional[s3.IBucket], removal_policy: RemovalPolicy,
                  encryption_key: Optional[kms.IKey]) -> s3.IBucket:
    """The bucket a job writes to: the user's, or a new private, KMS-encrypted, TLS-only one."""
    if bucket is not None:
        return bucket
    return secure_bucket(scope, "Output", encryption_key, removal_policy)


def emptied_after(bucket: s3.IBucket, job: Construct, wait_for_stop: bool = True) -> None:
    """A created bucket with ``RemovalPolicy.DESTROY`` is emptied by CDK's auto-delete custom resource,
    which depends on the bucket only: CloudFormation deleted it in parallel with the job's resource,
    so the bucket was emptied while the stopped job could still save its artifacts to it
    (``StopTrainingJob``: 120 seconds after SIGTERM "to save the model artifacts"), and DeleteBucket
    failed (BucketNotEmpty). With the job depending on it, it is deleted after the job's Delete, which
    answers once the job is Stopped (#18 review, finding 4), told so by ``WaitForStop`` (only then:
    a Delete that waits can run out of time and fail). A user's own bucket is left as it is."""
    auto_delete = bucket.node.try_find_child("AutoDeleteObjectsCustomResource")
    if auto_delete is not None:
        job.node.add_dependency(auto_delete)
        if wait_for_stop:
            job.node.default_child.add_property_override("WaitForStop", "true")
