"""What must hold after every step of any scenario (issue #18). Each returns the violations found."""

from __future__ import annotations

import json
from typing import Dict, List

from .cloudformation import RESPONSE_LIMIT


def job_lifetimes(world) -> Dict[str, str]:
    """Job name -> the stack id (deployment lifetime) whose ``Custom::JumpStartJob`` reported it."""
    owners: Dict[str, str] = {}
    for stack in list(world.cfn.stacks.values()) + world.cfn.deleted:
        for response in stack.responses:
            resource = stack.resources.get(response["logical"])
            if resource is not None and resource.type == "Custom::JumpStartJob" and response.get("Status") == "SUCCESS":
                owners.setdefault(response.get("PhysicalResourceId", ""), stack.id)
    return owners


def failed_stacks(world) -> List[str]:
    return [f"{s.name} is {s.status}" for s in world.cfn.stacks.values() if s.status.endswith("FAILED")]


def orphan_jobs(world) -> List[str]:
    """Jobs still training with no live ``Custom::JumpStartJob`` resource of that name."""
    live = {r.physical for s in world.cfn.stacks.values() for r in s.resources.values()
            if r.type == "Custom::JumpStartJob" and r.status and not r.status.startswith("DELETE")}
    return [f"job {name} runs with no resource" for name, job in world.sagemaker.jobs.items()
            if job.get("TrainingJobStatus", job.get("TransformJobStatus")) == "InProgress" and name not in live]


def oversized_puts(world) -> List[str]:
    return [f"{kind} of {size} bytes" for kind, size, _ in world.puts if size > RESPONSE_LIMIT]


def foreign_signals(world) -> List[str]:
    """Signals a job sent to the wait handle of another deployment lifetime."""
    owners = job_lifetimes(world)
    found = []
    for url, handle in world.cfn.handles.items():
        for signal in handle["signals"]:
            owner = owners.get(signal.get("UniqueId", ""))
            if owner is not None and owner != handle["stack"]:
                found.append(f"{signal.get('Status')} from {signal['UniqueId']} (of {owner}) "
                             f"to a handle of {handle['stack']}")
    return found


def shared_outputs(world) -> List[str]:
    """S3 keys written by the jobs of two different deployment lifetimes."""
    owners = job_lifetimes(world)
    writer: Dict[str, str] = {}
    found = []
    for job, keys in world.sagemaker.writes.items():
        for key in keys:
            owner = owners.get(job, job)
            if key in writer and writer[key] != owner:
                found.append(f"{key} written by two lifetimes")
            writer.setdefault(key, owner)
    return found


def all_violations(world, allow_failed: bool = False) -> List[str]:
    found = orphan_jobs(world) + oversized_puts(world) + foreign_signals(world) + shared_outputs(world)
    return found + ([] if allow_failed else failed_stacks(world))


def request_shape_problems(world) -> List[str]:
    """Custom-resource requests as documented: exactly the documented keys, string property values,
    ServiceToken in ResourceProperties."""
    problems = []
    for event in world.custom_requests():
        keys = {"RequestType", "ResponseURL", "StackId", "RequestId", "ResourceType", "LogicalResourceId",
                "ResourceProperties"}
        if event["RequestType"] != "Create":
            keys.add("PhysicalResourceId")
        if event["RequestType"] == "Update":
            keys.add("OldResourceProperties")
        if set(event) != keys:
            problems.append(f"{event['LogicalResourceId']} {event['RequestType']}: keys {sorted(set(event) ^ keys)}")
        if "ServiceToken" not in event["ResourceProperties"]:
            problems.append(f"{event['LogicalResourceId']}: no ServiceToken")
        text = json.dumps(event["ResourceProperties"])
        if any(isinstance(v, (int, float, bool)) for v in _leaves(event["ResourceProperties"])):
            problems.append(f"{event['LogicalResourceId']}: a non-string property in {text[:80]}")
    return problems


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
