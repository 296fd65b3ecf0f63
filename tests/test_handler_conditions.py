"""Issue #19 part 2: the handler's permission to start a job holds only for the job the template
describes. A principal allowed ``lambda:InvokeFunction`` hands the deployed handler an event of its own
(a copy of the stack's, with one field changed and a wait handle of its own, so the handler names and
starts a new job); the simulator evaluates the handler's ``Create*`` call against the role's policies
with the condition keys SageMaker supplies (tests/cfnsim/iam.py, ``_create_context``). The unchanged
copy starts its job: what is refused is refused by the conditions, not by the name or the event."""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Dict

import pytest

from constructs_jumpstart.jobs._authorize import model_conditions, training_conditions, transform_conditions
from tests.cfnsim import World, apps
from tests.cfnsim.world import seed

OTHER_KEY = "arn:aws:kms:us-west-2:123456789012:key/00000000-0000-0000-0000-000000000000"
_DEPLOYED: Dict[str, Any] = {}


def _deployed(example: str):
    world, assembly = World(), apps.example(example)
    seed(world, assembly)
    stack = world.deploy("Stack", assembly)
    assert stack.status == "CREATE_COMPLETE"
    return world, stack


def _forge(example: str, change: Callable[[Dict[str, Any]], Any]):
    """Deploy ``example``, then invoke its handler with the stack's own job-create event, ``change``d.
    Returns the world, the new jobs, and the denied actions."""
    world, stack = _deployed(example)
    genuine = next(r for r in world.custom_requests(stack)
                   if r["ResourceType"] == "Custom::JumpStartJob" and r["RequestType"] == "Create")
    event = copy.deepcopy(genuine)
    request = json.loads(event["ResourceProperties"]["Request"])
    change(request)
    event["ResourceProperties"]["Request"] = json.dumps(request)
    event["ResourceProperties"]["WaitHandle"] = world.cfn.new_handle(stack, "Forged")
    event["RequestId"] = "forged-request"
    jobs_before = set(world.sagemaker.jobs)
    denials_before = len(world.iam.denials)
    function = world.lambdas.functions[event["ResourceProperties"]["ServiceToken"]]
    world.lambdas.run(function, event)
    new_jobs = set(world.sagemaker.jobs) - jobs_before
    return world, new_jobs, [d["action"] for d in world.iam.denials[denials_before:]]


