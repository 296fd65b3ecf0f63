"""Plain data handed from the resolver to the constructs.

Nothing here imports the SageMaker SDK or the CDK: a :class:`ResolvedModel` is pure data, which is
what lets a locked synth run without the SDK and lets the lockfile store it as JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple


class ModelSource:
    """Model artifacts a model serves, as ``aws-sagemaker-alpha``'s ``ModelData``: ``bind()`` grants
    the reader exactly what it needs and returns the S3 location.

    ``ModelSource.from_uri("s3://b/model.tar.gz")`` (``s3://b/prefix/`` for an uncompressed prefix),
    ``from_bucket(bucket, "key")``, ``from_asset(asset)``; a training job's ``model_data`` is one.
    Plain strings are accepted wherever a ``ModelSource`` is.
    """

    def __init__(self, artifact: "S3Artifact", grant: Optional[Callable[[Any], None]] = None):
        self.artifact = artifact
        self._grant = grant
        self.bucket_read: Optional[Tuple[Any, str]] = None
        """(bucket, key pattern) when the source is keys of a bucket, for the library's own read
        statements (the constructs grant those instead of ``bucket.grant_read``)."""

    @property
    def grants(self) -> bool:
        """Whether :meth:`bind` adds a grant (buckets, assets, job outputs) to the reader."""
        return self._grant is not None

    def bind(self, scope: Any, grantee: Any) -> "S3Artifact":
        """Grant ``grantee`` read access (where the source knows how) and return the location."""
        self.grant(grantee)
        return self.artifact

    def grant(self, grantee: Any) -> Any:
        """Grant ``grantee`` read access where the source knows how; returns the grant made (an
        ``iam.Grant`` or the statements added; ``None`` without one)."""
        return self._grant(grantee) if self._grant is not None else None

    @staticmethod
    def from_uri(uri: str) -> "ModelSource":
        if "${Token[" in uri:  # e.g. an output of another construct: a model.tar.gz
            return ModelSource(S3Artifact(uri, "S3Object", "Gzip"))
        return ModelSource(S3Artifact.from_uri(uri))

    @staticmethod
    def from_bucket(bucket: Any, key: str) -> "ModelSource":
        """``key`` in ``bucket``: an object (``model.tar.gz``), or a prefix ending in ``/``."""
        artifact = S3Artifact.from_uri(f"s3://{bucket.bucket_name}/{key}")
        if "${Token[" in artifact.s3_uri and not key.endswith("/"):
            artifact = S3Artifact(artifact.s3_uri, "S3Object", "Gzip")
        pattern = f"{key}*" if key.endswith("/") else key
        source = ModelSource(artifact, lambda grantee: bucket.grant_read(grantee, pattern))
        source.bucket_read = (bucket, pattern)
        return source

    @staticmethod
    def from_asset(asset: Any) -> "ModelSource":
        """A CDK ``s3_assets.Asset`` of a ``model.tar.gz``."""
        source = ModelSource(S3Artifact(asset.s3_object_url, "S3Object", "Gzip"),
                             lambda grantee: asset.bucket.grant_read(grantee, asset.s3_object_key))
        source.bucket_read = (asset.bucket, asset.s3_object_key)
        return source


class ModelDataUri(str, ModelSource):
    """A training job's output (a token) that is also a :class:`ModelSource`: a model given it
    waits for the job and gets read access to exactly that output. Still a string (outputs)."""

    s3_data_type: str = "S3Object"
    """``S3Object`` for a ``model.tar.gz``; ``S3Prefix`` for uncompressed output."""

    def __new__(cls, value: str, grant: Any = None, s3_data_type: str = "S3Object") -> "ModelDataUri":
        obj = super().__new__(cls, value)
        obj.s3_data_type = s3_data_type
        prefix = s3_data_type == "S3Prefix"
        artifact = S3Artifact(value, "S3Prefix", "None") if prefix else S3Artifact(value, "S3Object", "Gzip")
        ModelSource.__init__(obj, artifact, grant)
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # set up by __new__
        pass

    def grant_read(self, grantee: Any) -> Any:
        return self.grant(grantee)


class Scope(str, Enum):
    """What a JumpStart model is resolved for."""

    INFERENCE = "inference"
    TRAINING = "training"


@dataclass(frozen=True)
class S3Artifact:
    """An S3 location SageMaker reads, in the shape of the ``S3DataSource`` API type.

    ``s3_data_type`` is ``S3Object`` (one object, usually a ``model.tar.gz``) or ``S3Prefix``
    (an uncompressed directory); ``compression_type`` is ``Gzip`` or ``None``.
    """

    s3_uri: str
    s3_data_type: str = "S3Object"
    compression_type: str = "Gzip"

    @property
    def is_prefix(self) -> bool:
        return self.s3_data_type == "S3Prefix"

    @staticmethod
    def from_uri(uri: str) -> "S3Artifact":
        """Classify a URI the way the SageMaker SDK does: a trailing ``/`` is an uncompressed prefix."""
        if uri.endswith("/"):
            return S3Artifact(uri, "S3Prefix", "None")
        return S3Artifact(uri, "S3Object", "Gzip" if uri.endswith((".tar.gz", ".tgz")) else "None")


def hub_arn_of(name: str, region: str, account: str) -> str:
    """A private SageMaker hub's ARN from its name (as the SDK's ``hub_name=`` completes it)."""
    return f"arn:aws:sagemaker:{region}:{account}:hub/{name}"


@dataclass(frozen=True)
class AdditionalDataSource:
    """A spec's additional model data source (for example a speculative-decoding draft model)."""

    channel_name: str
    artifact: S3Artifact
    requires_eula: bool = False  # the source names its own EULA (``hosting_eula_key``): AcceptEula once accepted
    accept_eula: Optional[bool] = None  # the spec's own ``model_access_config.accept_eula``, sent as is


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter of a trainable model, as the spec defines it."""

    name: str
    type: str
    default: Any
    scope: str = "algorithm"
    min: Optional[float] = None
    max: Optional[float] = None
    exclusive_min: Optional[float] = None
    exclusive_max: Optional[float] = None
    options: Optional[Tuple[Any, ...]] = None


@dataclass(frozen=True)
class ResolvedModel:
    """Everything the constructs need about one JumpStart model, for one region, scope and
    instance type. Produced by :mod:`constructs_jumpstart.resolver`, stored in the lockfile."""

    model_id: str
    requested_version: str
    version: str
    region: str
    scope: str
    instance_type: str
    image_uri: Optional[str]
    model_data: Optional[S3Artifact]
    script_uri: Optional[str] = None
    config_name: Optional[str] = None
    environment: Dict[str, str] = field(default_factory=dict)
    additional_data_sources: Tuple[AdditionalDataSource, ...] = ()
    hyperparameters: Tuple[Hyperparameter, ...] = ()
    default_hyperparameters: Dict[str, str] = field(default_factory=dict)
    supported_instance_types: Tuple[str, ...] = ()
    default_instance_type: Optional[str] = None
    available_configs: Tuple[str, ...] = ()
    eula_required: bool = False
    eula_url: Optional[str] = None
    network_isolation: bool = False
    deprecated: bool = False
    deprecated_message: Optional[str] = None
    vulnerable: bool = False
    vulnerabilities: Tuple[str, ...] = ()
    model_package_arn: Optional[str] = None
    training_supported: bool = False
    container_startup_health_check_timeout: Optional[int] = None
    model_data_download_timeout: Optional[int] = None
    volume_size: Optional[int] = None
    metric_definitions: Tuple[Dict[str, str], ...] = ()
    estimator_kwargs: Dict[str, Any] = field(default_factory=dict)
    container_hyperparameters: Dict[str, str] = field(default_factory=dict)
    """Training only: the SDK's container hyperparameters (entry point, submit directory)."""
    training_volume_size: Optional[int] = None
    resource_requirements: Dict[str, int] = field(default_factory=dict)
    """Inference: the spec's ``hosting_resource_requirements`` for the instance type
    (``min_memory_mb``, ``num_accelerators``), the defaults of an inference component."""
    default_content_type: Optional[str] = None
    supported_content_types: Tuple[str, ...] = ()
    default_accept_type: Optional[str] = None
    supported_accept_types: Tuple[str, ...] = ()
    hub_content_arn: Optional[str] = None
    """Resolved in a private hub: the hub content (a model reference or the hub's own model)."""
    hub_content_type: Optional[str] = None
    """``ModelReference`` (a public JumpStart model the hub references) or ``Model`` (the hub's own)."""
    default_payloads: Dict[str, Any] = field(default_factory=dict)
    """The spec's example requests (name -> ``content_type``, ``body``, ...), which
    a smoke test sends by default."""
    default_training_dataset_uri: Optional[str] = None
    """Training only: the spec's default dataset (``default_training_dataset_key`` in the JumpStart
    bucket of the region), which fine-tuning without ``training_data`` uses."""
    no_volume_kms_instance_types: Tuple[str, ...] = ()
    """Of the supported instance types (and the resolved one), those with local instance storage,
    for which SageMaker refuses a volume KMS key: the SDK's ``instance_supports_kms``, asked at
    resolve time and recorded, so a locked synth applies the SDK's rule without the SDK."""
    inference_ami_version: Optional[str] = None
    """Inference: the AMI the spec's deploy settings ask for (``deploy_kwargs["inference_ami_version"]``,
    which the SDK's ``deploy()`` sets as the variant's ``InferenceAmiVersion``), else ``None``."""
    source: str = "live"
    """Where the entry was resolved from: ``live``, ``shipped``, ``local:DIR`` (a metadata directory) or
    ``hub`` (the private hub its key names)."""
    spec_digest: str = ""
    """``sha256:`` of the spec it was resolved from (its JSON, keys sorted, compact; for a hub, the hub
    content document), so a reviewer can tell which spec an entry came from."""

    def sdk_tags(self) -> List[Dict[str, str]]:
        """The tags the SDK puts on what it creates for this model (``add_jumpstart_model_info_tags``),
        by which SageMaker Studio, the SDK's ``Predictor`` and ``jumpstart invoke`` recognise the model."""
        tags = [{"Key": "sagemaker-sdk:jumpstart-model-id", "Value": self.model_id},
                {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": self.version}]
        if self.config_name:
            tags.append({"Key": f"sagemaker-sdk:jumpstart-{self.scope}-config-name", "Value": self.config_name})
        if self.hub_content_arn:
            tags.append({"Key": "sagemaker-sdk:hub-content-arn", "Value": self.hub_content_arn})
        return tags

    def volume_kms_supported(self, instance_type: str) -> bool:
        """Whether SageMaker accepts a volume KMS key (and a volume size) on ``instance_type``."""
        return instance_type not in self.no_volume_kms_instance_types

    # -- (de)serialisation for the lockfile --------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        return _plain(dataclasses.asdict(self))

    def resolution(self) -> Dict[str, Any]:
        """:meth:`to_dict` without where it was read from (``source``, ``spec_digest``): the same resolution
        read from another place, or from a spec that changed elsewhere, serves the same model."""
        return {k: v for k, v in self.to_dict().items() if k not in ("source", "spec_digest")}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> "ResolvedModel":
        """Rebuild from :meth:`to_dict` output, checked against :data:`LOCK_SCHEMA` first. Raises
        ``ValueError`` naming the field and what it must be; the lockfile adds file and entry."""
        problems = schema_problems(data)
        if problems:
            raise ValueError("; ".join(problems))
        data = dict(data)
        md = data.get("model_data")
        data["model_data"] = S3Artifact(**md) if md else None
        data["additional_data_sources"] = tuple(
            AdditionalDataSource(
                channel_name=d["channel_name"],
                artifact=S3Artifact(**d["artifact"]),
                requires_eula=bool(d.get("requires_eula", False)),
                accept_eula=d.get("accept_eula"),
            )
            for d in data.get("additional_data_sources", ())
        )
        data["hyperparameters"] = tuple(
            Hyperparameter(**{**h, "options": tuple(h["options"]) if h.get("options") is not None else None})
            for h in data.get("hyperparameters", ())
        )
        for name in (
            "supported_instance_types", "available_configs", "vulnerabilities",
            "supported_content_types", "supported_accept_types", "no_volume_kms_instance_types",
        ):
            data[name] = tuple(data.get(name, ()))
        data["metric_definitions"] = tuple(dict(m) for m in data.get("metric_definitions", ()))
        return ResolvedModel(**data)


# -- the lockfile entry schema -----------------------------------------------------------------------

_STR, _OPT_STR, _BOOL, _OPT_INT = "a string", "a string or null", "true or false", "an integer or null"
_STR_LIST, _STR_MAP, _OBJ_LIST, _OPT_OBJ, _MAP = "a list of strings", "an object of strings", "a list of objects", \
    "an object or null", "an object"
LOCK_SCHEMA: Dict[str, str] = {
    "model_id": _STR, "requested_version": _STR, "version": _STR, "region": _STR, "scope": _STR, "instance_type": _STR,
    "image_uri": _OPT_STR, "model_data": _OPT_OBJ, "script_uri": _OPT_STR, "config_name": _OPT_STR,
    "environment": _STR_MAP, "additional_data_sources": _OBJ_LIST, "hyperparameters": _OBJ_LIST,
    "default_hyperparameters": _STR_MAP, "supported_instance_types": _STR_LIST, "default_instance_type": _OPT_STR,
    "available_configs": _STR_LIST, "eula_required": _BOOL, "eula_url": _OPT_STR, "network_isolation": _BOOL,
    "deprecated": _BOOL, "deprecated_message": _OPT_STR, "vulnerable": _BOOL, "vulnerabilities": _STR_LIST,
    "model_package_arn": _OPT_STR, "training_supported": _BOOL, "container_startup_health_check_timeout": _OPT_INT,
    "model_data_download_timeout": _OPT_INT, "volume_size": _OPT_INT, "metric_definitions": _OBJ_LIST,
    "estimator_kwargs": _MAP, "container_hyperparameters": _STR_MAP, "training_volume_size": _OPT_INT,
    "resource_requirements": _MAP, "default_content_type": _OPT_STR, "supported_content_types": _STR_LIST,
    "default_accept_type": _OPT_STR, "supported_accept_types": _STR_LIST, "no_volume_kms_instance_types": _STR_LIST,
    "default_training_dataset_uri": _OPT_STR, "default_payloads": _MAP, "hub_content_arn": _OPT_STR,
    "hub_content_type": _OPT_STR, "source": _STR, "spec_digest": _STR,
}
"""Every field of a lockfile entry and what it must be (all are required: the library writes them all)."""
LOCK_OPTIONAL: Dict[str, str] = {"inference_ami_version": _OPT_STR}
"""Fields added after entries were first written: written in every new entry, absent from older ones
(read as ``null``), so a committed lockfile stays valid."""
_VERSION_RE = r"^[0-9]+(\.[0-9]+)*([.-]?[A-Za-z0-9]+)*$"


def _fits(kind: str, value: Any) -> bool:
    str_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return {
        _STR: isinstance(value, str) and value != "",
        _OPT_STR: value is None or isinstance(value, str),
        _BOOL: isinstance(value, bool),
        _OPT_INT: value is None or (isinstance(value, int) and not isinstance(value, bool)),
        _STR_LIST: str_list,
        _STR_MAP: isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
        _OBJ_LIST: isinstance(value, list) and all(isinstance(v, dict) for v in value),
        _OPT_OBJ: value is None or isinstance(value, dict),
        _MAP: isinstance(value, dict),
    }[kind]


def schema_problems(data: Any) -> List[str]:
    """What is wrong with a lockfile entry: unknown, missing or mistyped fields, a version that is
    not a version, a model without an image (unless it is a model package), a malformed artifact."""
    import re

    if not isinstance(data, dict):
        return [f"an entry must be an object, not {type(data).__name__}"]
    problems = [f"unknown field '{k}'" for k in sorted(set(data) - set(LOCK_SCHEMA) - set(LOCK_OPTIONAL))]
    problems += [f"missing field '{k}'" for k in LOCK_SCHEMA if k not in data]
    problems += [f"field '{k}' must be {kind}, not {json_type(data[k])}"
                 for k, kind in {**LOCK_SCHEMA, **LOCK_OPTIONAL}.items() if k in data and not _fits(kind, data[k])]
    if problems:
        return problems
    if not re.match(r"^(live|shipped|hub|local:.+)$", data["source"]):
        problems.append(f"field 'source' {data['source']!r} is not live, shipped, hub or local:DIRECTORY")
    if not re.match(r"^sha256:[0-9a-f]{64}$", data["spec_digest"]):
        problems.append(f"field 'spec_digest' {data['spec_digest']!r} is not sha256: and 64 hex digits")
    if not re.match(_VERSION_RE, data["version"]):
        problems.append(f"field 'version' {data['version']!r} is not a version (like 3.0.25)")
    if data["image_uri"] is None and data["model_package_arn"] is None:
        problems.append("field 'image_uri' is null but the entry has no model_package_arn: the "
                        "model would have no image")
    artifact = data["model_data"]
    if artifact is not None and not (isinstance(artifact.get("s3_uri"), str) and artifact["s3_uri"].startswith("s3://")
                                     and set(artifact) <= {"s3_uri", "s3_data_type", "compression_type"}):
        problems.append("field 'model_data' must be an object with an s3:// 's3_uri' (and "
                        "s3_data_type, compression_type)")
    return problems


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively, so the JSON round trip is exact."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
