"""The hosting plan as tables: which props conflict, without a synth."""

from __future__ import annotations

import pytest

from constructs_jumpstart._plan import mode_of, plan_problems
from constructs_jumpstart.hosting import (
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
)

BASE = dict(instance_type=None, initial_instance_count=None, variant_name="AllTraffic", variants=None,
            inference_components=None, serverless=None, async_inference=None, data_capture=None, deployment=None, vpc=None)
IC = [JumpStartInferenceComponent(model_id="m")]


@pytest.mark.parametrize("props, expected", [
    ({}, []),
    ({"serverless": ServerlessConfig(), "instance_type": "ml.m5.large"}, ["serverless endpoints have no instances"]),
    ({"serverless": ServerlessConfig(), "inference_components": IC}, ["serverless endpoints cannot host inference components"]),
    ({"serverless": ServerlessConfig(), "async_inference": AsyncInferenceConfig()}, ["serverless and async_inference exclude each other"]),
    ({"serverless": ServerlessConfig(), "data_capture": DataCaptureConfig()}, ["serverless endpoints do not support data capture"]),
    ({"serverless": ServerlessConfig(), "vpc": object()}, ["serverless endpoints cannot run in a VPC"]),
    ({"serverless": ServerlessConfig(memory_size_mb=1000)}, ["serverless memory_size_mb must be 1024"]),
    ({"async_inference": AsyncInferenceConfig(), "inference_components": IC}, ["async_inference cannot be combined with inference_components"]),
    ({"deployment": DeploymentConfig.rolling(alarms=[object()]), "variants": [JumpStartVariant(model_id="a"), JumpStartVariant(model_id="b")]},
     ["rolling deployments need a single production variant"]),
    ({"variants": [JumpStartVariant(model_id="a", weight=0)]}, ["variant 'a' weight must be positive"]),
    ({"inference_components": [JumpStartInferenceComponent(model_id="m", copies=0)]}, ["inference component 'm' copies must be at least 1"]),
    ({"initial_instance_count": 0, "variant_name": "no spaces"}, ["initial_instance_count must be an integer", "variant_name must be 1-63"]),
])
def test_plan_problems(props, expected):
    problems = plan_problems(**{**BASE, **props})
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), problem


def test_exactly_one_mode():
    assert mode_of("m", None, None) == ["model_id"]
    assert mode_of("m", [object()], None) == ["model_id", "variants"]
    assert mode_of(None, None, None) == []
