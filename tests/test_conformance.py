"""The conformance check: every SageMaker request of every example stack and of a matrix of hosting
modes x instance families x kinds of model is one the SageMaker API accepts, by botocore's service
model and the rules its documentation states (see ``tests/conformance.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms

import app as example_app
from constructs_jumpstart import JumpStartBatchTransform, JumpStartEndpoint, JumpStartError, JumpStartTrainingJob
from constructs_jumpstart.hosting import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
    TrafficShift,
)

from . import conformance
from .test_cfn_lint import EXAMPLES

FAMILIES = ["ml.m5.xlarge", "ml.g5.2xlarge", "ml.g6.2xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge",
            "ml.p6-b200.48xlarge", "ml.inf2.xlarge", "ml.trn1.2xlarge", "ml.c5d.2xlarge"]
# kind of model -> (props, the instance types it supports)
MODELS: Dict[str, Any] = {
    "s3-prefix": (dict(model_id="fixture-llm-families", model_version="1.0.0"), FAMILIES),
    "compressed": (dict(model_id="fixture-tf-script-mode", model_version="1.1.0"), ["ml.m5.xlarge", "ml.c5.xlarge"]),
    "mobilenet-prefix": (dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25"), ["ml.m5.xlarge", "ml.c5.xlarge"]),
    "gated": (dict(model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True, config_name="tgi"),
              ["ml.g5.12xlarge", "ml.p4d.24xlarge"]),
    "additional-data-sources": (dict(model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True,
                                     config_name="lmi-optimized"), ["ml.g5.12xlarge", "ml.p4d.24xlarge"]),
    "model-package": (dict(model_id="fixture-model-package", model_version="1.0.0", accept_eula=True),
                      ["ml.g5.2xlarge", "ml.g5.12xlarge"]),
}
VALIDATED: Dict[str, int] = {}  # per test, the number of requests checked (printed by the summary test)


def _stack(lockfile: Path, name: str = "Matrix") -> cdk.Stack:
    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "jumpstart:errors": "raise"})
    return cdk.Stack(app, name, env=cdk.Environment(account="123456789012", region="us-west-2"))


def _checked(stack: cdk.Stack) -> int:
    template = cdk.assertions.Template.from_stack(stack).to_json()
    count, problems = conformance.check_template(template, stack.stack_name)
    assert problems == []
    assert count > 0
    return count


# -- every example stack ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_request_of_every_example_stack_conforms(name, lockfile, tmp_path):
    context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "region": "us-west-2",
               "example": name, **EXAMPLES[name]}
    assembly = example_app.build_app(cdk.App(outdir=str(tmp_path / "out"), context=context)).synth()
    total = 0
    for template in sorted(Path(assembly.directory).rglob("*.template.json")):
        count, problems = conformance.check_template(json.loads(template.read_text()), template.stem)
        assert problems == []
        total += count
    if name != "pipeline":  # the pipeline's own stack deploys the endpoint stage: its requests are there
        assert total > 0


# -- the matrix: modes x instance families x kinds of model -----------------------------------------


def _realtime(stack, i, props, instance_type):
    JumpStartEndpoint(stack, f"E{i}", instance_type=instance_type, **props)


def _autoscaled_blue_green(stack, i, props, instance_type):
    ep = JumpStartEndpoint(stack, f"E{i}", instance_type=instance_type, deployment=DeploymentConfig.blue_green(
        traffic=TrafficShift.linear(20, Duration.minutes(2)), max_execution_timeout=Duration.hours(1)), **props)
    ep.add_rollback_alarm(cloudwatch.Alarm(stack, f"A{i}", metric=ep.metric_invocation_5xx_errors(), threshold=1,
                                           evaluation_periods=1))
    ep.auto_scale(1, 3)


def _rolling_with_capture(stack, i, props, instance_type):
    alarm = cloudwatch.Alarm(stack, f"A{i}", metric=cloudwatch.Metric(namespace="X", metric_name="Y"), threshold=1,
                             evaluation_periods=1)
    JumpStartEndpoint(stack, f"E{i}", instance_type=instance_type, initial_instance_count=4,
                      data_capture=DataCaptureConfig(sampling_percentage=10),
                      deployment=DeploymentConfig.rolling(batch_percent=25, alarms=[alarm]), **props)


def _async(stack, i, props, instance_type):
    JumpStartEndpoint(stack, f"E{i}", instance_type=instance_type, async_inference=AsyncInferenceConfig(
        max_concurrent_invocations_per_instance=2), **props).auto_scale(0, 2)


def _components(stack, i, props, instance_type):
    ep = JumpStartEndpoint(stack, f"E{i}", instance_type=instance_type, inference_components=[
        JumpStartInferenceComponent(name="a", copies=1, **props), JumpStartInferenceComponent(name="b", memory_mb=2048, **props)])
    ep.auto_scale(0, 2, component=1)


def _ab(stack, i, props, instance_type):
    JumpStartEndpoint(stack, f"E{i}", variants=[JumpStartVariant(variant_name="A", weight=0.5, instance_type=instance_type, **props),
                                                JumpStartVariant(variant_name="B", weight=0.5, instance_type=instance_type, **props)])


def _serverless(stack, i, props, instance_type):
    JumpStartEndpoint(stack, f"E{i}", serverless=ServerlessConfig(), **props)


def _transform(stack, i, props, instance_type):
    key = kms.Key(stack, f"K{i}", enable_key_rotation=True)
    JumpStartBatchTransform(stack, f"T{i}", input_data="s3://in/data/", instance_type=instance_type, encryption_key=key,
                            **props)


MODES: Dict[str, Callable] = {"realtime": _realtime, "blue-green-autoscaled": _autoscaled_blue_green,
                              "rolling-data-capture": _rolling_with_capture, "async": _async,
                              "inference-components": _components, "a-b": _ab, "serverless": _serverless,
                              "batch-transform": _transform}


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("mode", sorted(MODES))
def test_matrix_of_modes_families_and_models_conforms(mode, model, lockfile):
    """Each mode on each instance family a model supports: either a clear synth error, or requests
    the API accepts. What is refused must be refused for a documented reason."""
    props, types = MODELS[model]
    stack = _stack(lockfile)
    refused: List[str] = []
    built = 0
    for i, instance_type in enumerate(types):
        try:
            MODES[mode](stack, i, dict(props), instance_type)
            built += 1
        except JumpStartError as err:
            refused.append(str(err))
        if mode == "serverless":
            break  # serverless has no instance type
    for reason in refused:
        assert any(known in reason for known in KNOWN_REFUSALS), reason
    if built:
        VALIDATED[f"{mode}/{model}"] = _checked(stack)


KNOWN_REFUSALS = (
    "is not one SageMaker accepts for transform",  # TransformInstanceType has no p4d, p5, trn1, ...
    "cannot run serverless: its image needs a GPU",  # serverless runs on CPU
    "is gated: SageMaker reads its artifact only through ModelDataSource",  # transform/serverless of gated models
    "model package",  # not reached: listed for completeness
)


@pytest.mark.parametrize("instance_type", FAMILIES)
def test_training_on_every_family_conforms_and_refuses_a_volume_key_on_local_storage(instance_type, lockfile):
    stack = _stack(lockfile)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    props = dict(model_id="fixture-llm-families", model_version="1.0.0", training_data="s3://data/train/",
                 instance_type=instance_type, output_encryption_key=key)
    from sagemaker.core.common_utils import instance_supports_kms

    from constructs_jumpstart._api_rules import api_instance_types

    if instance_type not in api_instance_types("training"):  # the spec lists it; the API's enum does not
        with pytest.raises(JumpStartError, match=rf"instance type {instance_type} is not one SageMaker accepts for training"):
            JumpStartTrainingJob(stack, "Refused", **props)
        return
    if instance_supports_kms(instance_type):
        JumpStartTrainingJob(stack, "Job", volume_encryption_key=key, **props)
    else:
        with pytest.raises(JumpStartError, match=rf"volume_encryption_key: a KMS key cannot be requested for instance type {instance_type}"):
            JumpStartTrainingJob(stack, "Refused", volume_encryption_key=key, **props)
        JumpStartTrainingJob(stack, "Job", **props)
    VALIDATED[f"training/{instance_type}"] = _checked(stack)


# -- the check itself fails on invalid requests ------------------------------------------------------

MODEL = {"ModelName": "m", "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
         "PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/x:1"}}
PREFIX_MODEL = {**MODEL, "PrimaryContainer": {**MODEL["PrimaryContainer"], "ModelDataSource": {"S3DataSource": {
    "S3Uri": "s3://b/p/", "S3DataType": "S3Prefix", "CompressionType": "None"}}}}
VARIANT = {"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}


def _request(operation, params):
    return conformance.Request(operation, params, "Test/X")


@pytest.mark.parametrize("requests, expected", [
    # what botocore's own validator reports
    ([_request("CreateModel", {k: v for k, v in MODEL.items() if k != "ModelName"})], "Missing required parameter"),
    ([_request("CreateModel", {**MODEL, "Bogus": 1})], 'Unknown parameter in input: "Bogus"'),
    # what it skips, read from the shapes here
    ([_request("CreateModel", {**MODEL, "ModelName": "bad_name!"})], "does not match the pattern"),
    ([_request("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [{**VARIANT, "InstanceType": "ml.m5.larg"}]})],
     "'ml.m5.larg' is not one of"),
    ([_request("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [{**VARIANT, "VolumeSizeInGB": 1000}]})],
     "1000 is above the maximum 512"),
    ([_request("CreateEndpoint", {"EndpointName": "e", "EndpointConfigName": "c", "DeploymentConfig": {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfig": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}},
        "AutoRollbackConfiguration": {"Alarms": []}}})], "0 items, fewer than the minimum 1"),
    ([_request("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [VARIANT] * 11})],
     "11 items, more than the maximum 10"),
    # the documented cross-field rules
    ([_request("CreateModel", PREFIX_MODEL), _request("CreateTransformJob", {
        "TransformJobName": "t", "ModelName": "m", "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://i/"}}},
        "TransformOutput": {"S3OutputPath": "s3://o/"}, "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}})],
     "you cannot use ModelDataSource in conjunction with SageMaker batch transform"),
    ([_request("CreateModel", PREFIX_MODEL), _request("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [
        {"VariantName": "v", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}}]})],
     "serverless variant v serves a model with ModelDataSource"),
    ([_request("CreateEndpointConfig", {"EndpointConfigName": "c", "KmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/k",
                                        "ProductionVariants": [{**VARIANT, "InstanceType": "ml.p6-b200.48xlarge"}]})],
     "a KMS key cannot be requested for instance type ml.p6-b200.48xlarge"),
    ([_request("CreateTrainingJob", {"TrainingJobName": "t", "RoleArn": "arn:aws:iam::123456789012:role/r",
                                     "AlgorithmSpecification": {"TrainingImage": "i", "TrainingInputMode": "File"},
                                     "OutputDataConfig": {"S3OutputPath": "s3://o/"}, "StoppingCondition": {"MaxRuntimeInSeconds": 60},
                                     "ResourceConfig": {"InstanceType": "ml.g5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30,
                                                        "VolumeKmsKeyId": "k"}})],
     "You can't request a VolumeKmsKeyId when using an instance type with local storage"),
    ([_request("CreateEndpointConfig", {"EndpointConfigName": "c", "ProductionVariants": [
        {**VARIANT, "InstanceType": "ml.g5.2xlarge", "VolumeSizeInGB": 100}]})], "VolumeSizeInGB on ml.g5.2xlarge"),
    ([_request("CreateEndpoint", {"EndpointName": "e", "EndpointConfigName": "c", "DeploymentConfig": {"BlueGreenUpdatePolicy": {
        "TrafficRoutingConfig": {"Type": "LINEAR", "WaitIntervalInSeconds": 60, "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 60}}}}})],
     "Value must be 10-50% of the variant's total instance count"),
    ([_request("CreateEndpoint", {"EndpointName": "e", "EndpointConfigName": "c", "DeploymentConfig": {"BlueGreenUpdatePolicy": {
        "TrafficRoutingConfig": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 600}, "TerminationWaitInSeconds": 600,
        "MaximumExecutionTimeoutInSeconds": 1000}}})], "must be larger than the waits it covers"),
])
def test_the_check_fails_on_a_deliberately_invalid_request(requests, expected):
    problems = conformance.check(requests)
    assert any(expected in p for p in problems), problems


def test_the_rules_cite_what_the_service_model_documents():
    """The cited phrases are the service model's own words (so they change when it does)."""
    assert "you cannot use ModelDataSource in conjunction with SageMaker batch transform, SageMaker serverless endpoints" in \
        conformance.operation_documentation("CreateModel", "ContainerDefinition.ModelDataSource")
    assert "You can't request a VolumeKmsKeyId when using an instance type with local storage" in \
        conformance.operation_documentation("CreateTrainingJob", "ResourceConfig.VolumeKmsKeyId")
    assert "You can't request a VolumeKmsKeyId when using an instance type with local storage" in \
        conformance.operation_documentation("CreateTransformJob", "TransformResources.VolumeKmsKeyId")
    assert "Value must be 10-50% of the variant's total instance count" in \
        conformance.operation_documentation("CreateEndpoint", "TrafficRoutingConfig.LinearStepSize")
    assert "less than or equal to 50% of the variant's total instance count" in \
        conformance.operation_documentation("CreateEndpoint", "TrafficRoutingConfig.CanarySize")
    assert "Value must be between 5% to 50% of the variant's total instance count" in \
        conformance.operation_documentation("CreateEndpoint", "RollingUpdatePolicy.MaximumBatchSize")
    assert "larger than the total waiting time specified in TerminationWaitInSeconds and WaitIntervalInSeconds" in \
        conformance.operation_documentation("CreateEndpoint", "BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds")
