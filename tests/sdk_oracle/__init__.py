"""The SageMaker SDK as the test oracle: the cases, and the SDK run that captures its requests.

The capture runs in the SDK's own environment (``.venv-sdk``) as a subprocess; ``conftest.py``
starts it when the session begins, so it overlaps the rest of the suite, and
``tests/test_sdk_oracle.py`` waits for its output.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CATALOG = ROOT / "constructs_jumpstart" / "catalog"
SDK_PYTHON = ROOT / ".venv-sdk" / "bin" / "python"
OUT_ENV = "JUMPSTART_SDK_ORACLE_DIR"
TRAINING_DATA = "s3://oracle-data/train/"


OPEN_TRAINING = "fixture-ic-open-training"
"""The one kind the shipped catalog lacks: a trainable spec without network isolation (older
framework models), derived from mobilenet for the oracle only."""


@functools.lru_cache(maxsize=None)
def oracle_catalog() -> Path:
    """The shipped catalog plus :data:`OPEN_TRAINING`, in a directory both the SDK run and our side
    read (made once per content, so every process finds the same one)."""
    import hashlib
    import shutil
    import tempfile

    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(CATALOG.rglob("*.json")))).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"jumpstart-oracle-catalog-{digest}"
    if target.exists():
        return target
    building = Path(tempfile.mkdtemp(prefix="jumpstart-oracle-catalog-"))
    shutil.copytree(CATALOG, building, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    key = "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"
    spec = {**json.loads((CATALOG / key).read_text()), "model_id": OPEN_TRAINING, "version": "1.0.0",
            "training_enable_network_isolation": False}
    (building / "fixtures" / OPEN_TRAINING).mkdir(parents=True)
    (building / "fixtures" / OPEN_TRAINING / "specs_v1.0.0.json").write_text(json.dumps(spec))
    manifest = json.loads((CATALOG / "models_manifest.json").read_text())
    manifest.append({"model_id": OPEN_TRAINING, "version": "1.0.0", "min_version": "2.189.0", "deprecated": False,
                     "spec_key": f"fixtures/{OPEN_TRAINING}/specs_v1.0.0.json", "provider": "fixture",
                     "search_keywords": ["Test fixture"]})
    (building / "models_manifest.json").write_text(json.dumps(manifest))
    try:
        building.rename(target)
    except OSError:  # another process made it first
        shutil.rmtree(building, ignore_errors=True)
    return target


def _specs() -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    catalog = oracle_catalog()
    for entry in json.loads((catalog / "models_manifest.json").read_text()):
        yield entry["model_id"], entry["version"], json.loads((catalog / entry["spec_key"]).read_text())


TRAINING_PLAN = "arn:aws:sagemaker:us-west-2:123456789012:training-plan/oracle-plan-p5"


def _fits(base: Dict[str, Any], model_id: str, version: str, spec: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    for instance_type in sorted({spec["default_training_instance_type"], "ml.m5.xlarge", "ml.g5.2xlarge"}
                                & set(spec["supported_training_instance_types"])):
        case = {**base, "id": f"fit:{model_id}@{version}:{instance_type}", "kind": "fit", "instance_type": instance_type,
                "inputs": {"training": TRAINING_DATA}, "job_name": "oracle-job", "accept_eula": False}
        if spec.get("gated_bucket"):  # the SDK's documented way for gated fine-tuning (the Llama notebooks)
            case["environment"] = {"accept_eula": "true"}
        out.append(case)
    if spec.get("default_training_dataset_key"):  # fine-tuning with zero data preparation
        out.append({**out[0], "id": f"fit:{model_id}@{version}:default-dataset", "inputs": None})
    if model_id == "pytorch-ic-mobilenet-v2":  # on a training plan's reserved capacity (JumpStartEstimator(training_plan=))
        out.append({**out[0], "id": f"fit:{model_id}@{version}:training-plan", "training_plan": TRAINING_PLAN})
    return out


def _hub_cases() -> List[Dict[str, Any]]:
    """A private hub holding a model reference to the public mobilenet and a model of its own."""
    from ..hubs import hub_arn, mobilenet_document, own_document

    hub = {"arn": hub_arn("approved"), "contents": {
        "ModelReference/pytorch-ic-mobilenet-v2": ["3.0.25", mobilenet_document()],
        "Model/acme-classifier": ["1.0.0", own_document()]}}
    return [{"id": f"deploy-hub:{model}:{instance_type}", "kind": "deploy", "model_id": model, "model_version": "*",
             "instance_type": instance_type, "accept_eula": False, "hub": hub}
            for model, instance_type in (("pytorch-ic-mobilenet-v2", "ml.m5.large"), ("acme-classifier", "ml.m5.xlarge"))]


def cases() -> List[Dict[str, Any]]:
    """Every shipped spec deployed on its default instance type and with each of its inference
    configs, the instance-type-variant fixture on every instance type it supports, and every
    trainable spec fine-tuned on its default type and on an EBS and a local-storage type it supports
    (and, where the spec has a default dataset, without training data); and a private hub's model
    reference and own model."""
    out = []
    for model_id, version, spec in _specs():
        base = {"model_id": model_id, "model_version": version, "accept_eula": bool(spec.get("hosting_eula_key"))}
        deploy_types = [spec["default_inference_instance_type"]]
        if model_id == "fixture-llm-families":
            deploy_types = spec["supported_inference_instance_types"]
        for instance_type in deploy_types:
            out.append({**base, "id": f"deploy:{model_id}@{version}:{instance_type}", "kind": "deploy",
                        "instance_type": instance_type})
        for config in spec.get("inference_configs") or {}:
            out.append({**base, "id": f"deploy:{model_id}@{version}:{config}", "kind": "deploy", "config_name": config,
                        "instance_type": spec["default_inference_instance_type"]})
        if spec.get("training_supported"):
            out.extend(_fits(base, model_id, version, spec))
    return out + _hub_cases()


def start_capture(directory: Path) -> subprocess.Popen:
    """Start the SDK run for :func:`cases` in the background. It leaves ``sdk-requests.json``, the
    SDK's log in ``capture.log`` and, last, its exit status in ``exit-status``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cases.json").write_text(json.dumps(cases()))
    command = '"$0" "$1" "$2" "$3" > "$4" 2>&1; echo $? > "$5"'
    return subprocess.Popen(["sh", "-c", command, str(SDK_PYTHON), str(HERE / "capture.py"), str(directory / "cases.json"),
                             str(directory / "sdk-requests.json"), str(directory / "capture.log"),
                             str(directory / "exit-status")],
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "ORACLE_CATALOG": str(oracle_catalog())})


def wait_for_capture(directory: Path, timeout: float = 900) -> Dict[str, List[List[Any]]]:
    """The SDK's requests per case, once the run in ``directory`` has finished; an ``AssertionError``
    with the SDK's log if it failed or did not finish in time."""
    status = directory / "exit-status"
    deadline = time.monotonic() + timeout
    while not status.exists() or not status.read_text().strip():
        assert time.monotonic() < deadline, f"the SDK run in {directory} did not finish in {timeout:.0f} s"
        time.sleep(0.5)
    log = (directory / "capture.log").read_text()
    assert status.read_text().strip() == "0", f"the SDK run failed:\n{log[-3000:]}"
    return json.loads((directory / "sdk-requests.json").read_text())
