"""Production hosting modes of JumpStartEndpoint: each mode's CloudFormation and every conflict."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from constructs_jumpstart import JumpStartEndpoint, JumpStartError, ValidationError

from .conftest import role_statements
from constructs_jumpstart.hosting import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
    TrafficShift,
)

MOBILENET = "pytorch-ic-mobilenet-v2"
PINNED = dict(model_id=MOBILENET, model_version="3.0.25")


def _config(t: Template) -> dict:
    (config,) = t.find_resources("AWS::SageMaker::EndpointConfig").values()
    return config["Properties"]


def test_kms_key_by_default_with_rotation(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", **PINNED)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    assert _config(t)["KmsKeyId"]["Fn::GetAtt"][1] == "Arn"


def test_no_kms_key_on_nvme_instance_types(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True)  # ml.g5.12xlarge
    t = Template.from_stack(stack)
    assert "KmsKeyId" not in _config(t)
    # no endpoint key: nothing would use one (the stack's handler, which creates this speculative-
    # decoding model through the API, has its own key for its logs)
    assert [k for k in t.find_resources("AWS::KMS::Key") if not k.startswith("JumpStartJobsHandler")] == []
    serverless = make_stack()
    JumpStartEndpoint(serverless, "S", serverless=ServerlessConfig(), **PINNED)
    keys = Template.from_stack(serverless).find_resources("AWS::KMS::Key")
    assert [k for k in keys if not k.startswith("JumpStartJobsHandler")] == []  # the packer's handler logs only
    with_capture = make_stack()
    JumpStartEndpoint(with_capture, "C", model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True,
                      data_capture=DataCaptureConfig())
    keys = Template.from_stack(with_capture).find_resources("AWS::KMS::Key")
    assert [k for k in keys if not k.startswith("JumpStartJobsHandler")] == ["CKey95F5E5C6"]  # encrypts the captured data


def test_serverless(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", serverless=ServerlessConfig(memory_size_mb=3072, max_concurrency=20,
                                                                   provisioned_concurrency=2), **PINNED)
    config = _config(Template.from_stack(stack))
    (variant,) = config["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 20, "ProvisionedConcurrency": 2}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert "KmsKeyId" not in config
    assert ep.instance_type is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(instance_type="ml.m5.large"), "serverless endpoints have no instances"),
        (dict(initial_instance_count=2), "serverless endpoints have no instances"),
        (dict(async_inference=AsyncInferenceConfig()), "serverless and async_inference exclude each other"),
        (dict(data_capture=DataCaptureConfig()), "do not support data capture"),
        (dict(serverless=ServerlessConfig(memory_size_mb=1500)), "memory_size_mb must be 1024, 2048"),
        (dict(serverless=ServerlessConfig(max_concurrency=500)), "max_concurrency must be between 1 and 200"),
        (dict(serverless=ServerlessConfig(max_concurrency=2, provisioned_concurrency=3)), "provisioned_concurrency must be between 1 and max_concurrency"),
        (dict(deployment=DeploymentConfig.rolling(alarms=[])), "blue/green deployments only"),
    ],
)
def test_serverless_conflicts(make_stack, kwargs, message):
    args = dict(serverless=ServerlessConfig(), **PINNED)
    args.update(kwargs)
    with pytest.raises(ValidationError, match=message):
        JumpStartEndpoint(make_stack(), "E", **args)


def test_serverless_refuses_gpu_only_models(make_stack):
    with pytest.raises(ValidationError, match=r"cannot run serverless: its image needs a GPU/accelerator"):
        JumpStartEndpoint(make_stack(), "E", model_id="fixture-llm-gated", accept_eula=True, serverless=ServerlessConfig())


def test_async_inference_with_topics_and_scoped_role(make_stack):
    stack = make_stack()
    ok, bad = sns.Topic(stack, "Ok"), sns.Topic(stack, "Bad")
    ep = JumpStartEndpoint(stack, "E", async_inference=AsyncInferenceConfig(
        success_topic=ok, error_topic=bad, max_concurrent_invocations_per_instance=4), **PINNED)
    caller = cdk.aws_iam.Role(stack, "Caller", assumed_by=cdk.aws_iam.AccountRootPrincipal())
    ep.grant_invoke(caller)
    t = Template.from_stack(stack)
    config = _config(t)["AsyncInferenceConfig"]
    assert config["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 4}
    out = config["OutputConfig"]
    assert out["S3OutputPath"]["Fn::Join"][1][-1] == "/async-output"
    assert out["S3FailurePath"]["Fn::Join"][1][-1] == "/async-failures"
    assert set(out["NotificationConfig"]) == {"SuccessTopic", "ErrorTopic"}
    assert "KmsKeyId" in out
    t.has_resource_properties("AWS::S3::Bucket", {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        Match.object_like({"ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})})]}})
    policy = json.dumps(role_statements(t))
    assert "/async-output/*" in policy and "/async-failures/*" in policy and "sns:Publish" in policy
    role = iam_policy_for(t, "EModelRole")
    puts = [s for s in role if "s3:PutObject" in json.dumps(s["Action"])]
    assert all("/async-" in json.dumps(s["Resource"]) for s in puts)  # may write only there
    assert "sagemaker:InvokeEndpointAsync" in policy


def iam_policy_for(t: Template, role_prefix: str) -> list:
    return role_statements(t, role_prefix)


def test_async_autoscaling_on_backlog_down_to_zero_and_schedules(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", async_inference=AsyncInferenceConfig(), **PINNED)
    target = ep.auto_scale(0, 4)
    target.scale_on_schedule("Night", schedule=appscaling.Schedule.cron(hour="20", minute="0"), min_capacity=0, max_capacity=0)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": 0, "MaxCapacity": 4, "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "ScheduledActions": [Match.object_like({"Schedule": "cron(0 20 * * ? *)", "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 0}})],
    })
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {"PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": Match.object_like({"TargetValue": 5, "CustomizedMetricSpecification": Match.object_like(
            {"MetricName": "ApproximateBacklogSizePerInstance"})})})
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "HasBacklogWithoutCapacity"})


def test_realtime_autoscaling_and_refusals(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", **PINNED)
    ep.auto_scale(1, 3, target_invocations=200)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalingPolicy", {"TargetTrackingScalingPolicyConfiguration": Match.object_like(
        {"TargetValue": 200, "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}})})
    target = next(iter(t.find_resources("AWS::ApplicationAutoScaling::ScalableTarget").values()))
    assert target["Properties"]["ResourceId"]["Fn::Join"][1][-1] == "/variant/AllTraffic"
    with pytest.raises(ValidationError, match="only async endpoints and inference components can scale to zero"):
        ep.auto_scale(0, 2)
    serverless = JumpStartEndpoint(make_stack(), "S", serverless=ServerlessConfig(), **PINNED)
    with pytest.raises(ValidationError, match="serverless endpoints scale by themselves"):
        serverless.auto_scale(1, 2)


def test_inference_components(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", instance_type="ml.g5.12xlarge", initial_instance_count=2, inference_components=[
        JumpStartInferenceComponent(model_id="fixture-llm-gated", model_version="2.0.0", config_name="tgi", accept_eula=True, copies=2),
        JumpStartInferenceComponent(model_id="fixture-llm-gated", model_version="2.0.0", name="small", config_name="tgi",
                                    accept_eula=True, accelerators=1, memory_mb=16384),
    ])
    target = ep.auto_scale(0, 3, component=1)
    target.scale_on_schedule("Night", schedule=appscaling.Schedule.cron(hour="22", minute="0"), min_capacity=0, max_capacity=0)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount", "MinCapacity": 0})
    config = _config(t)
    (variant,) = config["ProductionVariants"]
    assert "ModelName" not in variant and variant["InstanceType"] == "ml.g5.12xlarge" and variant["InitialInstanceCount"] == 2
    assert "ExecutionRoleArn" in config
    t.resource_count_is("AWS::SageMaker::Model", 2)
    t.resource_count_is("AWS::SageMaker::InferenceComponent", 2)
    t.has_resource_properties("AWS::SageMaker::InferenceComponent", {
        "Specification": Match.object_like({"ComputeResourceRequirements": {"NumberOfAcceleratorDevicesRequired": 4, "MinMemoryRequiredInMb": 98304}}),
        "RuntimeConfig": {"CopyCount": 2}})  # from the spec's hosting_resource_requirements
    t.has_resource_properties("AWS::SageMaker::InferenceComponent", {
        "Specification": Match.object_like({"ComputeResourceRequirements": {"NumberOfAcceleratorDevicesRequired": 1, "MinMemoryRequiredInMb": 16384}})})


def test_ab_variants_with_weights(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", variants=[
        JumpStartVariant(model_id=MOBILENET, model_version="3.0.25", variant_name="A", weight=0.9),
        JumpStartVariant(model_id=MOBILENET, model_version="3.0.25", variant_name="B", weight=0.1, instance_type="ml.c5.xlarge"),
    ])
    t = Template.from_stack(stack)
    variants = _config(t)["ProductionVariants"]
    assert [(v["VariantName"], v["InitialVariantWeight"], v["InstanceType"]) for v in variants] == [
        ("A", 0.9, "ml.m5.large"), ("B", 0.1, "ml.c5.xlarge")]
    t.resource_count_is("AWS::SageMaker::Model", 2)


def test_data_capture(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", data_capture=DataCaptureConfig(sampling_percentage=20, capture_output=False), **PINNED)
    t = Template.from_stack(stack)
    capture = _config(t)["DataCaptureConfig"]
    assert capture["EnableCapture"] is True and capture["InitialSamplingPercentage"] == 20
    assert capture["CaptureOptions"] == [{"CaptureMode": "Input"}]
    assert "KmsKeyId" in capture and capture["DestinationS3Uri"]["Fn::Join"][1][-1] == "/data-capture"
    assert any("/data-capture/*" in json.dumps(s["Resource"]) for s in iam_policy_for(t, "EModelRole") if "s3:PutObject" in json.dumps(s["Action"]))


def test_blue_green_canary_with_rollback_alarm_on_own_metric(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", deployment=DeploymentConfig.blue_green(
        traffic=TrafficShift.canary(10, cdk.Duration.minutes(10)), termination_wait=cdk.Duration.minutes(5)), **PINNED)
    alarm = cloudwatch.Alarm(stack, "Errors", metric=ep.metric_invocation_5xx_errors(), threshold=1, evaluation_periods=1)
    ep.add_rollback_alarm(alarm)
    cloudwatch.Alarm(stack, "Latency", metric=ep.metric_model_latency(), threshold=1e6, evaluation_periods=1)
    t = Template.from_stack(stack)  # no circular dependency: the endpoint has a generated name
    (endpoint,) = t.find_resources("AWS::SageMaker::Endpoint").values()
    props = endpoint["Properties"]
    assert isinstance(props["EndpointName"], str) and len(props["EndpointName"]) <= 63
    policy = props["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {"Type": "CANARY", "WaitIntervalInSeconds": 600,
                                                     "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10}}
    assert policy["TerminationWaitInSeconds"] == 300
    assert props["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] == [{"AlarmName": {"Ref": stack.get_logical_id(alarm.node.default_child)}}]
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "Invocation5XXErrors", "Namespace": "AWS/SageMaker",
        "Dimensions": Match.array_with([{"Name": "EndpointName", "Value": props["EndpointName"]}])})


def test_linear_and_rolling(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", deployment=DeploymentConfig.blue_green(traffic=TrafficShift.linear(20)), **PINNED)
    (endpoint,) = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    assert endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["LinearStepSize"] == {"Type": "CAPACITY_PERCENT", "Value": 20}
    stack = make_stack()
    alarm = cloudwatch.Alarm(stack, "A", metric=cloudwatch.Metric(namespace="X", metric_name="Y"), threshold=1, evaluation_periods=1)
    JumpStartEndpoint(stack, "E", deployment=DeploymentConfig.rolling(batch_percent=50, alarms=[alarm], rollback_batch_percent=100), **PINNED)
    (endpoint,) = Template.from_stack(stack).find_resources("AWS::SageMaker::Endpoint").values()
    rolling = endpoint["Properties"]["DeploymentConfig"]["RollingUpdatePolicy"]
    assert rolling["MaximumBatchSize"] == {"Type": "CAPACITY_PERCENT", "Value": 50}
    assert rolling["RollbackMaximumBatchSize"] == {"Type": "CAPACITY_PERCENT", "Value": 100}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(deployment=DeploymentConfig.rolling()), "rolling deployment needs at least one CloudWatch alarm"),
        (dict(deployment=DeploymentConfig.blue_green(traffic=TrafficShift.canary(150))), r"canary size 150% is out of range: it must be an integer from 1 to 50 percent"),
        (dict(data_capture=DataCaptureConfig(sampling_percentage=120)), "sampling_percentage must be between 0 and 100"),
        (dict(async_inference=AsyncInferenceConfig(max_concurrent_invocations_per_instance=0)), "max_concurrent_invocations_per_instance"),
        (dict(enable_network_isolation=False), "enable_network_isolation=False is refused"),
    ],
)
def test_conflicts_and_ranges(make_stack, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartEndpoint(make_stack(), "E", **PINNED, **kwargs)


def test_modes_exclude_each_other(make_stack):
    with pytest.raises(ValidationError, match="exactly one of model_id="):
        JumpStartEndpoint(make_stack(), "E", model_id=MOBILENET, variants=[JumpStartVariant(model_id=MOBILENET)])
    with pytest.raises(ValidationError, match="async_inference cannot be combined with inference_components"):
        JumpStartEndpoint(make_stack(), "E", async_inference=AsyncInferenceConfig(),
                          inference_components=[JumpStartInferenceComponent(model_id=MOBILENET)])
    with pytest.raises(JumpStartError, match="add_rollback_alarm needs deployment="):
        JumpStartEndpoint(make_stack(), "E", **PINNED).add_rollback_alarm(None)


def test_vpc_and_stricter_isolation(make_stack):
    stack = make_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    JumpStartEndpoint(stack, "E", model_id="fixture-tf-script-mode", vpc=vpc, enable_network_isolation=True)
    t = Template.from_stack(stack)
    model = next(iter(t.find_resources("AWS::SageMaker::Model").values()))["Properties"]
    assert model["EnableNetworkIsolation"] is True  # the spec says False; stricter is allowed
    assert len(model["VpcConfig"]["Subnets"]) == 2 and len(model["VpcConfig"]["SecurityGroupIds"]) == 1


def test_metric_options_reach_the_metric_and_variants_have_every_metric(make_stack):
    """metric_invocations(label=...) raised TypeError; the per-variant handle lacked 4xx, overhead and CPU (#20)."""
    from aws_cdk import aws_cloudwatch as cloudwatch

    endpoint = JumpStartEndpoint(make_stack(), "E", model_id="pytorch-ic-mobilenet-v2")
    labelled = endpoint.metric_invocations(label="calls", unit=cloudwatch.Unit.COUNT, color=cloudwatch.Color.RED)
    assert (labelled.label, labelled.unit, labelled.color) == ("calls", cloudwatch.Unit.COUNT, cloudwatch.Color.RED)
    variant = endpoint.variant("AllTraffic")
    named = {m.metric_name: m for m in (variant.metric_invocation_4xx_errors(), variant.metric_overhead_latency(),
                                         variant.metric_cpu_utilization())}
    assert set(named) == {"Invocation4XXErrors", "OverheadLatency", "CPUUtilization"}
    assert named["CPUUtilization"].namespace == "/aws/sagemaker/Endpoints"
    assert named["OverheadLatency"].statistic == "Average" and named["Invocation4XXErrors"].statistic == "Sum"
    with pytest.raises(TypeError, match="statistc"):
        endpoint.metric_invocations(statistc="Sum")
