"""The jobs handler, in-process: moto for the SageMaker APIs it implements, botocore's Stubber for
what moto cannot do (jobs in progress, stop_*_job, failures, throttling). Stubber checks every
request against the real service model."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws

from constructs_jumpstart.provider.asset.handler import artifacts, cfn, index, jobs, models, waits
from constructs_jumpstart.provider.asset.handler import aws as calls

from .conftest import targz

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
    def put(url: str, data: bytes) -> None:
        assert len(data) <= 4096, "CloudFormation refuses a response body over 4096 bytes"
        calls.append({"url": url, **json.loads(data)})

    monkeypatch.setattr(cfn, "put", put)
    return calls


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        calls._clients.clear()
        yield boto3.client("sagemaker", region_name=REGION)
    calls._clients.clear()


@pytest.fixture
def stubbed(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # botocore's own retries off, so the handler's backoff is what the tests see
    client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    calls._clients["sagemaker"] = client
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()
    calls._clients.clear()


HANDLE = "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/signal"
PREFIX = "pytorch-ic-ft-abc123"
NAME = jobs.job_name(PREFIX, HANDLE)  # the job of this deployment lifetime
PHYSICAL = f"{NAME}#{jobs.fingerprint(TRAINING_REQUEST)}"  # the job's name and its request's fingerprint


def cfn_event(request_type: str, kind: str = "training", name: str = PREFIX, request=None, handle: str = HANDLE, **extra):
    event = {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response",
        "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/S/1",
        "RequestId": "req-1",
        "LogicalResourceId": "Job",
        "ResourceType": "Custom::JumpStartJob",
        "ResourceProperties": {"Kind": kind, "JobName": name, "Request": json.dumps(request or TRAINING_REQUEST),
                               "WaitHandle": handle},
    }
    event.update(extra)
    return event


def test_create_starts_the_job_named_by_prefix_and_wait_handle(aws, sent):
    index.on_event(cfn_event("Create"))
    assert NAME.startswith(PREFIX + "-") and len(NAME) == len(PREFIX) + 7
    job = aws.describe_training_job(TrainingJobName=NAME)
    assert job["HyperParameters"]["epochs"] == "3"
    assert "sagemaker_job_name" not in job["HyperParameters"]  # not script mode: the SDK sends none (review, 8)
    response = sent[-1]
    assert response["Status"] == "SUCCESS" and response["PhysicalResourceId"] == PHYSICAL
    assert response["Data"] == {"JobName": NAME}


def test_script_mode_requests_carry_the_job_name_as_the_sdk_sets_it():
    """The SDK adds ``sagemaker_job_name`` only beside ``sagemaker_program`` (script mode:
    ``EstimatorBase._script_mode_hyperparam_update``); other requests get no hyperparameter of ours."""
    script = {**TRAINING_REQUEST, "HyperParameters": {"sagemaker_program": '"train.py"', "epochs": "3"}}
    assert jobs.build_request("training", NAME, script)["HyperParameters"]["sagemaker_job_name"] == json.dumps(NAME)
    assert "sagemaker_job_name" not in jobs.build_request("training", NAME, TRAINING_REQUEST)["HyperParameters"]
    bare = {k: v for k, v in TRAINING_REQUEST.items() if k != "HyperParameters"}
    assert "HyperParameters" not in jobs.build_request("training", NAME, bare)


def test_retried_create_does_not_start_a_second_job(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Create"))  # the same request again (Lambda retried it)
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 1
    # moto finishes jobs at once: the retry finds it Completed and signals the wait condition itself
    signal = [c for c in sent if c["url"] == HANDLE][-1]
    assert signal["Status"] == "SUCCESS" and signal["UniqueId"] == NAME


def test_redeploy_after_a_failed_create_starts_a_fresh_job(aws, sent):
    """A failed (or stopped) job rolls the create back; the next deployment has a new wait handle,
    so it starts a new job instead of finding the failed one (job names are never reusable)."""
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Delete", PhysicalResourceId=PHYSICAL))  # the rollback
    index.on_event(cfn_event("Create", handle="https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/second-deploy"))
    names = {j["TrainingJobName"] for j in aws.list_training_jobs()["TrainingJobSummaries"]}
    assert names == {NAME, jobs.job_name(PREFIX, "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/second-deploy")}
    assert sent[-1]["PhysicalResourceId"].startswith(jobs.job_name(PREFIX, "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/second-deploy") + "#")


def test_destroy_and_deploy_starts_a_fresh_job(aws, sent):
    """After cdk destroy, a deploy with the same inputs must not reuse the finished job, whose output
    is in the old (retained) bucket that the new stack's roles cannot read."""
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Delete", PhysicalResourceId=PHYSICAL))
    index.on_event(cfn_event("Create", handle="https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/new-stack"))
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 2


def test_update_with_new_inputs_starts_a_new_job(aws, sent):
    index.on_event(cfn_event("Create"))
    new = jobs.job_name("pytorch-ic-ft-def456", "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/def456")
    index.on_event(cfn_event("Update", name="pytorch-ic-ft-def456", handle="https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/def456", PhysicalResourceId=PHYSICAL))
    names = sorted(j["TrainingJobName"] for j in aws.list_training_jobs()["TrainingJobSummaries"])
    assert names == sorted([NAME, new])
    assert sent[-1]["PhysicalResourceId"].split("#")[0] == new  # new id: CloudFormation replaces


def test_rollback_update_finds_the_old_job_and_sends_no_signal(aws, sent):
    """An update rollback sends Update with the old properties: the old job (same prefix, same
    handle) is found, no job is started, and the old wait handle, whose pre-signed URL may have
    expired, is not signalled again."""
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Update", name="pytorch-ic-ft-def456", handle="https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/def456", PhysicalResourceId=PHYSICAL))
    new_physical = sent[-1]["PhysicalResourceId"]
    sent.clear()
    index.on_event(cfn_event("Update", PhysicalResourceId=new_physical))  # the rollback, with the old properties
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 2
    assert [c["url"] for c in sent] == ["https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response"]
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == PHYSICAL


def test_a_signal_that_cannot_be_sent_does_not_fail_the_resource(aws, sent, monkeypatch):
    index.on_event(cfn_event("Create"))
    real_put = cfn.put

    def put(url, data):
        if url == HANDLE:
            raise OSError("403 Forbidden: the pre-signed URL expired")
        real_put(url, data)

    monkeypatch.setattr(cfn, "put", put)
    index.on_event(cfn_event("Create"))  # a retry that finds the job finished
    assert sent[-1]["Status"] == "SUCCESS"


def test_delete_after_a_failed_create_succeeds(aws, sent):
    """A create that failed before starting a job reported the prefix as its physical id."""
    index.on_event(cfn_event("Delete", PhysicalResourceId=PREFIX))
    assert sent[-1]["Status"] == "SUCCESS" and "missing" in sent[-1]["Reason"]


def test_delete_of_a_missing_job_succeeds(aws, sent):
    index.on_event(cfn_event("Delete", PhysicalResourceId=PHYSICAL))
    assert sent[-1]["Status"] == "SUCCESS" and "missing" in sent[-1]["Reason"]


