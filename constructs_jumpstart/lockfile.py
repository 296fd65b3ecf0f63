"""The JumpStart lockfile: every resolution a synth needs, recorded so re-synth is deterministic.

``jumpstart.lock.json`` (next to ``cdk.json``; the context key ``jumpstart:lockfile`` overrides the
path) maps a key of model id + requested version + region + scope + instance type (+ inference
config) to the full :class:`~constructs_jumpstart.types.ResolvedModel`, including the concrete
version a ``"*"`` resolved to. A synth whose models are all in the lockfile never imports the
SageMaker SDK and makes no network call.

Context keys (``cdk synth -c KEY=VALUE`` or ``cdk.json``):

* ``jumpstart:lockfile``: path of the lockfile (default ``jumpstart.lock.json`` in the app's
  working directory, which is where ``cdk.json`` is).
* ``jumpstart:refresh``: ``true`` re-resolves every model the app uses and rewrites its entries
  (for example to pick up a new latest version behind ``"*"``).
* ``jumpstart:frozen``: ``true`` refuses to resolve anything not in the lockfile (CI pipelines).
* ``jumpstart:metadata``: where unlocked models are resolved from: ``live`` (default),
  ``shipped`` or a local metadata directory in the JumpStart layout.
* ``jumpstart:prices``: ``true`` records instance prices (AWS Price List API) for ``optimize_for="cost"``.
* ``jumpstart:trusted-registries`` / ``jumpstart:trusted-buckets``: ECR registries (hosts, or accounts
  meaning their ECR in the entry's region) and S3 buckets of your own an entry may name; nothing else
  beyond what the SageMaker SDK resolves to is accepted (:mod:`constructs_jumpstart._trust`).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from ._trust import Trust, entry_problems
from .errors import LockfileError
from .types import ResolvedModel

DEFAULT_LOCKFILE = "jumpstart.lock.json"
CONTEXT_LOCKFILE = "jumpstart:lockfile"
CONTEXT_REFRESH = "jumpstart:refresh"
CONTEXT_FROZEN = "jumpstart:frozen"
CONTEXT_METADATA = "jumpstart:metadata"
CONTEXT_PRICES = "jumpstart:prices"
"""``true``: a choice by cost first records the instance prices of its region (the AWS Price List API) in the
lockfile (``jumpstart lock --prices`` sets it)."""
FORMAT_VERSION = 4
"""2: entries record the SDK's instance-storage rule (``no_volume_kms_instance_types``).
3: an additional data source records the spec's own access (``accept_eula``) and whether it has a
EULA of its own (``requires_eula``, which used to mean "gated provider or any access config"); a
training entry records the spec's default dataset (``default_training_dataset_uri``), an inference
entry its example requests (``default_payloads``).
4: an entry records where it was resolved from (``source``) and the digest of its spec (``spec_digest``),
which only a new resolution knows: older files are refused, not migrated.
Still 4, and read by every version-4 reader: optional top-level ``choices`` (a deployment chosen by objective,
:class:`ChoiceKey` -> the resolved version, the choice and the figures it rests on) and ``prices`` (region ->
instance type -> USD per hour, recorded from the AWS Price List API), written only when not empty."""


@dataclass(frozen=True)
class LockKey:
    """What a resolution depends on. ``instance_type``/``config_name`` ``None`` mean "the spec's
    default", which is recorded as such so the entry is found again."""

    model_id: str
    version: str
    region: str
    scope: str
    instance_type: Optional[str] = None
    config_name: Optional[str] = None
    hub: Optional[str] = None
    """The ARN of the private hub the model is resolved in (``None``: the public catalog)."""

    @staticmethod
    def parse(text: str) -> "LockKey":
        """The key a lockfile entry is stored under (the inverse of ``str``)."""
        model, region, scope, instance, *rest = text.split("|")
        model_id, _, version = model.rpartition("@")
        extra = dict(part.partition("=")[::2] for part in rest)
        return LockKey(model_id, version, region, scope, None if instance == "default-instance" else instance,
                       extra.get("config"), extra.get("hub"))

    def __str__(self) -> str:
        parts = [
            f"{self.model_id}@{self.version}",
            self.region,
            self.scope,
            self.instance_type or "default-instance",
        ]
        if self.config_name:
            parts.append(f"config={self.config_name}")
        if self.hub:
            parts.append(f"hub={self.hub}")
        return "|".join(parts)


