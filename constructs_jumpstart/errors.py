"""Errors users see at synth time. Each names the bad value and what would be valid."""

from __future__ import annotations

import difflib
from typing import Iterable, List, Sequence


class JumpStartError(ValueError):
    """Base class of every error this library raises for bad input."""


class UnknownModelError(JumpStartError):
    def __init__(self, model_id: str, region: str, known_ids: Iterable[str]):
        close = difflib.get_close_matches(model_id, list(known_ids), n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"Unknown JumpStart model id '{model_id}' in region {region}.{hint}")
        self.model_id = model_id
        self.suggestions = close


class UnknownVersionError(JumpStartError):
    def __init__(self, model_id: str, version: str, available: Sequence[str]):
        super().__init__(
            f"JumpStart model '{model_id}' has no version '{version}'. "
            f"Available versions: {', '.join(available)} (or '*' for the latest)."
        )


class UnsupportedInstanceTypeError(JumpStartError):
    def __init__(self, model_id: str, version: str, scope: str, instance_type: str, supported: Sequence[str]):
        # typos, not other families; and the "ml." SageMaker's instance types start with (m5.large)
        prefixed = f"ml.{instance_type}"
        close = [prefixed] if prefixed in supported else \
            difflib.get_close_matches(str(instance_type), list(supported), n=2, cutoff=0.9)
        hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(
            f"Instance type '{instance_type}' is not supported for {scope} by JumpStart model "
            f"'{model_id}' {version}.{hint} Supported instance types: {', '.join(supported) or 'none'}."
        )


class UnsupportedScopeError(JumpStartError):
    pass


class UnknownConfigError(JumpStartError):
    def __init__(self, model_id: str, config_name: str, available: Sequence[str]):
        super().__init__(
            f"JumpStart model '{model_id}' has no inference config '{config_name}'. "
            f"Available configs: {', '.join(available) or 'none'}."
        )


class RegionError(JumpStartError):
    pass


class MetadataError(JumpStartError):
    """The JumpStart metadata could not be read (bad local directory, no credentials, ...)."""


class LockfileError(JumpStartError):
    pass


class ValidationError(JumpStartError):
    """Several problems with one construct's props, raised together."""

    def __init__(self, path: str, problems: List[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s):\n{lines}")


class HubError(JumpStartError):
    """A private hub does not hold the model, or may not be read with the synth's credentials."""
