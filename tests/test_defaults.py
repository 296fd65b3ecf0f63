"""Smaller grants and safer defaults (#19 part 4): each on the template or on the handler."""

from __future__ import annotations

import io
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from constructs_jumpstart import (
    JumpStartBatchTransform,
    JumpStartEndpoint,
    JumpStartError,
    JumpStartModel,
    JumpStartTrainingJob,
)
from constructs_jumpstart.provider.asset.handler import cfn, index, jobs

from .conftest import role_statements
from .test_jobs import _request

MOBILENET = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")


def _job(stack, **kw) -> JumpStartTrainingJob:
    return JumpStartTrainingJob(stack, "FineTune", training_data="s3://my-data/train/", **MOBILENET, **kw)


# -- 1. the training security group ------------------------------------------------------------------

def _group(template: Template) -> dict:
    (group,) = template.find_resources("AWS::EC2::SecurityGroup", {
        "Properties": {"GroupDescription": "JumpStart training job"}}).values()
    return group["Properties"]


def test_training_security_group_has_no_all_egress_only_https(make_stack):
    stack = make_stack()
    _job(stack, vpc=ec2.Vpc(stack, "Vpc"))
    t = Template.from_stack(stack)
    egress = _group(t)["SecurityGroupEgress"]
    assert all(rule.get("IpProtocol") != "-1" for rule in egress)
    assert {(r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIp"]) for r in egress} == {("tcp", 443, 443, "0.0.0.0/0")}
    t.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)  # one instance: no traffic between instances


def test_multi_node_training_allows_traffic_within_its_group(make_stack):
    stack = make_stack()
    job = _job(stack, vpc=ec2.Vpc(stack, "Vpc"), instance_count=2)
    t = Template.from_stack(stack)
    (sg_id,) = t.find_resources("AWS::EC2::SecurityGroup", {
        "Properties": {"GroupDescription": "JumpStart training job"}})
    self_ref = {"Fn::GetAtt": [sg_id, "GroupId"]}
    t.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "IpProtocol": "-1", "GroupId": self_ref, "SourceSecurityGroupId": self_ref})
    t.has_resource_properties("AWS::EC2::SecurityGroupEgress", {
        "IpProtocol": "-1", "GroupId": self_ref, "DestinationSecurityGroupId": self_ref})
    assert job.security_groups


def test_training_egress_is_configurable(make_stack):
    stack = make_stack()
    _job(stack, vpc=ec2.Vpc(stack, "Vpc"), allow_all_outbound=True)
    egress = _group(Template.from_stack(stack))["SecurityGroupEgress"]
    assert [r["IpProtocol"] for r in egress] == ["-1"]


# -- 2. customer-managed keys by default -------------------------------------------------------------

def _key_ref(stack, construct) -> dict:
    return {"Fn::GetAtt": [stack.get_logical_id(construct.encryption_key.node.default_child), "Arn"]}


