"""JumpStartModel / JumpStartEndpoint synthesized templates, with aws_cdk.assertions."""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from constructs_jumpstart import (
    JumpStartEndpoint,
    JumpStartModel,
    ModelSource,
    RegionError,
    UnknownModelError,
    UnsupportedInstanceTypeError,
    ValidationError,
)
from constructs_jumpstart.hosting import JumpStartVariant

from .conftest import role_statements

MOBILENET = "pytorch-ic-mobilenet-v2"


def _only(template: Template, type_: str) -> dict:
    resources = template.find_resources(type_)
    assert len(resources) == 1, resources
    return next(iter(resources.values()))


def _policy_statements(template: Template) -> list:
    return role_statements(template)


def test_mobilenet_endpoint(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "Classifier", model_id=MOBILENET, instance_type="ml.m5.large")
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::SageMaker::Model", 1)
    t.resource_count_is("AWS::SageMaker::EndpointConfig", 1)
    t.resource_count_is("AWS::SageMaker::Endpoint", 1)
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "EnableNetworkIsolation": True,
            "PrimaryContainer": {
                "Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.10.0-cpu-py38",
                "ModelDataSource": {
                    "S3DataSource": {
                        "S3Uri": "s3://jumpstart-cache-prod-us-west-2/pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/",
                        "S3DataType": "S3Prefix",
                        "CompressionType": "None",
                    }
                },
                "Environment": Match.object_like({"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_ENV": "1"}),
            },
        },
    )
    model = _only(t, "AWS::SageMaker::Model")
    assert "ModelDataUrl" not in model["Properties"]["PrimaryContainer"]
    assert "ModelName" not in model["Properties"]  # no physical names: replaceable on update
    assert "EndpointConfigName" not in _only(t, "AWS::SageMaker::EndpointConfig")["Properties"]
    t.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "ProductionVariants": [
                {
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                    "InitialVariantWeight": 1,
                    "VariantName": "AllTraffic",
                    "ModelName": {"Fn::GetAtt": [Match.string_like_regexp("ClassifierModel"), "ModelName"]},
                }
            ]
        },
    )
    t.has_resource_properties(
        "AWS::SageMaker::Endpoint",
        {"EndpointConfigName": {"Fn::GetAtt": [Match.string_like_regexp("ClassifierEndpointConfig"), "EndpointConfigName"]}},
    )
    # the model waits for its role and the role's policy
    assert any("ClassifierModelRole" in d for d in model["DependsOn"])
    assert ep.model_version == "3.0.25"
    assert ep.instance_type == "ml.m5.large"


