"""Fine-tuning and batch transform, on one jobs mechanism (:mod:`.runner`)."""

from .runner import JobRunner
from .training import JumpStartTrainingJob
from .transform import JumpStartBatchTransform

__all__ = ["JobRunner", "JumpStartBatchTransform", "JumpStartTrainingJob"]
