"""Hyperparameter validation against a JumpStart spec, at synth (no SDK needed)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from .types import Hyperparameter, ResolvedModel


def _describe(h: Hyperparameter) -> str:
    if h.options:
        return f"one of {', '.join(map(str, h.options))}"
    low = f"> {h.exclusive_min}" if h.exclusive_min is not None else (f">= {h.min}" if h.min is not None else None)
    high = f"< {h.exclusive_max}" if h.exclusive_max is not None else (f"<= {h.max}" if h.max is not None else None)
    bounds = " and ".join(b for b in (low, high) if b)
    kind = "an integer" if h.type == "int" else "a number" if h.type == "float" else "text"
    return f"{kind} {bounds}" if bounds else kind


def _check(h: Hyperparameter, value: Any) -> Tuple[str, List[str]]:
    """The value as SageMaker receives it (a string), and what is wrong with it."""
    where = f"hyperparameter '{h.name}' = {value!r}"
    if isinstance(value, bool) and h.type != "text":
        return str(value), [f"{where} is a boolean; it must be {_describe(h)}."]
    if h.type in ("int", "float"):
        try:
            number = float(value)
            fractional = isinstance(value, float) and not number.is_integer()
            not_digits = isinstance(value, str) and not value.strip().lstrip("+-").isdigit()
            if h.type == "int" and (fractional or not_digits):
                raise ValueError
            number = int(number) if h.type == "int" else number
        except (TypeError, ValueError):
            return str(value), [f"{where} is not {_describe(h)}."]
        problems = []
        below = (h.min is not None and number < h.min) or (h.exclusive_min is not None and number <= h.exclusive_min)
        above = (h.max is not None and number > h.max) or (h.exclusive_max is not None and number >= h.exclusive_max)
        if below or above:
            problems.append(f"{where} is out of range: it must be {_describe(h)}.")
        return str(number), problems
    text = str(value)
    if h.options and text not in [str(o) for o in h.options]:
        return text, [f"{where} is not allowed: it must be {_describe(h)}."]
    return text, []


def merge_and_validate(model: ResolvedModel, overrides: Mapping[str, Any]) -> Tuple[Dict[str, str], List[str]]:
    """The spec's default hyperparameters overridden by ``overrides``, as strings (as the SDK sends
    them), and every problem found: unknown names, wrong types, out-of-range values, bad options."""
    specs = {h.name: h for h in model.hyperparameters if h.scope == "algorithm"}
    values: Dict[str, str] = dict(model.default_hyperparameters)
    problems: List[str] = []
    for name, value in overrides.items():
        spec = specs.get(name)
        if spec is None:
            problems.append(
                f"unknown hyperparameter '{name}' for '{model.model_id}' {model.version}; "
                f"valid: {', '.join(sorted(specs)) or 'none'}."
            )
            continue
        values[name], found = _check(spec, value)
        problems += found
    return values, problems
