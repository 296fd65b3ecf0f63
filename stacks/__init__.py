"""Example stacks composed by ``app.py``. Each one synthesizes offline on the shipped catalog."""

from .endpoint_stack import EndpointStack
from .pipeline_stack import EndpointStage, PipelineStack

__all__ = ["EndpointStack", "EndpointStage", "PipelineStack"]
