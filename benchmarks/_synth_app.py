"""One synth, for benchmarks/synth.py: N endpoints as JumpStartEndpoint, or written by hand as plain
CfnModel / CfnEndpointConfig / CfnEndpoint (+ the same role and policy) with the same properties."""

from __future__ import annotations

import json
import sys
from collections import Counter

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sm

PER_STACK = 25
INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.m4.xlarge"]
KEY = "pytorch-ic-mobilenet-v2@3.0.25|us-west-2|inference|{}"


def jumpstart(stack: cdk.Stack, n: int) -> None:
    from constructs_jumpstart import JumpStartEndpoint

    for i in range(n):
        JumpStartEndpoint(stack, f"E{i}", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                          instance_type=INSTANCE_TYPES[i % len(INSTANCE_TYPES)])


def hand_written(stack: cdk.Stack, n: int, lockfile: str) -> None:
    entries = json.load(open(lockfile))["entries"]  # the same literal values a person would paste
    for i in range(n):
        it = INSTANCE_TYPES[i % len(INSTANCE_TYPES)]
        e = entries[KEY.format(it)]
        scope = cdk.Stack  # noqa: F841 - keep the shape obvious
        role = iam.Role(stack, f"E{i}Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
        uri = e["model_data"]["s3_uri"]
        bucket, _, key = uri[5:].partition("/")
        role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[f"arn:{stack.partition}:s3:::{bucket}/{key}*"]))
        role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[f"arn:{stack.partition}:s3:::{bucket}"],
                                                         conditions={"StringLike": {"s3:prefix": [f"{key}*"]}}))
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            resources=[f"arn:{stack.partition}:ecr:us-west-2:763104351884:repository/pytorch-inference"]))
        unscopable = iam.Policy(stack, f"E{i}Unscopable", statements=[
            iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"])])
        role.attach_inline_policy(unscopable)
        group = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:/aws/sagemaker/*"
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            resources=[group, f"{group}:log-stream:*"]))
        model = sm.CfnModel(
            stack, f"E{i}Model", execution_role_arn=role.role_arn, enable_network_isolation=True,
            primary_container=sm.CfnModel.ContainerDefinitionProperty(
                image=e["image_uri"], environment=e["environment"],
                model_data_source=sm.CfnModel.ModelDataSourceProperty(s3_data_source=sm.CfnModel.S3DataSourceProperty(
                    s3_uri=uri, s3_data_type="S3Prefix", compression_type="None"))),
        )
        model.node.add_dependency(role, unscopable)
        key = kms.Key(stack, f"E{i}Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY,
                      pending_window=cdk.Duration.days(7), description="endpoint key")
        config = sm.CfnEndpointConfig(stack, f"E{i}Config", kms_key_id=key.key_arn,
                                      production_variants=[sm.CfnEndpointConfig.ProductionVariantProperty(
            model_name=model.attr_model_name, variant_name="AllTraffic", initial_instance_count=1,
            instance_type=it, initial_variant_weight=1.0)])
        sm.CfnEndpoint(stack, f"E{i}Endpoint", endpoint_config_name=config.attr_endpoint_config_name)


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
    app = cdk.App(context={"jumpstart:lockfile": lockfile, "jumpstart:metadata": source})
    # CloudFormation allows 500 resources per stack: spread the endpoints over stacks of 25
    for start in range(0, n, PER_STACK):
        stack = cdk.Stack(app, f"Bench{start // PER_STACK}", env=cdk.Environment(region="us-west-2"))
        count = min(PER_STACK, n - start)
        if kind == "hand":
            hand_written(stack, count, lockfile)
        else:
            jumpstart(stack, count)
    app.synth()
    print(json.dumps({"reads": reads, "sagemaker": "sagemaker" in sys.modules}))


if __name__ == "__main__":
    main()