def test_training_defaults_to_a_customer_managed_key(make_stack):
    stack = make_stack()
    job = _job(stack)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    req = _request(t)
    key = "<" + json.dumps(_key_ref(stack, job), sort_keys=True).replace('"', "'") + ">"
    assert req["ResourceConfig"]["VolumeKmsKeyId"] == key
    assert req["OutputDataConfig"]["KmsKeyId"] == key
    t.has_resource_properties("AWS::S3::Bucket", {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        Match.object_like({"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": _key_ref(stack, job)}})]}})
    # OutputDataConfig.KmsKeyId: "the SageMaker execution role must include permissions to call kms:Encrypt"
    key_actions = {a for st in role_statements(t, "FineTuneRole") if st["Resource"] == _key_ref(stack, job)
                   for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"} <= key_actions


def test_training_takes_the_users_key(make_stack):
    stack = make_stack()
    key = kms.Key(stack, "Mine")
    job = _job(stack, encryption_key=key)
    assert job.encryption_key is key
    keys = Template.from_stack(stack).find_resources("AWS::KMS::Key")
    assert not [k for k in keys.values() if "training job" in k["Properties"].get("Description", "")]


def test_transform_defaults_to_a_customer_managed_key(make_stack):
    stack = make_stack()
    job = JumpStartBatchTransform(stack, "Classify", input_data="s3://my-data/images/", **MOBILENET)
    t = Template.from_stack(stack)
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    req = _request(t, "transform")
    key = "<" + json.dumps(_key_ref(stack, job), sort_keys=True).replace('"', "'") + ">"
    assert req["TransformOutput"]["KmsKeyId"] == key
    assert req["TransformResources"]["VolumeKmsKeyId"] == key


# -- 3. network isolation and inter-container encryption ---------------------------------------------

def test_training_isolation_and_encryption_can_be_tightened_not_loosened(make_stack):
    stack = make_stack()
    _job(stack, enable_network_isolation=True, encrypt_inter_container_traffic=True)
    req = _request(Template.from_stack(stack))
    assert req["EnableNetworkIsolation"] is True and req["EnableInterContainerTrafficEncryption"] is True
    with pytest.raises(JumpStartError, match="enable_network_isolation=False"):
        _job(make_stack(), enable_network_isolation=False)
    with pytest.raises(JumpStartError, match="encrypt_inter_container_traffic=False"):
        _job(make_stack(), encrypt_inter_container_traffic=False)


# -- 4. the handler's log key ------------------------------------------------------------------------

def test_handler_log_key_is_for_its_log_group_only(make_stack):
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    (group_id, group), = t.find_resources("AWS::Logs::LogGroup", {
        "Properties": {"KmsKeyId": Match.any_value()}}).items()
    name = group["Properties"]["LogGroupName"]
    assert isinstance(name, str) and name
    (key,) = [k for k in t.find_resources("AWS::KMS::Key").values() if "handler" in k["Properties"]["Description"]]
    (logs_statement,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"]
                         if "Service" in s["Principal"] and "logs." in json.dumps(s["Principal"])]
    condition = logs_statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert name in json.dumps(condition) and ":log-group:" in json.dumps(condition)


# -- 5. the handler's on-failure destination ---------------------------------------------------------

def test_handler_has_an_encrypted_on_failure_queue(make_stack):
    stack = make_stack()
    _job(stack)
    t = Template.from_stack(stack)
    (queue_id, queue), = t.find_resources("AWS::SQS::Queue").items()
    assert "KmsMasterKeyId" in queue["Properties"]
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    t.has_resource_properties("AWS::Lambda::EventInvokeConfig", {
        "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}}})
    t.has_resource_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


# -- 6. the smoke test -------------------------------------------------------------------------------

def test_smoke_test_does_not_log_the_answer(monkeypatch, capsys):
    from constructs_jumpstart.smoke import index as smoke

    class Body:
        def read(self):
            return b'{"generated_text": "the secret answer"}'

    class Client:
        def describe_endpoint(self, EndpointName):
            return {"EndpointConfigName": "cfg"}

        def invoke_endpoint(self, **kw):
            return {"Body": Body(), "ContentType": "application/json"}

    monkeypatch.setattr(smoke.boto3, "client", lambda *a, **k: Client())
    monkeypatch.setattr(smoke, "payload", lambda: b"{}", raising=False)
    for name, value in {"ENDPOINT_NAME": "ep", "ENDPOINT_CONFIG_NAME": "cfg", "CONTENT_TYPE": "application/json",
                        "PAYLOAD": "e30="}.items():
        monkeypatch.setenv(name, value)
    assert smoke.handler({}, None)["bytes"] > 0
    assert "secret answer" not in capsys.readouterr().out


def test_smoke_payload_is_not_in_the_functions_environment(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Chat", model_id="fixture-llm-families", model_version="1.0.0").add_smoke_test(
        payload={"inputs": "my private prompt"})
    t = Template.from_stack(stack)
    (function,) = [f for k, f in t.find_resources("AWS::Lambda::Function").items() if "SmokeTest" in k]
    assert "PAYLOAD" not in function["Properties"]["Environment"]["Variables"]
    assert "private prompt" not in json.dumps(t.to_json())


# -- 7. environment names that look like secrets -----------------------------------------------------

def test_secret_looking_environment_names_warn(make_stack):
    stack = make_stack()
    JumpStartModel(stack, "M", **MOBILENET, environment={"HF_TOKEN": "x", "DB_PASSWORD": "y", "BATCH": "1"})
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("jumpstart:secret-in-env"))
    text = json.dumps([w.entry.data for w in warnings]) if warnings and hasattr(warnings[0], "entry") else json.dumps(
        [str(w) for w in warnings])
    assert "HF_TOKEN" in text and "DB_PASSWORD" in text and "BATCH" not in text and "Secrets Manager" in text


def test_the_specs_own_environment_does_not_warn(make_stack):
    stack = make_stack()
    JumpStartModel(stack, "M", **MOBILENET)
    assert not Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("jumpstart:secret-in-env"))


# -- 8. failure reasons ------------------------------------------------------------------------------

RESPONSE_URL = "https://cloudformation-custom-resource-response-uswest2.s3-us-west-2.amazonaws.com/r"
WAIT_URL = "https://cloudformation-waitcondition-us-west-2.s3-us-west-2.amazonaws.com/h"  # the handler PUTs only there


def test_failure_reasons_are_bounded_and_do_not_echo_request_values(monkeypatch):
    sent = []
    monkeypatch.setattr(cfn, "put", lambda url, data: sent.append(json.loads(data)))
    request = {"Environment": {"API_KEY": "sk-verysecretvalue"}, "HyperParameters": {"token": '"hp-secret-123"'}}
    event = {"RequestType": "Create", "ResponseURL": RESPONSE_URL, "StackId": "s", "RequestId": "r",
             "LogicalResourceId": "Job", "ResourceType": "Custom::JumpStartJob",
             "ResourceProperties": {"Kind": "training", "JobName": "j", "Request": json.dumps(request),
                                    "WaitHandle": WAIT_URL}}

    def boom(event):
        raise ValueError("bad value sk-verysecretvalue and hp-secret-123 " + "x" * 5000)

    monkeypatch.setitem(index.HANDLERS, "Custom::JumpStartJob", boom)
    index.on_request(event)
    reason = sent[-1]["Reason"]
    assert "sk-verysecretvalue" not in reason and "hp-secret-123" not in reason
    assert len(reason) <= cfn.REASON_LIMIT < 4096


def test_wait_signal_reason_does_not_echo_the_jobs_values(monkeypatch):
    sent = []
    monkeypatch.setattr(cfn, "put", lambda url, data: sent.append(json.loads(data)))
    jobs.signal("https://h", "training", {
        "TrainingJobName": "j", "TrainingJobStatus": "Failed", "Environment": {"API_KEY": "sk-verysecretvalue"},
        "FailureReason": "ClientError: invalid value sk-verysecretvalue " + "y" * 5000})
    assert "sk-verysecretvalue" not in sent[-1]["Reason"] and len(sent[-1]["Reason"]) <= cfn.REASON_LIMIT


# -- 9. the fine-tune example's dataset --------------------------------------------------------------

def test_finetune_example_takes_the_default_dataset_from_the_resolver(lockfile):
    from stacks import FineTuneStack

    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile),
                           "jumpstart:errors": "raise"})
    stack = FineTuneStack(app, "F", env=cdk.Environment(region="us-west-2"))
    uri = stack.job.resolved.default_training_dataset_uri
    assert uri and _request(Template.from_stack(stack))["InputDataConfig"][0]["DataSource"]["S3DataSource"][
        "S3Uri"] == uri
    import inspect

    import stacks.finetune_stack as module
    assert "training-datasets/" not in inspect.getsource(module.FineTuneStack.__init__)


