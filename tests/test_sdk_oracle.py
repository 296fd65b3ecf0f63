"""The SageMaker SDK as the oracle: for every spec the project ships, the requests the SDK's own
``JumpStartModel(...).deploy()`` and ``JumpStartEstimator(...).fit()`` send are compared, field by
field, with the requests our constructs make CloudFormation (or our handler) send.

The SDK runs in its own environment (``.venv-sdk``, made by ``make install`` from
``requirements-sdk.txt``) through ``tests/sdk_oracle/capture.py``, once per test session, in the
background from the session's start (see ``conftest.py``). Every
difference must be one of the documented ones in ``tests/sdk_oracle/differences.json``, and every
documented difference must still occur (a stale entry fails too).
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import aws_cdk as cdk
import pytest

from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob

from . import conformance, sdk_oracle
from .conftest import targz

DIFFERENCES: List[Dict[str, Any]] = json.loads((sdk_oracle.HERE / "differences.json").read_text())["differences"]


CASES = sdk_oracle.cases()


@pytest.fixture(scope="session")
def sdk_requests(tmp_path_factory) -> Dict[str, List[List[Any]]]:
    """The SDK's requests per case: from the run ``conftest.py`` started with the session, or, when
    this process started none, from one it runs now."""
    if not sdk_oracle.SDK_PYTHON.exists():
        pytest.fail(f"{sdk_oracle.SDK_PYTHON} is missing: run 'make install' (it builds the SDK environment "
                    "from requirements-sdk.txt)")
    directory = os.environ.get(sdk_oracle.OUT_ENV)
    if directory is None:
        directory = str(tmp_path_factory.mktemp("sdk-oracle"))
        sdk_oracle.start_capture(Path(directory))
    return sdk_oracle.wait_for_capture(Path(directory))


# -- our side ---------------------------------------------------------------------------------------


def _serve_hub(case: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Optional[str]:
    """The case's private hub, served to our resolver as the capture serves it to the SDK."""
    if not case.get("hub"):
        return None
    from constructs_jumpstart import resolver

    from .hubs import Hub

    served = Hub(case["hub"]["arn"].rsplit("/", 1)[-1])
    for key, (version, document) in case["hub"]["contents"].items():
        served.holds(*key.split("/"), version, document)
    monkeypatch.setattr(resolver, "hub_client", lambda region: served.client)
    return case["hub"]["arn"]


def our_requests(case: Dict[str, Any], lockfile: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, Dict[str, Any]]:
    hub = _serve_hub(case, monkeypatch)
    app = cdk.App(context={"jumpstart:metadata": str(sdk_oracle.oracle_catalog()), "jumpstart:lockfile": str(lockfile),
                           "jumpstart:errors": "raise"})
    stack = cdk.Stack(app, "Oracle", env=cdk.Environment(account="123456789012", region=conformance.REGION))
    props = dict(model_id=case["model_id"], model_version=case["model_version"], instance_type=case["instance_type"],
                 accept_eula=case["accept_eula"] or bool(case.get("environment")), tolerate_deprecated=True,
                 tolerate_vulnerable=True, hub=hub)
    if case["kind"] == "deploy":
        JumpStartEndpoint(stack, "Endpoint", config_name=case.get("config_name"), **props)
    else:
        JumpStartTrainingJob(stack, "FineTune", training_data=(case["inputs"] or {}).get("training"),
                             training_plan=case.get("training_plan"), **props)
    template = cdk.assertions.Template.from_stack(stack).to_json()
    ours: Dict[str, Dict[str, Any]] = {}
    for request in conformance.requests_of(template):
        ours.setdefault(request.operation, request.params)
    return ours


# -- the comparison ---------------------------------------------------------------------------------


