"""The resolver against the SageMaker SDK itself: the SDK (sagemaker.core) is the reference."""

from __future__ import annotations

import json
import shutil

import pytest

from constructs_jumpstart import (
    MetadataError,
    RegionError,
    ResolvedModel,
    UnknownConfigError,
    UnknownModelError,
    UnknownVersionError,
    UnsupportedInstanceTypeError,
    UnsupportedScopeError,
)
from constructs_jumpstart.resolver import MANIFEST_ENV, SPECS_ENV, list_manifest, resolve

from .conftest import CATALOG, REGION

MOBILENET = "pytorch-ic-mobilenet-v2"


@pytest.fixture
def sdk_local(monkeypatch):
    """Point the SDK itself at the shipped catalog, to compare its answers with the resolver's."""
    monkeypatch.setenv(MANIFEST_ENV, str(CATALOG))
    monkeypatch.setenv(SPECS_ENV, str(CATALOG))
    from sagemaker.core.jumpstart import accessors

    accessors.JumpStartModelsAccessor.reset_cache()
    yield
    accessors.JumpStartModelsAccessor.reset_cache()


@pytest.mark.parametrize(
    "model_id, instance_type, config",
    [
        (MOBILENET, "ml.m5.large", None),
        (MOBILENET, "ml.c5.2xlarge", None),
        ("fixture-llm-gated", "ml.g5.12xlarge", "lmi-optimized"),
        ("fixture-llm-gated", "ml.p4d.24xlarge", "lmi-optimized"),
        ("fixture-llm-gated", "ml.g5.48xlarge", "tgi"),
        ("fixture-tf-script-mode", "ml.m5.xlarge", None),
    ],
)
def test_inference_matches_the_sdk(sdk_local, model_id, instance_type, config):
    from sagemaker.core import environment_variables, image_uris, model_uris

    kw = dict(model_id=model_id, model_version="*", region=REGION, config_name=config)
    got = resolve(model_id, "*", region=REGION, instance_type=instance_type, config_name=config)
    assert got.image_uri == image_uris.retrieve(
        framework=None, image_scope="inference", instance_type=instance_type, **kw
    )
    assert got.model_data.s3_uri == model_uris.retrieve(model_scope="inference", instance_type=instance_type, **kw)
    assert got.environment == environment_variables.retrieve_default(
        include_aws_sdk_env_vars=False, instance_type=instance_type, **kw
    )
    assert got.config_name == config


def test_training_matches_the_sdk(sdk_local):
    from sagemaker.core import hyperparameters, image_uris, model_uris, script_uris

    kw = dict(model_id=MOBILENET, model_version="*", region=REGION)
    got = resolve(MOBILENET, region=REGION, scope="training")
    assert got.instance_type == "ml.m5.xlarge"
    assert got.image_uri == image_uris.retrieve(
        framework=None, image_scope="training", instance_type="ml.m5.xlarge", **kw
    )
    assert got.model_data.s3_uri == model_uris.retrieve(model_scope="training", **kw)
    assert got.script_uri == script_uris.retrieve(script_scope="training", **kw)
    assert got.default_hyperparameters == hyperparameters.retrieve_default(instance_type="ml.m5.xlarge", **kw)
    epochs = next(h for h in got.hyperparameters if h.name == "epochs")
    assert (epochs.type, epochs.default, epochs.min, epochs.max) == ("int", 5, 1, 1000)
    assert got.metric_definitions[0]["Name"] == "pytorch-ic:val-accuracy"


def test_real_spec_is_an_uncompressed_prepacked_prefix():
    got = resolve(MOBILENET, region=REGION, source="shipped")
    assert got.version == "3.0.25"
    assert got.model_data.s3_uri == (
        "s3://jumpstart-cache-prod-us-west-2/pytorch-ic/pytorch-ic-mobilenet-v2/artifacts/inference-prepack/v1.0.0/"
    )
    assert (got.model_data.s3_data_type, got.model_data.compression_type) == ("S3Prefix", "None")
    assert got.script_uri is None  # prepacked: the inference code is inside the artifact
    assert got.network_isolation is True
    assert got.supported_instance_types == ("ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge", "ml.c5.2xlarge", "ml.m4.xlarge")
    assert got.default_instance_type == "ml.m5.large"
    assert not got.eula_required and not got.deprecated and not got.vulnerable


