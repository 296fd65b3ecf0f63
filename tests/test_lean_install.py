"""A lean install (requirements-synth.txt: no SageMaker SDK) synthesizes a locked app, and an
unlocked one gets a clear error instead of an ImportError."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from .conftest import ROOT

BLOCK_SDK = textwrap.dedent('''
    import sys
    class _NoSdk:
        def find_spec(self, name, path=None, target=None):
            if name == "sagemaker" or name.startswith("sagemaker."):
                raise ImportError(f"No module named {name!r} (a lean install)")
    sys.meta_path.insert(0, _NoSdk())
''')


def _synth(context: str, tmp_path) -> subprocess.CompletedProcess:
    code = BLOCK_SDK + textwrap.dedent(f'''
        import aws_cdk as cdk
        from constructs_jumpstart import JumpStartEndpoint
        app = cdk.App(outdir={str(tmp_path / "out")!r}, context={context})
        stack = cdk.Stack(app, "S", env=cdk.Environment(region="us-west-2"))
        JumpStartEndpoint(stack, "E", model_id="pytorch-ic-mobilenet-v2")
        app.synth()
        print("errors:", [m.data for m in stack.node.find_child("E").node.metadata if m.type == "aws:cdk:error"])
    ''')
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true"})


def test_a_locked_synth_needs_no_sdk(tmp_path):
    proc = _synth(f'{{"jumpstart:lockfile": {str(ROOT / "jumpstart.lock.json")!r}, "jumpstart:frozen": "true"}}', tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "errors: []" in proc.stdout


def test_an_unlocked_synth_without_the_sdk_says_what_to_install(tmp_path):
    proc = _synth(f'{{"jumpstart:lockfile": {str(tmp_path / "empty.lock.json")!r}, "jumpstart:metadata": "shipped"}}', tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "needs the SageMaker Python SDK (sagemaker-core), which is not installed" in proc.stdout


def test_the_lean_requirements_are_the_runtime_ones_without_the_sdk():
    def names(path):
        return {line.split("==")[0].split(">=")[0].strip() for line in (ROOT / path).read_text().splitlines()
                if line.strip() and not line.startswith("#")}

    assert names("requirements-synth.txt") == names("requirements.txt") - {"sagemaker-core"}
