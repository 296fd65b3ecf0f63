"""The SageMaker API's own rules, applied to everything this library emits.

Every SageMaker resource of a synthesized template (L1 resources, the models the library creates
through the API, the training and transform jobs its handler starts) is turned into the API request
CloudFormation or the handler would send, and checked against botocore's SageMaker service model:

* what botocore's ``ParamValidator`` checks (required members, unknown members, types), and
* what it skips, read from the shape metadata here: string and list ``min``/``max`` lengths,
  numeric ``min``/``max`` values, ``enum`` values and ``pattern`` regexes;
* the cross-field rules the service model states only in ``documentation`` strings, from
  :mod:`constructs_jumpstart._api_rules` (the same functions the constructs apply at synth).

Intrinsic functions are replaced by values of the right form (names that match the name patterns,
ARNs of the right service), so a token never hides a violation and never causes a false one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import botocore.loaders
import regex
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

from constructs_jumpstart import _api_rules
from constructs_jumpstart.provider.asset.handler import jobs as handler
from constructs_jumpstart.provider.asset.handler import models as model_handler

ACCOUNT = "123456789012"
REGION = "us-west-2"
_MODEL = ServiceModel(botocore.loaders.Loader().load_service_model("sagemaker", "service-2"), "sagemaker")

# CloudFormation type -> (API operation, properties that are CloudFormation's alone)
CFN_OPERATIONS = {
    "AWS::SageMaker::Model": ("CreateModel", ()),
    "AWS::SageMaker::EndpointConfig": ("CreateEndpointConfig", ()),
    "AWS::SageMaker::Endpoint": ("CreateEndpoint", ("RetainAllVariantProperties", "ExcludeRetainedVariantProperties",
                                                    "RetainDeploymentConfig")),
    "AWS::SageMaker::InferenceComponent": ("CreateInferenceComponent", ("EndpointArn",)),
}
NAME_MEMBER = {"CreateModel": "ModelName", "CreateEndpointConfig": "EndpointConfigName",
               "CreateEndpoint": "EndpointName", "CreateInferenceComponent": "InferenceComponentName"}
JOB_OPERATIONS = {"training": "CreateTrainingJob", "transform": "CreateTransformJob"}


@dataclass
class Request:
    """One API request, with where it came from (``Stack/LogicalId``)."""

    operation: str
    params: Dict[str, Any]
    origin: str


# -- intrinsic functions -> plausible values -------------------------------------------------------


def _name(logical_id: str) -> str:
    """A name that fits SageMaker's name pattern ``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``."""
    return re.sub(r"[^a-z0-9]", "", logical_id.lower())[:50] or "x"


_ARN_SERVICE = {"AWS::IAM::Role": ("iam", "role/"), "AWS::KMS::Key": ("kms", "key/"),
                "AWS::SNS::Topic": ("sns", ""), "AWS::S3::Bucket": ("s3", ""),
                "AWS::CloudWatch::Alarm": ("cloudwatch", "alarm:"), "AWS::Lambda::Function": ("lambda", "function:"),
                "AWS::SageMaker::Model": ("sagemaker", "model/"), "AWS::SageMaker::Endpoint": ("sagemaker", "endpoint/"),
                "AWS::SageMaker::EndpointConfig": ("sagemaker", "endpoint-config/"),
                "AWS::SageMaker::InferenceComponent": ("sagemaker", "inference-component/")}
_CUSTOM_ATTRIBUTES = {"ModelArtifacts": "s3://output-bucket/jumpstart-training/job/output/model.tar.gz",
                      "OutputPath": "s3://output-bucket/jumpstart-transform", "ArtifactUri":
                      "s3://artifact-bucket/jumpstart-artifacts/0123456789abcdef/model.tar.gz"}


def _arn(rtype: str, logical_id: str) -> str:
    service, prefix = _ARN_SERVICE.get(rtype, ("sagemaker", "resource/"))
    if service == "s3":
        return f"arn:aws:s3:::{_name(logical_id)}"
    region = "" if service == "iam" else REGION
    resource = "12345678-1234-1234-1234-123456789012" if service == "kms" else _name(logical_id)
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{prefix}{resource}"


class Intrinsics:
    def __init__(self, template: Mapping[str, Any]):
        self.resources = template.get("Resources", {})
        self.parameters = template.get("Parameters", {})

    def ref(self, target: str) -> Any:
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "stack", "AWS::NoValue": None}
        if target in pseudo:
            return pseudo[target]
        if target in self.parameters:
            return self.parameters[target].get("Default", "parameter")
        rtype = self.resources.get(target, {}).get("Type", "")
        if rtype in ("AWS::SageMaker::Model", "AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig",
                     "AWS::SNS::Topic", "AWS::SageMaker::InferenceComponent"):
            return _arn(rtype, target)
        if rtype == "AWS::KMS::Key":
            return "12345678-1234-1234-1234-123456789012"
        if rtype == "AWS::CloudFormation::WaitConditionHandle":
            return "https://cloudformation-waitcondition.s3.amazonaws.com/handle"
        return _name(target)

    def get_att(self, target: str, attribute: str) -> Any:
        rtype = self.resources.get(target, {}).get("Type", "")
        if attribute in ("Arn", "RoleArn") or attribute.endswith("Arn"):
            return _arn(rtype, target)
        if attribute in _CUSTOM_ATTRIBUTES:
            return _CUSTOM_ATTRIBUTES[attribute]
        return _name(target)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                target, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(target, attribute)
            if fn == "Fn::Join":
                return arg[0].join(str(self.resolve(p)) for p in self.resolve(arg[1]))
            if fn == "Fn::Select":
                return self.resolve(arg[1])[int(arg[0])]
            if fn == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
            if fn == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.ref(m.group(1)) if "." not in m.group(1)
                                                              else self.get_att(*m.group(1).split(".", 1))), text)
        return {k: self.resolve(v) for k, v in value.items() if self.resolve(v) is not None}


