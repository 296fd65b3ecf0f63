"""The lockfile: recorded resolutions, deterministic re-synth, no SDK import when locked."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from constructs_jumpstart import JumpStartEndpoint, LockfileError
from constructs_jumpstart.lockfile import FORMAT_VERSION, Lockfile, forget_open_lockfiles

from .conftest import ROOT

MOBILENET = "pytorch-ic-mobilenet-v2"
KEY = f"{MOBILENET}@*|us-west-2|inference|default-instance"


def test_wildcard_is_recorded_as_concrete_version(make_stack, lockfile):
    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    data = json.loads(lockfile.read_text())
    assert data["version"] == FORMAT_VERSION == 4
    entry = data["entries"][KEY]
    assert entry["source"] == "shipped"
    spec = ROOT / "constructs_jumpstart/catalog/community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"
    canonical = json.dumps(json.loads(spec.read_text()), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry["spec_digest"] == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    assert entry["requested_version"] == "*"
    assert entry["version"] == "3.0.25"
    assert entry["image_uri"].endswith("pytorch-inference:1.10.0-cpu-py38")


def test_round_trip_synth_is_identical(make_stack, lockfile):
    first = make_stack()
    JumpStartEndpoint(first, "C", model_id=MOBILENET, instance_type="ml.c5.xlarge")
    before = Template.from_stack(first).to_json()
    text = lockfile.read_text()
    forget_open_lockfiles()
    second = make_stack()
    JumpStartEndpoint(second, "C", model_id=MOBILENET, instance_type="ml.c5.xlarge")
    assert Template.from_stack(second).to_json() == before
    assert lockfile.read_text() == text


def test_locked_entry_is_used_instead_of_metadata(make_stack, lockfile):
    """Proof the lockfile is read: an edited entry changes the template, whatever the catalog says."""
    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    data = json.loads(lockfile.read_text())
    data["entries"][KEY]["image_uri"] = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pinned:1"
    lockfile.write_text(json.dumps(data))
    forget_open_lockfiles()
    stack = make_stack()
    JumpStartEndpoint(stack, "C", model_id=MOBILENET)
    assert Template.from_stack(stack).to_json()["Resources"]
    images = [r["Properties"]["PrimaryContainer"]["Image"] for r in Template.from_stack(stack).find_resources("AWS::SageMaker::Model").values()]
    assert images == ["763104351884.dkr.ecr.us-west-2.amazonaws.com/pinned:1"]


def test_refresh_context_re_resolves(make_stack, lockfile):
    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    data = json.loads(lockfile.read_text())
    data["entries"][KEY]["image_uri"] = "stale"
    lockfile.write_text(json.dumps(data))
    forget_open_lockfiles()
    JumpStartEndpoint(make_stack(context={"jumpstart:refresh": "true"}), "C", model_id=MOBILENET)
    assert json.loads(lockfile.read_text())["entries"][KEY]["image_uri"].endswith("pytorch-inference:1.10.0-cpu-py38")


def test_frozen_refuses_unlocked_models(make_stack, lockfile):
    with pytest.raises(LockfileError, match=r"has no entry 'pytorch-ic-mobilenet-v2@\*\|us-west-2\|inference\|default-instance' and jumpstart:frozen is set"):
        JumpStartEndpoint(make_stack(context={"jumpstart:frozen": "true"}), "C", model_id=MOBILENET)


def test_a_stale_lockfile_without_credentials_names_the_missing_entry_and_how_to_add_it(make_stack, lockfile,
                                                                                        monkeypatch):
    """In CI without credentials a stale lockfile used to say only "Unable to locate credentials"."""
    from botocore.exceptions import NoCredentialsError

    import sagemaker.core.jumpstart.cache as sdk_cache

    def no_credentials(*args, **kwargs):
        raise NoCredentialsError()

    JumpStartEndpoint(make_stack(), "A", model_id=MOBILENET)  # the lockfile has this one
    forget_open_lockfiles()
    monkeypatch.setattr(sdk_cache.JumpStartModelsCache, "_get_json_file", no_credentials, raising=True)
    with pytest.raises(Exception, match=r"has no entry 'pytorch-ic-mobilenet-v2@\*\|us-west-2\|inference\|ml.m5.xlarge', "
                       r"which this app uses.*Unable to locate credentials.*run `jumpstart lock`"):
        JumpStartEndpoint(make_stack(context={"jumpstart:metadata": "live"}), "B", model_id=MOBILENET,
                          instance_type="ml.m5.xlarge")


def test_lockfile_path_from_context(make_stack, tmp_path):
    custom = tmp_path / "sub" / "custom.lock.json"
    JumpStartEndpoint(make_stack(context={"jumpstart:lockfile": str(custom)}), "C", model_id=MOBILENET)
    assert KEY in json.loads(custom.read_text())["entries"]


def test_keys_separate_region_scope_instance_and_config(make_stack, lockfile):
    JumpStartEndpoint(make_stack(), "A", model_id=MOBILENET, instance_type="ml.m5.xlarge")
    JumpStartEndpoint(make_stack(region="eu-west-1"), "B", model_id=MOBILENET)
    JumpStartEndpoint(make_stack(), "C", model_id="fixture-llm-gated", config_name="tgi", accept_eula=True)
    keys = set(json.loads(lockfile.read_text())["entries"])
    assert keys == {
        f"{MOBILENET}@*|us-west-2|inference|ml.m5.xlarge",
        f"{MOBILENET}@*|eu-west-1|inference|default-instance",
        "fixture-llm-gated@*|us-west-2|inference|default-instance|config=tgi",
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", r"is not valid JSON"),
        ('{"version": 2}', r"malformed: expected an object with 'version' and 'entries'"),
        ('{"version": 7, "entries": {}}', r"format version 7"),
        ('{"version": 4, "entries": {"x@1|us-west-2|inference|default-instance": {"model_id": "x"}}}',
         r"entry 'x@1\|us-west-2\|inference\|default-instance' is malformed"),
    ],
)
def test_malformed_lockfile_names_file_and_entry(make_stack, lockfile, content, message):
    lockfile.write_text(content)
    with pytest.raises(LockfileError, match=message) as info:
        JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    assert str(lockfile.resolve()) in str(info.value)


def test_lockfile_text_is_stable_and_sorted(tmp_path, make_stack, lockfile):
    JumpStartEndpoint(make_stack(), "B", model_id=MOBILENET, instance_type="ml.m5.xlarge")
    JumpStartEndpoint(make_stack(), "A", model_id=MOBILENET)
    loaded = Lockfile.load(lockfile)
    assert loaded.to_json() == lockfile.read_text()
    assert list(json.loads(lockfile.read_text())["entries"]) == sorted(loaded.entries)


LOCKED_SYNTH = textwrap.dedent(
    """
    import json, sys
    import aws_cdk as cdk
    from constructs_jumpstart import JumpStartEndpoint

    app = cdk.App(context={"jumpstart:lockfile": sys.argv[1], "jumpstart:metadata": sys.argv[2]})
    stack = cdk.Stack(app, "S", env=cdk.Environment(region="us-west-2"))
    JumpStartEndpoint(stack, "C", model_id="pytorch-ic-mobilenet-v2")
    app.synth()
    print(json.dumps({"sagemaker_imported": any(m == "sagemaker" or m.startswith("sagemaker.") for m in sys.modules),
                      "botocore_imported": "botocore" in sys.modules}))
    """
)


def _run_synth(lock: Path, source: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_JUMPSTART")}
    env["CDK_OUTDIR"] = str(tmp_path / "out")
    proc = subprocess.run(
        [sys.executable, "-c", LOCKED_SYNTH, str(lock), source],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_locked_synth_does_not_import_the_sdk(tmp_path, lockfile):
    # Unlocked: the SDK is imported to resolve, and the lockfile is written.
    assert _run_synth(lockfile, "shipped", tmp_path)["sagemaker_imported"] is True
    assert lockfile.exists()
    # Locked: same synth, metadata source pointing nowhere; the SDK must not even be imported,
    # and neither is botocore, so no network call to AWS can happen.
    locked = _run_synth(lockfile, str(tmp_path / "no-such-catalog"), tmp_path)
    assert locked == {"sagemaker_imported": False, "botocore_imported": False}


@pytest.mark.parametrize("old", [1, 2, 3])
def test_an_older_lockfile_is_refused_with_how_to_regenerate_it(tmp_path, old):
    """Version 1 entries lack the SDK's instance-storage rule, which decides KMS keys and volume sizes;
    version 2 entries record an additional data source's access by an older rule (AcceptEula where the
    SDK sends the spec's own value); version 3 entries do not say where they came from nor which spec:
    re-resolving is the only way to get a correct template."""
    path = tmp_path / "jumpstart.lock.json"
    path.write_text(f'{{"version": {old}, "entries": {{}}}}')
    with pytest.raises(LockfileError, match=rf"format version {old}; this library reads version 4\. Delete it"):
        Lockfile.load(path)


def _entry(make_stack, lockfile) -> dict:
    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    forget_open_lockfiles()
    return json.loads(lockfile.read_text())


@pytest.mark.parametrize("field, value, message", [
    ("environment", [1, 2], r"field 'environment' must be an object of strings, not a list"),
    ("image_uri", None, r"field 'image_uri' is null but the entry has no model_package_arn: the model would have no image"),
    ("version", "latest", r"field 'version' 'latest' is not a version"),
    ("network_isolation", "yes", r"field 'network_isolation' must be true or false, not a string"),
    ("volume_size", "30", r"field 'volume_size' must be an integer or null, not a string"),
    ("model_data", {"s3_uri": "https://x"}, r"field 'model_data' must be an object with an s3:// 's3_uri'"),
    ("supported_instance_types", [1], r"field 'supported_instance_types' must be a list of strings"),
])
def test_the_lockfile_schema_refuses_each_malformed_entry_naming_file_and_entry(make_stack, lockfile, field, value, message):
    data = _entry(make_stack, lockfile)
    data["entries"][KEY][field] = value
    lockfile.write_text(json.dumps(data))
    with pytest.raises(LockfileError, match=rf"Lockfile .*jumpstart.lock.json: entry '{KEY.replace('|', '[|]').replace('*', '[*]')}' is malformed: {message}"):
        Lockfile.load(lockfile)


def test_missing_and_unknown_fields_are_named(make_stack, lockfile):
    data = _entry(make_stack, lockfile)
    del data["entries"][KEY]["region"]
    data["entries"][KEY]["colour"] = "blue"
    lockfile.write_text(json.dumps(data))
    with pytest.raises(LockfileError, match=r"unknown field 'colour'; missing field 'region'"):
        Lockfile.load(lockfile)


def test_the_lockfile_is_written_as_a_normal_source_file(make_stack, lockfile):
    JumpStartEndpoint(make_stack(), "C", model_id=MOBILENET)
    assert oct(lockfile.stat().st_mode & 0o777) == "0o644"
    text = lockfile.read_text()
    assert text.endswith("}\n") and text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_a_malformed_lockfile_is_reported_once_per_app_not_per_construct(lockfile):
    """Two stacks of two endpoints each: one error annotation, on the first construct that read it."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Annotations, Match

    lockfile.write_text("{not json")
    forget_open_lockfiles()
    app = cdk.App(context={"jumpstart:metadata": "shipped", "jumpstart:lockfile": str(lockfile)})
    stacks = [cdk.Stack(app, f"S{n}", env=cdk.Environment(account="123456789012", region="us-west-2"))
              for n in range(2)]
    for stack in stacks:
        JumpStartEndpoint(stack, "A", model_id=MOBILENET)
        JumpStartEndpoint(stack, "B", model_id=MOBILENET, instance_type="ml.m5.xlarge")
    errors = [e for s in stacks for e in Annotations.from_stack(s).find_error("*", Match.string_like_regexp("Lockfile"))]
    assert len(errors) == 1 and "is not valid JSON" in str(errors[0].entry.data)
