"""Example: batch inference with a JumpStart model over the images under an S3 prefix."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_jumpstart import JumpStartBatchTransform
from constructs_jumpstart.nag import acknowledge


class BatchTransformStack(Stack):
    """An encrypted input bucket (put images under ``images/``) and a batch transform over it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str = "pytorch-ic-mobilenet-v2",
        model_version: str = "*",
        instance_type: Optional[str] = None,
        input_data: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.input_bucket = s3.Bucket(
            self, "Input", encryption=s3.BucketEncryption.KMS_MANAGED, enforce_ssl=True, versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.input_bucket,
            {"id": "AwsSolutions-S1", "reason": "Example input bucket; log access to a log bucket of your account's choosing."},
            {"id": "HIPAA.Security-S3BucketLoggingEnabled", "reason": "As AwsSolutions-S1."},
            {"id": "HIPAA.Security-S3BucketReplicationEnabled", "reason": "Example input bucket; the inputs can be uploaded again."},
        )
        self.transform = JumpStartBatchTransform(
            self,
            "Classify",
            model_id=model_id,
            model_version=model_version,
            instance_type=instance_type,
            input_data=input_data or self.input_bucket,
            input_prefix="images/",
            timeout=Duration.hours(2),
            removal_policy=RemovalPolicy.DESTROY,
        )
        CfnOutput(self, "InputBucket", value=self.input_bucket.bucket_name)
        CfnOutput(self, "OutputPath", value=self.transform.output_uri)
