"""Lambda entry point of the constructs_jumpstart custom resources: one function per stack serves
every kind (see the package docstring).

Events that reach it: CloudFormation custom-resource requests (dispatched by ``ResourceType``), and
EventBridge events of a job's state change (forwarded with the wait-condition handle) or of the
hourly heartbeat of a chained wait. Every failure of a request is reported to CloudFormation instead
of hanging it; every response fits CloudFormation's 4096-byte limit."""

from __future__ import annotations

from typing import Any, Dict

from . import artifacts, cfn, jobs, models, waits

HANDLERS = {"Custom::JumpStartJob": jobs.on_job, "Custom::JumpStartJobResult": jobs.on_result,
            "Custom::JumpStartModel": models.on_model, "Custom::JumpStartArtifact": artifacts.on_artifact,
            "Custom::JumpStartJobCheckpoint": waits.on_checkpoint}


def on_request(event: Dict[str, Any]) -> None:
    """A CloudFormation request: the Delete of a failed Create is answered at once (it made nothing:
    a job's Create that may have started its job answers with the job's id instead, see
    ``jobs.JobMayExist``); every failure is reported to CloudFormation instead of hanging it."""
    if event["RequestType"] == "Delete" and event.get("PhysicalResourceId") == cfn.CREATE_FAILED:
        cfn.respond(event, "SUCCESS", cfn.CREATE_FAILED, "nothing to delete: the create had failed")
        return
    handler = HANDLERS.get(event.get("ResourceType", ""), jobs.on_job)
    try:
        handler(event)
    except Exception as err:  # noqa: BLE001 - report every failure to CloudFormation instead of hanging it
        cfn.respond(event, "FAILED", cfn.failed_physical_id(event), f"{type(err).__name__}: {err}")


def on_event(event: Dict[str, Any], context: Any = None) -> None:
    """Lambda entry point."""
    if "RequestType" in event:
        on_request(event)
        return
    if "chain" in event:  # a chained wait: state change or heartbeat
        print(waits.on_chain_event(event))
        return
    jobs.on_state_change(event)
