"""Deterministic physical names for what CloudFormation cannot replace by itself (jobs, models
created through the API)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict

from aws_cdk import Stack
from constructs import Construct


def request_digest(scope: Construct, request: Dict[str, Any], **extra: Any) -> str:
    """10 hex characters that change whenever ``scope``'s path, its stack or anything in
    ``request`` (tokens included, as CloudFormation will see them) changes: a name built on it is
    stable across synths and new for every change, which makes the change a replacement."""
    stack = Stack.of(scope)
    payload = {"path": scope.node.path, "stack": stack.stack_name, "request": stack.resolve(request), **extra}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:10]
