"""What an IDE must flag: each line marked ``# error`` is one pyright error (``tests/test_typing.py``)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import Duration

from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob


def misuse(stack: cdk.Stack) -> None:
    endpoint = JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2")
    endpoint.metric_invocations(statistc="Sum")  # error
    endpoint.variant("AllTraffic").metric_model_latency(period=60)  # error
    JumpStartTrainingJob(stack, "T", model_id="pytorch-ic-mobilenet-v2", timeout=3600)  # error
    JumpStartEndpoint(stack, "F", model_id="pytorch-ic-mobilenet-v2", instance_type=5)  # error
    JumpStartTrainingJob(stack, "U", model_id="pytorch-ic-mobilenet-v2", max_runtime=Duration.hours(1))
