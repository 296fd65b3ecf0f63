"""cfn-lint on every example template (and a gated model with a speculative-decoding draft): no
error-level finding, so what synthesizes is what CloudFormation accepts (schema, properties)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from cfnlint.api import ManualArgs, lint_file

import app as example_app

EXAMPLES = {
    "endpoint": {}, "finetune": {}, "transform": {}, "pipeline": {}, "serverless": {}, "async": {},
    "components": {}, "production": {},
    "gated-llm": {"example": "endpoint", "model_id": "fixture-llm-gated", "accept_eula": "true"},
    "gated-llm-p4d": {"example": "endpoint", "model_id": "fixture-llm-gated", "accept_eula": "true",
                      "instance_type": "ml.p4d.24xlarge"},
    "model-package": {"example": "endpoint", "model_id": "fixture-model-package", "accept_eula": "true"},
    "script-mode": {"example": "endpoint", "model_id": "fixture-tf-script-mode"},
    "smoke-test": {"example": "endpoint", "model_id": "fixture-llm-families", "smoke_test": "true"},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_templates_pass_cfn_lint(name, lockfile, tmp_path):
    context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "region": "us-west-2",
               "example": name, **EXAMPLES[name]}
    outdir = tmp_path / "out"
    example_app.build_app(cdk.App(outdir=str(outdir), context=context)).synth()
    templates = sorted(Path(outdir).rglob("*.template.json"))
    assert templates
    errors = []
    for template in templates:
        for match in lint_file(template, ManualArgs(regions=["us-west-2"])):
            # E3703 ("prefer Fn::Sub over Fn::Join") is a style preference, raised on what CDK Pipelines
            # itself generates; everything else at error level is a template CloudFormation would reject.
            if match.rule.id.startswith("E") and match.rule.id != "E3703":
                errors.append(f"{template.name}: {match.rule.id} {match.message} at {'/'.join(map(str, match.path))}")
    assert errors == []


_NO_DEPRECATED_API = """
import json, sys
import aws_cdk as cdk
import app as example_app
lockfile, outdir, examples = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
for name, extra in examples.items():
    context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": lockfile, "region": "us-west-2",
               "example": name, **extra}
    example_app.build_app(cdk.App(outdir=f"{outdir}/{name}", context=context)).synth()
"""


def test_the_examples_use_no_deprecated_cdk_api(lockfile, tmp_path):
    """jsii fails a call of a deprecated API under JSII_DEPRECATED=fail (and warns on every synth
    otherwise): ``CfnResource.add_dependency`` crashed every app with a long training wait (#18 defect 15).
    A subprocess, because jsii reads the variable when its kernel starts."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "JSII_DEPRECATED": "fail"}
    done = subprocess.run([sys.executable, "-c", _NO_DEPRECATED_API, str(lockfile), str(tmp_path), json.dumps(EXAMPLES)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
