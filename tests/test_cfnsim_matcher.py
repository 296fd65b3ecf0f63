"""The simulator's EventBridge pattern matcher and input transformer, on the examples of the
EventBridge User Guide ("Comparison operators for use in event patterns", "Input transformation")."""

from __future__ import annotations

import json

import pytest

from tests.cfnsim.events import transform
from tests.cfnsim.patterns import matches

EVENT = {
    "source": "aws.sagemaker", "detail-type": "SageMaker Training Job State Change", "resources": ["arn:a", "arn:b"],
    "detail": {"TrainingJobName": "model-ft-0123456789-abcdef", "TrainingJobStatus": "Stopped", "count": 5,
               "ip": "10.0.0.7", "empty": "", "nothing": None, "flag": False,
               "nested": {"State": "RUNNING", "Tags": ["a", "b"]}},
}


@pytest.mark.parametrize("pattern, expected", [
    ({"source": ["aws.sagemaker"]}, True),
    ({"source": ["aws.ec2"]}, False),
    ({"source": ["aws.ec2", "aws.sagemaker"]}, True),  # an array is an OR
    ({"detail": {"TrainingJobName": [{"prefix": "model-ft-0123456789-"}]}}, True),
    ({"detail": {"TrainingJobName": [{"prefix": "model-ft-9"}]}}, False),
    ({"detail": {"TrainingJobName": [{"prefix": {"equals-ignore-case": "MODEL-FT"}}]}}, True),
    ({"detail": {"TrainingJobName": [{"suffix": "-abcdef"}]}}, True),
    ({"detail": {"TrainingJobName": [{"suffix": {"equals-ignore-case": "-ABCDEF"}}]}}, True),
    ({"detail": {"TrainingJobStatus": [{"anything-but": "Completed"}]}}, True),
    ({"detail": {"TrainingJobStatus": [{"anything-but": ["Stopped", "Failed"]}]}}, False),
    ({"detail": {"TrainingJobStatus": [{"anything-but": {"prefix": "Stop"}}]}}, False),
    ({"detail": {"TrainingJobStatus": [{"anything-but": {"suffix": "ed"}}]}}, False),
    ({"detail": {"TrainingJobStatus": [{"equals-ignore-case": "stopped"}]}}, True),
    ({"detail": {"TrainingJobName": [{"wildcard": "model-*-abcdef"}]}}, True),
    ({"detail": {"TrainingJobName": [{"wildcard": "model-*-xyz"}]}}, False),
    ({"detail": {"count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ({"detail": {"count": [{"numeric": [">", 5]}]}}, False),
    ({"detail": {"count": [5]}}, True),
    ({"detail": {"count": ["5"]}}, False),  # a string does not equal a number
    ({"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ({"detail": {"FailureReason": [{"exists": False}]}}, True),
    ({"detail": {"FailureReason": [{"exists": True}]}}, False),
    ({"detail": {"TrainingJobStatus": [{"exists": True}]}}, True),
    ({"detail": {"empty": [""]}}, True),
    ({"detail": {"nothing": [None]}}, True),
    ({"detail": {"missing": [None]}}, False),  # null matches a null value, not a missing field
    ({"detail": {"flag": [False]}}, True),
    ({"detail": {"nested": {"State": ["RUNNING"]}}}, True),
    ({"detail": {"nested": {"Tags": ["b"]}}}, True),  # an array in the event matches if any element does
    ({"resources": ["arn:b"]}, True),
    ({"detail": {"absent": {"x": ["y"]}}}, False),
    ({"$or": [{"source": ["aws.ec2"]}, {"detail": {"count": [5]}}]}, True),
    ({"$or": [{"source": ["aws.ec2"]}, {"detail": {"count": [6]}}]}, False),
    ({"source": ["aws.sagemaker"], "detail-type": ["SageMaker Transform Job State Change"]}, False),  # AND
])
def test_documented_matching(pattern, expected):
    assert matches(pattern, EVENT) is expected


def test_the_state_change_rule_of_a_job_matches_only_its_prefix_and_terminal_states():
    pattern = {"detail": {"TrainingJobName": [{"prefix": "model-ft-0123456789-"}],
                          "TrainingJobStatus": ["Completed", "Failed", "Stopped"]},
               "detail-type": ["SageMaker Training Job State Change"], "source": ["aws.sagemaker"]}
    assert matches(pattern, EVENT)
    assert not matches(pattern, {**EVENT, "detail": {**EVENT["detail"], "TrainingJobStatus": "Stopping"}})


def test_input_transformer_as_cdk_renders_from_object_with_event_field():
    transformer = {"InputPathsMap": {"detail": "$.detail", "name": "$.detail.TrainingJobName"},
                   "InputTemplate": '{"kind":"training","name":<name>,"quoted":"<name>","detail":<detail>}'}
    out = json.loads(transform(transformer, EVENT, "arn:rule"))
    assert out == {"kind": "training", "name": EVENT["detail"]["TrainingJobName"],
                   "quoted": EVENT["detail"]["TrainingJobName"], "detail": EVENT["detail"]}
