"""Run the SageMaker Python SDK's own JumpStart workflow and print every request it sends.

This program runs in the SDK's environment (``.venv-sdk``, see ``requirements-sdk.txt``), not the
project's: the SDK v2 that has ``JumpStartModel.deploy()`` and ``JumpStartEstimator.fit()`` pins a
``sagemaker-core`` 1.x that clashes with the 2.x our resolver uses. It reads cases as JSON from the
file named by its first argument and writes ``{case id: [[operation, params], ...]}`` as JSON to the
second (the SDK logs to standard output).

Everything is offline: the SDK reads the project's shipped catalog through its local-metadata mode
and talks to moto's S3, with the JumpStart bucket holding tiny tarballs at every key a spec names, so
the SDK's own repack of script-mode models runs end to end. Requests are captured with a botocore
``provide-client-params`` hook, i.e. exactly the parameters the SDK hands to the client; SageMaker
itself is answered by a ``before-call`` hook with the minimal documented response (moto's SageMaker
has a years-old instance-type enum and no model packages: it would refuse what the API accepts). The SDK's
telemetry is opted out through its own defaults file (``sdk-defaults.yaml``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
import tarfile
import warnings
from pathlib import Path

REGION = "us-west-2"
ROLE = "arn:aws:iam::123456789012:role/SdkOracleRole"
CATALOG = Path(os.environ.get("ORACLE_CATALOG") or Path(__file__).resolve().parents[2] / "constructs_jumpstart" / "catalog")
SPEC_KEYS = ("hosting_artifact_key", "hosting_script_key", "training_artifact_key", "training_script_key",
             "training_prepacked_script_key", "hosting_prepacked_artifact_key")

os.environ.update({
    "AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE": str(CATALOG),
    "AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE": str(CATALOG),
    "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1", "AWS_EC2_METADATA_DISABLED": "true",
})
warnings.simplefilter("ignore")


TARBALLS = json.loads((Path(__file__).resolve().parent / "tarballs.json").read_text())


def _tarball(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _repacked(s3) -> list:
    """The members of every model.tar.gz the SDK uploaded (its script-mode repack), as a pseudo-request."""
    found = []
    if "sdk-default-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        return found
    for item in s3.list_objects_v2(Bucket="sdk-default-bucket").get("Contents", []):
        if item["Key"].endswith("model.tar.gz"):
            body = s3.get_object(Bucket="sdk-default-bucket", Key=item["Key"])["Body"].read()
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
                found.append(["RepackedArtifact", {"Members": sorted(m.name for m in tar.getmembers() if m.isfile())}])
            s3.delete_object(Bucket="sdk-default-bucket", Key=item["Key"])
    return found


def _populate(s3) -> None:
    """The JumpStart bucket with a tiny object at every key (or under every prefix) a spec names."""
    bucket = f"jumpstart-cache-prod-{REGION}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    for path in CATALOG.glob("*/*/specs_*.json"):
        spec = json.loads(path.read_text())
        for field in SPEC_KEYS:
            key = spec.get(field)
            if key:
                is_prefix = key.endswith("/")
                body = _tarball(TARBALLS["script" if "script" in field else "artifact"])
                s3.put_object(Bucket=bucket, Key=key + "model.bin" if is_prefix else key, Body=body)


class _Http:
    status_code = 200
    headers: dict = {}


def _hub_answer(name: str, request: dict, hub: dict):
    """A private hub's answers (the case's hub contents), in the shapes of the SageMaker API."""
    key = f"{request.get('HubContentType')}/{request.get('HubContentName')}"
    if key not in hub["contents"]:
        return _Error(), {"Error": {"Code": "ResourceNotFound", "Message": f"{key} does not exist"}}
    version, document = hub["contents"][key]
    summary = {"HubContentName": request["HubContentName"], "HubContentType": request["HubContentType"],
               "HubContentArn": f"{hub['arn'].replace(':hub/', ':hub-content/')}/{key}/{version}",
               "HubContentVersion": version, "DocumentSchemaVersion": "2.3.0", "HubContentStatus": "Available",
               "CreationTime": 0}
    if name == "ListHubContentVersions":
        return _Http(), {"HubContentSummaries": [summary]}
    return _Http(), {**summary, "HubName": hub["arn"].rsplit("/", 1)[-1], "HubArn": hub["arn"],
                     "HubContentDocument": json.dumps(document)}


class _Error:
    status_code = 400
    headers: dict = {}


def _answer(model, params, hub=None, **_):
    """SageMaker's answer: the ARN a Create* returns, a completed model package, a hub's contents."""
    name = model.name
    if name in ("ListHubContentVersions", "DescribeHubContent") and hub:
        return _hub_answer(name, json.loads(params["body"]), hub)
    if name == "DescribeModelPackage":
        # JumpStart's proprietary models are AWS Marketplace packages: their containers carry a ProductId
        arn = json.loads(params["body"])["ModelPackageName"]  # before-call sees the serialized request
        return _Http(), {"ModelPackageName": arn.rsplit("/", 1)[-1], "ModelPackageArn": arn,
                         "ModelPackageStatus": "Completed", "CreationTime": 0,
                         "InferenceSpecification": {"Containers": [{"Image": "marketplace-image", "ProductId": "prod-fixture"}],
                                                    "SupportedContentTypes": [], "SupportedResponseMIMETypes": []}}
    if name.startswith("Create"):
        resource = name[len("Create"):]
        return _Http(), {f"{resource}Arn": f"arn:aws:sagemaker:{REGION}:123456789012:{resource.lower()}/x"}
    return _Http(), {}


def _run(case: dict, session) -> None:
    from sagemaker.jumpstart.estimator import JumpStartEstimator
    from sagemaker.jumpstart.model import JumpStartModel

    common = dict(model_id=case["model_id"], model_version=case["model_version"], role=ROLE,
                  sagemaker_session=session, instance_type=case["instance_type"],
                  tolerate_vulnerable_model=True, tolerate_deprecated_model=True)
    if case.get("config_name"):
        common["config_name"] = case["config_name"]
    if case.get("hub"):
        common["hub_name"] = case["hub"]["arn"]
    if case["kind"] == "deploy":
        model = JumpStartModel(**common)
        model.deploy(initial_instance_count=1, instance_type=case["instance_type"], wait=False,
                     accept_eula=case.get("accept_eula") or None)  # as a user: left out unless accepting
    else:
        extra = {"training_plan": case["training_plan"]} if case.get("training_plan") else {}
        estimator = JumpStartEstimator(**common, environment=case.get("environment"), **extra)
        inputs = case.get("inputs")
        estimator.fit(inputs, wait=False, logs=False, accept_eula=case.get("accept_eula") or None,
                      job_name=case.get("job_name"))


def main() -> None:
    import boto3
    from moto import mock_aws
    from sagemaker.session import Session
    from sagemaker.telemetry import telemetry_logging

    telemetry_logging._requests_helper = lambda url, timeout: None

    cases = json.loads(Path(sys.argv[1]).read_text())
    out = {}
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        _populate(boto_session.client("s3"))
        for case in cases:
            calls = []
            client = boto_session.client("sagemaker")
            client.meta.events.register(
                "provide-client-params.sagemaker.*",
                lambda params, model, **_: calls.append([model.name, json.loads(json.dumps(params, default=str))]))
            client.meta.events.register("before-call.sagemaker.*", functools.partial(_answer, hub=case.get("hub")))
            session = Session(boto_session=boto_session, sagemaker_client=client, default_bucket="sdk-default-bucket")
            try:
                _run(case, session)
            except Exception as error:  # noqa: BLE001 - reported to the test, which names the case
                if os.environ.get("ORACLE_DEBUG"):
                    raise
                calls.append(["Error", {"type": type(error).__name__, "message": str(error)}])
            out[case["id"]] = calls + _repacked(boto_session.client("s3"))
    Path(sys.argv[2]).write_text(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
