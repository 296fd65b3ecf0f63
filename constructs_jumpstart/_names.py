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
from typing import Any, Callable, Dict, Union

from aws_cdk import Stack, Token
from constructs import Construct

Identity = Union[str, Callable[[], str]]
_IDENTITIES: Dict[str, Dict[str, Identity]] = {}
"""Per app (its root's address): token text -> the identity of what it stands for."""


def register_identity(scope: Construct, token: str, identity: Identity) -> None:
    """``token`` (a string token ``scope`` produced) stands for what ``identity`` names: a digest that
    changes whenever the value behind the token will (e.g. a job's name prefix, a model's digest).
    ``identity`` may be a function, called on the first digest that reads the token (and then kept):
    most tokens are never read by one, and a digest costs a resolve of its value."""
    _IDENTITIES.setdefault(scope.node.root.node.addr, {})[token] = identity


def _identity(known: Dict[str, Identity], token: str) -> str:
    identity = known[token]
    if callable(identity):
        identity = known[token] = identity()
    return identity


def with_identities(scope: Construct, value: Any) -> Any:
    """``value`` with every registered token (also inside a longer string) replaced by its identity."""
    known = _IDENTITIES.get(scope.node.root.node.addr)
    if not known:
        return value
    if isinstance(value, dict):
        return {k: with_identities(scope, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [with_identities(scope, v) for v in value]
    if isinstance(value, str) and Token.is_unresolved(value):
        for token in list(known):
            if token in value:
                value = value.replace(token, f"<{_identity(known, token)}>")
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
