"""Amazon SageMaker JumpStart models as AWS CDK constructs.

>>> from constructs_jumpstart import JumpStartEndpoint
>>> JumpStartEndpoint(stack, "Classifier", model_id="pytorch-ic-mobilenet-v2",
...                   instance_type="ml.m5.large")                       # doctest: +SKIP

The SageMaker SDK is only imported by :mod:`constructs_jumpstart.resolver`, and only when a model is
not yet in the lockfile. The constructs (and so the CDK) are imported on first use, which keeps the
``jumpstart`` CLI from starting the CDK's Node.js runtime.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    HubError,
    JumpStartError,
    LockfileError,
    MetadataError,
    RegionError,
    UnknownConfigError,
    UnknownModelError,
    UnknownVersionError,
    UnsupportedInstanceTypeError,
    UnsupportedScopeError,
    ValidationError,
)
from .lockfile import LockKey, Lockfile
from .types import AdditionalDataSource, Hyperparameter, ModelSource, ResolvedModel, S3Artifact, Scope

_LAZY = {
    "IJumpStartEndpoint": ".endpoint",
    "JumpStartEndpoint": ".endpoint",
    "JumpStartModel": ".model",
    "JumpStartTrainingJob": ".jobs",
    "JumpStartBatchTransform": ".jobs",
    "JobInput": ".jobs",
}

if TYPE_CHECKING:  # pragma: no cover - for IDEs and type checkers
    from .endpoint import IJumpStartEndpoint, JumpStartEndpoint
    from .jobs import JobInput, JumpStartBatchTransform, JumpStartTrainingJob
    from .model import JumpStartModel


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AdditionalDataSource",
    "HubError",
    "Hyperparameter",
    "IJumpStartEndpoint",
    "JobInput",
    "JumpStartEndpoint",
    "JumpStartError",
    "JumpStartModel",
    "JumpStartBatchTransform",
    "JumpStartTrainingJob",
    "LockKey",
    "Lockfile",
    "LockfileError",
    "MetadataError",
    "ModelSource",
    "RegionError",
    "ResolvedModel",
    "S3Artifact",
    "Scope",
    "UnknownConfigError",
    "UnknownModelError",
    "UnknownVersionError",
    "UnsupportedInstanceTypeError",
    "UnsupportedScopeError",
    "ValidationError",
]
