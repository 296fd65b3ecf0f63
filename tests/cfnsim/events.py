"""EventBridge: the default bus with the stack's rules. Sources:

* delivery decided by the rules' event patterns (:mod:`.patterns`), to each target, with ``Input``
  (a constant JSON text) or ``InputTransformer`` (``InputPathsMap`` of JSONPaths, ``InputTemplate``
  with ``<name>`` placeholders: a placeholder in quotes takes the string value, one outside quotes the
  JSON value) - "Amazon EventBridge input transformation",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html;
* ``Input`` and ``InputTemplate`` at most 8192 characters (events service model: ``TargetInput``
  max 8192, ``TransformerInput`` max 8192): PutTargets refuses a longer one;
* ``rate(n unit)`` schedules fire every period (from the rule's creation: the simulator's reading) on
  whole minutes ("the minimum precision for schedules is 1 minute": "Using cron and rate expressions
  to schedule rules in Amazon EventBridge"), with an event of
  detail-type "Scheduled Event", source ``aws.events`` and ``resources: [rule ARN]`` ("Creating an
  Amazon EventBridge rule that runs on a schedule", example scheduled event); a ``DISABLED`` rule
  delivers nothing (DisableRule);
* a Lambda target is invoked asynchronously ("Amazon EventBridge targets": Lambda is invoked with
  the Event invocation type), so Lambda's own retries apply;
* delivery is not instantaneous and its delay varies (EventBridge "Event delivery" / "Amazon
  EventBridge quotas": events are delivered with best effort, usually within seconds, with no bound
  documented; a scheduled event likewise comes after its minute): every delivery, state change or
  scheduled, takes ``latency()`` seconds, by default uniform in ``LATENCY`` from a generator seeded per
  World (reproducible), so a scenario never relies on an exact delivery time.
Tests can delay, duplicate or drop a delivery (``tamper``: delays on top of the latency)."""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any, Callable, Dict, List

from .botohook import ServiceError
from .patterns import matches

