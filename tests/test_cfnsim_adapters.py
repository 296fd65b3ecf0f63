"""LoRA adapters through CloudFormation's paths in the simulator (#21 part 2): create, update that
removes an adapter, update that turns a deployed component into a base of adapters, delete. The
simulator's SageMaker answers as the API documents: an adapter needs an existing base, a base with
adapters cannot be deleted, ``UpdateInferenceComponent`` cannot rename (``tests/cfnsim/sagemaker.py``)."""

from __future__ import annotations

import aws_cdk as cdk

from tests.cfnsim import World, apps
from tests.cfnsim.world import seed

ADAPTERS = ("s3://my-adapters/support/adapter.tar.gz", "s3://my-adapters/legal/adapter.tar.gz")


def _app(adapters: int, serving: bool = True):
    def build(app: cdk.App) -> None:
        from constructs_jumpstart import JumpStartEndpoint
        from constructs_jumpstart.hosting import AdapterServing, JumpStartInferenceComponent

        stack = cdk.Stack(app, "Adapters", env=cdk.Environment(region="us-west-2"))
        ep = JumpStartEndpoint(stack, "Llm", instance_type="ml.g5.12xlarge", inference_components=[
            JumpStartInferenceComponent(model_id="fixture-llm-optimized", name="base",
                                        adapters=AdapterServing(max_rank=64) if serving else None)])
        for name, uri in list(zip(("support", "legal"), ADAPTERS))[:adapters]:
            ep.add_adapter(name, uri)
    return apps.custom(f"adapters-{adapters}-{serving}", build)


def _failures(stack) -> list:
    return [e for e in stack.events if "FAILED" in e[2]][:3]


def _deploy(world: World, assembly):
    seed(world, assembly)
    return world.deploy("Stack", assembly)


def test_a_base_and_its_adapters_are_created_and_deleted_in_order():
    world = World()
    stack = _deploy(world, _app(2))
    assert stack.status == "CREATE_COMPLETE", _failures(stack)
    components = world.sagemaker.components
    bases = [n for n, c in components.items() if c["base"] is None]
    assert len(bases) == 1 and sorted(c["base"] for n, c in components.items() if c["base"]) == bases * 2
    deleted = world.destroy("Stack")
    assert deleted.status == "DELETE_COMPLETE", _failures(deleted)
    assert components == {}


def test_an_adapter_removed_from_the_app_is_deleted_alone():
    world = World()
    assert _deploy(world, _app(2)).status == "CREATE_COMPLETE"
    stack = _deploy(world, _app(1))
    assert stack.status == "UPDATE_COMPLETE", _failures(stack)
    assert len(world.sagemaker.components) == 2  # the base and one adapter


def test_a_deployed_component_becomes_a_base_as_a_new_resource():
    """Declaring adapters= on a deployed component is a new logical id (a named base): CloudFormation
    creates it and its adapters, then deletes the unnamed component; renaming in place would fail."""
    world = World()
    assert _deploy(world, _app(0, serving=False)).status == "CREATE_COMPLETE"
    stack = _deploy(world, _app(2))
    assert stack.status == "UPDATE_COMPLETE", _failures(stack)
    assert len(world.sagemaker.components) == 3
    assert world.destroy("Stack").status == "DELETE_COMPLETE"
