"""cdk-nag (pinned to major 3 on purpose: it runs as a CDK policy-validation plugin and reads
acknowledgements from CDK's own ``Validations`` API) with the AwsSolutions and HIPAA Security packs
on every example stack: any finding not acknowledged with a written reason fails."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks

import app as example_app
from constructs_jumpstart import JumpStartEndpoint

EXAMPLES = ["endpoint", "finetune", "transform", "pipeline", "serverless", "async", "components", "production"]
# the example endpoint app on a gated LLM with a speculative-decoding draft (a model created through
# the API) and on a marketplace model package
VARIANTS = {
    "gated-llm": {"example": "endpoint", "model_id": "fixture-llm-gated", "accept_eula": "true"},
    "model-package": {"example": "endpoint", "model_id": "fixture-model-package", "accept_eula": "true"},
    "smoke-test": {"example": "endpoint", "model_id": "fixture-llm-families", "smoke_test": "true"},
}


def _findings(outdir: Path) -> list:
    report = json.loads((outdir / "validation-report.json").read_text())
    return sorted(
        f"{v['ruleName']} at {c['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for v in plugin.get("violations", [])
        for c in v.get("violatingConstructs", [])
    )


def _synth_with_nag(app: cdk.App, outdir: Path) -> list:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app))
    try:
        app.synth()
    except RuntimeError as err:
        if "ValidationFailed" not in str(err) and "Validation failed" not in str(err):
            raise
        return _findings(outdir)
    return []


@pytest.mark.parametrize("example", EXAMPLES + sorted(VARIANTS))
def test_example_stack_is_nag_clean(example, lockfile, tmp_path):
    outdir = tmp_path / "out"
    context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "region": "us-west-2",
               "example": example, **VARIANTS.get(example, {})}
    app = cdk.App(outdir=str(outdir), context=context)
    example_app.build_app(app)
    assert _synth_with_nag(app, outdir) == []


def test_nag_catches_what_is_not_acknowledged(lockfile, tmp_path):
    """The check can fail: a wildcard nobody justified is reported."""
    outdir = tmp_path / "out"
    app = cdk.App(outdir=str(outdir), context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile)})
    stack = cdk.Stack(app, "S", env=cdk.Environment(region="us-west-2"))
    endpoint = JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
    endpoint.role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    findings = _synth_with_nag(app, outdir)
    assert any("AwsSolutions-IAM5[Action::s3:*]" in f for f in findings), findings
    assert any("AwsSolutions-IAM5[Resource::*]" in f for f in findings), findings


def test_token_inputs_granted_through_their_bucket_are_acknowledged(lockfile, tmp_path):
    """A prefix grant on a bucket known only at deploy (``"s3://" + parameter + "/train/"``) is the
    same justified wildcard as on a literal bucket: its finding id holds the parameter as cdk-nag
    flattens it (``<DataBucket>``), and so does the acknowledgement."""
    from constructs_jumpstart import JumpStartTrainingJob

    outdir = tmp_path / "out"
    app = cdk.App(outdir=str(outdir), context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile)})
    stack = cdk.Stack(app, "S", env=cdk.Environment(region="us-west-2"))
    bucket = cdk.CfnParameter(stack, "DataBucket").value_as_string
    JumpStartTrainingJob(stack, "FineTune", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                         training_data="s3://" + bucket + "/train/")
    JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                      model_data="s3://" + bucket + "/tuned/")
    assert _synth_with_nag(app, outdir) == []


def _example(example: str, lockfile, tmp_path):
    outdir = tmp_path / "out"
    context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "region": "us-west-2",
               "example": example}
    app = cdk.App(outdir=str(outdir), context=context)
    example_app.build_app(app)
    return app, outdir


def _reported(findings: list, finding: str, path: str) -> bool:
    return any(f"AwsSolutions-IAM5[{finding}]" in f and path in f for f in findings)


def test_same_shape_additions_to_a_training_role_are_reported(lockfile, tmp_path):
    """Acknowledgements are the exact findings of the grants the library made (issue #19, part 3):
    statements a user adds to the training role that only look like the library's (an S3 prefix, a
    job-name pattern) are reported, not acknowledged by their shape."""
    app, outdir = _example("finetune", lockfile, tmp_path)
    stack = app.node.find_child("JumpStartFineTuneStack")
    role = stack.job.role
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::*"]))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=["arn:aws:s3:::*/*"]))
    role.add_to_principal_policy(iam.PolicyStatement(
        actions=["sagemaker:CreateTrainingJob"], resources=["arn:aws:sagemaker:us-west-2:111111111111:training-job/*"]))
    findings = _synth_with_nag(app, outdir)
    path = "JumpStartFineTuneStack/FineTune/Role"
    assert _reported(findings, "Resource::arn:aws:s3:::*", path), findings
    assert _reported(findings, "Resource::arn:aws:s3:::*/*", path), findings
    assert _reported(findings, "Resource::arn:aws:sagemaker:us-west-2:111111111111:training-job/*", path), findings


def test_additions_to_the_pipeline_synth_role_are_reported(lockfile, tmp_path):
    """The pipeline's aspect acknowledges the findings CDK Pipelines is known to generate, never a
    blanket ``Resource::*`` or ``Action::<service>:*``: ``s3:*`` and ``iam:*`` on ``*`` are reported."""
    app, outdir = _example("pipeline", lockfile, tmp_path)
    stack = app.node.find_child("JumpStartPipelineStack")
    role = stack.pipeline.synth_project.role
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:*", "iam:*"], resources=["*"]))
    findings = _synth_with_nag(app, outdir)
    path = "Synth/CdkBuildProject/Role"
    assert _reported(findings, "Action::s3:*", path), findings
    assert _reported(findings, "Action::iam:*", path), findings
    assert _reported(findings, "Resource::*", path), findings
