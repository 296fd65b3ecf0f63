"""Benchmark: `jumpstart models --filter ...` on a real-size catalog, next to the SDK's
`list_jumpstart_models` on the same catalog.

Generates a local metadata directory in the real JumpStart layout with 1,000 models x 5 versions
(5,000 manifest entries and spec files, each spec derived from the real pytorch-ic-mobilenet-v2 spec
with its regional tables trimmed to the benchmark region), then times whole processes:

  * `jumpstart models --metadata-dir DIR --filter "framework == pytorch" --filter "task == ic" --json`
  * the same with a spec-level filter (`training_supported == true`), which reads specs
  * the SDK: `list_jumpstart_models(filter=And("framework == pytorch", "task == ic"))`. In local-metadata
    mode the SDK also asks for the proprietary manifest and raises; the benchmark answers that one
    request with a one-entry placeholder manifest (in the SDK process only) so the SDK can run on the same files.

Run from the repository root: `python benchmarks/cli_models.py [--runs 5]`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "constructs_jumpstart" / "catalog" / "community_models" / "pytorch-ic-mobilenet-v2" / "specs_v3.0.25.json"
REGION = "us-west-2"
FRAMEWORKS = ["pytorch", "tensorflow", "huggingface", "xgboost", "lightgbm"]
TASKS = ["ic", "od", "tc", "llm", "spc", "eqa", "txt2img", "fill-mask"]


def generate(root: Path, models: int = 1000, versions: int = 5) -> int:
    base = json.loads(REAL.read_text())
    for key in ("hosting_instance_type_variants", "training_instance_type_variants"):
        base[key]["regional_aliases"] = {REGION: base[key]["regional_aliases"][REGION]}
    manifest = []
    for i in range(models):
        framework, task = FRAMEWORKS[i % len(FRAMEWORKS)], TASKS[(i // len(FRAMEWORKS)) % len(TASKS)]
        model_id = f"{framework}-{task}-bench-model-{i:04d}"
        for v in range(versions):
            version = f"{1 + v // 2}.{v % 2}.{i % 3}"
            spec = copy.copy(base)
            spec.update(model_id=model_id, version=version, training_supported=(i % 2 == 0))
            key = f"community_models/{model_id}/specs_v{version}.json"
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(spec))
            manifest.append({"model_id": model_id, "version": version, "min_version": "2.189.0", "spec_key": key,
                             "search_keywords": [framework, task]})
    (root / "models_manifest.json").write_text(json.dumps(manifest))
    return len(manifest)


SDK_SNIPPET = r"""
import sys
from sagemaker.core.jumpstart import cache
from sagemaker.core.jumpstart.types import JumpStartS3FileType
from sagemaker.core.jumpstart.notebook_utils import list_jumpstart_models
from sagemaker.core.jumpstart.filters import And
_orig = cache.JumpStartModelsCache._get_json_file_from_local_override
def _local(self, key, filetype):
    if filetype == JumpStartS3FileType.PROPRIETARY_MANIFEST:
        # one proprietary entry (the SDK indexes [0]); its id matches none of the filters
        return [{"model_id": "none-proprietary-placeholder", "version": "1.0.0", "min_version": "2.189.0",
                 "spec_key": "proprietary-models/none/specs_v1.0.0.json", "search_keywords": []}]
    return _orig(self, key, filetype)
cache.JumpStartModelsCache._get_json_file_from_local_override = _local
ids = list_jumpstart_models(filter=And(*sys.argv[1:]), region="us-west-2")
print(len(ids))
"""


def timed(cmd, env) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def measure(name, cmd, env, runs, count):
    times, result = [], ""
    for _ in range(runs):
        t, result = timed(cmd, env)
        times.append(t)
    n = count(result)
    print(f"{name:58s} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f}, {n} models)")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jumpstart-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        entries = generate(root)
        print(f"generated {entries} manifest entries + spec files in {time.perf_counter() - start:.1f} s at {root}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_JUMPSTART")}
        cli = [sys.executable, "-m", "constructs_jumpstart.cli", "models", "--metadata-dir", str(root), "--json"]
        n_json = lambda out: len(json.loads(out))
        cli_t = measure("jumpstart models -f 'framework == pytorch' -f 'task == ic'",
                        cli + ["-f", "framework == pytorch", "-f", "task == ic"], env, args.runs, n_json)
        measure("jumpstart models -f 'training_supported == true'",
                cli + ["-f", "training_supported == true"], env, args.runs, n_json)
        sdk_env = dict(env, AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE=str(root),
                       AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE=str(root))
        sdk_t = measure("SDK list_jumpstart_models(And('framework == pytorch', 'task == ic'))",
                        [sys.executable, "-c", SDK_SNIPPET, "framework == pytorch", "task == ic"], sdk_env,
                        args.runs, lambda out: int(out.strip().splitlines()[-1]))
        print(f"SDK / jumpstart ratio: {sdk_t / cli_t:.1f}x")


if __name__ == "__main__":
    main()
