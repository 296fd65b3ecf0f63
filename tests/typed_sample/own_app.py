"""A typed own app: every public construct, handle and importer of constructs_jumpstart used the
documented way. ``tests/test_typing.py`` checks it with pyright in strict mode, as an IDE would."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_jumpstart import (
    JumpStartBatchTransform,
    JumpStartEndpoint,
    JumpStartModel,
    JumpStartTrainingJob,
    ModelSource,
)
from constructs_jumpstart.hosting import AdapterServing, JumpStartInferenceComponent, ServerlessConfig


class OwnStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, env=cdk.Environment(account="123456789012", region="us-west-2"))
        bucket = s3.Bucket(self, "Data", enforce_ssl=True)
        tuned = JumpStartTrainingJob(self, "Tune", model_id="pytorch-ic-mobilenet-v2", training_data="s3://b/train/",
                                     hyperparameters={"epochs": 3}, timeout=Duration.hours(2))
        endpoint = JumpStartEndpoint(self, "Classifier", model_id="pytorch-ic-mobilenet-v2",
                                     instance_type="ml.m5.large",
                                     model_data=ModelSource.from_bucket(bucket, "models/model.tar.gz"))
        JumpStartEndpoint(self, "Serverless", model_id="pytorch-ic-mobilenet-v2",
                          serverless=ServerlessConfig(memory_size_mb=2048, max_concurrency=5))
        model = JumpStartModel(self, "Model", model_id="pytorch-ic-mobilenet-v2", compress_artifact=True)
        JumpStartBatchTransform(self, "Batch", model=model, input_data="s3://b/in/")
        invoker = iam.Role.from_role_arn(self, "Invoker", "arn:aws:iam::123456789012:role/invoker")
        endpoint.grant_invoke(invoker)
        errors: cloudwatch.Metric = endpoint.metric_invocation_4xx_errors(period=Duration.minutes(1), statistic="Sum")
        latency: cloudwatch.Metric = endpoint.metric_model_latency(label="latency", unit=cloudwatch.Unit.MICROSECONDS)
        variant = endpoint.variant("AllTraffic")
        overhead: cloudwatch.Metric = variant.metric_overhead_latency(color=cloudwatch.Color.ORANGE)
        cpu: cloudwatch.Metric = variant.metric_cpu_utilization(dimensions_map={"Host": "1"})
        cloudwatch.Dashboard(self, "Board").add_widgets(cloudwatch.GraphWidget(left=[overhead, cpu]))
        cloudwatch.Alarm(self, "Errors", metric=errors, threshold=1, evaluation_periods=1)
        cloudwatch.Alarm(self, "Latency", metric=latency, threshold=1000, evaluation_periods=1)
        llm = JumpStartEndpoint(self, "Llm", instance_type="ml.g5.12xlarge", inference_components=[
            JumpStartInferenceComponent(model_id="fixture-llm-optimized", name="base",
                                        adapters=AdapterServing(max_loaded=4, max_rank=64))])
        adapter = llm.add_adapter("support-bot", ModelSource.from_bucket(bucket, "adapters/support.tar.gz"))
        adapter_calls: cloudwatch.Metric = adapter.metric_invocations(period=Duration.minutes(1))
        cloudwatch.Alarm(self, "AdapterCalls", metric=adapter_calls, threshold=1, evaluation_periods=1)
        cdk.CfnOutput(self, "AdapterComponent", value=adapter.component_name)
        imported = JumpStartEndpoint.from_endpoint_name(self, "Imported", "existing-endpoint")
        apigateway.SagemakerIntegration(imported)
        cdk.CfnOutput(self, "TunedModel", value=tuned.model_data or "")
