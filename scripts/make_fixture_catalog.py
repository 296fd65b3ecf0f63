"""Regenerate the TEST FIXTURE specs of the shipped JumpStart catalog.

The shipped catalog (``constructs_jumpstart/catalog``) is laid out exactly as the SageMaker SDK's
local-metadata mode reads it: ``models_manifest.json`` plus the spec files its ``spec_key`` entries
point to.

* ``community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json`` is a REAL JumpStart spec, copied
  unchanged from the reference material.
* Everything under ``fixtures/`` is a TEST FIXTURE written by this script in the same schema. The
  model ids all start with ``fixture-`` and every spec carries a ``"_fixture"`` note, so nobody can
  mistake them for real JumpStart models. They exist to exercise the parts of the schema the one real
  spec does not: gated models with a EULA, uncompressed S3-prefix artifacts, speculative-decoding
  additional data sources, instance-type image/environment variants, deploy kwargs, inference
  configs, deprecated and vulnerable versions, marketplace model packages, script-mode models.

Run from the repository root: ``python scripts/make_fixture_catalog.py``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "constructs_jumpstart" / "catalog"
REAL_SPEC_KEY = "community_models/pytorch-ic-mobilenet-v2/specs_v3.0.25.json"
FIXTURE_NOTE = "TEST FIXTURE of the jumpstart-on-cdk project, not a real JumpStart model."
REGIONS = {
    "us-east-1": "763104351884",
    "us-west-2": "763104351884",
    "eu-west-1": "763104351884",
}


def _regional_aliases(alias_to_repo: dict[str, str]) -> dict:
    return {
        region: {
            alias: f"{account}.dkr.ecr.{region}.amazonaws.com/{repo}"
            for alias, repo in alias_to_repo.items()
        }
        for region, account in REGIONS.items()
    }


def _base(model_id: str, version: str, **overrides) -> dict:
    spec = {
        "_fixture": FIXTURE_NOTE,
        "model_id": model_id,
        "version": version,
        "min_sdk_version": "2.225.0",
        "url": "https://example.com/jumpstart-on-cdk/fixtures",
        "provider": "fixture",
        "training_supported": False,
        "incremental_training_supported": False,
        "deprecated": False,
        "inference_vulnerable": False,
        "inference_dependencies": [],
        "inference_vulnerabilities": [],
        "training_vulnerable": False,
        "training_dependencies": [],
        "training_vulnerabilities": [],
        "deploy_kwargs": {},
        "model_kwargs": {},
        "predictor_specs": {
            "default_accept_type": "application/json",
            "default_content_type": "application/json",
            "supported_accept_types": ["application/json"],
            "supported_content_types": ["application/json"],
        },
    }
    spec.update(overrides)
    return spec


def llm_gated(version: str, deprecated: bool = False) -> dict:
    """A gated text-generation model served from an uncompressed S3 prefix (like Llama 3)."""
    return _base(
        "fixture-llm-gated",
        version,
        deprecated=deprecated,
        deprecated_message=(
            "Version 1.0.0 of fixture-llm-gated is deprecated; use 2.0.0." if deprecated else None
        ),
        resource_name_base="fx-llm-gated",
        # as the real text-generation specs: a named example request and where the answer is in the response
        default_payloads={"Haiku": {
            "content_type": "application/json", "prompt_key": "inputs",
            "output_keys": {"generated_text": "[0].generated_text"},
            "body": {"inputs": "Write a haiku about infrastructure as code.",
                     "parameters": {"max_new_tokens": 64, "temperature": 0.6, "top_p": 0.9}},
        }},
        gated_bucket=True,
        hosting_eula_key="fmhMetadata/eula/fixtureLlmLicense.txt",
        hosting_artifact_key="fixture-llm-gated/artifacts/inference/v2.0.0/",
        hosting_prepacked_artifact_key="fixture-llm-gated/artifacts/inference-prepack/v2.0.0/",
        hosting_prepacked_artifact_version="2.0.0",
        hosting_artifact_s3_data_type="S3Prefix",
        hosting_artifact_compression_type="None",
        hosting_script_key="source-directory-tarballs/meta/inference/textgeneration/v1.2.3/sourcedir.tar.gz",
        hosting_use_script_uri=False,
        inference_enable_network_isolation=True,
        default_inference_instance_type="ml.g5.12xlarge",
        supported_inference_instance_types=["ml.g5.12xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge"],
        hosting_ecr_specs={"framework": "huggingface-llm", "framework_version": "2.0.0", "py_version": "py310"},
        inference_volume_size=256,
        dynamic_container_deployment_supported=True,
        hosting_resource_requirements={"min_memory_mb": 98304, "num_accelerators": 4},
        deploy_kwargs={
            "model_data_download_timeout": 1200,
            "container_startup_health_check_timeout": 1200,
        },
        inference_environment_variables=[
            {"name": "SAGEMAKER_PROGRAM", "type": "text", "default": "inference.py", "scope": "container", "required_for_model_class": True},
            {"name": "SAGEMAKER_SUBMIT_DIRECTORY", "type": "text", "default": "/opt/ml/model/code", "scope": "container", "required_for_model_class": False},
            {"name": "SAGEMAKER_MODEL_SERVER_WORKERS", "type": "int", "default": 1, "scope": "container", "required_for_model_class": True},
            {"name": "HF_MODEL_ID", "type": "text", "default": "/opt/ml/model", "scope": "container", "required_for_model_class": True},
            {"name": "MAX_INPUT_LENGTH", "type": "text", "default": "4095", "scope": "container", "required_for_model_class": True},
            {"name": "MAX_TOTAL_TOKENS", "type": "text", "default": "4096", "scope": "container", "required_for_model_class": True},
            {"name": "SM_NUM_GPUS", "type": "text", "default": "4", "scope": "container", "required_for_model_class": True},
        ],
        hosting_instance_type_variants={
            "regional_aliases": _regional_aliases(
                {
                    "gpu_ecr_uri_1": "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04",
                    "lmi_ecr_uri_2": "djl-inference:0.31.0-lmi13.0.0-cu124",
                }
            ),
            "variants": {
                "g5": {
                    "regional_properties": {"image_uri": "$gpu_ecr_uri_1"},
                    "properties": {"environment_variables": {"SM_NUM_GPUS": "4"}},
                },
                "p4d": {
                    "regional_properties": {"image_uri": "$gpu_ecr_uri_1"},
                    "properties": {"environment_variables": {"SM_NUM_GPUS": "8"}},
                },
                "ml.g5.48xlarge": {"properties": {"environment_variables": {"SM_NUM_GPUS": "8"}}},
            },
        },
        inference_configs={
            "tgi": {"component_names": ["tgi"]},
            "lmi-optimized": {"component_names": ["lmi-optimized"]},
        },
        inference_config_components={
            "tgi": {
                "supported_inference_instance_types": ["ml.g5.12xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge"],
            },
            "lmi-optimized": {
                "supported_inference_instance_types": ["ml.g5.12xlarge", "ml.p4d.24xlarge"],
                "hosting_artifact_key": "fixture-llm-gated/artifacts/inference-lmi/v2.0.0/",
                "hosting_prepacked_artifact_key": "fixture-llm-gated/artifacts/inference-prepack-lmi/v2.0.0/",
                "hosting_additional_data_sources": {
                    "speculative_decoding": [
                        {
                            "channel_name": "draft_model",
                            "artifact_version": "v1",
                            "provider": {"name": "JumpStart", "classification": "gated"},
                            "s3_data_source": {
                                "compression_type": "None",
                                "s3_data_type": "S3Prefix",
                                "s3_uri": "fixture-llm-gated/artifacts/draft/v1/",
                                "model_access_config": {"accept_eula": False},
                            },
                        }
                    ]
                },
                "hosting_instance_type_variants": {
                    "regional_aliases": _regional_aliases(
                        {"lmi_ecr_uri_2": "djl-inference:0.31.0-lmi13.0.0-cu124"}
                    ),
                    "variants": {
                        "g5": {
                            "regional_properties": {"image_uri": "$lmi_ecr_uri_2"},
                            "properties": {"environment_variables": {"OPTION_TENSOR_PARALLEL_DEGREE": "4", "OPTION_SPECULATIVE_DRAFT_MODEL": "/opt/ml/additional-model-data-sources/draft_model/"}},
                        },
                        "p4d": {
                            "regional_properties": {"image_uri": "$lmi_ecr_uri_2"},
                            "properties": {"environment_variables": {"OPTION_TENSOR_PARALLEL_DEGREE": "8", "OPTION_SPECULATIVE_DRAFT_MODEL": "/opt/ml/additional-model-data-sources/draft_model/"}},
                        },
                    },
                },
            },
        },
        inference_config_rankings={
            "overall": {
                "description": "Default deployment configuration, as the SDK picks it.",
                "rankings": ["lmi-optimized", "tgi"],
            }
        },
    )


def _mobilenet_variant(model_id: str, version: str, **overrides) -> dict:
    real = json.loads((CATALOG / REAL_SPEC_KEY).read_text())
    spec = copy.deepcopy(real)
    spec.update({"_fixture": FIXTURE_NOTE, "model_id": model_id, "version": version, "provider": "fixture"})
    for key in ("hosting_instance_type_variants", "training_instance_type_variants"):
        aliases = spec[key]["regional_aliases"]
        spec[key]["regional_aliases"] = {r: aliases[r] for r in REGIONS}
    spec.update(overrides)
    return spec


def deprecated_model() -> dict:
    return _mobilenet_variant(
        "fixture-ic-deprecated",
        "1.0.0",
        deprecated=True,
        deprecated_message="fixture-ic-deprecated is deprecated and will be removed; use pytorch-ic-mobilenet-v2.",
        deprecate_warn_message="fixture-ic-deprecated is deprecated.",
        training_supported=False,
    )


def vulnerable_model() -> dict:
    return _mobilenet_variant(
        "fixture-ic-vulnerable",
        "1.0.0",
        inference_vulnerable=True,
        inference_dependencies=["pillow==9.0.0"],
        inference_vulnerabilities=["pillow==9.0.0"],
        training_supported=False,
    )


def model_package() -> dict:
    """An open-weights model deployed from a marketplace model package (like early Llama 2)."""
    return _base(
        "fixture-model-package",
        "1.0.0",
        hosting_artifact_key="fixture-model-package/artifacts/inference/v1.0.0/",
        hosting_prepacked_artifact_key="fixture-model-package/artifacts/inference-prepack/v1.0.0/",
        hosting_script_key="source-directory-tarballs/fixture/inference/v1.0.0/sourcedir.tar.gz",
        hosting_use_script_uri=False,
        hosting_eula_key="fmhMetadata/eula/fixtureModelPackageLicense.txt",
        inference_enable_network_isolation=True,
        default_inference_instance_type="ml.g5.2xlarge",
        supported_inference_instance_types=["ml.g5.2xlarge", "ml.g5.12xlarge"],
        hosting_ecr_specs={"framework": "djl-deepspeed", "framework_version": "0.21.0", "py_version": "py38"},
        inference_environment_variables=[],
        hosting_model_package_arns={
            region: f"arn:aws:sagemaker:{region}:865070037744:model-package/fixture-llm-7b-v1"
            for region in REGIONS
        },
        hosting_instance_type_variants={
            "regional_aliases": _regional_aliases({"gpu_ecr_uri_1": "djl-inference:0.21.0-deepspeed0.8.3-cu117"}),
            "variants": {"g5": {"regional_properties": {"image_uri": "$gpu_ecr_uri_1"}}},
        },
    )


def script_mode() -> dict:
    """A model whose artifact is a compressed tarball and whose inference code is a separate script."""
    return _mobilenet_variant(
        "fixture-tf-script-mode",
        "1.1.0",
        hosting_artifact_key="tensorflow-ic/fixture-tf-script-mode/artifacts/inference/v1.0.0/model.tar.gz",
        hosting_artifact_s3_data_type="S3Object",
        hosting_artifact_compression_type="Gzip",
        hosting_prepacked_artifact_key=None,
        hosting_prepacked_artifact_version=None,
        hosting_use_script_uri=True,
        inference_enable_network_isolation=False,
        training_supported=False,
    )


def llm_finetune() -> dict:
    """A gated LLM that fine-tunes (like Llama 3 instruct): EULA on the model channel, uncompressed
    training output, GPU training image per instance family, a validation channel."""
    spec = llm_gated("1.0.0")
    for key in ("inference_configs", "inference_config_components", "inference_config_rankings"):
        spec.pop(key)
    spec.update(
        model_id="fixture-llm-finetune",
        resource_name_base="fx-llm-ft",
        training_supported=True,
        validation_supported=True,
        training_artifact_key="fixture-llm-finetune/artifacts/training/v1.0.0/",
        training_script_key="source-directory-tarballs/fixture/transfer_learning/llm/v1.0.0/sourcedir.tar.gz",
        training_prepacked_script_key="source-directory-tarballs/fixture/transfer_learning/llm/prepack/v1.0.0/sourcedir.tar.gz",
        training_prepacked_script_version="1.0.0",
        training_ecr_specs={"framework": "huggingface", "framework_version": "2.0.0", "py_version": "py310"},
        training_enable_network_isolation=True,
        default_training_instance_type="ml.g5.12xlarge",
        supported_training_instance_types=["ml.g5.12xlarge", "ml.p4d.24xlarge"],
        training_volume_size=256,
        estimator_kwargs={"encrypt_inter_container_traffic": True, "disable_output_compression": True, "max_run": 360000},
        fit_kwargs={},
        metrics=[{"Name": "huggingface-textgeneration:train-loss", "Regex": "train_epoch_loss=([0-9\\.]+)"}],
        hyperparameters=[
            {"name": "epoch", "type": "int", "default": 5, "min": 1, "max": 1000, "scope": "algorithm"},
            {"name": "learning_rate", "type": "float", "default": 0.0001, "min": 1e-08, "max": 1, "scope": "algorithm"},
            {"name": "lora_dropout", "type": "float", "default": 0.05, "exclusive_min": 0, "exclusive_max": 1, "scope": "algorithm"},
            {"name": "instruction_tuned", "type": "text", "default": "False", "options": ["True", "False"], "scope": "algorithm"},
            {"name": "sagemaker_submit_directory", "type": "text", "default": "/opt/ml/input/data/code/sourcedir.tar.gz", "scope": "container"},
            {"name": "sagemaker_program", "type": "text", "default": "transfer_learning.py", "scope": "container"},
            {"name": "sagemaker_container_log_level", "type": "text", "default": "20", "scope": "container"},
        ],
        training_instance_type_variants={
            "regional_aliases": _regional_aliases(
                {"gpu_ecr_uri_1": "huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04"}
            ),
            "variants": {  # the base model the gated training container reads (SageMakerGatedModelS3Uri)
                family: {"regional_properties": {"image_uri": "$gpu_ecr_uri_1"},
                         "properties": {"gated_model_key_env_var_value": "fixture-llm-finetune/artifacts/training-gated/v1.0.0/"}}
                for family in ("g5", "p4d")
            },
        },
    )
    return spec


FAMILY_TYPES = ["ml.g5.2xlarge", "ml.g6.2xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge", "ml.p6-b200.48xlarge",
                "ml.inf2.xlarge", "ml.trn1.2xlarge", "ml.c5d.2xlarge", "ml.m5.xlarge", "ml.g4dn.xlarge"]


def llm_families() -> dict:
    """An open (not gated) LLM served from an S3 prefix on every instance family the API treats
    differently: EBS-only (m5, inf2), local NVMe storage (g5, g6, p4d, p5, p6-b200, trn1, c5d, g4dn).
    Fine-tunable on the same families, compressed output."""
    spec = llm_gated("1.0.0")
    for key in ("inference_configs", "inference_config_components", "inference_config_rankings", "hosting_eula_key",
                "gated_bucket"):
        spec.pop(key)
    image = {"regional_properties": {"image_uri": "$gpu_ecr_uri_1"}}
    spec.update(
        model_id="fixture-llm-families",
        resource_name_base="fx-llm-fam",
        hosting_artifact_key="fixture-llm-families/artifacts/inference/v1.0.0/",
        hosting_prepacked_artifact_key="fixture-llm-families/artifacts/inference-prepack/v1.0.0/",
        hosting_prepacked_artifact_version="1.0.0",
        default_inference_instance_type="ml.g5.2xlarge",
        supported_inference_instance_types=FAMILY_TYPES,
        hosting_resource_requirements={"min_memory_mb": 8192, "num_accelerators": 1},
        hosting_instance_type_variants={
            "regional_aliases": _regional_aliases(
                {"gpu_ecr_uri_1": "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"}),
            "variants": {family: image for family in ("g5", "g6", "p4d", "p5", "p6-b200", "inf2", "trn1", "c5d", "m5", "g4dn")},
        },
        training_supported=True,
        training_artifact_key="fixture-llm-families/artifacts/training/v1.0.0/",
        training_script_key="source-directory-tarballs/fixture/transfer_learning/llm/v1.0.0/sourcedir.tar.gz",
        training_ecr_specs={"framework": "huggingface", "framework_version": "2.0.0", "py_version": "py310"},
        training_enable_network_isolation=True,
        default_training_instance_type="ml.g5.2xlarge",
        supported_training_instance_types=FAMILY_TYPES,
        training_volume_size=256,
        estimator_kwargs={"encrypt_inter_container_traffic": True, "max_run": 360000},
        fit_kwargs={},
        hyperparameters=[
            {"name": "epoch", "type": "int", "default": 1, "min": 1, "max": 1000, "scope": "algorithm"},
            {"name": "sagemaker_submit_directory", "type": "text", "default": "/opt/ml/input/data/code/sourcedir.tar.gz", "scope": "container"},
            {"name": "sagemaker_program", "type": "text", "default": "transfer_learning.py", "scope": "container"},
        ],
        training_instance_type_variants={
            "regional_aliases": _regional_aliases(
                {"gpu_ecr_uri_1": "huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04"}),
            "variants": {family: image for family in ("g5", "g6", "p4d", "p5", "p6-b200", "inf2", "trn1", "c5d", "m5", "g4dn")},
        },
    )
    return spec


def _bench(latency_ms: float, throughput: float, concurrency: int) -> list:
    """One concurrency's figures as real specs write them (latency in ms, TTFT P50; throughput per user)."""
    return [{"name": "Latency", "value": str(latency_ms), "unit": "ms", "concurrency": concurrency},
            {"name": "Throughput", "value": str(throughput), "unit": "Tokens/S", "concurrency": concurrency}]