def test_role_is_least_privilege(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "Classifier", model_id=MOBILENET)
    t = Template.from_stack(stack)
    role = _only(t, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _policy_statements(t)
    text = json.dumps(statements)
    assert '"s3:*"' not in text and "AmazonSageMakerFullAccess" not in text
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {
        "s3:GetObject",
        "s3:ListBucket",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetAuthorizationToken",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    }
    get = next(s for s in statements if s["Action"] == "s3:GetObject")
    assert get["Resource"]["Fn::Join"][1][-1] == (
        ":s3:::jumpstart-cache-prod-us-west-2/pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/*"
    )
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")
    assert listing["Condition"] == {
        "StringLike": {"s3:prefix": ["pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/*"]}
    }
    ecr = next(s for s in statements if "ecr:BatchGetImage" in s["Action"])
    assert ecr["Resource"]["Fn::Join"][1][-1] == ":ecr:us-west-2:763104351884:repository/pytorch-inference"
    star = [s for s in statements if s["Resource"] == "*"]
    assert [s["Action"] for s in star] == ["ecr:GetAuthorizationToken"]


def test_gated_model_requires_eula_and_names_it(make_stack):
    with pytest.raises(ValidationError, match=r"gated behind an end-user license agreement.*fixtureLlmLicense\.txt.*accept_eula=True"):
        JumpStartEndpoint(make_stack(), "Llm", model_id="fixture-llm-gated")


def test_gated_model_with_eula_prefix_artifact_and_draft_model(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "Llm", model_id="fixture-llm-gated", model_version="2.0.0", accept_eula=True)
    t = Template.from_stack(stack)
    # AWS::SageMaker::Model has no AdditionalModelDataSources, so this model is created by CreateModel
    t.resource_count_is("AWS::SageMaker::Model", 0)
    ((custom_id, custom),) = t.find_resources("Custom::JumpStartModel").items()
    # the handler finishes the name at deploy from the resolved request; consumers read it from there
    assert re.fullmatch(r"fixture-llm-gated-[0-9a-f]{10}", custom["Properties"]["ModelNameBase"])
    assert stack.resolve(ep.model_name) == {"Fn::GetAtt": [custom_id, "ModelName"]}
    assert stack.resolve(ep.model.model_arn) == {"Fn::GetAtt": [custom_id, "ModelArn"]}
    parts = custom["Properties"]["Request"]["Fn::Join"][1]
    request = json.loads("".join(p if isinstance(p, str) else "ROLE" for p in parts))
    assert request["ExecutionRoleArn"] == "ROLE"
    assert request["EnableNetworkIsolation"] is True
    assert request["PrimaryContainer"] == {
        "Image": "763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
        "ModelDataSource": {"S3DataSource": {
            "S3Uri": "s3://jumpstart-private-cache-prod-us-west-2/fixture-llm-gated/artifacts/inference-prepack-lmi/v2.0.0/",
            "S3DataType": "S3Prefix", "CompressionType": "None", "ModelAccessConfig": {"AcceptEula": True}}},
        "AdditionalModelDataSources": [{"ChannelName": "draft_model", "S3DataSource": {
            "S3Uri": "s3://jumpstart-private-cache-prod-us-west-2/fixture-llm-gated/artifacts/draft/v1/",
            # the spec's own access config, as the SDK sends it: the draft has no EULA of its own
            "S3DataType": "S3Prefix", "CompressionType": "None", "ModelAccessConfig": {"AcceptEula": False}}}],
        "Environment": request["PrimaryContainer"]["Environment"],
    }
    assert request["PrimaryContainer"]["Environment"]["OPTION_SPECULATIVE_DRAFT_MODEL"] == "/opt/ml/additional-model-data-sources/draft_model/"
    assert request["PrimaryContainer"]["Environment"]["SM_NUM_GPUS"] == "4"
    assert request["Tags"] == [{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "fixture-llm-gated"},
                               {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "2.0.0"},
                               {"Key": "sagemaker-sdk:jumpstart-inference-config-name", "Value": "lmi-optimized"}]
    # the stack's handler creates and deletes it (idempotent create, delete of a missing model is done)
    assert custom["Properties"]["ServiceToken"]["Fn::GetAtt"][0].startswith("JumpStartJobsHandlerFunction")
    # the endpoint config serves it, after it exists
    config_id, config = next(iter(t.find_resources("AWS::SageMaker::EndpointConfig").items()))
    assert config["Properties"]["ProductionVariants"][0]["ModelName"] == {"Fn::GetAtt": [custom_id, "ModelName"]}
    assert any(d.startswith("LlmModel") for d in config["DependsOn"])
    # deploy_kwargs from the spec go on the production variant
    t.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "ProductionVariants": [
                Match.object_like(
                    {
                        "InstanceType": "ml.g5.12xlarge",
                        "ContainerStartupHealthCheckTimeoutInSeconds": 1200,
                        "ModelDataDownloadTimeoutInSeconds": 1200,
                    }
                )
            ]
        },
    )
    # the role may read the draft model prefix too
    text = json.dumps(_policy_statements(t))
    assert "jumpstart-private-cache-prod-us-west-2/fixture-llm-gated/artifacts/draft/v1/*" in text


def test_api_created_models_permission_does_not_change_with_the_request(make_stack):
    """The handler's model statement and ModelNameBase follow the construct (path, stack), not the
    request: CloudFormation updates the policy before the model, so a statement that followed the
    request would deny the cleanup DeleteModel of the replaced model (the simulator's
    test_update_replacing_the_api_created_model_deletes_the_old_one)."""
    def synth(instance_type):
        stack = make_stack()
        JumpStartEndpoint(stack, "Llm", model_id="fixture-llm-gated", instance_type=instance_type, accept_eula=True)
        t = Template.from_stack(stack)
        custom = _only(t, "Custom::JumpStartModel")["Properties"]
        handler = next(p for k, p in t.find_resources("AWS::IAM::Policy").items()
                       if k.startswith("JumpStartJobsHandlerRoleDefaultPolicy"))
        models = [s for s in handler["Properties"]["PolicyDocument"]["Statement"]
                  if "sagemaker:DeleteModel" in s["Action"]]
        return custom["ModelNameBase"], models, custom["Request"]

    base, statements, request = synth("ml.p4d.24xlarge")
    other_base, other_statements, other_request = synth("ml.g5.12xlarge")
    assert request != other_request
    assert (base, statements) == (other_base, other_statements)
    assert statements[0]["Resource"]["Fn::Join"][1][-1].endswith(f":model/{base.lower()}-*")


