#!/usr/bin/env python3
"""The example CDK app: ``cdk synth`` (offline, on the shipped catalog by default).

Context (``-c key=value``):
  example        endpoint (default) | finetune (train, then deploy the result) |
                 transform (batch inference) | pipeline (CDK Pipelines deploying the endpoint) |
                 serverless | async | components (inference components) | production
                 (A/B variants, data capture, canary blue/green with rollback alarms, autoscaling)
  training_data  finetune: s3:// URI of the training data (default: the spec's demo data set)
  input_data     transform: s3:// URI of the input (default: images/ in a bucket the stack creates)
  model_id       JumpStart model id            (default: pytorch-ic-mobilenet-v2)
  model_version  version or "*"                 (default: *; the lockfile pins what it resolved to)
  instance_type  hosting instance type          (default: the spec's default)
  accept_eula    "true" to accept a gated model's EULA
  smoke_test     endpoint: "true" to invoke the endpoint after each deployment (the spec's example
                 payload; the default mobilenet has none, e.g. -c model_id=fixture-llm-families)
  region         AWS region                     (cdk.json: us-west-2; else $CDK_DEFAULT_REGION)
  jumpstart:metadata   shipped | live | PATH    (cdk.json sets "shipped")
"""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

from constructs_jumpstart import JumpStartError
import stacks

DEFAULT_MODEL_ID = "pytorch-ic-mobilenet-v2"
HOSTING_EXAMPLES = {
    "serverless": ("JumpStartServerlessStack", "ServerlessStack"),
    "async": ("JumpStartAsyncStack", "AsyncStack"),
    "components": ("JumpStartInferenceComponentsStack", "InferenceComponentsStack"),
    "production": ("JumpStartProductionStack", "ProductionStack"),
}


def build_app(app: cdk.App) -> cdk.App:
    ctx = app.node.try_get_context
    region = ctx("region") or os.environ.get("CDK_DEFAULT_REGION") or "us-west-2"
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
    model = dict(
        model_id=ctx("model_id") or DEFAULT_MODEL_ID,
        model_version=str(ctx("model_version") or "*"),
        instance_type=ctx("instance_type") or None,
    )
    example = ctx("example") or "endpoint"
    if example == "endpoint":
        stacks.EndpointStack(
            app, "JumpStartEndpointStack", env=env,
            accept_eula=str(ctx("accept_eula") or "").lower() == "true",
            smoke_test=str(ctx("smoke_test") or "").lower() == "true", **model,
        )
    elif example == "finetune":
        stacks.FineTuneStack(app, "JumpStartFineTuneStack", env=env, training_data=ctx("training_data") or None, **model)
    elif example == "transform":
        stacks.BatchTransformStack(app, "JumpStartBatchTransformStack", env=env, input_data=ctx("input_data") or None, **model)
    elif example in HOSTING_EXAMPLES:
        name, stack_class = HOSTING_EXAMPLES[example]
        getattr(stacks, stack_class)(app, name, env=env)
    elif example == "pipeline":
        account = ctx("account") or os.environ.get("CDK_DEFAULT_ACCOUNT") or "111111111111"
        stacks.PipelineStack(app, "JumpStartPipelineStack", env=cdk.Environment(account=account, region=region), **model)
    else:
        raise JumpStartError(f"Unknown example {example!r}: use -c example=endpoint, finetune, transform, pipeline, serverless, async, components or production.")
    return app


def main() -> int:
    try:
        build_app(cdk.App()).synth()
    except JumpStartError as err:
        # Bad input is the user's to fix: one clear message, not a traceback.
        print(f"\njumpstart: error: {err}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
