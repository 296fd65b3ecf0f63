"""The `jumpstart` CLI through Typer's CliRunner, on the shipped catalog and a local directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constructs_jumpstart.cli import app

from .conftest import CATALOG, ROOT

runner = CliRunner()
SHIPPED = ["--source", "shipped"]


def run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    return result


def test_models_json_shape_and_default_excludes_deprecated():
    rows = json.loads(run("models", *SHIPPED, "--json").stdout)
    ids = [r["model_id"] for r in rows]
    assert "fixture-ic-deprecated" not in ids
    mobilenet = next(r for r in rows if r["model_id"] == "pytorch-ic-mobilenet-v2")
    assert {k: mobilenet[k] for k in ("model_id", "version", "framework", "task", "training_supported", "gated")} == {
        "model_id": "pytorch-ic-mobilenet-v2", "version": "3.0.25", "framework": "pytorch", "task": "ic",
        "training_supported": True, "gated": False,
    }
    gated = next(r for r in rows if r["model_id"] == "fixture-llm-gated")
    assert gated["version"] == "2.0.0" and gated["gated"] is True and gated["versions"] == ["1.0.0", "2.0.0"]


def test_models_table_has_count_line():
    result = run("models", *SHIPPED)
    assert "pytorch-ic-mobilenet-v2" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "8 model(s)"


def test_and_filters_like_the_sdk():
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "task == ic", "-f", "framework == pytorch").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]


def test_or_filters_in_and_spec_fields():
    rows = json.loads(run("models", *SHIPPED, "--json", "--or", "-f", "framework == pytorch", "-f", "gated == true").stdout)
    assert [r["model_id"] for r in rows] == ["fixture-llm-finetune", "fixture-llm-gated", "fixture-model-package", "pytorch-ic-mobilenet-v2"]
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "task in [llm, tf]").stdout)
    assert [r["model_id"] for r in rows] == ["fixture-llm-families", "fixture-llm-finetune", "fixture-llm-gated", "fixture-llm-optimized",
                                          "fixture-tf-script-mode"]
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "framework not in (fixture)").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "training_supported == true").stdout)
    assert [r["model_id"] for r in rows] == ["fixture-llm-families", "fixture-llm-finetune", "pytorch-ic-mobilenet-v2"]
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "provider != fixture").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]


def test_search_and_include_deprecated():
    rows = json.loads(run("models", *SHIPPED, "--json", "--search", "mobilenet vision").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]
    rows = json.loads(run("models", *SHIPPED, "--json", "--include-deprecated", "-f", "deprecated == true").stdout)
    assert [r["model_id"] for r in rows] == ["fixture-ic-deprecated"]


@pytest.mark.parametrize(
    "expr, position, what",
    [
        ("framework ~ pytorch", 10, "expected one of ==, !=, in, not in"),
        ("color == red", 0, "unknown field 'color'"),
        ("task ==", 7, "expected a value"),
    ],
)
def test_bad_filter_is_a_usage_error_with_position(expr, position, what):
    result = run("models", *SHIPPED, "-f", expr, code=2)
    assert f"at position {position}" in result.output and what in result.output


def test_frameworks_and_tasks_counts():
    assert json.loads(run("frameworks", *SHIPPED, "--json").stdout) == [
        {"framework": "fixture", "models": 7}, {"framework": "pytorch", "models": 1}
    ]
    tasks = json.loads(run("tasks", *SHIPPED, "--json", "--include-deprecated").stdout)
    assert {"task": "ic", "models": 3} in tasks


def test_describe_json_shape():
    data = json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json").stdout)
    assert data["model_id"] == "pytorch-ic-mobilenet-v2" and data["version"] == "3.0.25" and data["scope"] == "inference"
    assert data["image_uri"] == "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.10.0-cpu-py38"
    assert data["model_uri"].endswith("/inference-prepack/v1.0.0/") and data["script_uri"] is None
    assert data["default_instance_type"] == "ml.m5.large"
    assert "ml.c5.2xlarge" in data["supported_instance_types"]
    assert data["environment"]["SAGEMAKER_PROGRAM"] == "inference.py"


def test_describe_training_scope_region_and_instance_type():
    data = json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json", "--scope", "training",
                          "--region", "eu-west-1", "--instance-type", "ml.c5.2xlarge").stdout)
    assert data["image_uri"] == "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:1.10.0-cpu-py38"
    assert data["script_uri"].endswith("prepack/v1.1.0/sourcedir.tar.gz")
    # the dataset fine-tuning uses without training_data, in the region's JumpStart bucket
    assert data["default_training_dataset"] == "s3://jumpstart-cache-prod-eu-west-1/training-datasets/tf_flowers/"


def test_describe_gated_model_shows_eula_and_table_output():
    result = run("describe", "fixture-llm-gated", *SHIPPED)
    assert "fixtureLlmLicense.txt" in result.stdout and "lmi-optimized" in result.stdout


def test_unknown_model_is_one_line_usage_error_with_suggestion():
    result = run("describe", "pytorch-ic-mobilenet", *SHIPPED, code=2)
    assert "Did you mean: 'pytorch-ic-mobilenet-v2'" in result.output
    assert "Traceback" not in result.output


def test_unknown_version_and_instance_type_are_usage_errors():
    assert "Available versions: 1.0.0, 2.0.0" in run("describe", "fixture-llm-gated", "-v", "3.0.0", *SHIPPED, code=2).output
    assert "Supported instance types" in run("describe", "pytorch-ic-mobilenet-v2", "-i", "ml.p5.48xlarge", *SHIPPED, code=2).output


def test_hyperparameters_json():
    rows = json.loads(run("hyperparameters", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json").stdout)
    epochs = next(r for r in rows if r["name"] == "epochs")
    assert epochs == {"name": "epochs", "default": 5, "type": "int", "min": 1, "max": 1000, "options": None, "scope": "algorithm"}
    top = next(r for r in rows if r["name"] == "train_only_top_layer")
    assert top["options"] == ["True", "False"]
    # only what a user may set: the container's own (sagemaker_program, ...) are the library's, as the SDK's
    assert {r["scope"] for r in rows} == {"algorithm"} and "sagemaker_program" not in {r["name"] for r in rows}


def test_hyperparameters_of_untrainable_model():
    assert "does not support fine-tuning" in run("hyperparameters", "fixture-llm-gated", *SHIPPED, code=2).output


def test_metadata_dir_and_sdk_variables(tmp_path, monkeypatch):
    local = tmp_path / "meta"
    shutil.copytree(CATALOG, local)
    manifest = [e for e in json.loads((local / "models_manifest.json").read_text()) if e["model_id"].startswith("pytorch")]
    (local / "models_manifest.json").write_text(json.dumps(manifest))
    rows = json.loads(run("models", "--metadata-dir", str(local), "--json").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]
    monkeypatch.setenv("AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE", str(local))
    monkeypatch.setenv("AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE", str(local))
    rows = json.loads(run("models", "--source", "shipped", "--json").stdout)
    assert [r["model_id"] for r in rows] == ["pytorch-ic-mobilenet-v2"]


def test_bad_metadata_dir(tmp_path):
    assert "has no models_manifest.json" in run("models", "--metadata-dir", str(tmp_path), code=1).output


@pytest.fixture
def app_env(monkeypatch):
    """`jumpstart lock` runs cdk.json's `python3 app.py`: make that this environment's Python."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))


