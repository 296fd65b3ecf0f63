"""``Custom::JumpStartModel``: ``CreateModel`` for models CloudFormation cannot describe (additional
model data sources).

The model's name is finished here, at deploy, from a digest of the request as CloudFormation resolved
it: a change of any deploy-time input (a retrained artifact, a new role) is a new name, so a new
physical id, and CloudFormation replaces the model (its cleanup Delete carries the old properties,
which name the old model). Create is idempotent for a model that states the request (a retry, or an
update rollback to the old model, which still exists); Delete derives the name from the properties
(it works with an id CloudFormation generated, and after a failed create) and treats a missing model
as gone."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Dict

from botocore.exceptions import ClientError

from . import aws, cfn
from .jobs import build_request

NAME_MAX = 63
"""``ModelName``: at most 63 characters of ``NAME_PATTERN`` (botocore's SageMaker service model,
shape ``ModelName``)."""
NAME_PATTERN = re.compile(r"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?")
DIGEST_CHARS = 10
BASE_MAX = NAME_MAX - DIGEST_CHARS - 1
"""The longest base a construct may pass: the name is ``{base}-{digest}``."""


def model_name(props: Dict[str, Any]) -> str:
    """The model's name: ``{ModelNameBase}-{digest of the resolved request}``. A resource of a
    template made before names were finished here carries its whole ``ModelName``."""
    if "ModelName" in props:
        return props["ModelName"]
    base = props["ModelNameBase"]
    canonical = json.dumps(json.loads(props["Request"]), sort_keys=True, separators=(",", ":"))
    name = f"{base}-{hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_CHARS]}"
    if len(name) > NAME_MAX or not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"model name {name!r} is not a valid ModelName (at most {NAME_MAX} characters of "
                         f"{NAME_PATTERN.pattern})")
    return name


def states(described: Any, stated: Any) -> bool:
    """Whether ``described`` (DescribeModel's answer) holds everything ``stated`` (the request)
    says, recursively: the service adds members of its own (``PrimaryContainer.Mode``, ``ModelArn``,
    ``CreationTime``, ``DeploymentRecommendation``: ``DescribeModelOutput`` in botocore's service
    model), which must not make a model that states the request look different."""
    if isinstance(stated, dict):
        return isinstance(described, dict) and all(
            key in described and states(described[key], value) for key, value in stated.items())
    if isinstance(stated, list):
        return (isinstance(described, list) and len(described) == len(stated)
                and all(states(d, s) for d, s in zip(described, stated)))
    return described == stated


def _same_model(existing: Dict[str, Any], request: Dict[str, Any]) -> bool:
    """DescribeModel against the request, tags aside (DescribeModel omits them)."""
    return states(existing, {key: value for key, value in request.items() if key != "Tags"})


def create_model(name: str, request: Dict[str, Any]) -> Dict[str, str]:
    """CreateModel, idempotent for a model that states the request (retry; rollback to a model that
    still exists). Returns what happened and the model's ARN."""
    try:
        created = aws.call("create_model", denied_for=aws.PROPAGATION, **build_request("model", name, request))
        return {"state": "created", "arn": created["ModelArn"]}
    except ClientError as err:
        if "already exist" not in err.response["Error"].get("Message", "").lower():
            raise
    existing = aws.call("describe_model", ModelName=name)
    if not _same_model(existing, request):
        raise RuntimeError(f"a different model named {name} exists already; delete it or change the construct's id")
    return {"state": "exists", "arn": existing["ModelArn"]}


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
    name = model_name(props)
    if event["RequestType"] == "Delete":
        # the physical id stays as CloudFormation knows it (it may be one it generated itself)
        cfn.respond(event, "SUCCESS", event.get("PhysicalResourceId") or name, f"model {name} {delete_model(name)}")
        return
    outcome = create_model(name, json.loads(props["Request"]))
    cfn.respond(event, "SUCCESS", name, f"model {name} {outcome['state']}",
                {"ModelName": name, "ModelArn": outcome["arn"]})
