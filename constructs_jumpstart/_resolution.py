"""Glue between the constructs and the resolver: lockfile first, resolver only when needed.

Constructs call :func:`resolve_for` and get a :class:`ResolvedModel`; they never learn whether it
came from the lockfile or from the SageMaker SDK. Either way it is held to what the SDK resolves to
(:mod:`constructs_jumpstart._trust`, with the app's opt-ins): the lockfile's entries when it is loaded,
a fresh resolution before it is recorded.
"""

from __future__ import annotations

import weakref
from typing import Any, Optional, Sequence, Tuple

from constructs import Construct

from ._checks import facts, lockfile_path
from ._trust import Trust, entry_problems
from .errors import LockfileError, MetadataError
from ._objective import Choice, choose_from_spec, options
from .lockfile import (
    CONTEXT_FROZEN,
    CONTEXT_METADATA,
    CONTEXT_PRICES,
    CONTEXT_REFRESH,
    CONTEXT_USED_KEYS,
    ChoiceKey,
    LockKey,
    first_note,
    open_lockfile,
    record_use,
)
from .types import ResolvedModel


_RESOLVED_NOW: "weakref.WeakValueDictionary[int, ResolvedModel]" = weakref.WeakValueDictionary()
"""The resolutions this process made (not read from the lockfile), by identity (they hold dicts: no hash)."""


def resolved_now(model: ResolvedModel) -> bool:
    """Whether ``model`` was resolved in this synth rather than read from the lockfile: a floating
    version is news then (it resolved, or changed), not on every locked synth."""
    return _RESOLVED_NOW.get(id(model)) is model


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def resolve_for(construct: Construct, key: LockKey) -> ResolvedModel:
    """The resolution of ``key``, from the lockfile when recorded, else from the resolver (and
    then recorded)."""
    context = facts(construct).context_value
    trust = Trust.from_context(context)
    refresh = _truthy(context(CONTEXT_REFRESH))
    lock = open_lockfile(lockfile_path(construct), None if refresh else trust)
    skey = str(key)
    record_use(lock.path, skey, context(CONTEXT_USED_KEYS))
    cached: Optional[ResolvedModel] = lock.get(key)
    if cached is not None and (not refresh or skey in lock.refreshed):
        _note_source(construct, lock.path, skey, cached)
        return cached
    if _truthy(context(CONTEXT_FROZEN)):
        if context(CONTEXT_USED_KEYS):  # `jumpstart lock --check` runs the app: say it in its terms
            raise LockfileError(f"{lock.path} has no entry '{skey}': run `jumpstart lock` and commit the lockfile.")
        raise LockfileError(
            f"Lockfile {lock.path} has no entry '{skey}' and jumpstart:frozen is set. "
            "Run `cdk synth` without -c jumpstart:frozen=true (or `jumpstart lock`) and commit the lockfile."
        )
    model = _resolve_missing(key, lock.path, context(CONTEXT_METADATA))
    problems = entry_problems(key, model, trust)
    if problems:  # e.g. a local metadata directory naming a registry or bucket of its own
        raise MetadataError(f"JumpStart metadata ({model.source}) resolves '{skey}' outside what the SageMaker SDK "
                            f"resolves to: {'; '.join(problems)}. Fix the metadata, or trust a registry or bucket of "
                            "your own explicitly: -c jumpstart:trusted-registries=HOST / jumpstart:trusted-buckets=B.")
    lock.put(key, model)
    lock.refreshed.add(skey)
    _RESOLVED_NOW[id(model)] = model
    lock.save()
    _note_source(construct, lock.path, skey, model)
    return model


def _resolve_missing(key: LockKey, path: Any, source: Optional[str]) -> ResolvedModel:
    """Resolve an entry the lockfile lacks. When the catalog cannot be read (no credentials in CI, no
    network), the error says first that the lockfile is stale, which entry it lacks and how to add it:
    the catalog's own failure is only the second half of the story."""
    from . import resolver  # the SDK itself is imported inside resolver.resolve

    try:
        return resolver.resolve(key.model_id, key.version, region=key.region, scope=key.scope,
                                instance_type=key.instance_type, config_name=key.config_name, hub=key.hub,
                                source=source)
    except MetadataError as error:
        raise MetadataError(
            f"Lockfile {path} has no entry '{key}', which this app uses, so it was resolved and that failed: {error} "
            "To add the entry, run `jumpstart lock` (or `cdk synth`) where the catalog can be read and commit the "
            "lockfile; -c jumpstart:frozen=true makes a synth refuse a stale lockfile at once.") from None


