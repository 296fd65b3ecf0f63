"""Lambda entry point of the constructs_jumpstart custom resources: one function per stack serves
every kind (see the package docstring).

Events that reach it: CloudFormation custom-resource requests (dispatched by ``ResourceType``), and
EventBridge events of a job's state change (forwarded with the wait-condition handle) or of the
hourly heartbeat of a chained wait. Every failure of a request is reported to CloudFormation instead
of hanging it; every response fits CloudFormation's 4096-byte limit."""

from __future__ import annotations

from typing import Any, Dict

from . import artifacts, aws, cfn, jobs, models, waits

HANDLERS = {"Custom::JumpStartJob": jobs.on_job, "Custom::JumpStartJobResult": jobs.on_result,
            "Custom::JumpStartModel": models.on_model, "Custom::JumpStartArtifact": artifacts.on_artifact,
            "Custom::JumpStartJobCheckpoint": waits.on_checkpoint}


DELETES_FROM_PROPERTIES = {"Custom::JumpStartArtifact", "Custom::JumpStartJob", "Custom::JumpStartModel"}
"""Kinds whose Delete finds what to remove from the resource's properties, so that even the Delete of
a failed Create removes what that Create made before it failed: an object written, a job started, a
model created, and then a response that could not be sent (the catch-all answers with the marker), or
a Lambda retry of the same event (Lambda delivers an event at least once) that failed early after the
first one had made it."""


def on_request(event: Dict[str, Any]) -> None:
    """A CloudFormation request: the Delete of a failed Create is answered at once where the Create can
    have made nothing (results, checkpoints); the kinds that make something remove it from their
    properties (``DELETES_FROM_PROPERTIES``); every failure is reported to CloudFormation instead of
    hanging it. The response URL and a wait handle must be CloudFormation's (``cfn.check_url``):
    anyone allowed ``lambda:InvokeFunction`` can send an event, and the handler PUTs nowhere else.
    A foreign response URL gets no answer at all; a foreign wait handle is refused before any work."""
    cfn.check_url(event["ResponseURL"])
    if event["RequestType"] == "Delete" and event.get("PhysicalResourceId") == cfn.CREATE_FAILED \
            and event.get("ResourceType") not in DELETES_FROM_PROPERTIES:
        cfn.respond(event, "SUCCESS", cfn.CREATE_FAILED, "nothing to delete: the create had failed")
        return
    handler = HANDLERS.get(event.get("ResourceType", ""), jobs.on_job)
    try:
        handle = event.get("ResourceProperties", {}).get("WaitHandle")
        if handle:
            cfn.check_url(handle)
        handler(event)
    except Exception as err:  # noqa: BLE001 - report every failure to CloudFormation instead of hanging it
        cfn.respond(event, "FAILED", cfn.failed_physical_id(event), f"{type(err).__name__}: {err}")


def on_event(event: Dict[str, Any], context: Any = None) -> None:
    """Lambda entry point."""
    aws.start_invocation(context)
    if "RequestType" in event:
        on_request(event)
        return
    if "chain" in event:  # a chained wait: state change or heartbeat
        print(waits.on_chain_event(event))
        return
    jobs.on_state_change(event)
