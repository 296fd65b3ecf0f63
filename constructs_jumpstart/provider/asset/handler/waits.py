"""Waits longer than one wait condition's 12 hours: a chain of wait conditions, one per stage
(``Custom::JumpStartJobCheckpoint`` between two stages; the job's state change and an hourly
heartbeat signal the stage in progress)."""

from __future__ import annotations

import time
from typing import Any, Dict, Optional, Tuple

from . import aws, cfn
from .jobs import KINDS, TERMINAL, describe, signal, signal_if_finished

STAGE_SECONDS = 43200
STAGE_END = 11 * 3600  # a heartbeat ends a stage this long after it began, well before its 12 hours


def stack_resources(stack: str) -> Dict[str, Dict[str, Any]]:
    resources = aws.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r for r in resources}


def current_stage(event: Dict[str, Any], resources: Dict[str, Dict[str, Any]]) -> Optional[Tuple[int, str, Any]]:
    """(index, handle URL, start time) of the chain's wait in progress, or None between stages."""
    for index, stage in enumerate(event["stages"]):
        wait = resources.get(stage["wait"], {})
        if wait.get("ResourceStatus") == "CREATE_IN_PROGRESS" and stage["handle"] in resources:
            return index, resources[stage["handle"]]["PhysicalResourceId"], wait.get("Timestamp")
    return None


def on_chain_event(event: Dict[str, Any], now: Optional[float] = None) -> str:
    """A state change or an hourly heartbeat of a job with a chained wait: signal the stage in
    progress with the job's end, or (heartbeat) end a stage that has waited 11 hours while the job
    still runs. Between stages nothing is signalled: the next checkpoint looks at the job itself."""
    kind = event["kind"]
    resources = stack_resources(event["stack"])
    stage = current_stage(event, resources)
    if stage is None:
        return "between stages"
    index, handle, started = stage
    name = ((event.get("detail") or {}).get(KINDS[kind]["name"])
            or resources.get(event["job"], {}).get("PhysicalResourceId"))
    job = describe(kind, name) if name else None
    if job is not None and job.get(KINDS[kind]["status"]) in TERMINAL:
        signal(handle, kind, job)
        return f"stage {index}: {job.get(KINDS[kind]['status'])}"
    last = index == len(event["stages"]) - 1
    waited = (now or time.time()) - (started.timestamp() if hasattr(started, "timestamp") else float(started or 0))
    if event.get("heartbeat") and not last and waited >= STAGE_END:
        cfn.put(handle, cfn.fit({"Status": "SUCCESS", "Reason": f"{name} still running after stage {index}",
                         "UniqueId": f"stage-{index}", "Data": ""}))
        return f"stage {index}: still running"
    return f"stage {index}: waiting"


def on_checkpoint(event: Dict[str, Any]) -> None:
    """Between two stages: a job that already finished signals the new stage's handle at once."""
    props = event["ResourceProperties"]
    physical = f"{props['JobName']}-stage-{props['Stage']}"
    if event["RequestType"] == "Create":
        signal_if_finished("Create", props["Kind"], describe(props["Kind"], props["JobName"]), props["WaitHandle"])
    cfn.respond(event, "SUCCESS", event.get("PhysicalResourceId") or physical, "checkpoint")

