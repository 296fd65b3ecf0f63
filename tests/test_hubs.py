"""Private curated hubs (``hub=``): a model reference to a public JumpStart model, a model of the
hub's own, a model the hub does not hold, access denied; the lockfile keeps hub resolutions for an
offline re-synth. The hub answers through ``tests/hubs.py`` (real SageMaker request/response shapes)."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from constructs_jumpstart import HubError, JumpStartEndpoint, JumpStartModel, ValidationError, resolver

from .conftest import role_statements
from .hubs import OWN_ARTIFACT, REGION, Hub, content_arn, hub_arn, mobilenet_document, own_document

MOBILENET = "pytorch-ic-mobilenet-v2"
REFERENCE = content_arn("approved", "ModelReference", MOBILENET, "3.0.25")


@pytest.fixture
def hub(monkeypatch):
    """``hub(name)`` -> a :class:`Hub` whose client the resolver uses."""

    def make(name: str = "approved") -> Hub:
        made = Hub(name)
        monkeypatch.setattr(resolver, "hub_client", lambda region: made.client)
        return made

    return make


def _stack(lockfile, **context) -> cdk.Stack:
    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile),
                           "jumpstart:errors": "raise", **context})
    return cdk.Stack(app, "Hubbed", env=cdk.Environment(account="123456789012", region=REGION))


def _model(template: Template) -> dict:
    (model,) = template.find_resources("AWS::SageMaker::Model").values()
    return model["Properties"]


def test_a_model_reference_reads_its_artifact_through_the_hub(hub, lockfile):
    approved = hub().holds("ModelReference", MOBILENET, "3.0.25", mobilenet_document())
    stack = _stack(lockfile)
    JumpStartEndpoint(stack, "Classifier", model_id=MOBILENET, hub="approved")
    template = Template.from_stack(stack)
    source = _model(template)["PrimaryContainer"]["ModelDataSource"]["S3DataSource"]
    assert source["HubAccessConfig"] == {"HubContentArn": REFERENCE}  # as the SDK's deploy() of a reference
    assert source["S3Uri"].startswith(f"s3://jumpstart-cache-prod-{REGION}/pytorch-ic/pytorch-ic-mobilenet-v2/")
    assert {"Key": "sagemaker-sdk:hub-content-arn", "Value": REFERENCE} in _model(template)["Tags"]
    # the role may describe exactly this hub content
    hub_statements = [s for s in role_statements(template, "ClassifierModel") if "sagemaker:DescribeHubContent" in str(s)]
    assert [(s["Action"], s["Resource"]) for s in hub_statements] == [("sagemaker:DescribeHubContent", REFERENCE)]
    # the SDK asked the hub for a model reference (by the hub's ARN, from the stack's account)
    assert approved.asked("DescribeHubContent")[0] == {
        "HubName": hub_arn("approved"), "HubContentType": "ModelReference", "HubContentName": MOBILENET,
        "HubContentVersion": "3.0.25"}
    entries = json.loads(lockfile.read_text())["entries"]
    assert list(entries) == [f"{MOBILENET}@*|{REGION}|inference|default-instance|hub={hub_arn('approved')}"]


def test_the_lockfile_replays_a_hub_resolution_offline(hub, lockfile, monkeypatch):
    hub().holds("ModelReference", MOBILENET, "3.0.25", mobilenet_document())
    first = _stack(lockfile)
    JumpStartEndpoint(first, "Classifier", model_id=MOBILENET, hub=hub_arn("approved"))
    before = Template.from_stack(first).to_json()

    def unreachable(region):
        raise AssertionError("a locked synth must not read the hub")

    monkeypatch.setattr(resolver, "hub_client", unreachable)
    from constructs_jumpstart.lockfile import forget_open_lockfiles

    forget_open_lockfiles()
    again = _stack(lockfile, **{"jumpstart:frozen": "true"})
    JumpStartEndpoint(again, "Classifier", model_id=MOBILENET, hub="approved")  # a name: the same hub ARN
    assert Template.from_stack(again).to_json() == before


def test_a_model_of_the_hubs_own_is_served_from_its_bucket(hub, lockfile):
    own = hub().holds("Model", "acme-classifier", "1.0.0", own_document())
    stack = _stack(lockfile)
    model = JumpStartModel(stack, "Acme", model_id="acme-classifier", hub="approved")
    template = Template.from_stack(stack)
    container = _model(template)["PrimaryContainer"]
    assert container["ModelDataUrl"] == OWN_ARTIFACT and "ModelDataSource" not in container  # no reference, no HubAccessConfig
    assert container["Image"].endswith("/pytorch-inference:2.1.0-cpu-py310")
    assert model.resolved.hub_content_type == "Model"
    statements = role_statements(template, "Acme")
    assert any(s["Action"] == "sagemaker:DescribeHubContent"
               and s["Resource"] == content_arn("approved", "Model", "acme-classifier", "1.0.0") for s in statements)
    assert any("acme-models/classifier/v1/model.tar.gz" in json.dumps(s["Resource"]) for s in statements
               if "s3:GetObject" in str(s["Action"]))
    # the SDK looks for a reference first, then the hub's own model
    assert [p["HubContentType"] for p in own.asked("ListHubContentVersions")][:2] == ["ModelReference", "Model"]


def test_a_model_the_hub_does_not_hold_lists_what_it_holds(hub, lockfile):
    hub().holds("ModelReference", MOBILENET, "3.0.25", mobilenet_document()).holds("Model", "acme-classifier", "1.0.0",
                                                                                     own_document())
    with pytest.raises(HubError, match=r"'llama-3-8b' is not in hub 'approved' \(arn:aws:sagemaker:us-west-2:"
                                       r"123456789012:hub/approved\); it holds: acme-classifier, pytorch-ic-mobilenet-v2\."):
        JumpStartEndpoint(_stack(lockfile), "Chat", model_id="llama-3-8b", hub="approved")


def test_an_unknown_version_in_the_hub_lists_its_versions(hub, lockfile):
    hub().holds("ModelReference", MOBILENET, "3.0.25", mobilenet_document())
    with pytest.raises(Exception, match=r"'pytorch-ic-mobilenet-v2' has no version '9\.9\.9'\. Available versions: 3\.0\.25"):
        JumpStartEndpoint(_stack(lockfile), "C", model_id=MOBILENET, model_version="9.9.9", hub="approved")


def test_access_denied_names_the_permissions_synth_needs(hub, lockfile):
    hub().denies()
    with pytest.raises(HubError, match=r"access to hub 'approved' .* was denied: the credentials that run cdk synth "
                                       r"need sagemaker:ListHubContentVersions and sagemaker:DescribeHubContent on "
                                       r"arn:aws:sagemaker:us-west-2:123456789012:hub-content/approved/\*"):
        JumpStartEndpoint(_stack(lockfile), "C", model_id=MOBILENET, hub="approved")


def test_a_hub_name_needs_the_stacks_account(lockfile):
    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile), "jumpstart:errors": "raise"})
    stack = cdk.Stack(app, "NoAccount", env=cdk.Environment(region=REGION))
    with pytest.raises(ValidationError, match=r"hub='approved' is a name, which needs the stack's account"):
        JumpStartEndpoint(stack, "C", model_id=MOBILENET, hub="approved")


# -- the catalog and the CLI ------------------------------------------------------------------------


def test_cli_lists_a_hub_and_describes_a_model_in_it(hub):
    from typer.testing import CliRunner

    from constructs_jumpstart.cli import app

    hub().holds("ModelReference", MOBILENET, "3.0.25", mobilenet_document()).holds("Model", "acme-classifier", "1.0.0",
                                                                                     own_document())
    runner = CliRunner()
    listed = runner.invoke(app, ["models", "--hub", hub_arn("approved"), "--region", REGION, "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == [
        {"model_id": "acme-classifier", "version": "1.0.0", "type": "Model"},
        {"model_id": MOBILENET, "version": "3.0.25", "type": "ModelReference"}]
    described = runner.invoke(app, ["describe", MOBILENET, "--hub", hub_arn("approved"), "--region", REGION, "--json"])
    assert described.exit_code == 0, described.output
    data = json.loads(described.stdout)
    assert (data["hub_content_arn"], data["hub_content_type"], data["version"]) == (REFERENCE, "ModelReference", "3.0.25")


def test_cli_reports_a_model_missing_from_the_hub(hub):
    from typer.testing import CliRunner

    from constructs_jumpstart.cli import app

    hub().holds("Model", "acme-classifier", "1.0.0", own_document())
    result = CliRunner().invoke(app, ["describe", "llama", "--hub", hub_arn("approved"), "--region", REGION])
    assert result.exit_code == 1
    assert "error: 'llama' is not in hub 'approved'" in result.stderr and "it holds: acme-classifier." in result.stderr