def test_instance_type_variant_and_config_name(make_stack):
    stack = make_stack()
    JumpStartEndpoint(
        stack, "Llm", model_id="fixture-llm-gated", instance_type="ml.g5.48xlarge", config_name="tgi", accept_eula=True
    )
    t = Template.from_stack(stack)
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "PrimaryContainer": Match.object_like(
                {
                    "Image": Match.string_like_regexp("huggingface-pytorch-tgi-inference"),
                    "Environment": Match.object_like({"SM_NUM_GPUS": "8"}),
                }
            )
        },
    )
    assert "AdditionalModelDataSources" not in json.dumps(t.to_json())


def test_user_environment_wins(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "C", model_id=MOBILENET, environment={"SAGEMAKER_MODEL_SERVER_WORKERS": "4", "EXTRA": "x"})
    Template.from_stack(stack).has_resource_properties(
        "AWS::SageMaker::Model",
        {"PrimaryContainer": Match.object_like({"Environment": Match.object_like({"SAGEMAKER_MODEL_SERVER_WORKERS": "4", "EXTRA": "x", "SAGEMAKER_ENV": "1"})})},
    )


def test_deprecated_refused_then_tolerated_with_warning(make_stack):
    with pytest.raises(ValidationError, match=r"is deprecated: fixture-ic-deprecated is deprecated and will be removed.*tolerate_deprecated=True"):
        JumpStartEndpoint(make_stack(), "Old", model_id="fixture-ic-deprecated")
    stack = make_stack()
    JumpStartEndpoint(stack, "Old", model_id="fixture-ic-deprecated", model_version="1.0.0", tolerate_deprecated=True)
    Annotations.from_stack(stack).has_warning("/TestStack/Old/Model", Match.string_like_regexp("is deprecated \\(tolerated\\)"))


def test_vulnerable_refused_then_tolerated_with_warning(make_stack):
    with pytest.raises(ValidationError, match=r"known vulnerabilities for inference: pillow==9\.0\.0.*tolerate_vulnerable=True"):
        JumpStartEndpoint(make_stack(), "Vuln", model_id="fixture-ic-vulnerable")
    stack = make_stack()
    JumpStartEndpoint(stack, "Vuln", model_id="fixture-ic-vulnerable", model_version="1.0.0", tolerate_vulnerable=True)
    Annotations.from_stack(stack).has_warning("/TestStack/Vuln/Model", Match.string_like_regexp("known-vulnerable"))


def test_model_package(make_stack):
    stack = make_stack(region="us-east-1")
    JumpStartEndpoint(stack, "Pkg", model_id="fixture-model-package", accept_eula=True)
    t = Template.from_stack(stack)
    container = _only(t, "AWS::SageMaker::Model")["Properties"]["PrimaryContainer"]
    assert container == {"ModelPackageName": "arn:aws:sagemaker:us-east-1:865070037744:model-package/fixture-llm-7b-v1"}
    t.has_resource_properties("AWS::SageMaker::Model", {"EnableNetworkIsolation": True})
    assert "s3:GetObject" not in json.dumps(_policy_statements(t))


