"""Shared fixtures. Everything runs offline on the shipped catalog; no AWS account is touched."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import aws_cdk as cdk
import pytest

from constructs_jumpstart.lockfile import forget_open_lockfiles

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "constructs_jumpstart" / "catalog"
REGION = "us-west-2"

# Tests must never reach AWS, whatever the developer's machine has configured.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
for _var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)
os.environ.pop("AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE", None)
os.environ.pop("AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE", None)


@pytest.fixture(autouse=True)
def _fresh_lockfiles():
    forget_open_lockfiles()
    yield
    forget_open_lockfiles()


@pytest.fixture
def lockfile(tmp_path: Path) -> Path:
    return tmp_path / "jumpstart.lock.json"


@pytest.fixture
def make_stack(lockfile: Path) -> Callable[..., cdk.Stack]:
    """A new App + Stack in a concrete region, resolving from the shipped catalog into a
    per-test lockfile. Bad input raises (``jumpstart:errors=raise``, the programmatic mode), so
    tests can ``pytest.raises``; tests of the default (error annotations) pass ``context``."""

    def factory(region: Optional[str] = REGION, context: Optional[Dict[str, Any]] = None) -> cdk.Stack:
        ctx = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "jumpstart:errors": "raise"}
        ctx.update(context or {})
        app = cdk.App(context=ctx)
        env = cdk.Environment(account="123456789012", region=region) if region else None
        return cdk.Stack(app, "TestStack", env=env)

    return factory


def targz(members: Dict[str, Any]) -> bytes:
    """A gzip'd tar of ``members`` (name -> bytes or text), as JumpStart ships artifacts and scripts."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            data = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def role_statements(template, role_prefix: str = "") -> list:
    """Every IAM statement granted to the roles whose logical id starts with ``role_prefix``:
    their inline policies and the AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources attached
    to them."""
    roles = {k: r for k, r in template.find_resources("AWS::IAM::Role").items() if k.startswith(role_prefix)}
    statements = [s for r in roles.values() for p in r["Properties"].get("Policies", [])
                  for s in p["PolicyDocument"]["Statement"]]
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    for policy in policies.values():
        if any(ref.get("Ref") in roles for ref in policy["Properties"].get("Roles", [])):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


# -- the SDK oracle (tests/test_sdk_oracle.py): its SDK run starts with the session ----------------


def _runs_oracle(config) -> bool:
    targets = [Path(str(a).split("::")[0]).resolve() for a in config.args] or [ROOT / "tests"]
    oracle = ROOT / "tests" / "test_sdk_oracle.py"
    return any(t == oracle or t in oracle.parents for t in targets)


def pytest_configure(config):
    """In the controlling process only (not in xdist workers), start the SDK's capture in the
    background, so its ~40 s overlap the rest of the suite; the workers find it by environment."""
    from tests import sdk_oracle

    if hasattr(config, "workerinput") or sdk_oracle.OUT_ENV in os.environ or not _runs_oracle(config):
        return
    if not sdk_oracle.SDK_PYTHON.exists():
        return  # test_sdk_oracle.py fails with how to make it
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="jumpstart-sdk-oracle-"))
    os.environ[sdk_oracle.OUT_ENV] = str(directory)
    config._jumpstart_oracle = sdk_oracle.start_capture(directory)


def pytest_unconfigure(config):
    process = getattr(config, "_jumpstart_oracle", None)
    if process is not None:
        if process.poll() is None:
            process.kill()
        import shutil

        from tests import sdk_oracle

        shutil.rmtree(os.environ.pop(sdk_oracle.OUT_ENV), ignore_errors=True)
