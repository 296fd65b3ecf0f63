"""The documented paths, through the simulator: every example stack with custom resources deploys and
is destroyed; a retried create starts one job; an update that replaces a job stops the old one after
the update; a failed job rolls the stack back; a delete of what is already gone succeeds. The
requests CloudFormation sends and the responses the handler returns follow the documented shapes."""

from __future__ import annotations

import pytest

from tests.cfnsim import World, apps, invariants
from tests.cfnsim.world import seed

HOUR = 3600.0
CUSTOM_TYPES = {"Custom::JumpStartJob", "Custom::JumpStartJobResult", "Custom::JumpStartModel",
                "Custom::JumpStartArtifact", "Custom::JumpStartJobCheckpoint"}


def fresh(example: str, **context):
    world, assembly = World(), apps.example(example, **context)
    seed(world, assembly)
    return world, assembly


@pytest.mark.parametrize("example", sorted(apps.EXAMPLES))
def test_every_example_deploys_and_is_destroyed(example):
    world, assembly = fresh(example)
    types = {r["Type"] for r in assembly.template["Resources"].values()}
    assert types & CUSTOM_TYPES, "an example without custom resources"
    stack = world.deploy("Stack", assembly)
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    assert world.destroy("Stack").status == "DELETE_COMPLETE"
    world.advance(HOUR)
    assert invariants.all_violations(world) == []
    assert invariants.request_shape_problems(world) == []
    assert {r["ResourceType"] for r in world.custom_requests()} == types & CUSTOM_TYPES
    assert world.sagemaker.running() == []


def test_requests_carry_string_properties_and_service_token():
    world, assembly = fresh("finetune")
    stack = world.deploy("Stack", assembly)
    job = next(r for r in world.custom_requests(stack) if r["ResourceType"] == "Custom::JumpStartJob")
    function = next(r for r in stack.resources.values() if r.type == "AWS::Lambda::Function"
                    and r.logical.startswith("JumpStartJobsHandler"))
    assert job["ResourceProperties"]["ServiceToken"] == function.attrs["Arn"]
    assert job["ResponseURL"].startswith("https://cloudformation-custom-resource-response-")
    checkpoint = next(r for r in world.custom_requests(stack) if r["ResourceType"] == "Custom::JumpStartJobCheckpoint")
    assert checkpoint["ResourceProperties"]["Stage"] == "1"


def test_retried_create_starts_one_job():
    """The first invocation dies (Lambda retries an asynchronous invocation): one job, stack complete."""
    world, assembly = fresh("transform")
    crashed = []

    def crash_first_job_create(function, payload):
        if payload.get("ResourceType") == "Custom::JumpStartJob" and not crashed:
            crashed.append(payload)
            return True
        return False

    world.lambdas.crash = crash_first_job_create
    stack = world.deploy("Stack", assembly)
    assert crashed and stack.status == "CREATE_COMPLETE"
    assert len([j for j in world.sagemaker.jobs.values() if j["_kind"] == "transform"]) == 1


def test_retry_after_the_job_started_but_the_response_failed_finds_the_same_job():
    """The handler started the job, then its response PUTs failed (the invocation errs, Lambda
    retries it): the retry must not start a second job (names are unique for ever) and succeeds."""
    import urllib.error

    world, assembly = fresh("transform")
    real, failed = world.lambdas.urlopen, []

    def flaky(request):
        if "Job" in request.full_url and "Result" not in request.full_url and len(failed) < 2:
            failed.append(request.full_url)
            raise urllib.error.URLError("connection reset")
        return real(request)

    world.lambdas.urlopen = flaky
    stack = world.deploy("Stack", assembly)
    assert len(failed) == 2 and stack.status == "CREATE_COMPLETE"
    assert [i["outcome"] for i in world.lambdas.invocations if i["payload"].get("ResourceType")
            == "Custom::JumpStartJob"] == ["error", "ok"]
    assert len(world.sagemaker.jobs) == 1


def test_failed_job_rolls_back_and_nothing_runs():
    world, assembly = fresh("transform")
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-", "Failed", 600, "ClientError: bad input")
    stack = world.deploy("Stack", assembly)
    assert stack.status == "ROLLBACK_COMPLETE"
    wait = next(e for e in stack.events if e[2] == "CREATE_FAILED")
    assert "bad input" in wait[3]
    assert world.sagemaker.running() == []
    assert invariants.all_violations(world) == []