@dataclass(frozen=True)
class ChoiceKey:
    """What a choice by objective depends on: the model request, the region, the objective, the
    concurrency and the allowed instance types (``None``: any the spec measured)."""

    model_id: str
    version: str
    region: str
    objective: str
    concurrency: int
    instance_types: Optional[Tuple[str, ...]] = None

    @staticmethod
    def parse(text: str) -> "ChoiceKey":
        model, region, *rest = text.split("|")
        model_id, _, version = model.rpartition("@")
        extra = dict(part.partition("=")[::2] for part in rest)
        types = extra.get("types")
        return ChoiceKey(model_id, version, region, extra["optimize"], int(extra["concurrency"]),
                         tuple(types.split(",")) if types else None)

    def __str__(self) -> str:
        parts = [f"{self.model_id}@{self.version}", self.region, f"optimize={self.objective}",
                 f"concurrency={self.concurrency}"]
        if self.instance_types is not None:
            parts.append(f"types={','.join(self.instance_types)}")
        return "|".join(parts)


class Lockfile:
    """An in-memory lockfile bound to one path. Use :func:`open_lockfile` to share one per path."""

    def __init__(self, path: Path, entries: Optional[Dict[str, ResolvedModel]] = None,
                 choices: Optional[Dict[str, Dict[str, Any]]] = None,
                 prices: Optional[Dict[str, Dict[str, Any]]] = None):
        self.path = path
        self.entries: Dict[str, ResolvedModel] = dict(entries or {})
        self.choices: Dict[str, Dict[str, Any]] = dict(choices or {})
        """:class:`ChoiceKey` text -> ``{"version": resolved version, **Choice.to_json()}``."""
        self.prices: Dict[str, Dict[str, Any]] = dict(prices or {})
        """region -> ``{"source": ..., "usd_per_hour": {instance type: price}}``."""
        self.refreshed: Set[str] = set()

    @classmethod
    def load(cls, path: Path, trust: Trust = Trust()) -> "Lockfile":
        """The lockfile at ``path``, every entry checked against its schema and against what the SDK
        resolves to (:mod:`constructs_jumpstart._trust`, with the app's opt-ins ``trust``)."""
        lock = cls.read_unchecked(path)
        lock.check(trust)
        return lock

    def check(self, trust: Trust) -> None:
        """Raise one :class:`LockfileError` naming every entry, field and value that points outside
        what the SDK resolves to."""
        problems = [f"entry '{key}': {problem}" for key, model in sorted(self.entries.items())
                    for problem in entry_problems(LockKey.parse(key), model, trust)]
        if problems:
            raise LockfileError(untrusted_message(self.path, problems))

    @classmethod
    def read_unchecked(cls, path: Path) -> "Lockfile":
        """The lockfile at ``path`` checked against its schema only (for what checks its entries itself)."""
        if not path.exists():
            return cls(path)
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise LockfileError(f"Lockfile {path} is not valid JSON: {err}. Fix or delete it.") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("entries"), dict):
            raise LockfileError(
                f"Lockfile {path} is malformed: expected an object with 'version' and 'entries'. "
                "Fix or delete it (the next synth re-resolves)."
            )
        if raw.get("version") != FORMAT_VERSION:
            raise LockfileError(
                f"Lockfile {path} has format version {raw.get('version')!r}; this library reads "
                f"version {FORMAT_VERSION}. Delete it and synthesize again to re-resolve."
            )
        entries: Dict[str, ResolvedModel] = {}
        for key, value in raw["entries"].items():
            try:
                entries[key] = ResolvedModel.from_dict(value)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise LockfileError(
                    f"Lockfile {path}: entry '{key}' is malformed: {err}. "
                    "Delete that entry (or run with -c jumpstart:refresh=true) to re-resolve it."
                ) from None
        choices, prices = raw.get("choices") or {}, raw.get("prices") or {}
        try:
            for key, choice in choices.items():
                ChoiceKey.parse(key)
                assert isinstance(choice, dict) and isinstance(choice["config_name"], str)
                assert isinstance(choice["instance_type"], str) and isinstance(choice["version"], str)
            for region, recorded in prices.items():
                assert all(isinstance(v, (int, float)) for v in recorded["usd_per_hour"].values())
        except (AssertionError, AttributeError, KeyError, TypeError, ValueError) as err:
            raise LockfileError(
                f"Lockfile {path}: its 'choices' or 'prices' are malformed ({err!r}). Delete them (the next synth "
                "chooses again; `jumpstart lock --prices` records prices) or fix them.") from None
        return cls(path, entries, choices, prices)

    def get(self, key: LockKey) -> Optional[ResolvedModel]:
        return self.entries.get(str(key))

    def put(self, key: LockKey, model: ResolvedModel) -> None:
        self.entries[str(key)] = model

    def to_json(self) -> str:
        body: Dict[str, Any] = {
            "version": FORMAT_VERSION,
            "comment": "Generated by constructs_jumpstart. Commit this file; "
            "re-resolve with `cdk synth -c jumpstart:refresh=true`.",
            "entries": {k: self.entries[k].to_dict() for k in sorted(self.entries)},
        }
        if self.choices:
            body["choices"] = {k: self.choices[k] for k in sorted(self.choices)}
        if self.prices:
            body["prices"] = self.prices
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    def save(self) -> None:
        text = self.to_json()
        if self.path.exists() and self.path.read_text() == text:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".jumpstart.lock.", dir=str(self.path.parent))
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # a source file to commit (mkstemp makes it 0600)
        os.replace(tmp, self.path)

    def prune(self, used: Set[str]) -> List[str]:
        """Drop the entries (and choices) not in ``used``; returns what was dropped."""
        unused = sorted((set(self.entries) | set(self.choices)) - used)
        for key in unused:
            self.entries.pop(key, None)
            self.choices.pop(key, None)
        return unused


