"""Example stacks composed by ``app.py``. Each one synthesizes offline on the shipped catalog."""

from .endpoint_stack import EndpointStack

__all__ = ["EndpointStack"]