def _note_source(construct: Construct, path: Any, key: str, model: ResolvedModel) -> None:
    """Say once per lockfile (an info in ``cdk synth`` output) that a model was not resolved from the live
    catalog or a hub: the shipped catalog holds test fixtures, and a local directory is whatever it holds."""
    if model.source in ("live", "hub") or not first_note(path):
        return
    # what Annotations.add_info records ("aws:cdk:info"), without the JavaScript stack trace cdk would print
    construct.node.add_metadata(
        "aws:cdk:info",
        f"jumpstart: '{key}' (and maybe other entries of {path}) was resolved from {model.source}, not from the live "
        "JumpStart catalog: re-resolve with -c jumpstart:metadata=live -c jumpstart:refresh=true before a "
        "production deploy.", stack_trace=False)



def choose_for(construct: Construct, model_id: str, version: str, region: str, objective: str, concurrency: int = 1,
               instance_types: Optional[Sequence[str]] = None) -> Tuple[str, Choice]:
    """(resolved version, :class:`~constructs_jumpstart._objective.Choice`) of the inference config and instance
    type that best meet ``objective`` (``"latency"``, ``"throughput"``, ``"cost"``) at ``concurrency``, among
    ``instance_types`` (``None``: any the spec measured): from the lockfile's ``choices`` when recorded, else
    from the spec's figures through the resolver (and then recorded), as :func:`resolve_for` does (refresh,
    frozen). Adds a synth info saying what was chosen and why. The construct then resolves
    ``LockKey(model_id, version, region, "inference", choice.instance_type, choice.config_name)``.

    Raises :class:`~constructs_jumpstart._objective.ObjectiveError` (bad objective or concurrency, no figures
    for the allowed instance types, no recorded prices for ``"cost"``), :class:`LockfileError` (frozen and not
    recorded), or the resolver's errors (unknown model or version)."""
    context = facts(construct).context_value
    refresh = _truthy(context(CONTEXT_REFRESH))
    lock = open_lockfile(lockfile_path(construct), None if refresh else Trust.from_context(context))
    allowed = tuple(t if t.startswith("ml.") else f"ml.{t}" for t in instance_types) if instance_types else None
    key = ChoiceKey(model_id, version, region, objective, concurrency, allowed)
    skey = str(key)
    record_use(lock.path, skey, context(CONTEXT_USED_KEYS))
    recorded = lock.choices.get(skey)
    if recorded is not None and (not refresh or skey in lock.refreshed):
        choice = Choice.from_json(recorded)
        _note_choice(construct, choice)
        return recorded["version"], choice
    if _truthy(context(CONTEXT_FROZEN)):
        if context(CONTEXT_USED_KEYS):
            raise LockfileError(f"{lock.path} has no choice '{skey}': run `jumpstart lock` and commit the lockfile.")
        raise LockfileError(
            f"Lockfile {lock.path} has no choice '{skey}' and jumpstart:frozen is set. "
            "Run `cdk synth` without -c jumpstart:frozen=true (or `jumpstart lock`) and commit the lockfile.")
    from . import resolver

    resolved, spec = resolver.benchmark_spec(model_id, version, region=region, source=context(CONTEXT_METADATA))
    prices = None
    if objective == "cost":
        if _truthy(context(CONTEXT_PRICES)):
            measured = {o.instance_type for o in options(spec)}
            wanted = sorted(measured & set(allowed) if allowed else measured)
            recorded_prices = dict(lock.prices.get(region, {}).get("usd_per_hour", {}))
            recorded_prices.update(resolver.instance_prices(region, wanted))
            lock.prices[region] = {"source": resolver.PRICE_SOURCE,
                                   "usd_per_hour": dict(sorted(recorded_prices.items()))}
        prices = lock.prices.get(region, {}).get("usd_per_hour")
    choice = choose_from_spec(spec, objective, concurrency, allowed, prices)
    lock.choices[skey] = {"version": resolved, **choice.to_json()}
    lock.refreshed.add(skey)
    lock.save()
    _note_choice(construct, choice)
    return resolved, choice


def _note_choice(construct: Construct, choice: Choice) -> None:
    construct.node.add_metadata("aws:cdk:info", f"jumpstart: optimize_for=\"{choice.objective}\" chose {choice.why}",
                                stack_trace=False)