def test_gated_model_with_speculative_decoding_and_deploy_kwargs():
    got = resolve("fixture-llm-gated", region=REGION, source="shipped")
    assert got.version == "2.0.0"
    assert got.config_name == "lmi-optimized"  # top-ranked config, as the SDK's deploy picks it
    assert got.available_configs == ("lmi-optimized", "tgi")
    assert got.eula_required
    assert got.eula_url.endswith("/fmhMetadata/eula/fixtureLlmLicense.txt")
    assert got.model_data.s3_uri.startswith("s3://jumpstart-private-cache-prod-us-west-2/")
    (draft,) = got.additional_data_sources
    assert draft.channel_name == "draft_model"
    assert draft.artifact.s3_uri == "s3://jumpstart-private-cache-prod-us-west-2/fixture-llm-gated/artifacts/draft/v1/"
    assert not draft.requires_eula  # no hosting_eula_key of its own
    assert draft.accept_eula is False  # the spec's model_access_config, sent as the SDK sends it
    assert got.environment["OPTION_SPECULATIVE_DRAFT_MODEL"] == "/opt/ml/additional-model-data-sources/draft_model/"
    assert got.container_startup_health_check_timeout == 1200
    assert got.model_data_download_timeout == 1200


def test_instance_type_variants_change_image_and_environment():
    g5 = resolve("fixture-llm-gated", region=REGION, instance_type="ml.g5.12xlarge", config_name="tgi", source="shipped")
    big = resolve("fixture-llm-gated", region=REGION, instance_type="ml.g5.48xlarge", config_name="tgi", source="shipped")
    p4 = resolve("fixture-llm-gated", region=REGION, instance_type="ml.p4d.24xlarge", source="shipped")
    assert g5.environment["SM_NUM_GPUS"] == "4"
    assert big.environment["SM_NUM_GPUS"] == "8"
    assert "tgi-inference" in g5.image_uri and "djl-inference" in p4.image_uri
    assert p4.environment["OPTION_TENSOR_PARALLEL_DEGREE"] == "8"


def test_model_package_and_flags():
    pkg = resolve("fixture-model-package", region="eu-west-1", source="shipped")
    assert pkg.model_package_arn == "arn:aws:sagemaker:eu-west-1:865070037744:model-package/fixture-llm-7b-v1"
    dep = resolve("fixture-ic-deprecated", region=REGION, source="shipped")
    assert dep.deprecated and "use pytorch-ic-mobilenet-v2" in dep.deprecated_message
    vul = resolve("fixture-ic-vulnerable", region=REGION, source="shipped")
    assert vul.vulnerable and vul.vulnerabilities == ("pillow==9.0.0",)


def test_script_mode_model_has_compressed_artifact_and_script():
    got = resolve("fixture-tf-script-mode", region=REGION, source="shipped")
    assert got.model_data.s3_uri.endswith("/model.tar.gz")
    assert (got.model_data.s3_data_type, got.model_data.compression_type) == ("S3Object", "Gzip")
    assert got.script_uri.endswith("sourcedir.tar.gz")


def test_pinned_old_version_resolves_that_version():
    got = resolve("fixture-llm-gated", "1.0.0", region=REGION, source="shipped")
    assert got.version == "1.0.0" and got.deprecated


def test_unknown_model_suggests_close_ids():
    with pytest.raises(UnknownModelError, match=r"'pytorch-ic-mobilenet'.*Did you mean: 'pytorch-ic-mobilenet-v2'"):
        resolve("pytorch-ic-mobilenet", region=REGION, source="shipped")


def test_unknown_version_lists_available():
    with pytest.raises(UnknownVersionError, match=r"no version '9\.9\.9'.*Available versions: 1\.0\.0, 2\.0\.0"):
        resolve("fixture-llm-gated", "9.9.9", region=REGION, source="shipped")