def _set(path: str, value: Any) -> Callable[[Dict[str, Any]], None]:
    def change(request: Dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node = request
        for part in parents:
            node = node[part]
        if value is None:
            node.pop(leaf)
        else:
            node[leaf] = value
    return change


def test_the_stacks_own_request_starts_its_job():
    """The control: the same event, unchanged, starts a job (so a refusal below is the conditions')."""
    for example in ("finetune", "transform"):
        _, new_jobs, denied = _forge(example, lambda request: None)
        assert len(new_jobs) == 1 and denied == [], (example, denied)


@pytest.mark.parametrize("change", [
    _set("ResourceConfig.InstanceType", "ml.p4d.24xlarge"),
    _set("StoppingCondition.MaxRuntimeInSeconds", 28 * 86400),
    _set("EnableNetworkIsolation", False),
    _set("EnableInterContainerTrafficEncryption", False),
    _set("ResourceConfig.VolumeKmsKeyId", OTHER_KEY),
    _set("OutputDataConfig.KmsKeyId", None),
    _set("VpcConfig", {"Subnets": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-0123456789abcdef0"]}),
    _set("ResourceConfig.KeepAlivePeriodInSeconds", 3600),
], ids=["instance-type", "runtime", "isolation-off", "encryption-off", "volume-key", "no-output-key", "a-vpc",
        "warm-pool"])
def test_a_forged_training_job_is_refused(change):
    _, new_jobs, denied = _forge("finetune", change)
    assert new_jobs == set() and set(denied) == {"sagemaker:CreateTrainingJob"}, denied


@pytest.mark.parametrize("change", [
    _set("ModelName", "someone-elses-model"),
    _set("TransformResources.InstanceType", "ml.p4d.24xlarge"),
    _set("TransformOutput.KmsKeyId", OTHER_KEY),
], ids=["another-model", "instance-type", "output-key"])
def test_a_forged_transform_job_is_refused(change):
    _, new_jobs, denied = _forge("transform", change)
    assert new_jobs == set() and set(denied) == {"sagemaker:CreateTransformJob"}, denied


def _without_stack_tag(request: Dict[str, Any]) -> None:
    request["Tags"] = [t for t in request["Tags"] if t["Key"] != "jumpstart:stack-id"]


def _other_stack_tag(request: Dict[str, Any]) -> None:
    _without_stack_tag(request)
    request["Tags"].append({"Key": "jumpstart:stack-id", "Value": "arn:aws:cloudformation:us-west-2:123456789012:"
                                                                  "stack/Other/1"})


@pytest.mark.parametrize("change", [_without_stack_tag, _other_stack_tag], ids=["untagged", "other-stack"])
def test_a_job_is_started_only_with_the_stacks_tag(change):
    """``aws:RequestTag/jumpstart:stack-id``: every job the handler starts carries the stack's id."""
    _, new_jobs, denied = _forge("finetune", change)
    assert new_jobs == set() and set(denied) == {"sagemaker:CreateTrainingJob"}, denied


def test_describe_and_stop_only_this_stacks_jobs_or_untagged_ones():
    """``aws:ResourceTag/jumpstart:stack-id`` with ``StringEqualsIfExists``: a job of this construct's
    name tagged with another stack's id is out of reach; one without the tag (started before the tag
    existed) is still described and stopped, so an upgraded stack can wait for and clean up its jobs."""
    from tests.cfnsim.iam import Request, decide, role_policies

    world, stack = _deployed("finetune")
    [job] = [j for j in world.sagemaker.jobs.values() if j["_kind"] == "training"]
    mine = next(t["Value"] for t in job["_tags"] if t["Key"] == "jumpstart:stack-id")
    assert mine == stack.id
    function = next(r for r in stack.resources.values() if r.type == "AWS::Lambda::Function"
                    and r.logical.startswith("JumpStartJobsHandler"))
    _, documents = role_policies(world.cfn, function.props["Role"])
    arn = job["TrainingJobArn"].replace(job["TrainingJobName"], job["TrainingJobName"].lower())
    for action in ("sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"):
        def decision(tags):
            return decide(documents, Request(action, arn, {f"aws:ResourceTag/{k}": [v] for k, v in tags.items()}))
        assert decision({"jumpstart:stack-id": mine}) == "allow"
        assert decision({}) == "allow"
        assert decision({"jumpstart:stack-id": "arn:aws:cloudformation:us-west-2:123456789012:stack/Other/1"}) \
            == "implicit"


def test_a_shorter_runtime_is_still_allowed():
    """``NumericLessThanEquals``: the stack's runtime is a ceiling, so a shorter job is no escalation."""
    _, new_jobs, denied = _forge("finetune", _set("StoppingCondition.MaxRuntimeInSeconds", 3600))
    assert len(new_jobs) == 1 and denied == []


def test_conditions_name_only_what_the_request_turns_on():
    """A setting the stack leaves off that only asks for less (isolation, a key) is not conditioned;
    one that would reach further (a VPC, a warm pool, a file system) must stay absent (``Null`` =
    ``true``, #19 review); list keys come with ``Null`` = ``false`` (``ForAllValues`` alone holds when
    the key is absent)."""
    bare = {"ResourceConfig": {"InstanceType": "ml.g5.2xlarge"}, "StoppingCondition": {"MaxRuntimeInSeconds": 60}}
    assert training_conditions(bare) == {
        "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.g5.2xlarge"]},
        "Null": {"sagemaker:InstanceTypes": "false", "sagemaker:VpcSubnets": "true",
                 "sagemaker:VpcSecurityGroupIds": "true", "sagemaker:KeepAlivePeriod": "true",
                 "sagemaker:FileSystemId": "true"},
        "NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": "60"}}
    groups = {"ResourceConfig": {"InstanceGroups": [{"InstanceType": "ml.p4d.24xlarge"},
                                                    {"InstanceType": "ml.c5.xlarge"}]},
              "StoppingCondition": {"MaxRuntimeInSeconds": 60},
              "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}
    conditions = training_conditions(groups)
    assert conditions["ForAllValues:StringEquals"] == {"sagemaker:InstanceTypes": ["ml.p4d.24xlarge", "ml.c5.xlarge"],
                                                       "sagemaker:VpcSubnets": ["subnet-1"],
                                                       "sagemaker:VpcSecurityGroupIds": ["sg-1"]}
    assert conditions["Null"] == {"sagemaker:InstanceTypes": "false", "sagemaker:VpcSubnets": "false",
                                  "sagemaker:VpcSecurityGroupIds": "false", "sagemaker:KeepAlivePeriod": "true",
                                  "sagemaker:FileSystemId": "true"}
    transform = transform_conditions({"TransformResources": {"InstanceType": "ml.m5.large"}}, ["arn:a", "arn:b"])
    assert transform["ArnEquals"] == {"sagemaker:ModelArn": ["arn:a", "arn:b"]}
    no_vpc = {"Null": {"sagemaker:VpcSubnets": "true", "sagemaker:VpcSecurityGroupIds": "true"}}
    assert model_conditions({"EnableNetworkIsolation": False}) == no_vpc
    assert model_conditions({"EnableNetworkIsolation": True}) == {"Bool": {"sagemaker:NetworkIsolation": "true"},
                                                                  **no_vpc}


def test_a_start_policy_not_yet_in_force_is_waited_for():
    """IAM: "Changes that I make are not always immediately visible". The construct's start policy is
    created right before its job starts; in a world where a new policy is in force only 12 s after its
    creation, the handler's first calls are denied, tried again, and the stack completes with one job.
    (Fine-tuning: in the simulated deploy the start policy is 10 s old at the job's Create, the
    handler's default policy 15 s. The transform example's packer runs 5 s after that default policy,
    as any custom resource runs right after its function, which waits for its default policy: the
    simulator's 5 s per resource is shorter than a real function's creation, so it is not used here.)"""
    world, assembly = World(), apps.example("finetune")
    seed(world, assembly)
    world.iam.propagation = 12.0
    stack = world.deploy("Stack", assembly)
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    assert world.iam.denials and {d["action"] for d in world.iam.denials} <= {"sagemaker:DescribeTrainingJob",
                                                                               "sagemaker:CreateTrainingJob"}
    assert [j["_kind"] for j in world.sagemaker.jobs.values()] == ["training"]


def test_a_forged_start_stays_refused_after_the_propagation_window():
    """What stays denied is tried for ``PROPAGATION`` seconds, then the event fails: no job."""
    from constructs_jumpstart.provider.asset.handler import aws

    world, new_jobs, denied = _forge("finetune", _set("ResourceConfig.InstanceType", "ml.p4d.24xlarge"))
    assert new_jobs == set() and len(denied) == int(aws.PROPAGATION // aws.DENIED_STEP) + 1, denied


def test_a_job_started_before_the_stack_tag_existed_is_still_waited_for_and_cleaned_up():
    """The upgrade path: a job started by an earlier version carries no ``jumpstart:stack-id`` (here:
    the tag taken off the deployed job); with ``StringEqualsIfExists`` the handler still describes it
    when the stack is deleted (its Delete asks whether the job still runs), where a plain
    ``StringEquals`` would deny it and fail the delete."""
    world, stack = _deployed("finetune")
    for job in world.sagemaker.jobs.values():
        job["_tags"] = [t for t in job["_tags"] if t["Key"] != "jumpstart:stack-id"]
    calls = len(world.lambdas.invocations)
    assert world.destroy("Stack").status == "DELETE_COMPLETE"
    assert world.iam.denials == []
    assert any(i["payload"].get("ResourceType") == "Custom::JumpStartJob" for i in world.lambdas.invocations[calls:])