def llm_optimized() -> dict:
    """An open LLM with three inference configs carrying benchmark figures (issue #21, choosing by objective):
    per instance type and concurrency, latency in ms and throughput in tokens/s per user. ``lmi-optimized`` has
    no figures for ml.p4d.24xlarge (which it supports); ``tgi`` measured only concurrency 1; rankings order them.
    Its deploy settings ask for an inference AMI (``inference_ami_version``, which the SDK's deploy sets as the
    variant's ``InferenceAmiVersion``), as specs of models that need newer GPU drivers do."""
    spec = llm_families()
    for key in list(spec):
        if key.startswith("training_") or key in ("hyperparameters", "estimator_kwargs", "fit_kwargs",
                                                   "default_training_instance_type", "supported_training_instance_types"):
            spec.pop(key)
    types = ["ml.g5.12xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge"]
    lmi_image = {"regional_properties": {"image_uri": "$lmi_ecr_uri_2"}}
    lmi_variants = {
        "regional_aliases": _regional_aliases({"lmi_ecr_uri_2": "djl-inference:0.31.0-lmi13.0.0-cu124"}),
        "variants": {family: lmi_image for family in ("g5", "p4d", "p5")},
    }
    spec.update(
        model_id="fixture-llm-optimized",
        resource_name_base="fx-llm-opt",
        deploy_kwargs={**spec["deploy_kwargs"], "inference_ami_version": "al2-ami-sagemaker-inference-gpu-3-1"},
        training_supported=False,
        hosting_artifact_key="fixture-llm-optimized/artifacts/inference/v1.0.0/",
        hosting_prepacked_artifact_key="fixture-llm-optimized/artifacts/inference-prepack/v1.0.0/",
        default_inference_instance_type="ml.g5.12xlarge",
        supported_inference_instance_types=types,
        hosting_resource_requirements={"min_memory_mb": 98304, "num_accelerators": 4},
        hosting_instance_type_variants={
            "regional_aliases": _regional_aliases(
                {"gpu_ecr_uri_1": "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04"}),
            "variants": {family: {"regional_properties": {"image_uri": "$gpu_ecr_uri_1"}} for family in ("g5", "p4d", "p5")},
        },
        inference_configs={
            "lmi-optimized": {
                "component_names": ["lmi-optimized"],
                "benchmark_metrics": {
                    "ml.g5.12xlarge": _bench(250, 45, 1) + _bench(400, 35, 4),
                    "ml.p5.48xlarge": _bench(80, 150, 1) + _bench(120, 110, 4) + _bench(210, 80, 16),
                },
            },
            "lmi": {
                "component_names": ["lmi"],
                "benchmark_metrics": {
                    "ml.g5.12xlarge": _bench(300, 40, 1) + _bench(500, 30, 4),
                    "ml.g5.48xlarge": _bench(180, 70, 1) + _bench(260, 55, 4),
                    "ml.p4d.24xlarge": _bench(120, 90, 1) + _bench(200, 70, 8),
                },
            },
            "tgi": {
                "component_names": ["tgi"],
                "benchmark_metrics": {"ml.g5.12xlarge": _bench(350, 38, 1), "ml.g5.48xlarge": _bench(200, 60, 1)},
            },
        },
        inference_config_components={
            "lmi-optimized": {"supported_inference_instance_types": ["ml.g5.12xlarge", "ml.p4d.24xlarge", "ml.p5.48xlarge"],
                              "hosting_instance_type_variants": lmi_variants},
            "lmi": {"supported_inference_instance_types": ["ml.g5.12xlarge", "ml.g5.48xlarge", "ml.p4d.24xlarge"],
                    "hosting_instance_type_variants": lmi_variants},
            "tgi": {"supported_inference_instance_types": ["ml.g5.12xlarge", "ml.g5.48xlarge"],
                    "hosting_instance_type_variants": spec["hosting_instance_type_variants"]},
        },
        inference_config_rankings={
            "overall": {"description": "Default deployment configuration, as the SDK picks it.",
                        "rankings": ["lmi-optimized", "lmi", "tgi"]},
        },
    )
    return spec


