"""The simulator against the defects of issue #18 that show at deploy and have no scenario in
tests/test_cfnsim_defects.py: 10 (a retrained model re-runs what uses it), 11 (packed artifacts are
the construct's own), 14 (tags reach the jobs), 17 (the SDK's default runtime). Each failed against
the handler and constructs before its fix (checked on the commit before the fixes, 5d7b3db)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import aws_cdk as cdk
from aws_cdk import Duration

from tests.cfnsim import World, apps
from tests.cfnsim.world import seed

CATALOG = Path(__file__).resolve().parent.parent / "constructs_jumpstart" / "catalog"
HOUR = 3600.0
MODEL = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
DATASET = "s3://jumpstart-cache-prod-us-west-2/training-datasets/tf_flowers/"
ENV = cdk.Environment(region="us-west-2")


def _retrain_then_transform(epochs: int) -> Callable[[cdk.App], None]:
    def build(app: cdk.App) -> None:
        from constructs_jumpstart import JumpStartBatchTransform, JumpStartTrainingJob

        stack = cdk.Stack(app, "Chain", env=ENV)
        job = JumpStartTrainingJob(stack, "Tune", **MODEL, training_data=DATASET, hyperparameters={"epochs": epochs},
                                   removal_policy=cdk.RemovalPolicy.DESTROY)
        JumpStartBatchTransform(stack, "Classify", **MODEL, model_data=job.model_data,
                                input_data="s3://shared-input/images/", timeout=Duration.hours(2),
                                removal_policy=cdk.RemovalPolicy.DESTROY)

    build.__name__ = f"retrain_{epochs}"
    return build


def test_10_a_retrained_model_reruns_the_transform_over_it():
    """Changing the training job's hyperparameters retrains the model; the transform over the
    model's output must run again on the new model (before: same job name, the old job's output)."""
    world = World()
    first, second = (apps.custom(f"retrain-{e}", _retrain_then_transform(e)) for e in (1, 2))
    seed(world, first)
    seed(world, second)
    world.s3.make_bucket("shared-input")
    world.s3.put("shared-input", "images/cat.jpg", b"cat")
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-", "Completed", HOUR)
    assert world.deploy("Stack", first).status == "CREATE_COMPLETE"
    stack = world.deploy("Stack", second)
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    transforms = [j for j in world.sagemaker.jobs.values() if j["_kind"] == "transform"]
    trainings = [j for j in world.sagemaker.jobs.values() if j["_kind"] == "training"]
    assert len(trainings) == 2 and len(transforms) == 2
    models = {t["ModelName"] for t in transforms}
    assert len(models) == 2  # the second transform ran on the retrained model


def _serverless(*names: str) -> Callable[[cdk.App], None]:
    def build(app: cdk.App) -> None:
        from constructs_jumpstart import JumpStartEndpoint
        from constructs_jumpstart.hosting import ServerlessConfig

        stack = cdk.Stack(app, "Two", env=ENV)
        for name in names:
            JumpStartEndpoint(stack, name, **MODEL, serverless=ServerlessConfig(memory_size_mb=2048, max_concurrency=1))

    build.__name__ = "serverless_" + "_".join(names)
    return build


def test_11_removing_one_packing_construct_keeps_the_others_artifact():
    """Two serverless endpoints of one model both pack its artifact; removing one must not delete the
    object the other's model serves (before: one key for both)."""
    world = World()
    both, one = apps.custom("serverless-AB", _serverless("A", "B")), apps.custom("serverless-B", _serverless("B"))
    seed(world, both)
    assert world.deploy("Stack", both).status == "CREATE_COMPLETE"
    stack = world.deploy("Stack", one)
    assert stack.status == "UPDATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
    (model,) = [r for r in stack.resources.values() if r.type == "AWS::SageMaker::Model"]
    bucket, _, key = model.props["PrimaryContainer"]["ModelDataUrl"][len("s3://"):].partition("/")
    assert world.s3.current(bucket, key) is not None, f"s3://{bucket}/{key} is gone"


def _tagged_jobs(app: cdk.App) -> None:
    from constructs_jumpstart import JumpStartBatchTransform, JumpStartTrainingJob

    stack = cdk.Stack(app, "Tagged", env=ENV)
    JumpStartTrainingJob(stack, "Tune", **MODEL, training_data=DATASET, removal_policy=cdk.RemovalPolicy.DESTROY)
    JumpStartBatchTransform(stack, "Classify", **MODEL, input_data="s3://shared-input/images/",
                            timeout=Duration.hours(2), removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Tags.of(app).add("cost-center", "ml-42")


def test_14_the_apps_tags_reach_the_jobs_the_handler_starts():
    """``Tags.of(app)`` must reach the training and transform jobs (a tag-enforcing SCP refuses an
    untagged job), next to the SDK's JumpStart tags."""
    world = World()
    assembly = apps.custom("tagged-jobs", _tagged_jobs)
    seed(world, assembly)
    world.s3.make_bucket("shared-input")
    world.s3.put("shared-input", "images/cat.jpg", b"cat")
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-", "Completed", HOUR)
    assert world.deploy("Stack", assembly).status == "CREATE_COMPLETE"
    jobs = list(world.sagemaker.jobs.values())
    assert {j["_kind"] for j in jobs} == {"training", "transform"}
    for job in jobs:
        tags = {t["Key"]: t["Value"] for t in job["_tags"]}
        assert tags.get("cost-center") == "ml-42", (job["_kind"], tags)
    (training,) = [j for j in jobs if j["_kind"] == "training"]  # the SDK tags its training jobs
    assert {t["Key"]: t["Value"] for t in training["_tags"]}["sagemaker-sdk:jumpstart-model-id"] == MODEL["model_id"]


def _no_max_run(app: cdk.App) -> None:
    from constructs_jumpstart import JumpStartTrainingJob

    stack = cdk.Stack(app, "NoMaxRun", env=ENV)
    JumpStartTrainingJob(stack, "Tune", **MODEL, training_data=DATASET, removal_policy=cdk.RemovalPolicy.DESTROY)


def _catalog_without_max_run(directory: Path) -> Path:
    """The shipped catalog with mobilenet's spec stripped of ``estimator_kwargs.max_run`` (every
    shipped trainable spec sets one; real specs need not)."""
    shutil.copytree(CATALOG, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    spec_path = directory / "community_models" / MODEL["model_id"] / f"specs_v{MODEL['model_version']}.json"
    spec = json.loads(spec_path.read_text())
    del spec["estimator_kwargs"]["max_run"]
    spec_path.write_text(json.dumps(spec))
    return directory


def test_17_a_spec_without_max_run_gets_the_sdks_24_hours(tmp_path):
    """A spec without max_run: the SDK's estimator sends its default of 24 h, and a job that needs
    20 h must complete (before: 12 h, and the job was stopped)."""
    world = World()
    catalog = _catalog_without_max_run(tmp_path / "catalog")
    assembly = apps.custom("no-max-run", _no_max_run, {"jumpstart:metadata": str(catalog)})
    seed(world, assembly)
    world.sagemaker.plan("pytorch-ic-mobilenet-v2-", "Completed", 20 * HOUR)
    stack = world.deploy("Stack", assembly)
    (job,) = world.sagemaker.jobs.values()
    assert job["StoppingCondition"]["MaxRuntimeInSeconds"] == 86400
    assert stack.status == "CREATE_COMPLETE", [e for e in stack.events if "FAILED" in e[2]][:2]
