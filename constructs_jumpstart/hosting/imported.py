"""What any endpoint offers, created here or imported: the ``IJumpStartEndpoint`` interface (an
``aws_sagemaker.IEndpoint``), its invoke grant, and the importers ``from_endpoint_name`` /
``from_endpoint_arn`` build on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import jsii
from aws_cdk import ArnFormat, Resource, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

INVOKE_ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
ASYNC_INVOKE_ACTIONS = ["sagemaker:InvokeEndpointAsync"]

if TYPE_CHECKING:
    from typing import Protocol

    class IJumpStartEndpoint(sagemaker.IEndpoint, Protocol):
        """What any endpoint, created here or imported, offers: an ``aws_sagemaker.IEndpoint`` (its
        name, ARN and ``grant_invoke``), so ``SagemakerIntegration`` & co. take it as type checkers
        see it too (jsii interfaces are protocols; at run time they are implemented with
        ``jsii.implements``, below)."""
else:
    class IJumpStartEndpoint:
        """What any endpoint, created here or imported, offers: its name, ARN and ``grant_invoke``
        (an ``aws_sagemaker.IEndpoint``)."""

        endpoint_name: str
        endpoint_arn: str

        def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:  # pragma: no cover - interface
            raise NotImplementedError


def grant_invoke(grantee: iam.IGrantable, endpoint_arn: str, actions: Sequence[str] = INVOKE_ACTIONS) -> iam.Grant:
    return iam.Grant.add_to_principal(grantee=grantee, actions=list(actions), resource_arns=[endpoint_arn])


def endpoint_ref(endpoint_arn: str):
    from aws_cdk.interfaces import aws_sagemaker as refs

    return refs.EndpointReference(endpoint_arn=endpoint_arn)


@jsii.implements(sagemaker.IEndpoint)
class _ImportedEndpoint(Resource, IJumpStartEndpoint):
    """An existing endpoint: an ``aws_sagemaker.IEndpoint`` (for ``SagemakerIntegration`` & co.)."""

    def __init__(self, scope: Construct, id: str, *, endpoint_name: str, endpoint_arn: str):
        super().__init__(scope, id)
        self._name, self._arn = endpoint_name, endpoint_arn

    @property
    def endpoint_name(self) -> str:
        return self._name

    @property
    def endpoint_arn(self) -> str:
        return self._arn

    @property
    def endpoint_ref(self):
        return endpoint_ref(self._arn)

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        return grant_invoke(grantee, self.endpoint_arn)


def from_name(scope: Construct, id: str, endpoint_name: str) -> IJumpStartEndpoint:
    name = endpoint_name if Token.is_unresolved(endpoint_name) else endpoint_name.lower()
    arn = Stack.of(scope).format_arn(
        service="sagemaker", resource="endpoint", resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
    )
    return _ImportedEndpoint(scope, id, endpoint_name=endpoint_name, endpoint_arn=arn)


def from_arn(scope: Construct, id: str, endpoint_arn: str) -> IJumpStartEndpoint:
    name = Stack.of(scope).split_arn(endpoint_arn, ArnFormat.SLASH_RESOURCE_NAME).resource_name
    return _ImportedEndpoint(scope, id, endpoint_name=name, endpoint_arn=endpoint_arn)
