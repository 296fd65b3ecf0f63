"""JumpStartTrainingJob / JumpStartBatchTransform templates, and the shared jobs mechanism."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from . import conformance
from .conftest import role_statements
from constructs_jumpstart import (
    JumpStartBatchTransform,
    JumpStartEndpoint,
    JobInput,
    JumpStartError,
    JumpStartModel,
    JumpStartTrainingJob,
    UnsupportedInstanceTypeError,
    UnsupportedScopeError,
    ValidationError,
)

MOBILENET = "pytorch-ic-mobilenet-v2"


def _request(template: Template, kind: str = "training") -> dict:
    """The job request of the stack's custom resource, with tokens rendered as <Ref:...>."""
    (job,) = [r for r in template.find_resources("Custom::JumpStartJob").values() if r["Properties"]["Kind"] == kind]
    parts = job["Properties"]["Request"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else _token(p) for p in parts)
    return json.loads(text)


def _token(value) -> str:
    return "<" + json.dumps(value, sort_keys=True).replace('"', "'") + ">"


def _render(value, token: str = "") -> str:
    """A template string (``Fn::Join`` of strings and tokens) with each token as ``token`` (default: its
    JSON, as ``_token``)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return value["Fn::Join"][0].join(_render(part, token) for part in value["Fn::Join"][1])
    return token or _token(value)


def _target_input(rule: dict, token: str = "") -> dict:
    """The input an EventBridge rule's (first) target receives (``<detail>`` as null)."""
    target = rule["Properties"]["Targets"][0]
    text = _render(target.get("Input") or target["InputTransformer"]["InputTemplate"], token)
    return json.loads(text.replace("<detail>", "null"))


def _rules(t: Template) -> dict:
    """The stack's rules: ``{"state": ..., "heartbeat": ...}`` (the last of each kind)."""
    rules = t.find_resources("AWS::Events::Rule")
    return {("heartbeat" if "ScheduleExpression" in r["Properties"] else "state"): r for r in rules.values()}


def _job(stack, **kw) -> JumpStartTrainingJob:
    args = dict(model_id=MOBILENET, model_version="3.0.25", training_data="s3://my-data/train/")
    args.update(kw)
    return JumpStartTrainingJob(stack, "FineTune", **args)


def test_training_request_matches_the_sdk(make_stack):
    stack = make_stack()
    job = _job(stack, hyperparameters={"epochs": 3, "learning_rate": 0.01})
    req = _request(Template.from_stack(stack))
    from sagemaker.core import image_uris, model_uris, script_uris  # the reference

    from constructs_jumpstart.resolver import metadata_source

    with metadata_source("shipped"):
        kw = dict(model_id=MOBILENET, model_version="3.0.25", region="us-west-2")
        image = image_uris.retrieve(framework=None, image_scope="training", instance_type="ml.m5.xlarge", **kw)
        base = model_uris.retrieve(model_scope="training", **kw)
        script = script_uris.retrieve(script_scope="training", **kw)
    assert req["AlgorithmSpecification"]["TrainingImage"] == image
    assert req["AlgorithmSpecification"]["MetricDefinitions"] == [{"Name": "pytorch-ic:val-accuracy", "Regex": "val_accuracy: ([0-9\\.]+)"}]
    channels = {c["ChannelName"]: c for c in req["InputDataConfig"]}
    assert channels["training"]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://my-data/train/"
    assert channels["model"]["DataSource"]["S3DataSource"]["S3Uri"] == base
    assert channels["model"]["ContentType"] == "application/x-sagemaker-model"
    assert channels["code"]["DataSource"]["S3DataSource"]["S3Uri"] == script
    hps = req["HyperParameters"]
    assert hps["sagemaker_program"] == '"transfer_learning.py"'
    assert hps["sagemaker_submit_directory"] == '"/opt/ml/input/data/code/sourcedir.tar.gz"'
    assert hps["sagemaker_region"] == '"us-west-2"'
    # JSON-encoded as the SDK sends them, so the training toolkit decodes the spec's strings
    assert {k: hps[k] for k in ("epochs", "learning_rate", "batch_size", "train_only_top_layer")} == {
        "epochs": '"3"', "learning_rate": '"0.01"', "batch_size": '"4"', "train_only_top_layer": '"True"'}
    assert {k: json.loads(hps[k]) for k in ("epochs", "train_only_top_layer")} == {"epochs": "3", "train_only_top_layer": "True"}
    assert all(isinstance(v, str) for v in hps.values())
    assert req["EnableNetworkIsolation"] is True and req["EnableInterContainerTrafficEncryption"] is True
    key = _token({"Fn::GetAtt": [stack.get_logical_id(job.encryption_key.node.default_child), "Arn"]})
    assert req["ResourceConfig"] == {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30,
                                     "VolumeKmsKeyId": key}  # a customer-managed key by default (#19 part 4)
    assert req["StoppingCondition"] == {"MaxRuntimeInSeconds": 360000}  # the spec's max_run, as the SDK
    assert req["OutputDataConfig"]["S3OutputPath"].endswith("/jumpstart-training")
    prefix = job.runner.job_name_prefix
    assert prefix.startswith("pytorch-ic-mobilenet-v2-ft-") and len(prefix) + 7 <= 63  # + "-" and the lifetime hash


def test_wait_design(make_stack):
    stack = make_stack()
    job = _job(stack, timeout=cdk.Duration.hours(6))
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::CloudFormation::WaitCondition", {"Timeout": "21600", "Count": 1})
    t.has_resource_properties(
        "AWS::Events::Rule",
        {"EventPattern": {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Training Job State Change"],
                          "detail": {"TrainingJobName": [{"prefix": f"{job.runner.job_name_prefix}-"}],
                                     "TrainingJobStatus": ["Completed", "Failed", "Stopped"]}}},
    )
    wait_id = next(iter(t.find_resources("AWS::CloudFormation::WaitCondition")))
    job_id = next(iter(t.find_resources("Custom::JumpStartJob")))
    assert job_id in t.to_json()["Resources"][wait_id]["DependsOn"]
    # the result waits for the wait condition (Fn::GetAtt Data)
    result = next(iter(t.find_resources("Custom::JumpStartJobResult").values()))
    assert result["Properties"]["Signal"] == {"Fn::GetAtt": [wait_id, "Data"]}


