"""Example: one JumpStart model behind a real-time endpoint, and a role allowed to invoke it."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_jumpstart import JumpStartEndpoint
from constructs_jumpstart.nag import acknowledge


class EndpointStack(Stack):
    """A :class:`JumpStartEndpoint` for ``model_id`` plus an IAM role that may invoke it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_id: str = "pytorch-ic-mobilenet-v2",
        model_version: str = "*",
        instance_type: Optional[str] = None,
        accept_eula: bool = False,
        smoke_test: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.endpoint = JumpStartEndpoint(
            self,
            "Endpoint",
            model_id=model_id,
            model_version=model_version,
            instance_type=instance_type,
            accept_eula=accept_eula,
            smoke_test=smoke_test,
        )
        self.invoker = iam.Role(
            self,
            "InvokerRole",
            assumed_by=iam.AccountRootPrincipal(),
            description="May invoke the example JumpStart endpoint and nothing else.",
        )
        self.endpoint.grant_invoke(self.invoker)
        acknowledge(self.invoker, {"id": "HIPAA.Security-IAMNoInlinePolicy",
                                    "reason": "One statement, InvokeEndpoint on this endpoint's ARN only, bound to this role."})
        CfnOutput(self, "EndpointName", value=self.endpoint.endpoint_name)
        CfnOutput(self, "ModelVersion", value=self.endpoint.model.model_version)
        CfnOutput(self, "InstanceType", value=self.endpoint.instance_type)
