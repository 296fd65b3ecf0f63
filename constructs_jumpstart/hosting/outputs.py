"""Where an endpoint writes: asynchronous results and failures, and captured requests and responses.
Each builder makes (or takes) the bucket, grants the models' roles exactly their prefixes, and returns
the endpoint config's property."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .. import _iam
from .config import AsyncInferenceConfig, DataCaptureConfig

ASYNC_REASON = ("CDK bucket.grant_put of exactly the async inference output and failure prefixes (SageMaker names "
                "the result objects at run time), with aborting its multipart uploads.")
CAPTURE_REASON = ("CDK bucket.grant_put of exactly the data capture prefix (SageMaker names the captured objects at "
                  "run time), with aborting its multipart uploads.")


def _notification(async_inference: AsyncInferenceConfig) -> Any:
    if not (async_inference.success_topic or async_inference.error_topic):
        return None
    return sagemaker.CfnEndpointConfig.AsyncInferenceNotificationConfigProperty(
        success_topic=async_inference.success_topic.topic_arn if async_inference.success_topic else None,
        error_topic=async_inference.error_topic.topic_arn if async_inference.error_topic else None,
    )


def build_async(scope: Construct, models: Sequence[Any], key: Optional[kms.IKey],
                async_inference: AsyncInferenceConfig) -> Tuple[Any, Any]:
    """The results bucket, the roles' writes and publishes, and ``AsyncInferenceConfig``."""
    from .._buckets import secure_bucket

    bucket = async_inference.output_bucket or secure_bucket(scope, "AsyncOutput", key)
    out = async_inference.output_prefix.strip("/")
    fail = async_inference.failure_prefix.strip("/")
    for model in models:
        for prefix in (out, fail):
            _iam.record_owned_grant(model, bucket, bucket.grant_put(model.role, f"{prefix}/*"), ASYNC_REASON)
        for topic in (async_inference.success_topic, async_inference.error_topic):
            if topic is not None:
                _iam.acknowledge_grant(model, topic.grant_publish(model.role), ASYNC_REASON)
    notification = _notification(async_inference)
    async_config = sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
        output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
            s3_output_path=f"s3://{bucket.bucket_name}/{out}",
            s3_failure_path=f"s3://{bucket.bucket_name}/{fail}",
            kms_key_id=key.key_arn if key else None,
            notification_config=notification,
        ),
        client_config=sagemaker.CfnEndpointConfig.AsyncInferenceClientConfigProperty(
            max_concurrent_invocations_per_instance=async_inference.max_concurrent_invocations_per_instance,
        ) if async_inference.max_concurrent_invocations_per_instance else None,
    )
    return bucket, async_config


def build_capture(scope: Construct, models: Sequence[Any], key: Optional[kms.IKey],
                  data_capture: DataCaptureConfig) -> Tuple[Any, Any]:
    """The capture bucket, the roles' writes, and ``DataCaptureConfig``."""
    from .._buckets import secure_bucket

    bucket = data_capture.bucket or secure_bucket(scope, "DataCapture", key)
    prefix = data_capture.prefix.strip("/")
    for model in models:
        _iam.record_owned_grant(model, bucket, bucket.grant_put(model.role, f"{prefix}/*"), CAPTURE_REASON)
    modes_ = [m for m, on in (("Input", data_capture.capture_input), ("Output", data_capture.capture_output)) if on]
    capture_config = sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
        enable_capture=True,
        initial_sampling_percentage=data_capture.sampling_percentage,
        destination_s3_uri=f"s3://{bucket.bucket_name}/{prefix}",
        kms_key_id=key.key_arn if key else None,
        capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=m) for m in modes_],
    )
    return bucket, capture_config


def build_outputs(scope: Construct, models: Sequence[Any], key: Optional[kms.IKey], async_inference: Any,
                  data_capture: Any) -> Tuple[Any, Any, Any, Any]:
    """(async bucket, capture bucket, ``AsyncInferenceConfig``, ``DataCaptureConfig``): where the
    endpoint writes, and the buckets the models may write; ``None`` for what is not asked."""
    async_bucket = async_config = capture_bucket = capture_config = None
    if async_inference is not None:
        async_bucket, async_config = build_async(scope, models, key, async_inference)
    if data_capture is not None:
        capture_bucket, capture_config = build_capture(scope, models, key, data_capture)
    return async_bucket, capture_bucket, async_config, capture_config
