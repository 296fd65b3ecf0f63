"""The jobs handler, in-process: moto for the SageMaker APIs it implements, botocore's Stubber for
what moto cannot do (jobs in progress, stop_*_job, failures, throttling). Stubber checks every
request against the real service model."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from constructs_jumpstart.jobs.handler import index

REGION = "us-west-2"
ROLE = "arn:aws:iam::123456789012:role/training"
TRAINING_REQUEST = {
    "AlgorithmSpecification": {"TrainingImage": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:1.10.0-cpu-py38",
                               "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "InputDataConfig": [{"ChannelName": "training", "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": "s3://data/train/", "S3DataDistributionType": "FullyReplicated"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://out/jumpstart-training"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "HyperParameters": {"epochs": "3"},
}


@pytest.fixture
def sent(monkeypatch) -> List[Dict[str, Any]]:
    """Every PUT the handler makes (custom-resource responses, wait-condition signals)."""
    calls: List[Dict[str, Any]] = []
    monkeypatch.setattr(index, "put", lambda url, body: calls.append({"url": url, **body}))
    return calls


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        index._client = None
        yield boto3.client("sagemaker", region_name=REGION)
    index._client = None


@pytest.fixture
def stubbed(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # botocore's own retries off, so the handler's backoff is what the tests see
    client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    index._client = client
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()
    index._client = None


def cfn_event(request_type: str, kind: str = "training", name: str = "pytorch-ic-ft-abc123", request=None, **extra):
    event = {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response/response",
        "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/S/1",
        "RequestId": "req-1",
        "LogicalResourceId": "Job",
        "ResourceType": "Custom::JumpStartJob",
        "ResourceProperties": {"Kind": kind, "JobName": name, "Request": json.dumps(request or TRAINING_REQUEST),
                               "WaitHandle": "https://wait-handle/signal"},
    }
    event.update(extra)
    return event


def test_create_starts_the_job_with_its_deterministic_name(aws, sent):
    index.on_event(cfn_event("Create"))
    job = aws.describe_training_job(TrainingJobName="pytorch-ic-ft-abc123")
    assert job["HyperParameters"]["epochs"] == "3"
    assert job["HyperParameters"]["sagemaker_job_name"] == '"pytorch-ic-ft-abc123"'
    response = sent[-1]
    assert response["Status"] == "SUCCESS" and response["PhysicalResourceId"] == "pytorch-ic-ft-abc123"
    assert response["Data"] == {"JobName": "pytorch-ic-ft-abc123"}


def test_retried_create_does_not_start_a_second_job(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Create"))  # CloudFormation retried
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 1
    # moto finishes jobs at once: the retry finds it Completed and signals the wait condition itself
    signal = [c for c in sent if c["url"] == "https://wait-handle/signal"][-1]
    assert signal["Status"] == "SUCCESS" and signal["UniqueId"] == "pytorch-ic-ft-abc123"


def test_update_with_new_inputs_starts_a_new_job(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Update", name="pytorch-ic-ft-def456", PhysicalResourceId="pytorch-ic-ft-abc123"))
    names = sorted(j["TrainingJobName"] for j in aws.list_training_jobs()["TrainingJobSummaries"])
    assert names == ["pytorch-ic-ft-abc123", "pytorch-ic-ft-def456"]
    assert sent[-1]["PhysicalResourceId"] == "pytorch-ic-ft-def456"  # new id: CloudFormation replaces


def test_delete_of_a_missing_job_succeeds(aws, sent):
    index.on_event(cfn_event("Delete", PhysicalResourceId="never-started"))
    assert sent[-1]["Status"] == "SUCCESS" and "missing" in sent[-1]["Reason"]


def test_delete_of_a_finished_job_succeeds(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Delete", PhysicalResourceId="pytorch-ic-ft-abc123"))
    assert sent[-1]["Status"] == "SUCCESS" and "Completed" in sent[-1]["Reason"]


def test_result_reads_the_trained_artifact(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Create", ResourceType="Custom::JumpStartJobResult", LogicalResourceId="Result"))
    expected = aws.describe_training_job(TrainingJobName="pytorch-ic-ft-abc123")["ModelArtifacts"]["S3ModelArtifacts"]
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["Data"] == {"ModelArtifacts": expected}


def test_transform_job_create_and_result(aws, sent):
    aws.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    request = {"ModelName": "m",
               "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}},
                                  "ContentType": "application/x-image"},
               "TransformOutput": {"S3OutputPath": "s3://out/jumpstart-transform", "Accept": "application/json"},
               "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}
    index.on_event(cfn_event("Create", kind="transform", name="pytorch-ic-bt-1", request=request))
    assert aws.describe_transform_job(TransformJobName="pytorch-ic-bt-1")["TransformInput"]["ContentType"] == "application/x-image"
    index.on_event(cfn_event("Create", kind="transform", name="pytorch-ic-bt-1", request=request,
                             ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Data"] == {"OutputPath": "s3://out/jumpstart-transform"}


def _described(name: str, status: str, **extra) -> Dict[str, Any]:
    """A DescribeTrainingJob response that passes the service model's validation."""
    return {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:us-west-2:123456789012:training-job/{name}",
        "ModelArtifacts": {"S3ModelArtifacts": f"s3://out/jumpstart-training/{name}/output/model.tar.gz"},
        "TrainingJobStatus": status,
        "SecondaryStatus": "Training",
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": "2026-11-25T00:00:00Z",
        **extra,
    }


