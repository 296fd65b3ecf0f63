"""Plain data handed from the resolver to the constructs.

Nothing here imports the SageMaker SDK or the CDK: a :class:`ResolvedModel` is pure data, which is
what lets a locked synth run without the SDK and lets the lockfile store it as JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Tuple


class ModelDataUri(str):
    """An S3 URI of model artifacts (usually a token) that knows how to grant read access to it.

    :attr:`JumpStartTrainingJob.model_data` is one: a :class:`JumpStartModel` given it as
    ``model_data`` grants its execution role read access to exactly that training output.
    """

    _grant: Any = None
    s3_data_type: str = "S3Object"
    """``S3Object`` for a ``model.tar.gz``; ``S3Prefix`` for uncompressed output."""

    def __new__(cls, value: str, grant: Any = None, s3_data_type: str = "S3Object") -> "ModelDataUri":
        obj = super().__new__(cls, value)
        obj._grant = grant
        obj.s3_data_type = s3_data_type
        return obj

    def grant_read(self, grantee: Any) -> None:
        if self._grant is not None:
            self._grant(grantee)


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


@dataclass(frozen=True)
class AdditionalDataSource:
    """A spec's additional model data source (for example a speculative-decoding draft model)."""

    channel_name: str
    artifact: S3Artifact
    requires_eula: bool = False


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
    no_volume_kms_instance_types: Tuple[str, ...] = ()
    """Of the supported instance types (and the resolved one), those with local instance storage,
    for which SageMaker refuses a volume KMS key: the SDK's ``instance_supports_kms``, asked at
    resolve time and recorded, so a locked synth applies the SDK's rule without the SDK."""

    def volume_kms_supported(self, instance_type: str) -> bool:
        """Whether SageMaker accepts a volume KMS key (and a volume size) on ``instance_type``."""
        return instance_type not in self.no_volume_kms_instance_types

    # -- (de)serialisation for the lockfile --------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        return _plain(dataclasses.asdict(self))

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> "ResolvedModel":
        """Rebuild from :meth:`to_dict` output. Raises ``KeyError``/``TypeError``/``ValueError``
        on malformed input; the lockfile turns those into a message naming the entry."""
        data = dict(data)
        known = {f.name for f in dataclasses.fields(ResolvedModel)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        md = data.get("model_data")
        data["model_data"] = S3Artifact(**md) if md else None
        data["additional_data_sources"] = tuple(
            AdditionalDataSource(
                channel_name=d["channel_name"],
                artifact=S3Artifact(**d["artifact"]),
                requires_eula=bool(d.get("requires_eula", False)),
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
        for name in ("model_id", "requested_version", "version", "region", "scope", "instance_type"):
            if not isinstance(data.get(name), str):
                raise ValueError(f"field '{name}' must be a string")
        return ResolvedModel(**data)


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively, so the JSON round trip is exact."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
