"""``jumpstart``: browse and filter the JumpStart catalog, describe a model, manage the lockfile.

Works on the live catalog (AWS credentials), the catalog shipped with this package, and any local
metadata directory in the JumpStart layout (the SDK's ``AWS_JUMPSTART_*_LOCAL_ROOT_DIR_OVERRIDE``
variables are honoured too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import typer
from rich.console import Console
from rich.table import Table

from .errors import JumpStartError, UnknownModelError
from .lockfile import CONTEXT_FROZEN, CONTEXT_PRICES, CONTEXT_REFRESH, CONTEXT_USED_KEYS

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


# -- metadata source options --------------------------------------------------------------------


def _cdk_context(key: str) -> Optional[str]:
    """A context value of the ``cdk.json`` in the working directory, if any."""
    cdk_json = Path("cdk.json")
    if cdk_json.is_file():
        try:
            value = json.loads(cdk_json.read_text()).get("context", {}).get(key)
            return str(value) if value else None
        except ValueError:
            return None
    return None


def _default_source() -> str:
    """The ``jumpstart:metadata`` of the CDK app in the working directory, else the live catalog."""
    return _cdk_context("jumpstart:metadata") or "live"


def _default_region() -> str:
    """``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the profile's region, else the ``region`` of the
    ``cdk.json`` in the working directory, else us-west-2 (the example app's)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name):
            return os.environ[name]
    profile = os.environ.get("AWS_PROFILE", "default")
    config = Path(os.environ.get("AWS_CONFIG_FILE", Path.home() / ".aws" / "config"))
    if config.is_file():
        import configparser

        parser = configparser.ConfigParser()
        try:
            parser.read(config)
            section = profile if profile == "default" else f"profile {profile}"
            if parser.has_option(section, "region"):
                return parser.get(section, "region")
        except configparser.Error:
            pass
    return _cdk_context("region") or "us-west-2"


def _known_region(region: Optional[str]) -> Optional[str]:
    """``--region``: a region where JumpStart is (the SDK's ``region_config.json``, shipped in
    ``trust_data.json``), else a usage error with the close names (``us-west2``: ``us-west-2``)."""
    if region is None:
        return region
    import difflib

    from ._trust import data

    regions = sorted(data()["regions"])
    if region not in regions:
        close = difflib.get_close_matches(region, regions, n=3, cutoff=0.8)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else f"JumpStart regions: {', '.join(regions)}."
        raise typer.BadParameter(f"{region!r} is not a region where JumpStart is; {hint}")
    return region


RegionOpt = typer.Option(None, "--region", "-r", callback=_known_region,
                         help="AWS region whose catalog to read. Default: AWS_REGION, "
                         "AWS_DEFAULT_REGION, the profile's region, cdk.json's region, else us-west-2.")
SourceOpt = typer.Option(
    None, "--source", help="live | shipped. Default: cdk.json's jumpstart:metadata, else live."
)
DirOpt = typer.Option(
    None, "--metadata-dir", help="A local metadata directory in the JumpStart layout.", exists=False
)
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts and pipelines.")
HubOpt = typer.Option(None, "--hub", help="A private SageMaker hub (name or ARN): its model references and own models.")


def _hub_arn(hub: str, region: str) -> str:
    """A hub's ARN; a name is completed with the caller's account (STS), as the SDK's hub_name= is."""
    if hub.startswith("arn:"):
        return hub
    from .invoke import InvokeError, call

    try:
        import boto3

        account = call("GetCallerIdentity", boto3.client("sts", region_name=region).get_caller_identity)["Account"]
    except (ImportError, InvokeError) as error:
        _fail(f"--hub {hub!r} is a name; its ARN needs your account: {error} (or pass the hub's ARN)", USAGE_ERROR)
    from .types import hub_arn_of

    return hub_arn_of(hub, region, account)


def _source(source: Optional[str], metadata_dir: Optional[Path]) -> str:
    if metadata_dir is not None:
        return str(metadata_dir)
    return source or _default_source()


_CDK_HINTS = {"-c jumpstart:metadata=shipped": "--source shipped", "-c jumpstart:metadata=PATH": "--metadata-dir PATH"}


_TAKES_CONTEXT: List[bool] = [False]
"""Whether the running command takes ``-c KEY=VALUE`` as cdk does (``lock``): its messages keep cdk's flags."""


def _fail(message: str, code: int = 1) -> None:
    if not _TAKES_CONTEXT[0]:
        for cdk_flag, cli_flag in _CDK_HINTS.items():  # the library's hints name cdk's flags; here, ours
            message = message.replace(cdk_flag, cli_flag)
    err.print("[bold red]error:[/] ", end="", markup=True)
    err.print(message, markup=False, highlight=False)
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


# -- the catalog (constructs_jumpstart.catalog) --------------------------------------------------

from .catalog import FIELDS, OPERATORS, And, FilterError, Or, Row, parse  # noqa: E402


def _reader(region: Optional[str], source: str):
    from .catalog import reader

    region = region or _default_region()
    if source == "live":
        with err.status("Reading the live JumpStart catalog…", spinner="dots"):
            return reader(region, source)
    return reader(region, source)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def select(catalog, filters, any_of: bool = False, search: Optional[str] = None,
           include_deprecated: bool = False) -> List[Row]:
    """The CLI's repeated ``-f`` expressions, And-ed (or Or-ed with ``--or``)."""
    from .catalog import select as select_rows

    combined = (Or if any_of else And)(*filters) if filters else None
    return select_rows(catalog, combined, search, include_deprecated)


def _note_unknown_values(catalog, filters) -> None:
    """On standard error: each filter value no model has (see ``catalog.unknown_values``)."""
    from .catalog import latest_rows, unknown_values

    for note in unknown_values(latest_rows(catalog), And(*filters) if filters else None):
        err.print(f"note: {note}", markup=False, highlight=False)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# -- commands -----------------------------------------------------------------------------------


FILTER_HELP = (
    "FIELD OP VALUE, e.g. 'framework == pytorch'; combine with and / or and parentheses, e.g. "
    "'(task == ic or task == od) and gated == no'. Repeat -f: all must match (--or: any). "
    f"Fields: {', '.join(FIELDS)}. Operators: {', '.join(OPERATORS)} ('task in (ic, od)')."
)


@app.command()
def models(
    filter: List[str] = typer.Option([], "--filter", "-f", help=FILTER_HELP),
    or_: bool = typer.Option(False, "--or", help="Combine the --filter expressions with Or instead of And."),
    search: Optional[str] = typer.Option(None, "--search", "-s", help="Words that must all appear "
                                                                      "in the id or keywords."),
    include_deprecated: bool = typer.Option(False, "--include-deprecated", help="Also list deprecated models (and "
                                                                                "show a deprecated column)."),
    region: Optional[str] = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
    hub: Optional[str] = HubOpt,
) -> None:
    """List models (latest version of each), filtered like the SDK's list_jumpstart_models; with
    --hub, what a private hub holds."""
    if hub:
        _hub_listing(_hub_arn(hub, region or _default_region()), region or _default_region(), as_json)
        return
    try:
        parsed = [parse(f) for f in filter]
    except FilterError as error:
        _fail(str(error), USAGE_ERROR)
    reader = _run(lambda: _reader(region, _source(source, metadata_dir)))
    rows = _run(lambda: select(reader, parsed, any_of=or_, search=search, include_deprecated=include_deprecated))
    _note_unknown_values(reader, parsed)
    if as_json:
        _print_json([r.as_dict() for r in rows])
        return
    headers = ["model id", "latest", "framework", "task", "trainable", "gated"]
    headers += ["deprecated"] if include_deprecated else []
    records = [[r.model_id, r.version, r.framework, r.task, _yes(r.training_supported), _yes(r.gated)]
               + ([_yes(r.deprecated)] if include_deprecated else []) for r in rows]
    if _width(headers, records) > out.width:  # framework and task are in the id (pytorch-ic-...): drop them
        headers, records = headers[:2] + headers[4:], [rec[:2] + rec[4:] for rec in records]
    _print_records(headers, records)
    out.print(f"{len(rows)} model(s)")


def _hub_listing(hub_arn: str, region: str, as_json: bool) -> None:
    from .catalog import hub_models

    rows = _run(lambda: hub_models(hub_arn, region))
    if as_json:
        _print_json(rows)
        return
    _print_records(["model id", "version", "type"], [[r["model_id"], r["version"], r["type"]] for r in rows])
    out.print(f"{len(rows)} model(s) in {hub_arn}")


def _width(headers: List[str], records: List[List[str]]) -> int:
    """The width a bordered table of these needs (each column as wide as its widest cell)."""
    widths = [max([len(h)] + [len(rec[i]) for rec in records]) for i, h in enumerate(headers)]
    return sum(widths) + 3 * len(widths) + 1


def _print_records(headers: List[str], records: List[List[str]]) -> None:
    """A table when it fits the terminal; else one block per record, the first value (an id or a
    name) alone on its line, never cut, and the rest as ``header value`` pairs below it."""
    if _width(headers, records) <= out.width:
        table = Table(*headers)
        for rec in records:
            table.add_row(*rec)
        for column in table.columns:
            column.no_wrap = True
        out.print(table)
        return
    for rec in records:
        out.print(rec[0], markup=False)
        out.print("    " + "  ".join(f"{h} {v}" for h, v in zip(headers[1:], rec[1:])), markup=False)


def _counts(attribute: str, region: Optional[str], source: Optional[str], metadata_dir: Optional[Path],
            as_json: bool, include_deprecated: bool) -> None:
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
        region: Optional[str] = RegionOpt,
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


@app.command()
def describe(
    model_id: str = typer.Argument(..., help="JumpStart model id."),
    version: str = typer.Option("*", "--version", "-v", help="Version, or * for the latest."),
    scope: str = typer.Option("inference", "--scope", help="inference | training."),
    instance_type: Optional[str] = typer.Option(None, "--instance-type", "-i", help="Default: the spec's default."),
    config: Optional[str] = typer.Option(None, "--config", help="Inference config name."),
    region: Optional[str] = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
    hub: Optional[str] = HubOpt,
    benchmarks: bool = typer.Option(False, "--benchmarks", help="The spec's benchmark figures instead: inference "
                                    "configs x instance types x concurrency, latency (TTFT, P50) and throughput "
                                    "(tokens/s per user), as the SDK's display_benchmark_metrics reads them."),
) -> None:
    """Resolved version, image / script / model URIs, instance types, environment, flags, and how
    to call the endpoint (content and accept types, the spec's example payloads)."""
    from .catalog import describe as describe_model

    if scope not in ("inference", "training"):
        _fail(f"--scope must be inference or training, not {scope!r}.", USAGE_ERROR)
    region = region or _default_region()
    if benchmarks:
        if hub or scope != "inference" or instance_type or config:
            _fail("--benchmarks shows every config and instance type of the public catalog's spec: it takes no "
                  "--hub, --scope training, --instance-type or --config.", USAGE_ERROR)
        _benchmarks(model_id, version, region, _source(source, metadata_dir), as_json)
        return
    hub_arn = _hub_arn(hub, region) if hub else None
    data = _run(lambda: describe_model(model_id, version, scope=scope, instance_type=instance_type, config_name=config,
                                       region=region, source=_source(source, metadata_dir), hub=hub_arn))
    if as_json:
        _print_json(data)
        return
    _print_fields({key: _shown(key, value) for key, value in data.items()})


def _benchmarks(model_id: str, version: str, region: str, source: Any, as_json: bool) -> None:
    from ._objective import options
    from .resolver import benchmark_spec

    resolved, spec = _run(lambda: benchmark_spec(model_id, version, region=region, source=source))
    rows = [{"config_name": o.config_name, "instance_type": o.instance_type, "concurrency": o.concurrency,
             "latency": o.latency[0] if o.latency else None, "latency_unit": o.latency[1] if o.latency else None,
             "latency_s": o.latency_s, "throughput": o.throughput,
             "throughput_unit": o.throughput_raw[1] if o.throughput_raw else None} for o in options(spec)]
    if as_json:
        _print_json({"model_id": model_id, "version": resolved, "benchmarks": rows})
        return
    if not rows:
        out.print(f"{model_id} {resolved} has no benchmark figures (no inference config carries benchmark_metrics).")
        return
    shown = lambda v, u: "-" if v is None else f"{v:g} {u}"  # noqa: E731
    _print_records(["config", "instance type", "users", "latency", "throughput/user"],
                   [[r["config_name"], r["instance_type"], str(r["concurrency"]),
                     shown(r["latency"], r["latency_unit"]), shown(r["throughput"], r["throughput_unit"])]
                    for r in rows])
    out.print("latency: time to first token, P50; throughput: P50 tokens/s per concurrent user.")
    out.print(f"{model_id} {resolved}: configs in the spec's ranking order; choose by objective with "
              "JumpStartEndpoint(..., optimize_for=\"latency\" | \"throughput\" | \"cost\", concurrency=N).")


def _shown(key: str, value: Any) -> str:
    if key == "environment":
        return "\n".join(f"{k}={v}" for k, v in value.items()) or "-"
    if key == "example_payloads":
        return "\n".join(f"{name}: {p.get('content_type', '')} {json.dumps(p.get('body'))}"
                         for name, p in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(value) or "-"
    return "-" if value is None else str(value)


def _print_fields(fields: Dict[str, str]) -> None:
    """Two columns, names and values; a value that is one word too long for its column (an image
    URI, an S3 URI, an ARN) is printed whole on the line below its name instead of being cut in the
    middle, so that it copies and pastes as one (the terminal wraps it, without a newline in it)."""
    name_width = max(len(k) for k in fields) + 2
    table = None
    for key, value in fields.items():
        if any(len(line) > out.width - name_width and " " not in line for line in value.splitlines()):
            if table is not None:
                out.print(table)
                table = None
            out.print(key, style="bold")
            out.print(value, soft_wrap=True, crop=False)
            continue
        if table is None:
            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column(style="bold", no_wrap=True, width=name_width - 2)
            table.add_column(overflow="fold")
        table.add_row(key, value)
    if table is not None:
        out.print(table)


@app.command()
def hyperparameters(
    model_id: str = typer.Argument(..., help="JumpStart model id (must support training)."),
    version: str = typer.Option("*", "--version", "-v"),
    region: Optional[str] = RegionOpt,
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """The hyperparameters you may set: default, type, range or options. (The container's own, such
    as sagemaker_program, are set by the library, as by the SDK.)"""
    from .catalog import hyperparameters as model_hyperparameters

    rows = _run(lambda: model_hyperparameters(model_id, version, region=region or _default_region(),
                                              source=_source(source, metadata_dir)))
    if as_json:
        _print_json(rows)
        return
    records = [[r["name"], str(r["default"]), r["type"], ", ".join(map(str, r["options"])) if r["options"] else (
        f"{r['min']} .. {r['max']}" if r["min"] is not None or r["max"] is not None else "-")] for r in rows]
    _print_records(["name", "default", "type", "range / options"], records)


@app.command()
def lock(
    app_dir: Path = typer.Argument(Path("."), help="Directory of the CDK app (where cdk.json is)."),
    refresh: bool = typer.Option(False, "--refresh", help="Re-resolve every model (new latest versions)."),
    check: bool = typer.Option(False, "--check", help="Exit non-zero if the lockfile misses an entry; resolve "
                                                      "nothing. Lists unused entries."),
    prune: bool = typer.Option(False, "--prune", help="Also drop the entries this app (with this "
                                                      "context) no longer uses."),
    context: List[str] = typer.Option([], "--context", "-c", help="KEY=VALUE context for the app, "
                                                                  "as with cdk synth -c."),
    upgrade: bool = typer.Option(False, "--upgrade", help="Re-resolve the entries to the newest version their "
                                 "request allows; print what changes (image, artifacts, "
                                 "environment). Resolves no app."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="With --upgrade: only this model id's entries."),
    verify: bool = typer.Option(False, "--verify", help="Re-resolve every entry from its source and fail on any "
                                "difference in what reaches the template. Resolves no app."),
    prices: bool = typer.Option(False, "--prices", help="Record the instance prices an optimize_for=\"cost\" "
                                "choice needs, from the AWS Price List API (pricing:GetProducts), in the lockfile."),
) -> None:
    """Resolve every JumpStart construct of a CDK app into its lockfile (or check it)."""
    _TAKES_CONTEXT[0] = True
    try:
        if prices and (check or verify or upgrade):
            _fail("--prices records prices while the app runs: it excludes --check, --verify and --upgrade.",
                  USAGE_ERROR)
        if prices:
            context = [*context, f"{CONTEXT_PRICES}=true"]
        _lock(app_dir, refresh, check, prune, context, upgrade, model, verify)
    finally:
        _TAKES_CONTEXT[0] = False


def _lock(app_dir: Path, refresh: bool, check: bool, prune: bool, context: List[str], upgrade: bool,
          model: Optional[str], verify: bool) -> None:
    if (check or verify) and (refresh or prune or upgrade) or (check and verify):
        _fail("--check and --verify only read the lockfile: each excludes the other, --refresh, --prune and "
              "--upgrade.", USAGE_ERROR)
    cdk_json = app_dir / "cdk.json"
    if not cdk_json.is_file():
        _fail(f"{app_dir} has no cdk.json; pass the directory of a CDK app.", USAGE_ERROR)
    config = json.loads(cdk_json.read_text())
    if model is not None and not upgrade:
        _fail("--model selects the entries of --upgrade: pass --upgrade too.", USAGE_ERROR)
    if upgrade or verify:
        context = _with_context(dict(config.get("context") or {}), context)
        path = (app_dir / (context.get("jumpstart:lockfile") or "jumpstart.lock.json")).resolve()
        source = str(context.get("jumpstart:metadata") or "live")
        if verify:
            _verify(path, app_dir, source, context)
        else:
            _upgrade(path, model or "*", source, context)
        return
    command = config.get("app")
    if not command:
        _fail(f"{cdk_json} has no \"app\" command.", USAGE_ERROR)
    context = _with_context(dict(config.get("context") or {}), context)
    if refresh:
        context[CONTEXT_REFRESH] = "true"
    if check:
        context[CONTEXT_FROZEN] = "true"
    problems, used = _run_app(command, app_dir, context)
    if problems:
        _fail(f"{'lockfile check failed' if check else 'the app failed'}: " + " ".join(problems))
    path = (app_dir / (context.get("jumpstart:lockfile") or "jumpstart.lock.json")).resolve()
    _report_lock(path, set(used.get(str(path), [])), check, prune, _trust(context))


def _with_context(context: Dict[str, Any], items: List[str]) -> Dict[str, Any]:
    """cdk.json's context with the ``-c KEY=VALUE`` items on top, as ``cdk synth -c`` does."""
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--context takes KEY=VALUE, got {item!r}.", USAGE_ERROR)
        context[key] = value
    return context


def _trust(context: Dict[str, Any]):
    """The app's opt-ins (``jumpstart:trusted-registries`` / ``-buckets``), as its constructs read them."""
    from ._trust import Trust

    return Trust.from_context(context.get)


def _verify(path: Path, app_dir: Path, source: str, context: Dict[str, Any]) -> None:
    """``lock --verify``: every entry re-resolved from the source it records (a private hub: its key's hub) and
    compared with what the lockfile says, field by field, for what reaches the template. A ``local:`` source
    is only read when it is the app's own ``jumpstart:metadata`` (else the lockfile would name its own judge)."""
    from .lockfile import Lockfile, LockKey, verify_changes

    if not path.exists():
        _fail(f"{path} does not exist: run `jumpstart lock` first.", USAGE_ERROR)
    from .resolver import forget_metadata

    lock_file = _run(lambda: Lockfile.load(path, _trust(context)))
    forget_metadata()
    differ = 0
    for text, entry in sorted(lock_file.entries.items()):
        key = LockKey.parse(text)
        where = _verified_source(entry.source, source, app_dir)
        if where is None:
            differ += 1
            out.print(f"{text}\n  source: {entry.source} is not this app's jumpstart:metadata ({source}): re-resolve "
                      "it with `jumpstart lock --refresh`", markup=False)
            continue
        rows = verify_changes(entry, _run(lambda: _resolve_entry(key, where, _trust(context))))
        differ += bool(rows)
        if rows:
            out.print(text, markup=False)
        for field_name, locked, fresh in rows:
            out.print(f"  {field_name}: {locked} (locked) != {fresh} (re-resolved from {entry.source})", markup=False)
    count = len(lock_file.entries)
    out.print(f"{count - differ} of {count} entr{'y' if count == 1 else 'ies'} of {path} match their source.")
    if differ:
        raise typer.Exit(1)


def _verified_source(recorded: str, configured: str, app_dir: Path) -> Optional[str]:
    """Where to re-resolve an entry from: its recorded source, a ``local:`` one only if the app's own."""
    if recorded in ("live", "shipped", "hub"):
        return "live" if recorded == "hub" else recorded
    directory = recorded[len("local:"):]
    if configured not in ("live", "shipped") and (app_dir / directory).resolve() == (app_dir / configured).resolve():
        return str((app_dir / directory).resolve())
    return None


def _run_app(command: str, app_dir: Path, context: Dict[str, Any]) -> Tuple[List[str], Dict[str, List[str]]]:
    """Synthesize the app once with ``context``: (its errors, the lockfile keys it used per lockfile)."""
    with tempfile.TemporaryDirectory(prefix="jumpstart-lock-") as outdir:
        used_file = Path(outdir) / "used-keys.json"
        context = {**context, CONTEXT_USED_KEYS: str(used_file)}
        env = dict(os.environ, CDK_CONTEXT_JSON=json.dumps(context), CDK_OUTDIR=outdir)
        if _validation_cannot_fail(context, os.environ):
            env["CDK_VALIDATION"] = "false"
        proc = subprocess.run(command, shell=True, cwd=app_dir, env=env, capture_output=True, text=True)
        problems = _assembly_errors(Path(outdir)) if proc.returncode == 0 else [_app_failure(proc.stderr)]
        used = json.loads(used_file.read_text()) if used_file.is_file() else {}
    return problems, used


# The context keys under which CDK 2.275's built-in template validation can fail a synth (aws-cdk-lib's
# core/lib/private/synthesis-validation.js): its findings are warnings otherwise, which no lock reads.
_VALIDATION_FAILS_SYNTH = ("@aws-cdk/core:validateAgainstDefaultRules", "@aws-cdk/core:strictCfnValidateErrors")


def _validation_cannot_fail(context: Dict[str, Any], environ: Any) -> bool:
    """Whether the app's built-in template validation could not change what ``lock`` reports, so it may skip it
    (``CDK_VALIDATION=false``, as ``cdk synth --no-validation``): it costs a WASM engine's start and more per
    template, about two thirds of a small app's synth. Not when the user set ``CDK_VALIDATION``, nor when the
    app's context makes findings fail the synth (a context value counts as CDK reads it: set and not false)."""
    return "CDK_VALIDATION" not in environ and all(
        context.get(key) in (None, False, "false") for key in _VALIDATION_FAILS_SYNTH)


def _app_failure(stderr: str) -> str:
    """One line for a failed app: its own one-message error (app.py prints it so), else its last error line."""
    text = stderr.strip()
    marker = "jumpstart: error: "
    if marker in text:
        tail = " ".join(line.strip() for line in text.split(marker, 1)[1].strip().splitlines())
    else:
        lines = text.splitlines()
        tail = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "")
    return tail.replace(marker, "")


def _report_lock(path: Path, used: set, check: bool, prune: bool, trust: Any) -> None:
    """Print the lockfile's state after a run (pruning the entries the app no longer uses). What is left is
    checked as a synth checks it: a refresh re-resolves only what the app uses, so an entry it left alone
    may still point outside what the SDK resolves to (``--prune`` drops it first)."""
    from .lockfile import Lockfile

    lock_file = Lockfile.read_unchecked(path) if path.exists() else Lockfile(path)
    unused = sorted((set(lock_file.entries) | set(lock_file.choices)) - used)
    if prune and unused:
        lock_file.prune(used)
        lock_file.save()
        out.print(f"pruned {len(unused)} unused entr{'y' if len(unused) == 1 else 'ies'}: {', '.join(unused)}")
        unused = []
    _run(lambda: lock_file.check(trust))
    count = len(lock_file.entries)
    verb = "is complete" if check else "is up to date"
    out.print(f"{path} {verb}: {count} entr{'y' if count == 1 else 'ies'}.")
    if unused:
        out.print(f"{len(unused)} entr{'y is' if len(unused) == 1 else 'ies are'} not used by this app "
                  f"(with this context): {', '.join(unused)}. `jumpstart lock --prune` drops them.")


def _upgrade(path: Path, only: str, source: str, context: Dict[str, Any]) -> None:
    """``lock --upgrade``: every entry (of ``only``, or all for ``*``) re-resolved with its own request,
    the changes that reach the template printed as one reviewed diff, the lockfile saved."""
    from .lockfile import Lockfile, LockKey, upgrade_changes

    if not path.exists():
        _fail(f"{path} does not exist: run `jumpstart lock` first.", USAGE_ERROR)
    lock_file = _run(lambda: Lockfile.load(path, _trust(context)))
    keys = [k for k, m in lock_file.entries.items() if only in ("*", m.model_id)]
    choices = _upgrade_choices(lock_file, only, source)
    if not keys and not _choice_keys(lock_file, only):
        _fail(f"{path} has no entry for {only!r}; its models: "
              f"{', '.join(sorted({m.model_id for m in lock_file.entries.values()}))}.",
              USAGE_ERROR)
    changed = 0
    for text in keys:  # one block per entry, a line per change: readable at any width, and in a pipeline log
        key = LockKey.parse(text)
        new = _run(lambda: _resolve_entry(key, source, _trust(context)))
        rows = upgrade_changes(lock_file.entries[text], new)
        changed += bool(rows)
        if rows:
            out.print(text, markup=False)
        for field_name, old_value, new_value in rows:
            out.print(f"  {field_name}: {old_value} -> {new_value}", markup=False)
        lock_file.entries[text] = new
    lock_file.save()
    out.print(f"{changed} of {len(keys)} entr{'y' if len(keys) == 1 else 'ies'} upgraded in {path}; review the diff "
              "(and `cdk diff`) before deploying.")
    if _choice_keys(lock_file, only):
        out.print(f"{choices} of {len(_choice_keys(lock_file, only))} choice(s) by objective changed (the app's next "
                  "synth resolves the new config and instance type).")


def _choice_keys(lock_file: Any, only: str) -> List[str]:
    from .lockfile import ChoiceKey

    return [k for k in lock_file.choices if only in ("*", ChoiceKey.parse(k).model_id)]


def _upgrade_choices(lock_file: Any, only: str, source: str) -> int:
    """``lock --upgrade`` of the choices by objective: each chosen again on the newest figures its request allows
    (with the recorded prices), a changed one printed before -> after with the figures it rests on. Returns how
    many changed (the lockfile is saved by the caller)."""
    from ._objective import Choice, choose_from_spec
    from .lockfile import ChoiceKey
    from .resolver import benchmark_spec

    changed = 0
    for text in _choice_keys(lock_file, only):
        key = ChoiceKey.parse(text)
        resolved, spec = _run(lambda: benchmark_spec(key.model_id, key.version, region=key.region, source=source))
        prices = lock_file.prices.get(key.region, {}).get("usd_per_hour")
        new = _run(lambda: choose_from_spec(spec, key.objective, key.concurrency, key.instance_types, prices))
        old = lock_file.choices[text]
        before = Choice.from_json(old)
        if (old["version"], before.config_name, before.instance_type) != (resolved, new.config_name, new.instance_type):
            changed += 1
            out.print(f"choice {text}", markup=False)
            out.print(f"  {old['version']}: {before.why} -> {resolved}: {new.why}", markup=False)
        lock_file.choices[text] = {"version": resolved, **new.to_json()}
    return changed


def _resolve_entry(key, source: str, trust):
    """``key`` resolved again, held to what the SDK resolves to as a synth holds it before recording it."""
    from ._trust import entry_problems
    from .resolver import resolve

    model = resolve(key.model_id, key.version, region=key.region, scope=key.scope, instance_type=key.instance_type,
                    config_name=key.config_name, source=source, hub=key.hub)
    problems = entry_problems(key, model, trust)
    if problems:
        raise JumpStartError(f"'{key}' resolves outside what the SageMaker SDK resolves to: {'; '.join(problems)}.")
    return model


def _in_range(requested: str, version: str) -> bool:
    """Whether ``version`` satisfies a requested version: ``*``, a prefix wildcard like ``3.*``, or itself."""
    if requested == "*":
        return True
    if requested.endswith("*"):
        return version.startswith(requested[:-1])
    return version == requested


def _lock_report(lockfile: Path, source: str) -> List[Dict[str, Any]]:
    """For every lockfile entry: the newest version in its requested range and overall, and whether
    the locked version is now deprecated or vulnerable, by the catalog's current specs."""
    from .catalog import _version_key, reader
    from .lockfile import Lockfile

    if not lockfile.exists():
        _fail(f"{lockfile} does not exist: run `jumpstart lock` (or cdk synth) first.", USAGE_ERROR)
    readers: Dict[str, Any] = {}
    rows = []
    context = json.loads(Path("cdk.json").read_text()).get("context", {}) if Path("cdk.json").is_file() else {}
    for key, entry in sorted(Lockfile.load(lockfile, _trust(context)).entries.items()):
        catalog = readers.setdefault(entry.region, reader(entry.region, source))
        headers = sorted((h for h in catalog.manifest if h["model_id"] == entry.model_id),
                         key=lambda h: _version_key(h["version"]))
        in_range = [h["version"] for h in headers if _in_range(entry.requested_version, h["version"])]
        locked = next((h for h in headers if h["version"] == entry.version), None)
        spec = catalog.spec(locked["spec_key"]) if locked else {}
        scope = "inference" if entry.scope == "inference" else "training"
        rows.append({
            "entry": key, "model_id": entry.model_id, "requested": entry.requested_version, "locked": entry.version,
            "newest_in_range": in_range[-1] if in_range else None,
            "newest": headers[-1]["version"] if headers else None,
            "in_catalog": locked is not None, "deprecated": bool(spec.get("deprecated")),
            "deprecated_message": spec.get("deprecated_message") or spec.get("deprecate_warn_message"),
            "vulnerable": bool(spec.get(f"{scope}_vulnerable")),
            "vulnerabilities": list(spec.get(f"{scope}_vulnerabilities") or []),
        })
    return rows


def _lockfile_option() -> Any:
    return typer.Option(Path("jumpstart.lock.json"), "--lockfile", help="The lockfile (default: "
                                                                        "./jumpstart.lock.json).")


@app.command()
def outdated(
    lockfile: Path = _lockfile_option(),
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """For every lockfile entry: the newest version the catalog has (in the requested range, and
    overall), and whether the locked version has since been deprecated or marked vulnerable."""
    rows = _run(lambda: _lock_report(lockfile, _source(source, metadata_dir)))
    if as_json:
        _print_json(rows)
        return
    headers = ["entry", "locked", "newest in range", "newest", "deprecated", "vulnerable"]
    records = [[r["entry"], r["locked"] if r["in_catalog"] else f"{r['locked']} (not in catalog)",
                r["newest_in_range"] or "-", r["newest"] or "-",
                "yes" if r["deprecated"] else "no", "yes" if r["vulnerable"] else "no"] for r in rows]
    _print_records(headers, records)
    for r in rows:
        if not r["in_catalog"]:
            out.print(f"{r['model_id']} {r['locked']} is not in the catalog: a deploy from this lockfile serves a "
                      "version JumpStart does not have (`jumpstart lock --upgrade` re-resolves it)", markup=False)
        if r["deprecated"]:
            out.print(f"{r['model_id']} {r['locked']} is deprecated: "
                      f"{r['deprecated_message'] or 'no message in the spec'}", markup=False)
        if r["vulnerable"]:
            out.print(f"{r['model_id']} {r['locked']} has vulnerable dependencies: "
                      f"{', '.join(r['vulnerabilities']) or 'not listed'}",
                      markup=False)


@app.command()
def audit(
    fail_on: str = typer.Option("deprecated,vulnerable,missing", "--fail-on",
                                help="What fails the audit (exit 1): deprecated, vulnerable, missing (a locked "
                                     "version the catalog does not have): each makes a deploy wrong, and all three "
                                     "fail by default; outdated (a newer version in range) only when asked."),
    lockfile: Path = _lockfile_option(),
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Check the locked versions against the catalog now, for a pipeline step."""
    wanted = {w.strip() for w in fail_on.split(",") if w.strip()}
    unknown = wanted - {"deprecated", "vulnerable", "outdated", "missing"}
    if unknown:
        _fail("--fail-on takes deprecated, vulnerable, outdated, missing; got "
              f"{', '.join(sorted(unknown))}.", USAGE_ERROR)
    rows = _run(lambda: _lock_report(lockfile, _source(source, metadata_dir)))
    findings = []
    for r in rows:
        checks = {"deprecated": r["deprecated"], "vulnerable": r["vulnerable"], "missing": not r["in_catalog"],
                  "outdated": bool(r["newest_in_range"]) and r["newest_in_range"] != r["locked"]}
        findings += [{"entry": r["entry"], "finding": name} for name, hit in checks.items() if hit and name in wanted]
    if as_json:
        _print_json(findings)
    else:
        for f in findings:
            out.print(f"{f['entry']}: {f['finding']}", markup=False)
        out.print(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'} audited, {len(findings)} finding(s).")
    if findings:
        raise typer.Exit(1)


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


@app.command()
def invoke(
    endpoint: str = typer.Argument(..., help="The endpoint's name (the stack output EndpointName)."),
    payload: str = typer.Option("default", "--payload", "-p",
                                help="default (the spec's example), default:NAME, a file, or - (standard input)."),
    model_id: Optional[str] = typer.Option(None, "--model-id", help="Default: the endpoint's JumpStart tags."),
    version: Optional[str] = typer.Option(None, "--version", "-v", help="Default: the endpoint's tags, else *."),
    content_type: Optional[str] = typer.Option(None, "--content-type", help="Default: the payload's, else the spec's."),
    accept: Optional[str] = typer.Option(None, "--accept", help="Default: the spec's."),
    stream: bool = typer.Option(False, "--stream", help="InvokeEndpointWithResponseStream: print "
                                                        "parts as they arrive."),
    component: Optional[str] = typer.Option(None, "--component", "-c", help="The inference component or LoRA "
                                            "adapter to reach (its component_name; the model from its tags)."),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the response here (binary answers: "
                                          "default response.<type>)."),
    region: Optional[str] = typer.Option(None, "--region", "-r", callback=_known_region,
                                         help="The endpoint's region (default as for the catalog)."),
    source: Optional[str] = SourceOpt,
    metadata_dir: Optional[Path] = DirOpt,
) -> None:
    """Call a deployed endpoint as the SDK's Predictor does: the model's content and accept types and
    example payload, the answer pretty-printed (JSON) or written to a file (images)."""
    from . import invoke as calls
    from .catalog import describe as describe_model

    region = region or _default_region()
    sagemaker, runtime = _run(lambda: calls.clients(region))
    tagged_id, tagged_version = _run(lambda: calls.endpoint_model(sagemaker, endpoint))
    if component:
        tagged_id, tagged_version = _run(lambda: calls.component_model(sagemaker, endpoint, component))
    model_id, version = model_id or tagged_id, version or tagged_version or "*"
    spec = _run(lambda: describe_model(model_id, version, region=region, source=_source(source, metadata_dir))) \
        if model_id else None
    request = _run(lambda: replace(calls.build_request(spec, payload, content_type, accept), component=component))
    answer_type, parts = _run(lambda: _send(calls, sagemaker, runtime, endpoint, request, stream))
    echo = stream and output is None
    data = _run(lambda: _consume(parts, echo))
    if not echo:
        _print_answer(answer_type, data, output)


def _send(calls, sagemaker, runtime, endpoint: str, request, stream: bool):
    """Invoke; an endpoint of inference components without --component answers with the names."""
    try:
        return calls.send(runtime, endpoint, request, stream)
    except calls.InvokeError as error:
        if request.component or "inference component name header" not in str(error).lower():
            raise
        raise calls.InvokeError(f"{error} Hint: {calls.components_hint(sagemaker, endpoint)}") from None


def _consume(parts, echo: bool) -> bytes:
    """The whole answer; streamed parts are printed as they arrive when ``echo``."""
    data = b""
    for part in parts:
        data += part
        if echo:
            sys.stdout.write(part.decode(errors="replace"))
            sys.stdout.flush()
    if echo:
        sys.stdout.write("\n")
    return data


def _print_answer(content_type: str, data: bytes, output: Optional[Path]) -> None:
    binary = not content_type.startswith(("application/json", "text/")) and content_type != ""
    if output is None and binary:
        output = Path("response." + (content_type.split("/")[-1].split(";")[0] or "bin"))
    if output is not None:
        output.write_bytes(data)
        err.print(f"{len(data)} bytes of {content_type or 'unknown type'} written to {output}", markup=False)
        return
    try:
        _print_json(json.loads(data))
    except ValueError:
        sys.stdout.write(data.decode(errors="replace") + "\n")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"jumpstart (constructs-jumpstart) {version('constructs-jumpstart')}")
        except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
            out.print("jumpstart (constructs-jumpstart, not installed)")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")) -> None:
    """Browse the SageMaker JumpStart catalog and manage the jumpstart.lock.json of a CDK app."""


def main() -> None:  # pragma: no cover - console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
