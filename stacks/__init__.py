"""Example stacks composed by ``app.py``. Each one synthesizes offline on the shipped catalog.

Imported on first use, so that synthesizing one example does not load the CDK modules of all.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "EndpointStack": ".endpoint_stack",
    "FineTuneStack": ".finetune_stack",
    "BatchTransformStack": ".transform_stack",
    "EndpointStage": ".pipeline_stack",
    "PipelineStack": ".pipeline_stack",
    "AsyncStack": ".hosting_stacks",
    "InferenceComponentsStack": ".hosting_stacks",
    "ProductionStack": ".hosting_stacks",
    "ServerlessStack": ".hosting_stacks",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
