"""One test per rule of the SageMaker API (or of CloudFormation) that a template used to break,
named after the rule. Each failed on the library before the rule was enforced."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from constructs_jumpstart import (
    JumpStartBatchTransform,
    JumpStartEndpoint,
    JumpStartModel,
    JumpStartTrainingJob,
    ValidationError,
)
from constructs_jumpstart.hosting import (
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    ServerlessConfig,
    TrafficShift,
)

from .conftest import role_statements

MOBILENET = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")  # an uncompressed S3 prefix
FAMILIES = dict(model_id="fixture-llm-families", model_version="1.0.0")


def _one(t: Template, rtype: str) -> dict:
    (resource,) = t.find_resources(rtype).values()
    return resource["Properties"]


# -- 1. ModelDataSource is refused by batch transform and serverless: the artifact is packed ---------


def test_rule_no_model_data_source_in_batch_transform(make_stack):
    stack = make_stack()
    JumpStartBatchTransform(stack, "BT", input_data="s3://in/images/", **MOBILENET)
    t = Template.from_stack(stack)
    container = _one(t, "AWS::SageMaker::Model")["PrimaryContainer"]
    assert "ModelDataSource" not in container
    packed_id = next(iter(t.find_resources("Custom::JumpStartArtifact")))
    assert container["ModelDataUrl"] == {"Fn::GetAtt": [packed_id, "ArtifactUri"]}
    packer = _one(t, "Custom::JumpStartArtifact")
    assert packer["Source"] == "s3://jumpstart-cache-prod-us-west-2/pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/"
    assert packer["Prefix"].startswith("jumpstart-artifacts/") and packer["Prefix"].endswith("/")  # the object: at deploy


def test_rule_no_model_data_source_on_serverless_endpoints(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "S", serverless=ServerlessConfig(), **MOBILENET)
    t = Template.from_stack(stack)
    container = _one(t, "AWS::SageMaker::Model")["PrimaryContainer"]
    assert "ModelDataSource" not in container and "Fn::GetAtt" in container["ModelDataUrl"]
    # the model's role reads the packed object, and the packer's handler reads exactly the source prefix
    statements = json.dumps(role_statements(t, "SModel"))
    assert "jumpstart-artifacts/" in statements


def test_rule_a_model_with_model_data_source_is_refused_for_transform(make_stack):
    stack = make_stack()
    model = JumpStartModel(stack, "M", **MOBILENET)
    with pytest.raises(ValidationError, match=r"reads its artifact through ModelDataSource, which batch transform refuses.*compress_artifact=True"):
        JumpStartBatchTransform(stack, "BT", model=model, input_data="s3://in/")
    packed = JumpStartModel(stack, "P", compress_artifact=True, **MOBILENET)
    JumpStartBatchTransform(stack, "OK", model=packed, input_data="s3://in/")


def test_rule_gated_artifacts_cannot_be_packed(make_stack):
    with pytest.raises(ValidationError, match=r"is gated: SageMaker reads its artifact only through ModelDataSource.*model_data="):
        JumpStartBatchTransform(make_stack(), "BT", model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True,
                                config_name="tgi", input_data="s3://in/", instance_type="ml.g5.12xlarge")


# -- 2. volume KMS keys: the SDK's instance_supports_kms, recorded at resolve time ------------------


@pytest.mark.parametrize("instance_type, key", [
    ("ml.p6-b200.48xlarge", False),  # local NVMe storage: the library's old list missed it
    ("ml.inf2.xlarge", True),  # EBS only: the old list wrongly dropped the key
    ("ml.g5.2xlarge", False),
    ("ml.m5.xlarge", True),
])
def test_rule_no_volume_kms_key_on_instance_types_with_local_storage(make_stack, instance_type, key):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", instance_type=instance_type, **FAMILIES)
    t = Template.from_stack(stack)
    config = _one(t, "AWS::SageMaker::EndpointConfig")
    assert ("KmsKeyId" in config) is key
    assert ("VolumeSizeInGB" in config["ProductionVariants"][0]) is key  # the SDK's volume_size_supported too
    if not key:
        Annotations.from_stack(stack).has_info("/TestStack/E", Match.string_like_regexp("local instance storage"))


def test_rule_training_volume_key_refused_on_local_storage(make_stack):
    stack = make_stack()
    key = kms.Key(stack, "K")
    with pytest.raises(ValidationError, match=r"volume_encryption_key: a KMS key cannot be requested for instance type ml.g5.2xlarge"):
        JumpStartTrainingJob(stack, "T", training_data="s3://d/", volume_encryption_key=key, **FAMILIES)
    JumpStartTrainingJob(stack, "Ok", training_data="s3://d/", instance_type="ml.m5.xlarge", volume_encryption_key=key, **FAMILIES)


def test_rule_transform_volume_key_dropped_on_local_storage(make_stack):
    stack = make_stack()
    key = kms.Key(stack, "K")
    bt = JumpStartBatchTransform(stack, "T", input_data="s3://d/", instance_type="ml.g5.2xlarge", encryption_key=key, **FAMILIES)
    request = json.dumps(Template.from_stack(stack).to_json()["Resources"][stack.get_logical_id(bt.runner.job.node.default_child)])
    assert "VolumeKmsKeyId" not in request and "KmsKeyId" in request  # the output stays encrypted
    Annotations.from_stack(stack).has_info("/TestStack/T", Match.string_like_regexp("no VolumeKmsKeyId: ml.g5.2xlarge"))


def test_rule_training_runs_at_most_28_days(make_stack):
    """StoppingCondition.MaxRuntimeInSeconds: "The maximum value is 28 days" (the default timeout let a
    30-day max_runtime through to the template)."""
    with pytest.raises(ValidationError, match=r"max_runtime of 2592000 s is over SageMaker's longest training runtime, "
                                              r"28 days"):
        JumpStartTrainingJob(make_stack(), "T", training_data="s3://d/", max_runtime=Duration.days(30), **MOBILENET)
    JumpStartTrainingJob(make_stack(), "Ok", training_data="s3://d/", max_runtime=Duration.days(28), **MOBILENET)


@pytest.mark.parametrize("kwargs, message", [
    (dict(instance_count=101), r"instance_count 101 is over the 100 instances a transform job may use"),
    (dict(max_payload_mb=20, max_concurrent_transforms=6), r"max_payload_mb 20 x max_concurrent_transforms 6 = 120 MB, "
                                                          r"over 100 MB"),
])
def test_rule_transform_instances_and_payload_within_the_documented_limits(make_stack, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartBatchTransform(make_stack(), "T", input_data="s3://d/", instance_type="ml.m5.xlarge", **MOBILENET,
                                **kwargs)
    JumpStartBatchTransform(make_stack(), "Ok", input_data="s3://d/", instance_type="ml.m5.xlarge", instance_count=100,
                            max_payload_mb=20, max_concurrent_transforms=5, **MOBILENET)


def test_the_conformance_check_knows_the_runtime_payload_and_instance_limits():
    from constructs_jumpstart._api_rules import request_problems

    requests = [("CreateTrainingJob", {"StoppingCondition": {"MaxRuntimeInSeconds": 28 * 86400 + 1},
                                       "ResourceConfig": {"InstanceType": "ml.m5.xlarge"}}, "T"),
                ("CreateTransformJob", {"ModelName": "m", "MaxPayloadInMB": 50, "MaxConcurrentTransforms": 3,
                                        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 101}},
                 "B")]
    found = request_problems(requests, lambda t: True, lambda t: True)
    assert len(found) == 3
    assert found[0].startswith("T: max_runtime of 2419201 s is over")
    assert found[1].startswith("B: instance_count 101 is over") and found[2].startswith("B: max_payload_mb 50 x")


def test_rule_instance_types_the_api_does_not_accept_for_the_use(make_stack):
    with pytest.raises(ValidationError, match=r"instance type ml.p4d.24xlarge is not one SageMaker accepts for transform"):
        JumpStartBatchTransform(make_stack(), "T", input_data="s3://d/", instance_type="ml.p4d.24xlarge", **FAMILIES)
    with pytest.raises(ValidationError, match=r"instance type ml.inf2.xlarge is not one SageMaker accepts for training"):
        JumpStartTrainingJob(make_stack(), "T", training_data="s3://d/", instance_type="ml.inf2.xlarge", **FAMILIES)


# -- 3. deployment configs ---------------------------------------------------------------------------


def test_rule_blue_green_without_alarms_has_no_empty_alarm_list(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", deployment=DeploymentConfig.blue_green(), **MOBILENET)
    config = _one(Template.from_stack(stack), "AWS::SageMaker::Endpoint")["DeploymentConfig"]
    assert "AutoRollbackConfiguration" not in config  # Alarms takes 1 to 10: [] is refused (cfn-lint E3032)


@pytest.mark.parametrize("deployment, message", [
    (lambda: DeploymentConfig.blue_green(traffic=TrafficShift.linear(60)), r"linear size 60% is out of range: .* 10 to 50"),
    (lambda: DeploymentConfig.blue_green(traffic=TrafficShift.linear(5)), r"linear size 5% is out of range"),
    (lambda: DeploymentConfig.blue_green(traffic=TrafficShift.canary(60)), r"canary size 60% is out of range: .* 1 to 50"),
    (lambda: DeploymentConfig.rolling(batch_percent=75, alarms=[object()]), r"rolling size 75% is out of range: .* 5 to 50"),
    (lambda: DeploymentConfig.blue_green(traffic=TrafficShift.canary(10, Duration.hours(2))), r"traffic wait of 7200 s is out of range: it must be 0 to 3600"),
    (lambda: DeploymentConfig.blue_green(max_execution_timeout=Duration.minutes(5)), r"max_execution_timeout of 300 s is out of range: it must be 600 to 28800"),
    (lambda: DeploymentConfig.blue_green(max_execution_timeout=Duration.hours(9)), r"max_execution_timeout of 32400 s is out of range"),
    (lambda: DeploymentConfig.blue_green(traffic=TrafficShift.canary(10, Duration.minutes(30)), termination_wait=Duration.minutes(30),
                                         max_execution_timeout=Duration.minutes(50)), r"must be larger than the waits it covers \(1800 \+ 1800"),
    (lambda: DeploymentConfig.blue_green(alarms=[object()] * 11), r"11 rollback alarms: a deployment takes at most 10"),
])
def test_rule_deployment_sizes_waits_and_timeouts_the_api_accepts(make_stack, deployment, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartEndpoint(make_stack(), "E", deployment=deployment(), **MOBILENET)


# -- 4. autoscaling and instance-type changes --------------------------------------------------------


def _scaled(make_stack, instance_type: str, **kw) -> dict:
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", instance_type=instance_type, **MOBILENET, **kw)
    ep.auto_scale(1, 4)
    return Template.from_stack(stack).to_json()


def test_rule_an_autoscaled_variant_keeps_its_count_and_changes_instance_type_by_replacement(make_stack):
    before = _scaled(make_stack, "ml.m5.xlarge")
    after = _scaled(make_stack, "ml.c5.xlarge")
    endpoint = lambda t: next(r["Properties"] for r in t["Resources"].values() if r["Type"] == "AWS::SageMaker::Endpoint")
    # the scaled count survives updates (but weights and data capture follow the new config)
    assert endpoint(before)["RetainAllVariantProperties"] is True
    assert endpoint(before)["ExcludeRetainedVariantProperties"] == [
        {"VariantPropertyType": "DesiredWeight"}, {"VariantPropertyType": "DataCaptureConfig"}]
    # an instance type change renames the endpoint: CloudFormation replaces it (and its scalable
    # target), where SageMaker refuses the in-place update of a variant registered for autoscaling
    name_before, name_after = endpoint(before)["EndpointName"], endpoint(after)["EndpointName"]
    assert name_before != name_after and name_before.rsplit("-", 1)[0] == name_after.rsplit("-", 1)[0]
    assert len(name_before) <= 63
    target = next(r["Properties"] for r in before["Resources"].values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget")
    assert "Fn::GetAtt" in json.dumps(target["ResourceId"])


def test_rule_an_autoscaled_endpoint_with_a_fixed_name_warns_how_to_change_instance_type(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", endpoint_name="my-endpoint", **MOBILENET)
    ep.auto_scale(1, 2)
    Annotations.from_stack(stack).has_warning("/TestStack/E", Match.string_like_regexp("remove auto_scale and deploy"))


def _exported_warnings(stack) -> list:
    return [w.entry.data for w in Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(
        "jumpstart:scaled-name-exported"))]


def test_rule_an_autoscaled_endpoint_whose_name_another_stack_imports_warns(make_stack):
    """A scaled endpoint is replaced (renamed) when an instance type changes, and CloudFormation
    refuses to change an export another stack imports: the cross-stack reference CDK turns into an
    export (in its prepare phase, after aspects) is seen at synth, and the consumer is named."""
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", **MOBILENET)
    ep.auto_scale(1, 2)
    consumer = cdk.Stack(stack.node.root, "Consumer", env=cdk.Environment(account=stack.account, region=stack.region))
    cdk.CfnOutput(consumer, "Name", value=ep.endpoint_name)
    (warning,) = _exported_warnings(stack)
    assert "(export TestStack:ExportsOutputFnGetAtt" in warning and "stack Consumer imports it" in warning
    assert "SSM parameter" in warning and "Autoscaling and updates" in warning


def test_rule_an_autoscaled_endpoint_with_an_export_of_yours_warns(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", **MOBILENET)
    ep.auto_scale(1, 2)
    cdk.CfnOutput(stack, "Arn", value=ep.endpoint_arn, export_name="classifier-arn")
    cdk.CfnOutput(stack, "NotExported", value=ep.endpoint_name)
    (warning,) = _exported_warnings(stack)
    assert "(export classifier-arn of output TestStack/Arn)" in warning and "another stack may import it" in warning


def test_rule_a_blue_green_endpoint_whose_arn_another_stack_imports_warns(make_stack):
    """A deployment config also gives the endpoint a generated name that ends in a hash of its
    instance types: another stack's grant_invoke imports its ARN."""
    from aws_cdk import aws_iam as iam

    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", deployment=DeploymentConfig.blue_green(), **MOBILENET)
    consumer = cdk.Stack(stack.node.root, "Consumer", env=cdk.Environment(account=stack.account, region=stack.region))
    ep.grant_invoke(iam.Role(consumer, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")))
    (warning,) = _exported_warnings(stack)
    assert "(export TestStack:ExportsOutputRefEEndpoint" in warning and "stack Consumer imports it" in warning


def test_rule_an_exported_endpoint_that_is_not_replaced_does_not_warn(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", **MOBILENET)  # not scaled: an instance type change is an update
    cdk.CfnOutput(stack, "Arn", value=ep.endpoint_arn, export_name="classifier-arn")
    scaled = JumpStartEndpoint(stack, "S", **MOBILENET)
    scaled.auto_scale(1, 2)
    cdk.CfnOutput(stack, "Other", value=ep.endpoint_name, export_name="other-name")  # not the scaled one's
    assert _exported_warnings(stack) == []


def test_rule_scaling_the_same_variant_twice_is_a_clear_error(make_stack):
    ep = JumpStartEndpoint(make_stack(), "E", **MOBILENET)
    ep.auto_scale(1, 2)
    with pytest.raises(ValidationError, match=r"variant AllTraffic is already auto-scaled"):
        ep.auto_scale(1, 3)


# -- 5. inference components -------------------------------------------------------------------------


def test_rule_inference_components_scale_out_of_zero(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", instance_type="ml.g5.2xlarge", initial_instance_count=2, inference_components=[
        JumpStartInferenceComponent(name="a", **FAMILIES), JumpStartInferenceComponent(name="b", **FAMILIES)])
    ep.auto_scale(0, 3, component=1, max_instances=4)
    t = Template.from_stack(stack)
    variant = _one(t, "AWS::SageMaker::EndpointConfig")["ProductionVariants"][0]
    assert variant["ManagedInstanceScaling"] == {"Status": "ENABLED", "MinInstanceCount": 0, "MaxInstanceCount": 4}
    policies = t.find_resources("AWS::ApplicationAutoScaling::ScalingPolicy")
    step = [p["Properties"] for p in policies.values() if p["Properties"]["PolicyType"] == "StepScaling"]
    assert len(step) == 1 and step[0]["StepScalingPolicyConfiguration"]["AdjustmentType"] == "ChangeInCapacity"
    alarm = next(a["Properties"] for a in t.find_resources("AWS::CloudWatch::Alarm").values()
                 if a["Properties"]["MetricName"] == "NoCapacityInvocationFailures")
    assert alarm["Namespace"] == "AWS/SageMaker" and alarm["Dimensions"][0]["Name"] == "InferenceComponentName"
    with pytest.raises(ValidationError, match=r"max_instances .* must be at least the initial instance count \(2\)"):
        ep.auto_scale(0, 3, component=0, max_instances=1)


def test_rule_inference_components_get_the_spec_start_up_timeouts_and_isolation_on_the_config(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "E", instance_type="ml.g5.2xlarge", inference_components=[JumpStartInferenceComponent(**FAMILIES)])
    t = Template.from_stack(stack)
    spec = _one(t, "AWS::SageMaker::InferenceComponent")["Specification"]
    assert spec["StartupParameters"] == {"ModelDataDownloadTimeoutInSeconds": 1200,
                                         "ContainerStartupHealthCheckTimeoutInSeconds": 1200}
    assert _one(t, "AWS::SageMaker::EndpointConfig")["EnableNetworkIsolation"] is True


# -- 9. teardown -------------------------------------------------------------------------------------


def test_rule_a_key_lives_as_long_as_the_data_it_encrypts(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "C", data_capture=DataCaptureConfig(), **MOBILENET)
    JumpStartEndpoint(stack, "Plain", **MOBILENET)
    keys = Template.from_stack(stack).find_resources("AWS::KMS::Key")
    policies = {k: v["DeletionPolicy"] for k, v in keys.items() if not k.startswith("JumpStartJobsHandler")}
    capture_bucket = next(v for k, v in Template.from_stack(stack).find_resources("AWS::S3::Bucket").items() if k.startswith("CDataCapture"))
    assert capture_bucket["DeletionPolicy"] == "Retain"
    assert [p for k, p in policies.items() if k.startswith("C")] == ["Retain"]  # the captured data stays decryptable
    assert [p for k, p in policies.items() if k.startswith("Plain")] == ["Delete"]  # a volume key only


def test_rule_buckets_removed_with_the_stack_are_emptied_first(make_stack):
    stack = make_stack()
    JumpStartTrainingJob(stack, "T", training_data="s3://d/", removal_policy=cdk.RemovalPolicy.DESTROY, **MOBILENET)
    t = Template.from_stack(stack)
    (bucket_id,) = [k for k in t.find_resources("AWS::S3::Bucket") if k.startswith("TOutput")]
    emptier = _one(t, "Custom::S3AutoDeleteObjects")
    assert emptier["BucketName"] == {"Ref": bucket_id}
    retained = make_stack()
    JumpStartTrainingJob(retained, "T", training_data="s3://d/", **MOBILENET)
    Template.from_stack(retained).resource_count_is("Custom::S3AutoDeleteObjects", 0)


# -- 10. smaller ---------------------------------------------------------------------------------------


def test_rule_the_handler_reserves_no_concurrency(make_stack):
    stack = make_stack()
    JumpStartTrainingJob(stack, "T", training_data="s3://d/", **MOBILENET)
    function = next(f["Properties"] for k, f in Template.from_stack(stack).find_resources("AWS::Lambda::Function").items()
                    if k.startswith("JumpStartJobsHandler"))
    assert "ReservedConcurrentExecutions" not in function


def test_rule_the_training_role_can_use_a_given_output_key_and_publish_metrics(make_stack):
    stack = make_stack()
    key = kms.Key(stack, "OutputKey")
    bucket = s3.Bucket(stack, "Mine")
    JumpStartTrainingJob(stack, "T", training_data="s3://d/", output_bucket=bucket, output_encryption_key=key, **MOBILENET)
    t = Template.from_stack(stack)
    statements = role_statements(t, "TRole")
    key_id = next(iter(t.find_resources("AWS::KMS::Key")))
    assert any("kms:GenerateDataKey*" in s["Action"] and s["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]} for s in statements)
    metrics = [s for s in statements if s["Action"] == "cloudwatch:PutMetricData"]
    assert metrics == [{"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                        "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/TrainingJobs"}}}]


def test_the_shipped_instance_type_enums_are_the_installed_service_models():
    """``api_instance_types.json`` is the service model's enums (regenerate: scripts/make_api_data.py)."""
    import importlib.util

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("make_api_data", ROOT / "scripts" / "make_api_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads(module.TARGET.read_text())
    fresh = json.loads(module.generate())
    assert {k: v for k, v in shipped.items() if k != "_source"} == {k: v for k, v in fresh.items() if k != "_source"}
