"""What a lockfile entry may point at: the lockfile is a trust root, so it must not be able to smuggle anything.

A locked synth replays an entry without the SDK: whatever image, bucket or model package it names reaches
the template, and the execution role is granted ECR pull and S3 read on it. A reviewer skims lockfile diffs,
so an entry is held, at load and before a fresh resolution is recorded, to what the SageMaker SDK itself
resolves to (``trust_data.json``, made from the SDK by ``scripts/make_trust_data.py``):

* its image is in an AWS-owned ECR registry of the entry's region (the SDK's ``image_uri_config`` accounts,
  on the host ``image_uris.retrieve`` builds: ``{account}.dkr.{ecr hostname}/...``);
* every S3 location (artifact, script, data sources, default dataset, S3 URIs in the environment and the
  container hyperparameters, the EULA's URL) is in one of the SDK's JumpStart buckets of that region
  (content, gated, Neo; a draft model is in one of them, ``get_draft_model_content_bucket``);
* a model package is in a known (AWS Marketplace) account and the entry's region;
* the entry answers its key (model, version asked, region, scope, instance type, config, hub), and its
  hub content ARN is the one the SDK builds for that hub (``construct_hub_model*_arn_from_inputs``);
* its instance-storage rule is the SDK's ``instance_supports_kms`` (a smuggled type would drop the volume key).

What is not the SDK's needs an opt-in visible in the app's code, never in the lockfile: the context keys
``jumpstart:trusted-registries`` (ECR hosts, or accounts meaning their ECR in the entry's region) and
``jumpstart:trusted-buckets``. A model of a private hub's own (``hub_content_type`` ``Model``, under a key
naming that hub) is trusted in any bucket, and its model package in the hub's account: the hub is the root.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterator, List, Tuple

from .types import ResolvedModel

if TYPE_CHECKING:
    from .lockfile import LockKey

CONTEXT_TRUSTED_REGISTRIES = "jumpstart:trusted-registries"
CONTEXT_TRUSTED_BUCKETS = "jumpstart:trusted-buckets"
DATA = Path(__file__).resolve().parent / "trust_data.json"
_DATA: Dict[str, Any] = {}
# arn:PARTITION:sagemaker:REGION:ACCOUNT:RESOURCE (the ARN format, AWS General Reference, "Amazon Resource Names")
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<resource>.+)$")


def data() -> Dict[str, Any]:
    """The shipped facts (read once)."""
    if "regions" not in _DATA:
        _DATA.update(json.loads(DATA.read_text()))
    return _DATA


@dataclass(frozen=True)
class Trust:
    """The opt-ins of an app: registries and buckets beyond the SDK's, named in its context."""

    registries: FrozenSet[str] = frozenset()
    buckets: FrozenSet[str] = frozenset()

    @staticmethod
    def from_context(value: Callable[[str], Any]) -> "Trust":
        """From the context keys (a list in ``cdk.json``, or a comma-separated ``-c KEY=a,b``)."""
        return Trust(_names(value(CONTEXT_TRUSTED_REGISTRIES)), _names(value(CONTEXT_TRUSTED_BUCKETS)))


def _names(value: Any) -> FrozenSet[str]:
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    return frozenset(str(item).strip() for item in items if str(item).strip())


def entry_problems(key: "LockKey", model: ResolvedModel, trust: Trust) -> List[str]:
    """Every way ``model`` (recorded under ``key``) points outside what the SDK resolves to, each naming
    the field and the value."""
    problems = _key_problems(key, model)
    region = data()["regions"].get(model.region)
    if region is None:
        return problems + [f"field 'region' is {model.region!r}, which is not a region the SageMaker SDK knows"]
    own = key.hub is not None and model.hub_content_type == "Model"
    problems += _image_problems(model, region, trust)
    for field, uri in _s3_locations(model):
        bucket = uri[len("s3://"):].partition("/")[0]
        if not own and bucket not in region["buckets"] and bucket not in trust.buckets:
            problems.append(f"field '{field}' is {uri!r}, in bucket '{bucket}', which is not a JumpStart bucket "
                            f"of {model.region} ({', '.join(region['buckets'])})")
    problems += _eula_problems(model, region, trust)
    problems += _package_problems(key, model, own)
    problems += _hub_problems(key, model)
    return problems + _storage_problems(model)


def _key_problems(key: "LockKey", model: ResolvedModel) -> List[str]:
    """The entry must be the resolution of its own key: else an entry of another model, region or scope
    (or a hand-made one) would be replayed under this key."""
    wanted = {"model_id": key.model_id, "requested_version": key.version, "region": key.region, "scope": key.scope,
              "instance_type": key.instance_type, "config_name": key.config_name}
    problems = [f"field '{field}' is {getattr(model, field)!r} but the entry's key asks for {value!r}"
                for field, value in wanted.items() if value is not None and getattr(model, field) != value]
    if (model.source == "hub") != (key.hub is not None):
        problems.append(f"field 'source' is {model.source!r} but the entry's key names "
                        f"{'hub ' + key.hub if key.hub else 'no hub'}")
    return problems