def untrusted_message(path: Path, problems: List[str]) -> str:
    lines = "\n".join(f"  - {p}" for p in problems)
    return (f"Lockfile {path} points outside what the SageMaker SDK resolves to ({len(problems)} problem(s)):\n"
            f"{lines}\nRe-resolve those entries (`jumpstart lock --refresh`, or -c jumpstart:refresh=true), or trust "
            "a registry or bucket of your own explicitly in the app's context: -c jumpstart:trusted-registries=HOST "
            "or -c jumpstart:trusted-buckets=BUCKET (never in the lockfile).")


class ReportedLockfileError(LockfileError):
    """The lockfile's error again, for every construct after the first: the app reports it once."""

    reported = True


_OPEN: Dict[Path, Any] = {}
_CHECKED: Dict[Tuple[Path, Trust], Optional[LockfileError]] = {}


_TEMPLATE_FIELDS = ("version", "image_uri", "script_uri", "config_name", "model_package_arn", "eula_required",
                    "network_isolation", "volume_size", "container_startup_health_check_timeout",
                    "model_data_download_timeout", "training_volume_size", "inference_ami_version")


def upgrade_changes(old: ResolvedModel, new: ResolvedModel) -> List[Tuple[str, str, str]]:
    """(field, locked, upgraded) for what an upgrade changes in the template: version, image,
    artifacts, data sources, each environment variable, and the settings that reach the template."""
    def show(value: Any) -> str:
        return "-" if value in (None, "", {}, []) else str(value)

    rows = [(f, show(getattr(old, f)), show(getattr(new, f)))
            for f in _TEMPLATE_FIELDS if getattr(old, f) != getattr(new, f)]
    artifact = lambda m: m.model_data.s3_uri if m.model_data else None  # noqa: E731
    if artifact(old) != artifact(new):
        rows.append(("artifact", show(artifact(old)), show(artifact(new))))
    sources = lambda m: {d.channel_name: d.artifact.s3_uri for d in m.additional_data_sources}  # noqa: E731
    for channel in sorted(set(sources(old)) | set(sources(new))):
        if sources(old).get(channel) != sources(new).get(channel):
            rows.append((f"data source {channel}", show(sources(old).get(channel)), show(sources(new).get(channel))))
    for name in sorted(set(old.environment) | set(new.environment)):
        if old.environment.get(name) != new.environment.get(name):
            rows.append((f"env {name}", show(old.environment.get(name)), show(new.environment.get(name))))
    return rows


