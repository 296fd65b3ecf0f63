"""The simulator's SageMaker and S3 fakes behave as documented (see the sources in their modules),
through real botocore clients."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.cfnsim import World

ROLE = "arn:aws:iam::123456789012:role/r"


def training(name: str, **extra) -> dict:
    return {"TrainingJobName": name, "RoleArn": ROLE,
            "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-west-2.amazonaws.com/i:1",
                                       "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://out/prefix"},
            "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600}, **extra}


@pytest.fixture
def world():
    w = World()
    w.s3.make_bucket("out")
    return w


def test_job_names_are_unique_for_ever(world):
    sm = world.hooked.client("sagemaker")
    world.sagemaker.plan("j", "Completed", 60)
    sm.create_training_job(**training("j1"))
    world.advance(3600)
    assert sm.describe_training_job(TrainingJobName="j1")["TrainingJobStatus"] == "Completed"
    with pytest.raises(ClientError) as err:
        sm.create_training_job(**training("j1"))
    assert err.value.response["Error"]["Code"] == "ResourceInUse" and "already exists" in str(err.value)


def test_missing_job_and_model_errors(world):
    sm = world.hooked.client("sagemaker")
    with pytest.raises(ClientError, match="Requested resource not found"):
        sm.describe_training_job(TrainingJobName="nope")
    with pytest.raises(ClientError, match="Could not find model"):
        sm.describe_model(ModelName="nope")


def test_requests_are_validated_against_the_service_model(world):
    sm = world.hooked.client("sagemaker")
    with pytest.raises(ParamValidationError):
        sm.create_training_job(**{k: v for k, v in training("j").items() if k != "RoleArn"})
    with pytest.raises(ClientError, match="pattern"):
        sm.create_training_job(**training("bad_name"))


def test_stop_takes_minutes_and_each_transition_is_an_event(world):
    sm = world.hooked.client("sagemaker")
    seen = []
    world.sagemaker.emit = lambda source, detail_type, detail: seen.append(
        (source, detail_type, detail["TrainingJobStatus"]))
    world.sagemaker.plan("j", "Completed", None)
    sm.create_training_job(**training("j2"))
    sm.stop_training_job(TrainingJobName="j2")
    assert sm.describe_training_job(TrainingJobName="j2")["TrainingJobStatus"] == "Stopping"
    world.advance(120)
    assert sm.describe_training_job(TrainingJobName="j2")["TrainingJobStatus"] == "Stopping"
    world.advance(600)
    assert sm.describe_training_job(TrainingJobName="j2")["TrainingJobStatus"] == "Stopped"
    assert seen == [("aws.sagemaker", "SageMaker Training Job State Change", s)
                    for s in ("InProgress", "Stopping", "Stopped")]
    with pytest.raises(ClientError):
        sm.stop_training_job(TrainingJobName="j2")


def test_a_job_ends_when_the_test_says(world):
    sm = world.hooked.client("sagemaker")
    world.sagemaker.plan("j", "Completed", None)
    sm.create_training_job(**training("j5", StoppingCondition={"MaxRuntimeInSeconds": 86400 * 5}))
    world.advance(86400 * 3)
    assert sm.describe_training_job(TrainingJobName="j5")["TrainingJobStatus"] == "InProgress"
    world.sagemaker.end("j5", "Failed", "AlgorithmError: told so")
    job = sm.describe_training_job(TrainingJobName="j5")
    assert (job["TrainingJobStatus"], job["FailureReason"]) == ("Failed", "AlgorithmError: told so")


def test_max_runtime_stops_the_job(world):
    sm = world.hooked.client("sagemaker")
    world.sagemaker.plan("j", "Completed", 7200)
    sm.create_training_job(**training("j3"))
    world.advance(86400)
    job = sm.describe_training_job(TrainingJobName="j3")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")


@pytest.mark.parametrize("compression, artifacts", [(None, "s3://out/prefix/j4/output/model.tar.gz"),
                                                    ("NONE", "s3://out/prefix/j4/output/model")])
def test_model_artifacts_location(world, compression, artifacts):
    sm = world.hooked.client("sagemaker")
    world.sagemaker.plan("j", "Completed", 60)
    extra = {"OutputDataConfig": {"S3OutputPath": "s3://out/prefix", **({"CompressionType": compression}
                                                                          if compression else {})}}
    sm.create_training_job(**training("j4", **extra))
    world.advance(3600)
    assert sm.describe_training_job(TrainingJobName="j4")["ModelArtifacts"]["S3ModelArtifacts"] == artifacts


def test_describe_model_returns_what_the_service_fills_in(world):
    sm = world.hooked.client("sagemaker")
    container = {"Image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/i:1",
                 "ModelDataSource": {"S3DataSource": {"S3Uri": "s3://out/prefix/", "S3DataType": "S3Prefix",
                                                      "CompressionType": "None"}}}
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer=container)
    model = sm.describe_model(ModelName="m")
    assert model["PrimaryContainer"]["Mode"] == "SingleModel"
    assert {"ModelArn", "CreationTime", "DeploymentRecommendation"} <= set(model)
    with pytest.raises(ClientError, match="Cannot create already existing model"):
        sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer=container)
    container["ModelDataSource"]["S3DataSource"]["S3Uri"] = "s3://out/prefix"
    with pytest.raises(ClientError, match="forward slash"):
        sm.create_model(ModelName="m2", ExecutionRoleArn=ROLE, PrimaryContainer=container)


def test_s3_lists_1000_per_page(world):
    s3 = world.hooked.client("s3")
    for i in range(2500):
        world.s3.put("out", f"k/{i:05d}", b"x")
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="out", Prefix="k/"))
    assert [len(p["Contents"]) for p in pages] == [1000, 1000, 500]


def test_s3_multipart_parts_of_at_least_5_mib_but_the_last(world):
    s3 = world.hooked.client("s3")
    upload = s3.create_multipart_upload(Bucket="out", Key="big")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket="out", Key="big", UploadId=upload, PartNumber=n,
                                                      Body=b"x" * 1024)["ETag"]} for n in (1, 2)]
    with pytest.raises(ClientError, match="EntityTooSmall"):
        s3.complete_multipart_upload(Bucket="out", Key="big", UploadId=upload, MultipartUpload={"Parts": parts})


def test_s3_versioned_delete_and_bucket_not_empty(world):
    s3 = world.hooked.client("s3")
    world.s3.make_bucket("v", versioned=True)
    s3.put_object(Bucket="v", Key="a", Body=b"1")
    s3.delete_object(Bucket="v", Key="a")
    listing = s3.list_object_versions(Bucket="v")
    assert len(listing["Versions"]) == 1 and len(listing["DeleteMarkers"]) == 1
    with pytest.raises(Exception, match="BucketNotEmpty"):
        world.s3.remove_bucket("v")
    with pytest.raises(ParamValidationError):
        s3.list_object_versions(Bucket="")  # botocore's own bucket-name check


def test_s3_transfers_take_time(world):
    slow = World(s3_throughput=1000)
    slow.s3.make_bucket("b")
    slow.s3.put("b", "k", b"x" * 10_000)
    start = slow.clock.now
    slow.hooked.client("s3").get_object(Bucket="b", Key="k")["Body"].read()
    assert slow.clock.now - start == pytest.approx(10)


def test_a_retry_older_than_the_maximum_event_age_is_discarded(world, tmp_path):
    """Lambda retries a failed asynchronous invocation 1 and 2 minutes later, unless the event is
    older than the function's MaximumEventAgeInSeconds (EventInvokeConfig)."""
    from tests.cfnsim.lambdas import Function

    for name, age in (("young", 21600.0), ("old", 90.0)):
        world.lambdas.register(Function(name, f"arn:{name}", tmp_path, "nothing.handler", 3.0, max_event_age=age))
    world.lambdas.crash = lambda function, payload: True  # every attempt fails
    world.lambdas.invoke_async("arn:young", {"n": 1})
    world.lambdas.invoke_async("arn:old", {"n": 2})
    world.advance(600)
    attempts = [i["function"] for i in world.lambdas.invocations]
    assert attempts.count("young") == 3  # the first attempt and two retries
    assert attempts.count("old") == 2 and [d["function"] for d in world.lambdas.dropped] == ["old"]


def test_a_stopped_training_job_saves_its_model_when_stopped(world):
    sm = world.sagemaker
    world.sagemaker.plan("run-", "Completed", None)
    sm.CreateTrainingJob(**training("run-1"))
    world.advance(600)
    sm.StopTrainingJob(TrainingJobName="run-1")
    assert world.s3.keys("out", "prefix/") == []
    world.advance(60)  # still Stopping, but a Describe after the stop's end sees Stopped (and its artifacts)
    world.clock.now += 600
    assert sm.DescribeTrainingJob(TrainingJobName="run-1")["TrainingJobStatus"] == "Stopped"
    assert world.s3.keys("out", "prefix/") == ["prefix/run-1/output/model.tar.gz"]
