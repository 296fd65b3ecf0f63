"""Example: a CDK Pipelines (``pipelines.CodePipeline``) stack that deploys the example endpoint.

Its synth step runs ``jumpstart lock --check`` before ``cdk synth``: the pipeline never resolves a
floating ``"*"`` version by surprise; a model missing from the committed ``jumpstart.lock.json``
fails the build instead. The source is a placeholder CodeStar connection, so this synthesizes
offline; replace ``repository`` and ``connection_arn`` with yours.
"""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import Environment, Stack, Stage
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import pipelines
from constructs import Construct

from .endpoint_stack import EndpointStack

PLACEHOLDER_CONNECTION = (
    "arn:aws:codeconnections:us-west-2:111111111111:connection/00000000-0000-0000-0000-000000000000"
)


class EndpointStage(Stage):
    """The deployable unit: the example endpoint stack."""

    def __init__(self, scope: Construct, id: str, *, model_id: str, model_version: str,
                 instance_type: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint_stack = EndpointStack(
            self, "JumpStartEndpointStack", model_id=model_id, model_version=model_version,
            instance_type=instance_type,
        )


class PipelineStack(Stack):
    """Source -> synth (``jumpstart lock --check`` then ``cdk synth``) -> deploy the endpoint stage."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        repository: str = "my-org/jumpstart-on-cdk",
        branch: str = "main",
        connection_arn: str = PLACEHOLDER_CONNECTION,
        model_id: str = "pytorch-ic-mobilenet-v2",
        model_version: str = "*",
        instance_type: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        source = pipelines.CodePipelineSource.connection(repository, branch, connection_arn=connection_arn)
        synth = pipelines.ShellStep(
            "Synth",
            input=source,
            install_commands=[
                "npm ci",
                "pip install -r requirements.txt",
                "pip install --no-deps -e .",
            ],
            commands=[
                "jumpstart lock --check -c example=pipeline",
                "npx cdk synth -c example=pipeline",
            ],
        )
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline", synth=synth, cross_account_keys=True, pipeline_type=codepipeline.PipelineType.V2
        )
        self.stage = EndpointStage(
            self, "Prod", env=Environment(account=self.account, region=self.region),
            model_id=model_id, model_version=model_version, instance_type=instance_type,
        )
        self.pipeline.add_stage(self.stage)