def test_unsupported_instance_type_lists_supported():
    with pytest.raises(
        UnsupportedInstanceTypeError,
        match=r"'ml\.g5\.xlarge' is not supported .* Supported instance types: ml\.m5\.large, ml\.m5\.xlarge",
    ):
        resolve(MOBILENET, region=REGION, instance_type="ml.g5.xlarge", source="shipped")


def test_config_restricts_instance_types():
    with pytest.raises(UnsupportedInstanceTypeError, match=r"ml\.g5\.48xlarge.*ml\.g5\.12xlarge, ml\.p4d\.24xlarge"):
        resolve("fixture-llm-gated", region=REGION, instance_type="ml.g5.48xlarge", source="shipped")


def test_unknown_config_lists_configs():
    with pytest.raises(UnknownConfigError, match=r"no inference config 'fast'.*lmi-optimized, tgi"):
        resolve("fixture-llm-gated", region=REGION, config_name="fast", source="shipped")


def test_training_scope_refused_for_untrainable_model():
    with pytest.raises(UnsupportedScopeError, match="does not support fine-tuning"):
        resolve("fixture-llm-gated", region=REGION, scope="training", source="shipped")


def test_bad_region_lists_regions():
    with pytest.raises(RegionError, match=r"Region 'mars-east-1'.*us-west-2"):
        resolve(MOBILENET, region="mars-east-1", source="shipped")


def test_bad_metadata_dir(tmp_path):
    with pytest.raises(MetadataError, match=r"has no models_manifest\.json"):
        resolve(MOBILENET, region=REGION, source=str(tmp_path))


def test_live_catalog_without_credentials_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    from botocore.exceptions import NoCredentialsError

    import sagemaker.core.jumpstart.cache as sdk_cache

    def no_credentials(*args, **kwargs):
        raise NoCredentialsError()

    # The SDK reads the live manifest from S3; make that fail exactly as it does with no credentials,
    # without sending anything anywhere.
    monkeypatch.setattr(sdk_cache.JumpStartModelsCache, "_get_json_file", no_credentials, raising=True)
    with pytest.raises(MetadataError, match=r"live JumpStart catalog.*needs AWS credentials.*jumpstart:metadata=shipped"):
        resolve(MOBILENET, region=REGION, source="live")


def test_sdk_override_variables_win_over_the_source(tmp_path, monkeypatch):
    """With both SDK variables set, the SDK reads exactly that directory, as it would on its own."""
    other = tmp_path / "catalog"
    shutil.copytree(CATALOG, other)
    spec_path = other / "community_models" / MOBILENET / "specs_v3.0.25.json"
    spec = json.loads(spec_path.read_text())
    spec["default_inference_instance_type"] = "ml.c5.xlarge"
    spec_path.write_text(json.dumps(spec))
    monkeypatch.setenv(MANIFEST_ENV, str(other))
    monkeypatch.setenv(SPECS_ENV, str(other))
    got = resolve(MOBILENET, region=REGION, source="shipped")
    assert got.instance_type == "ml.c5.xlarge"


def test_manifest_listing():
    manifest = list_manifest(REGION, "shipped")
    assert manifest[MOBILENET] == ["3.0.25"]
    assert sorted(manifest["fixture-llm-gated"]) == ["1.0.0", "2.0.0"]


def test_resolved_model_round_trips_through_json():
    got = resolve("fixture-llm-gated", region=REGION, source="shipped")
    again = ResolvedModel.from_dict(json.loads(json.dumps(got.to_dict())))
    assert again == got


def test_each_metadata_file_is_read_once_per_process(monkeypatch):
    """Cold synth cost: the manifest once per region, each spec once per model version."""
    from collections import Counter

    from sagemaker.core.jumpstart import accessors, cache

    accessors.JumpStartModelsAccessor.reset_cache()
    reads: Counter = Counter()
    original = cache.JumpStartModelsCache._get_json_file_from_local_override

    def counting(self, key, filetype):
        reads[key] += 1
        return original(self, key, filetype)

    monkeypatch.setattr(cache.JumpStartModelsCache, "_get_json_file_from_local_override", counting)
    for instance_type in ("ml.m5.large", "ml.c5.xlarge", "ml.m4.xlarge"):
        resolve(MOBILENET, region=REGION, instance_type=instance_type, source="shipped")
    resolve(MOBILENET, region=REGION, scope="training", source="shipped")
    resolve("fixture-llm-gated", region=REGION, source="shipped")
    assert reads == {
        "models_manifest.json": 1,
        "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json": 1,
        "fixtures/fixture-llm-gated/specs_v2.0.0.json": 1,
    }


