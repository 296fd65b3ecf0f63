"""Glue between the constructs and the resolver: lockfile first, resolver only when needed.

Constructs call :func:`resolve_for` and get a :class:`ResolvedModel`; they never learn whether it
came from the lockfile or from the SageMaker SDK.
"""

from __future__ import annotations

from typing import Any, Optional

from constructs import Construct

from ._checks import facts, lockfile_path
from .errors import LockfileError
from .lockfile import (
    CONTEXT_FROZEN,
    CONTEXT_METADATA,
    CONTEXT_REFRESH,
    CONTEXT_USED_KEYS,
    LockKey,
    open_lockfile,
    record_use,
)
from .types import ResolvedModel


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def resolve_for(construct: Construct, key: LockKey) -> ResolvedModel:
    """The resolution of ``key``, from the lockfile when recorded, else from the resolver (and
    then recorded)."""
    context = facts(construct).context_value
    lock = open_lockfile(lockfile_path(construct))
    skey = str(key)
    refresh = _truthy(context(CONTEXT_REFRESH))
    record_use(lock.path, skey, context(CONTEXT_USED_KEYS))
    cached: Optional[ResolvedModel] = lock.get(key)
    if cached is not None and (not refresh or skey in lock.refreshed):
        return cached
    if _truthy(context(CONTEXT_FROZEN)):
        if context(CONTEXT_USED_KEYS):  # `jumpstart lock --check` runs the app: say it in its terms
            raise LockfileError(f"{lock.path} has no entry '{skey}': run `jumpstart lock` and commit the lockfile.")
        raise LockfileError(
            f"Lockfile {lock.path} has no entry '{skey}' and jumpstart:frozen is set. "
            "Run `cdk synth` without -c jumpstart:frozen=true (or `jumpstart lock`) and commit the lockfile."
        )
    from . import resolver  # the SDK itself is imported inside resolver.resolve

    model = resolver.resolve(
        key.model_id,
        key.version,
        region=key.region,
        scope=key.scope,
        instance_type=key.instance_type,
        config_name=key.config_name,
        hub=key.hub,
        source=context(CONTEXT_METADATA),
    )
    lock.put(key, model)
    lock.refreshed.add(skey)
    lock.save()
    return model