def test_changed_inputs_give_a_new_job_and_a_new_wait(make_stack):
    names, waits = set(), []
    for epochs in (3, 4):
        stack = make_stack()
        job = _job(stack, hyperparameters={"epochs": epochs})
        names.add(job.runner.job_name_prefix)
        waits.append(set(Template.from_stack(stack).find_resources("AWS::CloudFormation::WaitCondition")))
    assert len(names) == 2 and waits[0] and not waits[0] & waits[1]  # every wait of the chain is new
    again = make_stack()
    assert _job(again, hyperparameters={"epochs": 3}).runner.job_name_prefix in names  # deterministic


def test_changing_only_the_timeout_gives_a_new_wait_not_an_in_place_update(make_stack):
    """A WaitCondition cannot be updated: a new timeout must mean new logical ids."""
    waits = set()
    for hours in (6, 7):
        stack = make_stack()
        _job(stack, timeout=cdk.Duration.hours(hours))
        waits |= set(Template.from_stack(stack).find_resources("AWS::CloudFormation::WaitCondition"))
    assert len(waits) == 2


def test_timeout_is_capped_at_28_days(make_stack):
    with pytest.raises(JumpStartError, match=r"timeout must be between 1 minute and 28 days .*29 days"):
        _job(make_stack(), timeout=cdk.Duration.days(29))


@pytest.mark.parametrize(
    "hyperparameters, message",
    [
        ({"epochs": 0}, r"'epochs' = 0 is out of range: it must be an integer >= 1 and <= 1000"),
        ({"epochs": "many"}, r"'epochs' = 'many' is not an integer"),
        ({"epochs": 2.5}, r"'epochs' = 2\.5 is not an integer"),
        ({"learning_rate": 2}, r"'learning_rate' = 2 is out of range: it must be a number >= 1e-08 and <= 1"),
        ({"train_only_top_layer": "yes"}, r"'train_only_top_layer' = 'yes' is not allowed: it must be one of True, False"),
        ({"epoch": 3}, r"unknown hyperparameter 'epoch'.*valid: batch_size, epochs, learning_rate"),
        ({"sagemaker_program": "x.py"}, r"unknown hyperparameter 'sagemaker_program'"),
    ],
)
def test_hyperparameters_are_validated_at_synth(make_stack, hyperparameters, message):
    with pytest.raises(ValidationError, match=message):
        _job(make_stack(), hyperparameters=hyperparameters)


def test_all_training_problems_together(make_stack):
    with pytest.raises(ValidationError) as info:
        _job(make_stack(), hyperparameters={"epochs": 0, "batch_size": 0}, instance_count=0, training_data="my-data/train")
    assert len(info.value.problems) == 4


def test_fine_tuning_without_training_data_uses_the_specs_default_dataset(make_stack):
    """Zero data preparation, as JumpStart's notebooks and Studio fine-tune: the spec's
    default_training_dataset_key in the region's JumpStart bucket, named in an annotation, readable
    by the job's role (that prefix only)."""
    stack = make_stack()
    JumpStartTrainingJob(stack, "J", model_id=MOBILENET, model_version="3.0.25")
    template = Template.from_stack(stack)
    dataset = "s3://jumpstart-cache-prod-us-west-2/training-datasets/tf_flowers/"
    (training,) = [c for c in _request(template)["InputDataConfig"] if c["ChannelName"] == "training"]
    assert training["DataSource"]["S3DataSource"]["S3Uri"] == dataset
    reads = [s for s in role_statements(template, "J") if s["Action"] == "s3:GetObject"]
    assert any("jumpstart-cache-prod-us-west-2/training-datasets/tf_flowers/*" in json.dumps(s["Resource"]) for s in reads)
    infos = cdk.assertions.Annotations.from_stack(stack).find_info("*", Match.string_like_regexp("default dataset"))
    assert dataset in infos[0].entry.data


def test_fine_tuning_without_training_data_needs_a_default_dataset(make_stack):
    with pytest.raises(ValidationError, match=r"'fixture-llm-families' 1\.0\.0 has no default training dataset: "
                                              r"pass training_data="):
        JumpStartTrainingJob(make_stack(), "J", model_id="fixture-llm-families")


def test_untrainable_model_and_bad_instance_type(make_stack):
    with pytest.raises(UnsupportedScopeError, match="does not support fine-tuning"):
        JumpStartTrainingJob(make_stack(), "J", model_id="fixture-llm-gated", training_data="s3://d/t/", accept_eula=True)
    with pytest.raises(UnsupportedInstanceTypeError, match=r"'ml\.m5\.large' is not supported for training.*ml\.m5\.xlarge, ml\.c5\.2xlarge, ml\.m4\.xlarge"):
        _job(make_stack(), instance_type="ml.m5.large")


def test_training_role_is_least_privilege(make_stack):
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    role_id = next(k for k, r in t.find_resources("AWS::IAM::Role").items() if "FineTuneRole" in k)
    statements = role_statements(t, role_id)
    text = json.dumps(statements)
    assert '"s3:*"' not in text
    assert ":s3:::my-data/train/*" in text  # read exactly the training prefix
    assert "pytorch-training/v2.0.0/train-pytorch-ic-mobilenet-v2.tar.gz" in text
    assert "transfer_learning/ic/prepack/v1.1.0/sourcedir.tar.gz" in text
    writes = [s for s in statements if "s3:PutObject" in json.dumps(s["Action"])]
    assert len(writes) == 1 and "/jumpstart-training/*" in json.dumps(writes[0]["Resource"])
    # the handler may pass only this role, only to SageMaker (in the construct's own handler policy)
    t.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        {"Action": "iam:PassRole", "Effect": "Allow", "Resource": {"Fn::GetAtt": [role_id, "Arn"]},
         "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}])}})


def test_output_bucket_is_encrypted_private_and_kept(make_stack):
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    t.has_resource("AWS::S3::Bucket", {
        "DeletionPolicy": "Retain",
        "Properties": Match.object_like({
            "BucketEncryption": Match.any_value(),
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        }),
    })
    destroy = make_stack()
    _job(destroy, removal_policy=cdk.RemovalPolicy.DESTROY)
    Template.from_stack(destroy).has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})


