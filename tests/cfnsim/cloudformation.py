"""The CloudFormation engine: create, update and delete stacks on the virtual clock, rollbacks
included, with Lambda-backed custom resources and wait conditions. Sources, by rule:

* resources start as soon as their dependencies (DependsOn, Ref, GetAtt) are complete, in
  parallel ("DependsOn attribute"); a failure cancels what is in progress and rolls back, deleting
  what was created ("Stack failure options"); a rollback that cannot delete leaves
  ``ROLLBACK_FAILED``, a stack delete that cannot, ``DELETE_FAILED`` ("Stack status codes");
* custom resources ("Custom resource request objects" / "response objects",
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html and
  crpg-ref-responses.html): the request carries RequestType, ResponseURL, StackId, RequestId,
  ResourceType, LogicalResourceId, ResourceProperties (ServiceToken included), and for Update and
  Delete PhysicalResourceId, for Update OldResourceProperties; the response is a JSON PUT to the
  pre-signed ResponseURL, at most 4096 bytes, with a non-empty PhysicalResourceId; a changed
  PhysicalResourceId on Update is a replacement: the old one is deleted, with its old properties,
  once the update is complete (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS); no response within
  ``ServiceTimeout`` (1 to 3600 s, default 3600: "AWS::CloudFormation::CustomResource") fails the
  resource, which then has a physical id CloudFormation made up;
* an update rollback returns each updated resource to its old properties (a custom resource gets an
  Update with the old ResourceProperties and the new ones as OldResourceProperties), then deletes
  what the failed update created ("Update rollback", UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS);
* wait conditions ("AWS::CloudFormation::WaitCondition"; "Create wait conditions in a
  CloudFormation template"): ``Timeout`` at most 43200 s; updates not supported; ``Count`` SUCCESS
  signals (distinct UniqueId) complete it, a FAILURE signal or the timeout fails it; its ``Data``
  attribute is a JSON object of UniqueId -> Data; a signal is a JSON PUT to the handle's URL
  (Status, Reason, UniqueId, Data). Two readings of the simulator's own, which the documentation
  does not state: the handle keeps the signals it receives, so a signal sent before its wait
  condition starts counts; a signal to a handle that is gone is ignored (S3 accepts the PUT);
* ``DescribeStackResources``: "Only the first 100 resources will be returned" (cloudformation service
  model; which 100 is not documented: here, by logical id); ``ListStackResources`` pages;
  ``DescribeStackResource`` returns one; a deleted stack is
  found by its id, not by its name (same model: "For deleted stacks ... up to 90 days").
"""

from __future__ import annotations

import json
import random
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from .botohook import ServiceError
from .template import Assembly, Resolver, dependencies, stringify

ACCOUNT, REGION = "123456789012", "us-west-2"
RESPONSE_LIMIT = 4096
WAIT_LIMIT = 43200
CUSTOM_TIMEOUT = 3600
DESCRIBE_LIMIT = 100
NATIVE_SECONDS = 5.0  # how long CloudFormation takes over a resource it provisions itself (any positive value)


@dataclass
class Resource:
    logical: str
    type: str
    definition: Dict[str, Any]
    props: Dict[str, Any] = field(default_factory=dict)
    physical: Optional[str] = None
    attrs: Dict[str, Any] = field(default_factory=dict)
    status: str = ""
    reason: str = ""
    timestamp: float = 0.0
    cancel: Optional[Callable[[], None]] = None

    @property
    def is_custom(self) -> bool:
        return self.type.startswith("Custom::") or self.type == "AWS::CloudFormation::CustomResource"


@dataclass
class Stack:
    name: str
    id: str
    assembly: Assembly
    parameters: Dict[str, Any]
    status: str = "CREATE_IN_PROGRESS"
    resources: Dict[str, Resource] = field(default_factory=dict)
    events: List[Tuple[float, str, str, str]] = field(default_factory=list)
    responses: List[Dict[str, Any]] = field(default_factory=list)  # every custom-resource response received

    @property
    def template(self) -> Dict[str, Any]:
        return self.assembly.template


class Failed(Exception):
    pass


