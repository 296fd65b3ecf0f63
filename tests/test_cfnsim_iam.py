"""The simulator's IAM (tests/cfnsim/iam.py): policy evaluation logic, the Service Authorization
Reference mappings, the error shapes, and that the function's calls are authorized against its role's
policies as they stand in the stack at the moment of the call."""

from __future__ import annotations

import pytest

from tests.cfnsim import World, apps
from tests.cfnsim.iam import Request, SimulatorGap, decide, requests_of
from tests.cfnsim.world import seed

MODEL = "arn:aws:sagemaker:us-west-2:123456789012:model/"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_explicit_allow_needed_and_deny_wins():
    request = Request("sagemaker:DeleteModel", MODEL + "m-1")
    assert decide([], request) == "implicit"
    assert decide([doc(allow("sagemaker:DeleteModel", MODEL + "m-*"))], request) == "allow"
    deny = {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}
    assert decide([doc(allow("sagemaker:DeleteModel", MODEL + "m-*")), doc(deny)], request) == "deny"


def test_actions_match_case_insensitively_with_wildcards_and_resources_case_sensitively():
    request = Request("s3:GetObjectVersion", "arn:aws:s3:::b/k/x")
    assert decide([doc(allow("S3:getobject*", "arn:aws:s3:::b/k/*"))], request) == "allow"
    assert decide([doc(allow("s3:GetObject?ersion", "arn:aws:s3:::b/*"))], request) == "allow"
    assert decide([doc(allow("s3:GetObject*", "arn:aws:s3:::B/*"))], request) == "implicit"
    assert decide([doc({"Effect": "Allow", "NotAction": "s3:Put*", "Resource": "*"})], request) == "allow"


def test_conditions_of_the_librarys_policies():
    passed = Request("iam:PassRole", "arn:aws:iam::123456789012:role/r", {"iam:PassedToService":
                                                                          ["sagemaker.amazonaws.com"]})
    to = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert decide([doc(allow("iam:PassRole", "*", Condition=to))], passed) == "allow"
    other = Request(passed.action, passed.resource, {"iam:PassedToService": ["lambda.amazonaws.com"]})
    assert decide([doc(allow("iam:PassRole", "*", Condition=to))], other) == "implicit"
    listing = Request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ["p/q/"]})
    like = {"StringLike": {"s3:prefix": ["x/*", "p/*"]}}
    assert decide([doc(allow("s3:ListBucket", "arn:aws:s3:::b", Condition=like))], listing) == "allow"
    absent = Request("s3:ListBucket", "arn:aws:s3:::b")  # a key absent from the context: false ...
    assert decide([doc(allow("s3:ListBucket", "*", Condition=like))], absent) == "implicit"
    negated = {"StringNotLike": {"s3:prefix": "x/*"}}  # ... a negated operator true, IfExists true
    assert decide([doc(allow("s3:ListBucket", "*", Condition=negated))], absent) == "allow"
    assert decide([doc(allow("s3:ListBucket", "*", Condition={"StringLikeIfExists": like["StringLike"]}))],
                  absent) == "allow"


