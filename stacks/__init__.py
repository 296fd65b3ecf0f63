"""Example stacks composed by ``app.py``. Each one synthesizes offline on the shipped catalog."""

from .endpoint_stack import EndpointStack
from .finetune_stack import FineTuneStack
from .pipeline_stack import EndpointStage, PipelineStack
from .transform_stack import BatchTransformStack

__all__ = ["BatchTransformStack", "EndpointStack", "EndpointStage", "FineTuneStack", "PipelineStack"]
