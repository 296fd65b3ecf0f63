"""Example stacks composed by ``app.py``. Each one synthesizes offline on the shipped catalog."""

from .endpoint_stack import EndpointStack
from .finetune_stack import FineTuneStack
from .hosting_stacks import AsyncStack, InferenceComponentsStack, ProductionStack, ServerlessStack
from .pipeline_stack import EndpointStage, PipelineStack
from .transform_stack import BatchTransformStack

__all__ = [
    "AsyncStack", "BatchTransformStack", "EndpointStack", "EndpointStage", "FineTuneStack",
    "InferenceComponentsStack", "PipelineStack", "ProductionStack", "ServerlessStack",
]
