"""The README's examples run: every `jumpstart` command it shows, and its Python snippets."""

from __future__ import annotations

import re
import shlex

import aws_cdk as cdk
import pytest
from typer.testing import CliRunner

from constructs_jumpstart.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def _cli_lines():
    block = README.split("## The `jumpstart` CLI", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    for line in block.strip().splitlines():
        for command in line.split("#", 1)[0].split(";"):
            if command.strip():
                yield command.strip()


@pytest.mark.parametrize("command", [c for c in _cli_lines() if not c.startswith("jumpstart lock")])
def test_readme_cli_command_runs(command):
    args = shlex.split(command)[1:]
    if "--source" not in args and args != ["--version"]:
        args += ["--source", "shipped"]  # the README's live default needs AWS credentials
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def _python_blocks(after: str):
    section = README.split(after, 1)[1]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


def test_readme_fine_tuning_snippet_synthesizes(make_stack):
    stack = make_stack()
    code = _python_blocks("## Fine-tuning and batch transform")
    exec(compile(code, "README.md", "exec"), {"self": stack})
    cdk.assertions.Template.from_stack(stack).resource_count_is("Custom::JumpStartJob", 2)


def test_readme_usage_snippet_synthesizes(lockfile):
    code = _python_blocks("## Use it in your own stack")
    app_ = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile)})
    env = cdk.Environment(account="123456789012", region="us-west-2")
    callers = cdk.Stack(app_, "Callers", env=env)
    namespace = {"some_lambda": cdk.aws_iam.Role(callers, "Fn", assumed_by=cdk.aws_iam.ServicePrincipal("lambda.amazonaws.com"))}
    exec(compile(code, "README.md", "exec"), namespace)  # defines ClassifierStack, as a user would
    stack = namespace["ClassifierStack"](app_, "Classifier", env=env)
    cdk.assertions.Template.from_stack(stack).resource_count_is("AWS::SageMaker::Endpoint", 1)
    assert "sagemaker:InvokeEndpoint" in str(cdk.assertions.Template.from_stack(callers).to_json())


def test_readme_catalog_snippet_runs():
    namespace: dict = {}
    exec(compile(_python_blocks("### The catalog from Python"), "README.md", "exec"), namespace)
    assert namespace["list_models"](filter=namespace["And"]("task == ic", "framework == pytorch"), source="shipped") == [
        "pytorch-ic-mobilenet-v2"]
