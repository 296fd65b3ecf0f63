"""``jumpstart``: browse and filter the JumpStart catalog, describe a model, manage the lockfile.

Works on the live catalog (AWS credentials), the catalog shipped with this package, and any local
metadata directory in the JumpStart layout (the SDK's ``AWS_JUMPSTART_*_LOCAL_ROOT_DIR_OVERRIDE``
variables are honoured too).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import typer
from rich.console import Console
from rich.table import Table

from .errors import JumpStartError, UnknownModelError
from .lockfile import CONTEXT_FROZEN, CONTEXT_REFRESH, CONTEXT_USED_KEYS

app = typer.Typer(
    name="jumpstart",
    help="Browse the SageMaker JumpStart catalog and manage the jumpstart.lock.json of a CDK app.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

USAGE_ERROR = 2
FIELDS = ("model_id", "version", "framework", "task", "provider", "training_supported", "gated", "deprecated")
_SPEC_FIELDS = {"training_supported", "gated", "deprecated"}


# -- metadata source options --------------------------------------------------------------------


def _default_source() -> str:
    """The ``jumpstart:metadata`` of the CDK app in the working directory, else the live catalog."""
    cdk_json = Path("cdk.json")
    if cdk_json.is_file():
        try:
            value = json.loads(cdk_json.read_text()).get("context", {}).get("jumpstart:metadata")
            if value:
                return str(value)
        except ValueError:
            pass
    return "live"


RegionOpt = typer.Option("us-west-2", "--region", "-r", help="AWS region whose catalog to read.")
SourceOpt = typer.Option(
    None, "--source", help="live | shipped. Default: cdk.json's jumpstart:metadata, else live."
)
DirOpt = typer.Option(
    None, "--metadata-dir", help="A local metadata directory in the JumpStart layout.", exists=False
)
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts and pipelines.")


def _source(source: Optional[str], metadata_dir: Optional[Path]) -> str:
    if metadata_dir is not None:
        return str(metadata_dir)
    return source or _default_source()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def _run(action: Callable[[], Any]) -> Any:
    """Turn library errors into one-line messages; bad user input exits 2 (usage error)."""
    try:
        return action()
    except (UnknownModelError,) as error:
        _fail(str(error), USAGE_ERROR)
    except JumpStartError as error:
        code = USAGE_ERROR if type(error).__name__ in {
            "UnknownVersionError", "UnsupportedInstanceTypeError", "UnknownConfigError",
            "UnsupportedScopeError", "RegionError",
        } else 1
        _fail(str(error), code)


# -- filters ------------------------------------------------------------------------------------

_OPS = ("not in", "==", "!=", "in")
_FILTER_RE = re.compile(r"^\s*(?P<field>[A-Za-z_]+)\s*")


class FilterError(ValueError):
    """A --filter expression that does not parse; the message gives the position."""


@dataclass(frozen=True)
class Filter:
    """``FIELD OP VALUE`` with OP one of ``==``, ``!=``, ``in``, ``not in`` (as the SDK's filters)."""

    field: str
    op: str
    values: Tuple[str, ...]

    @staticmethod
    def parse(text: str) -> "Filter":
        match = _FILTER_RE.match(text)
        if not match or not match["field"]:
            raise FilterError(f"bad filter {text!r} at position 0: expected a field name ({', '.join(FIELDS)}).")
        name = match["field"]
        if name not in FIELDS:
            raise FilterError(
                f"bad filter {text!r} at position {match.start('field')}: unknown field {name!r}; fields: {', '.join(FIELDS)}."
            )
        pos = match.end()
        rest = text[pos:]
        op = next((o for o in _OPS if rest.startswith(o) and (o[-1] in "=" or rest[len(o):len(o) + 1] in (" ", "[", "(", ""))), None)
        if op is None:
            raise FilterError(
                f"bad filter {text!r} at position {pos}: expected one of ==, !=, in, not in."
            )
        raw = rest[len(op):].strip()
        if not raw:
            raise FilterError(f"bad filter {text!r} at position {len(text)}: expected a value after {op!r}.")
        if op in ("in", "not in"):
            raw = raw.strip("[]()")
            values = tuple(v.strip().strip("'\"") for v in raw.split(",") if v.strip())
        else:
            values = (raw.strip("'\""),)
        return Filter(name, op, tuple(v.lower() if v.lower() in ("true", "false") else v for v in values))

    @property
    def needs_spec(self) -> bool:
        return self.field in _SPEC_FIELDS

    def matches(self, row: Dict[str, Any]) -> bool:
        value = row.get(self.field)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        hit = text in self.values
        return hit if self.op in ("==", "in") else not hit


# -- the catalog --------------------------------------------------------------------------------


def _framework_task(model_id: str) -> Tuple[str, str]:
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


def _reader(region: str, source: str):
    from .resolver import CatalogReader

    if source == "live":
        with err.status("Reading the live JumpStart catalog…", spinner="dots"):
            return CatalogReader(region, source)
    return CatalogReader(region, source)


def _latest_rows(reader) -> List[Row]:
    versions: Dict[str, List[dict]] = {}
    for header in reader.manifest:
        versions.setdefault(header["model_id"], []).append(header)
    rows = []
    for model_id in sorted(versions):
        headers = sorted(versions[model_id], key=lambda h: _version_key(h["version"]))
        latest = headers[-1]
        framework, task = _framework_task(model_id)
        rows.append(
            Row(
                model_id=model_id,
                version=latest["version"],
                versions=[h["version"] for h in headers],
                framework=framework,
                task=task,
                provider=latest.get("provider"),
                search_keywords=list(latest.get("search_keywords") or []),
                spec_key=latest["spec_key"],
                deprecated=latest.get("deprecated"),
            )
        )
    return rows


def _fill_spec_fields(reader, row: Row) -> Row:
    spec = reader.spec(row.spec_key)
    row.training_supported = bool(spec.get("training_supported", False))
    row.gated = bool(spec.get("gated_bucket", False) or spec.get("hosting_eula_key"))
    row.deprecated = bool(spec.get("deprecated", row.deprecated or False))
    row.provider = row.provider or spec.get("provider")
    return row


def select(
    reader,
    filters: Sequence[Filter],
    any_of: bool = False,
    search: Optional[str] = None,
    include_deprecated: bool = False,
) -> List[Row]:
    """Rows of the latest version of each model that pass the filters (And, or Or with ``any_of``).
    Manifest-only filters run first; specs are read only for the rows left."""
    rows = _latest_rows(reader)
    if search:
        words = search.lower().split()
        rows = [
            r for r in rows
            if all(w in " ".join([r.model_id, *r.search_keywords]).lower() for w in words)
        ]
    cheap = [f for f in filters if not f.needs_spec]
    costly = [f for f in filters if f.needs_spec]
    if not any_of:
        rows = [r for r in rows if all(f.matches(r.as_dict()) for f in cheap)]
        rows = [_fill_spec_fields(reader, r) for r in rows]
        rows = [r for r in rows if all(f.matches(r.as_dict()) for f in costly)]
    else:
        rows = [_fill_spec_fields(reader, r) for r in rows]
        if filters:
            rows = [r for r in rows if any(f.matches(r.as_dict()) for f in filters)]
    if not include_deprecated:
        rows = [r for r in rows if not r.deprecated]
    return rows


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# -- commands -----------------------------------------------------------------------------------


@app.command()
def models(
    filter: List[str] = typer.Option([], "--filter", "-f", help="FIELD OP VALUE, e.g. 'framework == pytorch'. Repeat: all must match."),
    or_: bool = typer.Option(False, "--or", help="Combine the --filter expressions with Or instead of And."),
    search: Optional[str] = typer.Option(None, "--search", "-s", help="Words that must all appear in the id or keywords."),
    include_deprecated: bool = typer.Option(False, "--include-deprecated", help="Also list deprecated models."),
    region: str = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List models (latest version of each), filtered like the SDK's list_jumpstart_models."""
    try:
        parsed = [Filter.parse(f) for f in filter]
    except FilterError as error:
        _fail(str(error), USAGE_ERROR)
    reader = _run(lambda: _reader(region, _source(source, metadata_dir)))
    rows = _run(lambda: select(reader, parsed, any_of=or_, search=search, include_deprecated=include_deprecated))
    if as_json:
        _print_json([r.as_dict() for r in rows])
        return
    table = Table("model id", "latest", "framework", "task", "trainable", "gated", title=None)
    for r in rows:
        table.add_row(r.model_id, r.version, r.framework, r.task, "yes" if r.training_supported else "no", "yes" if r.gated else "no")
    out.print(table)
    out.print(f"{len(rows)} model(s)")


def _counts(attribute: str, region: str, source: Optional[str], metadata_dir: Optional[Path], as_json: bool, include_deprecated: bool) -> None:
    reader = _run(lambda: _reader(region, _source(source, metadata_dir)))
    rows = _run(lambda: select(reader, [], include_deprecated=include_deprecated))
    counts: Dict[str, int] = {}
    for r in rows:
        counts[getattr(r, attribute)] = counts.get(getattr(r, attribute), 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if as_json:
        _print_json([{attribute: k, "models": v} for k, v in ordered])
        return
    table = Table(attribute, "models")
    for k, v in ordered:
        table.add_row(k, str(v))
    out.print(table)


def _count_command(attribute: str, doc: str) -> Callable[..., None]:
    def command(
        region: str = RegionOpt,
        source: Optional[str] = SourceOpt,
        metadata_dir: Optional[Path] = DirOpt,
        include_deprecated: bool = typer.Option(False, "--include-deprecated"),
        as_json: bool = JsonOpt,
    ) -> None:
        _counts(attribute, region, source, metadata_dir, as_json, include_deprecated)

    command.__doc__ = doc
    return command


app.command("frameworks")(_count_command("framework", "Frameworks (from the model ids) with their model counts."))
app.command("tasks")(_count_command("task", "Tasks (from the model ids) with their model counts."))


def _resolve(model_id: str, version: str, region: str, scope: str, instance_type: Optional[str], config: Optional[str], source: str):
    from .resolver import resolve

    return resolve(model_id, version, region=region, scope=scope, instance_type=instance_type, config_name=config, source=source)


@app.command()
def describe(
    model_id: str = typer.Argument(..., help="JumpStart model id."),
    version: str = typer.Option("*", "--version", "-v", help="Version, or * for the latest."),
    scope: str = typer.Option("inference", "--scope", help="inference | training."),
    instance_type: Optional[str] = typer.Option(None, "--instance-type", "-i", help="Default: the spec's default."),
    config: Optional[str] = typer.Option(None, "--config", help="Inference config name."),
    region: str = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Resolved version, image / script / model URIs, instance types, environment, flags."""
    if scope not in ("inference", "training"):
        _fail(f"--scope must be inference or training, not {scope!r}.", USAGE_ERROR)
    m = _run(lambda: _resolve(model_id, version, region, scope, instance_type, config, _source(source, metadata_dir)))
    data = {
        "model_id": m.model_id,
        "version": m.version,
        "scope": m.scope,
        "region": m.region,
        "instance_type": m.instance_type,
        "image_uri": m.image_uri,
        "model_uri": m.model_data.s3_uri if m.model_data else None,
        "model_data_type": m.model_data.s3_data_type if m.model_data else None,
        "script_uri": m.script_uri,
        "default_instance_type": m.default_instance_type,
        "supported_instance_types": list(m.supported_instance_types),
        "config_name": m.config_name,
        "available_configs": list(m.available_configs),
        "environment": m.environment,
        "additional_data_sources": [d.channel_name for d in m.additional_data_sources],
        "eula_required": m.eula_required,
        "eula_url": m.eula_url,
        "model_package_arn": m.model_package_arn,
        "network_isolation": m.network_isolation,
        "deprecated": m.deprecated,
        "deprecated_message": m.deprecated_message,
        "vulnerable": m.vulnerable,
        "vulnerabilities": list(m.vulnerabilities),
        "training_supported": m.training_supported,
    }
    if as_json:
        _print_json(data)
        return
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in data.items():
        if key == "environment":
            value = "\n".join(f"{k}={v}" for k, v in value.items()) or "-"
        elif isinstance(value, list):
            value = ", ".join(value) or "-"
        table.add_row(key, "-" if value is None else str(value))
    out.print(table)


@app.command()
def hyperparameters(
    model_id: str = typer.Argument(..., help="JumpStart model id (must support training)."),
    version: str = typer.Option("*", "--version", "-v"),
    region: str = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """A trainable model's hyperparameters you may set: default, type, range or options. (The
    container's own, such as sagemaker_program, are set by the library, as by the SDK.)"""
    m = _run(lambda: _resolve(model_id, version, region, "training", None, None, _source(source, metadata_dir)))
    rows = [
        {"name": h.name, "default": h.default, "type": h.type, "min": h.min, "max": h.max,
         "options": list(h.options) if h.options else None, "scope": h.scope}
        for h in m.hyperparameters if h.scope == "algorithm"
    ]
    if as_json:
        _print_json(rows)
        return
    table = Table("name", "default", "type", "range / options", "scope")
    for r in rows:
        span = ", ".join(map(str, r["options"])) if r["options"] else (
            f"{r['min']} .. {r['max']}" if r["min"] is not None or r["max"] is not None else "-"
        )
        table.add_row(r["name"], str(r["default"]), r["type"], span, r["scope"])
    out.print(table)


@app.command()
def lock(
    app_dir: Path = typer.Argument(Path("."), help="Directory of the CDK app (where cdk.json is)."),
    refresh: bool = typer.Option(False, "--refresh", help="Re-resolve every model (new latest versions)."),
    check: bool = typer.Option(False, "--check", help="Exit non-zero if the lockfile misses an entry; resolve nothing. Lists unused entries."),
    prune: bool = typer.Option(False, "--prune", help="Also drop the entries this app (with this context) no longer uses."),
    context: List[str] = typer.Option([], "--context", "-c", help="KEY=VALUE context for the app, as with cdk synth -c."),
) -> None:
    """Resolve every JumpStart construct of a CDK app into its lockfile (or check it)."""
    if check and (refresh or prune):
        _fail("--check only reads the lockfile: it excludes --refresh and --prune.", USAGE_ERROR)
    cdk_json = app_dir / "cdk.json"
    if not cdk_json.is_file():
        _fail(f"{app_dir} has no cdk.json; pass the directory of a CDK app.", USAGE_ERROR)
    config = json.loads(cdk_json.read_text())
    command = config.get("app")
    if not command:
        _fail(f"{cdk_json} has no \"app\" command.", USAGE_ERROR)
    extra_context, context = context, dict(config.get("context") or {})
    for item in extra_context:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--context takes KEY=VALUE, got {item!r}.", USAGE_ERROR)
        context[key] = value
    if refresh:
        context[CONTEXT_REFRESH] = "true"
    if check:
        context[CONTEXT_FROZEN] = "true"
    with tempfile.TemporaryDirectory(prefix="jumpstart-lock-") as outdir:
        used_file = Path(outdir) / "used-keys.json"
        context[CONTEXT_USED_KEYS] = str(used_file)
        env = dict(os.environ, CDK_CONTEXT_JSON=json.dumps(context), CDK_OUTDIR=outdir)
        proc = subprocess.run(command, shell=True, cwd=app_dir, env=env, capture_output=True, text=True)
        problems = _assembly_errors(Path(outdir)) if proc.returncode == 0 else []
        used = json.loads(used_file.read_text()) if used_file.is_file() else {}
    if proc.returncode != 0:
        text = proc.stderr.strip()
        marker = "jumpstart: error: "
        if marker in text:  # the app's own one-message error (app.py prints it so)
            tail = " ".join(line.strip() for line in text.split(marker, 1)[1].strip().splitlines())
        else:
            lines = text.splitlines()
            tail = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "")
        problems = [tail.replace("jumpstart: error: ", "")]
    if problems:
        _fail(f"{'lockfile check failed' if check else 'the app failed'}: " + " ".join(problems))
    path = (app_dir / (context.get("jumpstart:lockfile") or "jumpstart.lock.json")).resolve()
    from .lockfile import Lockfile

    lock_file = Lockfile.load(path) if path.exists() else Lockfile(path)
    unused = sorted(set(lock_file.entries) - set(used.get(str(path), [])))
    if prune and unused:
        lock_file.prune(set(used.get(str(path), [])))
        lock_file.save()
        out.print(f"pruned {len(unused)} unused entr{'y' if len(unused) == 1 else 'ies'}: {', '.join(unused)}")
        unused = []
    count = len(lock_file.entries)
    verb = "is complete" if check else "is up to date"
    out.print(f"{path} {verb}: {count} entr{'y' if count == 1 else 'ies'}.")
    if unused:
        out.print(f"{len(unused)} entr{'y is' if len(unused) == 1 else 'ies are'} not used by this app "
                  f"(with this context): {', '.join(unused)}. `jumpstart lock --prune` drops them.")


def _assembly_errors(outdir: Path) -> List[str]:
    """The error annotations of a synthesized app (how the constructs report bad input), as
    ``/Stack/Path: message``, from its cloud assembly (the manifest and its ``*.metadata.json``)."""
    documents = [json.loads(p.read_text()) for p in sorted(outdir.rglob("*.metadata.json"))]
    for manifest in sorted(outdir.rglob("manifest.json")):
        documents += [a.get("metadata") or {} for a in json.loads(manifest.read_text()).get("artifacts", {}).values()]
    found: List[str] = []
    for metadata in documents:
        for path, entries in metadata.items():
            found += [f"{path}: {e.get('data')}" for e in entries if e.get("type") == "aws:cdk:error"]
    return list(dict.fromkeys(found))


def main() -> None:  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
