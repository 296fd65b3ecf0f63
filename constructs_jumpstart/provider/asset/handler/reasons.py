"""What a failure tells CloudFormation: the ``Reason`` of a FAILED response or a wait condition's
FAILURE signal shows in the stack's events, which anyone who can describe the stack reads. SageMaker's
``FailureReason`` and an API error's message can quote the request (an environment variable, a
hyperparameter): every value of those two maps is replaced, and the text is cut to ``REASON_LIMIT``."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List

REASON_LIMIT = 1200
"""Characters of a reason: SageMaker's whole ``FailureReason`` (at most 1024 characters, service model
shape ``FailureReason``) after "SageMaker training job <name, at most 63> failed: ", well under the
4096-byte response."""
MIN_SECRET = 4
"""Shorter values ("1", "true") are not hidden: they would blank out ordinary words."""
HIDDEN = "<value hidden>"
SENSITIVE = ("Environment", "HyperParameters")


def sensitive_values(request: Dict[str, Any]) -> List[str]:
    """The values of the request's (or described job's) environment and hyperparameters, raw and as
    the SDK JSON-encodes them (``"\\"x\\""`` -> also ``x``), longest first."""
    values = set()
    for field in SENSITIVE:
        for value in (request.get(field) or {}).values():
            text = str(value)
            values.add(text)
            try:
                decoded = json.loads(text)
            except ValueError:
                continue
            values.add(str(decoded))
    return sorted((v for v in values if len(v) >= MIN_SECRET), key=len, reverse=True)


def of_event(event: Dict[str, Any]) -> List[str]:
    """The sensitive values of a custom-resource event's job request, if it has one."""
    try:
        request = json.loads((event.get("ResourceProperties") or {}).get("Request") or "{}")
    except ValueError:
        return []
    return sensitive_values(request) if isinstance(request, dict) else []


def safe(reason: str, hidden: Iterable[str] = ()) -> str:
    """``reason`` without the hidden values, at most ``REASON_LIMIT`` characters."""
    for value in hidden:
        reason = reason.replace(value, HIDDEN)
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 3] + "..."
