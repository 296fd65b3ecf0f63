"""Browse the JumpStart catalog from Python, as the SDK's ``list_jumpstart_models`` does, on the live
catalog, the one shipped with this package, or a local metadata directory.

>>> from constructs_jumpstart.catalog import And, Or, list_models, describe, hyperparameters
>>> list_models(filter=And("task == ic", "framework == pytorch"), source="shipped")
['pytorch-ic-mobilenet-v2']
>>> list_models(filter="(task == ic or task == llm) and training_supported == true", source="shipped")
['fixture-llm-families', 'fixture-llm-finetune', 'pytorch-ic-mobilenet-v2']

Filters: ``FIELD OP VALUE`` with the fields of :data:`FIELDS` and the operators ``==``, ``!=``,
``in``, ``not in`` (as the SDK's ``ModelFilter``; ``in`` takes ``[a, b]``), combined with
:class:`And` / :class:`Or` objects or ``and`` / ``or`` and parentheses in one string, nested to any
depth. Boolean fields match ``true``/``false`` and also ``yes``/``no`` (what the CLI's table shows).
Local metadata is read without importing the SageMaker SDK (0.2 s where the SDK takes 2.5 s), and
:func:`describe` and :func:`hyperparameters` answer from the spec JSON where it settles the answer
(``resolver.local_describe``); the live catalog goes through the SDK's metadata cache.

This package directory also holds the shipped metadata (``models_manifest.json`` and the specs).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

FIELDS = ("model_id", "version", "framework", "task", "provider", "training_supported", "gated", "deprecated")
OPERATORS = ("==", "!=", "in", "not in")
_SPEC_FIELDS = {"training_supported", "gated", "deprecated"}
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class FilterError(ValueError):
    """A filter expression that does not parse; the message gives the position."""


# -- the expression language -------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """``FIELD OP VALUE`` (one ``ModelFilter`` of the SDK)."""

    field: str
    op: str
    values: Tuple[str, ...]

    @staticmethod
    def parse(text: str, offset: int = 0, whole: Optional[str] = None) -> "Condition":
        whole = whole if whole is not None else text
        match = re.match(r"^\s*(?P<field>[A-Za-z_]+)\s*", text)
        if not match:
            raise FilterError(f"bad filter {whole!r} at position {offset}: expected a field name "
                              f"({', '.join(FIELDS)}).")
        name, pos = match["field"], match.end()
        if name not in FIELDS:
            raise FilterError(f"bad filter {whole!r} at position {offset + match.start('field')}: "
                              f"unknown field {name!r}; "
                              f"fields: {', '.join(FIELDS)}.")
        rest = text[pos:]
        op = next((o for o in ("not in", "==", "!=", "in")
                   if rest.startswith(o) and (o[-1] == "=" or rest[len(o):len(o) + 1] in (" ", "[", "(", ""))), None)
        if op is None:
            raise FilterError(f"bad filter {whole!r} at position {offset + pos}: expected one of "
                              f"{', '.join(OPERATORS)}.")
        raw = rest[len(op):].strip()
        if not raw:
            raise FilterError(f"bad filter {whole!r} at position {offset + len(text.rstrip())}: expected "
                              f"a value after {op!r}.")
        if op in ("in", "not in"):
            values = tuple(v.strip().strip("'\"") for v in raw.strip("[]()").split(",") if v.strip())
        else:
            values = (raw.strip("'\""),)
        if name in _SPEC_FIELDS:
            odd = [v for v in values if v.lower() not in _TRUE | _FALSE]
            if odd:
                raise FilterError(f"bad filter {whole!r}: {name} is yes or no (also true/false, 1/0); "
                                  f"got {odd[0]!r}.")
        return Condition(name, op, tuple(_normal(v) if name in _SPEC_FIELDS else v for v in values))

    @property
    def needs_spec(self) -> bool:
        return self.field in _SPEC_FIELDS

    def matches(self, row: Dict[str, Any]) -> bool:
        value = row.get(self.field)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        hit = text in self.values
        return hit if self.op in ("==", "in") else not hit

    def conditions(self) -> List["Condition"]:
        return [self]


def _normal(value: str) -> str:
    low = value.lower()
    return "true" if low in _TRUE else "false" if low in _FALSE else value


class _Combination:
    def __init__(self, *operands: Union[str, "Condition", "_Combination"]):
        if not operands:
            raise FilterError(f"{type(self).__name__}() needs at least one operand.")
        self.operands = [parse(o) if isinstance(o, str) else o for o in operands]

    def conditions(self) -> List[Condition]:
        return [c for o in self.operands for c in o.conditions()]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.operands))})"


class And(_Combination):
    """Every operand matches (like the SDK's ``And``). Operands: strings, conditions, And, Or."""

    def matches(self, row: Dict[str, Any]) -> bool:
        return all(o.matches(row) for o in self.operands)


class Or(_Combination):
    """At least one operand matches (like the SDK's ``Or``)."""

    def matches(self, row: Dict[str, Any]) -> bool:
        return any(o.matches(row) for o in self.operands)


Filter = Union[str, Condition, And, Or]


def _tokens(text: str) -> List[Tuple[str, int]]:
    """Split into ``(``, ``)``, ``and``, ``or`` and condition texts (with their positions), keeping
    brackets of ``in [a, b]`` inside their condition."""
    tokens: List[Tuple[str, int]] = []
    start, depth, i = 0, 0, 0

    def flush(end: int) -> None:
        if text[start:end].strip():
            tokens.append((text[start:end], start))

    while i < len(text):
        ch = text[i]
        if ch == "[" or (ch == "(" and (depth > 0 or re.search(r"\bin\s*$", text[start:i]))):
            depth += 1  # a list: `in [a, b]` or `in (a, b)`
        elif ch in "])" and depth > 0:
            depth -= 1
        elif ch in "()":
            flush(i)
            tokens.append((ch, i))
            start = i + 1
        elif depth == 0:
            word = re.match(r"\s(and|or)(\s|$)", text[i:])
            if word:
                flush(i)
                tokens.append((word.group(1), i + 1))
                start = i + len(word.group(0))
                i = start
                continue
        i += 1
    flush(len(text))
    return tokens


def parse(expression: str) -> Filter:
    """An expression of conditions, ``and``, ``or`` and parentheses (``and`` binds tighter)."""
    tokens = _tokens(expression)
    tree, used = _expr(tokens, 0, expression)
    if used != len(tokens):
        raise FilterError(f"bad filter {expression!r} at position {tokens[used][1]}: unexpected {tokens[used][0]!r}.")
    return tree


def _chain(tokens, i, whole, word: str, operand, combine) -> Tuple[Filter, int]:
    """``operand (word operand)*``, combined with ``combine`` when there is more than one."""
    parts = []
    while True:
        part, i = operand(tokens, i, whole)
        parts.append(part)
        if i >= len(tokens) or tokens[i][0] != word:
            return (parts[0] if len(parts) == 1 else combine(*parts)), i
        i += 1


def _expr(tokens, i, whole) -> Tuple[Filter, int]:
    return _chain(tokens, i, whole, "or", _term, Or)  # `and` binds tighter than `or`


def _term(tokens, i, whole) -> Tuple[Filter, int]:
    return _chain(tokens, i, whole, "and", _factor, And)


def _factor(tokens, i, whole) -> Tuple[Filter, int]:
    if i >= len(tokens):
        raise FilterError(f"bad filter {whole!r} at position {len(whole)}: expected a condition.")
    text, pos = tokens[i]
    if text == "(":
        inner, i = _expr(tokens, i + 1, whole)
        if i >= len(tokens) or tokens[i][0] != ")":
            raise FilterError(f"bad filter {whole!r} at position {pos}: '(' is never closed.")
        return inner, i + 1
    if text in (")", "and", "or"):
        raise FilterError(f"bad filter {whole!r} at position {pos}: expected a condition, got {text!r}.")
    return Condition.parse(text, pos, whole), i + 1


def as_filter(value: Optional[Union[Filter, Sequence[Filter]]]) -> Optional[Filter]:
    """Strings, conditions, And/Or, or a list of them (And-ed, as repeated ``-f`` options)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return And(*value) if value else None
    return parse(value) if isinstance(value, str) else value


# -- rows of the catalog ------------------------------------------------------------------------


def framework_task(model_id: str) -> Tuple[str, str]:
    """As the SDK derives them from ids: ``pytorch-ic-mobilenet-v2`` -> (``pytorch``, ``ic``)."""
    parts = model_id.split("-")
    return parts[0], parts[1] if len(parts) > 1 else ""


def _version_key(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


@dataclass
class Row:
    """The latest version of one model, with what filters and tables show."""

    model_id: str
    version: str
    versions: List[str]
    framework: str
    task: str
    provider: Optional[str]
    search_keywords: List[str]
    spec_key: str
    training_supported: Optional[bool] = None
    gated: Optional[bool] = None
    deprecated: Optional[bool] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.pop("spec_key")
        return data


def reader(region: str = "us-west-2", source: Optional[str] = None):
    """A :class:`~constructs_jumpstart.resolver.CatalogReader` of ``source`` (live, shipped, a path)."""
    from ..resolver import CatalogReader

    return CatalogReader(region, source or "live")


def latest_rows(catalog) -> List[Row]:
    versions: Dict[str, List[dict]] = {}
    for header in catalog.manifest:
        versions.setdefault(header["model_id"], []).append(header)
    rows = []
    for model_id in sorted(versions):
        headers = sorted(versions[model_id], key=lambda h: _version_key(h["version"]))
        latest = headers[-1]
        framework, task = framework_task(model_id)
        rows.append(Row(model_id=model_id, version=latest["version"], versions=[h["version"] for h in headers],
                        framework=framework, task=task, provider=latest.get("provider"),
                        search_keywords=list(latest.get("search_keywords") or []), spec_key=latest["spec_key"],
                        deprecated=latest.get("deprecated")))
    return rows


def fill_spec_fields(catalog, row: Row) -> Row:
    spec = catalog.spec(row.spec_key)
    row.training_supported = bool(spec.get("training_supported", False))
    row.gated = bool(spec.get("gated_bucket", False) or spec.get("hosting_eula_key"))
    row.deprecated = bool(spec.get("deprecated", row.deprecated or False))
    row.provider = row.provider or spec.get("provider")
    return row


def select(catalog, filter: Optional[Filter] = None, search: Optional[str] = None,
           include_deprecated: bool = False) -> List[Row]:
    """Rows of the latest version of each model that pass ``filter``. A filter that only needs the
    manifest's fields is applied before any spec is read."""
    rows = latest_rows(catalog)
    if search:
        words = search.lower().split()
        rows = [r for r in rows if all(w in " ".join([r.model_id, *r.search_keywords]).lower() for w in words)]
    needs_specs = filter is not None and any(c.needs_spec for c in filter.conditions())
    if filter is not None and not needs_specs:
        rows = [r for r in rows if filter.matches(r.as_dict())]
    rows = [fill_spec_fields(catalog, r) for r in rows]
    if needs_specs:
        rows = [r for r in rows if filter.matches(r.as_dict())]
    return rows if include_deprecated else [r for r in rows if not r.deprecated]


def unknown_values(rows: Sequence[Row], filter: Optional[Filter]) -> List[str]:
    """A note for each value a condition names that no row has in that field (``task == IC`` where the
    tasks are ``ic``, ...): such a condition matches nothing (``==``, ``in``) or everything (``!=``), in
    silence. Each note names the close values, or all of them when there are few."""
    notes: List[str] = []
    for condition in (filter.conditions() if filter is not None else []):
        if condition.needs_spec:
            continue  # yes/no, checked when the filter is parsed
        present = sorted({str(r.as_dict().get(condition.field)) for r in rows})
        for value in condition.values:
            if value in present:
                continue
            close = difflib.get_close_matches(value, present, n=3, cutoff=0.6) or \
                [p for p in present if p.lower() == value.lower()]
            listed = f"; did you mean {', '.join(map(repr, close))}?" if close else (
                f"; its values: {', '.join(present)}." if len(present) <= 20 else ".")
            notes.append(f"no model in this catalog has {condition.field} {value!r}{listed}")
    return notes


# -- the Python API -------------------------------------------------------------------------------


def list_models(filter: Optional[Union[Filter, Sequence[Filter]]] = None, *, region: str = "us-west-2",
                source: Optional[str] = None, list_versions: bool = False, include_deprecated: bool = False,
                search: Optional[str] = None) -> List[Any]:
    """Model ids (or ``(id, latest version)`` with ``list_versions``), sorted, like the SDK's
    ``list_jumpstart_models(filter=...)``. ``source``: ``live`` (default), ``shipped`` or a path."""
    rows = select(reader(region, source), as_filter(filter), search, include_deprecated)
    return [(r.model_id, r.version) if list_versions else r.model_id for r in rows]


def models(filter: Optional[Union[Filter, Sequence[Filter]]] = None, *, region: str = "us-west-2",
           source: Optional[str] = None, include_deprecated: bool = False,
           search: Optional[str] = None) -> List[Dict[str, Any]]:
    """The rows the CLI's ``jumpstart models --json`` prints (plain data)."""
    return [r.as_dict() for r in select(reader(region, source), as_filter(filter), search, include_deprecated)]


def describe(model_id: str, version: str = "*", *, scope: str = "inference", instance_type: Optional[str] = None,
             config_name: Optional[str] = None, region: str = "us-west-2", source: Optional[str] = None,
             hub: Optional[str] = None) -> Dict[str, Any]:
    """What a model resolves to (image, artifacts, instance types, environment, flags, how to call
    it), as plain data; ``hub``: the ARN of a private hub to resolve it in."""
    from ..resolver import local_describe, resolve

    found = None if hub else local_describe(model_id, version, region=region, scope=scope, instance_type=instance_type,
                                            config_name=config_name, source=source or "live")
    if found is not None:  # the spec's own fields, read as the SDK reads them (no SDK import)
        return found
    m = resolve(model_id, version, region=region, scope=scope, instance_type=instance_type,
                config_name=config_name, source=source or "live", hub=hub)
    return {
        "model_id": m.model_id, "version": m.version, "scope": m.scope, "region": m.region,
        "instance_type": m.instance_type, "image_uri": m.image_uri,
        "model_uri": m.model_data.s3_uri if m.model_data else None,
        "model_data_type": m.model_data.s3_data_type if m.model_data else None, "script_uri": m.script_uri,
        "default_instance_type": m.default_instance_type, "supported_instance_types": list(m.supported_instance_types),
        "config_name": m.config_name, "available_configs": list(m.available_configs), "environment": m.environment,
        "additional_data_sources": [d.channel_name for d in m.additional_data_sources],
        "default_content_type": m.default_content_type, "supported_content_types": list(m.supported_content_types),
        "default_accept_type": m.default_accept_type, "supported_accept_types": list(m.supported_accept_types),
        "example_payloads": m.default_payloads,
        "eula_required": m.eula_required, "eula_url": m.eula_url, "model_package_arn": m.model_package_arn,
        "network_isolation": m.network_isolation, "deprecated": m.deprecated,
        "deprecated_message": m.deprecated_message, "vulnerable": m.vulnerable,
        "vulnerabilities": list(m.vulnerabilities), "training_supported": m.training_supported,
        **({"default_training_dataset": m.default_training_dataset_uri} if m.scope == "training" else {}),
        **({"hub_content_arn": m.hub_content_arn, "hub_content_type": m.hub_content_type} if hub else {}),
    }


def hub_models(hub: str, region: str = "us-west-2") -> List[Dict[str, str]]:
    """What the private hub ``hub`` (an ARN) holds: model id, version and type of each content."""
    from ..resolver import hub_models as listing

    return listing(hub, region)


def hyperparameters(model_id: str, version: str = "*", *, region: str = "us-west-2",
                    source: Optional[str] = None) -> List[Dict[str, Any]]:
    """The hyperparameters a user may set (the container's own are the library's, as the SDK's)."""
    from ..resolver import local_hyperparameters, resolve

    found = local_hyperparameters(model_id, version, region=region, source=source or "live")
    if found is None:  # the live catalog, or what only the SDK can say
        found = resolve(model_id, version, region=region, scope="training", source=source or "live").hyperparameters
    return [{"name": h.name, "default": h.default, "type": h.type, "min": h.min, "max": h.max,
             "options": list(h.options) if h.options else None, "scope": h.scope}
            for h in found if h.scope == "algorithm"]


__all__ = ["And", "Condition", "FIELDS", "FilterError", "OPERATORS", "Or", "Row", "describe", "hyperparameters",
           "list_models", "models", "parse", "reader", "select"]

