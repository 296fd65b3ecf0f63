"""Clients and calls: botocore's standard retries, plus backoff on throttling for bursts of
CloudFormation and EventBridge events."""

from __future__ import annotations

import random
import time
from typing import Any, Dict

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}

_clients: Dict[str, Any] = {}


def client(service: str):
    if service not in _clients:
        _clients[service] = boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))
    return _clients[service]


def sagemaker():
    return client("sagemaker")


DENIED = {"AccessDeniedException", "AccessDenied"}
DENIED_STEP = 10.0
"""Seconds between tries of a call denied while its permission may still be propagating."""
PROPAGATION = 120.0
"""How long a job's first Describe and its Create* (and a model's Create) are tried again when denied:
the construct's handler policy is created (or updated) right before its job starts, and "Changes that
I make are not always immediately visible" (IAM User Guide, troubleshooting) says a new or updated
policy takes time to be in force. A start that stays denied (a forged request) fails after it. A
denied Create started nothing, so trying it again never starts a second job."""


def call(operation: str, attempts: int = 8, base_delay: float = 0.5, denied_for: float = 0.0, **kwargs):
    """Call a SageMaker API, retrying throttling with exponential backoff and full jitter (on top
    of botocore's own retries, for bursts of CloudFormation and EventBridge calls), and an access
    denial for up to ``denied_for`` seconds (see :data:`PROPAGATION`)."""
    attempt, waited = 0, 0.0
    while True:
        try:
            return getattr(sagemaker(), operation)(**kwargs)
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code in THROTTLING and attempt < attempts - 1:
                time.sleep(random.uniform(0, base_delay * 2**attempt))
                attempt += 1
            elif code in DENIED and waited + DENIED_STEP <= denied_for and seconds_left() > 3 * DENIED_STEP:
                print(f"{operation} denied; trying again in {DENIED_STEP:.0f} s (a new policy may still propagate)")
                time.sleep(DENIED_STEP)
                waited += DENIED_STEP
            else:
                raise


def not_found(err: ClientError) -> bool:
    message = err.response["Error"].get("Message", "").lower()
    return err.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound", "NoSuchKey", "404") and any(
        phrase in message for phrase in ("not found", "does not exist", "could not find", "not exist")
    )


# -- the invocation's clock ------------------------------------------------------------------------

_invocation: Dict[str, Any] = {}


def start_invocation(context: Any) -> None:
    """Keep this invocation's Lambda context, whose ``get_remaining_time_in_millis()`` says how long
    before Lambda stops it ("Lambda context object in Python", AWS Lambda Developer Guide), so long
    work (the packer) can stop cleanly and answer first. Without a context (tests, benchmarks): no
    deadline."""
    _invocation.clear()
    if callable(getattr(context, "get_remaining_time_in_millis", None)):
        _invocation["context"] = context


def seconds_left() -> float:
    """Seconds until Lambda stops this invocation (infinite without a context), asked of the context
    each time: the runtime's own clock, not ours."""
    context = _invocation.get("context")
    return context.get_remaining_time_in_millis() / 1000 if context is not None else float("inf")
