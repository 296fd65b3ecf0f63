"""CloudFormation's side of the conversation: a custom resource's response and a wait condition's
signal are JSON documents PUT to pre-signed URLs, each at most 4096 bytes."""

from __future__ import annotations

import json
import re
import urllib.parse
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


PRESIGNED_HOST = re.compile(
    r"cloudformation-(custom-resource-response-[a-z0-9]+|waitcondition-[a-z0-9-]+)"
    r"\.s3(?:[.-][a-z]{2}(?:-[a-z]+)+-[0-9])?\.amazonaws\.com(?:\.cn)?")
"""The hosts of CloudFormation's pre-signed URLs: its response buckets,
``cloudformation-custom-resource-response-<region without dashes>`` ("Custom resource request
objects": a ResponseURL is "a presigned S3 bucket" of CloudFormation; the example in "Using AWS
Lambda with AWS CloudFormation" / cfn-response logs reads ``cloudformation-custom-resource-response-
useast1.s3.amazonaws.com``) and its wait-condition buckets, ``cloudformation-waitcondition-<region>``
("Create wait conditions in a CloudFormation template"), on S3's global, dash-region
(``s3-us-west-2``) and dot-region (``s3.us-west-2``) endpoints, and ``.amazonaws.com.cn`` in the
China partition ("Amazon S3 endpoints", AWS General Reference)."""


class ForeignURL(ValueError):
    """A URL an event names that is not one of CloudFormation's pre-signed hosts: the handler is
    invoked by anyone with ``lambda:InvokeFunction``, and must not PUT for them to any host."""


def check_url(url: str) -> str:
    """``url`` when it is https to one of CloudFormation's pre-signed hosts on the default port, with
    no user info; else :class:`ForeignURL`."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or parts.username is not None or parts.password is not None \
            or parts.port not in (None, 443) or not PRESIGNED_HOST.fullmatch(parts.hostname or ""):
        print(f"refused to PUT to {url[:200]!r}: not a CloudFormation pre-signed URL")
        raise ForeignURL(f"not a CloudFormation pre-signed URL: {url[:200]!r}")
    return url


def put(url: str, data: bytes) -> None:
    """PUT a JSON document to a pre-signed S3 URL (custom resource response or wait-condition
    signal), only one of CloudFormation's (:func:`check_url`). The URL is signed without a content
    type, so none is sent."""
    check_url(url)
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
