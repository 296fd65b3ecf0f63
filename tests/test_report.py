"""The default: bad input becomes error annotations on the construct (``cdk synth`` prints and
fails on them), and the construct keeps placeholder attributes so the rest of the app builds."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match

from constructs_jumpstart import JumpStartBatchTransform, JumpStartEndpoint, JumpStartModel, JumpStartTrainingJob
from constructs_jumpstart.hosting import JumpStartVariant


def test_problems_are_error_annotations_and_the_app_goes_on(make_stack):
    stack = make_stack(context={"jumpstart:errors": "annotate"})
    ep = JumpStartEndpoint(stack, "E", variants=[
        JumpStartVariant(model_id="pytorch-ic-mobilenet-v2", variant_name="A", instance_type="ml.p3.2xlarge"),
        JumpStartVariant(model_id="fixture-llm-gated", variant_name="B")])
    assert ep.failed is True
    ep.grant_invoke(iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal()))
    ep.auto_scale(1, 2)
    cdk.CfnOutput(stack, "Name", value=ep.endpoint_name)
    cdk.CfnOutput(stack, "Version", value=ep.model.model_version)
    model = JumpStartModel(stack, "M", model_id="nope")
    job = JumpStartTrainingJob(stack, "T", model_id="pytorch-ic-mobilenet-v2", training_data="s3://d/", hyperparameters={"epochs": 0})
    JumpStartEndpoint(stack, "Tuned", model_id="pytorch-ic-mobilenet-v2", model_data=job.model_data)
    bt = JumpStartBatchTransform(stack, "BT", model_id="pytorch-ic-mobilenet-v2", input_data="nope")
    cdk.CfnOutput(stack, "Out", value=bt.output_uri)
    notes = Annotations.from_stack(stack)
    # every problem of each construct, each an error on that construct (the models' problems on the endpoint)
    notes.has_error("/TestStack/E", Match.string_like_regexp(r"Instance type 'ml.p3.2xlarge' is not supported"))
    notes.has_error("/TestStack/E", Match.string_like_regexp(r"is gated behind an end-user license agreement"))
    notes.has_error("/TestStack/M", Match.string_like_regexp(r"Unknown JumpStart model id 'nope'"))
    notes.has_error("/TestStack/T", Match.string_like_regexp(r"hyperparameter 'epochs' = 0 is out of range"))
    notes.has_error("/TestStack/BT", Match.string_like_regexp(r"input_data must be an s3:// URI"))
    assert model.failed and job.failed and bt.failed
    assert len(notes.find_error("*", Match.any_value())) == 5


def test_a_construct_that_builds_is_not_failed(make_stack):
    ep = JumpStartEndpoint(make_stack(context={"jumpstart:errors": "annotate"}), "E", model_id="pytorch-ic-mobilenet-v2",
                           model_version="3.0.25")
    assert ep.failed is False
