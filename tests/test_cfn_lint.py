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
