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