def test_update_replacing_the_job_deletes_the_old_one_after_the_update():
    """New inputs, new job name prefix: the Update's new physical id is a replacement; the old id is
    deleted with the old properties during UPDATE_COMPLETE_CLEANUP_IN_PROGRESS."""
    world, assembly = fresh("finetune")
    first = world.deploy("Stack", assembly)
    old_job = next(r.physical for r in first.resources.values() if r.type == "Custom::JumpStartJob")
    other = apps.example("finetune", training_data="s3://jumpstart-cache-prod-us-west-2/training-datasets/other/")
    seed(world, other)
    stack = world.deploy("Stack", other)
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    cleanup = next(t for t, logical, status, _ in stack.events if status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    deletes = [i for i in world.lambdas.invocations if i["payload"].get("RequestType") == "Delete"
               and i["payload"]["ResourceType"] == "Custom::JumpStartJob"]
    assert [d["payload"]["PhysicalResourceId"] for d in deletes] == [old_job]
    assert deletes[0]["start"] >= cleanup
    assert "tf_flowers" in deletes[0]["payload"]["ResourceProperties"]["Request"]  # the old properties


def test_destroy_when_a_packed_artifact_is_already_gone():
    world, assembly = fresh("serverless")
    stack = world.deploy("Stack", assembly)
    packer = next(r for r in stack.resources.values() if r.type == "Custom::JumpStartArtifact")
    bucket, _, key = packer.physical[len("s3://"):].partition("/")
    world.s3.buckets[bucket]["objects"].pop(key)
    assert world.destroy("Stack").status == "DELETE_COMPLETE"


def test_destroy_when_the_api_created_model_is_already_gone():
    world, assembly = fresh("gated-llm")
    world.deploy("Stack", assembly)
    world.sagemaker.models.clear()
    assert world.destroy("Stack").status == "DELETE_COMPLETE"


def test_every_response_and_signal_fits_4096_bytes():
    world, assembly = fresh("finetune")
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-", "Failed", 600, "x" * 20000)
    world.deploy("Stack", assembly)
    assert world.puts and invariants.oversized_puts(world) == []


def test_update_replacing_the_api_created_model_deletes_the_old_one():
    """Another instance type for the gated model: a new model through the API (a replacement). The
    cleanup Delete of the old model runs under the handler's policy as the update left it (IAM is
    modelled): it must be allowed, so no model is left behind and no delete fails."""
    world = World()
    first, second = apps.example("gated-llm"), apps.example("gated-llm", instance_type="ml.p4d.24xlarge")
    seed(world, first)
    seed(world, second)
    assert world.deploy("Stack", first).status == "CREATE_COMPLETE"
    old = set(world.sagemaker.models)
    stack = world.deploy("Stack", second)
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    assert [e for e in stack.events if e[2] == "DELETE_FAILED"] == []
    assert world.iam.denials == []
    new = set(world.sagemaker.models)
    assert len(new) == 1 and not new & old, f"models left: {sorted(new)} (before the update: {sorted(old)})"
    assert world.destroy("Stack").status == "DELETE_COMPLETE" and world.sagemaker.models == {}


def _jobs_app(names):
    def build(app):
        import aws_cdk as cdk

        from constructs_jumpstart import JumpStartTrainingJob

        stack = cdk.Stack(app, "Jobs", env=cdk.Environment(region="us-west-2"))
        for name in names:
            JumpStartTrainingJob(stack, name, model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                                 training_data="s3://jumpstart-cache-prod-us-west-2/training-datasets/tf_flowers/",
                                 removal_policy=cdk.RemovalPolicy.DESTROY)
    return build


def test_a_removed_job_construct_is_cleaned_up_under_its_own_permissions():
    """An update that removes a job construct: CloudFormation deletes the job resource in the cleanup
    phase, after the handler's policies were updated. Its Describe/Stop permission is in the
    construct's own policy, which the job resource depends on, so it is deleted after the job (a
    statement in the handler's shared default policy would be gone by then: AccessDenied)."""
    world = World()
    both = apps.custom("jobs-a-b", _jobs_app(["A", "B"]))
    seed(world, both)
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-ft-", "Completed", 5 * HOUR)
    stack = world.deploy("Stack", both)
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    only_a = apps.custom("jobs-a", _jobs_app(["A"]))
    stack = world.deploy("Stack", only_a)
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    assert world.iam.denials == [], world.iam.denials
    assert not any("FAILED" in e[2] for e in stack.events), [e for e in stack.events if "FAILED" in e[2]]
    assert world.destroy("Stack").status == "DELETE_COMPLETE"