FIXTURES = {
    "fixtures/fixture-llm-gated/specs_v1.0.0.json": llm_gated("1.0.0", deprecated=True),
    "fixtures/fixture-llm-gated/specs_v2.0.0.json": llm_gated("2.0.0"),
    "fixtures/fixture-ic-deprecated/specs_v1.0.0.json": deprecated_model(),
    "fixtures/fixture-ic-vulnerable/specs_v1.0.0.json": vulnerable_model(),
    "fixtures/fixture-model-package/specs_v1.0.0.json": model_package(),
    "fixtures/fixture-tf-script-mode/specs_v1.1.0.json": script_mode(),
    "fixtures/fixture-llm-finetune/specs_v1.0.0.json": llm_finetune(),
    "fixtures/fixture-llm-families/specs_v1.0.0.json": llm_families(),
    "fixtures/fixture-llm-optimized/specs_v1.0.0.json": llm_optimized(),
}


def _drop_none(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if v is not None}


def main() -> None:
    real = json.loads((CATALOG / REAL_SPEC_KEY).read_text())
    manifest = [
        {
            "model_id": real["model_id"],
            "version": real["version"],
            "min_version": "2.189.0",
            "spec_key": REAL_SPEC_KEY,
            "deprecated": False,
            "provider": "pytorch",
            "search_keywords": ["MobileNet V2", "Vision", "ResNet 18"],
        }
    ]
    for key, spec in FIXTURES.items():
        path = CATALOG / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_drop_none(spec), indent=1, sort_keys=True) + "\n")
        manifest.append(
            {
                "model_id": spec["model_id"],
                "version": spec["version"],
                "min_version": "2.189.0",
                "spec_key": key,
                "deprecated": bool(spec.get("deprecated")),
                "provider": "fixture",
                "search_keywords": ["Test fixture"],
            }
        )
    (CATALOG / "models_manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(FIXTURES)} fixture specs and a manifest of {len(manifest)} entries to {CATALOG}")


if __name__ == "__main__":
    main()
