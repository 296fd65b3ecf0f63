"""The endpoint's KMS key: created only where something uses it (the ML storage volume, where the
instance types have one, and what the endpoint writes), and the cdk-nag reasons where a volume key is
impossible."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from .. import _iam
from ..nag import nag_suppress

_PENDING_WINDOW: List[Duration] = []


def _key_pending_window() -> Duration:
    """7 days (KMS's minimum is 7), built once rather than once per endpoint."""
    if not _PENDING_WINDOW:
        _PENDING_WINDOW.append(Duration.days(7))
    return _PENDING_WINDOW[0]


def acknowledge_no_volume_key(config: Any, reason: str, hipaa_reason: str) -> None:
    """cdk-nag: an endpoint config that cannot have a volume KMS key (SM2 and its HIPAA twin)."""
    nag_suppress(config, {"id": "AwsSolutions-SM2", "reason": reason},
                 {"id": "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
                  "reason": f"As AwsSolutions-SM2: {hipaa_reason}"})


def local_storage_instance_types(models: Sequence[Any], fleet_type: Optional[str], components: bool,
                                 pools: Sequence[Sequence[Any]] = ()) -> List[str]:
    """The endpoint's instance types (every pool's too) that have local storage (no volume key), by
    the SDK's rule as each model's resolution recorded it."""
    if components:
        pairs = [(m, fleet_type) for m in models]
    else:
        pairs = [(m, m.instance_type) for m in models]
    pairs += [(m, p.instance_type) for m, pooled in zip(models, pools) for p in pooled]
    found = [t for m, t in pairs if t and not m.resolved.volume_kms_supported(t)]
    return list(dict.fromkeys(found))


def build_key(scope: Construct, path: str, models: Sequence[Any], encryption_key: Optional[kms.IKey],
              volume_encryption: bool, serverless: bool, local_storage: List[str],
              writes_data: bool) -> Tuple[Optional[kms.IKey], Optional[kms.IKey]]:
    """(the endpoint's key, the volume key): the key created only where something uses it."""
    volume_key_allowed = not serverless and not local_storage
    if local_storage and not serverless:
        Annotations.of(scope).add_info(
            f"no KmsKeyId on the endpoint config: {', '.join(local_storage)} store on local instance storage, "
            "which the hardware encrypts and SageMaker refuses a key for (the SDK's instance_supports_kms)."
        )
    key = encryption_key
    if encryption_key is None and volume_encryption and (volume_key_allowed or writes_data):
        # created only where something uses it; kept as long as the data it encrypts (the async
        # results and captured data are retained on destroy, so is their key)
        key = kms.Key(
            scope, "Key", enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if writes_data else RemovalPolicy.DESTROY,
            pending_window=_key_pending_window(),
            description=f"Encrypts the storage and outputs of endpoint {path}",
        )
    if key is not None and writes_data:
        for model in models:  # they write async results / captured data with the key
            _iam.acknowledge_grant(model, key.grant_encrypt_decrypt(model.role), _iam.KEY_REASON)
    return key, key if volume_key_allowed else None
