"""What the endpoint checks before anything is built (exactly one hosting mode), and what a failed
endpoint holds instead of its parts (its problems are reported as synth errors)."""

from __future__ import annotations

from typing import Any, Optional

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
