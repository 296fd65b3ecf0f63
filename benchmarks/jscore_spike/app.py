"""Spike app: N endpoints of benchmarks/_synth_app.py's template, each rendered by ONE jsii call
to renderer.js (plus the endpoint Resource and model scope, made from Python as the library does).

    python app.py N TEMPLATE BINDING_DIR [LOCKFILE]

It pays the library's fixed costs too (importing constructs_jumpstart, the aws_iam / aws_kms /
aws_sagemaker bindings, reading the lockfile), but not its per-endpoint resolution (0.36 ms per
endpoint, profiled): the plans come from the template.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[3])

import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_iam, aws_kms, aws_sagemaker  # noqa: E402,F401  (typed proxies, as the library)
from constructs import Construct  # noqa: E402

ACKS = [["AwsSolutions::AwsSolutions-IAM5[Resource::*]", "spike"],
        ["HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy", "spike"]]


def plan(resources: dict, i: int) -> dict:
    """What Python would send for endpoint ``E{i}``: the values its resources carry."""
    prefix = f"E{i}"
    mine = {r["Type"]: r["Properties"] for k, r in resources.items()
            if k.startswith(prefix) and k[len(prefix)].isalpha()}
    role, model = mine["AWS::IAM::Role"], mine["AWS::SageMaker::Model"]
    variants = mine["AWS::SageMaker::EndpointConfig"]["ProductionVariants"]
    return {"roleDescription": role["Description"], "policy": role["Policies"][0]["PolicyDocument"], "acks": ACKS,
            "isolation": model["EnableNetworkIsolation"], "tags": model["Tags"], "container": model["PrimaryContainer"],
            "keyDescription": mine["AWS::KMS::Key"]["Description"],
            "variants": [{"initialInstanceCount": v["InitialInstanceCount"], "initialVariantWeight": v["InitialVariantWeight"],
                          "instanceType": v["InstanceType"], "variantName": v["VariantName"]} for v in variants]}


def main() -> None:
    import constructs_jumpstart  # noqa: F401  (the library's import cost)
    from constructs_jumpstart.lockfile import Lockfile
    from jumpstart_spike import Renderer

    n, template = int(sys.argv[1]), json.load(open(sys.argv[2]))
    app = cdk.App(context={"@aws-cdk/core:stackResourceLimit": 0})
    stack = cdk.Stack(app, "Bench", env=cdk.Environment(region="us-west-2"))
    if len(sys.argv) > 4:
        Lockfile.load(Path(sys.argv[4]))  # the library reads its lockfile once per app
    for i in range(n):
        endpoint = cdk.Resource(stack, f"E{i}")
        Renderer.render(endpoint, Construct(endpoint, "Model"), plan(template["Resources"], i))
    assembly = app.synth()
    print(json.dumps({"template": str(assembly.get_stack_by_name("Bench").template_full_path)}))


if __name__ == "__main__":
    main()
