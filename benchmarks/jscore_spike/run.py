"""Spike: would rendering an endpoint inside the CDK's JavaScript runtime reach raw L1's synth cost?

`benchmarks/synth.py` shows N locked `JumpStartEndpoint`s at 1.1-1.3x an app that emits the same
template as raw `CfnResource`s, and profiling puts the gap in the 21 Python <-> JavaScript (jsii)
round trips each endpoint makes (the raw app makes 9). This spike renders each endpoint in ONE jsii
call to `renderer.js`, loaded into the jsii kernel as a hand-written jsii assembly (the mechanism
every CDK construct library for Python uses, normally generated from TypeScript by jsii-pacmak), and
times, paired and interleaved like benchmarks/synth.py:

- the library (`_synth_app.py jumpstart`), the spike (`app.py`) and raw L1 (`_synth_app.py raw`),
- checking that all three emit the same template.

    python benchmarks/jscore_spike/run.py [--runs 5] [--sizes 1,10,100]

The assembly and its Python binding are written to a temporary directory (nothing binary is
committed). Not library code: see docs/benchmarks.md for what it showed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SYNTH_APP = HERE.parent / "_synth_app.py"
NAME, VERSION = "jumpstart-spike", "0.0.0"

BINDING = f'''
import builtins, typing
import jsii
import constructs._jsii
import aws_cdk._jsii
import constructs

__jsii_assembly__ = jsii.JSIIAssembly.load("{NAME}", "{VERSION}", "jumpstart_spike", "{NAME}@{VERSION}.jsii.tgz")


class Renderer(metaclass=jsii.JSIIMeta, jsii_type="{NAME}.Renderer"):
    @jsii.member(jsii_name="render")
    @builtins.classmethod
    def render(cls, endpoint, model, plan) -> typing.List[constructs.IConstruct]:
        return jsii.sinvoke(cls, "render", [endpoint, model, plan])
'''


def assembly() -> dict:
    """The jsii type system's description of renderer.js: one class, one static method."""
    construct = {"fqn": "constructs.Construct"}
    render = {"name": "render", "static": True,
              "parameters": [{"name": "endpoint", "type": construct}, {"name": "model", "type": construct},
                             {"name": "plan", "type": {"primitive": "json"}}],
              "returns": {"type": {"collection": {"kind": "array", "elementtype": {"fqn": "constructs.IConstruct"}}}}}
    return {"schema": "jsii/0.10.0", "name": NAME, "version": VERSION, "license": "Apache-2.0",
            "homepage": "https://example.invalid", "repository": {"type": "git", "url": "https://example.invalid"},
            "author": {"name": "spike", "roles": ["author"]}, "description": "spike", "jsiiVersion": "6.0.0",
            "fingerprint": "spike", "targets": {"python": {"module": "jumpstart_spike", "distName": NAME}},
            "dependencies": {"aws-cdk-lib": "^2.0.0", "constructs": "^10.0.0"},
            "types": {f"{NAME}.Renderer": {"assembly": NAME, "fqn": f"{NAME}.Renderer", "kind": "class",
                                           "name": "Renderer", "initializer": {"parameters": []}, "methods": [render]}}}


def build(where: Path) -> Path:
    """The assembly tarball and its Python binding package, under ``where``; returns the sys.path entry."""
    package = where / "npm" / "package"
    package.mkdir(parents=True)
    (package / "index.js").write_text((HERE / "renderer.js").read_text())
    (package / "package.json").write_text(json.dumps({"name": NAME, "version": VERSION, "main": "index.js",
                                                      "license": "Apache-2.0"}))
    (package / ".jsii").write_text(json.dumps(assembly()))
    binding = where / "python" / "jumpstart_spike"
    (binding / "_jsii").mkdir(parents=True)
    with tarfile.open(binding / "_jsii" / f"{NAME}@{VERSION}.jsii.tgz", "w:gz") as tar:
        tar.add(package, arcname="package")
    (binding / "_jsii" / "__init__.py").write_text("")
    (binding / "__init__.py").write_text(BINDING)
    return where / "python"


def timed(args: list, env: dict) -> tuple:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, env={**env, "CDK_OUTDIR": out},
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
        template = Path(json.loads(proc.stdout.strip().splitlines()[-1])["template"]).read_text()
    return elapsed, json.loads(template)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_JUMPSTART")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"  # the pinned Node.js for jsii
    with tempfile.TemporaryDirectory(prefix="jumpstart-spike-") as tmp:
        binding, lock = build(Path(tmp)), Path(tmp) / "jumpstart.lock.json"
        timed([SYNTH_APP, "jumpstart", 5, lock, "shipped"], env)  # lock the 5 instance types once
        print(f"{'N':>4} {'JumpStartEndpoint':>18} {'one call (spike)':>17} {'raw L1':>8} {'ratio':>6} {'spike ratio':>12}")
        for n in map(int, args.sizes.split(",")):
            _, template = timed([SYNTH_APP, "jumpstart", n, lock, "shipped"], env)
            path = Path(tmp) / f"template-{n}.json"
            path.write_text(json.dumps(template))
            times = {"library": [], "spike": [], "raw": []}
            for _ in range(args.runs):
                for kind, argv in (("library", [SYNTH_APP, "jumpstart", n, lock, "shipped"]),
                                   ("spike", [HERE / "app.py", n, path, binding, lock]),
                                   ("raw", [SYNTH_APP, "raw", n, lock, "shipped", path])):
                    elapsed, emitted = timed(argv, env)
                    assert emitted == template, f"{kind} emitted another template"
                    times[kind].append(elapsed)
            lib, spike, raw = (statistics.median(times[k]) for k in ("library", "spike", "raw"))
            print(f"{n:>4} {lib:>16.2f} s {spike:>15.2f} s {raw:>6.2f} s {lib / raw:>6.2f} {spike / raw:>12.2f}")


if __name__ == "__main__":
    main()
