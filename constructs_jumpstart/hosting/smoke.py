"""The endpoint's smoke test (:meth:`JumpStartEndpoint.add_smoke_test`): the checks, and what the test
needs to know of the endpoint (its name, config, first component, and a fingerprint of what it
serves, so it runs again only when that changes)."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import Duration, Fn
from constructs import Construct

from ..errors import ValidationError


def add_smoke_test(ep: Any, payload: Any, content_type: Optional[str], accept: Optional[str], timeout: Duration) -> Any:
    """:meth:`JumpStartEndpoint.add_smoke_test`'s work: the trigger, or ``None`` for a failed endpoint."""
    from .. import _smoke  # aws_cdk.triggers and aws_lambda load only for endpoints that use it

    where = f"{ep.node.path}.add_smoke_test"
    if ep.failed:
        return None
    problems = []
    if ep.async_inference is not None:
        problems.append("an asynchronous endpoint refuses InvokeEndpoint: test it with InvokeEndpointAsync and "
                        "its S3 output instead (jumpstart invoke does not either).")
    if ep.smoke_test is not None:
        problems.append("this endpoint has a smoke test already: call add_smoke_test once "
                        "(or drop smoke_test=True).")
    request, more = _smoke.request_of(ep.models[0].resolved, payload, content_type, accept)
    if problems + more:
        raise ValidationError(where, problems + more)
    component = None
    if ep.inference_components:
        first = ep.inference_components[0]
        arn = first.attr_inference_component_arn  # .../inference-component/NAME (no name attribute)
        component = (Fn.select(1, Fn.split("/", arn)), arn)
    fingerprint = {"models": [m.fingerprint for m in ep.models], "variants": ep.variant_names,
                   "instance_type": ep.instance_type,
                   "request": [request[0].decode(errors="replace"), *request[1:]]}
    ep.smoke_test = _smoke.build(Construct(ep, "SmokeTest"), ep.endpoint_name, ep.endpoint_config_name,
                                 ep.endpoint_arn, request, fingerprint,
                                 [ep.cfn_endpoint, *ep.inference_components], component, timeout,
                                 yours=payload is not None)
    return ep.smoke_test
