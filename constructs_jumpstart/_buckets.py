"""The one way this library creates buckets: private, encrypted with KMS, TLS-only, versioned."""

from __future__ import annotations

from typing import Optional

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .nag import nag_suppress


def secure_bucket(scope: Construct, id: str, key: Optional[kms.IKey],
                  removal_policy: RemovalPolicy = RemovalPolicy.RETAIN) -> s3.Bucket:
    """A bucket for what SageMaker writes (job outputs, async results, captured data): KMS
    encryption with ``key`` (else the AWS-managed S3 key), public access blocked, TLS enforced,
    versioned, owner-enforced object ownership, and the removal policy the user chose. A bucket
    removed with the stack is emptied first (every object version: a versioned bucket with data
    cannot be deleted, and ``cdk destroy`` would fail)."""
    bucket = s3.Bucket(
        scope, id,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.KMS_MANAGED,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=removal_policy,
        auto_delete_objects=removal_policy == RemovalPolicy.DESTROY,
    )
    nag_suppress(
        bucket,
        {"id": "AwsSolutions-S1", "reason": "Server access logs need a log bucket of the account's choosing; pass "
                                            "your own bucket to have access logged."},
        {"id": "HIPAA.Security-S3BucketLoggingEnabled", "reason": "As AwsSolutions-S1: pass your own bucket "
                                                                  "with access logging."},
        {"id": "HIPAA.Security-S3BucketReplicationEnabled", "reason": "Replication targets are account-specific; pass "
                                                                      "your own bucket to replicate."},
    )
    return bucket