@pytest.mark.parametrize("broken", ["models_manifest.json", "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"])
def test_a_truncated_metadata_file_is_named(tmp_path, broken):
    import shutil

    from constructs_jumpstart.errors import MetadataError

    root = tmp_path / "meta"
    shutil.copytree(CATALOG, root)
    path = root / broken
    path.write_text(path.read_text()[:200])
    with pytest.raises(MetadataError, match=rf"JumpStart metadata file {path} is not valid JSON: "):
        resolve("pytorch-ic-mobilenet-v2", "3.0.25", region="us-west-2", source=str(root))


def test_a_missing_spec_is_attributed_to_the_directory_the_user_named(tmp_path):
    import shutil

    from constructs_jumpstart.errors import MetadataError

    root = tmp_path / "meta"
    shutil.copytree(CATALOG, root)
    (root / "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json").unlink()
    with pytest.raises(MetadataError) as info:
        resolve("pytorch-ic-mobilenet-v2", "3.0.25", region="us-west-2", source=str(root))
    assert f"local directory {root}" in str(info.value) and "OVERRIDE" not in str(info.value)


def test_model_package_era_training_gets_the_gated_model_uri_as_the_sdk_sets_it(tmp_path):
    root = tmp_path / "meta"
    shutil.copytree(CATALOG, root)
    path = root / "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"
    spec = json.loads(path.read_text())
    spec["training_model_package_artifact_uris"] = {"us-west-2": "s3://jumpstart-private-cache-prod-us-west-2/pkg/model/"}
    path.write_text(json.dumps(spec))
    resolved = resolve("pytorch-ic-mobilenet-v2", "3.0.25", region="us-west-2", scope="training", source=str(root))
    assert resolved.environment["SageMakerGatedModelS3Uri"] == "s3://jumpstart-private-cache-prod-us-west-2/pkg/model/"


def test_an_instance_types_environment_does_not_leak_into_its_family_within_a_process():
    """sagemaker-core's get_instance_specific_environment_variables updates its cached spec's family entry
    with the instance type's own variables, so a later resolution of another type of that family in the
    same process (one synth) carried them (found in #20; the resolver computes it on a new dict)."""
    first = resolve("fixture-llm-finetune", "1.0.0", region="us-west-2", instance_type="ml.g5.48xlarge",
                    source="shipped")
    second = resolve("fixture-llm-finetune", "1.0.0", region="us-west-2", instance_type="ml.g5.12xlarge",
                     source="shipped")
    assert (first.environment["SM_NUM_GPUS"], second.environment["SM_NUM_GPUS"]) == ("8", "4")  # the spec's


def test_the_family_environment_is_the_sdks_answer_in_a_fresh_process():
    """The resolver's replacement answers what the SDK's own method answers on an untouched spec (a
    fresh process, as ``JumpStartModel.deploy()`` runs), for every instance type of every shipped spec."""
    import copy

    from sagemaker.core.jumpstart.types import JumpStartModelSpecs

    from constructs_jumpstart import resolver

    resolver._unshare_family_environment()
    original = resolver._SDK_FAMILY_ENVIRONMENT
    assert original is not None and original is not resolver._family_environment
    compared = 0
    for path in sorted(CATALOG.glob("**/specs_v*.json")):
        raw = json.loads(path.read_text())
        spec = JumpStartModelSpecs(raw)
        for scope in ("hosting", "training"):
            variants = getattr(spec, f"{scope}_instance_type_variants", None)
            if variants is None or variants.variants is None:
                continue
            listed = raw.get(f"supported_{'inference' if scope == 'hosting' else scope}_instance_types") or []
            for instance_type in sorted({*listed, *(k for k in variants.variants if k.startswith("ml."))}):
                fresh = copy.deepcopy(variants)
                assert resolver._family_environment(variants, instance_type) == original(fresh, instance_type)
                compared += 1
    assert compared > 50
