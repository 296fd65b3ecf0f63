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


def on_event(event: Dict[str, Any], context: Any = None) -> None:
    """Lambda entry point."""
    if "RequestType" in event:
        handler = HANDLERS.get(event.get("ResourceType", ""), jobs.on_job)
        try:
            handler(event)
        except Exception as err:  # report every failure to CloudFormation instead of hanging it
            props = event.get("ResourceProperties", {})
            physical = event.get("PhysicalResourceId") or props.get("JobName") or props.get("ModelName") or "none"
            cfn.respond(event, "FAILED", physical, f"{type(err).__name__}: {err}")
        return
    if "stages" in event:  # a chained wait: state change or heartbeat
        print(waits.on_chain_event(event))
        return
    jobs.on_state_change(event)
