"""What the endpoint checks before anything is built (exactly one hosting mode), and what a failed
endpoint holds instead of its parts (its problems are reported as synth errors)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from .._plan import mode_of
from ..errors import ValidationError


def failed_endpoint(ep: Any) -> dict:
    """Placeholders of an endpoint whose problems were reported as synth errors."""
    from .._report import PLACEHOLDER, Unavailable

    return {"_endpoint_name": PLACEHOLDER, "_endpoint_arn": f"arn:aws:sagemaker:::endpoint/{PLACEHOLDER}",
            "endpoint_config_name": PLACEHOLDER, "model_name": PLACEHOLDER, "model_version": PLACEHOLDER,
            "instance_type": PLACEHOLDER, "model": Unavailable(), "models": [], "variant_names": ["AllTraffic"],
            "inference_components": [], "inference_component_specs": [], "_rollback_alarms": [], "_fleet_count": 1,
            "_named_by_user": True, "smoke_test": None}


def check_mode(path: str, model_id: Optional[str], variants: Any, inference_components: Any) -> None:
    """Exactly one hosting mode, and no empty model id: else nothing else can be checked."""
    if model_id is not None and not str(model_id).strip():
        raise ValidationError(path, [
            "model_id is an empty string: pass a JumpStart model id, e.g. 'pytorch-ic-mobilenet-v2' "
            "(`jumpstart models` lists them)."])
    modes = mode_of(model_id, variants, inference_components)
    if len(modes) != 1:
        raise ValidationError(path, [
            "pass exactly one of model_id= (one model), variants= (A/B) or inference_components= "
            f"(several models on shared instances); got {', '.join(modes) or 'none'}."
        ])


def placement_problems(inference_ami_version: Optional[str], capacity_reservation: Optional[str],
                       variants: Optional[Sequence[Any]], serverless: Any, region: Optional[str]) -> List[str]:
    """Where the instances run (AMI version, capacity reservation): the API's values, the endpoint's
    region, per variant with ``variants=``, and none for serverless, which has no instances."""
    from .. import _api_rules

    given = [n for n, v in (("inference_ami_version", inference_ami_version),
                            ("capacity_reservation", capacity_reservation)) if v is not None]
    verb = "apply" if len(given) > 1 else "applies"
    if given and variants:
        return [f"{' and '.join(given)} {verb} to each production variant: set them on each JumpStartVariant."]
    if given and serverless is not None:
        return [f"{' and '.join(given)} {verb} to instances; a serverless endpoint has none."]
    reservations = [capacity_reservation] + [getattr(v, "capacity_reservation", None) for v in variants or []]
    found = [_api_rules.inference_ami_problem(inference_ami_version)]
    found += [_api_rules.capacity_reservation_problem(arn, region) for arn in reservations]
    return list(dict.fromkeys(p for p in found if p))
