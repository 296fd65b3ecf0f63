"""The endpoint's physical name when it needs one (a deployment config's alarms, scaled instances): a
name that ends in a hash of its instance types, so that changing one replaces the endpoint, and the
synth warning when such a name leaves the stack through an export."""

from __future__ import annotations

import hashlib
import re
from typing import Any, List

from aws_cdk import Annotations, Names


def variant_name(text: str) -> str:
    """A variant's or component's label: letters, digits and hyphens (also in construct ids)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")[:63] or "Variant"


def generated_endpoint_name(endpoint: Any) -> str:
    """A physical name unique in the app, ending in a hash of the variants' instance types: a
    change of instance type is then a replacement (a new endpoint, with its scaling target),
    which SageMaker allows, where an in-place update of a variant registered with Application
    Auto Scaling is refused."""
    pooled = [p.instance_type for pools in getattr(endpoint, "pools", []) for p in pools]
    types = sorted(t for t in [m.instance_type for m in endpoint.models] + pooled if t)
    types = types if endpoint.serverless is None else []
    if endpoint.inference_component_specs:
        pooled = [p.instance_type for p in (getattr(endpoint, "pools", None) or [[]])[0]]
        types = [endpoint.instance_type or ""] + pooled[1:]
    digest = hashlib.sha256("|".join(types).encode()).hexdigest()[:8]
    base = Names.unique_resource_name(endpoint, max_length=63 - 9, separator="-").lower().strip("-")
    return f"{base}-{digest}"


def watch_exports(endpoint: Any) -> None:
    """Warn at synth when the endpoint's generated name, which changes with its instance types,
    or its ARN leaves the stack through an export (see :mod:`.._exported`)."""
    if not endpoint._watching_exports:
        from .._exported import warn_when_exported

        endpoint._watching_exports = True
        warn_when_exported(endpoint, endpoint.cfn_endpoint, lambda output, importers: _warn_exported(
            endpoint, output, importers))


def _warn_exported(endpoint: Any, output: Any, importers: List[str]) -> None:
    """The endpoint is replaced when an instance type changes (a new name and ARN), and
    CloudFormation refuses to change an export another stack imports (``Fn::ImportValue``,
    AWS CloudFormation User Guide)."""
    if importers:
        where, who = f"export {output.export_name}", f"stack {', '.join(importers)} imports it"
    else:
        where = f"export {output.export_name} of output {output.node.path}"
        who = "another stack may import it"
    Annotations.of(endpoint).add_warning_v2(
        "jumpstart:scaled-name-exported",
        f"this endpoint's name or ARN is exported ({where}) and {who}: its generated name ends in a hash of its "
        "instance types (auto_scale, deployment=), so changing one replaces the endpoint (a new name), and "
        "CloudFormation refuses to change an export that is in use, so that deploy fails. Pass the name through "
        "an SSM parameter instead (aws_ssm.StringParameter here, StringParameter.value_for_string_parameter in "
        "the consumer), or set endpoint_name= and follow the documented procedure (docs/hosting.md, "
        "'Autoscaling and updates').")
