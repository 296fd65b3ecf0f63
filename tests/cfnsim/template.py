"""The cloud assembly (``cdk.out``) and CloudFormation's intrinsic functions. Sources: "Intrinsic
function reference" and "Pseudo parameters reference" in the CloudFormation User Guide
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html);
the assembly's ``*.assets.json`` (cdk-assets' manifest: each file asset's ``source.path`` and
``destinations.*.objectKey``) maps a function's ``Code.S3Key`` to its directory."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

NO_VALUE = object()


@dataclass
class Assembly:
    directory: Path
    stack: str
    template: Dict[str, Any]
    assets: Dict[str, Path]  # S3 object key -> directory of the asset

    @classmethod
    def load(cls, directory: Path, stack: Optional[str] = None) -> "Assembly":
        directory = Path(directory)
        templates = sorted(directory.glob("*.template.json"))
        path = next(t for t in templates if stack is None or t.name == f"{stack}.template.json")
        assets: Dict[str, Path] = {}
        for manifest in directory.glob("*.assets.json"):
            for asset in json.loads(manifest.read_text()).get("files", {}).values():
                for destination in asset["destinations"].values():
                    assets[destination["objectKey"]] = directory / asset["source"]["path"]
        return cls(directory, path.name[: -len(".template.json")], json.loads(path.read_text()), assets)

    def asset_of(self, function: Dict[str, Any]) -> Path:
        """The code directory of an ``AWS::Lambda::Function`` (asset metadata, else the S3 key)."""
        metadata = function.get("Metadata") or {}
        if "aws:asset:path" in metadata:
            return self.directory / metadata["aws:asset:path"]
        return self.assets[function["Properties"]["Code"]["S3Key"]]


def references(value: Any) -> Set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub variables)."""
    found: Set[str] = set()
    if isinstance(value, list):
        for v in value:
            found |= references(v)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else arg.split(".")[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if isinstance(arg, list):
                    found |= references(arg[1])
            else:
                found |= references(arg)
    return {f for f in found if not f.startswith("AWS::")}


def dependencies(template: Dict[str, Any]) -> Dict[str, Set[str]]:
    """Each resource's prerequisites: DependsOn plus every resource it references ("DependsOn
    attribute": resources that a resource references with Ref or GetAtt are implicit dependencies)."""
    resources = template["Resources"]
    deps: Dict[str, Set[str]] = {}
    for logical, resource in resources.items():
        depends = resource.get("DependsOn", [])
        found = set([depends] if isinstance(depends, str) else depends)
        found |= references(resource.get("Properties", {}))
        deps[logical] = {d for d in found if d in resources}
    return deps


class Resolver:
    """Resolves intrinsic functions against the stack's pseudo parameters, parameters and the
    physical ids / attributes of resources already created (``ref`` / ``att`` callbacks)."""

    def __init__(self, pseudo: Dict[str, Any], parameters: Dict[str, Any], ref: Callable[[str], Any],
                 att: Callable[[str, str], Any], azs: List[str]):
        self.pseudo, self.parameters, self.ref_of, self.att_of, self.azs = pseudo, parameters, ref, att, azs

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.ref_of(name)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                target, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.att_of(target, self.resolve(attribute))
            if fn == "Fn::Join":
                return arg[0].join(str(p) for p in self.resolve(arg[1]))
            if fn == "Fn::Select":
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if fn == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
            if fn == "Fn::Sub":
                return self._sub(arg)
            if fn == "Fn::GetAZs":
                return list(self.azs)
            if fn == "Fn::Base64":
                import base64
                return base64.b64encode(str(self.resolve(arg)).encode()).decode()
            if fn.startswith("Fn::") or fn == "Condition":
                raise NotImplementedError(f"{fn} is not simulated")
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not NO_VALUE}

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def one(match: "re.Match[str]") -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self.att_of(*name.split(".", 1)))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", one, text)


def stringify(value: Any) -> Any:
    """Custom-resource properties as the provider receives them: every scalar a string ("Custom
    resource request objects": ResourceProperties hold the template's properties; CloudFormation
    sends numbers and booleans as strings)."""
    if isinstance(value, dict):
        return {k: stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value