def _image_problems(model: ResolvedModel, region: Dict[str, Any], trust: Trust) -> List[str]:
    if model.image_uri is None:
        return []
    host = model.image_uri.partition("/")[0]
    account, _, rest = host.partition(".")
    if host in trust.registries or (rest == f"dkr.{region['ecr_hostname']}" and account in trust.registries):
        return []
    if rest == f"dkr.{region['ecr_hostname']}" and account in region["image_accounts"]:
        return []
    return [f"field 'image_uri' is {model.image_uri!r}, whose registry '{host}' is not an AWS-owned ECR registry "
            f"of {model.region} (the SageMaker SDK's image_uri_config accounts on {region['ecr_hostname']})"]


def _s3_locations(model: ResolvedModel) -> Iterator[Tuple[str, str]]:
    """(field, URI) of every S3 location the entry names."""
    if model.model_data is not None:
        yield "model_data", model.model_data.s3_uri
    if model.script_uri:
        yield "script_uri", model.script_uri
    if model.default_training_dataset_uri:
        yield "default_training_dataset_uri", model.default_training_dataset_uri
    for source in model.additional_data_sources:
        yield f"additional_data_sources[{source.channel_name}]", source.artifact.s3_uri
    for where, values in (("environment", model.environment), ("container_hyperparameters",
                                                                model.container_hyperparameters)):
        for name, value in sorted(values.items()):
            if value.strip().lower().startswith("s3://"):
                yield f"{where}.{name}", value.strip()


def _eula_problems(model: ResolvedModel, region: Dict[str, Any], trust: Trust) -> List[str]:
    """The EULA's URL is the content bucket's (``https://{bucket}.s3.{region}.{domain}/{key}``, as the
    resolver builds it from the SDK's bucket): a smuggled link would send the user elsewhere to accept."""
    if not model.eula_url:
        return []
    host = re.sub(r"^https://", "", model.eula_url).partition("/")[0]
    bucket, _, rest = host.partition(".")
    if model.eula_url.startswith("https://") and rest == f"s3.{model.region}.{region['domain']}" and (
            bucket in region["buckets"] or bucket in trust.buckets):
        return []
    return [f"field 'eula_url' is {model.eula_url!r}, which is not in a JumpStart bucket of {model.region}"]


def _package_problems(key: "LockKey", model: ResolvedModel, own: bool) -> List[str]:
    if model.model_package_arn is None:
        return []
    match = _ARN_RE.match(model.model_package_arn)
    hub = _ARN_RE.match(key.hub or "")
    accounts = {hub["account"]} if own and hub else set(data()["model_package_accounts"])
    if match and match["resource"].startswith("model-package/") and match["region"] == model.region \
            and match["account"] in accounts:
        return []
    return [f"field 'model_package_arn' is {model.model_package_arn!r}, which is not a model package of a known "
            f"account ({', '.join(sorted(accounts))}) in {model.region}"]


def _hub_problems(key: "LockKey", model: ResolvedModel) -> List[str]:
    """As the SDK builds it: ``arn:P:sagemaker:R:A:hub-content/HUB/TYPE/MODEL/VERSION`` of the key's hub."""
    if key.hub is None:
        return [] if model.hub_content_arn is None and model.hub_content_type is None else [
            f"field 'hub_content_arn' is {model.hub_content_arn!r} but the entry's key names no hub"]
    hub = re.match(r"^(?P<head>arn:[^:]+:sagemaker:[^:]+:\d{12}):hub/(?P<name>[^/]+)$", key.hub)
    if hub is None or model.hub_content_type not in ("Model", "ModelReference"):
        return [f"field 'hub_content_type' is {model.hub_content_type!r}: an entry of hub {key.hub} is a Model "
                "or a ModelReference"]
    wanted = f"{hub['head']}:hub-content/{hub['name']}/{model.hub_content_type}/{model.model_id}/{model.version}"
    if model.hub_content_arn != wanted:
        return [f"field 'hub_content_arn' is {model.hub_content_arn!r}; the key's hub gives {wanted!r}"]
    return []


def _storage_problems(model: ResolvedModel) -> List[str]:
    """``no_volume_kms_instance_types`` must be the SDK's ``instance_supports_kms`` over the entry's instance
    types, where the shipped rule knows the type (a type newer than the data keeps what was recorded)."""
    known = set(data()["no_volume_kms_instance_types"])
    types = set(model.supported_instance_types) | {model.instance_type}
    recorded = set(model.no_volume_kms_instance_types)
    extra = sorted(t for t in recorded if t not in types or (_is_known(t) and t not in known))
    missing = sorted(t for t in types if t in known and t not in recorded)
    return [f"field 'no_volume_kms_instance_types' lists {t!r}, which takes a volume KMS key (the SDK's "
            "instance_supports_kms)" if t in types else
            f"field 'no_volume_kms_instance_types' lists {t!r}, which is not an instance type of the entry"
            for t in extra] + [f"field 'no_volume_kms_instance_types' misses {t!r}, which has instance storage and "
                               "takes no volume KMS key (the SDK's instance_supports_kms)" for t in missing]


def _is_known(instance_type: str) -> bool:
    """Whether the shipped rule covers ``instance_type``: it was made over the API's instance types."""
    if "api_types" not in _DATA:
        api = json.loads((DATA.parent / "api_instance_types.json").read_text())
        _DATA["api_types"] = {t for name, types in api.items() if not name.startswith("_") for t in types}
    return instance_type in _DATA["api_types"]
