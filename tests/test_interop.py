"""The constructs plug into the rest of CDK as CDK users expect: an endpoint is an
``aws_sagemaker.IEndpoint``, a model is ``IGrantable`` (and ``IConnectable`` in a VPC), and optional
attributes exist (``None``) in every mode."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from constructs_jumpstart import JumpStartEndpoint, JumpStartModel

from .conftest import role_statements

PINNED = dict(model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")


def test_api_gateway_sagemaker_integration_accepts_our_endpoint_and_an_imported_one(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "E", **PINNED)
    imported = JumpStartEndpoint.from_endpoint_name(stack, "Imported", "other-endpoint")
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("POST", apigw.SagemakerIntegration(ep))
    api.root.add_resource("other").add_method("POST", apigw.SagemakerIntegration(imported))
    t = Template.from_stack(stack)
    uris = [m["Properties"]["Integration"]["Uri"] for m in t.find_resources("AWS::ApiGateway::Method").values()]
    assert any({"Fn::GetAtt": [stack.get_logical_id(ep.cfn_endpoint), "EndpointName"]} in u["Fn::Join"][1] for u in uris)
    assert any("path/endpoints/other-endpoint/invocations" in "".join(p for p in u["Fn::Join"][1] if isinstance(p, str))
               for u in uris)
    # the integration's role may invoke exactly these endpoints (through our grant_invoke)
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for p in t.find_resources("AWS::IAM::Policy").values()]
    resources = [s["Resource"] for statements in policies for s in statements]
    assert {"Ref": stack.get_logical_id(ep.cfn_endpoint)} in resources
    assert ep.endpoint_ref.endpoint_arn == ep.endpoint_arn


def test_a_model_is_grantable_and_connectable_in_a_vpc(make_stack):
    stack = make_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    model = JumpStartModel(stack, "M", vpc=vpc, **PINNED)
    bucket = s3.Bucket(stack, "Extra")
    bucket.grant_read(model)  # IGrantable: lands on the model's role
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.connections.allow_from(model, ec2.Port.tcp(5432))  # IConnectable
    t = Template.from_stack(stack)
    assert any("s3:GetObject*" in s["Action"] for s in role_statements(t, "MRole"))
    t.has_resource_properties("AWS::EC2::SecurityGroupIngress", {"FromPort": 5432})
    without_vpc = JumpStartModel(make_stack(), "M", **PINNED)
    assert without_vpc.connections is None and without_vpc.security_groups == [] and without_vpc.custom_model is None


def test_optional_attributes_exist_in_every_mode(make_stack):
    ep = JumpStartEndpoint(make_stack(), "E", **PINNED)
    assert ep.async_output_bucket is None and ep.data_capture_bucket is None


def test_per_variant_and_per_component_handles(make_stack):
    from aws_cdk.assertions import Match

    from constructs_jumpstart import ValidationError
    from constructs_jumpstart.hosting import JumpStartInferenceComponent, JumpStartVariant

    stack = make_stack()
    ep = JumpStartEndpoint(stack, "AB", variants=[JumpStartVariant(variant_name="Current", weight=0.9, **PINNED),
                                                  JumpStartVariant(variant_name="Challenger", weight=0.1, **PINNED)])
    challenger = ep.variant("Challenger")
    assert challenger.metric_invocations().dimensions["VariantName"] == "Challenger"
    challenger.auto_scale(1, 3)
    ep.variant("Current").auto_scale(2, 4)
    try:
        ep.variant("Nope")
        raise AssertionError("expected a ValidationError")
    except ValidationError as error:
        assert "variants: Current, Challenger" in str(error)
    components = JumpStartEndpoint(stack, "IC", instance_type="ml.m5.xlarge", inference_components=[
        JumpStartInferenceComponent(name="a", cpu_cores=1, memory_mb=1024, **PINNED),
        JumpStartInferenceComponent(name="b", cpu_cores=1, memory_mb=1024, **PINNED)])
    components.components[1].auto_scale(0, 2)
    assert components.components[1].metric_invocations().metric_name == "Invocations"
    t = Template.from_stack(stack)
    targets = t.find_resources("AWS::ApplicationAutoScaling::ScalableTarget")
    assert len(targets) == 3
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {
        "ResourceId": Match.object_like({"Fn::Join": ["", Match.array_with(["/variant/Challenger"])]})})


def test_the_model_props_cannot_drift_between_constructs():
    """The props that name and run a JumpStart model are the same in every construct that takes them
    (JumpStartBatchTransform had lost config_name)."""
    import dataclasses
    import inspect

    from constructs_jumpstart import JumpStartBatchTransform
    from constructs_jumpstart.hosting import JumpStartInferenceComponent, JumpStartVariant, _HostedModel

    shared = {f.name for f in dataclasses.fields(_HostedModel)}
    assert shared == {"model_id", "model_version", "environment", "accept_eula", "config_name", "model_data",
                      "tolerate_deprecated", "tolerate_vulnerable", "hub"}
    for construct in (JumpStartEndpoint, JumpStartModel, JumpStartBatchTransform):
        assert shared <= set(inspect.signature(construct.__init__).parameters), construct.__name__
    for option in (JumpStartVariant, JumpStartInferenceComponent):
        assert shared <= {f.name for f in dataclasses.fields(option)}, option.__name__


def test_model_sources_bind_and_grant_exactly_what_they_name(make_stack):
    from aws_cdk import aws_s3_assets as s3_assets

    from constructs_jumpstart import JobInput, JumpStartTrainingJob, ModelSource

    stack = make_stack()
    bucket = s3.Bucket(stack, "Models")
    from_bucket = JumpStartModel(stack, "FromBucket", model_data=ModelSource.from_bucket(bucket, "tuned/model.tar.gz"), **PINNED)
    prefix = JumpStartModel(stack, "FromPrefix", model_data=ModelSource.from_bucket(bucket, "tuned/"), **PINNED)
    uri = JumpStartModel(stack, "FromUri", model_data=ModelSource.from_uri("s3://other/model.tar.gz"), **PINNED)
    plain = JumpStartModel(stack, "Plain", model_data="s3://other/model.tar.gz", **PINNED)
    asset = s3_assets.Asset(stack, "Data", path=str(__import__("pathlib").Path(__file__).parent))
    job = JumpStartTrainingJob(stack, "T", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25",
                               training_data=JobInput.from_bucket(bucket, "train/"), validation_data=JobInput.from_asset(asset),
                               timeout=cdk.Duration.hours(2))
    JumpStartModel(stack, "Tuned", model_data=job.model_data, **PINNED)
    t = Template.from_stack(stack)
    assert from_bucket.model_data.s3_data_type == "S3Object" and prefix.model_data.is_prefix
    assert uri.model_data == plain.model_data  # a plain string is a ModelSource.from_uri
    bucket_id = stack.get_logical_id(bucket.node.default_child)

    def reads(role_prefix):
        return json.dumps(role_statements(t, role_prefix))

    assert "tuned/model.tar.gz" in reads("FromBucketRole") and bucket_id in reads("FromBucketRole")
    assert "tuned/*" in reads("FromPrefixRole")
    assert "train/*" in reads("TRole")  # the job's role reads exactly the bound prefix
    assert '"ModelArtifacts"' in reads("TunedRole")  # the job's trained artifact, through its ModelSource
    assert isinstance(job.model_data, ModelSource) and isinstance(job.model_data, str)
