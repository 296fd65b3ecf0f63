"""A private SageMaker hub, offline: HubContentDocuments in the service's own shape (PascalCase, as
DescribeHubContent returns them) served to the resolver's client with every request and response
checked against botocore's SageMaker service model, so the hub path runs on real shapes (moto has no
hub API)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import boto3

from .conftest import CATALOG

REGION, ACCOUNT = "us-west-2", "123456789012"
MOBILENET_SPEC = CATALOG / "community_models" / "pytorch-ic-mobilenet-v2" / "specs_v3.0.25.json"
OWN_ARTIFACT = "s3://acme-models/classifier/v1/model.tar.gz"


def hub_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hub/{name}"


def content_arn(hub: str, content_type: str, name: str, version: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hub-content/{hub}/{content_type}/{name}/{version}"


def _pascal(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("_"))


def mobilenet_document() -> Dict[str, Any]:
    """The public mobilenet spec as the HubContentDocument of a model reference to it."""
    spec = json.loads(MOBILENET_SPEC.read_text())
    bucket = f"s3://jumpstart-cache-prod-{REGION}"
    return {
        "Url": spec["url"], "MinSdkVersion": spec["min_sdk_version"], "TrainingSupported": False,
        "HostingEcrUri": f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:1.10.0-cpu-py38",
        "HostingArtifactUri": f"{bucket}/{spec['hosting_artifact_key']}",
        "HostingScriptUri": f"{bucket}/{spec['hosting_script_key']}",
        "HostingPrepackedArtifactUri": f"{bucket}/{spec['hosting_prepacked_artifact_key']}",
        "InferenceEnvironmentVariables": [{_pascal(k): v for k, v in e.items()} for e in spec["inference_environment_variables"]],
        "DefaultInferenceInstanceType": spec["default_inference_instance_type"],
        "SupportedInferenceInstanceTypes": spec["supported_inference_instance_types"],
        "SageMakerSdkPredictorSpecifications": {_pascal(k): v for k, v in spec["predictor_specs"].items()},
        "InferenceEnableNetworkIsolation": True, "ResourceNameBase": "pt-ic-mobilenet-v2",
    }


def own_document() -> Dict[str, Any]:
    """A model of the hub's own: a fine-tuned classifier in the user's bucket."""
    return {
        "Url": "https://example.com/acme-classifier", "MinSdkVersion": "2.189.0", "TrainingSupported": False,
        "HostingEcrUri": f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
        "HostingArtifactUri": OWN_ARTIFACT,
        "InferenceEnvironmentVariables": [
            {"Name": "SAGEMAKER_PROGRAM", "Type": "text", "Default": "inference.py", "Scope": "container",
             "RequiredForModelClass": True}],
        "DefaultInferenceInstanceType": "ml.m5.xlarge", "SupportedInferenceInstanceTypes": ["ml.m5.xlarge", "ml.c5.xlarge"],
        "SageMakerSdkPredictorSpecifications": {
            "DefaultContentType": "application/json", "SupportedContentTypes": ["application/json"],
            "DefaultAcceptType": "application/json", "SupportedAcceptTypes": ["application/json"]},
        "InferenceEnableNetworkIsolation": False, "ResourceNameBase": "acme-classifier",
    }


class _Http:
    """The HTTP side of an answer a ``before-call`` hook gives botocore (it reads the status)."""

    def __init__(self, status_code: int = 200):
        self.status_code, self.headers = status_code, {}


class Hub:
    """A private hub answering the SageMaker hub API for the resolver's client. Every request is
    validated against the operation's input shape and every answer against its output shape, with
    botocore's own validator (what ``Stubber`` runs); unlike a ``Stubber`` queue, answers do not
    depend on how often the SDK asks (it asks for a model reference again before each cached read)."""

    def __init__(self, name: str):
        self.name, self.arn = name, hub_arn(name)
        self.client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        self.contents: Dict[Tuple[str, str], Tuple[str, Dict[str, Any]]] = {}
        self.denied = False
        self.calls: List[Tuple[str, Dict[str, Any]]] = []
        self.client.meta.events.register("provide-client-params.sagemaker.*", self._record)
        self.client.meta.events.register("before-call.sagemaker.*", self._answer)

    def holds(self, content_type: str, model: str, version: str, document: Dict[str, Any]) -> "Hub":
        self.contents[(content_type, model)] = (version, document)
        return self

    def denies(self) -> "Hub":
        self.denied = True
        return self

    def _record(self, params, model, **_):
        from botocore.validate import validate_parameters

        validate_parameters(params, model.input_shape)  # raises ParamValidationError on a malformed request
        self.calls.append((model.name, dict(params)))

    def _answer(self, model, params, **_):
        from botocore.validate import validate_parameters

        request = self.calls[-1][1]
        status, response = self._response(model.name, request)
        if status == 200:
            validate_parameters(response, model.output_shape)
        return _Http(status), response

    def _summary(self, content_type: str, model: str, version: str) -> Dict[str, Any]:
        return {"HubContentName": model, "HubContentArn": content_arn(self.name, content_type, model, version),
                "HubContentVersion": version, "HubContentType": content_type, "DocumentSchemaVersion": "2.3.0",
                "HubContentStatus": "Available", "CreationTime": "2026-11-01T00:00:00Z"}

    def _response(self, operation: str, request: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        if self.denied:
            return 400, {"Error": {"Code": "AccessDeniedException", "Message": f"User is not authorized to perform: "
                                   f"sagemaker:{operation} on resource {self.arn}"}}
        content_type = request.get("HubContentType")
        if operation == "ListHubContents":
            return 200, {"HubContentSummaries": [self._summary(t, n, v) for (t, n), (v, _) in self.contents.items()
                                                 if t == content_type]}
        key = (content_type, request.get("HubContentName"))
        if key not in self.contents:
            return 400, {"Error": {"Code": "ResourceNotFound", "Message": f"Hub content {key[1]} of type {key[0]} "
                                   f"does not exist in hub {self.name}"}}
        version, document = self.contents[key]
        if operation == "ListHubContentVersions":
            return 200, {"HubContentSummaries": [self._summary(*key, version)]}
        return 200, {**self._summary(*key, version), "HubName": self.name, "HubArn": self.arn,
                     "HubContentDocument": json.dumps(document)}

    def asked(self, operation: str) -> List[Dict[str, Any]]:
        return [params for name, params in self.calls if name == operation]
