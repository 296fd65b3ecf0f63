"""One synth, for benchmarks/synth.py: N locked JumpStartEndpoints in one stack, or the same
template emitted as raw CfnResources (copied from a synth of the first kind), or a cold synth.

    python benchmarks/_synth_app.py jumpstart|raw|cold N LOCKFILE SOURCE [TEMPLATE]
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import aws_cdk as cdk

INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.m4.xlarge"]
CONTEXT = {"@aws-cdk/core:stackResourceLimit": 0}  # one stack of N endpoints: no 500-resource check at synth


def jumpstart(stack: cdk.Stack, n: int) -> None:
    from constructs_jumpstart import JumpStartEndpoint

    for i in range(n):
        JumpStartEndpoint(stack, f"E{i}", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                          instance_type=INSTANCE_TYPES[i % len(INSTANCE_TYPES)])


def raw(stack: cdk.Stack, template_path: str) -> None:
    """The same resources, written as raw ``CfnResource``s with the template's own values."""
    template = json.load(open(template_path))
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::CDK::Metadata":
            continue
        cfn = cdk.CfnResource(stack, logical_id, type=resource["Type"], properties=resource.get("Properties"))
        for key in ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
            if key in resource:
                cfn.add_override(key, resource[key])


def main() -> None:
    kind, n, lockfile, source = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    reads: Counter = Counter()
    if kind == "cold":
        # count metadata file reads of the SDK's local-metadata mode
        from sagemaker.core.jumpstart import cache

        original = cache.JumpStartModelsCache._get_json_file_from_local_override

        def counting(self, key, filetype):
            reads[key] += 1
            return original(self, key, filetype)

        cache.JumpStartModelsCache._get_json_file_from_local_override = counting
    app = cdk.App(context={"jumpstart:lockfile": lockfile, "jumpstart:metadata": source, **CONTEXT})
    stack = cdk.Stack(app, "Bench", env=cdk.Environment(region="us-west-2"))
    if kind == "raw":
        raw(stack, sys.argv[5])
    else:
        jumpstart(stack, n)
    assembly = app.synth()
    print(json.dumps({"reads": reads, "sagemaker": "sagemaker" in sys.modules,
                      "template": str(assembly.get_stack_by_name("Bench").template_full_path)}))


if __name__ == "__main__":
    main()
