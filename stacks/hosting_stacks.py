"""Examples, one per production hosting mode of :class:`JumpStartEndpoint`."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_jumpstart.nag import acknowledge_grant
from constructs_jumpstart import JumpStartEndpoint
from constructs_jumpstart.hosting import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
    TrafficShift,
)

MODEL = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")


class ServerlessStack(Stack):
    """A serverless endpoint: no instances, 2 GB memory, up to 10 concurrent requests, 1 warm."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint = JumpStartEndpoint(
            self, "Endpoint", serverless=ServerlessConfig(memory_size_mb=2048, max_concurrency=10, provisioned_concurrency=1), **MODEL
        )
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)


class AsyncStack(Stack):
    """An asynchronous endpoint: results in S3, SNS on success and error, scaling on the backlog
    down to zero, and off at night."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        key = kms.Key(self, "TopicKey", enable_key_rotation=True, description="Encrypts the inference notification topics")
        success = sns.Topic(self, "Success", master_key=key, enforce_ssl=True)
        error = sns.Topic(self, "Error", master_key=key, enforce_ssl=True)
        self.endpoint = JumpStartEndpoint(
            self, "Endpoint",
            async_inference=AsyncInferenceConfig(success_topic=success, error_topic=error, max_concurrent_invocations_per_instance=4),
            **MODEL,
        )
        acknowledge_grant(self.endpoint, key.grant_encrypt_decrypt(self.endpoint.role),
                          "The endpoint publishes its results to the topics encrypted with this one key.")
        scaling = self.endpoint.auto_scale(0, 4, target_backlog_per_instance=5)
        scaling.scale_on_schedule("NightOff", schedule=appscaling.Schedule.cron(hour="20", minute="0"), min_capacity=0, max_capacity=0)
        scaling.scale_on_schedule("MorningOn", schedule=appscaling.Schedule.cron(hour="7", minute="0"), min_capacity=0, max_capacity=4)
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)


class InferenceComponentsStack(Stack):
    """Two JumpStart models sharing one endpoint's instances as inference components, one of them
    scaled to zero copies at night."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint = JumpStartEndpoint(
            self, "Endpoint", instance_type="ml.m5.xlarge", initial_instance_count=1,
            inference_components=[
                JumpStartInferenceComponent(name="classifier", cpu_cores=1, memory_mb=2048, copies=1, **MODEL),
                JumpStartInferenceComponent(name="classifier-canary", cpu_cores=1, memory_mb=2048, copies=1, **MODEL),
            ],
        )
        scaling = self.endpoint.auto_scale(0, 2, component=1)
        scaling.scale_on_schedule("NightOff", schedule=appscaling.Schedule.cron(hour="20", minute="0"), min_capacity=0, max_capacity=0)
        scaling.scale_on_schedule("MorningOn", schedule=appscaling.Schedule.cron(hour="7", minute="0"), min_capacity=1, max_capacity=2)
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)


class ProductionStack(Stack):
    """A/B variants (90/10), data capture, autoscaling, and canary blue/green updates that roll
    back when the endpoint's 5xx errors or model latency alarm."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint = JumpStartEndpoint(
            self, "Endpoint",
            variants=[
                JumpStartVariant(variant_name="Current", weight=0.9, initial_instance_count=2, **MODEL),
                JumpStartVariant(variant_name="Challenger", weight=0.1, instance_type="ml.c5.xlarge", **MODEL),
            ],
            data_capture=DataCaptureConfig(sampling_percentage=20),
            deployment=DeploymentConfig.blue_green(traffic=TrafficShift.canary(10, Duration.minutes(10)),
                                                   termination_wait=Duration.minutes(5)),
        )
        errors = cloudwatch.Alarm(self, "Errors5xx", metric=self.endpoint.metric_invocation_5xx_errors(),
                                  threshold=5, evaluation_periods=2,
                                  alarm_description="Roll back: the endpoint returns 5xx errors")
        latency = cloudwatch.Alarm(self, "Latency", metric=self.endpoint.metric_model_latency(),
                                   threshold=500_000, evaluation_periods=3,
                                   alarm_description="Roll back: model latency above 0.5 s")
        ops_key = kms.Key(self, "OpsKey", enable_key_rotation=True, description="Encrypts the ops notification topic")
        ops = sns.Topic(self, "Ops", master_key=ops_key, enforce_ssl=True)
        for alarm in (errors, latency):
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(ops))
            alarm.add_ok_action(cloudwatch_actions.SnsAction(ops))
            alarm.add_insufficient_data_action(cloudwatch_actions.SnsAction(ops))
            self.endpoint.add_rollback_alarm(alarm)
        self.endpoint.auto_scale(2, 6, target_invocations=300)
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)