def test_the_training_job_tells_where_it_writes(make_stack):
    """output_uri (#20): the S3OutputPath the request holds, under which SageMaker writes <job>/output/."""
    stack = make_stack()
    job = _job(stack, output_bucket=s3.Bucket.from_bucket_name(stack, "Out", "my-out"), output_prefix="runs/")
    assert job.output_uri == "s3://my-out/runs"
    request = json.dumps(Template.from_stack(stack).find_resources("Custom::JumpStartJob").popitem()[1]
                         ["Properties"]["Request"])  # a Fn::Join: the role's ARN is a token
    assert '\\"OutputDataConfig\\":{\\"S3OutputPath\\":\\"s3://my-out/runs\\",\\"KmsKeyId\\":' in request


def test_bucket_input_spot_vpc_and_keys(make_stack):
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms

    stack = make_stack()
    data = s3.Bucket(stack, "Data")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    _job(stack, training_data=data, training_data_prefix="train/", use_spot=True, max_wait=cdk.Duration.hours(12),
         max_runtime=cdk.Duration.hours(10),
         volume_encryption_key=key, output_encryption_key=key, vpc=vpc, validation_data="s3://my-data/val/")
    req = _request(Template.from_stack(stack))
    assert req["EnableManagedSpotTraining"] is True
    assert req["StoppingCondition"]["MaxWaitTimeInSeconds"] == 43200
    assert req["CheckpointConfig"]["S3Uri"].endswith("/jumpstart-training/checkpoints")
    assert "VolumeKmsKeyId" in req["ResourceConfig"] and "KmsKeyId" in req["OutputDataConfig"]
    assert len(req["VpcConfig"]["Subnets"]) == 2
    assert {c["ChannelName"] for c in req["InputDataConfig"]} == {"training", "validation", "model", "code"}


def test_fine_tuned_model_deploys_after_the_job(make_stack):
    stack = make_stack()
    job = _job(stack)
    JumpStartEndpoint(stack, "Tuned", model_id=MOBILENET, model_version="3.0.25", model_data=job.model_data)
    t = Template.from_stack(stack)
    result_id = next(iter(t.find_resources("Custom::JumpStartJobResult")))
    t.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": Match.object_like(
        {"ModelDataUrl": {"Fn::GetAtt": [result_id, "ModelArtifacts"]},
         "Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.10.0-cpu-py38"})})
    model_role = next(k for k in t.find_resources("AWS::IAM::Role") if k.startswith("TunedModelRole"))
    # may read the trained artifact: the object the job reports (tests/test_grants.py: only that)
    assert '"ModelArtifacts"' in json.dumps(role_statements(t, model_role))


