"""A deployment chosen by objective (``optimize_for=``): the instance type and the inference config of
one model, from the spec's own benchmark figures (docs/objective.md)."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from constructs import Construct

from ..errors import ValidationError


def choose(scope: Construct, model_id: Optional[str], version: str, region: str, objective: Optional[str],
           concurrency: int, allowed: Optional[Sequence[str]], instance_type: Optional[str], config_name: Optional[str],
           hub: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """(instance type, config) chosen by ``objective`` from the spec's figures (``_resolution.choose_for``:
    the lockfile first, recorded there, with a synth info saying why)."""
    from .._resolution import choose_for

    given = [name for name, value in (("instance_type", instance_type), ("config_name", config_name),
                                       ("hub", hub)) if value is not None]
    if objective is None or model_id is None or given:
        raise ValidationError(scope.node.path, [
            "optimize_for= chooses the instance type and the inference config of one model (model_id=) from the "
            "spec's benchmark figures: " + (f"drop {', '.join(given)} (it chooses them), or drop optimize_for."
                                           if given else "pass optimize_for= with model_id= (instance_types= "
                                           "and concurrency= only narrow its choice).")])
    _, choice = choose_for(scope, model_id, version, region, objective, concurrency, allowed)
    return choice.instance_type, choice.config_name
