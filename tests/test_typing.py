"""The public API as an IDE sees it: pyright (pinned in package.json) on a typed own app that uses every
public construct, handle and importer the documented way (strict mode: no error, nothing unknown), and
on a sample of misuse whose every marked line must be an error (so the check can fail)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

SAMPLE = Path(__file__).resolve().parent / "typed_sample"
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"


def _diagnostics() -> list:
    assert PYRIGHT.exists(), "pyright is not installed: run `make test` (it runs `npm ci`)"
    proc = subprocess.run([str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable], cwd=SAMPLE,
                          capture_output=True, text=True, timeout=300)
    return json.loads(proc.stdout)["generalDiagnostics"]


def _where(diagnostic: dict) -> tuple:
    return Path(diagnostic["file"]).name, diagnostic["range"]["start"]["line"] + 1


def test_the_public_api_type_checks_as_documented_and_flags_misuse():
    found = _diagnostics()
    errors = [d for d in found if d["severity"] == "error"]
    assert [f"{_where(d)}: {d['message']}" for d in errors if _where(d)[0] == "own_app.py"] == []
    marked = [("misuse.py", n) for n, line in enumerate((SAMPLE / "misuse.py").read_text().splitlines(), start=1)
              if line.rstrip().endswith("# error")]
    assert sorted(_where(d) for d in errors if _where(d)[0] == "misuse.py") == marked


def test_the_typed_own_app_also_synthesizes(lockfile):
    """What type-checks must also run: the sample app, built and synthesized."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from .typed_sample.own_app import OwnStack

    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile),
                           "jumpstart:errors": "raise"})
    template = Template.from_stack(OwnStack(app, "Own"))
    template.resource_count_is("AWS::SageMaker::Endpoint", 3)
    adapters = [c for c in template.find_resources("AWS::SageMaker::InferenceComponent").values()
                if "BaseInferenceComponentName" in c["Properties"]["Specification"]]
    assert len(adapters) == 1
    widgets = json.dumps(template.find_resources("AWS::CloudWatch::Dashboard"))
    assert "OverheadLatency" in widgets and "/aws/sagemaker/Endpoints" in widgets and "Host" in widgets
    alarms = json.dumps(template.find_resources("AWS::CloudWatch::Alarm"))
    assert '"Unit": "Microseconds"' in alarms and "Invocation4XXErrors" in alarms
