"""CloudFormation's side of the conversation: a custom resource's response and a wait condition's
signal are JSON documents PUT to pre-signed URLs, each at most 4096 bytes."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict, Optional

from .reasons import REASON_LIMIT, of_event, safe  # noqa: F401 - REASON_LIMIT: part of this module's contract

RESPONSE_LIMIT = 4096  # bytes of a custom-resource response body (and of a wait-condition signal)
CREATE_FAILED = "constructs_jumpstart::CREATE_FAILED"
"""The physical id of a Create that failed. CloudFormation's rollback then sends a Delete with it,
which has nothing to delete: answered at once, as CDK's provider framework does with its own marker
(aws-cdk-lib custom-resources, ``CREATE_FAILED_PHYSICAL_ID_MARKER``)."""


def fit(body: Dict[str, Any], field: str = "Reason", limit: int = RESPONSE_LIMIT) -> bytes:
    """The JSON body, with ``field`` cut (by bytes of the encoded document, escapes included) so
    the whole body fits ``limit``."""
    data = json.dumps(body).encode()
    text = str(body.get(field, ""))
    while len(data) > limit and text:
        over = len(data) - limit
        text = text[: max(0, len(text) - max(over, 1) - 3)]
        data = json.dumps({**body, field: text + "..."}).encode()
    return data


def put(url: str, data: bytes) -> None:
    """PUT a JSON document to a pre-signed S3 URL (custom resource response or wait-condition
    signal). The URL is signed without a content type, so none is sent."""
    request = urllib.request.Request(url, data=data, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(data))})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - CloudFormation's URL
        response.read()


def failed_physical_id(event: Dict[str, Any]) -> str:
    """The physical id to report with a failure: the marker for a Create (nothing was made that a
    Delete must find), else the resource's own id, which a failed Update or Delete must not change."""
    if event["RequestType"] == "Create":
        return CREATE_FAILED
    return event.get("PhysicalResourceId") or CREATE_FAILED


def respond(event: Dict[str, Any], status: str, physical_id: str, reason: str = "",
            data: Optional[Dict[str, Any]] = None) -> None:
    put(event["ResponseURL"], fit({
        "Status": status,
        "Reason": safe(reason, of_event(event)) or f"See the log group of this function for {physical_id}",
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": data or {},
    }))
