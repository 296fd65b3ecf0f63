"""Deterministic physical names for what CloudFormation cannot replace by itself (jobs, models
created through the API), and digests of what a resource serves (smoke tests).

A request often holds tokens: a training job's ``model_data``, a model's name. Their text
(``{"Fn::GetAtt": [...]}``) stays the same when what they stand for changes, so a digest of the text
alone would keep a retrained or upgraded model's transform job, or its smoke test, as they were. So
the constructs that produce such a token register an *identity* for it (the digest of what they were
built from), and a digest reads that identity in place of the token.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Callable, Dict, Union

from aws_cdk import Stack
from constructs import Construct

Identity = Union[str, Callable[[], str]]
_IDENTITIES: Dict[str, Identity] = {}
"""Token text -> the identity of what it stands for. CDK numbers the tokens of a process from one
counter (``TokenMap``), so a token's text names it in every app of the process."""
_STRING_TOKEN = re.compile(r"\$\{Token\[[A-Za-z0-9:._-]+\]\}")
"""How CDK writes a string token (``${Token[...]}``): found in Python, without a call to CDK."""


def register_identity(scope: Construct, token: str, identity: Identity) -> None:
    """``token`` (a string token ``scope`` produced) stands for what ``identity`` names: a digest that
    changes whenever the value behind the token will (e.g. a job's name prefix, a model's digest).
    ``identity`` may be a function, called on the first digest that reads the token (and then kept):
    most tokens are never read by one, and a digest costs a resolve of its value. Registering makes
    no call into CDK (one endpoint's synth pays it)."""
    _IDENTITIES[token] = identity


def _identity(token: str) -> str:
    identity = _IDENTITIES[token]
    if callable(identity):
        identity = _IDENTITIES[token] = identity()
    return identity


def _replace(match: "re.Match[str]") -> str:
    token = match.group(0)
    return f"<{_identity(token)}>" if token in _IDENTITIES else token


def with_identities(scope: Construct, value: Any) -> Any:
    """``value`` with every registered token (also inside a longer string) replaced by its identity."""
    if not _IDENTITIES:
        return value
    if isinstance(value, dict):
        return {k: with_identities(scope, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [with_identities(scope, v) for v in value]
    if isinstance(value, str) and "${Token[" in value:
        return _STRING_TOKEN.sub(_replace, value)
    return value


def path_digest(scope: Construct, length: int = 6) -> str:
    """``length`` hex characters of ``scope``'s stack and construct path: stable for the construct's
    life (its inputs may change), different for every construct and stack, so names built on it give
    each construct an IAM scope of its own."""
    payload = {"path": scope.node.path, "stack": Stack.of(scope).stack_name}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:length]


def request_digest(scope: Construct, request: Dict[str, Any], **extra: Any) -> str:
    """10 hex characters that change whenever ``scope``'s path, its stack or anything in
    ``request`` (tokens included, as CloudFormation will see them, and the identity of the tokens
    the library produced) changes: a name built on it is stable across synths and new for every
    change, which makes the change a replacement."""
    stack = Stack.of(scope)
    resolved = stack.resolve(with_identities(scope, request))
    payload = {"path": scope.node.path, "stack": stack.stack_name, "request": resolved, **extra}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:10]