def _app_dir(tmp_path: Path, lock: bool) -> Path:
    """A copy of the example app; with or without its lockfile."""
    target = tmp_path / "app"
    target.mkdir(parents=True)
    for name in ("app.py", "cdk.json"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "stacks", target / "stacks")
    if lock:
        shutil.copy(ROOT / "jumpstart.lock.json", target / "jumpstart.lock.json")
    return target


def test_lock_check_passes_on_the_committed_lockfile_and_fails_without(tmp_path, app_env):
    locked = _app_dir(tmp_path / "a", lock=True)
    for example in ("endpoint", "finetune", "transform", "pipeline"):  # every example app is locked
        assert "is complete" in run("lock", str(locked), "--check", "-c", f"example={example}").stdout
    unlocked = _app_dir(tmp_path / "b", lock=False)
    result = run("lock", str(unlocked), "--check", code=1)
    text = " ".join(result.output.split())
    assert "has no entry 'pytorch-ic-mobilenet-v2@*|us-west-2|inference|default-instance': run `jumpstart lock` and commit" in text
    assert "jumpstart:frozen" not in text and "Error:" not in text  # one sentence, no flags the user never set


def test_lock_writes_and_refreshes(tmp_path, app_env):
    target = _app_dir(tmp_path, lock=False)
    run("lock", str(target), "-c", "model_id=fixture-tf-script-mode")
    entries = json.loads((target / "jumpstart.lock.json").read_text())["entries"]
    assert list(entries) == ["fixture-tf-script-mode@*|us-west-2|inference|default-instance"]
    assert run("lock", str(target), "--refresh", "-c", "model_id=fixture-tf-script-mode").exit_code == 0
    assert run("lock", str(tmp_path / "nowhere"), code=2).exit_code == 2


