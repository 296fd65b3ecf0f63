"""Digests of requests that hold tokens: a registered token is read as its identity."""

from __future__ import annotations

import aws_cdk as cdk

from constructs_jumpstart._names import register_identity, request_digest


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="123456789012", region="us-west-2"))


def test_a_digest_follows_the_identity_of_a_registered_token_not_its_text():
    digests = []
    for identity in ("job-v1", "job-v1", "job-v2"):
        stack = _stack()
        token = cdk.CfnResource(stack, "Producer", type="Custom::X").get_att("Out").to_string()
        register_identity(stack, token, identity)
        digests.append(request_digest(stack, {"ModelDataUrl": f"{token}/model.tar.gz"}))
    assert digests[0] == digests[1] != digests[2]


def test_an_unregistered_token_counts_as_its_text():
    digests = []
    for _ in range(2):
        stack = _stack()
        token = cdk.CfnResource(stack, "Producer", type="Custom::X").get_att("Out").to_string()
        digests.append(request_digest(stack, {"ModelDataUrl": token}))
    assert digests[0] == digests[1]


def test_a_lazy_identity_is_computed_when_a_digest_first_reads_it_and_kept():
    """A model registers its name with a function (its digest costs a resolve): nothing is computed
    until a digest reads the token, then once."""
    calls = []
    stack = _stack()
    token = cdk.CfnResource(stack, "Producer", type="Custom::X").get_att("Out").to_string()
    register_identity(stack, token, lambda: calls.append(1) or "model-v1")
    assert calls == []
    first = request_digest(stack, {"ModelName": token})
    assert request_digest(stack, {"ModelName": token}) == first and calls == [1]
    unregistered = cdk.CfnResource(stack, "Other", type="Custom::X").get_att("Out").to_string()
    assert first != request_digest(stack, {"ModelName": unregistered})
