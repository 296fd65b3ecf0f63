"""``Custom::JumpStartModel``: ``CreateModel`` for models CloudFormation cannot describe (additional
model data sources). Create is idempotent for an identical request (a retry, or a rollback to a
model that still exists); Delete treats a missing model as gone."""

from __future__ import annotations

import json
from typing import Any, Dict

from botocore.exceptions import ClientError

from . import aws, cfn
from .jobs import build_request


def _same_model(existing: Dict[str, Any], request: Dict[str, Any]) -> bool:
    """DescribeModel against the request: every member but the tags (which DescribeModel omits)."""
    return all(existing.get(key) == value for key, value in request.items() if key != "Tags")


def create_model(name: str, request: Dict[str, Any]) -> str:
    """CreateModel, idempotent for an identical request (retry; rollback to a model that still exists)."""
    try:
        aws.call("create_model", **build_request("model", name, request))
        return "created"
    except ClientError as err:
        if "already exist" not in err.response["Error"].get("Message", "").lower():
            raise
    existing = aws.call("describe_model", ModelName=name)
    if not _same_model(existing, request):
        raise RuntimeError(f"a different model named {name} exists already; delete it or change the construct's id")
    return "exists"


def delete_model(name: str) -> str:
    try:
        aws.call("delete_model", ModelName=name)
        return "deleted"
    except ClientError as err:
        if aws.not_found(err):
            return "missing"
        raise


def on_model(event: Dict[str, Any]) -> None:
    props = event["ResourceProperties"]
    if event["RequestType"] == "Delete":
        name = event.get("PhysicalResourceId") or props["ModelName"]
        cfn.respond(event, "SUCCESS", name, f"model {delete_model(name)}")
        return
    name = props["ModelName"]
    state = create_model(name, json.loads(props["Request"]))
    cfn.respond(event, "SUCCESS", name, f"model {name} {state}", {"ModelName": name})
