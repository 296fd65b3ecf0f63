"""The wait chain of a job: how many wait conditions, how long each, and how the handler's events
name them (compactly: EventBridge caps a target's input at 8192 characters)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Sequence

STAGE_SECONDS = 43200
"""The longest ``Timeout`` of one ``AWS::CloudFormation::WaitCondition`` (12 hours; CloudFormation
User Guide, ``AWS::CloudFormation::WaitCondition``)."""
STAGE_END = 10 * 3600
"""The hourly heartbeat ends a stage that is not the last once it has waited this long
(``handler.waits.STAGE_END``): a stage ends after 10 to 11 hours, so it is counted as 10 (the hour
before its 12-hour timeout is the margin for delivery delays: see the handler)."""
INPUT_LIMIT = 8192
"""EventBridge's longest target input (botocore ``events`` model: ``TargetInput`` and
``TransformerInput``, max 8192)."""
STACK_ID_LENGTH = 256
"""What a stack id (an ARN: partition, region, account, a name of up to 128 characters and a UUID,
about 235 characters at most) counts for in an input rendered at synth."""


def stage_timeouts(seconds: int) -> List[int]:
    """Each stage's wait-condition timeout, so that the wait guaranteed (every stage but the last ends
    after at least ``STAGE_END``, the last waits its whole timeout) covers ``seconds``."""
    if seconds <= STAGE_SECONDS:
        return [seconds]
    before_last = -(-(seconds - STAGE_SECONDS) // STAGE_END)
    return [STAGE_SECONDS] * before_last + [seconds - before_last * STAGE_END]


def compact(ids: Sequence[str]) -> List[Any]:
    """``[common prefix, [suffix, ...]]``: the stages' logical ids share the runner's path, which
    may be hundreds of characters, once."""
    prefix = os.path.commonprefix(list(ids))
    return [prefix, [i[len(prefix):] for i in ids]]


def input_length(target_input: Dict[str, Any]) -> int:
    """The rendered input's length at deploy: the stack id (a token at synth) at its longest, the
    state-change detail (an input transformer's ``<detail>`` placeholder) at its template's length."""
    rendered = {**target_input, "stack": "s" * STACK_ID_LENGTH}
    if "detail" in rendered:
        rendered["detail"] = "<detail>"
    return len(json.dumps(rendered))
