"""What the stack's handler may start for one construct: its ``Create*`` call, conditioned on what the
stack asked for (issue #19, part 2). Anyone allowed ``lambda:InvokeFunction`` on the handler can hand it
an event of their own; with these conditions, SageMaker refuses any job but the one the template
describes, whatever the event says: another instance type, a longer runtime, isolation or
inter-container encryption turned off, another volume or output key, another VPC, or (for a batch
transform) another model, and so another model's role.

Every key, its type and the actions that supply it are from the Service Authorization Reference
("Actions, resources, and condition keys for Amazon SageMaker AI": ``CreateTrainingJob`` lists
``sagemaker:InstanceTypes``, ``InterContainerTrafficEncryption``, ``MaxRuntimeInSeconds``,
``NetworkIsolation``, ``OutputKmsKeyArn``, ``VolumeKmsKeyArn``, ``VpcSecurityGroupIds``, ``VpcSubnets``;
``CreateTransformJob`` lists ``InstanceTypes``, ``ModelArn``, ``OutputKmsKeyArn``, ``VolumeKmsKeyArn``;
``CreateModel`` lists ``NetworkIsolation``, ``VpcSecurityGroupIds``, ``VpcSubnets``) and the SageMaker
Developer Guide ("Control creation of SageMaker AI resources with condition keys": ``InstanceTypes``,
``VpcSubnets`` and ``VpcSecurityGroupIds`` are lists of strings, ``MaxRuntimeInSeconds`` numeric,
``NetworkIsolation`` and ``InterContainerTrafficEncryption`` Boolean, ``ModelArn`` "the model ARN
specified in the request" and the volume and output keys "the AWS KMS key ARN or alias ARN specified
in the request" ARNs). The guide still writes the key names ``VolumeKmsKey`` / ``OutputKmsKey``; the
reference, which IAM evaluates by, defines only ``VolumeKmsKeyArn`` / ``OutputKmsKeyArn`` (a key no
action supplies is absent, and ``ArnEquals`` on an absent key denies every call). The operators are the
IAM User Guide's for those types ("IAM JSON policy elements: Condition operators"); a list key is
checked with ``ForAllValues`` and ``Null`` = ``false`` ("Single-valued vs. multivalued context keys":
``ForAllValues`` alone is true when the key is absent), as the guide's "Restrict training to a specific
VPC" example does.

A setting the stack leaves off (isolation off, no key) is not conditioned: an event that turns it on
asks for less, not more. What would reach further is refused when the stack does not ask for it
(``Null`` = ``true``, the key absent): a VPC (subnets and security groups of anyone's choosing), a
warm pool (``sagemaker:KeepAlivePeriod``, "Use SageMaker AI managed warm pools": "Administrators can
optionally use the sagemaker:KeepAlivePeriod condition key") and a file-system channel
(``sagemaker:FileSystemId``, one of CreateTrainingJob's keys in the reference): the library uses none.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Sequence


def _conditions() -> Dict[str, Dict[str, Any]]:
    return {"ForAllValues:StringEquals": {}, "Null": {}, "NumericLessThanEquals": {}, "Bool": {}, "ArnEquals": {}}


def _list(conditions: Dict[str, Dict[str, Any]], key: str, values: Sequence[Any]) -> None:
    if values:
        conditions["ForAllValues:StringEquals"][key] = list(values)
        conditions["Null"][key] = "false"


def _flag(conditions: Dict[str, Dict[str, Any]], key: str, on: Any) -> None:
    if on is True:
        conditions["Bool"][key] = "true"


def _arn(conditions: Dict[str, Dict[str, Any]], key: str, value: Any) -> None:
    if value:
        conditions["ArnEquals"][key] = value


def _absent(conditions: Dict[str, Dict[str, Any]], *keys: str) -> None:
    for key in keys:
        conditions["Null"][key] = "true"


def _vpc(conditions: Dict[str, Dict[str, Any]], vpc_config: Mapping[str, Any]) -> None:
    """The stack's subnets and security groups, or none at all."""
    if not vpc_config:
        _absent(conditions, "sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds")
    _list(conditions, "sagemaker:VpcSubnets", vpc_config.get("Subnets") or [])
    _list(conditions, "sagemaker:VpcSecurityGroupIds", vpc_config.get("SecurityGroupIds") or [])


def _used(conditions: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {operator: keys for operator, keys in conditions.items() if keys}


def training_conditions(request: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """``CreateTrainingJob``: the instance types, at most the runtime, isolation and inter-container
    encryption when on, the volume and output keys, the VPC (or none); no warm pool, no file system."""
    resources = request.get("ResourceConfig") or {}
    types = [resources["InstanceType"]] if "InstanceType" in resources else \
        [group["InstanceType"] for group in resources.get("InstanceGroups", [])]
    conditions = _conditions()
    _list(conditions, "sagemaker:InstanceTypes", types)
    runtime = (request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    if runtime is not None:
        conditions["NumericLessThanEquals"]["sagemaker:MaxRuntimeInSeconds"] = str(runtime)
    _flag(conditions, "sagemaker:NetworkIsolation", request.get("EnableNetworkIsolation"))
    _flag(conditions, "sagemaker:InterContainerTrafficEncryption", request.get("EnableInterContainerTrafficEncryption"))
    _arn(conditions, "sagemaker:VolumeKmsKeyArn", resources.get("VolumeKmsKeyId"))
    _arn(conditions, "sagemaker:OutputKmsKeyArn", (request.get("OutputDataConfig") or {}).get("KmsKeyId"))
    _vpc(conditions, request.get("VpcConfig") or {})
    if "KeepAlivePeriodInSeconds" not in resources:
        _absent(conditions, "sagemaker:KeepAlivePeriod")
    _absent(conditions, "sagemaker:FileSystemId")
    return _used(conditions)


def transform_conditions(request: Mapping[str, Any], model_arns: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """``CreateTransformJob``: the instance type, the model (``model_arns``: the same model's ARN as
    SageMaker returns it and as built from its name, so the condition holds whichever of the two the
    request context carries), the volume and output keys."""
    resources = request.get("TransformResources") or {}
    conditions = _conditions()
    _list(conditions, "sagemaker:InstanceTypes", [t for t in [resources.get("InstanceType")] if t])
    _arn(conditions, "sagemaker:ModelArn", list(model_arns))
    _arn(conditions, "sagemaker:VolumeKmsKeyArn", resources.get("VolumeKmsKeyId"))
    _arn(conditions, "sagemaker:OutputKmsKeyArn", (request.get("TransformOutput") or {}).get("KmsKeyId"))
    return _used(conditions)


def model_conditions(request: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """``CreateModel`` (a model the handler creates): isolation when on, the VPC (or none)."""
    conditions = _conditions()
    _flag(conditions, "sagemaker:NetworkIsolation", request.get("EnableNetworkIsolation"))
    _vpc(conditions, request.get("VpcConfig") or {})
    return _used(conditions)