def test_delete_of_a_running_job_stops_it(stubbed, sent):
    name = "pytorch-ic-ft-abc123"
    stubbed.add_response("describe_training_job", _described(name, "InProgress"), {"TrainingJobName": name})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": name})
    index.on_event(cfn_event("Delete", PhysicalResourceId=name))
    assert sent[-1]["Status"] == "SUCCESS" and "stopping" in sent[-1]["Reason"]


def test_delete_of_a_running_transform_job_stops_it(stubbed, sent):
    name = "pytorch-ic-bt-1"
    stubbed.add_response(
        "describe_transform_job",
        {"TransformJobName": name, "TransformJobArn": f"arn:aws:sagemaker:us-west-2:123456789012:transform-job/{name}",
         "TransformJobStatus": "InProgress", "ModelName": "m", "CreationTime": "2026-11-25T00:00:00Z",
         "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}},
         "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}},
        {"TransformJobName": name},
    )
    stubbed.add_response("stop_transform_job", {}, {"TransformJobName": name})
    index.on_event(cfn_event("Delete", kind="transform", PhysicalResourceId=name))
    assert sent[-1]["Status"] == "SUCCESS"


def test_failed_job_fails_the_stack_with_sagemakers_reason(stubbed, sent):
    name = "pytorch-ic-ft-abc123"
    reason = "AlgorithmError: ExecuteUserScriptError: CUDA out of memory"
    failed = _described(name, "Failed", FailureReason=reason)
    # EventBridge state change -> signal FAILURE with the FailureReason
    stubbed.add_response("describe_training_job", failed, {"TrainingJobName": name})
    index.on_event({"kind": "training", "waitHandle": "https://wait-handle/signal",
                    "detail": {"TrainingJobName": name, "TrainingJobStatus": "Failed"}})
    assert sent[-1]["Status"] == "FAILURE" and reason in sent[-1]["Reason"]
    # and the result resource refuses a failed job with the same reason
    stubbed.add_response("describe_training_job", failed, {"TrainingJobName": name})
    index.on_event(cfn_event("Create", ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Status"] == "FAILED" and reason in sent[-1]["Reason"]


def test_in_progress_events_do_not_signal(stubbed, sent):
    index.on_event({"kind": "training", "waitHandle": "https://wait-handle/signal",
                    "detail": {"TrainingJobName": "x", "TrainingJobStatus": "InProgress"}})
    assert sent == []


def test_throttling_is_retried_with_backoff(stubbed, sent, monkeypatch):
    name = "pytorch-ic-ft-abc123"
    delays: List[float] = []
    monkeypatch.setattr(index.time, "sleep", delays.append)
    for _ in range(2):
        stubbed.add_client_error("describe_training_job", service_error_code="ThrottlingException",
                                 service_message="Rate exceeded", http_status_code=400,
                                 expected_params={"TrainingJobName": name})
    stubbed.add_response("describe_training_job", _described(name, "Completed"), {"TrainingJobName": name})
    index.on_event(cfn_event("Create", ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Status"] == "SUCCESS"
    assert len(delays) == 2


def test_unexpected_errors_are_reported_not_hung(stubbed, sent):
    stubbed.add_client_error("describe_training_job", service_error_code="AccessDeniedException",
                             service_message="not allowed", http_status_code=400)
    index.on_event(cfn_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and "not allowed" in sent[-1]["Reason"]