def test_batch_transform(make_stack):
    stack = make_stack()
    bt = JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25",
                                 input_data="s3://my-data/images/", split_type="None", batch_strategy="SingleRecord",
                                 max_payload_mb=6, instance_count=2)
    t = Template.from_stack(stack)
    req = _request(t, "transform")
    model_id = next(iter(t.find_resources("AWS::SageMaker::Model")))
    assert req["ModelName"] == _token({"Fn::GetAtt": [model_id, "ModelName"]})
    assert req["TransformInput"] == {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://my-data/images/"}},
                                     "ContentType": "application/x-image", "SplitType": "None"}
    assert req["TransformOutput"]["Accept"] == "application/json"
    key = _token({"Fn::GetAtt": [stack.get_logical_id(bt.encryption_key.node.default_child), "Arn"]})
    assert req["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 2, "VolumeKmsKeyId": key}
    assert (req["MaxPayloadInMB"], req["BatchStrategy"]) == (6, "SingleRecord")
    t.has_resource_properties("AWS::Events::Rule", {"EventPattern": Match.object_like(
        {"detail-type": ["SageMaker Transform Job State Change"]})})
    assert bt.runner.job_name_prefix.startswith("pytorch-ic-mobilenet-v2-bt-")



def test_one_jobs_mechanism_for_both(make_stack):
    stack = make_stack()
    _job(stack)
    JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25", input_data="s3://d/in/")
    t = Template.from_stack(stack)
    functions = set(t.find_resources("AWS::Lambda::Function"))
    ours = {f for f in functions if f.startswith("JumpStartJobsHandler")}
    assert len(ours) == 1  # one handler serves training, transform and the packer
    # the only other: CDK's own, emptying the (DESTROY) bucket of packed artifacts before it is deleted
    assert {f for f in functions - ours if not f.startswith("CustomS3AutoDeleteObjectsCustomResourceProvider")} == set()
    # training waits the spec's max_run (100 h + 1 h: 10 chained stages, 9 of at least 10 h and one of
    # 11 h), the transform 12 h (one)
    assert len(t.find_resources("Custom::JumpStartJob")) == 2 and len(t.find_resources("AWS::CloudFormation::WaitCondition")) == 11


def test_batch_transform_with_a_given_model_and_bad_input(make_stack):
    stack = make_stack()
    model = JumpStartModel(stack, "M", model_id=MOBILENET, model_version="3.0.25")
    with pytest.raises(ValidationError) as info:
        JumpStartBatchTransform(stack, "BT", model=model, input_data="s3://d/in/", content_type="text/csv",
                                accept="text/plain", split_type="Lines", batch_strategy="All", max_payload_mb=500,
                                instance_type="ml.p3.2xlarge")
    text = str(info.value)
    for needle in ("content_type 'text/csv' is not accepted", "supported: application/x-image", "accept 'text/plain'",
                   "split_type 'Lines'", "batch_strategy 'All'", "max_payload_mb", "instance_type 'ml.p3.2xlarge'"):
        assert needle in text
    with pytest.raises(ValidationError, match="exactly one of model="):
        JumpStartBatchTransform(stack, "BT2", input_data="s3://d/in/")


def test_gated_llm_fine_tuning_as_the_sdk_sends_it_and_serves_a_prefix(make_stack):
    with pytest.raises(ValidationError, match=r"gated behind an end-user license agreement.*accept_eula=True"):
        JumpStartTrainingJob(make_stack(), "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/")
    stack = make_stack()
    job = JumpStartTrainingJob(stack, "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/",
                               validation_data="s3://d/val/", accept_eula=True,
                               hyperparameters={"lora_dropout": 0.1, "instruction_tuned": "True"})
    JumpStartEndpoint(stack, "Serve", model_id="fixture-llm-gated", model_version="2.0.0", config_name="tgi",
                      accept_eula=True, model_data=job.model_data)
    t = Template.from_stack(stack)
    req = _request(t)
    channels = {c["ChannelName"]: c for c in req["InputDataConfig"]}
    # as JumpStartEstimator.fit(accept_eula=True): no model channel; the container reads the base model
    # from SageMakerGatedModelS3Uri (the spec's gated_model_key_env_var_value), with accept_eula set
    assert "model" not in channels and "validation" in channels
    assert req["Environment"] == {
        "SageMakerGatedModelS3Uri": "s3://jumpstart-private-cache-prod-us-west-2/fixture-llm-finetune/artifacts/training-gated/v1.0.0/",
        "accept_eula": "true"}
    reads = json.dumps(role_statements(t, "LlmRole"))
    assert "fixture-llm-finetune/artifacts/training-gated/v1.0.0/*" in reads
    assert "fixture-llm-finetune/artifacts/training/v1.0.0/" not in reads
    assert req["OutputDataConfig"]["CompressionType"] == "NONE"  # spec: disable_output_compression
    # the spec's training_volume_size (256) only where the SDK's volume_size_supported: g5 has local
    # NVMe storage, so the SDK sends its default size, and so do we
    assert req["ResourceConfig"] == {"InstanceType": "ml.g5.12xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
    assert req["AlgorithmSpecification"]["TrainingImage"].endswith("huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04")
    assert req["StoppingCondition"]["MaxRuntimeInSeconds"] == 360000  # the spec's max_run, as the SDK sends it
    result_id = next(iter(t.find_resources("Custom::JumpStartJobResult")))
    t.has_resource_properties("AWS::SageMaker::Model", {"PrimaryContainer": Match.object_like({
        "ModelDataSource": {"S3DataSource": {"S3Uri": {"Fn::GetAtt": [result_id, "ModelArtifacts"]},
                                             "S3DataType": "S3Prefix", "CompressionType": "None"}}})})


@pytest.mark.parametrize("value, message", [
    (0, r"'lora_dropout' = 0 is out of range: it must be a number > 0 and < 1"),
    (1.0, r"out of range"),
])
def test_exclusive_bounds(make_stack, value, message):
    with pytest.raises(ValidationError, match=message):
        JumpStartTrainingJob(make_stack(), "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/",
                             accept_eula=True, hyperparameters={"lora_dropout": value})



def test_a_wait_longer_than_12_hours_is_a_chain_of_stages_created_one_after_another(make_stack):
    """The spec's max_run of 100 hours (+1 h): 10 wait conditions, the first 9 ended by the heartbeat
    after 10 to 11 hours (so counted as 10), the last waiting the 11 hours left. Each stage's handle (a
    pre-signed URL that lives about a day) is created only after the previous wait ends."""
    stack = make_stack()
    job = JumpStartTrainingJob(stack, "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/", accept_eula=True)
    t = Template.from_stack(stack).to_json()["Resources"]
    waits = [stack.get_logical_id(w) for w in job.runner.waits]
    assert len(waits) == 10
    assert [t[w]["Properties"]["Timeout"] for w in waits] == ["43200"] * 9 + [str(363600 - 9 * 10 * 3600)]
    for i in range(1, 10):
        handle = t[waits[i]]["Properties"]["Handle"]["Ref"]
        checkpoint = next(k for k, r in t.items() if r["Type"] == "Custom::JumpStartJobCheckpoint"
                          and r["Properties"]["Stage"] == str(i))
        assert waits[i - 1] in t[handle]["DependsOn"]  # the handle comes after the previous wait
        assert handle in t[checkpoint]["DependsOn"] and checkpoint in t[waits[i]]["DependsOn"]
    result = next(r for r in t.values() if r["Type"] == "Custom::JumpStartJobResult")
    assert result["Properties"]["Signal"] == {"Fn::GetAtt": [waits[-1], "Data"]}  # the model waits for the last stage
    heartbeat = next(r for r in t.values() if r["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in r["Properties"])
    assert heartbeat["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    chain = _target_input(heartbeat)["chain"]
    assert [chain["waits"][0] + suffix for suffix in chain["waits"][1]] == waits  # compact: the common prefix once
    assert "MaxRuntimeInSeconds\\\":360000" in json.dumps(t).replace(" ", "")


def test_a_wait_of_at_most_12_hours_stays_one_wait_condition(make_stack):
    stack = make_stack()
    job = _job(stack, timeout=cdk.Duration.hours(12))
    assert len(job.runner.waits) == 1
    Template.from_stack(stack).resource_count_is("Custom::JumpStartJobCheckpoint", 0)


def test_a_transform_reruns_when_its_model_changes_behind_the_same_name_token(make_stack):
    """The transform request names its model by a token (``Fn::GetAtt [Model, ModelName]``) whose
    text stays the same when the model is replaced: the job's name reads the model's identity (what
    it serves), so another artifact, a retrained one included, is a new job and new output."""
    def prefix(model_data=None, hyperparameters=None, **kw) -> str:
        stack = make_stack()
        if model_data is None:
            model_data = _job(stack, hyperparameters=hyperparameters or {"epochs": 3}).model_data
        bt = JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25",
                                     input_data="s3://my-data/images/", model_data=model_data, **kw)
        return bt.runner.job_name_prefix

    assert prefix("s3://m/v1/model.tar.gz") == prefix("s3://m/v1/model.tar.gz")
    assert prefix("s3://m/v1/model.tar.gz") != prefix("s3://m/v2/model.tar.gz")
    assert prefix("s3://m/v1/model.tar.gz") != prefix("s3://m/v1/model.tar.gz", environment={"TS_DEBUG": "1"})
    assert prefix() == prefix()
    assert prefix() != prefix(hyperparameters={"epochs": 4})


def _statements_text(stack, role_prefix: str) -> str:
    t = Template.from_stack(stack)
    return "\n".join(json.dumps(role_statements(t, k)) for k in t.find_resources("AWS::IAM::Role")
                     if k.startswith(role_prefix))


def test_token_inputs_are_granted_through_their_bucket(make_stack):
    """A URI that writes out s3:// and a bucket that is a token (a parameter, another construct's
    bucket) is granted on exactly that prefix; a bucket and a token prefix through JobInput too."""
    stack = make_stack()
    bucket = cdk.CfnParameter(stack, "DataBucket").value_as_string
    prefix = cdk.CfnParameter(stack, "Prefix").value_as_string
    job = _job(stack, training_data="s3://" + bucket + "/train/",
               validation_data=JobInput.from_bucket(s3.Bucket.from_bucket_name(stack, "Imported", bucket), prefix))
    granted = _statements_text(stack, "FineTuneRole")
    assert '"arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "DataBucket"}, "/train/*"' in granted
    assert '":s3:::", {"Ref": "DataBucket"}, "/", {"Ref": "Prefix"}, "*"' in granted
    assert job.node.path == "TestStack/FineTune"


@pytest.mark.parametrize("opaque", ["parameter", "ssm", "other stack"])
def test_a_token_input_whose_bucket_cannot_be_known_is_refused(make_stack, opaque):
    """One opaque token (a CfnParameter, an SSM parameter, another stack's output) names no bucket:
    the job's role would get no read access and the job would fail with AccessDenied at deploy."""
    from aws_cdk import aws_ssm as ssm

    stack = make_stack()
    if opaque == "parameter":
        uri = cdk.CfnParameter(stack, "TrainUri").value_as_string
    elif opaque == "ssm":
        uri = ssm.StringParameter.value_for_string_parameter(stack, "/data/train-uri")
    else:
        uri = cdk.Fn.import_value("TrainUri")
    with pytest.raises(ValidationError) as info:
        _job(stack, training_data=uri)
    assert "training_data=" in str(info.value) and "JobInput.from_bucket(bucket, prefix)" in str(info.value)
    with pytest.raises(ValidationError, match=r"input_data=.*JobInput.from_bucket"):
        JumpStartBatchTransform(stack, "BT", model_id=MOBILENET, model_version="3.0.25", input_data=uri)


# -- #18: jobs-and-waits defects ----------------------------------------------------------------------


def test_the_state_change_names_the_prefix_so_only_this_lifetimes_job_signals(make_stack):
    """The rule matches the name prefix (every lifetime's job): its input names the prefix, and the
    handler signals only for ``job_name(prefix, handle of stage 0)`` (#18 defect 4). A wait of 12 hours
    or less is a chain of one stage with its heartbeat too, which sends a lost signal (#18 review,
    finding 5)."""
    stack = make_stack()
    job = _job(stack, timeout=cdk.Duration.hours(6))
    rules = _rules(Template.from_stack(stack))
    state = _target_input(rules["state"])
    handle = next(iter(Template.from_stack(stack).find_resources("AWS::CloudFormation::WaitConditionHandle")))
    wait = next(iter(Template.from_stack(stack).find_resources("AWS::CloudFormation::WaitCondition")))
    rule_name = f"{job.runner.job_name_prefix}-hb"
    assert state == {"kind": "training", "prefix": job.runner.job_name_prefix, "stack": _token({"Ref": "AWS::StackId"}),
                     "rule": rule_name, "chain": {"handles": [handle, [""]], "waits": [wait, [""]]}, "detail": None}
    assert _target_input(rules["heartbeat"]) == {**{k: v for k, v in state.items() if k != "detail"}, "heartbeat": True}
    assert rules["heartbeat"]["Properties"]["Name"] == rule_name


def test_a_chain_covers_the_whole_runtime_and_its_heartbeat_can_disable_itself(make_stack):
    """Every stage but the last is ended by the heartbeat after 10 to 11 hours (counted as 10); counted as 12 hours,
    100 h of max_run got 93-101 h of wait (#18 defect 6). The heartbeat rule has a name of its own,
    which the handler may disable, and the stages are found with ListStackResources (#18 defect 5)."""
    stack = make_stack()
    job = JumpStartTrainingJob(stack, "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/", accept_eula=True)
    t = Template.from_stack(stack)
    resources = t.to_json()["Resources"]
    timeouts = [int(resources[stack.get_logical_id(w)]["Properties"]["Timeout"]) for w in job.runner.waits]
    guaranteed = sum(min(s, 10 * 3600) for s in timeouts[:-1]) + timeouts[-1]
    assert guaranteed >= 360000 + 3600 and all(s <= 43200 for s in timeouts)
    heartbeat = _rules(t)["heartbeat"]
    rule_name = f"{job.runner.job_name_prefix}-hb"
    assert heartbeat["Properties"]["Name"] == rule_name and len(rule_name) <= 64
    assert _target_input(heartbeat)["rule"] == rule_name
    statements = json.dumps(role_statements(t, next(k for k in t.find_resources("AWS::IAM::Role")
                                                    if k.startswith("JumpStartJobsHandlerRole"))))
    assert '"events:DisableRule"' in statements and f":rule/{rule_name}" in statements
    assert '"cloudformation:ListStackResources"' in statements and "DescribeStackResources" not in statements


def _deep_scope(stack, depth_chars: int = 200):
    """Nested scopes whose path is ``depth_chars`` characters deep (logical ids of ~250 characters)."""
    from constructs import Construct

    scope = stack
    while len(scope.node.path) < depth_chars:  # distinct ids: CDK drops a repeated one from logical ids
        scope = Construct(scope, f"Level{len(scope.node.scopes):02d}Construct")
    return scope


def test_a_28_day_chain_under_a_deep_path_fits_eventbridges_input(make_stack):
    """The stages' logical ids grow with the construct path: in full, a 28-day chain under a 200-character
    path needed far more than EventBridge's 8192 characters (#18 defect 5). They are sent as one common
    prefix and suffixes; the input is measured with the stack id at its longest."""
    stack = make_stack()
    scope = _deep_scope(stack)
    job = JumpStartTrainingJob(scope, "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/",
                               accept_eula=True, timeout=cdk.Duration.days(28), max_runtime=cdk.Duration.days(27))
    rules = _rules(Template.from_stack(stack))
    for rule in rules.values():
        target = rule["Properties"]["Targets"][0]
        rendered = _render(target.get("Input") or target["InputTransformer"]["InputTemplate"], "s" * 256)
        assert len(rendered) <= 8192
    assert len(job.node.path) >= 200 and len(job.runner.waits) > 60
    assert len(stack.get_logical_id(job.runner.wait)) > 200
    chain = _target_input(rules["heartbeat"])["chain"]
    assert [chain["handles"][0] + s for s in chain["handles"][1]][0] == stack.get_logical_id(
        next(c for c in job.runner.node.children if c.node.id.startswith("Handle")))


def test_an_input_over_eventbridges_limit_is_a_synth_error(make_stack, monkeypatch):
    from constructs_jumpstart.jobs import runner

    monkeypatch.setattr(runner, "INPUT_LIMIT", 1000)
    with pytest.raises(JumpStartError, match=r"wait chain's event input would be \d+ characters, over EventBridge's 1000"):
        JumpStartTrainingJob(make_stack(), "Llm", model_id="fixture-llm-finetune", training_data="s3://d/train/",
                             accept_eula=True, timeout=cdk.Duration.days(28))


def test_a_spec_without_max_run_gets_the_sdks_24_hours(make_stack):
    """The SDK's estimator sends max_run=24 h when the spec sets none; 12 h stopped jobs the SDK would
    finish (#18 defect 17). The stack waits the runtime plus an hour."""
    import dataclasses

    job = _job(make_stack())
    no_max_run = dataclasses.replace(job.resolved, estimator_kwargs={
        k: v for k, v in job.resolved.estimator_kwargs.items() if k != "max_run"})
    timeout, runtime = job._wait_and_runtime(no_max_run, None, None)
    assert (runtime.to_seconds(), timeout.to_seconds()) == (86400, 90000)
    timeout, runtime = job._wait_and_runtime(no_max_run, cdk.Duration.hours(6), None)
    assert (runtime.to_seconds(), timeout.to_seconds()) == (6 * 3600, 6 * 3600)  # capped at the wait you set


def test_tags_reach_the_jobs_the_handler_starts(make_stack):
    """Tags.of(...) tagged models and endpoints, never the jobs (SageMaker creates them, not
    CloudFormation): a tag-enforcing SCP refused them (#18 defect 14). The SDK's tags come first; a
    tag changes no job (outside the name's digest)."""
    stack = make_stack()
    job = _job(stack, tags={"cost-center": "42"})
    bt = JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25", input_data="s3://d/in/",
                                 tags={"stage": "batch"})
    prefixes = (job.runner.job_name_prefix, bt.runner.job_name_prefix)
    cdk.Tags.of(stack).add("team", "ml")
    cdk.Tags.of(stack).add("cost-center", "override-by-app")  # Tags.of outranks tags=, as for CloudFormation tags
    t = Template.from_stack(stack)
    training = _request(t)["Tags"]
    assert training[:2] == [{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": MOBILENET},
                            {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "3.0.25"}]
    stack_id = {"jumpstart:stack-id": "<{'Ref': 'AWS::StackId'}>"}  # last: the handler's conditions check it
    assert {tag["Key"]: tag["Value"] for tag in training[2:]} == {"cost-center": "override-by-app", "team": "ml",
                                                                  **stack_id}
    assert training[-1] == {"Key": "jumpstart:stack-id", "Value": "<{'Ref': 'AWS::StackId'}>"}
    assert {tag["Key"]: tag["Value"] for tag in _request(t, "transform")["Tags"]} == {
        "stage": "batch", "team": "ml", "cost-center": "override-by-app", **stack_id}
    again = make_stack()
    assert _job(again).runner.job_name_prefix == prefixes[0]  # tags are no input of the job


@pytest.mark.parametrize("tags, message", [
    ({"aws:cost": "x"}, "the aws: prefix is reserved"),
    ({"k" * 129: "x"}, "keys take 1-128 characters"),
    ({"team": "a|b"}, "letters, digits, spaces"),
    ({f"t{i}": "x" for i in range(48)}, "at most 50 tags; this one has 51"),  # 2 SDK tags, the stack's id
])
def test_tags_sagemaker_refuses_are_synth_errors(make_stack, tags, message):
    stack = make_stack()
    _job(stack, tags=tags)
    with pytest.raises(Exception, match=message):
        Template.from_stack(stack)


def test_a_change_of_the_training_job_gives_the_downstream_job_a_new_name_and_wait(make_stack):
    """A request that holds a job's output (a token whose text never changes) is digested with the
    job's name prefix in its place: retraining makes a new downstream job, and a new wait, instead of
    keeping the old output (#18 defect 10)."""
    from constructs_jumpstart.jobs.runner import JobRunner

    seen = []
    for epochs in (3, 4):
        stack = make_stack()
        job = _job(stack, hyperparameters={"epochs": epochs})
        downstream = JobRunner(stack, "Next", kind="transform", name_base="next-bt", timeout=cdk.Duration.hours(1),
                               request={"ModelName": "m", "TransformInput": {"DataSource": {"S3DataSource": {
                                   "S3DataType": "S3Prefix", "S3Uri": job.model_data}}}})
        waits = {stack.get_logical_id(w) for w in downstream.waits}
        seen.append((downstream.job_name_prefix, waits))
    assert seen[0][0] != seen[1][0] and not seen[0][1] & seen[1][1]


def test_a_retrained_model_gives_its_batch_transform_a_new_job_and_wait(make_stack):
    """End to end: the transform's request names its model, whose identity follows the training job's
    output: new hyperparameters, a new transform job and new wait ids (#18 defect 10)."""
    seen = []
    for epochs in (3, 4):
        stack = make_stack()
        job = _job(stack, hyperparameters={"epochs": epochs})
        bt = JumpStartBatchTransform(stack, "Classify", model_id=MOBILENET, model_version="3.0.25",
                                     model_data=job.model_data, input_data="s3://d/in/")
        seen.append((bt.runner.job_name_prefix, {stack.get_logical_id(w) for w in bt.runner.waits}))
    assert seen[0][0] != seen[1][0] and not seen[0][1] & seen[1][1]


def test_a_packer_reads_a_training_jobs_output_served_serverless(make_stack):
    """#18 (2): a serverless endpoint repacks a script-mode model whose artifact is a training job's
    output (a token): the stack's handler reads exactly that output (the job's output bucket, under its
    prefix), and the model's role reads the packed artifact."""
    from constructs_jumpstart.hosting import ServerlessConfig

    stack = make_stack()
    job = _job(stack)
    JumpStartEndpoint(stack, "Tuned", model_id="fixture-tf-script-mode", model_data=job.model_data,
                      serverless=ServerlessConfig())
    t = Template.from_stack(stack)
    (packer,) = t.find_resources("Custom::JumpStartArtifact").values()
    result_id = next(iter(t.find_resources("Custom::JumpStartJobResult")))
    assert packer["Properties"]["Source"] == {"Fn::GetAtt": [result_id, "ModelArtifacts"]}
    output_bucket = next(k for k in t.find_resources("AWS::S3::Bucket") if k.startswith("FineTuneOutput"))
    reads = [s for s in role_statements(t, "JumpStartJobsHandler") if "s3:GetObject" in json.dumps(s["Action"])
             and output_bucket in json.dumps(s["Resource"])]
    assert reads and all("/jumpstart-training/*" in json.dumps(s["Resource"]) for s in reads)


def test_job_permissions_are_scoped_to_the_construct_not_the_model(make_stack):
    """Two constructs fine-tuning the same model (here in two stacks, and twice in one): the handler of
    each may create, describe and stop only its own construct's jobs, whatever their inputs (#18
    review, finding 7: the statement covered every job of the model)."""
    import fnmatch

    first = make_stack()
    second = cdk.Stack(first.node.scope, "OtherStack", env=cdk.Environment(account="123456789012", region="us-west-2"))
    mine = _job(first)
    other_here = JumpStartTrainingJob(first, "Again", model_id=MOBILENET, model_version="3.0.25",
                                      training_data="s3://my-data/train/")
    other_there = _job(second)

    def job_resources(stack):
        statements = role_statements(Template.from_stack(stack), "JumpStartJobsHandlerRole")
        return [stack.resolve(r) for s in statements if "sagemaker:CreateTrainingJob" in s["Action"]
                for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]

    [resource] = [r for r in job_resources(first) if mine.runner.job_name_scope in json.dumps(r)]
    pattern = _render(resource).split(":training-job/")[1]
    assert fnmatch.fnmatchcase(f"{mine.runner.job_name_prefix}-abcdef", pattern)
    for other in (other_here, other_there):
        assert not fnmatch.fnmatchcase(f"{other.runner.job_name_prefix}-abcdef", pattern)
    assert pattern == f"{mine.runner.job_name_scope}-*" and mine.runner.job_name_prefix.startswith(pattern[:-1])


def test_the_longest_job_name_fits_sagemakers_63_characters(make_stack):
    """``{model}-ft-{path6}-{inputs10}-{lifetime6}``: the model id is cut so the name fits
    (TrainingJobName pattern ``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$``) and the heartbeat rule's
    ``{prefix}-hb`` fits a rule name's 64."""
    from constructs_jumpstart.jobs.runner import job_name_base

    base = job_name_base("x" * 100, "ft")
    assert base.endswith("-ft") and len(base) + 1 + 6 + 1 + 10 + 1 + 6 == 63
    job = _job(make_stack())
    assert len(f"{job.runner.job_name_prefix}-abcdef") <= 63 and len(f"{job.runner.job_name_prefix}-hb") <= 64


def test_a_new_naming_scheme_is_a_new_wait(make_stack, monkeypatch):
    """Job names changed (finding 7): under the same handle and completed wait, an upgraded stack's
    Update would start a job nobody waits for, and the result resource would fail on it. The scheme is
    in the inputs' digest, so an upgrade makes a new handle and wait (a clean new lifetime)."""
    from constructs_jumpstart.jobs import runner

    current = make_stack()
    now = {current.get_logical_id(w) for w in _job(current).runner.waits}
    monkeypatch.setattr(runner, "NAME_SCHEME", runner.NAME_SCHEME - 1)
    before = make_stack()
    assert not now & {before.get_logical_id(w) for w in _job(before).runner.waits}


def _resolved_size(document) -> int:
    """A policy document's characters as IAM counts them (no whitespace), with every intrinsic
    function taken as a 100-character value (an ARN or name CloudFormation fills in)."""
    def fill(value):
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref")):
            return "x" * 100
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return [fill(v) for v in value] if isinstance(value, list) else value
    return len(json.dumps(fill(document), separators=(",", ":")))


def test_the_handler_roles_inline_policies_do_not_grow_with_jobs(make_stack):
    """"IAM and AWS STS quotas": a role's inline policies together hold at most 10,240 characters. Each
    job's permissions are a managed policy of its own (one per construct), so the handler's inline
    policy is the same for 1 job or 12 (#19 part 2 review: 5 transforms reached ~10,800)."""
    sizes = []
    for count in (1, 12):
        stack = make_stack()
        for i in range(count):
            JumpStartTrainingJob(stack, f"FineTune{i}", model_id=MOBILENET, model_version="3.0.25",
                                 training_data=f"s3://my-data/train{i}/")
        t = Template.from_stack(stack)
        role = next(k for k in t.find_resources("AWS::IAM::Role") if k.startswith("JumpStartJobsHandlerRole"))
        inline = [p["Properties"]["PolicyDocument"] for p in t.find_resources("AWS::IAM::Policy").values()
                  if {"Ref": role} in p["Properties"]["Roles"]]
        sizes.append(sum(_resolved_size(d) for d in inline))
        managed = [p for p in t.find_resources("AWS::IAM::ManagedPolicy").values()
                   if {"Ref": role} in p["Properties"]["Roles"]]
        assert len(managed) == count and all(_resolved_size(p["Properties"]["PolicyDocument"]) <= 6144
                                             for p in managed)  # a managed policy's own quota
    assert sizes[0] == sizes[1] <= 10240, sizes


def test_more_jobs_than_a_roles_managed_policy_quota_is_a_warning_then_an_error(make_stack):
    """IAM attaches at most 10 managed policies to a role by default (20 with a quota increase): the
    10th job construct of a stack says so at synth (a replacement needs an 11th for a while), the
    21st is refused."""
    stack = make_stack()
    for i in range(10):
        JumpStartTrainingJob(stack, f"FineTune{i}", model_id=MOBILENET, model_version="3.0.25",
                             training_data=f"s3://my-data/train{i}/")
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("Managed policies per role"))
    assert [w.id for w in warnings] == ["/TestStack/FineTune9/Runner"], warnings
    assert "needs an 11th" in json.dumps(warnings[0].entry.data)
    for i in range(10, 20):
        JumpStartTrainingJob(stack, f"FineTune{i}", model_id=MOBILENET, model_version="3.0.25",
                             training_data=f"s3://my-data/train{i}/")
    with pytest.raises(ValidationError, match=r"more than 20 training or transform jobs.*Split the jobs across stacks"):
        JumpStartTrainingJob(stack, "FineTune20", model_id=MOBILENET, model_version="3.0.25",
                             training_data="s3://my-data/train20/")


def test_the_handler_tags_only_as_its_create_call_and_never_reaches_a_vpc_warm_pool_or_file_system(make_stack):
    """#19 part 2 review: AddTags only with ``sagemaker:TaggingAction`` = the Create action; with no VPC
    in the stack, none in the request (``Null`` true); no warm pool, no file-system channel."""
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    statements = [s for p in t.find_resources("AWS::IAM::ManagedPolicy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    [tag] = [s for s in statements if s["Action"] == "sagemaker:AddTags"]
    assert tag["Condition"]["StringEquals"]["sagemaker:TaggingAction"] == "CreateTrainingJob"
    assert "aws:RequestTag/jumpstart:stack-id" in tag["Condition"]["StringEquals"]
    [create] = [s for s in statements if s["Action"] == "sagemaker:CreateTrainingJob"]
    assert {k: v for k, v in create["Condition"]["Null"].items() if v == "true"} == {
        "sagemaker:VpcSubnets": "true", "sagemaker:VpcSecurityGroupIds": "true", "sagemaker:KeepAlivePeriod": "true",
        "sagemaker:FileSystemId": "true"}


# -- a training plan's reserved capacity (#21 part 3) ------------------------------------------------

PLAN = "arn:aws:sagemaker:us-west-2:123456789012:training-plan/my-plan-p5"


def test_a_job_on_a_training_plan(make_stack):
    """``ResourceConfig.TrainingPlanArn`` (one plan per job); the handler may start the job on exactly
    that plan, under the same conditions as without one; the request passes the service model."""
    stack = make_stack()
    _job(stack, training_plan=PLAN)
    t = Template.from_stack(stack)
    assert _request(t)["ResourceConfig"]["TrainingPlanArn"] == PLAN
    assert conformance.check_template(t.to_json())[1] == []
    [create] = [s for p in t.find_resources("AWS::IAM::ManagedPolicy").values()
                for s in p["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "sagemaker:CreateTrainingJob"]
    assert PLAN in create["Resource"] and len(create["Resource"]) == 2
    assert "sagemaker:InstanceTypes" in json.dumps(create["Condition"])
    plain = make_stack()
    _job(plain)
    assert "TrainingPlanArn" not in _request(Template.from_stack(plain))["ResourceConfig"]


@pytest.mark.parametrize("plan, message", [
    ("my-plan", r"training_plan 'my-plan' is not a training plan ARN .*ResourceConfig\.TrainingPlanArn: 50-2048"),
    (PLAN.replace("training-plan", "reserved-capacity"), r"is not a training plan ARN"),
    (PLAN.replace("us-west-2", "us-east-1"), r"training_plan '.*' is in us-east-1; the training job is in us-west-2"),
])
def test_a_bad_training_plan_is_a_synth_error(make_stack, plan, message):
    with pytest.raises(ValidationError, match=message):
        _job(make_stack(), training_plan=plan)
