"""The example app through the real CDK CLI (npm ``aws-cdk``), as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.cli

CDK = ROOT / "node_modules" / ".bin" / "cdk"


def _cdk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CDK.exists(), "the CDK CLI is not installed: run `make test` (it runs `npm ci`)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_JUMPSTART", "AWS_PROFILE"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(CDK.parent), env.get("PATH", "")])
    env.update(AWS_EC2_METADATA_DISABLED="true", CDK_DISABLE_VERSION_CHECK="true", CI="true")
    return subprocess.run(
        [str(CDK), "synth", "--no-notices", "-o", str(tmp_path / "cdk.out"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def _template(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "cdk.out" / "JumpStartEndpointStack.template.json").read_text())


def test_example_app_synthesizes_offline_from_the_committed_lockfile(tmp_path):
    lock = ROOT / "jumpstart.lock.json"
    before = lock.read_text()
    proc = _cdk(tmp_path, "-c", "jumpstart:frozen=true")
    assert proc.returncode == 0, proc.stderr
    assert lock.read_text() == before
    models = [r for r in _template(tmp_path)["Resources"].values() if r["Type"] == "AWS::SageMaker::Model"]
    assert models[0]["Properties"]["PrimaryContainer"]["Image"] == (
        "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.10.0-cpu-py38"
    )
    # the floating version is pinned by the lockfile: no warning on a locked synth (cdk synth --strict passes)
    assert "resolved to 3.0.25" not in proc.stderr


def test_example_app_takes_model_from_context(tmp_path):
    proc = _cdk(
        tmp_path,
        "-c", "model_id=fixture-llm-gated", "-c", "accept_eula=true", "-c", "instance_type=ml.p4d.24xlarge",
        "-c", f"jumpstart:lockfile={tmp_path / 'lock.json'}",
    )
    assert proc.returncode == 0, proc.stderr
    assert "model_version '*' of 'fixture-llm-gated' resolved to 2.0.0" in proc.stderr  # resolved now: shown
    variant = [r for r in _template(tmp_path)["Resources"].values() if r["Type"] == "AWS::SageMaker::EndpointConfig"][0]
    assert variant["Properties"]["ProductionVariants"][0]["InstanceType"] == "ml.p4d.24xlarge"


def test_bad_input_is_one_clear_line_not_a_traceback(tmp_path):
    proc = _cdk(tmp_path, "-c", "model_id=pytorch-ic-mobilenet", "-c", f"jumpstart:lockfile={tmp_path / 'lock.json'}")
    assert proc.returncode != 0
    assert "Unknown JumpStart model id 'pytorch-ic-mobilenet' in region us-west-2. Did you mean: 'pytorch-ic-mobilenet-v2'?" in proc.stderr
    assert "Traceback" not in proc.stderr
