"""Hosting, as a package of small rooms: each mode and concern of
:class:`~constructs_jumpstart.JumpStartEndpoint` is a module of its own. ``config`` holds the typed
options (re-exported here: ``from constructs_jumpstart.hosting import ServerlessConfig`` stays the
public import path)."""

from .config import (
    _ACCELERATED_PREFIXES,
    AdapterServing,
    AsyncInferenceConfig,
    DataCaptureConfig,
    DeploymentConfig,
    JumpStartInferenceComponent,
    JumpStartVariant,
    ServerlessConfig,
    TrafficShift,
    _HostedModel,
    instance_family,
    is_accelerated,
)
from .pools import InstancePool

__all__ = [
    "AdapterServing",
    "AsyncInferenceConfig",
    "DataCaptureConfig",
    "DeploymentConfig",
    "InstancePool",
    "JumpStartInferenceComponent",
    "JumpStartVariant",
    "ServerlessConfig",
    "TrafficShift",
    "instance_family",
    "is_accelerated",
]

# The public path is the one refusals name ("a constructs_jumpstart.hosting.ServerlessConfig").
for _public in (AdapterServing, AsyncInferenceConfig, InstancePool,
                DataCaptureConfig, DeploymentConfig, JumpStartInferenceComponent,
                JumpStartVariant, ServerlessConfig, TrafficShift, _HostedModel):
    _public.__module__ = __name__
del _public
