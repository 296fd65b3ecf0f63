"""Amazon SageMaker JumpStart models as AWS CDK constructs.

>>> from constructs_jumpstart import JumpStartEndpoint
>>> JumpStartEndpoint(stack, "Classifier", model_id="pytorch-ic-mobilenet-v2",
...                   instance_type="ml.m5.large")                       # doctest: +SKIP

The SageMaker SDK is only imported by :mod:`constructs_jumpstart.resolver`, and only when a model is
not yet in the lockfile.
"""

from .endpoint import IJumpStartEndpoint, JumpStartEndpoint
from .errors import (
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
from .model import JumpStartModel
from .types import AdditionalDataSource, Hyperparameter, ResolvedModel, S3Artifact, Scope

__all__ = [
    "AdditionalDataSource",
    "Hyperparameter",
    "IJumpStartEndpoint",
    "JumpStartEndpoint",
    "JumpStartError",
    "JumpStartModel",
    "LockKey",
    "Lockfile",
    "LockfileError",
    "MetadataError",
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