def test_delete_of_a_finished_job_succeeds(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Delete", PhysicalResourceId=PHYSICAL))
    assert sent[-1]["Status"] == "SUCCESS" and "Completed" in sent[-1]["Reason"]


def test_result_reads_the_trained_artifact(aws, sent):
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Create", name=NAME, ResourceType="Custom::JumpStartJobResult", LogicalResourceId="Result"))
    expected = aws.describe_training_job(TrainingJobName=NAME)["ModelArtifacts"]["S3ModelArtifacts"]
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["Data"] == {"ModelArtifacts": expected}


def test_transform_job_create_and_result(aws, sent):
    aws.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"})
    request = {"ModelName": "m",
               "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}},
                                  "ContentType": "application/x-image"},
               "TransformOutput": {"S3OutputPath": "s3://out/jumpstart-transform", "Accept": "application/json"},
               "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}
    index.on_event(cfn_event("Create", kind="transform", name="pytorch-ic-bt-1", request=request))
    name = jobs.job_name("pytorch-ic-bt-1", HANDLE)
    assert aws.describe_transform_job(TransformJobName=name)["TransformInput"]["ContentType"] == "application/x-image"
    index.on_event(cfn_event("Create", kind="transform", name=name, request=request,
                             ResourceType="Custom::JumpStartJobResult"))
    # every job writes under its own name (#18 defect 12), and the result reports where
    assert sent[-1]["Data"] == {"OutputPath": f"s3://out/jumpstart-transform/{name}/"}


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
    name = NAME
    stubbed.add_response("describe_training_job", _described(name, "InProgress"), {"TrainingJobName": name})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": name})
    stubbed.add_response("describe_training_job", _described(name, "Stopping"), {"TrainingJobName": name})
    stubbed.add_response("describe_training_job", _described(name, "Stopped"), {"TrainingJobName": name})
    index.on_event(_waiting(cfn_event("Delete", PhysicalResourceId=name)))
    assert sent[-1]["Status"] == "SUCCESS" and "Stopped" in sent[-1]["Reason"]


def _waiting(event):
    """The Delete of a job whose output bucket is emptied and deleted after it (``WaitForStop``)."""
    event["ResourceProperties"]["WaitForStop"] = "true"
    return event


def test_delete_of_a_job_whose_bucket_stays_answers_once_stop_was_asked(stubbed, sent):
    """Without ``WaitForStop`` (the user's bucket, a retained one) nothing is deleted after the job:
    the Delete stops it and answers at once, rather than risk failing the stack's delete on a job that
    takes long to stop (second review of #18)."""
    stubbed.add_response("describe_training_job", _described(NAME, "InProgress"), {"TrainingJobName": NAME})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": NAME})
    index.on_event(cfn_event("Delete", PhysicalResourceId=NAME))
    assert sent[-1]["Status"] == "SUCCESS" and "stopping" in sent[-1]["Reason"]


def test_delete_answers_failed_if_the_job_still_stops_when_the_invocation_ends(stubbed, sent, monkeypatch):
    """Until Stopped a job may upload its artifacts (StopTrainingJob: 120 s after SIGTERM to save them),
    so the Delete waits; out of time, it fails with the reason rather than let CloudFormation empty and
    delete the output bucket under a job still writing to it (#18 review, finding 4)."""
    clock = {"left": 120.0}
    monkeypatch.setattr(jobs.time, "sleep", lambda s: clock.update(left=clock["left"] - s))
    monkeypatch.setattr(calls, "seconds_left", lambda: clock["left"])
    stubbed.add_response("describe_training_job", _described(NAME, "InProgress"), {"TrainingJobName": NAME})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": NAME})
    for _ in range(10):  # polls every 10 s until less than 40 s are left (120 s: 10 Describes)
        stubbed.add_response("describe_training_job", _described(NAME, "Stopping"), {"TrainingJobName": NAME})
    index.on_event(_waiting(cfn_event("Delete", PhysicalResourceId=PHYSICAL)))
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == PHYSICAL
    assert "still Stopping" in sent[-1]["Reason"] and clock["left"] >= jobs.STOP_MARGIN


def test_delete_of_a_running_transform_job_stops_it(stubbed, sent):
    name = jobs.job_name("pytorch-ic-bt-1", HANDLE)
    described = {"TransformJobName": name, "TransformJobArn": f"arn:aws:sagemaker:us-west-2:123456789012:transform-job/{name}",
                 "TransformJobStatus": "InProgress", "ModelName": "m", "CreationTime": "2026-11-25T00:00:00Z",
                 "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}},
                 "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1}}
    stubbed.add_response("describe_transform_job", described, {"TransformJobName": name})
    stubbed.add_response("stop_transform_job", {}, {"TransformJobName": name})
    index.on_event(cfn_event("Delete", kind="transform", name="pytorch-ic-bt-1", PhysicalResourceId=name))
    assert sent[-1]["Status"] == "SUCCESS" and "stopping" in sent[-1]["Reason"]


def test_failed_job_fails_the_stack_with_sagemakers_reason(stubbed, sent):
    name = NAME
    reason = "AlgorithmError: ExecuteUserScriptError: CUDA out of memory"
    failed = _described(name, "Failed", FailureReason=reason)
    # EventBridge state change -> signal FAILURE with the FailureReason
    stubbed.add_response("describe_training_job", failed, {"TrainingJobName": name})
    index.on_event({"kind": "training", "waitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/signal",
                    "detail": {"TrainingJobName": name, "TrainingJobStatus": "Failed"}})
    assert sent[-1]["Status"] == "FAILURE" and reason in sent[-1]["Reason"]
    # and the result resource refuses a failed job with the same reason
    stubbed.add_response("describe_training_job", failed, {"TrainingJobName": name})
    index.on_event(cfn_event("Create", name=name, ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Status"] == "FAILED" and reason in sent[-1]["Reason"]


def test_in_progress_events_do_not_signal(stubbed, sent):
    index.on_event({"kind": "training", "waitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/signal",
                    "detail": {"TrainingJobName": "x", "TrainingJobStatus": "InProgress"}})
    assert sent == []


def test_throttling_is_retried_with_backoff(stubbed, sent, monkeypatch):
    name = NAME
    delays: List[float] = []
    monkeypatch.setattr(calls.time, "sleep", delays.append)
    for _ in range(2):
        stubbed.add_client_error("describe_training_job", service_error_code="ThrottlingException",
                                 service_message="Rate exceeded", http_status_code=400,
                                 expected_params={"TrainingJobName": name})
    stubbed.add_response("describe_training_job", _described(name, "Completed"), {"TrainingJobName": name})
    index.on_event(cfn_event("Create", name=name, ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Status"] == "SUCCESS"
    assert len(delays) == 2


def test_unexpected_errors_are_reported_not_hung(stubbed, sent):
    stubbed.add_client_error("describe_training_job", service_error_code="ValidationException",
                             service_message="not allowed", http_status_code=400)
    index.on_event(cfn_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and "not allowed" in sent[-1]["Reason"]


def test_a_denial_is_tried_again_while_a_new_policy_propagates_then_reported(stubbed, sent, monkeypatch):
    """IAM: "Changes that I make are not always immediately visible". The construct's handler policy
    is created right before its job starts: a denied Describe is tried every ``DENIED_STEP`` seconds for
    ``PROPAGATION`` seconds, then reported as the failure it is (never hung)."""
    from constructs_jumpstart.provider.asset.handler import aws as handler_aws

    slept = []
    monkeypatch.setattr(handler_aws.time, "sleep", slept.append)
    tries = int(handler_aws.PROPAGATION // handler_aws.DENIED_STEP) + 1
    for _ in range(tries):
        stubbed.add_client_error("describe_training_job", service_error_code="AccessDeniedException",
                                 service_message="not allowed", http_status_code=400)
    index.on_event(cfn_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and "not allowed" in sent[-1]["Reason"]
    assert slept == [handler_aws.DENIED_STEP] * (tries - 1)
    stubbed.assert_no_pending_responses()


# -- responses within CloudFormation's 4096 bytes --------------------------------------------------


def test_failure_reason_always_arrives_within_4096_bytes(stubbed, sent):
    """The limit is on the whole body, in bytes: a long, non-ASCII reason (escaped by JSON to six
    bytes a character) is cut by bytes, and still arrives."""
    reason = "AlgorithmError: " + "Ünïcödé stack trace line → " * 400
    stubbed.add_response("describe_training_job", _described(NAME, "Failed", FailureReason=reason[:1024]),
                         {"TrainingJobName": NAME})
    index.on_event({"kind": "training", "waitHandle": HANDLE, "detail": {"TrainingJobName": NAME, "TrainingJobStatus": "Failed"}})
    assert sent[-1]["Status"] == "FAILURE" and sent[-1]["Reason"].startswith(f"SageMaker training job {NAME} failed: AlgorithmError")
    body = cfn.fit({"Status": "FAILED", "Reason": reason, "PhysicalResourceId": "x" * 200, "StackId": "s" * 300,
                      "RequestId": "r", "LogicalResourceId": "l", "NoEcho": False, "Data": {}})
    assert len(body) <= 4096 and json.loads(body)["Reason"].endswith("...")
    assert len(cfn.fit({"Reason": "short"})) < 100  # untouched when it fits


# -- models created through the API: every CloudFormation event -------------------------------------

MODEL_REQUEST = {"ExecutionRoleArn": ROLE, "EnableNetworkIsolation": True,
                 "PrimaryContainer": {"Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.31.0",
                                      "Environment": {"OPTION_SPECULATIVE_DRAFT_MODEL": "/opt/ml/draft/"}},
                 "Tags": [{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "fixture-llm-gated"}]}
MODEL_BASE = "fixture-llm-gated-0123456789"


def model_props(request=None, base: str = MODEL_BASE) -> Dict[str, Any]:
    return {"ModelNameBase": base, "Request": json.dumps(request or MODEL_REQUEST)}


MODEL_NAME = models.model_name(model_props())  # the base and a digest of the resolved request


def model_event(request_type: str, request=None, props=None, **extra):
    event = {"RequestType": request_type, "ResponseURL": "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response",
             "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/S/1", "RequestId": "req-1",
             "LogicalResourceId": "Model", "ResourceType": "Custom::JumpStartModel",
             "ResourceProperties": props or model_props(request)}
    event.update(extra)
    return event


def _exists(name: str) -> str:
    return f'Cannot create already existing model "arn:aws:sagemaker:us-west-2:123456789012:model/{name}".'


def _described_model(name: str, request: Dict[str, Any]) -> Dict[str, Any]:
    """DescribeModel's answer for a model made from ``request``: no tags, and what the service
    fills in itself (``DescribeModelOutput``: the container's ``Mode``, ``ModelArn``,
    ``CreationTime``, ``DeploymentRecommendation``)."""
    described = {k: v for k, v in request.items() if k != "Tags"}
    return {**described, "ModelName": name, "PrimaryContainer": {**request["PrimaryContainer"], "Mode": "SingleModel"},
            "CreationTime": "2026-11-25T00:00:00Z", "ModelArn": f"arn:aws:sagemaker:us-west-2:123456789012:model/{name}",
            "DeploymentRecommendation": {"RecommendationStatus": "NOT_APPLICABLE"}}


def test_model_create_sends_the_request_under_its_name(aws, sent):
    index.on_event(model_event("Create"))
    assert MODEL_NAME.startswith(MODEL_BASE + "-") and len(MODEL_NAME) == len(MODEL_BASE) + 11
    model = aws.describe_model(ModelName=MODEL_NAME)
    assert model["PrimaryContainer"]["Image"] == MODEL_REQUEST["PrimaryContainer"]["Image"]
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == MODEL_NAME
    assert sent[-1]["Data"] == {"ModelName": MODEL_NAME, "ModelArn": model["ModelArn"]}


def test_model_retried_create_and_rollback_find_the_existing_model(stubbed, sent):
    """A retried Create, or the Update an update rollback sends with the old properties while the
    old model still exists, gets SageMaker's "Cannot create already existing model" (moto accepts
    the duplicate, so this is the real error through Stubber). The model DescribeModel returns holds
    members the service filled in (``Mode``, ``ModelArn``, ``CreationTime``,
    ``DeploymentRecommendation``) and no tags: it states the request, so it counts as created."""
    described = _described_model(MODEL_NAME, MODEL_REQUEST)
    for request_type in ("Create", "Update"):
        stubbed.add_client_error("create_model", "ValidationException", _exists(MODEL_NAME), 400,
                                 expected_params={"ModelName": MODEL_NAME, **MODEL_REQUEST})
        stubbed.add_response("describe_model", described, {"ModelName": MODEL_NAME})
        index.on_event(model_event(request_type, PhysicalResourceId="fixture-llm-gated-0123456789-abcdef0123"))
        assert sent[-1]["Status"] == "SUCCESS", sent[-1]["Reason"]
        assert sent[-1]["PhysicalResourceId"] == MODEL_NAME
        assert sent[-1]["Data"] == {"ModelName": MODEL_NAME, "ModelArn": described["ModelArn"]}


@pytest.mark.parametrize("change", [
    lambda m: m["PrimaryContainer"].update(Image="another-image"),
    lambda m: m["PrimaryContainer"]["Environment"].update(OPTION_SPECULATIVE_DRAFT_MODEL="/opt/ml/other/"),
    lambda m: m.update(EnableNetworkIsolation=False),
    lambda m: m.pop("PrimaryContainer"),
])
def test_model_of_the_same_name_with_another_request_is_refused(stubbed, sent, change):
    described = json.loads(json.dumps(_described_model(MODEL_NAME, MODEL_REQUEST)))
    change(described)
    stubbed.add_client_error("create_model", "ValidationException", _exists(MODEL_NAME), 400)
    stubbed.add_response("describe_model", described, {"ModelName": MODEL_NAME})
    index.on_event(model_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and "a different model named" in sent[-1]["Reason"]


def test_a_changed_deploy_time_input_is_a_new_model_and_the_cleanup_deletes_the_old(aws, sent):
    """The template's text of a model is the same when a token in it resolves differently (a
    retrained artifact, a new role): the name comes from the request CloudFormation resolved, so the
    Update gets a new name (a replacement), and CloudFormation's cleanup Delete, which carries the
    old properties, removes the old model."""
    index.on_event(model_event("Create"))
    retrained = json.loads(json.dumps(MODEL_REQUEST))
    retrained["PrimaryContainer"]["ModelDataUrl"] = "s3://out/ft-2/output/model.tar.gz"
    index.on_event(model_event("Update", request=retrained, PhysicalResourceId=MODEL_NAME,
                               OldResourceProperties=model_props()))
    new_name = sent[-1]["PhysicalResourceId"]
    assert sent[-1]["Status"] == "SUCCESS" and new_name != MODEL_NAME and new_name.startswith(MODEL_BASE + "-")
    assert aws.describe_model(ModelName=new_name)["PrimaryContainer"]["ModelDataUrl"].endswith("ft-2/output/model.tar.gz")
    index.on_event(model_event("Delete", PhysicalResourceId=MODEL_NAME))  # the cleanup: old properties
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == MODEL_NAME
    names = [m["ModelName"] for m in aws.list_models()["Models"]]
    assert names == [new_name]


def test_model_delete_derives_the_name_from_the_properties(aws, sent):
    """A Create whose response was lost (a timeout) leaves CloudFormation with an id it generated
    itself; the rollback's Delete still removes the model the Create made, and answers with the id
    CloudFormation knows."""
    aws.create_model(ModelName=MODEL_NAME, **{k: v for k, v in MODEL_REQUEST.items() if k != "Tags"})
    index.on_event(model_event("Delete", PhysicalResourceId="S-Model-1ABC2DEF3GH4"))
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == "S-Model-1ABC2DEF3GH4"
    assert aws.list_models()["Models"] == []


def test_model_of_a_template_with_a_whole_name_is_still_found(aws, sent):
    """A resource created before names were finished at deploy carries its whole ``ModelName``:
    the Delete that replaces it (and a rollback to it) name that model."""
    legacy = {"ModelName": "fixture-llm-gated-9876543210", "Request": json.dumps(MODEL_REQUEST)}
    index.on_event(model_event("Create", props=legacy))
    assert sent[-1]["PhysicalResourceId"] == "fixture-llm-gated-9876543210"
    index.on_event(model_event("Delete", props=legacy, PhysicalResourceId="fixture-llm-gated-9876543210"))
    assert "deleted" in sent[-1]["Reason"] and aws.list_models()["Models"] == []


def test_model_name_fits_the_service_model():
    """``ModelName``: at most 63 characters of its pattern (botocore's SageMaker service model); the
    construct's base leaves room for the digest, and a base that does not is refused."""
    import botocore.session

    from constructs_jumpstart.model import api_model_name_base

    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("ModelName").metadata
    for model_id in ("meta-textgeneration-llama-3-1-405b-instruct-fp8-with-a-very-long-suffix", "x", "a__b..c-"):
        name = models.model_name(model_props(base=api_model_name_base(model_id, "0123456789")))
        assert len(name) <= shape["max"] and re.fullmatch(shape["pattern"], name), name
    with pytest.raises(ValueError, match="not a valid ModelName"):
        models.model_name(model_props(base="x" * 53))
    with pytest.raises(ValueError, match="not a valid ModelName"):
        models.model_name(model_props(base="-bad"))


def test_model_delete_of_a_missing_model_through_the_real_error(stubbed, sent):
    stubbed.add_client_error("delete_model", "ValidationException", f'Could not find model "{MODEL_NAME}".', 400,
                             expected_params={"ModelName": MODEL_NAME})
    index.on_event(model_event("Delete", PhysicalResourceId=MODEL_NAME))
    assert sent[-1]["Status"] == "SUCCESS" and "missing" in sent[-1]["Reason"]


def test_model_delete_after_failed_create_and_of_a_deleted_model_succeed(aws, sent):
    index.on_event(model_event("Delete", PhysicalResourceId=MODEL_NAME))  # never created
    index.on_event(model_event("Create"))
    aws.delete_model(ModelName=MODEL_NAME)  # removed by hand
    index.on_event(model_event("Delete", PhysicalResourceId=MODEL_NAME))
    assert [c["Status"] for c in sent] == ["SUCCESS", "SUCCESS", "SUCCESS"]
    assert "missing" in sent[-1]["Reason"]


# -- the artifact packer ---------------------------------------------------------------------------

PREFIX_A, PREFIX_B = "jumpstart-artifacts/aaaa/", "jumpstart-artifacts/bbbb/"
SOURCE = "s3://jumpstart/model/v1/"


@pytest.fixture
def s3(aws):
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket="jumpstart", CreateBucketConfiguration={"LocationConstraint": REGION})
    client.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_versioning(Bucket="artifacts", VersioningConfiguration={"Status": "Enabled"})
    client.put_object(Bucket="jumpstart", Key="model/v1/config.json", Body=b'{"a": 1}')
    client.put_object(Bucket="jumpstart", Key="model/v1/weights/part-0.bin", Body=bytes(range(256)) * 4096)
    return client


def artifact_event(request_type: str, prefix: str = PREFIX_A, source: str = SOURCE, **extra):
    event = {"RequestType": request_type, "ResponseURL": "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response",
             "StackId": "arn:aws:cloudformation:us-west-2:123456789012:stack/S/1", "RequestId": "req-1",
             "LogicalResourceId": "Packed", "ResourceType": "Custom::JumpStartArtifact",
             "ResourceProperties": {"Source": source, "Bucket": "artifacts", "Prefix": prefix,
                                    "LimitBytes": str(2**30)}}
    event.update(extra)
    return event


def _keys(s3) -> List[str]:
    return sorted(v["Key"] for v in s3.list_object_versions(Bucket="artifacts").get("Versions", []))


def _members(s3, uri: str) -> Dict[str, bytes]:
    import io
    import tarfile

    bucket, key = artifacts.split_uri(uri)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_packer_streams_a_prefix_into_one_model_tar_gz_under_the_constructs_prefix(s3, sent):
    index.on_event(artifact_event("Create"))
    assert sent[-1]["Status"] == "SUCCESS", sent[-1]["Reason"]
    uri = sent[-1]["Data"]["ArtifactUri"]
    assert uri == sent[-1]["PhysicalResourceId"]
    assert uri.startswith(f"s3://artifacts/{PREFIX_A}") and uri.endswith("/model.tar.gz")
    members = _members(s3, uri)
    assert sorted(members) == ["config.json", "weights/part-0.bin"]
    assert members["weights/part-0.bin"] == bytes(range(256)) * 4096


def test_packer_reads_in_ranges_of_any_size(s3, sent, monkeypatch):
    """Ranges that do not divide the object or the copy size: every byte arrives, in order."""
    monkeypatch.setattr(artifacts, "RANGE_SIZE", 1000)
    monkeypatch.setattr(artifacts, "COPY_SIZE", 4096)
    index.on_event(artifact_event("Create"))
    assert sent[-1]["Status"] == "SUCCESS", sent[-1]["Reason"]
    assert _members(s3, sent[-1]["Data"]["ArtifactUri"])["weights/part-0.bin"] == bytes(range(256)) * 4096


def test_packer_uploads_parts_concurrently_in_order_with_bounded_memory(s3, monkeypatch):
    """Parts go up on the writer's threads, never more than ``threads`` at once; the object is the
    bytes written, in order; the writer holds at most the part filling and the parts in flight."""
    import threading
    import time

    lock, flying, most = threading.Lock(), [0], [0]
    real_upload = s3.upload_part

    def slow_upload(**kwargs):
        with lock:
            flying[0] += 1
            most[0] = max(most[0], flying[0])
        time.sleep(0.05)
        try:
            return real_upload(**kwargs)
        finally:
            with lock:
                flying[0] -= 1

    monkeypatch.setattr(s3, "upload_part", slow_upload)
    part = 5 * 2**20
    writer = artifacts.MultipartWriter(s3, "artifacts", "big.bin", part_size=part, threads=2)
    data = b"".join(bytes([i]) * 2**20 for i in range(32))
    for i in range(32):
        writer.write(data[i * 2**20: (i + 1) * 2**20])
    writer.complete()
    assert most[0] == 2  # concurrent, and bounded
    assert writer.most_held <= 3 * part + 2**20
    assert s3.get_object(Bucket="artifacts", Key="big.bin")["Body"].read() == data


def test_packer_retried_create_and_update_rollback_return_the_existing_object(s3, sent, monkeypatch):
    index.on_event(artifact_event("Create"))
    first = sent[-1]
    monkeypatch.setattr(artifacts, "pack", lambda *a, **k: pytest.fail("packed twice"))
    index.on_event(artifact_event("Create"))  # Lambda retried the Create
    assert sent[-1]["Data"] == first["Data"] and sent[-1]["PhysicalResourceId"] == first["PhysicalResourceId"]
    # the rollback of an update that replaced it: the old properties, the new physical id
    index.on_event(artifact_event("Update", PhysicalResourceId=f"s3://artifacts/{PREFIX_A}new/model.tar.gz"))
    assert sent[-1]["PhysicalResourceId"] == first["PhysicalResourceId"] and sent[-1]["Data"] == first["Data"]
    assert [c["Status"] for c in sent] == ["SUCCESS"] * 3


def test_packer_a_source_changed_at_deploy_is_a_new_object_and_the_cleanup_removes_the_old(s3, sent):
    """A token source (a job's output) resolves to a new URI: a new physical id (CloudFormation
    replaces), never the stale object; the cleanup Delete (old properties, old id) removes the old."""
    s3.put_object(Bucket="jumpstart", Key="model/v2/config.json", Body=b'{"a": 2}')
    index.on_event(artifact_event("Create"))
    old = sent[-1]["PhysicalResourceId"]
    index.on_event(artifact_event("Update", source="s3://jumpstart/model/v2/", PhysicalResourceId=old))
    new = sent[-1]["PhysicalResourceId"]
    assert new != old and new.startswith(f"s3://artifacts/{PREFIX_A}")
    assert _members(s3, new) == {"config.json": b'{"a": 2}'}
    index.on_event(artifact_event("Delete", PhysicalResourceId=old))
    assert _keys(s3) == [artifacts.split_uri(new)[1]]


def test_packer_objects_of_two_constructs_are_apart(s3, sent):
    """The same source packed by two constructs: two objects; deleting one leaves the other."""
    index.on_event(artifact_event("Create", prefix=PREFIX_A))
    index.on_event(artifact_event("Create", prefix=PREFIX_B))
    a, b = sent[0]["PhysicalResourceId"], sent[1]["PhysicalResourceId"]
    assert a != b
    index.on_event(artifact_event("Delete", prefix=PREFIX_A, PhysicalResourceId=a))
    assert _keys(s3) == [artifacts.split_uri(b)[1]]
    # a Delete naming another construct's object removes only what its own properties name
    index.on_event(artifact_event("Delete", prefix=PREFIX_A, PhysicalResourceId=b))
    assert _keys(s3) == [artifacts.split_uri(b)[1]]
    assert [c["Status"] for c in sent] == ["SUCCESS"] * 4


@pytest.mark.parametrize("physical_id", [cfn.CREATE_FAILED, "Packed-1A2B3C4D5E6F"])
def test_packer_delete_without_its_object_id_removes_what_the_create_could_have_written(s3, sent, physical_id):
    """The Delete of a failed Create (the marker), or with an id CloudFormation generated: the
    object the properties name, which that Create may have written, and nothing else."""
    index.on_event(artifact_event("Create", prefix=PREFIX_B))
    index.on_event(artifact_event("Create", prefix=PREFIX_A))
    index.on_event(artifact_event("Delete", prefix=PREFIX_A, PhysicalResourceId=physical_id))
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == physical_id
    assert _keys(s3) == [artifacts.split_uri(sent[0]["PhysicalResourceId"])[1]]


def test_packer_refuses_a_prefix_over_its_limit_before_writing(s3, sent):
    event = artifact_event("Create")
    event["ResourceProperties"]["LimitBytes"] = "1000"
    index.on_event(event)
    assert sent[-1]["Status"] == "FAILED" and "more than the packer's limit" in sent[-1]["Reason"]
    assert "model_data=" in sent[-1]["Reason"]
    assert "Contents" not in s3.list_objects_v2(Bucket="artifacts")
    assert s3.list_multipart_uploads(Bucket="artifacts").get("Uploads", []) == []


class _Context:
    """What Lambda passes the handler, with the time left on this invocation."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_the_handler_records_the_invocations_deadline(aws, sent):
    index.on_event(cfn_event("Delete", PhysicalResourceId=cfn.CREATE_FAILED), _Context(900))
    assert 899 < calls.seconds_left() <= 900
    index.on_event(cfn_event("Delete", PhysicalResourceId=cfn.CREATE_FAILED))
    assert calls.seconds_left() == float("inf")


def test_packer_stops_before_the_lambda_timeout_and_aborts_the_upload(s3, sent, monkeypatch):
    """Near the deadline the packer stops: no object, no upload left, FAILED naming how far it got,
    the size and the escape hatch (CloudFormation rolls back now instead of at its timeout)."""
    monkeypatch.setattr(artifacts, "PART_SIZE", 5 * 2**20)
    s3.put_object(Bucket="jumpstart", Key="model/v1/weights/part-1.bin", Body=b"w" * 12 * 2**20)
    clock = iter([600.0] * 5)  # the first few checks pass; then the deadline is near
    monkeypatch.setattr(calls, "seconds_left", lambda: next(clock, artifacts.MARGIN_SECONDS - 1))
    index.on_event(artifact_event("Create"), _Context(900))
    reply = sent[-1]
    assert reply["Status"] == "FAILED" and reply["PhysicalResourceId"] == cfn.CREATE_FAILED
    assert "before the Lambda timeout" in reply["Reason"] and "MiB of 13 MiB packed" in reply["Reason"]
    assert " 0 MiB of" not in reply["Reason"]  # it had packed some
    assert SOURCE in reply["Reason"] and "model_data=" in reply["Reason"]
    assert _keys(s3) == []
    assert s3.list_multipart_uploads(Bucket="artifacts").get("Uploads", []) == []
    index.on_event(artifact_event("Delete", PhysicalResourceId=cfn.CREATE_FAILED))  # the rollback
    assert sent[-1]["Status"] == "SUCCESS" and "missing" in sent[-1]["Reason"]


def test_packer_stops_early_when_its_rate_cannot_finish_in_time(s3, sent, monkeypatch):
    """A part can take longer than the margin on a slow network: once the rate so far shows the rest
    cannot be done before the margin, the packer stops then, saying so."""
    left = iter(range(900, -10_000, -200))  # each look at the clock: 200 s later
    monkeypatch.setattr(calls, "seconds_left", lambda: float(next(left)))
    index.on_event(artifact_event("Create"), _Context(900))
    reply = sent[-1]
    assert reply["Status"] == "FAILED" and "as the rate so far needs" in reply["Reason"], reply["Reason"]
    assert "model_data=" in reply["Reason"] and _keys(s3) == []
    assert s3.list_multipart_uploads(Bucket="artifacts").get("Uploads", []) == []

def test_packer_stopping_waits_for_a_stuck_part_only_so_long(s3, sent, monkeypatch):
    """A part stuck in flight must not hold the answer past the margin: the packer waits
    ABORT_WAIT_SECONDS for it, then aborts and answers."""
    import threading
    import time

    monkeypatch.setattr(artifacts, "PART_SIZE", 5 * 2**20)
    monkeypatch.setattr(artifacts, "ABORT_WAIT_SECONDS", 0.2)
    s3.put_object(Bucket="jumpstart", Key="model/v1/weights/part-1.bin", Body=b"w" * 12 * 2**20)
    release = threading.Event()
    monkeypatch.setattr(s3, "upload_part", lambda **kw: (release.wait(30), {"ETag": '"x"'})[1])
    monkeypatch.setattr(calls, "client", lambda service: s3)
    clock = iter([600.0] * 5)  # the first part is queued; the deadline is near at the second
    monkeypatch.setattr(calls, "seconds_left", lambda: next(clock, artifacts.MARGIN_SECONDS - 1))
    start = time.monotonic()
    try:
        index.on_event(artifact_event("Create"), _Context(900))
        took = time.monotonic() - start
    finally:
        release.set()
    assert sent[-1]["Status"] == "FAILED" and "before the Lambda timeout" in sent[-1]["Reason"]
    assert took < 5
    assert s3.list_multipart_uploads(Bucket="artifacts").get("Uploads", []) == []

def test_packer_reports_its_own_failure_when_the_abort_fails_too(s3, sent, monkeypatch):
    """The abort is best effort (the bucket's lifecycle rule removes what is left): its error must not
    replace the packing's in the reason CloudFormation shows."""
    def broken(**kwargs):
        raise ClientError({"Error": {"Code": "InternalError", "Message": "abort failed"}}, "AbortMultipartUpload")

    monkeypatch.setattr(s3, "abort_multipart_upload", broken)
    monkeypatch.setattr(calls, "client", lambda service: s3)
    monkeypatch.setattr(calls, "seconds_left", lambda: artifacts.MARGIN_SECONDS - 1)
    index.on_event(artifact_event("Create"), _Context(900))
    assert sent[-1]["Status"] == "FAILED" and "before the Lambda timeout" in sent[-1]["Reason"]


def test_packer_delete_removes_every_version_and_tolerates_a_missing_object(s3, sent):
    index.on_event(artifact_event("Create"))
    uri = sent[-1]["PhysicalResourceId"]
    bucket, key = artifacts.split_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=b"a second version")
    index.on_event(artifact_event("Delete", PhysicalResourceId=uri))
    assert s3.list_object_versions(Bucket="artifacts").get("Versions", []) == []
    index.on_event(artifact_event("Delete", PhysicalResourceId=uri))
    gone = artifact_event("Delete", PhysicalResourceId=uri.replace("s3://artifacts/", "s3://gone-bucket/"))
    gone["ResourceProperties"]["Bucket"] = "gone-bucket"
    index.on_event(gone)
    assert [c["Status"] for c in sent] == ["SUCCESS"] * 4
    assert "missing" in sent[-1]["Reason"] and "missing" in sent[-2]["Reason"]


def test_packer_delete_of_a_resource_of_the_earlier_key_scheme_removes_its_key(s3, sent):
    """After an upgrade, CloudFormation deletes the replaced resource with its old properties,
    which named the key itself."""
    s3.put_object(Bucket="artifacts", Key="jumpstart-artifacts/0123/model.tar.gz", Body=b"old")
    s3.put_object(Bucket="artifacts", Key="jumpstart-artifacts/4567/model.tar.gz", Body=b"other")
    event = artifact_event("Delete", PhysicalResourceId="s3://artifacts/jumpstart-artifacts/0123/model.tar.gz")
    event["ResourceProperties"] = {"Source": SOURCE, "Bucket": "artifacts", "LimitBytes": "1000",
                                   "Key": "jumpstart-artifacts/0123/model.tar.gz"}
    index.on_event(event)
    assert sent[-1]["Status"] == "SUCCESS" and _keys(s3) == ["jumpstart-artifacts/4567/model.tar.gz"]


def test_packer_repacks_a_script_mode_model_with_its_code_under_code(s3, sent):
    """The SDK's repack: the model.tar.gz's members, and sourcedir.tar.gz's under code/."""
    s3.put_object(Bucket="jumpstart", Key="tf/model.tar.gz", Body=targz({"1/saved_model.pb": b"graph", "./labels.txt": b"a\nb"}))
    s3.put_object(Bucket="jumpstart", Key="src/sourcedir.tar.gz", Body=targz({"inference.py": b"def model_fn(): ...",
                                                                               "lib/util.py": b"x = 1"}))
    event = artifact_event("Create", source="s3://jumpstart/tf/model.tar.gz")
    event["ResourceProperties"]["Code"] = "s3://jumpstart/src/sourcedir.tar.gz"
    index.on_event(event)
    assert sent[-1]["Status"] == "SUCCESS", sent[-1]["Reason"]
    members = _members(s3, sent[-1]["Data"]["ArtifactUri"])
    assert sorted(members) == ["1/saved_model.pb", "code/inference.py", "code/lib/util.py", "labels.txt"]
    assert members["code/inference.py"] == b"def model_fn(): ..."
    # another script is another object (the digest covers Code too)
    event["ResourceProperties"]["Code"] = "s3://jumpstart/src/other/sourcedir.tar.gz"
    assert artifacts.artifact_key(event["ResourceProperties"]) != artifacts.split_uri(sent[-1]["PhysicalResourceId"])[1]
    # a code member that would leave code/ fails the packing, naming it (issue #19: refused, not skipped)
    s3.put_object(Bucket="jumpstart", Key="src/other/sourcedir.tar.gz", Body=targz({"inference.py": b"", "../escape": b"no"}))
    index.on_event(event)
    assert sent[-1]["Status"] == "FAILED" and "'../escape'" in sent[-1]["Reason"]


# -- the wait chain past 12 hours: simulated time ---------------------------------------------------

STACK = "arn:aws:cloudformation:us-west-2:123456789012:stack/S/1"
HEARTBEAT_RULE = f"{PREFIX}-hb"
CHAIN = {"kind": "training", "prefix": PREFIX, "stack": STACK, "rule": HEARTBEAT_RULE,
         "chain": {"handles": ["LlmRunnerHandle", ["0", "1", "2"]], "waits": ["LlmRunnerWait", ["0", "1", "2"]]}}
STAGE_HANDLES = [HANDLE, "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1", "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage2"]  # stage 0's: the job's


def _stack_resources(stage_in_progress, started, last_done=False, filler=0):
    """ListStackResources' summaries up to the stage in progress (all done with ``last_done``), after
    ``filler`` other resources: the chain's may come on a later page."""
    import datetime

    then = datetime.datetime(2026, 11, 25)
    resources = [{"LogicalResourceId": f"Other{i}", "PhysicalResourceId": f"other-{i}", "ResourceType": "AWS::SNS::Topic",
                  "ResourceStatus": "CREATE_COMPLETE", "LastUpdatedTimestamp": then} for i in range(filler)]
    for i in range(3):
        if i > stage_in_progress:
            break
        waiting = i == stage_in_progress and not last_done
        resources.append({"LogicalResourceId": f"LlmRunnerHandle{i}", "PhysicalResourceId": STAGE_HANDLES[i],
                          "ResourceType": "AWS::CloudFormation::WaitConditionHandle", "ResourceStatus": "CREATE_COMPLETE",
                          "LastUpdatedTimestamp": then})
        resources.append({"LogicalResourceId": f"LlmRunnerWait{i}", "ResourceType": "AWS::CloudFormation::WaitCondition",
                          "ResourceStatus": "CREATE_IN_PROGRESS" if waiting else "CREATE_COMPLETE",
                          "LastUpdatedTimestamp": started if waiting else then})
    return resources


def _list(cfn, resources, page=100):
    """Stub ListStackResources, paginated as CloudFormation pages it."""
    pages = [resources[i:i + page] for i in range(0, len(resources), page)] or [[]]
    for number, summaries in enumerate(pages):
        response = {"StackResourceSummaries": summaries}
        expected = {"StackName": STACK}
        if number + 1 < len(pages):
            response["NextToken"] = f"page{number + 1}"
        if number:
            expected["NextToken"] = f"page{number}"
        cfn.add_response("list_stack_resources", response, expected)


@pytest.fixture
def chain(stubbed):
    clients = {}
    for service in ("cloudformation", "events"):
        clients[service] = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        calls._clients[service] = clients[service]
    with Stubber(clients["cloudformation"]) as cfn_stub, Stubber(clients["events"]) as events_stub:
        yield stubbed, cfn_stub, events_stub
        cfn_stub.assert_no_pending_responses()
        events_stub.assert_no_pending_responses()


def test_a_job_of_20_hours_moves_through_the_stages_and_signals_its_end(chain, sent):
    """Signal sequence over simulated time: a heartbeat at 5 h waits, at 11.5 h ends stage 0
    ("still running"); stage 1's checkpoint finds the job running; the job's end at 20 h signals
    stage 1; stage 2's checkpoint finds it finished and signals its own handle at once; the next
    heartbeat, the chain done, disables itself."""
    import datetime

    sm, cfn, events = chain
    start = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)
    hours = lambda h: (start + datetime.timedelta(hours=h)).timestamp()  # noqa: E731
    running, done = _described(NAME, "InProgress"), _described(NAME, "Completed")
    # 5 h: a heartbeat, nothing to do
    _list(cfn, _stack_resources(0, start))
    sm.add_response("describe_training_job", running, {"TrainingJobName": NAME})
    assert waits.on_chain_event({**CHAIN, "heartbeat": True}, now=hours(5)) == "stage 0: waiting"
    # 11.5 h: the heartbeat ends stage 0 while the job runs
    _list(cfn, _stack_resources(0, start))
    sm.add_response("describe_training_job", running, {"TrainingJobName": NAME})
    assert waits.on_chain_event({**CHAIN, "heartbeat": True}, now=hours(11.5)) == "stage 0: still running"
    assert sent[-1]["url"] == HANDLE and sent[-1]["Status"] == "SUCCESS" and sent[-1]["UniqueId"] == "stage-0"
    # CloudFormation then creates stage 1's handle and checkpoint: the job still runs, no signal
    sm.add_response("describe_training_job", running, {"TrainingJobName": NAME})
    index.on_event({**cfn_event("Create", name=NAME), "ResourceType": "Custom::JumpStartJobCheckpoint",
                    "ResourceProperties": {"Kind": "training", "JobName": NAME, "WaitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1", "Stage": "1"}})
    assert [c["url"] for c in sent[-1:]] == ["https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response"]
    # 20 h: the job completes; its state change signals the stage in progress (1)
    _list(cfn, _stack_resources(1, start + datetime.timedelta(hours=11.6)))
    sm.add_response("describe_training_job", done, {"TrainingJobName": NAME})
    index.on_event({**CHAIN, "detail": {"TrainingJobName": NAME, "TrainingJobStatus": "Completed"}})
    assert sent[-1]["url"] == "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1" and sent[-1]["Status"] == "SUCCESS" and sent[-1]["UniqueId"] == NAME
    # stage 2's checkpoint: the job finished, so its handle is signalled at once
    sm.add_response("describe_training_job", done, {"TrainingJobName": NAME})
    index.on_event({**cfn_event("Create", name=NAME), "ResourceType": "Custom::JumpStartJobCheckpoint",
                    "ResourceProperties": {"Kind": "training", "JobName": NAME, "WaitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage2", "Stage": "2"}})
    assert [c["url"] for c in sent[-2:]] == ["https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage2", "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response"]
    # the next heartbeat: the job ended and the last stage is done, so the heartbeat stops firing
    _list(cfn, _stack_resources(2, start, last_done=True))
    sm.add_response("describe_training_job", done, {"TrainingJobName": NAME})
    events.add_response("disable_rule", {}, {"Name": HEARTBEAT_RULE})
    assert waits.on_chain_event({**CHAIN, "heartbeat": True}, now=hours(21)) == f"heartbeat {HEARTBEAT_RULE} disabled"


def test_the_last_stage_is_never_ended_while_the_job_runs(chain, sent):
    import datetime

    sm, cfn, _ = chain
    start = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)
    _list(cfn, _stack_resources(2, start))
    sm.add_response("describe_training_job", _described(NAME, "InProgress"), {"TrainingJobName": NAME})
    assert waits.on_chain_event({**CHAIN, "heartbeat": True}, now=(start + datetime.timedelta(hours=11.9)).timestamp()) == "stage 2: waiting"
    assert sent == []  # the wait times out at its end and the stack fails, as the job outlived the timeout


def test_a_failed_job_fails_the_stage_in_progress_with_sagemakers_reason(chain, sent):
    import datetime

    sm, cfn, _ = chain
    _list(cfn, _stack_resources(1, datetime.datetime(2026, 11, 25)))
    sm.add_response("describe_training_job", _described(NAME, "Failed", FailureReason="CUDA out of memory"), {"TrainingJobName": NAME})
    index.on_event({**CHAIN, "detail": {"TrainingJobName": NAME, "TrainingJobStatus": "Failed"}})
    assert sent[-1]["url"] == "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1" and sent[-1]["Status"] == "FAILURE"
    assert "CUDA out of memory" in sent[-1]["Reason"]


def test_the_chain_is_found_in_a_stack_of_more_than_100_resources(chain, sent):
    """DescribeStackResources returns only a stack's first 100 resources (its API Reference): the
    stages of a chain after them were never found, and the wait timed out (#18 defect 5)."""
    import datetime

    sm, cfn, _ = chain
    _list(cfn, _stack_resources(1, datetime.datetime(2026, 11, 25), filler=150))
    sm.add_response("describe_training_job", _described(NAME, "Completed"), {"TrainingJobName": NAME})
    index.on_event({**CHAIN, "detail": {"TrainingJobName": NAME, "TrainingJobStatus": "Completed"}})
    assert sent[-1]["url"] == "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1" and sent[-1]["Status"] == "SUCCESS"


def test_a_previous_lifetimes_job_never_signals_the_new_wait(chain, sent):
    """After a quick destroy and deploy, the old job's Stopped event (Stopping takes minutes) matches
    the new rule's prefix: it must not fail the new lifetime's wait (#18 defect 4), chained or not."""
    import datetime

    sm, cfn, _ = chain
    old = jobs.job_name(PREFIX, "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/previous-lifetime")
    stopped = {"TrainingJobName": old, "TrainingJobStatus": "Stopped"}
    index.on_event({"kind": "training", "prefix": PREFIX, "waitHandle": HANDLE, "detail": stopped})
    _list(cfn, _stack_resources(0, datetime.datetime(2026, 11, 25)))
    index.on_event({**CHAIN, "detail": stopped})
    assert sent == []
    # this lifetime's job still signals
    sm.add_response("describe_training_job", _described(NAME, "Stopped"), {"TrainingJobName": NAME})
    index.on_event({"kind": "training", "prefix": PREFIX, "waitHandle": HANDLE,
                    "detail": {"TrainingJobName": NAME, "TrainingJobStatus": "Stopped"}})
    assert sent[-1]["url"] == HANDLE and sent[-1]["Status"] == "FAILURE"


def test_the_heartbeat_stays_on_until_the_chain_is_done(chain, sent):
    """A job that ended while a stage still waits: the heartbeat signals that stage and keeps firing
    (a later stage's checkpoint could still need it); only once the last stage is done it disables
    itself (#18 defect 6)."""
    import datetime

    sm, cfn, _ = chain
    start = datetime.datetime(2026, 11, 25, tzinfo=datetime.timezone.utc)
    _list(cfn, _stack_resources(1, start))
    sm.add_response("describe_training_job", _described(NAME, "Completed"), {"TrainingJobName": NAME})
    assert waits.on_chain_event({**CHAIN, "heartbeat": True}, now=start.timestamp() + 3600) == "stage 1: Completed"
    assert sent[-1]["url"] == "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1"


def test_result_and_checkpoint_delete_and_rollback_events_succeed_without_calls(stubbed, sent):
    """Delete of a result or a checkpoint (after a failed create, or of something gone) touches
    nothing; a checkpoint's rollback Update makes no call and sends no signal (its stage already
    waited, and its handle's pre-signed URL may have expired), whatever the job's state."""
    index.on_event(cfn_event("Delete", ResourceType="Custom::JumpStartJobResult", PhysicalResourceId=NAME))
    index.on_event({**cfn_event("Delete"), "ResourceType": "Custom::JumpStartJobCheckpoint", "PhysicalResourceId": f"{NAME}-stage-1",
                    "ResourceProperties": {"Kind": "training", "JobName": NAME, "WaitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1", "Stage": "1"}})
    index.on_event({**cfn_event("Update"), "ResourceType": "Custom::JumpStartJobCheckpoint", "PhysicalResourceId": f"{NAME}-stage-1",
                    "ResourceProperties": {"Kind": "training", "JobName": NAME, "WaitHandle": "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/stage1", "Stage": "1"}})
    assert [c["Status"] for c in sent] == ["SUCCESS"] * 3
    assert all(c["url"] == "https://cloudformation-custom-resource-response-uswest2.s3.us-west-2.amazonaws.com/response" for c in sent)


def test_a_failed_create_returns_the_marker_and_its_rollback_delete_succeeds(s3, sent, monkeypatch):
    """CloudFormation follows a failed Create with a Delete carrying the PhysicalResourceId the failed
    response returned ("Custom resource provider requests", CloudFormation User Guide). That id is a
    marker (as CDK's provider framework returns): before, the failure returned 'none' and the Delete
    tried to list a bucket named '' (ROLLBACK_FAILED). The packer's Delete removes what its properties
    name (a Create can fail after writing, e.g. when its SUCCESS response could not be sent): it lists
    exactly that key, in the stack's artifact bucket; a result or checkpoint has nothing to do."""
    event = artifact_event("Create")
    event["ResourceProperties"]["LimitBytes"] = "1000"
    index.on_event(event)
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == cfn.CREATE_FAILED
    listed = []
    real_list = s3.list_object_versions
    monkeypatch.setattr(calls, "client", lambda service: s3)
    monkeypatch.setattr(s3, "list_object_versions", lambda **kw: (listed.append(kw), real_list(**kw))[1])
    index.on_event(artifact_event("Delete", PhysicalResourceId=sent[-1]["PhysicalResourceId"]))
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == cfn.CREATE_FAILED
    assert [(kw["Bucket"], kw["Prefix"]) for kw in listed] == [("artifacts", artifacts.artifact_key(event["ResourceProperties"]))]
    monkeypatch.setattr(calls, "client", lambda service: pytest.fail(f"the Delete of a failed Create called {service}"))
    result = cfn_event("Delete", PhysicalResourceId=cfn.CREATE_FAILED, ResourceType="Custom::JumpStartJobResult")
    index.on_event(result)  # a result: nothing to do
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == cfn.CREATE_FAILED


@pytest.mark.parametrize("kind", ["job", "model"])
def test_the_delete_of_a_failed_create_removes_what_the_create_made(aws, monkeypatch, kind):
    """A Create can make its job or model and still answer FAILED with the marker: its SUCCESS response
    could not be sent (the catch-all then reports the failure), or Lambda delivered the event twice and
    the second delivery failed early. The rollback's Delete with the marker must still stop the job or
    delete the model, which it finds from the properties (a review finding on #18: the job ran on)."""
    answers: List[Dict[str, Any]] = []

    def put(url: str, data: bytes) -> None:
        answers.append(json.loads(data))
        if len(answers) == 1:
            raise OSError("the response could not be sent")

    monkeypatch.setattr(cfn, "put", put)
    removed = []
    monkeypatch.setattr(jobs, "stop_if_running", lambda k, name: removed.append(name) or "stopping")
    monkeypatch.setattr(models, "delete_model", lambda name: removed.append(name) or "deleted")
    create = cfn_event("Create") if kind == "job" else model_event("Create")
    index.on_event(create)
    assert [a["Status"] for a in answers] == ["SUCCESS", "FAILED"]
    assert answers[-1]["PhysicalResourceId"] == cfn.CREATE_FAILED
    made = answers[0]["Data"]["JobName" if kind == "job" else "ModelName"]
    delete = dict(create, RequestType="Delete", PhysicalResourceId=cfn.CREATE_FAILED)
    index.on_event(delete)
    assert answers[-1]["Status"] == "SUCCESS" and removed == [made]


def test_a_failed_update_or_delete_keeps_the_physical_id(stubbed, sent):
    """A failure must not change the physical id of an existing resource (a changed id on a failed
    Update would read as a replacement)."""
    stubbed.add_client_error("describe_training_job", "AccessDeniedException", "not allowed", 400)
    index.on_event(cfn_event("Update", PhysicalResourceId=NAME))
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == NAME


# -- #18: jobs-and-waits defects ----------------------------------------------------------------------


def test_an_uncompressed_model_is_reported_as_a_prefix_ending_in_a_slash(stubbed, sent):
    """Hosting takes an S3Prefix model only with a trailing '/' (the SDK appends it, EstimatorBase.model_data):
    without it CreateModel failed after the whole training (#18 defect 1)."""
    artifacts = f"s3://out/jumpstart-training/{NAME}/output/model"
    job = _described(NAME, "Completed", ModelArtifacts={"S3ModelArtifacts": artifacts},
                     OutputDataConfig={"S3OutputPath": "s3://out/jumpstart-training", "CompressionType": "NONE"})
    stubbed.add_response("describe_training_job", job, {"TrainingJobName": NAME})
    index.on_event(cfn_event("Create", name=NAME, ResourceType="Custom::JumpStartJobResult"))
    assert sent[-1]["Data"] == {"ModelArtifacts": artifacts + "/"}
    compressed = _described(NAME, "Completed", OutputDataConfig={"S3OutputPath": "s3://out/jumpstart-training"})
    assert jobs.outcome("training", compressed)["ModelArtifacts"].endswith("/output/model.tar.gz")  # as it was


def test_checkpoints_and_transform_output_are_under_the_job_name():
    """A new job must not resume from an old job's checkpoints, nor a transform overwrite another
    lifetime's output (#18 defect 12)."""
    spot = {**TRAINING_REQUEST, "CheckpointConfig": {"S3Uri": "s3://out/jumpstart-training/checkpoints"}}
    body = jobs.build_request("training", NAME, spot)
    assert body["CheckpointConfig"]["S3Uri"] == f"s3://out/jumpstart-training/checkpoints/{NAME}/"
    assert spot["CheckpointConfig"]["S3Uri"] == "s3://out/jumpstart-training/checkpoints"  # the input untouched
    transform = {"ModelName": "m", "TransformOutput": {"S3OutputPath": "s3://out/jumpstart-transform/"}}
    assert jobs.build_request("transform", "bt-1", transform)["TransformOutput"]["S3OutputPath"] == "s3://out/jumpstart-transform/bt-1/"


def test_delete_derives_the_job_from_the_properties_whatever_the_physical_id(stubbed, sent):
    """A physical id CloudFormation generated (the Create's response was lost) used to read as 'never
    started', and a running GPU job was left behind (#18 defect 9)."""
    stubbed.add_response("describe_training_job", _described(NAME, "InProgress"), {"TrainingJobName": NAME})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": NAME})
    stubbed.add_response("describe_training_job", _described(NAME, "Stopped"), {"TrainingJobName": NAME})
    index.on_event(_waiting(cfn_event("Delete", PhysicalResourceId="S-FineTuneRunnerJob-1A2B3C4D5E6F")))
    assert sent[-1]["Status"] == "SUCCESS" and "Stopped" in sent[-1]["Reason"]


def test_a_create_that_fails_after_starting_its_job_keeps_an_id_whose_delete_stops_it(stubbed, sent):
    """The failed-create marker's Delete is answered at once: a Create that may have started its job
    (here CreateTrainingJob failed with a 500, the job may exist) must never return it (#18 defect 9)."""
    stubbed.add_client_error("describe_training_job", "ValidationException", "Requested resource not found.", 400,
                             expected_params={"TrainingJobName": NAME})
    stubbed.add_client_error("create_training_job", "InternalFailure", "We encountered an internal error.", 500)
    index.on_event(cfn_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == PHYSICAL
    stubbed.add_response("describe_training_job", _described(NAME, "InProgress"), {"TrainingJobName": NAME})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": NAME})
    stubbed.add_response("describe_training_job", _described(NAME, "Stopped"), {"TrainingJobName": NAME})
    index.on_event(_waiting(cfn_event("Delete", PhysicalResourceId=sent[-1]["PhysicalResourceId"])))  # rollback
    assert sent[-1]["Status"] == "SUCCESS" and "Stopped" in sent[-1]["Reason"]


def test_a_create_that_fails_before_starting_its_job_still_returns_the_marker(stubbed, sent):
    stubbed.add_client_error("describe_training_job", "AccessDeniedException", "not allowed", 400)
    index.on_event(cfn_event("Create"))
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == cfn.CREATE_FAILED


def test_a_deploy_time_change_under_the_same_name_is_refused_with_what_changed(aws, sent):
    """A CfnParameter (or SSM parameter, or import) changes the resolved request, not the job's name or
    its wait, which cannot wait again: the Update fails naming what changed instead of keeping the old
    job's outputs (#18 defect 10); the rollback to the job's own request succeeds."""
    index.on_event(cfn_event("Create"))
    changed = {**TRAINING_REQUEST, "HyperParameters": {"epochs": "5"}}
    sent.clear()
    update = cfn_event("Update", request=changed, PhysicalResourceId=PHYSICAL,
                       OldResourceProperties=cfn_event("Create")["ResourceProperties"])
    index.on_event(update)
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == PHYSICAL
    assert "HyperParameters.epochs" in sent[-1]["Reason"] and "cannot run again" in sent[-1]["Reason"]
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 1
    rollback = cfn_event("Update", PhysicalResourceId=PHYSICAL, OldResourceProperties=update["ResourceProperties"])
    index.on_event(rollback)
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == PHYSICAL
    # a changed tag is no new input: the same job, no failure
    tagged = {**TRAINING_REQUEST, "Tags": [{"Key": "team", "Value": "ml"}]}
    index.on_event(cfn_event("Update", request=tagged, PhysicalResourceId=PHYSICAL))
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == PHYSICAL


def test_an_update_that_fails_after_starting_a_new_job_stops_it(stubbed, sent):
    """A failed Update keeps the old id, so no Delete would ever name the job it may have started."""
    new = jobs.job_name("pytorch-ic-ft-def456", "https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/def456")
    stubbed.add_client_error("describe_training_job", "ValidationException", "Requested resource not found.", 400,
                             expected_params={"TrainingJobName": new})
    stubbed.add_client_error("create_training_job", "InternalFailure", "We encountered an internal error.", 500)
    stubbed.add_response("describe_training_job", _described(new, "InProgress"), {"TrainingJobName": new})
    stubbed.add_response("stop_training_job", {}, {"TrainingJobName": new})
    index.on_event(cfn_event("Update", name="pytorch-ic-ft-def456", handle="https://cloudformation-waitcondition-us-west-2.s3.us-west-2.amazonaws.com/def456",
                             PhysicalResourceId=PHYSICAL))
    assert sent[-1]["Status"] == "FAILED" and sent[-1]["PhysicalResourceId"] == PHYSICAL


def test_tags_are_sent_and_an_empty_list_is_left_out():
    tagged = {**TRAINING_REQUEST, "Tags": [{"Key": "team", "Value": "ml"}]}
    assert jobs.build_request("training", NAME, tagged)["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert "Tags" not in jobs.build_request("training", NAME, {**TRAINING_REQUEST, "Tags": []})


def test_the_chain_is_counted_with_the_handlers_stage_end():
    """The construct counts every stage but the last as the time after which the handler's heartbeat
    ends it: the two must agree, or the chain no longer covers the runtime."""
    from constructs_jumpstart.jobs import _chain

    assert _chain.STAGE_END == waits.STAGE_END
    assert _chain.stage_timeouts(363600) == [43200] * 9 + [39600]  # 9 stages counted as 10 h, then 11 h
    assert _chain.stage_timeouts(43200) == [43200] and _chain.stage_timeouts(43201) == [43200, 7201]


def test_a_job_deployed_before_fingerprints_keeps_its_id_on_update(aws, sent):
    """A job created before the physical id carried a fingerprint (its id is the bare name): an Update
    that keeps the name keeps that id, so a library upgrade is no replacement."""
    index.on_event(cfn_event("Create"))
    index.on_event(cfn_event("Update", PhysicalResourceId=NAME,
                             request={**TRAINING_REQUEST, "Tags": [{"Key": "team", "Value": "ml"}]}))
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == NAME
    assert len(aws.list_training_jobs()["TrainingJobSummaries"]) == 1