def flatten(value: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    """Leaves by path; list items are keyed by their name (channel, variant, tag key) when they have one."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            name = item.get("ChannelName") or item.get("VariantName") or item.get("Key") or index
            yield from flatten(item, f"{path}[{name}]")
    else:
        yield path, value


def _aliased(operation: str, path: str) -> str:
    for entry in DIFFERENCES:
        if entry["kind"] == "alias" and entry["operation"] == operation and path.startswith(entry["path"]):
            return entry["same_as"] + path[len(entry["path"]):]
    return path


def explain(operation: str, path: str, sdk: Any, ours: Any, instance_type: str = "") -> Optional[int]:
    """The index of the documented difference that explains this one, if any."""
    for index, entry in enumerate(DIFFERENCES):
        pattern = entry["path"].replace("[", "[[]")  # brackets in a path are list items, not fnmatch classes
        if entry["operation"] not in (operation, "*") or not fnmatch.fnmatchcase(path, pattern):
            continue
        if not fnmatch.fnmatchcase(instance_type, entry.get("instance_types", "*")):
            continue
        if "sdk_matches" in entry and not fnmatch.fnmatchcase(json.dumps(sdk), entry["sdk_matches"]):
            continue
        kind = entry["kind"]
        if (kind == "value" and sdk is not None and ours is not None
                or kind == "sdk-only" and ours is None
                or kind == "ours-only" and sdk is None
                or kind == "default" and entry["value"] in (sdk, ours) and None in (sdk, ours)):
            return index
    return None


def differences(sdk_calls: List[List[Any]], ours: Dict[str, Dict[str, Any]], instance_type: str = "") -> Tuple[List[str], set]:
    unexplained, used = [], set()
    for operation, params in sdk_calls:
        if operation == "Error":
            unexplained.append(f"the SDK failed: {params}")
            continue
        if operation.startswith(("Describe", "List")) or operation == "RepackedArtifact":
            continue  # reads (a model package, a hub's contents); the repack: test_script_mode_repack_...
        if operation not in ours:
            unexplained.append(f"{operation}: sent by the SDK, not by us")
            continue
        sdk_leaves = {_aliased(operation, p): v for p, v in flatten(params)}
        our_leaves = dict(flatten(ours[operation]))
        for path in sorted(set(sdk_leaves) | set(our_leaves)):
            sdk, mine = sdk_leaves.get(path), our_leaves.get(path)
            if sdk == mine:
                continue
            index = explain(operation, path, sdk, mine, instance_type)
            if index is None:
                unexplained.append(f"{operation} {path}: SDK {json.dumps(sdk)}, ours {json.dumps(mine)}")
            else:
                used.add(index)
    return unexplained, used


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_our_requests_are_the_sdks_but_for_documented_differences(case, sdk_requests, lockfile, monkeypatch):
    unexplained, _ = differences(sdk_requests[case["id"]], our_requests(case, lockfile, monkeypatch), case["instance_type"])
    assert unexplained == []


def test_every_documented_difference_still_occurs(sdk_requests, tmp_path, monkeypatch):
    used = set()
    for number, case in enumerate(CASES):
        used |= differences(sdk_requests[case["id"]], our_requests(case, tmp_path / f"{number}.lock.json", monkeypatch),
                            case["instance_type"])[1]
    used |= {i for i, e in enumerate(DIFFERENCES) if e["kind"] == "alias"}
    stale = [DIFFERENCES[i]["path"] for i in range(len(DIFFERENCES)) if i not in used]
    assert stale == []


def test_every_documented_difference_says_why():
    for entry in DIFFERENCES:
        assert entry["kind"] in ("value", "sdk-only", "ours-only", "default", "alias")
        assert len(entry["reason"]) > 30, entry


@pytest.mark.parametrize("sdk, ours, expected", [
    ([["CreateModel", {"EnableNetworkIsolation": True}]], {"CreateModel": {}}, "EnableNetworkIsolation"),
    ([["CreateTrainingJob", {"HyperParameters": {"epochs": "\"3\""}}]], {"CreateTrainingJob": {"HyperParameters": {"epochs": "3"}}},
     "HyperParameters.epochs"),
    ([["CreateEndpoint", {}]], {}, "sent by the SDK, not by us"),
    ([["Error", {"type": "ValueError"}]], {}, "the SDK failed"),
])
def test_the_comparison_catches_what_differs(sdk, ours, expected):
    unexplained, _ = differences(sdk, ours)
    assert any(expected in line for line in unexplained), unexplained


def test_script_mode_repack_is_the_sdks_layout(sdk_requests):
    """The artifact a script-mode model serves: the SDK's deploy() repacks the model.tar.gz with the
    script's sourcedir.tar.gz under code/; our packer (the stack's handler), given the same two
    tarballs, writes the same members."""
    import io
    import tarfile

    import boto3
    from moto import mock_aws

    from constructs_jumpstart.provider.asset.handler import artifacts

    (case,) = [c for c in CASES if c["id"].startswith("deploy:fixture-tf-script-mode@")]
    (sdk,) = [p["Members"] for op, p in sdk_requests[case["id"]] if op == "RepackedArtifact"]
    tarballs = json.loads((sdk_oracle.HERE / "tarballs.json").read_text())
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x")
        for bucket in ("jumpstart", "artifacts"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        s3.put_object(Bucket="jumpstart", Key="model.tar.gz", Body=targz(tarballs["artifact"]))
        s3.put_object(Bucket="jumpstart", Key="sourcedir.tar.gz", Body=targz(tarballs["script"]))
        artifacts.pack(s3, "s3://jumpstart/model.tar.gz", "artifacts", "packed/model.tar.gz", 1 << 30,
                       code="s3://jumpstart/sourcedir.tar.gz")
        body = s3.get_object(Bucket="artifacts", Key="packed/model.tar.gz")["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        ours = sorted(m.name for m in tar.getmembers() if m.isfile())
    assert ours == sdk, (ours, sdk)
