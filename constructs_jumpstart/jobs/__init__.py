"""Fine-tuning and batch transform, on one jobs mechanism (:mod:`.runner`)."""

from ._s3 import JobInput
from .runner import JobRunner
from .training import JumpStartTrainingJob
from .transform import JumpStartBatchTransform

__all__ = ["JobInput", "JobRunner", "JumpStartBatchTransform", "JumpStartTrainingJob"]
