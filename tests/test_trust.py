"""The lockfile is a trust root (issue #19): a hand-edited entry cannot smuggle an image, a bucket, a model
package, another region or a dropped volume key into a locked synth. Each finding of the issue is a test."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from constructs_jumpstart import JumpStartEndpoint, JumpStartTrainingJob, LockfileError
from constructs_jumpstart.lockfile import forget_open_lockfiles

from .conftest import ROOT, role_statements

MOBILENET = "pytorch-ic-mobilenet-v2"
INFERENCE = f"{MOBILENET}@3.0.25|us-west-2|inference|ml.m5.xlarge"
TRAINING = f"{MOBILENET}@3.0.25|us-west-2|training|default-instance"
FROZEN = {"jumpstart:frozen": "true"}


def _endpoint(stack, id: str = "E") -> JumpStartEndpoint:
    return JumpStartEndpoint(stack, id, model_id=MOBILENET, model_version="3.0.25", instance_type="ml.m5.xlarge")


def _job(stack) -> JumpStartTrainingJob:
    return JumpStartTrainingJob(stack, "T", model_id=MOBILENET, model_version="3.0.25")


def _edit(lockfile: Path, key: str, change: Callable[[Dict[str, Any]], None]) -> None:
    data = json.loads(lockfile.read_text())
    change(data["entries"][key])
    lockfile.write_text(json.dumps(data))
    forget_open_lockfiles()


@pytest.fixture
def locked(make_stack, lockfile) -> Path:
    """A lockfile with the inference and the training entry of mobilenet, as the library writes them."""
    stack = make_stack()
    _endpoint(stack)
    _job(stack)
    forget_open_lockfiles()
    return lockfile


def _refused(make_stack, build=_endpoint, context=None) -> str:
    with pytest.raises(LockfileError) as info:
        build(make_stack(context={**FROZEN, **(context or {})}))
    return " ".join(str(info.value).split())


SMUGGLED = {
    "a foreign image registry": (INFERENCE, "image_uri", "999999999999.dkr.ecr.us-west-2.amazonaws.com/x:1",
                                 "whose registry '999999999999.dkr.ecr.us-west-2.amazonaws.com' is not an AWS-owned "
                                 "ECR registry of us-west-2"),
    "an AWS registry of another region": (INFERENCE, "image_uri",
                                          "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:1",
                                          "is not an AWS-owned ECR registry of us-west-2"),
    "an artifact in another account's bucket": (INFERENCE, "model_data",
                                                {"s3_uri": "s3://attacker-models/m/", "s3_data_type": "S3Prefix",
                                                 "compression_type": "None"},
                                                "in bucket 'attacker-models', which is not a JumpStart bucket of "
                                                "us-west-2"),
    "a JumpStart bucket of another region": (INFERENCE, "model_data",
                                             {"s3_uri": "s3://jumpstart-cache-prod-us-east-1/m/",
                                              "s3_data_type": "S3Prefix", "compression_type": "None"},
                                             "in bucket 'jumpstart-cache-prod-us-east-1', which is not a JumpStart "
                                             "bucket of us-west-2"),
    "a script elsewhere": (TRAINING, "script_uri", "s3://attacker-code/sourcedir.tar.gz",
                           "field 'script_uri' is 's3://attacker-code/sourcedir.tar.gz', in bucket 'attacker-code'"),
    "an extra SAGEMAKER_SUBMIT_DIRECTORY": (INFERENCE, "environment.SAGEMAKER_SUBMIT_DIRECTORY",
                                            "s3://attacker-code/code.tar.gz",
                                            "field 'environment.SAGEMAKER_SUBMIT_DIRECTORY' is "
                                            "'s3://attacker-code/code.tar.gz', in bucket 'attacker-code'"),
    "a volume KMS key dropped for ml.m5.xlarge": (INFERENCE, "no_volume_kms_instance_types", ["ml.m5.xlarge"],
                                                  "field 'no_volume_kms_instance_types' lists 'ml.m5.xlarge', which "
                                                  "takes a volume KMS key"),
    "ml.m5.large added to the instance-storage rule": (INFERENCE, "no_volume_kms_instance_types",
                                                       ["ml.m5.large"], "lists 'ml.m5.large', which takes a volume "
                                                       "KMS key (the SDK's instance_supports_kms)"),
    "an instance type the entry does not have": (INFERENCE, "no_volume_kms_instance_types", ["ml.c5d.large"],
                                                 "lists 'ml.c5d.large', which is not an instance type of the entry"),
    "an instance-storage type left out": (INFERENCE, "supported_instance_types", ["ml.m5.xlarge", "ml.p4d.24xlarge"],
                                          "misses 'ml.p4d.24xlarge', which has instance storage"),
    "the entry of another region": (INFERENCE, "region", "us-east-1",
                                    "field 'region' is 'us-east-1' but the entry's key asks for 'us-west-2'"),
    "the entry of another model": (INFERENCE, "model_id", "fixture-ic-vulnerable",
                                   "field 'model_id' is 'fixture-ic-vulnerable' but the entry's key asks for "
                                   "'pytorch-ic-mobilenet-v2'"),
    "a model package of an unknown account": (INFERENCE, "model_package_arn",
                                              "arn:aws:sagemaker:us-west-2:999999999999:model-package/x",
                                              "field 'model_package_arn' is 'arn:aws:sagemaker:us-west-2:999999999999:"
                                              "model-package/x', which is not a model package of a known account"),
    "a model package of another region": (INFERENCE, "model_package_arn",
                                          "arn:aws:sagemaker:us-east-1:865070037744:model-package/x",
                                          "which is not a model package of a known account"),
    "a EULA link elsewhere": (INFERENCE, "eula_url", "https://example.com/eula.txt",
                              "field 'eula_url' is 'https://example.com/eula.txt', which is not in a JumpStart bucket"),
    "a hub content of no hub": (INFERENCE, "hub_content_arn",
                                "arn:aws:sagemaker:us-west-2:999999999999:hub-content/h/Model/x/1",
                                "but the entry's key names no hub"),
}


@pytest.mark.parametrize("case", sorted(SMUGGLED))
def test_a_smuggled_entry_is_refused_at_load_naming_entry_field_and_value(make_stack, locked, case):
    key, field, value, message = SMUGGLED[case]

    def change(entry):
        if field.startswith("environment."):
            entry["environment"][field.split(".", 1)[1]] = value
        else:
            entry[field] = value

    _edit(locked, key, change)
    text = _refused(make_stack)
    assert f"Lockfile {locked.resolve()} points outside what the SageMaker SDK resolves to" in text
    named = "no_volume_kms_instance_types" if field == "supported_instance_types" else field  # the rule's field
    assert f"entry '{key}': field '{named}' " in text and message in text
    assert "-c jumpstart:trusted-registries=HOST" in text and "jumpstart lock --refresh" in text


def test_a_foreign_training_image_is_refused_and_never_granted(make_stack, locked):
    _edit(locked, TRAINING, lambda e: e.update(image_uri="ghcr.io/attacker/train:1"))
    text = _refused(make_stack, _job)
    assert f"entry '{TRAINING}': field 'image_uri' is 'ghcr.io/attacker/train:1', whose registry 'ghcr.io'" in text


def test_every_entry_is_checked_not_only_the_ones_used(make_stack, locked):
    """The endpoint uses the inference entry only; a smuggled training entry still refuses the lockfile."""
    _edit(locked, TRAINING, lambda e: e.update(image_uri="ghcr.io/attacker/train:1"))
    assert f"entry '{TRAINING}'" in _refused(make_stack)


def test_an_opt_in_in_the_apps_context_trusts_a_registry_and_a_bucket_of_ones_own(make_stack, locked):
    image = "111122223333.dkr.ecr.us-west-2.amazonaws.com/ours:1"

    def change(entry):
        entry.update(image_uri=image, model_data={"s3_uri": "s3://our-models/m/", "s3_data_type": "S3Prefix",
                                                  "compression_type": "None"})

    _edit(locked, INFERENCE, change)
    _refused(make_stack)
    forget_open_lockfiles()
    for registries in ("111122223333.dkr.ecr.us-west-2.amazonaws.com", "111122223333", ["111122223333"]):
        stack = make_stack(context={**FROZEN, "jumpstart:trusted-registries": registries,
                                    "jumpstart:trusted-buckets": "other,our-models"})
        _endpoint(stack)
        template = Template.from_stack(stack)
        assert [m["Properties"]["PrimaryContainer"]["Image"]
                for m in template.find_resources("AWS::SageMaker::Model").values()] == [image]
        forget_open_lockfiles()
    # an account opts in its registry of the entry's region only
    _edit(locked, INFERENCE, lambda e: e.update(image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/ours:1"))
    _refused(make_stack, context={"jumpstart:trusted-registries": "111122223333", "jumpstart:trusted-buckets": "our-models"})


def test_a_refused_lockfile_is_reported_once_per_app(make_stack, locked):
    _edit(locked, INFERENCE, lambda e: e.update(image_uri="999999999999.dkr.ecr.us-west-2.amazonaws.com/x:1"))
    stack = make_stack(context={**FROZEN, "jumpstart:errors": "annotate"})
    first, second = _endpoint(stack, "A"), _endpoint(stack, "B")
    assert first.failed and second.failed
    errors = Annotations.from_stack(stack).find_error("*", Match.any_value())
    assert [e.id for e in errors] == ["/TestStack/A"] and "999999999999" in errors[0].entry.data


def test_a_malformed_lockfile_is_reported_once_per_app(make_stack, locked):
    _edit(locked, INFERENCE, lambda e: e.update(network_isolation="no"))
    stack = make_stack(context={"jumpstart:errors": "annotate"})
    first, second = _endpoint(stack, "A"), _endpoint(stack, "B")
    assert first.failed and second.failed
    errors = Annotations.from_stack(stack).find_error("*", Match.any_value())
    assert [e.id for e in errors] == ["/TestStack/A"] and "field 'network_isolation' must be" in errors[0].entry.data


def test_no_grant_reaches_a_foreign_registry_or_bucket(make_stack, locked):
    """Before the fix the role was granted ECR pull on the foreign repository and S3 read on the bucket."""
    _edit(locked, INFERENCE, lambda e: e.update(image_uri="999999999999.dkr.ecr.us-west-2.amazonaws.com/x:1"))
    stack = make_stack(context={**FROZEN, "jumpstart:errors": "annotate"})
    _endpoint(stack)
    assert "999999999999" not in json.dumps(role_statements(Template.from_stack(stack)))


def test_the_committed_lockfile_and_every_shipped_resolution_are_trusted():
    """No false alarm: every entry the library writes from the shipped catalog passes (in three regions)."""
    from constructs_jumpstart._trust import Trust, entry_problems
    from constructs_jumpstart.lockfile import Lockfile, LockKey
    from constructs_jumpstart.resolver import resolve

    Lockfile.load(ROOT / "jumpstart.lock.json")
    manifest = json.loads((ROOT / "constructs_jumpstart/catalog/models_manifest.json").read_text())
    checked = 0
    for region in ("us-west-2", "us-east-1", "eu-west-1"):
        for header in manifest:
            for scope in ("inference", "training"):
                try:
                    base = resolve(header["model_id"], header["version"], region=region, scope=scope, source="shipped")
                except Exception:  # noqa: BLE001 - not trainable
                    continue
                for config in base.available_configs or (None,):
                    key = LockKey(header["model_id"], header["version"], region, scope, base.instance_type, config)
                    model = resolve(key.model_id, key.version, region=region, scope=scope,
                                    instance_type=key.instance_type, config_name=config, source="shipped")
                    assert entry_problems(key, model, Trust()) == [], (key, model)
                    checked += 1
    assert checked >= 30


def test_a_hub_names_what_it_trusts(tmp_path):
    """A model of the hub's own is trusted in its own bucket, under a key naming that hub; the same bucket
    in a public entry, or a hub content ARN of another hub, is refused."""
    from constructs_jumpstart._trust import Trust, entry_problems
    from constructs_jumpstart.lockfile import LockKey
    from constructs_jumpstart.resolver import resolve
    import dataclasses

    hub = "arn:aws:sagemaker:us-west-2:123456789012:hub/approved"
    base = resolve(MOBILENET, "3.0.25", region="us-west-2", source="shipped")
    own = dataclasses.replace(base, model_data=dataclasses.replace(base.model_data, s3_uri="s3://acme/m/"),
                              hub_content_type="Model", source="hub",
                              hub_content_arn=f"{hub.replace(':hub/', ':hub-content/')}/Model/{MOBILENET}/3.0.25")
    key = LockKey(MOBILENET, "3.0.25", "us-west-2", "inference", None, None, hub)
    assert entry_problems(key, own, Trust()) == []
    public = LockKey(MOBILENET, "3.0.25", "us-west-2", "inference")
    assert any("in bucket 'acme'" in p for p in entry_problems(public, dataclasses.replace(
        own, hub_content_arn=None, hub_content_type=None), Trust()))
    other = dataclasses.replace(own, hub_content_arn=own.hub_content_arn.replace("/approved/", "/other/"))
    assert any(p.startswith("field 'hub_content_arn'") for p in entry_problems(key, other, Trust()))
    reference = dataclasses.replace(own, hub_content_type="ModelReference",
                                    hub_content_arn=own.hub_content_arn.replace("/Model/", "/ModelReference/"))
    assert any("in bucket 'acme'" in p for p in entry_problems(key, reference, Trust()))


def test_a_metadata_directory_cannot_record_what_the_sdk_would_not(make_stack, lockfile, tmp_path):
    import shutil

    root = tmp_path / "meta"
    shutil.copytree(ROOT / "constructs_jumpstart" / "catalog", root)
    spec = root / "community_models" / MOBILENET / "specs_v3.0.25.json"
    data = json.loads(spec.read_text())
    data["inference_environment_variables"].append({
        "name": "SAGEMAKER_SUBMIT_DIRECTORY", "type": "text", "default": "s3://attacker-code/code.tar.gz",
        "scope": "container", "required_for_model_class": True})
    spec.write_text(json.dumps(data))
    from constructs_jumpstart.errors import MetadataError

    with pytest.raises(MetadataError, match=r"resolves '.*' outside what the SageMaker SDK resolves to: field "
                                            r"'environment.SAGEMAKER_SUBMIT_DIRECTORY' is 's3://attacker-code/"):
        _endpoint(make_stack(context={"jumpstart:metadata": str(root)}))
    assert not lockfile.exists()


def test_a_synth_from_the_shipped_catalog_says_so_once(make_stack, locked):
    stack = make_stack()
    _endpoint(stack, "A")
    _endpoint(stack, "B")
    infos = Annotations.from_stack(stack).find_info("*", Match.string_like_regexp("resolved from shipped"))
    assert len(infos) == 1 and "re-resolve with -c jumpstart:metadata=live" in infos[0].entry.data


def test_the_shipped_trust_data_is_the_installed_sdks():
    """``trust_data.json`` is what scripts/make_trust_data.py makes from the installed sagemaker-core."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_trust_data", ROOT / "scripts" / "make_trust_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads(module.TARGET.read_text())
    fresh = json.loads(module.generate())
    assert {k: v for k, v in shipped.items() if k != "_source"} == {k: v for k, v in fresh.items() if k != "_source"}
    assert re.match(r"^sagemaker-core \d", shipped["_source"])
    assert "763104351884" in shipped["regions"]["us-west-2"]["image_accounts"]  # the Deep Learning Containers
    assert "ml.p4d.24xlarge" in shipped["no_volume_kms_instance_types"]


def test_where_an_entry_was_read_from_does_not_rerun_a_smoke_test(make_stack, locked):
    """``source`` and ``spec_digest`` say where a resolution came from, not what is served: the smoke test's
    fingerprint (and so every template) is the same whichever catalog gave the same resolution."""
    def template() -> str:
        stack = make_stack(context=FROZEN)
        _endpoint(stack).add_smoke_test(b"\xff\xd8\xff\xe0 tiny jpeg")
        return json.dumps(Template.from_stack(stack).to_json(), sort_keys=True)

    before = template()
    forget_open_lockfiles()
    _edit(locked, INFERENCE, lambda e: e.update(source="live", spec_digest="sha256:" + "0" * 64))
    assert template() == before
