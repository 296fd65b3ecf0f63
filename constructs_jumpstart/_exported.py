"""Whether a resource's name or ARN leaves its stack through an export, seen at synth.

CloudFormation refuses to modify an exported output value while another stack imports it ("After
another stack imports an output value, you can't ... modify the exported output value", AWS
CloudFormation User Guide, ``Fn::ImportValue``). A resource that CloudFormation replaces gets a new
name and ARN, so an export of them blocks the update. CDK creates the exports of cross-stack
references in its prepare phase, after aspects and before validation (aws-cdk-lib
``core/lib/private/synthesis.ts``: ``invokeAspects``, ``prepareApp``, ``validateTree``), so a
construct validation sees them, as it sees a ``CfnOutput`` of yours with an export name.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List, Tuple

import jsii
from aws_cdk import CfnOutput, CfnResource, Stack
from constructs import Construct, IValidation


def _references(value: Any, logical_id: str) -> bool:
    """Whether a resolved CloudFormation value holds a ``Ref`` or ``Fn::GetAtt`` of ``logical_id``."""
    if isinstance(value, dict):
        if value.get("Ref") == logical_id:
            return True
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att and get_att[0] == logical_id:
            return True
        return any(_references(v, logical_id) for v in value.values())
    if isinstance(value, list):
        return any(_references(v, logical_id) for v in value)
    return False


def exports_of(resource: CfnResource) -> Iterator[Tuple[CfnOutput, List[str]]]:
    """The outputs of ``resource``'s stack that export its ``Ref`` or an attribute, with the stacks
    of the app that import them (for CDK's cross-stack exports: the stacks depending on this one;
    an export of yours may be imported from anywhere, so none are named)."""
    stack = Stack.of(resource)
    logical_id = stack.resolve(resource.logical_id)
    for node in stack.node.find_all():
        if not isinstance(node, CfnOutput) or not node.export_name:
            continue
        if not _references(stack.resolve(node.value), logical_id):
            continue
        automatic = node.node.scope is not None and node.node.scope.node.id == "Exports"
        yield node, _dependents(stack) if automatic else []


def _dependents(stack: Stack) -> List[str]:
    stacks = [c for c in stack.node.root.node.find_all() if Stack.is_stack(c)]
    return [s.stack_name for s in stacks if any(d.node.path == stack.node.path for d in s.dependencies)]


def warn_when_exported(scope: Construct, resource: CfnResource, warn: Callable[[CfnOutput, List[str]], None]) -> None:
    """At synth, after the cross-stack exports exist: ``warn(output, importers)`` for every export of
    ``resource``'s name or ARN."""

    @jsii.implements(IValidation)
    class _Exported:
        def validate(self) -> List[str]:
            for output, importers in exports_of(resource):
                warn(output, importers)
            return []

    scope.node.add_validation(_Exported())
