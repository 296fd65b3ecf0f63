"""cdk-nag acknowledgements with written reasons, through CDK's own ``Validations`` API (what
cdk-nag 3 reads), so neither this library nor your app needs cdk-nag at run time.

>>> from constructs_jumpstart.nag import acknowledge
>>> acknowledge(bucket, {"id": "AwsSolutions-S1", "reason": "access logs go to ..."})   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

def acknowledge(scope: Any, *rules: Dict[str, Any]) -> None:
    """Acknowledge cdk-nag findings on ``scope`` with written reasons, through CDK's own
    ``Validations`` API (what cdk-nag 3 reads), so cdk-nag is no runtime dependency."""
    from aws_cdk import Acknowledgment, Validations

    for rule in rules:
        rule_id = rule["id"]
        if "::" not in rule_id:  # the pack's name, as cdk-nag 3 prefixes its findings
            pack = "HIPAA.Security" if rule_id.startswith("HIPAA") else rule_id.split("-")[0]
            rule_id = f"{pack}::{rule_id}"
        Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=rule["reason"]))


nag_suppress = acknowledge  # the name the library's modules use


def policy_wildcards(policy: Any) -> Iterator[Tuple[str, str, str, List[str]]]:
    """The cdk-nag IAM5 findings an ``iam.CfnPolicy`` will get: ``(finding id, "Action" or
    "Resource", the wildcard as cdk-nag writes it, the statement's actions)``, to acknowledge
    exactly those (for example on policies CDK Pipelines generates)."""
    from ._iam import wildcard_findings

    return wildcard_findings(policy)


def statement_wildcards(statement: Dict[str, Any]) -> List[str]:
    """The cdk-nag IAM5 finding ids of one resolved policy statement."""
    from ._iam import _statement_findings

    return [finding for finding, _, _, _ in _statement_findings(statement)]


def flatten(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in finding ids (``{"Ref": "X"}`` ->
    ``<X>``, ``{"Fn::GetAtt": ["X", "Arn"]}`` -> ``<X.Arn>``, joins joined)."""
    from ._iam import _flatten

    return _flatten(value)


def acknowledge_grant(grantee: Any, grant: Any, reason: str) -> Any:
    """Acknowledge, with ``reason``, exactly the cdk-nag findings of a grant you made (an
    ``iam.Grant``, e.g. ``key.grant_encrypt_decrypt(endpoint)``, or a list of ``iam.PolicyStatement``)
    on the execution role of a construct of this library; returns the grant."""
    from ._iam import acknowledge_grant as record

    return record(grantee, grant, reason)