def test_training_role_may_encrypt_its_output_in_your_bucket(make_stack):
    """OutputDataConfig.KmsKeyId (service model): "the SageMaker execution role must include permissions
    to call kms:Encrypt" -- also where the bucket is yours, whose grants do not name the job's key."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    job = _job(stack, output_bucket=s3.Bucket.from_bucket_name(stack, "Out", "my-out"))
    key_actions = {a for st in role_statements(Template.from_stack(stack), "FineTuneRole")
                   if st["Resource"] == _key_ref(stack, job)
                   for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert "kms:Encrypt" in key_actions


def test_transform_model_role_may_encrypt_its_output_in_your_bucket(make_stack):
    """As training (#19 review of parts 3-4): CreateTransformJob's output is written with the key as the
    model's execution role, and OutputDataConfig.KmsKeyId's documentation (service model) names
    CreateTransformJob among the requests whose role "must include permissions to call kms:Encrypt";
    with a bucket of yours no bucket grant names the job's key."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    bt = JumpStartBatchTransform(stack, "Classify", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                                 input_data="s3://my-data/images/",
                                 output_bucket=s3.Bucket.from_bucket_name(stack, "Out", "my-out"))
    key_actions = {a for st in role_statements(Template.from_stack(stack), "ClassifyModelRole")
                   if st["Resource"] == _key_ref(stack, bt)
                   for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert "kms:Encrypt" in key_actions, key_actions
