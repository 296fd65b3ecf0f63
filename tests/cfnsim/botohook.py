"""Real botocore clients whose HTTP layer is a fake service: parameters go through botocore's own
checks (``ParamValidator``, S3's bucket-name handler), paginators and waiters work as in Lambda,
and the answer (or error) comes from the fake. The hook is the one botocore's ``Stubber`` uses
(botocore/stub.py: a ``before-call`` handler returning ``(http, parsed)`` short-circuits the
request; botocore/client.py ``_make_api_call``)."""

from __future__ import annotations

import copy
from typing import Any, Dict

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config


class ServiceError(Exception):
    """An AWS error answer: ``Code`` and ``Message`` as the service sends them."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


_SESSIONS: Dict[str, Any] = {}


def _session(region: str):
    """One boto3 session per region for every simulated world: its loader caches the service models
    (loading them is most of a client's cost). Credentials are dummies: nothing is signed or sent."""
    if region not in _SESSIONS:
        _SESSIONS[region] = boto3.session.Session(aws_access_key_id="ASIASIMULATOR", aws_secret_access_key="sim",
                                                  aws_session_token="sim", region_name=region)
    return _SESSIONS[region]


class Hooked:
    """Makes clients for a region whose calls the ``fakes`` (service name -> object with one method
    per operation, PascalCase) answer."""

    def __init__(self, fakes: Dict[str, Any], region: str):
        self.fakes, self.region = fakes, region
        self.session = _session(region)
        self.calls: list = []
        self.guard = lambda: None  # the Lambda runtime: raises past the function's deadline
        self.caller = None  # the Lambda runtime: the function whose invocation runs now
        self.iam = None  # world: an ``iam.Iam`` that authorizes the caller's calls

    def client(self, service: str, *args, **kwargs):
        kwargs.setdefault("region_name", self.region)
        config = kwargs.pop("config", None) or Config()
        client = self.session.client(service, *args, config=config, **kwargs)
        client.meta.events.register("before-parameter-build.*.*", self._capture)
        client.meta.events.register("before-call.*.*", self._answer)
        return client

    @staticmethod
    def _capture(params, context, **_):
        context["cfnsim_params"] = copy.copy(params)

    def _answer(self, model, context, **_):
        service = model.service_model.service_name
        fake = self.fakes[service]
        self.guard()
        params = context.get("cfnsim_params", {})
        self.calls.append((service, model.name, params))
        try:
            if self.iam is not None:
                self.iam.authorize(self.caller, service, model.name, params)
            try:
                parsed = getattr(fake, model.name)(**params) or {}
            except ServiceError as err:
                missing = service == "s3" and model.name in ("GetObject", "HeadObject") and err.status == 404
                if missing and self.iam is not None and not self.iam.may_list(self.caller, params["Bucket"]):
                    from .iam import denial_of_missing_key
                    raise denial_of_missing_key(model.name) from err
                raise
            status = 200
        except ServiceError as err:
            parsed = {"Error": {"Code": err.code, "Message": err.message}}
            status = err.status
        parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0})
        return AWSResponse("https://simulated", status, {}, None), parsed
