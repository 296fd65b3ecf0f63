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