def test_lock_prune_drops_entries_the_app_no_longer_uses_and_check_lists_them(tmp_path, app_env):
    target = _app_dir(tmp_path, lock=True)  # the committed lockfile holds the entries of every example
    checked = run("lock", str(target), "--check")
    assert "is complete" in checked.stdout
    text = " ".join(checked.stdout.split())
    assert "not used by this app (with this context): pytorch-ic-mobilenet-v2@*|us-west-2|training|default-instance" in text
    pruned = run("lock", str(target), "--prune")
    entries = json.loads((target / "jumpstart.lock.json").read_text())["entries"]
    assert list(entries) == ["pytorch-ic-mobilenet-v2@*|us-west-2|inference|default-instance"]
    assert "pruned 4 unused entries" in " ".join(pruned.stdout.split())
    assert run("lock", str(target), "--check", "--prune", code=2).exit_code == 2


LONG_ID = "meta-textgeneration-llama-3-1-405b-instruct-fp8-with-a-very-long-name"


@pytest.fixture
def long_catalog(tmp_path) -> Path:
    """The shipped catalog plus a model whose id is longer than any real one."""
    root = tmp_path / "meta"
    shutil.copytree(CATALOG, root)
    manifest = json.loads((root / "models_manifest.json").read_text())
    manifest.append({**manifest[0], "model_id": LONG_ID})
    (root / "models_manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.mark.parametrize("columns", [80, 200])
def test_tables_never_cut_ids_in_a_real_terminal(long_catalog, columns, tmp_path):
    """In tmux (a real terminal of that width): ids and names are whole, nothing wider than the screen."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    exe = Path(sys.executable).parent / "jumpstart"
    session = f"cli{columns}"
    screen = []
    for n, command in enumerate((f"{exe} models --metadata-dir {long_catalog} --include-deprecated",
                                 f"{exe} hyperparameters fixture-llm-finetune --source shipped")):
        # a server of its own per command (-L: its own socket): on the default socket, one worker's
        # kill-session can end the shared server while the other worker's new-session is connecting to
        # it ("server exited unexpectedly", seen in CI)
        tmux = ["tmux", "-L", f"jumpstart-test-{os.getpid()}-{columns}-{n}", "-f", "/dev/null"]
        subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", str(columns), "-y", "60"], check=True)
        try:  # a detached session takes tmux's default size unless the window size is set by hand
            subprocess.run([*tmux, "set-option", "-t", session, "window-size", "manual"], check=True)
            subprocess.run([*tmux, "resize-window", "-t", session, "-x", str(columns), "-y", "60"], check=True)
            subprocess.run([*tmux, "send-keys", "-t", session, f"clear; {command}; echo DONE", "Enter"], check=True)
            for _ in range(600):  # up to a minute: the suite runs two workers on two cores
                text = subprocess.run([*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
                if "\nDONE" in text:
                    break
                time.sleep(0.1)
            screen.append(text)
        finally:
            subprocess.run([*tmux, "kill-server"], check=False)
    models_screen, hp_screen = screen
    lines = models_screen.splitlines()
    assert "…" not in models_screen and all(len(line) <= columns for line in lines)
    # the long id whole on one line, its values right there (a table at 200 columns, a block at 80)
    (at,) = [i for i, line in enumerate(lines) if LONG_ID in line]
    row = lines[at] if columns == 200 else lines[at + 1]
    assert ["3.0.25", "yes", "no", "no"] == [w for w in row.replace("│", " ").split() if w in ("3.0.25", "yes", "no")]
    assert ("framework" in models_screen) is (columns == 200)  # dropped when short: it is in the id
    assert "instruction_tuned" in hp_screen and "…" not in hp_screen and "True, False" in hp_screen


def test_filters_take_nested_expressions_and_match_the_table():
    rows = json.loads(run("models", *SHIPPED, "--json", "-f", "(task == ic or task == llm) and gated == yes").stdout)
    assert [r["model_id"] for r in rows] == ["fixture-llm-finetune", "fixture-llm-gated"]
    bad = run("models", *SHIPPED, "-f", "(task == ic", code=2)
    assert "'(' is never closed" in bad.output
    help_text = " ".join(run("models", "--help").output.split())
    for word in ("training_supported", "not in", "parentheses"):
        assert word in help_text


def test_version_and_deprecated_column():
    assert run("--version").stdout.startswith("jumpstart (constructs-jumpstart) ")
    table = run("models", *SHIPPED, "--include-deprecated").stdout
    assert "deprecated" in table and "fixture-ic-deprecated" in table


def test_the_region_comes_from_the_environment_then_cdk_json(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json").stdout)["region"] == "us-east-1"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    (tmp_path / "cdk.json").write_text(json.dumps({"context": {"region": "eu-west-1"}}))
    assert json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json").stdout)["region"] == "eu-west-1"
    assert json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json", "-r", "us-west-2").stdout)["region"] == "us-west-2"
    data = json.loads(run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--json").stdout)
    assert data["default_content_type"] == "application/x-image" and "example_payloads" in data


def test_hints_name_the_clis_own_flags(capsys):
    import typer

    from constructs_jumpstart import cli

    with pytest.raises(typer.Exit):
        cli._fail("use the shipped catalog (-c jumpstart:metadata=shipped) or a directory (-c jumpstart:metadata=PATH) [x]")
    text = " ".join(capsys.readouterr().err.split())
    assert "(--source shipped) or a directory (--metadata-dir PATH) [x]" in text


@pytest.fixture
def audited_lockfile(tmp_path) -> Path:
    """A lockfile with a deprecated version (fixture-llm-gated 1.0.0, superseded by 2.0.0) and a current one."""
    from constructs_jumpstart.lockfile import Lockfile, LockKey
    from constructs_jumpstart.resolver import resolve

    lock = Lockfile(tmp_path / "jumpstart.lock.json")
    for model_id, version in (("fixture-llm-gated", "1.*"), ("pytorch-ic-mobilenet-v2", "*")):
        lock.put(LockKey(model_id, version, "us-west-2", "inference"),
                 resolve(model_id, version, region="us-west-2", source="shipped"))
    lock.save()
    return lock.path


def test_outdated_lists_newest_versions_and_deprecations(audited_lockfile):
    rows = json.loads(run("outdated", "--lockfile", str(audited_lockfile), *SHIPPED, "--json").stdout)
    gated = next(r for r in rows if r["model_id"] == "fixture-llm-gated")
    assert (gated["locked"], gated["newest_in_range"], gated["newest"], gated["deprecated"]) == ("1.0.0", "1.0.0", "2.0.0", True)
    assert gated["deprecated_message"] == "Version 1.0.0 of fixture-llm-gated is deprecated; use 2.0.0."
    mobilenet = next(r for r in rows if r["model_id"] == "pytorch-ic-mobilenet-v2")
    assert mobilenet["locked"] == mobilenet["newest"] == "3.0.25" and not mobilenet["deprecated"]
    table = " ".join(run("outdated", "--lockfile", str(audited_lockfile), *SHIPPED).stdout.split())
    assert "fixture-llm-gated 1.0.0 is deprecated: Version 1.0.0 of fixture-llm-gated is deprecated; use 2.0.0." in table


def test_audit_fails_a_pipeline_on_what_it_is_told_to(audited_lockfile):
    failed = run("audit", "--lockfile", str(audited_lockfile), *SHIPPED, "--fail-on", "deprecated", code=1)
    assert "fixture-llm-gated@1.*|us-west-2|inference|default-instance: deprecated" in failed.stdout
    assert run("audit", "--lockfile", str(audited_lockfile), *SHIPPED, "--fail-on", "vulnerable").exit_code == 0
    assert run("audit", "--lockfile", str(audited_lockfile), *SHIPPED, "--fail-on", "nonsense", code=2).exit_code == 2
    assert run("audit", "--lockfile", str(audited_lockfile.parent / "none.json"), *SHIPPED, code=2).exit_code == 2


# -- lock --upgrade ------------------------------------------------------------------------------


def _stale_app(tmp_path: Path) -> Path:
    """An app whose lockfile holds fixture-llm-gated '*' at 1.0.0 with an older image, a different
    environment and artifact (as an older spec would), and mobilenet '*' at its newest version."""
    import dataclasses

    from constructs_jumpstart.lockfile import Lockfile, LockKey
    from constructs_jumpstart.resolver import resolve
    from constructs_jumpstart.types import S3Artifact

    (tmp_path / "cdk.json").write_text(json.dumps({"app": "false", "context": {"jumpstart:metadata": "shipped"}}))
    old = resolve("fixture-llm-gated", "1.0.0", region="us-west-2", scope="inference", source="shipped")
    old = dataclasses.replace(old, requested_version="*", image_uri="763104351884.dkr.ecr.us-west-2.amazonaws.com/old:1",
                              environment={**old.environment, "MAX_TOTAL_TOKENS": "2048", "OLD_ONLY": "1"},
                              model_data=S3Artifact("s3://jumpstart-private-cache-prod-us-west-2/old/", "S3Prefix", "None"))
    lock = Lockfile(tmp_path / "jumpstart.lock.json")
    lock.put(LockKey("fixture-llm-gated", "*", "us-west-2", "inference"), old)
    lock.put(LockKey("pytorch-ic-mobilenet-v2", "*", "us-west-2", "inference"),
             resolve("pytorch-ic-mobilenet-v2", "*", region="us-west-2", scope="inference", source="shipped"))
    lock.save()
    return tmp_path


def test_lock_upgrade_prints_what_changes_in_the_template_and_saves(tmp_path):
    app_dir = _stale_app(tmp_path)
    result = run("lock", str(app_dir), "--upgrade")
    text = result.stdout
    assert text.startswith("fixture-llm-gated@*|us-west-2|inference|default-instance\n  version: 1.0.0 -> 2.0.0\n")
    for row in ("  image_uri: 763104351884.dkr.ecr.us-west-2.amazonaws.com/old:1 -> "
                "763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124\n",
                "  env MAX_TOTAL_TOKENS: 2048 -> 4096\n", "  env OLD_ONLY: 1 -> -\n",
                "  artifact: s3://jumpstart-private-cache-prod-us-west-2/old/ -> s3://jumpstart-private-cache-prod-"
                "us-west-2/fixture-llm-gated/artifacts/inference-prepack-lmi/v2.0.0/\n"):
        assert row in text, text
    assert "pytorch-ic-mobilenet-v2" not in text.split("entries upgraded")[0]
    assert "1 of 2 entries upgraded" in text  # mobilenet was already the newest
    locked = json.loads((app_dir / "jumpstart.lock.json").read_text())["entries"]
    assert locked["fixture-llm-gated@*|us-west-2|inference|default-instance"]["version"] == "2.0.0"
    assert run("lock", str(app_dir), "--upgrade").stdout.startswith("0 of 2 entries upgraded")


def test_lock_upgrade_of_one_model_and_of_an_unknown_one(tmp_path):
    app_dir = _stale_app(tmp_path)
    assert "0 of 1 entry upgraded" in run("lock", str(app_dir), "--upgrade", "--model", "pytorch-ic-mobilenet-v2").stdout
    result = run("lock", str(app_dir), "--upgrade", "--model", "llama", code=2)
    assert "has no entry for 'llama'; its models: fixture-llm-gated, pytorch-ic-mobilenet-v2" in result.stderr
    assert "--model selects the entries of --upgrade" in run("lock", str(app_dir), "--model", "x", code=2).stderr


# -- the lockfile as a trust root (issue #19) ------------------------------------------------------


INFERENCE_KEY = "pytorch-ic-mobilenet-v2@3.0.25|us-west-2|inference|ml.m5.xlarge"
TRAINING_KEY = "pytorch-ic-mobilenet-v2@*|us-west-2|training|default-instance"


def _edit_entry(app_dir: Path, key: str, **fields) -> None:
    path = app_dir / "jumpstart.lock.json"
    data = json.loads(path.read_text())
    data["entries"][key].update(fields)
    path.write_text(json.dumps(data))


def test_lock_verify_passes_on_the_committed_lockfile_and_names_every_difference(tmp_path):
    """What no load-time rule can see (isolation turned off, an extra environment variable, a container
    hyperparameter, an instance type added) is seen by re-resolving the entry from its source."""
    app_dir = _app_dir(tmp_path, lock=True)
    assert "5 of 5 entries of" in " ".join(run("lock", str(app_dir), "--verify").stdout.split())
    inference = json.loads((app_dir / "jumpstart.lock.json").read_text())["entries"][INFERENCE_KEY]
    training = json.loads((app_dir / "jumpstart.lock.json").read_text())["entries"][TRAINING_KEY]
    _edit_entry(app_dir, INFERENCE_KEY, network_isolation=False,
                environment={**inference["environment"], "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"},
                supported_instance_types=inference["supported_instance_types"] + ["ml.g5.xlarge"],
                no_volume_kms_instance_types=["ml.g5.xlarge"])
    _edit_entry(app_dir, TRAINING_KEY, container_hyperparameters={**training["container_hyperparameters"],
                                                                  "sagemaker_program": "evil.py"})
    result = run("lock", str(app_dir), "--verify", code=1)
    text = result.stdout
    assert f"{INFERENCE_KEY}\n  network_isolation: False (locked) != True (re-resolved from shipped)\n" in text
    assert "  env SAGEMAKER_SUBMIT_DIRECTORY: /opt/ml/model/code (locked) != - (re-resolved from shipped)\n" in text
    assert '  supported_instance_types: ["ml.m5.large", ' in text and '"ml.g5.xlarge"] (locked) != ' in text
    assert '  no_volume_kms_instance_types: ["ml.g5.xlarge"] (locked) != [] (re-resolved from shipped)' in text
    assert f"{TRAINING_KEY}\n  container_hyperparameters: " in text and '"sagemaker_program": "evil.py"' in text
    assert "3 of 5 entries of" in " ".join(text.split())


def test_lock_verify_reads_a_local_source_only_if_it_is_the_apps(tmp_path):
    """Else a lockfile could name a directory of its own that agrees with it."""
    app_dir = _app_dir(tmp_path, lock=True)
    _edit_entry(app_dir, INFERENCE_KEY, source="local:/tmp/agrees-with-me")
    text = " ".join(run("lock", str(app_dir), "--verify", code=1).stdout.split())
    assert (f"{INFERENCE_KEY} source: local:/tmp/agrees-with-me is not this app's jumpstart:metadata (shipped): "
            "re-resolve it with `jumpstart lock --refresh`") in text


def test_lock_check_and_audit_refuse_a_smuggled_lockfile(tmp_path, app_env, monkeypatch):
    app_dir = _app_dir(tmp_path, lock=True)
    _edit_entry(app_dir, INFERENCE_KEY, image_uri="999999999999.dkr.ecr.us-west-2.amazonaws.com/x:1")
    checked = " ".join(run("lock", str(app_dir), "--check", code=1).output.split())
    assert (f"entry '{INFERENCE_KEY}': field 'image_uri' is '999999999999.dkr.ecr.us-west-2.amazonaws.com/x:1', "
            "whose registry") in checked
    monkeypatch.chdir(app_dir)
    audited = " ".join(run("audit", "--source", "shipped", code=1).output.split())
    assert f"entry '{INFERENCE_KEY}': field 'image_uri'" in audited
    # the app's own opt-in, in its cdk.json, is the one way to trust it
    config = json.loads((app_dir / "cdk.json").read_text())
    config["context"]["jumpstart:trusted-registries"] = ["999999999999"]
    (app_dir / "cdk.json").write_text(json.dumps(config))
    assert run("audit", "--source", "shipped").exit_code == 0
    assert "is complete" in run("lock", str(app_dir), "--check").stdout


def test_audit_fails_by_default_on_a_version_the_catalog_does_not_have_and_outdated_marks_it(audited_lockfile):
    data = json.loads(audited_lockfile.read_text())
    key = "pytorch-ic-mobilenet-v2@*|us-west-2|inference|default-instance"
    data["entries"][key]["version"] = "3.0.99"
    audited_lockfile.write_text(json.dumps(data))
    failed = run("audit", "--lockfile", str(audited_lockfile), *SHIPPED, code=1)
    assert f"{key}: missing" in failed.stdout
    table = " ".join(run("outdated", "--lockfile", str(audited_lockfile), *SHIPPED).stdout.split())
    assert "3.0.99 (not in catalog)" in table
    assert "pytorch-ic-mobilenet-v2 3.0.99 is not in the catalog: a deploy from this lockfile serves a version" in table


def test_lock_verify_reads_the_apps_own_metadata_directory(tmp_path):
    from constructs_jumpstart.lockfile import Lockfile, LockKey
    from constructs_jumpstart.resolver import resolve

    meta = tmp_path / "meta"
    shutil.copytree(CATALOG, meta)
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "false", "context": {"jumpstart:metadata": "meta"}}))
    lock = Lockfile(tmp_path / "jumpstart.lock.json")
    key = LockKey("pytorch-ic-mobilenet-v2", "*", "us-west-2", "inference")
    lock.put(key, resolve(key.model_id, "*", region="us-west-2", source=str(meta)))
    lock.save()
    assert json.loads(lock.path.read_text())["entries"][str(key)]["source"] == f"local:{meta}"
    assert "1 of 1 entry of" in " ".join(run("lock", str(tmp_path), "--verify").stdout.split())
    spec = meta / "community_models" / "pytorch-ic-mobilenet-v2" / "specs_v3.0.25.json"
    spec.write_text(spec.read_text().replace('"inference_enable_network_isolation": true',
                                             '"inference_enable_network_isolation": false'))
    assert "network_isolation: True (locked) != False" in run("lock", str(tmp_path), "--verify", code=1).stdout


def test_lock_refresh_does_not_leave_a_smuggled_entry_unsaid(tmp_path, app_env):
    """A refresh re-resolves what the app uses; an entry it leaves alone is still checked (--prune drops it)."""
    app_dir = _app_dir(tmp_path, lock=True)
    _edit_entry(app_dir, TRAINING_KEY, image_uri="ghcr.io/attacker/train:1")  # the endpoint example does not train
    refreshed = " ".join(run("lock", str(app_dir), "--refresh", code=1).output.split())
    assert f"entry '{TRAINING_KEY}': field 'image_uri' is 'ghcr.io/attacker/train:1'" in refreshed
    pruned = run("lock", str(app_dir), "--refresh", "--prune")
    assert TRAINING_KEY in " ".join(pruned.stdout.split()).split("pruned")[1]
    assert TRAINING_KEY not in json.loads((app_dir / "jumpstart.lock.json").read_text())["entries"]


def _probe_app(tmp_path: Path) -> Path:
    """An "app" that only records the CDK_VALIDATION it was run with (and synthesizes nothing)."""
    target = tmp_path / "probe"
    target.mkdir()
    (target / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} probe.py"}))
    (target / "probe.py").write_text("import json, os\n"
                                     "open('seen.json', 'w').write(json.dumps(os.environ.get('CDK_VALIDATION')))\n")
    return target


def test_lock_skips_template_validation_only_where_it_cannot_fail_the_synth(tmp_path, monkeypatch):
    """Template validation (CDK 2.275's built-in rules) is most of a small app's synth, and its findings are
    warnings that no lock reads: `lock` runs the app without it, unless the app's context makes findings fail
    the synth, or the user set CDK_VALIDATION. Then the app validates, and fails, as under cdk synth."""
    monkeypatch.delenv("CDK_VALIDATION", raising=False)
    target = _probe_app(tmp_path)
    seen = lambda: json.loads((target / "seen.json").read_text())  # noqa: E731
    for flags in ([], ["--check"]):
        run("lock", str(target), *flags)
        assert seen() == "false"
    for key in ("@aws-cdk/core:validateAgainstDefaultRules", "@aws-cdk/core:strictCfnValidateErrors"):
        run("lock", str(target), "--check", "-c", f"{key}=true")
        assert seen() is None
        run("lock", str(target), "--check", "-c", f"{key}=false")
        assert seen() == "false"
    monkeypatch.setenv("CDK_VALIDATION", "true")
    run("lock", str(target), "--check")
    assert seen() == "true"


def test_lock_check_still_fails_where_template_validation_fails_the_synth(tmp_path, app_env, monkeypatch):
    """A template CDK's rules find wrong: warnings by default (lock --check passes, as cdk synth does), a failed
    check where the app's context makes them errors (as cdk synth fails)."""
    monkeypatch.delenv("CDK_VALIDATION", raising=False)
    target = tmp_path / "bad"
    target.mkdir()
    (target / "cdk.json").write_text(json.dumps({"app": "python3 app.py"}))
    (target / "app.py").write_text(
        "import aws_cdk as cdk\napp = cdk.App()\n"
        "cdk.CfnResource(cdk.Stack(app, 'Bad'), 'Bucket', type='AWS::S3::Bucket', properties={'NotAProperty': 1})\n"
        "app.synth()\n")
    assert "is complete: 0 entries" in run("lock", str(target), "--check").stdout
    failed = run("lock", str(target), "--check", "-c", "@aws-cdk/core:validateAgainstDefaultRules=true", code=1)
    assert "lockfile check failed" in failed.output and "ValidationFailed" in failed.output


def test_filter_values_no_model_has_are_named_with_the_values_that_exist():
    """An impossible value used to return nothing in silence (#20)."""
    assert "gated is yes or no (also true/false, 1/0); got 'maybe'" in run(
        "models", *SHIPPED, "-f", "gated == maybe", code=2).output
    wrong_case = run("models", *SHIPPED, "-f", "task == IC")
    assert "note: no model in this catalog has task 'IC'; did you mean 'ic'?" in wrong_case.output
    assert wrong_case.stdout.strip().splitlines()[-1] == "0 model(s)"
    absent = " ".join(run("models", *SHIPPED, "-f", "framework in [pytorch, jax]").output.split())
    assert "no model in this catalog has framework 'jax'; its values: fixture, pytorch." in absent
    assert "note:" not in run("models", *SHIPPED, "-f", "task == ic and gated == no").output


def test_a_region_that_is_no_jumpstart_region_is_a_usage_error():
    result = run("models", *SHIPPED, "--region", "us-west2", code=2)
    assert "'us-west2' is not a region where JumpStart is; did you mean 'us-west-2'" in " ".join(
        result.output.replace("│", " ").split())
    assert run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED, "--region", "eu-west-1").exit_code == 0


def test_lock_names_the_context_key_it_takes_not_another_commands_option(tmp_path, monkeypatch):
    """`lock` takes -c KEY=VALUE as cdk does; it used to suggest --source shipped, which it refuses."""
    from constructs_jumpstart import cli

    hint = ("Could not read JumpStart metadata from the live JumpStart catalog: Unable to locate credentials. ... use "
            "the shipped catalog (-c jumpstart:metadata=shipped) or a local directory (-c jumpstart:metadata=PATH).")
    monkeypatch.setattr(cli, "_run_app", lambda *args: ([hint], {}))
    target = _app_dir(tmp_path, lock=False)
    text = " ".join(run("lock", str(target), code=1).output.split())
    assert "(-c jumpstart:metadata=shipped)" in text and "--source" not in text


@pytest.mark.parametrize("columns", [80, 200])
def test_describe_never_splits_a_uri_in_the_middle(columns, monkeypatch):
    """At 80 columns the image and S3 URIs used to be folded with a newline inside (copy-paste broke)."""
    from constructs_jumpstart import cli

    monkeypatch.setattr(cli.out, "width", columns)
    lines = run("describe", "pytorch-ic-mobilenet-v2", *SHIPPED).stdout.splitlines()
    image = "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:1.10.0-cpu-py38"
    artifact = "s3://jumpstart-cache-prod-us-west-2/pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/"
    for uri in (image, artifact):
        assert any(uri in line for line in lines), (uri, lines)
    assert any(line.split() == ["instance_type", "ml.m5.large"] for line in lines)
