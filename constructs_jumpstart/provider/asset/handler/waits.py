"""Waits longer than one wait condition's 12 hours: a chain of wait conditions, one per stage
(``Custom::JumpStartJobCheckpoint`` between two stages; the job's state change and an hourly
heartbeat signal the stage in progress).

The events name the stages compactly (``JobRunner`` keeps EventBridge's 8192-character input in
reach for deep construct paths): ``{"chain": {"handles": [common prefix, [suffix, ...]], "waits":
[...]}}``, one suffix per stage, in order."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

from botocore.exceptions import ClientError

from . import aws, cfn
from .jobs import KINDS, TERMINAL, describe, job_name, signal, signal_if_finished

STAGE_END = 10 * 3600
"""The first heartbeat after a stage has waited this long ends it: between 10 and 11 hours (the rule
fires hourly), an hour before its 12-hour timeout. The margin absorbs what a stage's start and a
heartbeat's delivery vary by: CloudFormation creating the next handle, checkpoint and wait, the
schedule's one-minute precision ("Using cron and rate expressions to schedule rules in Amazon
EventBridge"), Lambda's asynchronous queue and its retries 1 and 2 minutes later ("Asynchronous
invocation", AWS Lambda Developer Guide). With 11 hours, a stage that started a few seconds after a
heartbeat saw the next one at 11 h minus those seconds, and the one after came too late (#18 review,
finding 1). ``jobs/_chain.py`` counts every stage but the last as this long."""


def stack_resources(stack: str) -> Dict[str, Dict[str, Any]]:
    """Every resource of the stack. ``ListStackResources``, paginated: ``DescribeStackResources``
    returns only the first 100 resources of a stack (its API Reference says so)."""
    pages = aws.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack)
    return {r["LogicalResourceId"]: r for page in pages for r in page["StackResourceSummaries"]}


def stage_ids(event: Dict[str, Any], kind: str) -> List[str]:
    """The logical ids of the chain's handles (``kind`` "handles") or waits, stage by stage."""
    prefix, suffixes = event["chain"][kind]
    return [prefix + suffix for suffix in suffixes]


def current_stage(event: Dict[str, Any], resources: Dict[str, Dict[str, Any]]) -> Optional[Tuple[int, str, Any]]:
    """(index, handle URL, start time) of the chain's wait in progress, or None between stages."""
    for index, (handle, wait) in enumerate(zip(stage_ids(event, "handles"), stage_ids(event, "waits"))):
        status = resources.get(wait, {})
        if status.get("ResourceStatus") == "CREATE_IN_PROGRESS" and handle in resources:
            return index, resources[handle]["PhysicalResourceId"], status.get("LastUpdatedTimestamp")
    return None


def lifetime_job(event: Dict[str, Any], resources: Dict[str, Dict[str, Any]]) -> Optional[str]:
    """The job of this deployment lifetime: the prefix plus the hash of the first stage's handle URL
    (the ``WaitHandle`` the job was started with)."""
    first = resources.get(stage_ids(event, "handles")[0], {}).get("PhysicalResourceId")
    return job_name(event["prefix"], first) if first else None


def chain_done(event: Dict[str, Any], resources: Dict[str, Dict[str, Any]]) -> bool:
    """The last stage's wait was signalled: nothing of the chain waits any more."""
    return resources.get(stage_ids(event, "waits")[-1], {}).get("ResourceStatus") == "CREATE_COMPLETE"


def disable_heartbeat(rule: str) -> str:
    """The hourly heartbeat is no use once the job ended and the chain is done (it would invoke the
    function for the stack's lifetime). Best effort: an enabled rule only costs an invocation."""
    try:
        aws.client("events").disable_rule(Name=rule)
    except ClientError as err:
        return f"heartbeat {rule} not disabled: {err}"
    return f"heartbeat {rule} disabled"


def on_chain_event(event: Dict[str, Any], now: Optional[float] = None) -> str:
    """A state change or an hourly heartbeat of a job with a chained wait: signal the stage in
    progress with the job's end, or (heartbeat) end a stage that has waited 10 hours while the job
    still runs. Between stages nothing is signalled: the next checkpoint looks at the job itself.
    Only the job named for this lifetime counts (a previous lifetime's job matches the rule too)."""
    kind = event["kind"]
    resources = stack_resources(event["stack"])
    name = lifetime_job(event, resources)
    reported = (event.get("detail") or {}).get(KINDS[kind]["name"])
    if name is None or (reported and reported != name):
        return f"{reported or 'heartbeat'}: not the job of this wait"
    job = describe(kind, name)
    ended = job is not None and job.get(KINDS[kind]["status"]) in TERMINAL
    if ended and chain_done(event, resources):
        return disable_heartbeat(event["rule"]) if event.get("rule") else "done"
    stage = current_stage(event, resources)
    if stage is None:
        return "between stages"
    index, handle, started = stage
    if ended:
        signal(handle, kind, job)
        return f"stage {index}: {job.get(KINDS[kind]['status'])}"
    last = index == len(event["chain"]["waits"][1]) - 1
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