class CloudFormation:
    def __init__(self, world):
        self.world, self.clock = world, world.clock
        self.stacks: Dict[str, Stack] = {}
        self.deleted: List[Stack] = []
        self.rng = random.Random(18)
        self.pending: Dict[str, Callable[[Dict[str, Any], int], None]] = {}  # response URL -> receiver
        self.handles: Dict[str, Dict[str, Any]] = {}  # handle URL -> {"signals": [...], "alive": bool}
        self.ignored_signals: List[Tuple[str, bytes]] = []
        self.lose_response: Callable[[Stack, Resource, Dict[str, Any]], bool] = lambda s, r, e: False

    # ------------------------------------------------------------------ ids and urls

    def _token(self, n: int = 12) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))

    def _uuid(self) -> str:
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def generated_id(self, stack: Stack, logical: str) -> str:
        """A physical id CloudFormation makes up: stack name, logical id, random suffix."""
        return f"{stack.name[:30]}-{logical[:30]}-{self._token()}"

    # ------------------------------------------------------------------ the stack API (tests)

    def create_stack(self, name: str, assembly: Assembly, parameters: Optional[Dict[str, Any]] = None) -> Stack:
        """``cdk deploy`` of a new stack (a stack left in ROLLBACK_COMPLETE is deleted first, as the
        CDK CLI does: aws-cdk deploy-stack.ts)."""
        old = self.stacks.get(name)
        if old is not None:
            if old.status != "ROLLBACK_COMPLETE":
                raise ServiceError("AlreadyExistsException", f"Stack [{name}] already exists")
            self.delete_stack(name)
        stack = Stack(name, f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/{self._uuid()}", assembly,
                      self._parameters(assembly, parameters or {}))
        self.stacks[name] = stack
        self._event(stack, name, "CREATE_IN_PROGRESS")
        order = list(stack.template["Resources"])
        deps = dependencies(stack.template)
        ok = self._run(order, deps, lambda logical, done: self._create(stack, logical, done), stop=True)
        if ok:
            return self._status(stack, "CREATE_COMPLETE")
        self._status(stack, "ROLLBACK_IN_PROGRESS")
        ok = self._delete_all(stack, [r for r in stack.resources.values()])
        return self._status(stack, "ROLLBACK_COMPLETE" if ok else "ROLLBACK_FAILED")

    def update_stack(self, name: str, assembly: Optional[Assembly] = None,
                     parameters: Optional[Dict[str, Any]] = None) -> Stack:
        stack = self.stacks[name]
        if stack.status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
            raise ServiceError("ValidationError",
                               f"Stack:{stack.id} is in {stack.status} state and can not be updated.")
        old_assembly, old_parameters = stack.assembly, stack.parameters
        before = {k: _copy(r) for k, r in stack.resources.items()}
        stack.assembly = assembly or stack.assembly
        stack.parameters = self._parameters(stack.assembly, {**old_parameters, **(parameters or {})})
        self._status(stack, "UPDATE_IN_PROGRESS")
        touched: Dict[str, str] = {}  # logical -> "created" | "updated" | "replaced"
        order = list(stack.template["Resources"])
        ok = self._run(order, dependencies(stack.template),
                       lambda logical, done: self._update(stack, logical, before.get(logical), touched, done),
                       stop=True)
        if ok:
            self._status(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
            self._cleanup(stack, before, touched, old_assembly.template)
            return self._status(stack, "UPDATE_COMPLETE")
        self._status(stack, "UPDATE_ROLLBACK_IN_PROGRESS")
        stack.assembly, stack.parameters = old_assembly, old_parameters
        ok = self._rollback_update(stack, before, touched)
        if not ok:
            return self._status(stack, "UPDATE_ROLLBACK_FAILED")
        self._status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        self._delete_all(stack, [stack.resources.pop(k) for k, how in list(touched.items()) if how == "created"
                                 and k in stack.resources])
        return self._status(stack, "UPDATE_ROLLBACK_COMPLETE")

    def delete_stack(self, name: str) -> Stack:
        stack = self.stacks[name]
        self._status(stack, "DELETE_IN_PROGRESS")
        ok = self._delete_all(stack, list(stack.resources.values()))
        self._status(stack, "DELETE_COMPLETE" if ok else "DELETE_FAILED")
        if ok:
            self.deleted.append(self.stacks.pop(name))
        return stack

    # ------------------------------------------------------------------ scheduling

    def _run(self, order: List[str], deps: Dict[str, Set[str]], start, stop: bool) -> bool:
        """Start each node once its prerequisites are done, all on the virtual clock. ``stop``: a
        failure cancels the nodes in progress and starts nothing more (create, update); otherwise
        only the nodes that wait for a failed one are skipped (delete)."""
        pending, running, done, failed, blocked = list(order), {}, set(), set(), set()
        state = {"launching": False}

        def finish(node: str, ok: bool) -> None:
            if node not in running:
                return
            del running[node]
            (done if ok else failed).add(node)
            if not ok and stop:
                for other, cancel in list(running.items()):
                    cancel()
            launch()

        def launch() -> None:
            if state["launching"]:
                return
            state["launching"] = True
            try:
                progress = True
                while progress and not (failed and stop):
                    progress = False
                    for node in list(pending):
                        if deps.get(node, set()) & (failed | blocked):
                            pending.remove(node)
                            blocked.add(node)
                            progress = True
                        elif deps.get(node, set()) <= done:
                            pending.remove(node)
                            running[node] = lambda: None
                            cancel = start(node, lambda ok, node=node: self.clock.after(0, lambda: finish(node, ok)))
                            if node in running:
                                running[node] = cancel or (lambda: None)
                            progress = True
            finally:
                state["launching"] = False

        launch()
        finished = self.clock.run_until(lambda: not running and (not pending or (failed and stop) or
                                                                 all(deps.get(p, set()) - done for p in pending)),
                                        self.clock.now + 60 * 86400)
        assert finished, f"stack operation stuck: running {sorted(running)}"
        return not failed and not blocked and not pending

    # ------------------------------------------------------------------ create

    def _create(self, stack: Stack, logical: str, done) -> Optional[Callable[[], None]]:
        definition = stack.template["Resources"][logical]
        resource = Resource(logical, definition["Type"], definition)
        stack.resources[logical] = resource
        self._set(stack, resource, "CREATE_IN_PROGRESS")
        try:
            resource.props = self._resolver(stack).resolve(definition.get("Properties", {}))
        except (KeyError, Failed) as err:
            self._set(stack, resource, "CREATE_FAILED", str(err))
            done(False)
            return None
        return self.world.provision(stack, resource, "Create", None, done)

    # ------------------------------------------------------------------ update

    def _update(self, stack: Stack, logical: str, old: Optional[Resource], touched: Dict[str, str],
                done) -> Optional[Callable[[], None]]:
        if old is None:
            touched[logical] = "created"
            return self._create(stack, logical, done)
        definition = stack.template["Resources"][logical]
        resource = stack.resources[logical]
        try:
            props = self._resolver(stack).resolve(definition.get("Properties", {}))
        except (KeyError, Failed) as err:
            self._set(stack, resource, "UPDATE_FAILED", str(err))
            done(False)
            return None
        if props == old.props and definition["Type"] == old.type:
            self.clock.after(0, lambda: done(True))
            return None
        touched[logical] = "updated"
        resource.definition = definition
        self._set(stack, resource, "UPDATE_IN_PROGRESS")
        return self.world.provision(stack, resource, "Update", (old, props), done)

    def _cleanup(self, stack: Stack, before: Dict[str, Resource], touched: Dict[str, str],
                 old_template: Dict[str, Any]) -> None:
        """UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: delete replaced resources (old physical id, old
        properties) and removed ones, in reverse dependency order as the previous template states it
        (a removed resource's dependencies are only there; "DependsOn attribute": a resource that
        depends on another is deleted before it). A failed cleanup delete does not fail the update."""
        doomed = [stack.resources.get(k, before[k]) for k in before if k not in stack.template["Resources"]]
        for logical in before:
            if logical in stack.resources and stack.resources[logical].physical != before[logical].physical \
                    and before[logical].physical:
                doomed.append(before[logical])
        old_deps, new_deps = dependencies(old_template), dependencies(stack.template)
        deps = {k: old_deps.get(k, set()) | new_deps.get(k, set()) for k in set(old_deps) | set(new_deps)}
        self._delete_all(stack, doomed, record=False, deps=deps)
        for logical in [k for k in before if k not in stack.template["Resources"]]:
            stack.resources.pop(logical, None)  # a removed resource is the stack's until it is deleted

    def _rollback_update(self, stack: Stack, before: Dict[str, Resource], touched: Dict[str, str]) -> bool:
        """Return every updated resource to its old properties (in dependency order)."""
        updated = [k for k, how in touched.items() if how == "updated"]
        replaced: List[Resource] = []

        def revert(logical: str, done) -> Optional[Callable[[], None]]:
            current, old = stack.resources[logical], before[logical]
            new_version = _copy(current)
            if not current.is_custom:  # CloudFormation's own resources: back to the old one; a new one goes
                stack.resources[logical] = _copy(old)
                if new_version.physical != old.physical:
                    replaced.append(new_version)
                self.world.restore(stack, stack.resources[logical], new_version)
                self.clock.after(0, lambda: done(True))
                return None
            self._set(stack, current, "UPDATE_IN_PROGRESS")

            def after(ok: bool) -> None:
                if ok and new_version.physical and new_version.physical != current.physical:
                    replaced.append(new_version)
                done(ok)

            return self.world.provision(stack, current, "Update", (new_version, old.props), after)

        deps = dependencies(stack.template)
        ok = self._run(updated, {k: deps.get(k, set()) & set(updated) for k in updated}, revert, stop=False)
        if ok:
            self._delete_all(stack, replaced, record=False)
        return ok

    # ------------------------------------------------------------------ delete

    def _delete_all(self, stack: Stack, resources: List[Resource], record: bool = True,
                    deps: Optional[Dict[str, Set[str]]] = None) -> bool:
        """Delete ``resources`` in reverse dependency order (``deps``, else the stack's template's);
        True if every delete succeeded."""
        by_key = {f"{r.logical}#{i}": r for i, r in enumerate(resources)}
        if deps is None:
            deps = dependencies(stack.template) if stack.template else {}
        logical_of = {k: r.logical for k, r in by_key.items()}
        prereq = {k: {o for o, ol in logical_of.items() if r.logical in deps.get(ol, set()) and o != k}
                  for k, r in by_key.items()}

        def delete(key: str, done) -> Optional[Callable[[], None]]:
            resource = by_key[key]
            policy = resource.definition.get("DeletionPolicy", "Delete")
            retained = policy == "Retain" or (policy == "RetainExceptOnCreate"
                                              and stack.status != "ROLLBACK_IN_PROGRESS")
            nothing = resource.status in ("DELETE_COMPLETE", "") or (resource.status == "CREATE_FAILED"
                                                                     and not resource.is_custom)
            if retained or nothing:
                self._set(stack, resource, "DELETE_SKIPPED" if retained else "DELETE_COMPLETE")
                self.clock.after(0, lambda: done(True))
                return None
            self._set(stack, resource, "DELETE_IN_PROGRESS")
            if resource.physical is None:
                resource.physical = self.generated_id(stack, resource.logical)
            return self.world.provision(stack, resource, "Delete", None, done)

        return self._run(list(by_key), prereq, delete, stop=False)

    # ------------------------------------------------------------------ custom resources

    def request(self, stack: Stack, resource: Resource, request_type: str, done: Callable[[bool], None],
                old_props: Optional[Dict[str, Any]] = None) -> Callable[[], None]:
        """Send a custom-resource request to its function; ``done`` when the response arrives or the
        resource's timeout passes. Returns the cancel function."""
        props = stringify(resource.props)
        request_id = self._uuid()
        url = (f"https://cloudformation-custom-resource-response-{REGION.replace('-', '')}.s3.{REGION}.amazonaws.com/"
               f"{urllib.parse.quote(stack.id, safe='')}%7C{resource.logical}%7C{request_id}"
               f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature={self._token(64).lower()}")
        event = {"RequestType": request_type, "ResponseURL": url, "StackId": stack.id, "RequestId": request_id,
                 "ResourceType": resource.type, "LogicalResourceId": resource.logical, "ResourceProperties": props}
        if request_type != "Create":
            event["PhysicalResourceId"] = resource.physical
        if request_type == "Update":
            event["OldResourceProperties"] = stringify(old_props or {})
        timeout = int(props.get("ServiceTimeout") or CUSTOM_TIMEOUT)
        failed_status = {"Create": "CREATE_FAILED", "Update": "UPDATE_FAILED", "Delete": "DELETE_FAILED"}[request_type]
        ok_status = failed_status.replace("FAILED", "COMPLETE")

        def receive(body: Dict[str, Any], size: int) -> None:
            self.pending.pop(url, None)
            stack.responses.append({"logical": resource.logical, "type": request_type, "size": size, **body})
            if self.lose_response(stack, resource, event):
                self.pending[url] = lambda b, s: None  # the response never reaches CloudFormation
                return
            if size > RESPONSE_LIMIT:
                return finish(False, "Response object is too long.")
            status, physical = body.get("Status"), body.get("PhysicalResourceId")
            if status == "SUCCESS" and not physical:
                return finish(False, "Invalid PhysicalResourceId")
            if physical and (status == "SUCCESS" or request_type == "Create"):
                resource.physical = physical
            if status == "SUCCESS":
                if request_type != "Delete":
                    resource.attrs = dict(body.get("Data") or {})
                return finish(True, "")
            finish(False, f"Received response status [FAILED] from custom resource. Message returned: "
                          f"{body.get('Reason', '')}")

        def finish(ok: bool, reason: str) -> None:
            if state["over"]:
                return
            state["over"] = True
            self.pending.pop(url, None)
            if not ok and request_type == "Create" and not resource.physical:
                resource.physical = self.generated_id(stack, resource.logical)
            self._set(stack, resource, ok_status if ok else failed_status, reason)
            done(ok)

        state = {"over": False}
        self.pending[url] = receive
        function_arn = props["ServiceToken"]
        self.world.lambdas.invoke_async(function_arn, event)
        no_response = ("CloudFormation did not receive a response from your Custom Resource. Please check your logs "
                       f"for requestId [{request_id}].")
        self.clock.after(timeout, lambda: finish(False, no_response))
        return lambda: finish(False, "Resource creation cancelled")

    def receive_response(self, url: str, data: bytes) -> None:
        receiver = self.pending.get(url.split("#")[0])
        if receiver is None:
            return  # a response nobody waits for (late, duplicate): S3 stores it, CloudFormation ignores it
        try:
            body = json.loads(data)
        except ValueError:
            body = {"Status": "FAILED", "Reason": "malformed response"}
        receiver(body, len(data))

    # ------------------------------------------------------------------ wait conditions

    def new_handle(self, stack: Stack, logical: str) -> str:
        url = (f"https://cloudformation-waitcondition-{REGION}.s3.{REGION}.amazonaws.com/"
               f"{urllib.parse.quote(stack.id, safe='')}/{self._uuid()}/{logical}"
               f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=86399&X-Amz-Signature={self._token(64).lower()}")
        self.handles[url] = {"signals": [], "alive": True, "stack": stack.id, "listeners": []}
        return url

    def signal(self, url: str, data: bytes) -> None:
        handle = self.handles.get(url)
        if handle is None or not handle["alive"]:
            self.ignored_signals.append((url, data))
            return
        try:
            body = json.loads(data)
        except ValueError:
            self.ignored_signals.append((url, data))
            return
        handle["signals"].append({**body, "_size": len(data), "_at": self.clock.now})
        for listener in list(handle["listeners"]):
            listener()

    def wait(self, stack: Stack, resource: Resource, done) -> Callable[[], None]:
        props = resource.props
        timeout, count = int(props.get("Timeout", WAIT_LIMIT)), int(props.get("Count", 1))
        handle = self.handles.get(props.get("Handle", ""))
        if timeout > WAIT_LIMIT or handle is None:
            self._set(stack, resource, "CREATE_FAILED", "Timeout must be at most 43200 seconds" if handle else
                      "Handle is not a wait condition handle of this stack")
            self.clock.after(0, lambda: done(False))
            return lambda: None
        state = {"over": False}
        resource.physical = f"{props['Handle']}"

        def check() -> None:
            if state["over"]:
                return
            signals = handle["signals"]
            failure = next((s for s in signals if s.get("Status") == "FAILURE"), None)
            successes = {s.get("UniqueId"): s for s in signals if s.get("Status") == "SUCCESS"}
            if failure is not None:
                return finish(False, f"WaitCondition received failed message: '{failure.get('Reason')}' for "
                                     f"uniqueId: {failure.get('UniqueId')}")
            if len(successes) >= count:
                resource.attrs["Data"] = json.dumps({k: s.get("Data") for k, s in successes.items()})
                finish(True, "")

        def finish(ok: bool, reason: str) -> None:
            if state["over"]:
                return
            state["over"] = True
            handle["listeners"].remove(check)
            self._set(stack, resource, "CREATE_COMPLETE" if ok else "CREATE_FAILED", reason)
            done(ok)

        handle["listeners"].append(check)
        def timed_out() -> None:
            received = len([s for s in handle["signals"] if s.get("Status") == "SUCCESS"])
            finish(False, f"WaitCondition timed out. Received {received} conditions when expecting {count}")

        self.clock.after(timeout, timed_out)
        self.clock.after(0, check)
        return lambda: finish(False, "Resource creation cancelled")

    # ------------------------------------------------------------------ the API the handler calls

    def _stack_of(self, name: str) -> Stack:
        for stack in list(self.stacks.values()) + self.deleted:
            if name == stack.id or (name == stack.name and stack in self.stacks.values()):
                return stack
        raise ServiceError("ValidationError", f"Stack with id {name} does not exist")

    def _rows(self, stack: Stack) -> List[Dict[str, Any]]:
        rows = []
        for r in sorted(stack.resources.values(), key=lambda r: r.logical):
            if r.status:
                row = {"StackName": stack.name, "StackId": stack.id, "LogicalResourceId": r.logical,
                       "ResourceType": r.type, "Timestamp": self.clock.datetime(r.timestamp),
                       "ResourceStatus": r.status}
                if r.physical:
                    row["PhysicalResourceId"] = r.physical
                if r.reason:
                    row["ResourceStatusReason"] = r.reason[:1000]
                rows.append(row)
        return rows

    def DescribeStackResources(self, StackName=None, LogicalResourceId=None, PhysicalResourceId=None):
        rows = self._rows(self._stack_of(StackName))
        if LogicalResourceId:
            rows = [r for r in rows if r["LogicalResourceId"] == LogicalResourceId]
        return {"StackResources": rows[:DESCRIBE_LIMIT]}

    def DescribeStackResource(self, StackName, LogicalResourceId):
        rows = [r for r in self._rows(self._stack_of(StackName)) if r["LogicalResourceId"] == LogicalResourceId]
        if not rows:
            raise ServiceError("ValidationError", f"Resource {LogicalResourceId} does not exist for stack {StackName}")
        row = dict(rows[0])
        row["LastUpdatedTimestamp"] = row.pop("Timestamp")
        return {"StackResourceDetail": row}

    def ListStackResources(self, StackName, NextToken=None):
        rows = self._rows(self._stack_of(StackName))
        start = int(NextToken or 0)
        page = rows[start:start + DESCRIBE_LIMIT]
        out: Dict[str, Any] = {"StackResourceSummaries": [
            {"LogicalResourceId": r["LogicalResourceId"], "PhysicalResourceId": r.get("PhysicalResourceId", ""),
             "ResourceType": r["ResourceType"], "LastUpdatedTimestamp": r["Timestamp"],
             "ResourceStatus": r["ResourceStatus"]} for r in page]}
        if start + DESCRIBE_LIMIT < len(rows):
            out["NextToken"] = str(start + DESCRIBE_LIMIT)
        return out

    # ------------------------------------------------------------------ helpers

    def _resolver(self, stack: Stack) -> Resolver:
        pseudo = {"AWS::StackId": stack.id, "AWS::StackName": stack.name, "AWS::Region": REGION,
                  "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                  "AWS::NotificationARNs": []}

        def ref(logical: str) -> Any:
            resource = stack.resources.get(logical)
            if resource is None or resource.physical is None:
                raise Failed(f"Template error: resource {logical} has no physical id yet")
            return resource.attrs.get("Ref", resource.physical)

        def att(logical: str, name: str) -> Any:
            resource = stack.resources.get(logical)
            if resource is None or name not in resource.attrs:
                raise Failed(f"CustomResourceAttributeError: Vendor response doesn't contain {name} attribute "
                             f"in object {logical}" if resource is not None and resource.is_custom
                             else f"Template error: {logical}.{name} is not available")
            return resource.attrs[name]

        return Resolver(pseudo, stack.parameters, ref, att, [f"{REGION}{z}" for z in "abcd"])

    @staticmethod
    def _parameters(assembly: Assembly, given: Dict[str, Any]) -> Dict[str, Any]:
        out = {}
        for name, spec in assembly.template.get("Parameters", {}).items():
            value = given.get(name, spec.get("Default"))
            if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                value = "21"  # the SSM parameter's value (the CDK bootstrap version)
            out[name] = value
        return out

    def _set(self, stack: Stack, resource: Resource, status: str, reason: str = "") -> None:
        resource.status, resource.reason, resource.timestamp = status, reason, self.clock.now
        self._event(stack, resource.logical, status, reason)

    def _event(self, stack: Stack, logical: str, status: str, reason: str = "") -> None:
        stack.events.append((self.clock.now, logical, status, reason))

    def _status(self, stack: Stack, status: str) -> Stack:
        stack.status = status
        self._event(stack, stack.name, status)
        return stack


def _copy(resource: Resource) -> Resource:
    return Resource(resource.logical, resource.type, resource.definition, json.loads(json.dumps(resource.props)),
                    resource.physical, dict(resource.attrs), resource.status, resource.reason, resource.timestamp)
