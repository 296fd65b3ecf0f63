"""Example: fine-tune a JumpStart model with its default hyperparameters, then deploy the result."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from constructs import Construct

from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob


class FineTuneStack(Stack):
    """A :class:`JumpStartTrainingJob` and a :class:`JumpStartEndpoint` serving its output.

    The default training data is the spec's own demo data set in the JumpStart bucket, as the
    resolver records it (``default_training_dataset_uri``, from the spec's
    ``default_training_dataset_key``; ``tf_flowers`` for the default model). The stack
    waits as long as the spec lets the job run (``max_run``: 100 hours, a chain of wait conditions).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str = "pytorch-ic-mobilenet-v2",
        model_version: str = "*",
        training_data: Optional[str] = None,
        hyperparameters: Optional[Mapping[str, Any]] = None,
        instance_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.job = JumpStartTrainingJob(
            self,
            "FineTune",
            model_id=model_id,
            model_version=model_version,
            training_data=training_data,  # None: the spec's default dataset, from the resolver
            hyperparameters=hyperparameters,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.endpoint = JumpStartEndpoint(
            self, "Tuned", model_id=model_id, model_version=model_version, instance_type=instance_type,
            model_data=self.job.model_data,
        )
        CfnOutput(self, "TrainingJobName", value=self.job.job_name)
        CfnOutput(self, "ModelData", value=self.job.model_data)
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)
