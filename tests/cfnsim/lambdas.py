"""Lambda: a function's code asset is imported afresh for each invocation (a cold start: the asset
directory first on ``sys.path``, then removed and its modules purged), with ``boto3`` clients
answered by the fakes, ``urllib.request.urlopen`` routed to the simulated pre-signed URLs, and time
virtual. Sources ("Lambda function handler in Python", "Using the Lambda context object in
Python": ``get_remaining_time_in_millis``; "Asynchronous invocation",
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html: on a function error - an
exception or a timeout - Lambda retries an asynchronous invocation twice, one minute after the first
attempt and two minutes after the second; an event older than the function's
``MaximumEventAgeInSeconds`` - ``AWS::Lambda::EventInvokeConfig``, 60 to 21600, default 6 hours - is
discarded instead of being retried: "Configuring error handling for asynchronous invocation").
CloudFormation invokes a custom resource's function
asynchronously ("AWS Lambda-backed custom resources"), and so does EventBridge.

An invocation is atomic in virtual time: its calls advance the clock (S3 transfers, sleeps) but
queued events run after it returns. Past the function's ``Timeout`` every call raises
:class:`LambdaTimeout` (the runtime is stopped), so nothing the handler tries after its deadline
reaches a service."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import time
import traceback
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional
from unittest import mock

import boto3

RETRY_DELAYS = (60.0, 120.0)


class LambdaTimeout(BaseException):
    """The function ran past its Timeout (a BaseException: the handler's ``except Exception`` does
    not see the runtime stopping it)."""


@dataclass
class Function:
    name: str
    arn: str
    asset: Path
    handler: str
    timeout: float
    logs: List[Dict[str, Any]] = field(default_factory=list)
    max_event_age: float = 21600.0  # MaximumEventAgeInSeconds (EventInvokeConfig), default 6 hours


class Context:
    def __init__(self, function: Function, clock, deadline: float, request_id: str):
        self.function_name, self.invoked_function_arn = function.name, function.arn
        self.aws_request_id, self.memory_limit_in_mb = request_id, "1769"
        self._clock, self._deadline = clock, deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock.now) * 1000))


class Lambdas:
    def __init__(self, clock, hooked, urlopen: Callable[..., Any], guards: List[Any]):
        self.clock, self.hooked, self.urlopen, self.guards = clock, hooked, urlopen, guards
        self.functions: Dict[str, Function] = {}
        self.invocations: List[Dict[str, Any]] = []
        self.dropped: List[Dict[str, Any]] = []  # retries discarded for their age
        self.crash: Optional[Callable[[Function, Dict[str, Any]], bool]] = None  # tests: kill an invocation
        self._count = 0

    def register(self, function: Function) -> None:
        self.functions[function.arn] = function

    def unregister(self, arn: str) -> None:
        self.functions.pop(arn, None)

    def invoke_async(self, arn: str, payload: Dict[str, Any], attempt: int = 0) -> None:
        queued = self.clock.now
        self.clock.after(0.1, lambda: self._attempt(arn, payload, attempt, queued))

    def _attempt(self, arn: str, payload: Dict[str, Any], attempt: int, queued: float) -> None:
        function = self.functions.get(arn)
        if function is None:
            return  # the function is gone (its stack deleted): nothing runs
        if attempt and self.clock.now - queued > function.max_event_age:
            self.dropped.append({"function": function.name, "payload": payload, "at": self.clock.now})
            return  # too old: discarded, not retried
        ok = self.run(function, payload)
        if not ok and attempt < len(RETRY_DELAYS):
            self.clock.after(RETRY_DELAYS[attempt], lambda: self._attempt(arn, payload, attempt + 1, queued))

    def run(self, function: Function, payload: Dict[str, Any]) -> bool:
        """One invocation; True if the handler returned."""
        self._count += 1
        deadline = self.clock.now + function.timeout
        record = {"function": function.name, "payload": payload, "start": self.clock.now, "outcome": "ok"}
        self.invocations.append(record)
        if self.crash is not None and self.crash(function, payload):
            record["outcome"] = "crashed"
            return False
        out = io.StringIO()
        with self._runtime(function, deadline), contextlib.redirect_stdout(out):
            try:
                handler = self._load(function)
                handler(payload, Context(function, self.clock, deadline, f"request-{self._count}"))
            except LambdaTimeout:
                record["outcome"] = "timeout"
            except Exception:  # noqa: BLE001 - a function error, as Lambda reports it
                record["outcome"] = "error"
                out.write(traceback.format_exc())
            finally:
                self._unload(function)
        record["end"], record["log"] = self.clock.now, out.getvalue()
        return record["outcome"] == "ok"

    @staticmethod
    def _load(function: Function):
        module, _, attr = function.handler.rpartition(".")
        sys.path.insert(0, str(function.asset))
        try:
            return getattr(importlib.import_module(module), attr)
        finally:
            sys.path.remove(str(function.asset))

    @staticmethod
    def _unload(function: Function) -> None:
        root = str(function.asset).rstrip("/") + "/"
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(root):
                del sys.modules[name]

    @contextlib.contextmanager
    def _runtime(self, function: Function, deadline: float):
        clock = self.clock

        def guard() -> None:
            if clock.now > deadline:
                clock.now = deadline
                raise LambdaTimeout(function.name)

        def sleep(seconds: float) -> None:
            clock.now += max(0.0, seconds)
            guard()

        def urlopen(request, *args, **kwargs):
            guard()
            return self.urlopen(request)

        env = {"AWS_REGION": self.hooked.region, "AWS_DEFAULT_REGION": self.hooked.region,
               "AWS_LAMBDA_FUNCTION_NAME": function.name, "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(function.timeout))}
        session = mock.Mock(side_effect=lambda *a, **k: mock.Mock(client=self.hooked.client))
        self.guards.append(guard)
        self.hooked.caller = function  # whose role IAM evaluates the calls against
        try:
            with mock.patch.dict(os.environ, env), mock.patch.object(boto3, "client", self.hooked.client), \
                    mock.patch.object(boto3, "Session", session), mock.patch.object(time, "time", lambda: clock.now), \
                    mock.patch.object(time, "sleep", sleep), mock.patch.object(urllib.request, "urlopen", urlopen):
                yield
        finally:
            self.guards.remove(guard)
            self.hooked.caller = None
