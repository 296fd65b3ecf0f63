"""Write every template this project can synthesize offline to a directory, for before/after checks
of a restructuring: every example of ``app.py`` (with the variants the tests lint) and every cell of
the conformance matrix (``tests/test_conformance.py``), one JSON file each, keys sorted.

Run from the repository root: ``python scripts/snapshot_templates.py OUTDIR``, then compare two
directories with ``diff -r BEFORE AFTER`` (no output: byte-identical).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(outdir: Path) -> int:
    import aws_cdk as cdk

    import app as example_app
    from constructs_jumpstart import JumpStartError
    from tests import test_conformance as matrix
    from tests.test_cfn_lint import EXAMPLES

    outdir.mkdir(parents=True, exist_ok=True)
    lock = Path(tempfile.mkdtemp()) / "jumpstart.lock.json"
    written = 0
    for name in sorted(EXAMPLES):
        context = {"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lock), "region": "us-west-2",
                   "example": name, **EXAMPLES[name]}
        assembly = example_app.build_app(cdk.App(outdir=str(outdir / ".cdk" / name), context=context)).synth()
        for template in sorted(Path(assembly.directory).rglob("*.template.json")):
            (outdir / f"example-{name}-{template.stem}.json").write_text(
                json.dumps(json.loads(template.read_text()), indent=1, sort_keys=True) + "\n")
            written += 1
    for mode in sorted(matrix.MODES):
        for kind, (props, types) in sorted(matrix.MODELS.items()):
            stack = matrix._stack(lock)
            for i, instance_type in enumerate(types):
                try:
                    matrix.MODES[mode](stack, i, dict(props), instance_type)
                except JumpStartError as err:
                    (outdir / f"matrix-{mode}-{kind}-{i}.refused.txt").write_text(str(err) + "\n")
                if mode == "serverless":
                    break
            template = cdk.assertions.Template.from_stack(stack).to_json()
            (outdir / f"matrix-{mode}-{kind}.json").write_text(json.dumps(template, indent=1, sort_keys=True) + "\n")
            written += 1
    import shutil

    shutil.rmtree(outdir / ".cdk")
    print(f"wrote {written} templates to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
