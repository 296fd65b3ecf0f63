"""The hosting plan of a :class:`~constructs_jumpstart.JumpStartEndpoint`: which mode its props ask
for, and what they ask that no endpoint can be. Pure: no CDK, no resolution, testable as tables.

Each option type checks itself (``problems()``); the plan adds only what concerns several of them
(serverless with instances, async with components, a rolling deployment of several variants, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

MODES = ("model_id", "variants", "inference_components")


@dataclass(frozen=True)
class HostingPlan:
    mode: str
    """``model_id`` (one model), ``variants`` (A/B) or ``inference_components``."""
    serverless: bool
    asynchronous: bool


def mode_of(model_id: Optional[str], variants: Optional[Sequence[Any]],
            components: Optional[Sequence[Any]]) -> List[str]:
    """The modes the props name (exactly one is valid)."""
    return [m for m, given in zip(MODES, (model_id, variants, components)) if given]


def plan_problems(*, instance_type: Optional[str], initial_instance_count: Any, variant_name: str,
                  variants: Optional[Sequence[Any]], inference_components: Optional[Sequence[Any]],
                  serverless: Any, async_inference: Any, data_capture: Any, deployment: Any, vpc: Any) -> List[str]:
    """Every problem of the props, in the order a user reads them: counts and names, then each
    mode's conflicts followed by its own option's problems, then deployment, variants, components."""
    found: List[str] = []
    count = initial_instance_count
    if count is not None and (not isinstance(count, int) or count < 1):
        found.append(f"initial_instance_count must be an integer of at least 1; got {initial_instance_count!r}.")
    if not variant_name or len(variant_name) > 63 or not all(c.isalnum() or c == "-" for c in variant_name):
        found.append(f"variant_name must be 1-63 letters, digits or hyphens; got {variant_name!r}.")
    if serverless is not None:
        found += _serverless_conflicts(instance_type, initial_instance_count, inference_components, async_inference,
                                       data_capture, vpc, deployment) + serverless.problems()
    if async_inference is not None:
        if inference_components:
            found.append("async_inference cannot be combined with inference_components.")
        found += async_inference.problems()
    if data_capture is not None:
        found += data_capture.problems()
    if deployment is not None:
        found += deployment.problems()
        if deployment.mode == "rolling" and variants and len(variants) > 1:
            found.append("rolling deployments need a single production variant; use blue_green for A/B endpoints.")
    for option in list(variants or []) + list(inference_components or []):
        found += option.problems()
    return found


def _serverless_conflicts(instance_type, initial_instance_count, inference_components, async_inference, data_capture,
                          vpc, deployment) -> List[str]:
    conflicts = [
        (instance_type is not None or initial_instance_count is not None,
         "serverless endpoints have no instances: drop instance_type and initial_instance_count."),
        (bool(inference_components), "serverless endpoints cannot host inference components."),
        (async_inference is not None, "serverless and async_inference exclude each other: pick one hosting mode."),
        (data_capture is not None, "serverless endpoints do not support data capture."),
        (vpc is not None, "serverless endpoints cannot run in a VPC."),
        (deployment is not None and deployment.mode == "rolling",
         "serverless endpoints support blue/green deployments only, not rolling."),
    ]
    return [message for applies, message in conflicts if applies]