# -- template -> API requests ----------------------------------------------------------------------


def requests_of(template: Mapping[str, Any], stack: str = "Stack") -> List[Request]:
    """Every SageMaker request the template makes CloudFormation (or the library's handler) send."""
    intrinsics = Intrinsics(template)
    out: List[Request] = []
    for logical_id, resource in template.get("Resources", {}).items():
        rtype = resource.get("Type", "")
        props = intrinsics.resolve(resource.get("Properties", {}))
        origin = f"{stack}/{logical_id}"
        if rtype in CFN_OPERATIONS:
            operation, cfn_only = CFN_OPERATIONS[rtype]
            params = {k: v for k, v in props.items() if k not in cfn_only}
            params.setdefault(NAME_MEMBER[operation], _name(logical_id))
            out.append(Request(operation, params, origin))
            if operation == "CreateEndpoint":  # an update sends UpdateEndpoint with the Retain* members
                update = {k: v for k, v in props.items() if k in ("EndpointName", "EndpointConfigName", "DeploymentConfig",
                                                                   "RetainAllVariantProperties",
                                                                   "ExcludeRetainedVariantProperties",
                                                                   "RetainDeploymentConfig")}
                update.setdefault("EndpointName", params["EndpointName"])
                out.append(Request("UpdateEndpoint", update, origin))
        elif rtype == "Custom::JumpStartJob" and props.get("Kind") in JOB_OPERATIONS:
            name = handler.job_name(props["JobName"], props["WaitHandle"])
            body = handler.build_request(props["Kind"], name, json.loads(props["Request"]))
            out.append(Request(JOB_OPERATIONS[props["Kind"]], body, origin))
        elif rtype == "Custom::JumpStartModel":
            body = handler.build_request("model", model_handler.model_name(props), json.loads(props["Request"]))
            out.append(Request("CreateModel", body, origin))
    return out


# -- the checks ------------------------------------------------------------------------------------


def _pattern_ok(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None  # the service matches the whole value
    except re.error:  # Java-only syntax (\p{L}, \uD800 pairs): the `regex` module reads it
        return regex.fullmatch(pattern, value) is not None


def _walk(shape, value: Any, path: str) -> Iterator[str]:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                yield from _walk(member, value[name], f"{path}.{name}")
        return
    if kind == "list" and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: {len(value)} items, fewer than the minimum {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} items, more than the maximum {meta['max']}"
        for i, item in enumerate(value):
            yield from _walk(shape.member, item, f"{path}[{i}]")
        return
    if kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} entries, more than the maximum {meta['max']}"
        for k, v in value.items():
            yield from _walk(shape.key, k, f"{path}.<key {k}>")
            yield from _walk(shape.value, v, f"{path}[{k}]")
        return
    if kind == "string" and isinstance(value, str):
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: {value!r} is shorter than {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {value[:60]!r}... is longer than {meta['max']}"
        if shape.enum and value not in shape.enum:
            yield f"{path}: {value!r} is not one of {', '.join(shape.enum)}"
        if "pattern" in meta and not _pattern_ok(meta["pattern"], value):
            yield f"{path}: {value!r} does not match the pattern {meta['pattern']}"
        return
    if kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            yield f"{path}: {value} is below the minimum {meta['min']}"
        if "max" in meta and value > meta["max"]:
            yield f"{path}: {value} is above the maximum {meta['max']}"


def shape_problems(operation: str, params: Mapping[str, Any]) -> List[str]:
    """botocore's validator plus the shape constraints it leaves out."""
    shape = _MODEL.operation_model(operation).input_shape
    found = []
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        found += [line.strip() for line in report.generate_report().splitlines() if line.strip()]
    found += list(_walk(shape, params, operation))
    return found


def check(requests: List[Request]) -> List[str]:
    """Every violation of the service model's rules in ``requests``, each naming its origin."""
    found = []
    for request in requests:
        found += [f"{request.origin} {request.operation}: {p}" for p in shape_problems(request.operation, request.params)]
    from sagemaker.core.common_utils import instance_supports_kms, volume_size_supported  # the SDK's own rules

    found += _api_rules.request_problems([(r.operation, r.params, r.origin) for r in requests],
                                         instance_supports_kms, volume_size_supported)
    return found


def check_template(template: Mapping[str, Any], stack: str = "Stack") -> Tuple[int, List[str]]:
    requests = requests_of(template, stack)
    return len(requests), check(requests)


def operation_documentation(operation: str, member_path: str) -> Optional[str]:
    """The documentation string of ``Shape.Member`` (to cite in tests)."""
    shape_name, member = member_path.split(".")
    shape = _MODEL.shape_for(shape_name)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", shape.members[member].documentation))
