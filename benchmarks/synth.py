"""Synth benchmark: N locked JumpStartEndpoints in one stack against raw L1 emitting the same template.

For N = 1, 10, 100 it first synthesizes N `JumpStartEndpoint`s (metadata locked) in one stack and
keeps the template; the baseline is an app that emits that very template as raw `CfnResource`s
(every resource, property, dependency and policy copied). It then times whole `python app.py`-style
synth processes of both, paired and interleaved (jumpstart, raw, jumpstart, raw, ...), and reports
the medians, the spread, the ratio of medians and the median of the per-pair ratios, then what one
more endpoint costs (the slope between the smallest and largest N, fixed costs left out). The resource
limit check is off in both (one stack of 100 endpoints has more than CloudFormation's 500
resources: this measures synth, not a deployable stack). Then a cold (unlocked) synth on the shipped
catalog: wall time, metadata file reads per model, and the SageMaker SDK's import time.

Our package is byte-compiled first, as pip compiles an installed (non-editable) package and as the
CDK's own modules were: in a source checkout with ``PYTHONDONTWRITEBYTECODE=1`` (this machine sets
it) every run would otherwise compile our 14 modules from source, about 25 ms that only the
jumpstart side pays and that no installed user pays.

Run from the repository root: `python benchmarks/synth.py [--runs 5]`. The last line is exactly
`max locked/hand-written ratio: R` (the worst N of the ratio of medians), for pipelines to read.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = Path(__file__).resolve().parent / "_synth_app.py"


def run(kind: str, n: int, lockfile: Path, source: str = "shipped", template: str = "") -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_JUMPSTART")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"  # the pinned Node.js for jsii
    with tempfile.TemporaryDirectory() as out:
        env["CDK_OUTDIR"] = out
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(APP), kind, str(n), str(lockfile), source, template],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        info = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {}
        if info and kind != "cold":
            info["template_json"] = Path(info["template"]).read_text()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} N={n} failed:\n{proc.stderr[-3000:]}")
    return elapsed, info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    compileall.compile_dir(str(ROOT / "constructs_jumpstart"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="jumpstart-synth-bench-") as tmp:
        lock = Path(tmp) / "jumpstart.lock.json"
        run("jumpstart", 5, lock)  # resolve the 5 instance types once: every later run is locked
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs each (median, min..max)")
        print(f"{'N':>4} {'locked JumpStartEndpoint':>26} {'raw CfnResource, same template':>32} {'ratio':>6} {'paired':>7}")
        ratios, medians = [], {}
        for n in sizes:
            _, first = run("jumpstart", n, lock)
            template = Path(tmp) / f"template-{n}.json"
            template.write_text(first["template_json"])
            js, hand = [], []
            for _ in range(args.runs):  # paired and interleaved, so drift hits both alike
                t, info = run("jumpstart", n, lock)
                assert info["sagemaker"] is False, "a locked synth imported the SageMaker SDK"
                js.append(t)
                t_raw, raw_info = run("raw", n, lock, template=str(template))
                hand.append(t_raw)
            same = json.loads(raw_info["template_json"]) == json.loads(first["template_json"])
            assert same, "the raw app must emit the same template"
            ratio = statistics.median(js) / statistics.median(hand)
            paired = statistics.median(a / b for a, b in zip(js, hand))
            ratios.append(ratio)
            medians[n] = (statistics.median(js), statistics.median(hand))
            print(f"{n:>4} {statistics.median(js):>9.2f} s ({min(js):.2f}..{max(js):.2f}) "
                  f"{statistics.median(hand):>15.2f} s ({min(hand):.2f}..{max(hand):.2f}) {ratio:>6.2f} {paired:>7.2f}")
        if len(medians) > 1:  # what one more endpoint costs, fixed costs left out
            (small, (js_small, raw_small)), (large, (js_large, raw_large)) = min(medians.items()), max(medians.items())
            js_each, raw_each = ((b - a) / (large - small) * 1000 for a, b in ((js_small, js_large), (raw_small, raw_large)))
            print(f"per extra endpoint (N={small} to N={large}): {js_each:.1f} ms against {raw_each:.1f} ms raw, "
                  f"ratio {js_each / raw_each:.2f}")
        cold_times, reads = [], {}
        for _ in range(args.runs):
            cold_lock = Path(tmp) / "cold.lock.json"
            cold_lock.unlink(missing_ok=True)
            t, info = run("cold", 5, cold_lock)
            cold_times.append(t)
            reads = info["reads"]
        manifest_reads = sum(v for k, v in reads.items() if k.endswith("manifest.json"))
        spec_reads = {k: v for k, v in reads.items() if not k.endswith("manifest.json")}
        print(f"cold synth, 5 endpoints (5 instance types of 1 model version), shipped catalog: "
              f"{statistics.median(cold_times):.2f} s ({min(cold_times):.2f}..{max(cold_times):.2f}); "
              f"manifest reads {manifest_reads}, spec reads {sum(spec_reads.values())} for {len(spec_reads)} spec file(s)")
        imports = []
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); "
                                   "import sagemaker.core.jumpstart.utils, sagemaker.core.image_uris; "
                                   "print(time.perf_counter()-t)"], capture_output=True, text=True)
            imports.append(float(proc.stdout.strip()))
        print(f"SageMaker SDK import: {statistics.median(imports):.2f} s")
        print(f"max locked/hand-written ratio: {max(ratios):.2f}")


if __name__ == "__main__":
    main()