def test_script_mode_model_is_repacked_with_its_code_as_the_sdk_does(make_stack):
    """The SDK's deploy of a script-mode model: the artifact and sourcedir.tar.gz repacked into one
    model.tar.gz with the code under code/, and SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code (the
    serving toolkits load code only from <model dir>/code; an S3 submit directory is never read)."""
    stack = make_stack()
    JumpStartEndpoint(stack, "Script", model_id="fixture-tf-script-mode")
    t = Template.from_stack(stack)
    (packer_id, packer), = t.find_resources("Custom::JumpStartArtifact").items()
    assert packer["Properties"]["Source"] == (
        "s3://jumpstart-cache-prod-us-west-2/tensorflow-ic/fixture-tf-script-mode/artifacts/inference/v1.0.0/model.tar.gz")
    assert packer["Properties"]["Code"] == (
        "s3://jumpstart-cache-prod-us-west-2/source-directory-tarballs/pytorch/inference/ic/v2.0.0/sourcedir.tar.gz")
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "EnableNetworkIsolation": False,
            "PrimaryContainer": Match.object_like(
                {
                    "ModelDataUrl": {"Fn::GetAtt": [packer_id, "ArtifactUri"]},
                    "Environment": Match.object_like(
                        {
                            "SAGEMAKER_PROGRAM": "inference.py",
                            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
                            "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
                            "SAGEMAKER_REGION": "us-west-2",
                        }
                    ),
                }
            ),
        },
    )
    # the model's role reads the repacked artifact only; the handler reads the two inputs
    model_text = json.dumps(role_statements(t, "ScriptModelRole"))
    assert "jumpstart-artifacts/" in model_text and "sourcedir.tar.gz" not in model_text
    handler_text = json.dumps(role_statements(t, "JumpStartJobsHandler"))
    assert "fixture-tf-script-mode/artifacts/inference/v1.0.0/model.tar.gz" in handler_text
    assert "source-directory-tarballs/pytorch/inference/ic/v2.0.0/sourcedir.tar.gz" in handler_text


def test_fine_tuned_model_data_override(make_stack):
    stack = make_stack()
    JumpStartModel(stack, "Tuned", model_id=MOBILENET, model_data="s3://my-bucket/jobs/out/model.tar.gz")
    t = Template.from_stack(stack)
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {"PrimaryContainer": Match.object_like({"ModelDataUrl": "s3://my-bucket/jobs/out/model.tar.gz"})},
    )
    assert "arn:\", {\"Ref\": \"AWS::Partition\"}, \":s3:::my-bucket/jobs/out/model.tar.gz" in json.dumps(_policy_statements(t))


def test_floating_version_warns_with_concrete_version(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "C", model_id=MOBILENET)
    Annotations.from_stack(stack).has_warning(
        "/TestStack/C/Model", Match.string_like_regexp("resolved to 3\\.0\\.25.*Pin model_version='3\\.0\\.25'")
    )
    pinned = make_stack()
    JumpStartEndpoint(pinned, "C", model_id=MOBILENET, model_version="3.0.25")
    Annotations.from_stack(pinned).has_no_warning("*", Match.any_value())


def test_a_floating_version_replayed_from_the_lockfile_does_not_warn_again(make_stack):
    """It warned on every synth, even with the lockfile pinning it, and `cdk synth --strict` failed (#20);
    it warns again when a refresh resolves it anew."""
    from constructs_jumpstart.lockfile import forget_open_lockfiles

    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)  # resolved: warns (above)
    forget_open_lockfiles()
    locked = make_stack()
    JumpStartEndpoint(locked, "C", model_id=MOBILENET)
    Annotations.from_stack(locked).has_no_warning("*", Match.any_value())
    forget_open_lockfiles()
    refreshed = make_stack(context={"jumpstart:refresh": "true"})
    JumpStartEndpoint(refreshed, "C", model_id=MOBILENET)
    Annotations.from_stack(refreshed).has_warning("/TestStack/C/Model", Match.string_like_regexp("resolved to 3\\.0\\.25"))


def test_grant_invoke_and_import(make_stack):
    stack = make_stack()
    ep = JumpStartEndpoint(stack, "C", model_id=MOBILENET, model_version="3.0.25")
    fn_role = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ep.grant_invoke(fn_role)
    imported = JumpStartEndpoint.from_endpoint_name(stack, "Other", "My-Endpoint")
    imported.grant_invoke(fn_role)
    t = Template.from_stack(stack)
    caller = [
        p for p in t.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": stack.get_logical_id(fn_role.node.default_child)}]
    ][0]
    statements = caller["Properties"]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    assert statements[0]["Resource"] == {"Ref": stack.get_logical_id(ep.cfn_endpoint)}
    assert statements[1]["Resource"]["Fn::Join"][1][-1] == ":sagemaker:us-west-2:123456789012:endpoint/my-endpoint"
    assert imported.endpoint_name == "My-Endpoint"
    by_arn = JumpStartEndpoint.from_endpoint_arn(stack, "ByArn", "arn:aws:sagemaker:us-west-2:123456789012:endpoint/abc")
    assert by_arn.endpoint_name == "abc"


