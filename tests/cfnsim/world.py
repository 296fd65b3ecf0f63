"""Everything wired together: the clock, the fakes, Lambda, EventBridge and CloudFormation, plus the
drivers for the resources CloudFormation provisions itself (what they do is from each type's page in
the CloudFormation Template Reference: what Ref and Fn::GetAtt return, which property changes
replace the resource)."""

from __future__ import annotations

import json
import re
import urllib.error
from typing import Any, Callable, Dict, List, Optional, Tuple

from .botohook import Hooked, ServiceError
from .clock import Clock
from .cloudformation import NATIVE_SECONDS, CloudFormation, Resource, Stack
from .events import EventBridge
from .iam import Iam
from .lambdas import Function, Lambdas
from .s3 import S3
from .sagemaker import SageMaker
from .template import Assembly

ACCOUNT, REGION = "123456789012", "us-west-2"
# Resource types every property change of which replaces the resource ("Update requires: Replacement"
# on every property of AWS::SageMaker::Model and AWS::SageMaker::EndpointConfig)
REPLACED_ON_CHANGE = {"AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig"}


class _Response:
    status = 200

    def read(self) -> bytes:
        return b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class World:
    def __init__(self, s3_throughput: float = 200e6, seed: int = 0):
        self.clock = Clock()
        self.guards: List[Callable[[], None]] = []
        self.s3 = S3(self.clock, s3_throughput)
        self.events = EventBridge(self.clock, self._invoke_target, seed)
        self.sagemaker = SageMaker(self.clock, self.s3, self.events.put_event)
        self.cfn = CloudFormation(self)
        self.hooked = Hooked({"s3": self.s3, "sagemaker": self.sagemaker, "cloudformation": self.cfn,
                              "events": self.events}, REGION)
        self.hooked.guard = self.s3.guard = self._guard
        self.iam = self.hooked.iam = Iam(self.cfn)  # every call of a stack's function is authorized (iam.py)
        self.lambdas = Lambdas(self.clock, self.hooked, self.urlopen, self.guards)
        self.puts: List[Tuple[str, int, bytes]] = []  # every PUT to a pre-signed URL: (kind, size, body)
        self.faults: Dict[Tuple[str, str], str] = {}  # (resource type or logical id, action) -> error: tests fail one

    def _guard(self) -> None:
        for guard in list(self.guards):
            guard()

    # -- the stack operations --

    def deploy(self, name: str, assembly: Assembly, parameters: Optional[Dict[str, Any]] = None) -> Stack:
        """``cdk deploy``: create the stack, or update it if it exists."""
        if name in self.cfn.stacks and self.cfn.stacks[name].status != "ROLLBACK_COMPLETE":
            return self.cfn.update_stack(name, assembly, parameters)
        return self.cfn.create_stack(name, assembly, parameters)

    def destroy(self, name: str) -> Stack:
        return self.cfn.delete_stack(name)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # -- the network --

    def urlopen(self, request) -> _Response:
        url = request.full_url if hasattr(request, "full_url") else str(request)
        data = request.data or b""
        method = request.get_method() if hasattr(request, "get_method") else "GET"
        if method != "PUT":
            raise urllib.error.URLError(f"simulated network: only PUTs to pre-signed URLs, not {method} {url}")
        if url.startswith("https://cloudformation-custom-resource-response-"):
            self.puts.append(("response", len(data), data))
            self.cfn.receive_response(url, data)
        elif url.startswith("https://cloudformation-waitcondition-"):
            self.puts.append(("signal", len(data), data))
            self.cfn.signal(url, data)
        else:
            raise urllib.error.URLError(f"simulated network: no route to {url}")
        return _Response()

    def _invoke_target(self, arn: str, payload: Dict[str, Any]) -> None:
        self.lambdas.invoke_async(arn, payload)

    # -- CloudFormation's drivers --

    def provision(self, stack: Stack, resource: Resource, action: str, update: Optional[Tuple[Resource, Dict]],
                  done: Callable[[bool], None]):
        old_props = None
        if update is not None:
            old, resource.props = update[0], update[1]
            old_props = old.props
        fault = self.faults.get((resource.logical, action)) or self.faults.get((resource.type, action))
        if fault and not resource.is_custom:
            return self._finish(stack, resource, f"{action.upper()}_FAILED", done, fault)
        if resource.is_custom:
            function = self.lambdas.functions.get(resource.props.get("ServiceToken", ""))
            if function is not None:
                return self.cfn.request(stack, resource, action, done, old_props)
            return self._native_custom(stack, resource, action, done)
        if resource.type == "AWS::CloudFormation::WaitCondition":
            if action == "Create":
                return self.cfn.wait(stack, resource, done)
            if action == "Update":  # "Updates aren't supported" (Count, Handle, Timeout)
                return self._finish(stack, resource, "UPDATE_FAILED", done, "Updates are not supported for "
                                    "AWS::CloudFormation::WaitCondition")
            return self._finish(stack, resource, "DELETE_COMPLETE", done)
        try:
            getattr(self, f"_{action.lower()}_native")(stack, resource, old_props)
        except ServiceError as err:
            return self._finish(stack, resource, f"{action.upper()}_FAILED", done, f"{err.code}: {err.message}")
        return self._finish(stack, resource, f"{action.upper()}_COMPLETE", done)

    def _finish(self, stack, resource, status, done, reason=""):
        def end():
            self.cfn._set(stack, resource, status, reason)
            done(status.endswith("COMPLETE"))
        self.clock.after(NATIVE_SECONDS, end)
        return None

    def _name(self, stack: Stack, resource: Resource, limit: int = 63, lower: bool = False) -> str:
        name = self.cfn.generated_id(stack, resource.logical)[:limit]
        return name.lower() if lower else name

    def _create_native(self, stack: Stack, resource: Resource, _old) -> None:
        p, t = resource.props, resource.type
        if t == "AWS::S3::Bucket":
            name = p.get("BucketName") or self._name(stack, resource, lower=True)
            self.s3.make_bucket(name, (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled")
            resource.physical = name
            resource.attrs = {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
                              "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com"}
        elif t == "AWS::Lambda::Function":
            name = p.get("FunctionName") or self._name(stack, resource, 64)
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
            resource.physical, resource.attrs = name, {"Arn": arn}
            if str(p.get("Runtime", "")).startswith("python"):
                previous = self.lambdas.functions.get(arn)  # an update keeps its EventInvokeConfig
                self.lambdas.register(Function(name, arn, stack.assembly.asset_of(resource.definition),
                                               p["Handler"], float(p.get("Timeout", 3)),
                                               max_event_age=previous.max_event_age if previous else 21600.0))
        elif t == "AWS::Lambda::EventInvokeConfig":
            name = str(p.get("FunctionName", "")).split(":")[-1]
            for function in self.lambdas.functions.values():
                if function.name == name and "MaximumEventAgeInSeconds" in p:
                    function.max_event_age = float(p["MaximumEventAgeInSeconds"])
            resource.physical = self._name(stack, resource, 64)
            resource.attrs = {}
        elif t == "AWS::Events::Rule":
            name = p.get("Name") or self._name(stack, resource, 64)
            self.events.put_rule(name, p)
            resource.physical, resource.attrs = name, {"Arn": self.events.arn(name)}
        elif t == "AWS::CloudFormation::WaitConditionHandle":
            resource.physical = self.cfn.new_handle(stack, resource.logical)
        elif t == "AWS::SageMaker::Model":
            name = p.get("ModelName") or self._name(stack, resource).replace("_", "-")
            name = re.sub(r"[^a-zA-Z0-9-]", "", name)
            self.sagemaker.CreateModel(**{**p, "ModelName": name})
            resource.physical = self.sagemaker.models[name]["ModelArn"]
            resource.attrs = {"ModelName": name, "Ref": resource.physical}
        elif t in ("AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint"):
            kind = "EndpointConfig" if t.endswith("Config") else "Endpoint"
            name = p.get(f"{kind}Name") or re.sub(r"[^a-zA-Z0-9-]", "", self._name(stack, resource))
            arn_kind = "endpoint-config" if kind == "EndpointConfig" else "endpoint"
            resource.physical = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{arn_kind}/{name}"
            resource.attrs = {f"{kind}Name": name}
        elif t == "AWS::SageMaker::InferenceComponent":
            name = p.get("InferenceComponentName") or re.sub(r"[^a-zA-Z0-9-]", "", self._name(stack, resource))
            resource.physical = self.sagemaker.CreateInferenceComponent(name, p.get("Specification") or {})
            resource.attrs = {"InferenceComponentArn": resource.physical, "_name": name}
        elif t == "AWS::IAM::Role":
            name = p.get("RoleName") or self._name(stack, resource, 64)
            resource.physical = name
            resource.attrs = {"Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "RoleId": f"AROA{name[-16:].upper()}"}
        elif t == "AWS::KMS::Key":
            key = self.cfn._uuid()
            resource.physical, resource.attrs = key, {"Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}", "KeyId": key}
        elif t == "AWS::Logs::LogGroup":
            name = p.get("LogGroupName") or self._name(stack, resource, 64)
            resource.physical, resource.attrs = name, {"Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"}
        else:
            resource.physical = self._name(stack, resource, 64)
            service = t.split("::")[1].lower()
            resource.attrs = {"Arn": f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource.physical}"}

    def _update_native(self, stack: Stack, resource: Resource, old_props) -> None:
        if resource.type in REPLACED_ON_CHANGE:
            return self._create_native(stack, resource, None)  # a new one; the old one goes at cleanup
        if resource.type == "AWS::SageMaker::InferenceComponent":  # in place (no createOnly property)
            name = resource.props.get("InferenceComponentName") or resource.attrs.get("_name", "")
            self.sagemaker.UpdateInferenceComponent(name, resource.props.get("Specification") or {})
        elif resource.type == "AWS::Events::Rule":
            self.events.put_rule(resource.physical, resource.props)
        elif resource.type == "AWS::Lambda::Function":
            self._create_native(stack, Resource(resource.logical, resource.type, resource.definition,
                                                {**resource.props, "FunctionName": resource.physical}), None)

    def _delete_native(self, stack: Stack, resource: Resource, _old) -> None:
        t, physical = resource.type, resource.physical
        if t == "AWS::S3::Bucket" and physical in self.s3.buckets:
            self.s3.remove_bucket(physical)
        elif t == "AWS::Lambda::Function":
            self.lambdas.unregister(resource.attrs.get("Arn", ""))
        elif t == "AWS::Events::Rule":
            self.events.delete_rule(physical)
        elif t == "AWS::CloudFormation::WaitConditionHandle" and physical in self.cfn.handles:
            self.cfn.handles[physical]["alive"] = False
        elif t == "AWS::SageMaker::Model":
            self.sagemaker.models.pop(resource.attrs.get("ModelName", ""), None)
        elif t == "AWS::SageMaker::InferenceComponent":
            self.sagemaker.DeleteInferenceComponent(resource.attrs.get("_name", ""))

    def restore(self, stack: Stack, resource: Resource, new_version: Resource) -> None:
        """An update rollback puts CloudFormation's own resource back as it was."""
        if resource.type == "AWS::Events::Rule" and resource.physical == new_version.physical:
            self.events.put_rule(resource.physical, resource.props)

    def _native_custom(self, stack: Stack, resource: Resource, action: str, done):
        """Custom resources served by functions that are not ours (the CDK's Node.js providers):
        what they do, not how. ``Custom::S3AutoDeleteObjects`` empties its bucket on Delete
        (aws-cdk, custom-resource-handlers auto-delete-objects-handler: deletes every object version)."""
        if resource.physical is None:
            resource.physical = self.cfn.generated_id(stack, resource.logical)
        bucket = resource.props.get("BucketName")
        if action == "Delete" and resource.type == "Custom::S3AutoDeleteObjects" and bucket in self.s3.buckets:
            self.s3.buckets[bucket]["objects"].clear()
        return self._finish(stack, resource, f"{action.upper()}_COMPLETE", done)

    # -- what tests look at --

    def stack(self, name: str) -> Stack:
        return self.cfn.stacks[name]

    def custom_requests(self, stack: Optional[Stack] = None) -> List[Dict[str, Any]]:
        """Every custom-resource request sent (the payloads CloudFormation gave the function)."""
        return [i["payload"] for i in self.lambdas.invocations if "RequestType" in i["payload"]
                and (stack is None or i["payload"]["StackId"] == stack.id)]


def targz(members: Dict[str, bytes]) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


JUMPSTART_OWNER = "999988887777"
"""The (made-up) AWS account of JumpStart's public and private caches: not the stack's."""


def seed(world: World, assembly: Assembly, size: int = 1024) -> None:
    """Put in the fake S3 every JumpStart object a template reads (public and private caches):
    a prefix gets two files, a ``.tar.gz`` a small archive, anything else ``size`` bytes."""
    text = json.dumps(assembly.template).replace('\\"', '"')
    for uri in set(re.findall(r"s3://(jumpstart-[a-z0-9-]+)/([^\"\s\\]*)", text)):
        bucket, key = uri
        world.s3.make_bucket(bucket, owner=JUMPSTART_OWNER)
        if key.endswith("/") or not key:
            world.s3.put(bucket, f"{key}model.bin", b"w" * size)
            world.s3.put(bucket, f"{key}code/inference.py", b"print('hi')\n")
        elif key.endswith(".tar.gz"):
            world.s3.put(bucket, key, targz({"model.bin": b"w" * size, "code/inference.py": b"print('hi')\n"}))
        else:
            world.s3.put(bucket, key, b"w" * size)