ACCOUNT, REGION = "123456789012", "us-west-2"
INPUT_LIMIT = 8192
LATENCY = (0.5, 30.0)  # seconds of a delivery (no documented bound; the range a review reproduced defects with)
_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _path(event: Any, path: str) -> Any:
    value = event
    for part in [p for p in re.sub(r"^\$\.?", "", path).split(".") if p]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def transform(transformer: Dict[str, Any], event: Dict[str, Any], rule_arn: str) -> str:
    values = {name: _path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values.update({"aws.events.rule-arn": rule_arn, "aws.events.event": event, "aws.events.event.json": event})

    def fill(match: "re.Match[str]") -> str:
        quoted, name = match.group(1), match.group(2)
        value = values.get(name)
        if quoted:
            text = value if isinstance(value, str) else json.dumps(value)
            return '"' + json.dumps(text)[1:-1] + '"'
        return json.dumps(value)

    return re.sub(r'("?)<([A-Za-z0-9_.\-]+)>\1', fill, transformer["InputTemplate"])


class EventBridge:
    def __init__(self, clock, invoke: Callable[[str, Dict[str, Any]], None], seed: int = 0):
        self.clock, self.invoke = clock, invoke
        self.random = random.Random(seed)
        self.latency: Callable[[], float] = lambda: self.random.uniform(*LATENCY)
        self.rules: Dict[str, Dict[str, Any]] = {}  # name -> rule
        self.tamper: Callable[[Dict[str, Any], Dict[str, Any]], List[float]] = lambda rule, event: [1.0]
        self.delivered: List[Dict[str, Any]] = []
        self._ids = itertools.count(1)

    def arn(self, name: str) -> str:
        return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"

    def put_rule(self, name: str, props: Dict[str, Any]) -> None:
        for target in props.get("Targets", []):
            text = target.get("Input") or (target.get("InputTransformer") or {}).get("InputTemplate") or ""
            if len(text) > INPUT_LIMIT:
                raise ServiceError("ValidationException", f"1 validation error detected: Value at 'targets.1.member."
                                   f"input' failed to satisfy constraint: Member must have length less than or "
                                   f"equal to {INPUT_LIMIT}")
        rule = {"Name": name, "Arn": self.arn(name), "State": props.get("State", "ENABLED"),
                "EventPattern": props.get("EventPattern"), "ScheduleExpression": props.get("ScheduleExpression"),
                "Targets": props.get("Targets", []), "generation": next(self._ids)}
        self.rules[name] = rule
        if rule["ScheduleExpression"]:
            self._schedule(rule, self.clock.now)

    def delete_rule(self, name: str) -> None:
        self.rules.pop(name, None)

    def _schedule(self, rule: Dict[str, Any], start: float) -> None:
        found = re.fullmatch(r"rate\((\d+) (\w+)\)", rule["ScheduleExpression"])
        if not found:
            raise NotImplementedError(f"schedule {rule['ScheduleExpression']}")
        period = int(found.group(1)) * _UNITS[found.group(2)]
        generation = rule["generation"]

        def fire(k: int) -> None:
            current = self.rules.get(rule["Name"])
            if current is None or current["generation"] != generation:
                return
            self.clock.at(_minute(start + (k + 1) * period), lambda: fire(k + 1))
            if current["State"] == "ENABLED":
                self._deliver(current, self._event("aws.events", "Scheduled Event", {}, [current["Arn"]]))

        self.clock.at(_minute(start + period), lambda: fire(1))

    def _event(self, source: str, detail_type: str, detail: Dict[str, Any], resources: List[str]) -> Dict[str, Any]:
        return {"version": "0", "id": f"event-{next(self._ids)}", "detail-type": detail_type, "source": source,
                "account": ACCOUNT, "time": self.clock.datetime().strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
                "resources": resources, "detail": json.loads(json.dumps(detail, default=_epoch_ms))}

    def put_event(self, source: str, detail_type: str, detail: Dict[str, Any], resources=()) -> None:
        event = self._event(source, detail_type, detail, list(resources))
        for rule in list(self.rules.values()):
            if rule["State"] == "ENABLED" and rule["EventPattern"] and matches(rule["EventPattern"], event):
                self._deliver(rule, event)

    def _deliver(self, rule: Dict[str, Any], event: Dict[str, Any]) -> None:
        for delay in self.tamper(rule, event):
            self.clock.after(delay + self.latency(), lambda: self._send(rule, event))

    def _send(self, rule: Dict[str, Any], event: Dict[str, Any]) -> None:
        for target in rule["Targets"]:
            if "Input" in target:
                payload = target["Input"]
            elif "InputTransformer" in target:
                payload = transform(target["InputTransformer"], event, rule["Arn"])
            else:
                payload = json.dumps(event)
            self.delivered.append({"rule": rule["Name"], "event": event, "payload": payload, "at": self.clock.now})
            self.invoke(target["Arn"], json.loads(payload))

    # -- the API the handler may call --

    def _rule(self, Name: str) -> Dict[str, Any]:
        if Name not in self.rules:
            raise ServiceError("ResourceNotFoundException", f"Rule {Name} does not exist on EventBus default.")
        return self.rules[Name]

    def DisableRule(self, Name, EventBusName=None):
        self._rule(Name)["State"] = "DISABLED"
        return {}

    def EnableRule(self, Name, EventBusName=None):
        self._rule(Name)["State"] = "ENABLED"
        return {}

    def DescribeRule(self, Name, EventBusName=None):
        rule = self._rule(Name)
        out = {k: rule[k] for k in ("Name", "Arn", "State") if rule.get(k)}
        if rule["EventPattern"]:
            out["EventPattern"] = json.dumps(rule["EventPattern"])
        if rule["ScheduleExpression"]:
            out["ScheduleExpression"] = rule["ScheduleExpression"]
        return out


def _minute(when: float) -> float:
    """A schedule's time on the next whole minute (its precision)."""
    return -(-when // 60) * 60


def _epoch_ms(value: Any) -> Any:
    if hasattr(value, "timestamp"):
        return int(value.timestamp() * 1000)  # SageMaker events carry times as epoch milliseconds
    raise TypeError(type(value))