_VERIFIED_FIELDS = _TEMPLATE_FIELDS + (
    "model_data", "additional_data_sources", "container_hyperparameters", "default_hyperparameters",
    "hyperparameters", "metric_definitions", "estimator_kwargs", "default_training_dataset_uri",
    "supported_instance_types", "default_instance_type", "no_volume_kms_instance_types", "resource_requirements",
    "eula_url", "hub_content_arn", "hub_content_type")


def verify_changes(locked: ResolvedModel, fresh: ResolvedModel) -> List[Tuple[str, str, str]]:
    """(field, locked, re-resolved) for every difference in what reaches a template: the rows of
    :func:`upgrade_changes`, then every other such field whole (artifact and data-source types and access,
    hyperparameters, the instance-type facts, the EULA, the hub content)."""
    rows = upgrade_changes(locked, fresh)
    old, new = locked.to_dict(), fresh.to_dict()
    for name in _VERIFIED_FIELDS:
        if name not in (row[0] for row in rows) and _without_uris(old[name]) != _without_uris(new[name]):
            rows.append((name, json.dumps(old[name], sort_keys=True), json.dumps(new[name], sort_keys=True)))
    return rows


def _without_uris(value: Any) -> Any:
    """``value`` without its S3 URIs, which :func:`upgrade_changes` shows already (``artifact``, ``data source``)."""
    if isinstance(value, dict):
        return {k: _without_uris(v) for k, v in value.items() if k != "s3_uri"}
    if isinstance(value, list):
        return [_without_uris(v) for v in value]
    return value


def open_lockfile(path: Path, trust: Optional[Trust] = Trust()) -> Lockfile:
    """The process-wide :class:`Lockfile` for ``path``, loaded once and checked once per set of opt-ins
    (``trust`` ``None``: not checked, for a refresh, which re-resolves and checks what it records).
    A lockfile that cannot be used raises its error for the first construct, then a
    :class:`ReportedLockfileError` (which no construct reports again) for every other one."""
    path = path.resolve()
    if path not in _OPEN:
        try:
            _OPEN[path] = Lockfile.read_unchecked(path)
        except LockfileError as error:
            _OPEN[path] = error
            raise
    opened = _OPEN[path]
    if isinstance(opened, LockfileError):
        raise ReportedLockfileError(str(opened))
    if trust is None:
        return opened
    if (path, trust) not in _CHECKED:
        try:
            opened.check(trust)
            _CHECKED[(path, trust)] = None
        except LockfileError as error:
            _CHECKED[(path, trust)] = error
            raise
    if _CHECKED[(path, trust)] is not None:
        raise ReportedLockfileError(str(_CHECKED[(path, trust)]))
    return opened


_NOTED: Set[Path] = set()


def first_note(path: Path) -> bool:
    """``True`` the first time it is asked for ``path`` (a note said once per lockfile, not per construct)."""
    if path in _NOTED:
        return False
    _NOTED.add(path)
    return True


def forget_open_lockfiles() -> None:
    """Drop the per-process cache (tests use this between apps)."""
    _OPEN.clear()
    _CHECKED.clear()
    _NOTED.clear()
    _USED.clear()


# -- which entries an app uses (for `jumpstart lock --prune` and `--check`) ---------------------------

CONTEXT_USED_KEYS = "jumpstart:used-keys-file"
_USED: Dict[str, Set[str]] = {}


def record_use(path: Path, key: str, report_to: Optional[str]) -> None:
    """Remember that this app used ``key`` of the lockfile at ``path``; with ``report_to`` (the
    ``jumpstart lock`` command sets it), the keys are written there when the app exits."""
    first = not _USED
    _USED.setdefault(str(path.resolve()), set()).add(key)
    if report_to and first:
        import atexit

        atexit.register(lambda: Path(report_to).write_text(json.dumps({k: sorted(v) for k, v in _USED.items()})))