def test_numeric_bool_arn_and_set_operators():
    """"IAM JSON policy elements: Condition operators" (Numeric, Boolean, ARN: "each of the six
    colon-delimited components of the ARN is checked separately", case-sensitively) and "Single-valued vs.
    multivalued context keys" (ForAllValues true when every request value matches, and when the key is
    absent; ForAnyValue true when one does, false when absent)."""
    job = "arn:aws:sagemaker:us-west-2:123456789012:training-job/j"

    def allowed(condition, context):
        return decide([doc(allow("sagemaker:CreateTrainingJob", "*", Condition=condition))],
                      Request("sagemaker:CreateTrainingJob", job, context)) == "allow"

    runtime = {"NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": "3600"}}
    assert allowed(runtime, {"sagemaker:MaxRuntimeInSeconds": ["3600"]})
    assert not allowed(runtime, {"sagemaker:MaxRuntimeInSeconds": ["3601"]})
    assert not allowed(runtime, {})
    isolation = {"Bool": {"sagemaker:NetworkIsolation": "true"}}
    assert allowed(isolation, {"sagemaker:NetworkIsolation": ["true"]})
    assert not allowed(isolation, {"sagemaker:NetworkIsolation": ["false"]}) and not allowed(isolation, {})
    key = "arn:aws:kms:us-west-2:123456789012:key/k"
    assert allowed({"ArnEquals": {"sagemaker:VolumeKmsKeyArn": key}}, {"sagemaker:VolumeKmsKeyArn": [key]})
    assert not allowed({"ArnEquals": {"sagemaker:VolumeKmsKeyArn": key}}, {"sagemaker:VolumeKmsKeyArn": [key.upper()]})
    assert allowed({"ArnLike": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:*:123456789012:key/*"}},
                   {"sagemaker:VolumeKmsKeyArn": [key]})
    assert not allowed({"ArnLike": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:*:*:alias/*"}},
                       {"sagemaker:VolumeKmsKeyArn": [key]})
    types = {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.c5.xlarge"]}}
    assert allowed(types, {"sagemaker:InstanceTypes": ["ml.m5.xlarge"]})
    assert not allowed(types, {"sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.p4d.24xlarge"]})
    assert allowed(types, {})  # absent: ForAllValues holds, which is why the library adds Null = false
    assert not allowed({**types, "Null": {"sagemaker:InstanceTypes": "false"}}, {})
    any_of = {"ForAnyValue:StringEquals": {"sagemaker:InstanceTypes": "ml.p4d.24xlarge"}}
    assert allowed(any_of, {"sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.p4d.24xlarge"]})
    assert not allowed(any_of, {})
    assert allowed({"ForAnyValue:StringEqualsIfExists": any_of["ForAnyValue:StringEquals"]}, {})  # ...IfExists
    not_equal = {"NumericNotEquals": {"sagemaker:MaxRuntimeInSeconds": "60"}}  # negated: true when absent
    assert allowed(not_equal, {}) and allowed(not_equal, {"sagemaker:MaxRuntimeInSeconds": ["61"]})
    assert not allowed(not_equal, {"sagemaker:MaxRuntimeInSeconds": ["60"]})


def test_create_calls_supply_the_keys_the_reference_lists():
    training = requests_of("sagemaker", "CreateTrainingJob", {
        "TrainingJobName": "j", "RoleArn": "arn:aws:iam::1:role/x",
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "VolumeKmsKeyId": "arn:k"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60}, "EnableNetworkIsolation": True,
        "OutputDataConfig": {"S3OutputPath": "s3://b/p", "KmsKeyId": "arn:o"},
        "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}})[0]
    assert training.context == {
        "sagemaker:InstanceTypes": ["ml.m5.xlarge"], "sagemaker:MaxRuntimeInSeconds": ["60"],
        "sagemaker:VolumeKmsKeyArn": ["arn:k"], "sagemaker:OutputKmsKeyArn": ["arn:o"],
        "sagemaker:NetworkIsolation": ["true"], "sagemaker:VpcSubnets": ["subnet-1"],
        "sagemaker:VpcSecurityGroupIds": ["sg-1"]}
    transform = requests_of("sagemaker", "CreateTransformJob", {
        "TransformJobName": "t", "ModelName": "My-Model", "TransformResources": {"InstanceType": "ml.m5.large"},
        "TransformOutput": {"S3OutputPath": "s3://b/o"}})[0]
    assert transform.context == {"sagemaker:InstanceTypes": ["ml.m5.large"], "sagemaker:ModelArn": [MODEL + "my-model"]}
    assert requests_of("sagemaker", "DescribeTrainingJob", {"TrainingJobName": "j"})[0].context == {}


@pytest.mark.parametrize("condition", [{"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}},
                                       {"DateLessThan": {"s3:prefix": "2020-01-01T00:00:00Z"}},
                                       {"IpAddress": {"s3:prefix": "203.0.113.0/24"}},
                                       {"ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}},
                                       {"ForEachValue:StringEquals": {"s3:prefix": "a"}}])
def test_unknown_condition_keys_and_operators_fail_the_simulator(condition):
    with pytest.raises(SimulatorGap):
        decide([doc(allow("s3:ListBucket", "*", Condition=condition))], Request("s3:ListBucket", "arn:aws:s3:::b"))


def test_requests_of_calls():
    create = requests_of("sagemaker", "CreateModel", {"ModelName": "Big-Model", "Tags": [{"Key": "k", "Value": "v"}],
                                                      "ExecutionRoleArn": "arn:aws:iam::1:role/x"})
    assert [(r.action, r.resource) for r in create] == [
        ("sagemaker:CreateModel", MODEL + "big-model"), ("sagemaker:AddTags", MODEL + "big-model"),
        ("iam:PassRole", "arn:aws:iam::1:role/x")]
    assert create[2].context == {"iam:PassedToService": ["sagemaker.amazonaws.com"]}
    assert requests_of("sagemaker", "StopTransformJob", {"TransformJobName": "J"})[0].resource.endswith(
        ":transform-job/j")
    assert [(r.action, r.resource) for r in requests_of("s3", "DeleteObject", {"Bucket": "b", "Key": "k",
                                                                               "VersionId": "v"})] \
        == [("s3:DeleteObjectVersion", "arn:aws:s3:::b/k")]
    assert requests_of("s3", "HeadObject", {"Bucket": "b", "Key": "k"})[0].action == "s3:GetObject"
    versions = requests_of("s3", "ListObjectVersions", {"Bucket": "b", "Prefix": "p/"})[0]
    assert (versions.action, versions.resource, versions.context) == ("s3:ListBucketVersions", "arn:aws:s3:::b",
                                                                      {"s3:prefix": ["p/"]})
    assert requests_of("events", "DisableRule", {"Name": "r"})[0].resource == \
        "arn:aws:events:us-west-2:123456789012:rule/r"
    with pytest.raises(SimulatorGap):
        requests_of("sagemaker", "CreateEndpoint", {"EndpointName": "e"})


def test_the_policy_in_force_at_the_call_decides_and_a_denial_has_the_services_shape():
    """Take DeleteModel out of the handler's policy once the stack is up: the stack's delete then
    fails on the model with SageMaker's AccessDeniedException, and the model stays."""
    world, assembly = World(), apps.example("gated-llm")
    seed(world, assembly)
    stack = world.deploy("Stack", assembly)
    assert stack.status == "CREATE_COMPLETE" and world.iam.denials == []
    policy = next(r for r in stack.resources.values() if r.type == "AWS::IAM::Policy"
                  and r.logical.startswith("JumpStartJobsHandlerRoleDefaultPolicy"))
    for statement in policy.props["PolicyDocument"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        statement["Action"] = [a for a in actions if a != "sagemaker:DeleteModel"] or "sagemaker:AddTags"
    assert world.destroy("Stack").status == "DELETE_FAILED"
    failed = [e for e in stack.events if e[2] == "DELETE_FAILED"]
    assert any("AccessDeniedException" in e[3] and "sagemaker:DeleteModel" in e[3] for e in failed), failed
    assert [d["action"] for d in world.iam.denials] == ["sagemaker:DeleteModel"]
    assert len(world.sagemaker.models) == 1


def test_a_missing_key_read_without_list_bucket_is_403():
    """Amazon S3 API Reference (GetObject, HeadObject: "Permissions"): 404 with s3:ListBucket on the
    bucket, 403 without. The serverless packer's source is missing; its handler may list the source
    prefix only (s3:prefix condition), so HeadObject of a missing object is Forbidden."""
    world, assembly = World(), apps.example("script-mode")  # reads single objects: HeadObject of each
    seed(world, assembly)
    for bucket in world.s3.buckets.values():
        bucket["objects"].clear()
    stack = world.deploy("Stack", assembly)
    assert stack.status == "ROLLBACK_COMPLETE"
    reasons = [e[3] for e in stack.events if e[2] == "CREATE_FAILED"]
    assert any("403" in r and "Forbidden" in r for r in reasons), reasons


def test_a_gap_of_the_simulator_ends_the_scenario_instead_of_failing_the_resource():
    """A policy conditioned on a key the simulator does not model: the stack operation raises
    SimulatorGap (the handler cannot report it as its own failure)."""
    world, assembly = World(), apps.example("gated-llm")
    seed(world, assembly)
    stack = world.deploy("Stack", assembly)
    policy = next(r for r in stack.resources.values() if r.type == "AWS::IAM::Policy"
                  and r.logical.startswith("JumpStartJobsHandlerRoleDefaultPolicy"))
    policy.props["PolicyDocument"]["Statement"].append(
        {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    with pytest.raises(SimulatorGap, match="aws:RequestedRegion"):
        world.destroy("Stack")


def test_the_handlers_staging_writes_reach_only_a_bucket_of_the_stacks_account():
    """``s3:ResourceAccount`` on the packer's staging-bucket statements: were the bucket of that name
    another account's (a name taken between deploys), the handler's reads, writes and listings there
    are denied, and the stack rolls back instead of handing its artifacts to that account."""
    world, assembly = World(), apps.example("transform")
    seed(world, assembly)
    make = world.s3.make_bucket
    world.s3.make_bucket = lambda name, versioned=False, owner="123456789012": make(
        name, versioned, "111122223333" if "jumpstartartifacts" in name else owner)
    stack = world.deploy("Stack", assembly)
    assert stack.status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED"), stack.status
    denied = {(d["action"], d["resource"].split(":::")[1].split("/")[0]) for d in world.iam.denials}
    assert denied and all("jumpstartartifacts" in bucket for _, bucket in denied), denied