def test_bring_your_own_role_and_kms_key(make_stack):
    stack = make_stack()
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ep = JumpStartEndpoint(stack, "C", model_id=MOBILENET, model_version="3.0.25", role=role, encryption_key=key)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::IAM::Role", 1)
    assert ep.role is role
    t.has_resource_properties(
        "AWS::SageMaker::Model", {"ExecutionRoleArn": {"Fn::GetAtt": [stack.get_logical_id(role.node.default_child), "Arn"]}}
    )
    t.has_resource_properties("AWS::SageMaker::EndpointConfig", {"KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]}})


def test_unresolved_region_is_a_clear_error(make_stack):
    with pytest.raises(RegionError, match=r"JumpStartEndpoint 'TestStack/C' needs a concrete AWS region.*env=Environment"):
        JumpStartEndpoint(make_stack(region=None), "C", model_id=MOBILENET)


def test_unknown_model_error_at_synth(make_stack):
    with pytest.raises(UnknownModelError, match=r"Did you mean: 'pytorch-ic-mobilenet-v2'"):
        JumpStartEndpoint(make_stack(), "C", model_id="pytorch-ic-mobilenet-v3")


def test_unsupported_instance_type_at_synth(make_stack):
    with pytest.raises(UnsupportedInstanceTypeError, match=r"'ml\.p3\.2xlarge'.*Supported instance types: ml\.m5\.large"):
        JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET, instance_type="ml.p3.2xlarge")


def test_all_problems_are_raised_together(make_stack):
    with pytest.raises(ValidationError) as info:
        JumpStartEndpoint(
            make_stack(),
            "C",
            model_id="fixture-llm-gated",
            model_version="1.0.0",
            initial_instance_count=0,
            variant_name="bad name!",
            environment={"WORKERS": 4},
        )
    problems = info.value.problems
    assert len(problems) == 5, problems
    text = str(info.value)
    for needle in ("environment must map strings", "EULA", "deprecated", "initial_instance_count", "variant_name"):
        assert needle in text


def test_resolution_error_is_reported_with_prop_errors(make_stack):
    with pytest.raises(ValidationError) as info:
        JumpStartEndpoint(make_stack(), "C", model_id="nope", initial_instance_count=0)
    assert len(info.value.problems) == 2
    assert "Unknown JumpStart model id 'nope'" in str(info.value) and "initial_instance_count" in str(info.value)


def test_endpoint_template_snapshot(make_stack, snapshot):
    stack = make_stack()
    JumpStartEndpoint(stack, "Classifier", model_id=MOBILENET, model_version="3.0.25")
    assert Template.from_stack(stack).to_json() == snapshot


@pytest.mark.parametrize("requires_eula, spec_access, accepted, expected", [
    (True, False, True, {"AcceptEula": True}),   # a source with its own EULA, accepted: as the SDK's model_access_configs
    (False, False, True, {"AcceptEula": False}),  # no EULA of its own: the spec's access config as it stands
    (False, None, True, None),                   # the spec has none: none is sent
    (True, None, False, None),                   # not accepted (the model's own EULA check refuses this earlier)
])
def test_rule_additional_source_access_is_what_the_sdk_sends(requires_eula, spec_access, accepted, expected):
    import dataclasses

    from constructs_jumpstart.model import _additional_sources
    from constructs_jumpstart.resolver import resolve
    from constructs_jumpstart.types import AdditionalDataSource, S3Artifact

    resolved = dataclasses.replace(
        resolve("fixture-llm-gated", region="us-west-2", source="shipped"),
        additional_data_sources=(AdditionalDataSource("draft_model", S3Artifact("s3://b/draft/", "S3Prefix", "None"),
                                                      requires_eula=requires_eula, accept_eula=spec_access),))
    (source,) = _additional_sources(resolved, accepted)
    assert source["S3DataSource"].get("ModelAccessConfig") == expected


def test_model_endpoint_config_and_endpoint_carry_the_sdks_jumpstart_tags(make_stack):
    """The tags the SDK's deploy() puts on what it creates: Studio, the SDK's Predictor and
    `jumpstart invoke` find the model of an endpoint by them. CDK's Tags.of still adds to them."""
    import aws_cdk as cdk

    stack = make_stack()
    JumpStartEndpoint(stack, "Classifier", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25")
    cdk.Tags.of(stack).add("team", "vision")
    t = Template.from_stack(stack)
    expected = Match.array_with([{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "pytorch-ic-mobilenet-v2"},
                                 {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "3.0.25"},
                                 {"Key": "team", "Value": "vision"}])
    for rtype in ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint"):
        t.has_resource_properties(rtype, {"Tags": expected})


def test_an_endpoint_of_two_different_models_carries_no_model_tags_of_its_own(make_stack):
    stack = make_stack()
    JumpStartEndpoint(stack, "AB", variants=[
        JumpStartVariant(variant_name="Mobilenet", model_id="pytorch-ic-mobilenet-v2", model_version="3.0.25"),
        JumpStartVariant(variant_name="Deprecated", model_id="fixture-ic-deprecated", tolerate_deprecated=True)])
    t = Template.from_stack(stack)
    assert "Tags" not in next(iter(t.find_resources("AWS::SageMaker::Endpoint").values()))["Properties"]
    assert len(t.find_resources("AWS::SageMaker::Model", {"Properties": {"Tags": Match.any_value()}})) == 2



PINNED = dict(model_id=MOBILENET, model_version="3.0.25")


def _model_role_text(stack) -> str:
    return json.dumps(role_statements(Template.from_stack(stack), "EModelRole"))


def test_token_model_data_is_granted_through_its_bucket(make_stack):
    """model_data from a parameter or another stack's bucket: granted where the bucket is written
    out, or through ModelSource.from_bucket with a token key."""
    stack = make_stack()
    bucket = cdk.CfnParameter(stack, "ArtifactBucket").value_as_string
    JumpStartEndpoint(stack, "E", **PINNED, model_data="s3://" + bucket + "/tuned/model.tar.gz")
    assert '":s3:::", {"Ref": "ArtifactBucket"}, "/tuned/model.tar.gz"' in _model_role_text(stack)

    stack = make_stack()
    key = cdk.CfnParameter(stack, "Key").value_as_string
    imported = s3.Bucket.from_bucket_name(stack, "Artifacts", cdk.CfnParameter(stack, "Bucket").value_as_string)
    JumpStartEndpoint(stack, "E", **PINNED, model_data=ModelSource.from_bucket(imported, key))
    assert '":s3:::", {"Ref": "Bucket"}, "/", {"Ref": "Key"}]' in _model_role_text(stack)

    app = cdk.App(context={k: stack.node.try_get_context(k)
                           for k in ("jumpstart:metadata", "jumpstart:lockfile", "jumpstart:errors")})
    env = cdk.Environment(account="123456789012", region="us-west-2")
    producer, consumer = cdk.Stack(app, "Producer", env=env), cdk.Stack(app, "Consumer", env=env)
    artifacts = s3.Bucket(producer, "Artifacts")
    JumpStartEndpoint(consumer, "E", **PINNED, model_data=f"s3://{artifacts.bucket_name}/tuned/model.tar.gz")
    assert '"Fn::ImportValue": "Producer:ExportsOutputRefArtifacts' in _model_role_text(consumer)


@pytest.mark.parametrize("wrap", [lambda uri: uri, ModelSource.from_uri])
def test_token_model_data_whose_bucket_cannot_be_known_is_refused(make_stack, wrap):
    from aws_cdk import aws_ssm as ssm

    stack = make_stack()
    uri = ssm.StringParameter.value_for_string_parameter(stack, "/models/tuned")
    with pytest.raises(ValidationError) as info:
        JumpStartEndpoint(stack, "E", **PINNED, model_data=wrap(uri))
    text = str(info.value)
    assert "model_data=" in text and "SsmParameterValue" in text and "ModelSource.from_bucket(bucket, key)" in text


def _handler_s3(template: Template) -> list:
    return [s for s in role_statements(template, "JumpStartJobsHandler") if "s3:" in json.dumps(s["Action"])]


def test_a_packer_reads_a_bucket_of_the_stack_and_its_key(make_stack):
    """#18 (2): an S3 prefix in a bucket of the stack (its name a token), packed: the handler reads
    exactly that prefix, and decrypts with the bucket's key."""
    from aws_cdk import aws_s3 as s3

    from constructs_jumpstart.types import ModelSource

    stack = make_stack()
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    bucket = s3.Bucket(stack, "Models", encryption_key=key, enforce_ssl=True)
    JumpStartModel(stack, "Packed", model_id=MOBILENET, model_version="3.0.25", compress_artifact=True,
                   model_data=ModelSource.from_bucket(bucket, "mobilenet/v1/"))
    t = Template.from_stack(stack)
    (packer,) = t.find_resources("Custom::JumpStartArtifact").values()
    bucket_id = next(k for k in t.find_resources("AWS::S3::Bucket") if k.startswith("Models"))
    assert "Fn::Join" in packer["Properties"]["Source"]
    text = json.dumps(_handler_s3(t))
    assert bucket_id in text and "/mobilenet/v1/*" in text
    decrypts = [s for s in role_statements(t, "JumpStartJobsHandler") if "kms:Decrypt" in s["Action"]]
    assert any("DataKey" in json.dumps(s["Resource"]) for s in decrypts)


def test_packed_artifacts_of_two_constructs_are_apart_and_the_handler_writes_only_under_their_prefixes(make_stack):
    """#18 (11): the same source packed by two constructs: two key prefixes (removing one cannot
    delete the other's model); the handler's object grants on the artifact bucket end in each prefix."""
    stack = make_stack()
    for name in ("A", "B"):
        JumpStartModel(stack, name, model_id=MOBILENET, model_version="3.0.25", compress_artifact=True)
    t = Template.from_stack(stack)
    packers = t.find_resources("Custom::JumpStartArtifact")
    prefix_of = {k[0]: p["Properties"]["Prefix"] for k, p in packers.items()}  # "A...": A's packer
    prefixes = set(prefix_of.values())
    assert len(prefixes) == 2 and all(p.startswith("jumpstart-artifacts/") and p.endswith("/") for p in prefixes)
    assert all("Key" not in p["Properties"] for p in packers.values())  # the handler names the object at deploy
    artifact_bucket = next(k for k in t.find_resources("AWS::S3::Bucket") if k.startswith("JumpStartArtifacts"))
    object_arns = [json.dumps(r) for s in _handler_s3(t) for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                                    else [s["Resource"]])
                   if artifact_bucket in json.dumps(r) and "Fn::Join" in r]
    assert object_arns and all(any(f"/{p}*" in arn for p in prefixes) for arn in object_arns)
    for name, other in (("A", "B"), ("B", "A")):  # each model's role reads its own packed artifact only
        reads = json.dumps(role_statements(t, f"{name}Role"))
        assert f"/{prefix_of[name]}*" in reads and prefix_of[other] not in reads


def test_a_packer_reads_a_token_uri_without_a_grant_of_its_own(make_stack):
    """#18 (2): a script-mode model repacked from a plain URI whose bucket is a token (a bucket of the
    stack, given as text): the handler reads exactly that object (through ``_iam.grantable``)."""
    from aws_cdk import aws_s3 as s3

    stack = make_stack()
    bucket = s3.Bucket(stack, "Models", enforce_ssl=True)
    JumpStartModel(stack, "Script", model_id="fixture-tf-script-mode",
                   model_data=f"s3://{bucket.bucket_name}/tf/model.tar.gz")
    t = Template.from_stack(stack)
    (packer,) = t.find_resources("Custom::JumpStartArtifact").values()
    bucket_id = next(k for k in t.find_resources("AWS::S3::Bucket") if k.startswith("Models"))
    assert packer["Properties"]["Source"] == {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/tf/model.tar.gz"]]}
    reads = [r for s in _handler_s3(t) if s["Action"] == "s3:GetObject"
             for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": bucket_id}, "/tf/model.tar.gz"]]} in reads
    assert not any(bucket_id in json.dumps(r) and "*" in json.dumps(r) for r in reads)  # that object, nothing more
