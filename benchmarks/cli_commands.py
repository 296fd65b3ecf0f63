"""Benchmark: what a `jumpstart` CLI user waits for, whole processes, on the shipped catalog (issue #20).

Times, as separate processes (interleaved, median of --runs):

  * every read-only command on `--source shipped`: models, frameworks, tasks, describe (both scopes),
    hyperparameters, and outdated / audit on this repository's committed lockfile;
  * `jumpstart lock --check` on the example app (this repository's app.py and cdk.json), next to the
    app's own synth: `python app.py` as `cdk synth` runs it (CDK_OUTDIR set, CDK's template validation on,
    as by default), the same without validation (what `lock` runs), and with `--cdk` also `cdk synth`.

Targets: each read-only command <= 1 s; `lock --check` <= 1.2x the app's own synth.

`--code DIR` runs the CLI of another checkout (e.g. a worktree of an older commit) for before/after
figures; the app (which imports this repository's library), lockfile and catalog stay this repository's.

Run from the repository root: `python benchmarks/cli_commands.py [--runs 5] [--cdk] [--code DIR]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
MODEL = "pytorch-ic-mobilenet-v2"
READ_ONLY = {
    "models": ["models"],
    "frameworks": ["frameworks"],
    "tasks": ["tasks"],
    "describe": ["describe", MODEL],
    "describe --scope training": ["describe", MODEL, "--scope", "training", "-i", "ml.c5.2xlarge"],
    "hyperparameters": ["hyperparameters", MODEL],
    "outdated": ["outdated"],
    "audit": ["audit"],
}


def timed(cmd: List[str], env: Dict[str, str], ok=(0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cdk", action="store_true", help="also time `cdk synth` (needs the CDK CLI on PATH)")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose CLI to time")
    parser.add_argument("--only", choices=["read-only", "lock"], default=None)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_JUMPSTART", "CDK_VALIDATION"))}
    env.update(PYTHONPATH=str(args.code.resolve()), AWS_EC2_METADATA_DISABLED="true", CDK_DISABLE_VERSION_CHECK="true")
    cli = [sys.executable, "-P", "-m", "constructs_jumpstart.cli"]  # -P: the --code checkout's, not the cwd's
    commands: Dict[str, List[str]] = {}
    if args.only in (None, "read-only"):
        # audit exits 1 when it has findings; that is its answer, not a failure
        commands.update({f"jumpstart {name}": cli + argv + ["--source", "shipped"] for name, argv in READ_ONLY.items()})
    outdir = Path(tempfile.mkdtemp(prefix="jumpstart-bench-"))
    if args.only in (None, "lock"):
        commands["jumpstart lock --check"] = cli + ["lock", "--check"]
        commands["python app.py (the app's own synth)"] = ["env", f"CDK_OUTDIR={outdir}", sys.executable, "app.py"]
        commands["python app.py, CDK_VALIDATION=false"] = ["env", f"CDK_OUTDIR={outdir}", "CDK_VALIDATION=false",
                                                           sys.executable, "app.py"]
        if args.cdk:
            cdk = shutil.which("cdk") or str(ROOT / "node_modules" / ".bin" / "cdk")
            commands["cdk synth"] = [cdk, "synth", "-q", "--no-notices", "-o", str(outdir / "cdk")]
    times: Dict[str, List[float]] = {name: [] for name in commands}
    print(f"code: {args.code.resolve()}; {args.runs} interleaved runs of each; median (min..max)")
    try:
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, env, ok=(0, 1) if name == "jumpstart audit" else (0,)))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    for name, values in times.items():
        print(f"{name:44s} {statistics.median(values):6.2f} s  ({min(values):.2f}..{max(values):.2f})")
    read_only = [statistics.median(v) for n, v in times.items() if n.startswith("jumpstart ") and "lock" not in n]
    if read_only:
        print(f"slowest read-only command: {max(read_only):.2f} s (target <= 1 s)")
    if "jumpstart lock --check" in times:
        ratio = statistics.median(times["jumpstart lock --check"]) / statistics.median(
            times["python app.py (the app's own synth)"])
        print(f"lock --check / python app.py: {ratio:.2f} (target <= 1.2)")
        if "cdk synth" in times:
            print(f"lock --check / cdk synth: "
                  f"{statistics.median(times['jumpstart lock --check']) / statistics.median(times['cdk synth']):.2f}")


if __name__ == "__main__":
    main()
