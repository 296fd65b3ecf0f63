"""``JumpStartEndpoint``: a SageMaker endpoint serving JumpStart models, in every hosting mode. The
public import path of the facade, whose rooms are :mod:`constructs_jumpstart.hosting`."""

from __future__ import annotations

from .hosting.endpoint import JumpStartEndpoint
from .hosting.imported import ASYNC_INVOKE_ACTIONS, INVOKE_ACTIONS, IJumpStartEndpoint, _ImportedEndpoint

# The public path is the one messages and docs name ("constructs_jumpstart.endpoint.JumpStartEndpoint").
for _public in (JumpStartEndpoint, IJumpStartEndpoint, _ImportedEndpoint):
    _public.__module__ = __name__
del _public

__all__ = ["ASYNC_INVOKE_ACTIONS", "INVOKE_ACTIONS", "IJumpStartEndpoint", "JumpStartEndpoint"]
