"""A user's own app: the package installed with pip (not this repository's layout), an ``app.py`` and
``cdk.json`` in a directory of their own, run through the real ``cdk synth``. Every bad input of the
README's list is one clean error line naming the construct path, all of them in one synth, with a
non-zero exit code and no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.cli
CDK = ROOT / "node_modules" / ".bin" / "cdk"

APP = '''
import aws_cdk as cdk
import constructs_jumpstart
from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob

open("imported-from.txt", "w").write(constructs_jumpstart.__file__)
app = cdk.App()
env = cdk.Environment(account="123456789012", region="us-west-2")
stack = cdk.Stack(app, "Own", env=env)
typo = JumpStartEndpoint(stack, "Typo", model_id="pytorch-ic-mobilenet")
JumpStartEndpoint(stack, "Version", model_id="pytorch-ic-mobilenet-v2", model_version="9.9.9")
JumpStartEndpoint(stack, "Instance", model_id="pytorch-ic-mobilenet-v2", instance_type="ml.p3.2xlarge")
JumpStartEndpoint(stack, "Gated", model_id="fixture-llm-gated", model_version="2.0.0")
JumpStartEndpoint(stack, "Deprecated", model_id="fixture-ic-deprecated")
JumpStartTrainingJob(stack, "Hyper", model_id="pytorch-ic-mobilenet-v2", training_data="s3://d/train/",
                     hyperparameters={"epochs": 0})
cdk.CfnOutput(stack, "TypoName", value=typo.endpoint_name)  # the rest of the app still builds
cdk.CfnOutput(stack, "TypoVersion", value=typo.model.model_version)
JumpStartEndpoint(cdk.Stack(app, "Agnostic"), "E", model_id="pytorch-ic-mobilenet-v2")
good = cdk.Stack(app, "Good", env=env)
JumpStartEndpoint(good, "E", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
app.synth()
'''


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package as pip installs it (a wheel built from this repository), in a directory of its own."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "--target", str(site), str(ROOT)], check=True, capture_output=True)
    return site


def _own_app(directory: Path, installed: Path, source: str, **context) -> subprocess.CompletedProcess:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(textwrap.dedent(source))
    (directory / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} app.py",
                                                    "context": {"jumpstart:metadata": "shipped", **context}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(PYTHONPATH=str(installed), AWS_EC2_METADATA_DISABLED="true", CDK_DISABLE_VERSION_CHECK="true", CI="true",
               PATH=os.pathsep.join([str(CDK.parent), env.get("PATH", "")]))
    return subprocess.run([str(CDK), "synth", "--no-notices", "-q"], cwd=directory, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_bad_input_of_an_own_app_is_one_clean_line(tmp_path, installed):
    proc = _own_app(tmp_path / "app", installed, APP)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "program.js" not in proc.stderr
    assert (tmp_path / "app" / "imported-from.txt").read_text().startswith(str(installed))  # pip's copy, not the repo
    expected = {
        "Own/Typo": "Unknown JumpStart model id 'pytorch-ic-mobilenet' in region us-west-2. Did you mean: 'pytorch-ic-mobilenet-v2'?",
        "Own/Version": "JumpStart model 'pytorch-ic-mobilenet-v2' has no version '9.9.9'. Available versions: 3.0.25",
        "Own/Instance": "Instance type 'ml.p3.2xlarge' is not supported for inference by JumpStart model 'pytorch-ic-mobilenet-v2' 3.0.25. Supported instance types: ml.m5.large",
        "Own/Gated": "is gated behind an end-user license agreement (EULA). Read it at https://",
        "Own/Deprecated": "is deprecated: fixture-ic-deprecated is deprecated and will be removed; use pytorch-ic-mobilenet-v2.",
        "Own/Hyper": "hyperparameter 'epochs' = 0 is out of range: it must be an integer >= 1",
        "Agnostic/E": "needs a concrete AWS region",
    }
    lines = proc.stderr.splitlines()
    for path, message in expected.items():
        (index,) = [i for i, line in enumerate(lines) if line.startswith("ERROR") and message in line]
        assert lines[index + 1].strip() == path
    assert sum(line.startswith("ERROR") for line in lines) == len(expected)  # one line per problem, all at once


def test_a_malformed_lockfile_is_named_with_its_entry(tmp_path, installed):
    lock = tmp_path / "app" / "jumpstart.lock.json"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"version": 4, "entries": {"pytorch-ic-mobilenet-v2@3.0.25|us-west-2|inference|default-instance":
                                                          {"model_id": 1}}}))
    source = '''
        import aws_cdk as cdk
        from constructs_jumpstart import JumpStartEndpoint
        app = cdk.App()
        stack = cdk.Stack(app, "Own", env=cdk.Environment(region="us-west-2"))
        JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
        app.synth()
    '''
    proc = _own_app(tmp_path / "app", installed, source)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"Lockfile {lock}: entry 'pytorch-ic-mobilenet-v2@3.0.25|us-west-2|inference|default-instance' is malformed" in proc.stderr


def test_programs_can_ask_for_the_exception(tmp_path, installed):
    source = '''
        import aws_cdk as cdk
        from constructs_jumpstart import JumpStartEndpoint, ValidationError, UnknownModelError
        app = cdk.App(context={"jumpstart:errors": "raise", "jumpstart:metadata": "shipped"})
        stack = cdk.Stack(app, "Own", env=cdk.Environment(region="us-west-2"))
        try:
            JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet")
        except UnknownModelError as error:
            print("caught:", error)
    '''
    directory = tmp_path / "raise"
    directory.mkdir()
    (directory / "app.py").write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=str(installed))
    proc = subprocess.run([sys.executable, "app.py"], cwd=directory, env=env, capture_output=True, text=True, timeout=120)
    assert "caught: Unknown JumpStart model id 'pytorch-ic-mobilenet'" in proc.stdout


def test_the_installed_package_is_typed_and_carries_its_data(installed):
    package = installed / "constructs_jumpstart"
    assert (package / "py.typed").is_file()  # mypy reads the annotations (PEP 561)
    assert (package / "api_instance_types.json").is_file()
    assert (package / "trust_data.json").is_file()  # the trust rules of a locked synth
    assert (package / "catalog" / "models_manifest.json").is_file()
    assert (package / "provider" / "asset" / "handler" / "index.py").is_file()  # the custom resources' code
    assert (package / "smoke" / "index.py").is_file()


def test_the_example_stacks_use_only_public_api():
    for path in (ROOT / "stacks").glob("*.py"):
        text = path.read_text()
        assert "constructs_jumpstart._" not in text and "hosting import nag_suppress" not in text, path.name
