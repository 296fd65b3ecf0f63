"""The example stacks synthesize offline on the shipped catalog."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk.assertions import Template

from stacks import EndpointStack, PipelineStack


def _app(lockfile) -> cdk.App:
    return cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile)})


def test_endpoint_stack(lockfile):
    stack = EndpointStack(_app(lockfile), "E", env=cdk.Environment(region="us-west-2"))
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::SageMaker::Endpoint", 1)
    t.has_output("EndpointName", {"Value": {"Fn::GetAtt": [stack.get_logical_id(stack.endpoint.cfn_endpoint), "EndpointName"]}})


def test_pipeline_checks_the_lockfile_before_synth(lockfile):
    app = _app(lockfile)
    stack = PipelineStack(app, "P", env=cdk.Environment(account="111111111111", region="us-west-2"))
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::CodePipeline::Pipeline", 1)
    specs = [p["Properties"]["Source"]["BuildSpec"] for p in t.find_resources("AWS::CodeBuild::Project").values()]
    synth = next(json.loads(s) for s in specs if "jumpstart lock --check" in s)
    commands = synth["phases"]["build"]["commands"]
    assert commands.index("jumpstart lock --check -c example=pipeline") < commands.index("npx cdk synth -c example=pipeline")
    # the lockfile is a trust root: the synth step re-resolves every entry and fails on any difference (#19)
    assert commands.index("jumpstart lock --verify -c example=pipeline") < commands.index("npx cdk synth -c example=pipeline")
    stage_stack = stack.stage.endpoint_stack
    Template.from_stack(stage_stack).resource_count_is("AWS::SageMaker::Endpoint", 1)


def test_finetune_stack(lockfile):
    from stacks import FineTuneStack

    stack = FineTuneStack(_app(lockfile), "F", env=cdk.Environment(region="us-west-2"))
    t = Template.from_stack(stack)
    t.resource_count_is("Custom::JumpStartJob", 1)
    t.resource_count_is("AWS::SageMaker::Endpoint", 1)
    assert "s3://jumpstart-cache-prod-us-west-2/training-datasets/tf_flowers/" in json.dumps(t.to_json())


def test_transform_stack(lockfile):
    from stacks import BatchTransformStack

    stack = BatchTransformStack(_app(lockfile), "T", env=cdk.Environment(region="us-west-2"))
    t = Template.from_stack(stack)
    t.resource_count_is("Custom::JumpStartJob", 1)
    t.resource_count_is("AWS::CloudFormation::WaitCondition", 1)
