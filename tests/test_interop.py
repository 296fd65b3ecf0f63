"""The constructs plug into the rest of CDK as CDK users expect: an endpoint is an
``aws_sagemaker.IEndpoint``, a model is ``IGrantable`` (and ``IConnectable`` in a VPC), and optional
attributes exist (``None``) in every mode."""

from __future__ import annotations

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
