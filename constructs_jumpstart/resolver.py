"""The JumpStart resolver: the only module of this library that imports the SageMaker SDK.

It asks ``sagemaker.core`` (SDK v3) for a model's container image, artifact, script, default
environment, hyperparameters and deploy settings, for one model id + version + region + scope +
instance type, and hands back a plain frozen :class:`~constructs_jumpstart.types.ResolvedModel`.

The SDK is imported lazily, inside :func:`resolve`, so that a synth served entirely from the
lockfile never imports it.

Metadata sources, all read through the SDK:

* the live JumpStart buckets (needs AWS credentials), the default;
* a local directory in the JumpStart layout (``models_manifest.json`` + spec files), through the
  SDK's local-metadata mode. When ``AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE`` and
  ``AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE`` are set they win, exactly as in the SDK;
* ``"shipped"``: the small catalog this package ships (``constructs_jumpstart/catalog``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .errors import (
    HubError,
    MetadataError,
    RegionError,
    UnknownConfigError,
    UnknownModelError,
    UnknownVersionError,
    UnsupportedInstanceTypeError,
    UnsupportedScopeError,
)
from .types import AdditionalDataSource, Hyperparameter, ResolvedModel, S3Artifact, Scope

SHIPPED_CATALOG = Path(__file__).resolve().parent / "catalog"
MANIFEST_ENV = "AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE"
SPECS_ENV = "AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE"
LIVE = "live"
SHIPPED = "shipped"

_active_dir: List[Optional[str]] = [None]
_exporting: List[bool] = [False]  # the override variables are ours (a local source), not the user's


def metadata_dir_for(source: Optional[str]) -> Optional[Path]:
    """The local metadata directory a source names, or ``None`` for the live catalog."""
    if source in (None, "", LIVE):
        return None
    if source == SHIPPED:
        return SHIPPED_CATALOG
    return Path(source).expanduser().resolve()


def _env_roots() -> Optional[Tuple[Path, Path]]:
    """(manifest root, specs root) from the SDK's override variables, when both are set: then they
    win, exactly as in the SDK."""
    if os.environ.get(MANIFEST_ENV) and os.environ.get(SPECS_ENV):
        return Path(os.environ[MANIFEST_ENV]), Path(os.environ[SPECS_ENV])
    return None


def _require_manifest(root: Path) -> None:
    if not (root / "models_manifest.json").is_file():
        raise MetadataError(
            f"JumpStart metadata directory '{root}' has no models_manifest.json. Expected the "
            "JumpStart layout (models_manifest.json plus the spec files it points to), "
            f"'{SHIPPED}' for the catalog shipped with constructs_jumpstart, or '{LIVE}'."
        )


def describe_source(source: Optional[str] = None) -> str:
    """Human-readable name of where metadata will come from (env overrides win)."""
    if _env_roots() and not _exporting[0]:
        return f"local directory {os.environ[MANIFEST_ENV]} (from {MANIFEST_ENV})"
    path = metadata_dir_for(source)
    return "live JumpStart catalog" if path is None else f"local directory {path}"


@contextlib.contextmanager
def metadata_source(source: Optional[str] = None) -> Iterator[None]:
    """Point the SDK at ``source`` for the duration of the block.

    If both SDK override variables are already set, they are honoured unchanged. Otherwise a local
    directory is exported through those same variables (the SDK's own local-metadata mode) and the
    variables are restored afterwards. The SDK's metadata cache is reset when the directory changes.
    """
    from sagemaker.core.jumpstart import accessors

    env = _env_roots()
    if env:
        _switch_cache(accessors, f"{env[0]}|{env[1]}")
        yield
        return
    path = metadata_dir_for(source)
    if path is None:
        _switch_cache(accessors, LIVE)
        yield
        return
    _require_manifest(path)
    saved = {k: os.environ.get(k) for k in (MANIFEST_ENV, SPECS_ENV)}
    os.environ[MANIFEST_ENV] = os.environ[SPECS_ENV] = str(path)
    _switch_cache(accessors, f"{path}|{path}")
    _exporting[0] = True
    try:
        yield
    finally:
        _exporting[0] = False
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _switch_cache(accessors, wanted: str) -> None:
    if _active_dir[0] not in (None, wanted):
        accessors.JumpStartModelsAccessor.reset_cache()
    _active_dir[0] = wanted


def _family_environment(variants: Any, instance_type: str) -> Dict[str, str]:
    """An instance type's environment variables as sagemaker-core computes them (its family's
    ``environment_variables``, updated with the type's own), on a new dict.

    sagemaker-core 2.27's ``JumpStartInstanceTypeVariants.get_instance_specific_environment_variables``
    calls ``update`` on the family's dict *inside the spec its metadata cache holds*, so every later
    answer for another type of that family in the same process carries the first type's variables
    (``SM_NUM_GPUS`` 8 for an ``ml.g5.12xlarge`` after an ``ml.g5.48xlarge``; one synth resolves
    several). A fresh process, which is what ``JumpStartModel.deploy()`` runs in, answers without them:
    that answer is the reference (``tests/test_resolver.py`` compares the two for every shipped spec)."""
    from sagemaker.core.common_utils import get_instance_type_family

    if variants.variants is None:
        return {}
    own = variants.variants.get(instance_type, {}).get("properties", {}).get("environment_variables", {})
    family = get_instance_type_family(instance_type)
    of_family = (variants.variants.get(family, {}).get("properties", {}).get("environment_variables", {})
                 if family not in {"", None} else {})
    return {**of_family, **own}


_SDK_FAMILY_ENVIRONMENT: Optional[Any] = None
"""The SDK's own method, kept for the test that compares the two."""


def _unshare_family_environment() -> None:
    """Put :func:`_family_environment` in place of the SDK's method (once per process)."""
    global _SDK_FAMILY_ENVIRONMENT
    from sagemaker.core.jumpstart.types import JumpStartInstanceTypeVariants

    current = JumpStartInstanceTypeVariants.get_instance_specific_environment_variables
    if current is not _family_environment:
        _SDK_FAMILY_ENVIRONMENT = current
        JumpStartInstanceTypeVariants.get_instance_specific_environment_variables = _family_environment


@contextlib.contextmanager
def _quiet_sdk() -> Iterator[None]:
    """The SDK logs wildcard-version and deprecation notes; the constructs turn those facts into
    CDK Annotations instead, so keep the SDK's own logger quiet while resolving."""
    logger = logging.getLogger("sagemaker.jumpstart")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def _require_sdk(what: str) -> None:
    """A clear error where the SDK is not installed (a lean, locked-only install)."""
    try:
        import sagemaker.core.jumpstart  # noqa: F401
    except ImportError:
        raise MetadataError(
            f"Resolving '{what}' needs the SageMaker Python SDK (sagemaker-core), which is not installed. "
            "Install it (pip install 'sagemaker-core>=2.27,<3'), or synthesize with a lockfile that has this "
            "entry (a locked synth never needs the SDK)."
        ) from None


def list_manifest(region: str, source: Optional[str] = None) -> Dict[str, List[str]]:
    """``{model_id: [versions...]}`` from the manifest of ``source`` for ``region``."""
    from sagemaker.core.jumpstart import accessors

    _check_region(region)
    with metadata_source(source), _quiet_sdk(), _metadata_errors(source):
        # Same s3_client as the SDK's retrieve functions pass, so the accessor keeps one cache
        # and the manifest is read once per region per process, not once per cache.
        from sagemaker.core.jumpstart.constants import DEFAULT_JUMPSTART_SAGEMAKER_SESSION

        headers = accessors.JumpStartModelsAccessor._get_manifest(
            region=region, s3_client=DEFAULT_JUMPSTART_SAGEMAKER_SESSION.s3_client
        )
    out: Dict[str, List[str]] = {}
    for header in headers:
        out.setdefault(header.model_id, []).append(header.version)
    return out


@contextlib.contextmanager
def _metadata_errors(source: Optional[str]) -> Iterator[None]:
    """Turn the SDK's and botocore's failures to read metadata into one clear error."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as err:
        raise MetadataError(
            f"Could not read JumpStart metadata from the {describe_source(source)}: {err}. "
            "The live catalog needs AWS credentials; to work offline use the shipped catalog "
            f"(-c jumpstart:metadata={SHIPPED}) or a local directory (-c jumpstart:metadata=PATH)."
        ) from None
    except FileNotFoundError as err:
        raise MetadataError(
            f"JumpStart metadata in the {describe_source(source)} is incomplete: {err}."
        ) from None
    except ValueError:  # json.JSONDecodeError from a local file: the SDK does not name it
        broken = _broken_json_file(source)
        if broken is None:
            raise
        raise MetadataError(f"JumpStart metadata file {broken[0]} is not valid JSON: {broken[1]}.") from None


def _broken_json_file(source: Optional[str]) -> Optional[Tuple[Path, str]]:
    """The first local metadata file that does not parse (only looked for once something failed)."""
    import json

    roots = _env_roots() or ((metadata_dir_for(source),) * 2 if metadata_dir_for(source) else ())
    for root in dict.fromkeys(roots):
        for path in sorted(Path(root).rglob("*.json")):
            try:
                json.loads(path.read_text())
            except ValueError as err:
                return path, str(err)
    return None


def _check_region(region: str) -> None:
    from sagemaker.core.jumpstart.utils import get_jumpstart_content_bucket

    try:
        get_jumpstart_content_bucket(region)
    except ValueError as err:
        raise RegionError(f"Region '{region}': {err}") from None


def _sort_versions(versions: List[str]) -> List[str]:
    from packaging.version import InvalidVersion, Version

    def key(v: str):
        try:
            return (0, Version(v))
        except InvalidVersion:
            return (1, v)

    return sorted(set(versions), key=key)


def resolve(
    model_id: str,
    version: str = "*",
    *,
    region: str,
    scope: str = Scope.INFERENCE.value,
    instance_type: Optional[str] = None,
    config_name: Optional[str] = None,
    source: Optional[str] = None,
    hub: Optional[str] = None,
) -> ResolvedModel:
    """Resolve one JumpStart model through the SageMaker SDK.

    Args:
        model_id: JumpStart model id, e.g. ``"pytorch-ic-mobilenet-v2"``.
        version: a concrete version, a wildcard such as ``"3.*"``, or ``"*"`` for the latest.
        region: the AWS region the stack deploys to (artifacts and images are regional).
        scope: ``"inference"`` or ``"training"``.
        instance_type: the instance type; ``None`` takes the spec's default for the scope.
        config_name: an inference config of the spec (e.g. ``"lmi-optimized"``); ``None`` takes
            the top-ranked config, as the SDK's deploy does.
        source: ``"live"`` (default), ``"shipped"`` or a local metadata directory.
        hub: the ARN of a private SageMaker hub to resolve the model in (its model references to
            public models and its own models), through ``DescribeHubContent`` as the SDK's
            ``hub_name=`` does; ``source`` is then not read.

    Raises:
        JumpStartError: a subclass naming the bad value and what is valid.
    """
    scope = Scope(scope).value
    _require_sdk(model_id)
    _unshare_family_environment()
    _check_region(region)
    if hub:
        return _resolve_in_hub(model_id, version, region, scope, instance_type, config_name, hub)
    manifest = list_manifest(region, source)
    if model_id not in manifest:
        raise UnknownModelError(model_id, region, manifest)
    with metadata_source(source), _quiet_sdk(), _metadata_errors(source):
        resolved = _resolve(model_id, version, region, scope, instance_type, config_name, manifest[model_id])
    return dataclasses.replace(resolved, source=source_label(source),
                               spec_digest=_catalog_spec_digest(model_id, resolved.version, region, source))


def benchmark_spec(model_id: str, version: str = "*", *, region: str, source: Optional[str] = None
                   ) -> Tuple[str, Dict[str, Any]]:
    """(version, figures) of a model's inference configs as the SDK reads them, in the spec's own shape for
    :mod:`constructs_jumpstart._objective`: ``inference_configs[<config>]`` with its ``benchmark_metrics``
    (the SDK's ``JumpStartBenchmarkStat``) and the resolved config's ``supported_inference_instance_types``
    (as ``inference_config_components[<config>]``), and ``inference_config_rankings``. A model without
    inference configs gives empty ``inference_configs``."""
    _require_sdk(model_id)
    _check_region(region)
    manifest = list_manifest(region, source)
    if model_id not in manifest:
        raise UnknownModelError(model_id, region, manifest)
    tolerate = {"tolerate_deprecated_model": True, "tolerate_vulnerable_model": True}
    ask = _Ask(model_id, region, Scope.INFERENCE.value, tolerate)
    with metadata_source(source), _quiet_sdk(), _metadata_errors(source):
        specs = _base_specs(ask, version, manifest[model_id])
        configs: Dict[str, Any] = {}
        components: Dict[str, Any] = {}
        for name, config in ((specs.inference_configs.configs if specs.inference_configs else None) or {}).items():
            metrics = config.benchmark_metrics or {}
            configs[name] = {"component_names": [name], "benchmark_metrics": {
                instance_type: [stat.to_json() for stat in stats or []] for instance_type, stats in metrics.items()}}
            resolved = config.resolved_config or {}
            supported = resolved.get("supported_inference_instance_types")
            components[name] = {} if supported is None else {"supported_inference_instance_types": list(supported)}
        rankings = {alias: {"description": ranking.description, "rankings": list(ranking.rankings)}
                    for alias, ranking in (specs.inference_config_rankings or {}).items()}
    return specs.version, {"inference_configs": configs, "inference_config_components": components,
                           "inference_config_rankings": rankings}


PRICE_SOURCE = "AWS Price List API (pricing:GetProducts, ServiceCode AmazonSageMaker, on-demand)"


def pricing_client(region: str) -> Any:
    """A Price List API client at the endpoint the SDK's ``get_instance_rate_per_hour`` asks for ``region``."""
    import boto3

    endpoint = ("eu-central-1" if region.startswith(("eu", "af")) else
                "ap-south-1" if region.startswith(("ap", "cn")) else "us-east-1")
    return boto3.client("pricing", region_name=endpoint)


def instance_prices(region: str, instance_types: List[str], client: Any = None) -> Dict[str, float]:
    """USD per hour of each instance type in ``region``, asked of the AWS Price List API as the SDK's
    ``get_instance_rate_per_hour`` asks (same filters, the first product's on-demand price, read by the SDK's
    ``extract_instance_rate_per_hour``). An instance type without a price is left out, never guessed; a
    refused call (no ``pricing:GetProducts`` permission) is a :class:`MetadataError` saying so."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sagemaker.core.common_utils import extract_instance_rate_per_hour

    client = client or pricing_client(region)
    prices: Dict[str, float] = {}
    for instance_type in dict.fromkeys(instance_types):
        try:
            response = client.get_products(ServiceCode="AmazonSageMaker", Filters=[
                {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
                {"Type": "TERM_MATCH", "Field": "locationType", "Value": "AWS Region"},
                {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
            ])
        except (ClientError, BotoCoreError) as err:
            raise MetadataError(f"The AWS Price List API refused the price of {instance_type} in {region}: {err}. "
                                "Recording prices needs pricing:GetProducts.") from None
        products = response.get("PriceList") or []
        if not products:
            continue
        product = json.loads(products[0]) if isinstance(products[0], str) else products[0]
        rate = extract_instance_rate_per_hour(product)
        if rate and rate.get("value") is not None and str(rate.get("unit", "")).startswith("USD"):
            prices[instance_type] = float(rate["value"])
    return prices


def source_label(source: Optional[str]) -> str:
    """What an entry records as its ``source``: ``live``, ``shipped`` or ``local:DIR`` (as given, so a
    relative directory stays relative to the app; the SDK's override variables win, as in the SDK)."""
    env = _env_roots()
    if env and not _exporting[0]:
        return f"local:{env[1]}"
    if metadata_dir_for(source) is None:
        return LIVE
    return SHIPPED if source == SHIPPED else f"local:{source}"


def spec_digest(spec: Any) -> str:
    """``sha256:`` of a spec's JSON, keys sorted and compact, so the same spec has one digest wherever read."""
    import hashlib

    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


_LIVE_READERS: Dict[str, "CatalogReader"] = {}


def forget_metadata() -> None:
    """Drop what this process read of any catalog (the SDK's cache, the live readers), so the next resolution
    reads its source again (``jumpstart lock --verify`` compares the lockfile with the source as it is now)."""
    _LIVE_READERS.clear()
    _active_dir[0] = None
    import sys

    if "sagemaker.core.jumpstart.accessors" in sys.modules:
        sys.modules["sagemaker.core.jumpstart.accessors"].JumpStartModelsAccessor.reset_cache()


def _catalog_spec_digest(model_id: str, version: str, region: str, source: Optional[str]) -> str:
    """The digest of the raw spec file the manifest names for ``model_id`` ``version`` (a live catalog's
    reader, with its manifest, is kept for the process; a local one reads the files again)."""
    live = metadata_dir_for(source) is None and not _env_roots()
    reader = _LIVE_READERS.get(region) if live else None
    if reader is None:
        reader = CatalogReader(region, source)
        if live:
            _LIVE_READERS[region] = reader
    header = next(h for h in reader.manifest if h["model_id"] == model_id and h["version"] == version)
    return spec_digest(reader.spec(header["spec_key"]))


def hub_client(region: str) -> Any:
    """The SageMaker client that reads private hubs (tests give one whose answers they check)."""
    import boto3

    return boto3.client("sagemaker", region_name=region)


def _resolve_in_hub(model_id: str, version: str, region: str, scope: str, instance_type: Optional[str],
                    config_name: Optional[str], hub_arn: str) -> ResolvedModel:
    """Resolve through a private hub as the SDK's ``hub_name=`` does: a model reference to a public
    model first, then a model of the hub's own (``ListHubContentVersions``, ``DescribeHubContent``)."""
    import boto3
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.core.jumpstart import accessors
    from sagemaker.core.jumpstart import utils as js_utils
    from sagemaker.core.jumpstart.hub import utils as hub_utils

    client = hub_client(region)
    session = Session(boto_session=boto3.Session(region_name=region), sagemaker_client=client)
    hub = {"hub_arn": hub_arn, "sagemaker_session": session}
    accessors.JumpStartModelsAccessor.reset_cache()  # hub content is read fresh; the lockfile is the cache
    _active_dir[0] = None
    with _quiet_sdk(), _hub_errors(model_id, version, hub_arn, client):
        resolved = _resolve(model_id, version, region, scope, instance_type, config_name, [], hub)
        specs = js_utils.verify_model_region_and_return_specs(
            model_id=model_id, version=resolved.version, scope=scope, region=region,
            tolerate_deprecated_model=True, tolerate_vulnerable_model=True, **hub)
    content_type = getattr(specs.hub_content_type, "value", specs.hub_content_type)
    construct = (hub_utils.construct_hub_model_reference_arn_from_inputs if content_type == "ModelReference"
                 else hub_utils.construct_hub_model_arn_from_inputs)
    document = client.describe_hub_content(HubName=hub_arn, HubContentType=content_type, HubContentName=model_id,
                                           HubContentVersion=resolved.version)["HubContentDocument"]
    return dataclasses.replace(resolved, hub_content_type=content_type, source="hub",
                               spec_digest=spec_digest(json.loads(document)),
                               hub_content_arn=construct(hub_arn, model_id, resolved.version))


@contextlib.contextmanager
def _hub_errors(model_id: str, version: str, hub_arn: str, client: Any) -> Iterator[None]:
    """The SDK's hub failures as one clear error: access denied, or what the hub holds instead."""
    try:
        yield
    except (RuntimeError, UnknownVersionError) as err:
        text = str(err)
        name = hub_arn.rsplit("/", 1)[-1]
        if "AccessDenied" in text or "not authorized" in text:
            raise HubError(
                f"access to hub '{name}' ({hub_arn}) was denied: the credentials that run cdk synth need "
                "sagemaker:ListHubContentVersions and sagemaker:DescribeHubContent on "
                f"{hub_arn.replace(':hub/', ':hub-content/')}/*."
            ) from None
        held = _hub_contents(client, hub_arn)
        if model_id in held:
            raise UnknownVersionError(model_id, version, held[model_id]) from None
        raise HubError(f"'{model_id}' is not in hub '{name}' ({hub_arn}); it holds: "
                       f"{', '.join(sorted(held)) or 'nothing'}.") from None


def hub_models(hub_arn: str, region: str) -> List[Dict[str, str]]:
    """What a private hub holds: ``model_id``, ``version`` and ``type`` (``ModelReference`` or
    ``Model``) of each hub content, as ``ListHubContents`` lists them."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return sorted(_hub_rows(hub_client(region), hub_arn), key=lambda r: r["model_id"])
    except (BotoCoreError, ClientError) as err:
        raise HubError(f"could not list hub {hub_arn}: {err}") from None


def _hub_rows(client: Any, hub_arn: str) -> Iterator[Dict[str, str]]:
    """Every hub content (model references, then the hub's own models), through all pages."""
    for content_type in ("ModelReference", "Model"):
        token: Dict[str, str] = {}
        while True:
            page = client.list_hub_contents(HubName=hub_arn, HubContentType=content_type, **token)
            for s in page.get("HubContentSummaries", []):
                yield {"model_id": s["HubContentName"], "version": s["HubContentVersion"], "type": content_type}
            if not page.get("NextToken"):
                break
            token = {"NextToken": page["NextToken"]}


def _hub_contents(client: Any, hub_arn: str) -> Dict[str, List[str]]:
    """Model name -> versions the hub holds (its model references and its own models)."""
    held: Dict[str, List[str]] = {}
    for row in _hub_rows(client, hub_arn):
        held.setdefault(row["model_id"], []).append(row["version"])
    return held


@dataclasses.dataclass
class _Ask:
    """One resolution's questions to the SDK: model, region, scope, and the keyword arguments every
    SDK helper takes (tolerate flags; a hub's ARN and session)."""

    model_id: str
    region: str
    scope: str
    extra: Dict[str, Any]

    @property
    def inference(self) -> bool:
        return self.scope == Scope.INFERENCE.value

    def specs(self, version: str, config_name: Optional[str] = None):
        from sagemaker.core.jumpstart import utils as js_utils

        return js_utils.verify_model_region_and_return_specs(
            model_id=self.model_id, version=version, scope=self.scope, region=self.region, config_name=config_name,
            **self.extra)

    def common(self, version: str, config_name: Optional[str]) -> Dict[str, Any]:
        return dict(model_id=self.model_id, model_version=version, region=self.region, config_name=config_name,
                    **self.extra)


def _resolve(
    model_id: str,
    requested_version: str,
    region: str,
    scope: str,
    instance_type: Optional[str],
    config_name: Optional[str],
    versions: List[str],
    hub: Optional[Dict[str, Any]] = None,
) -> ResolvedModel:
    tolerate = {"tolerate_deprecated_model": True, "tolerate_vulnerable_model": True}
    ask = _Ask(model_id, region, scope, {**tolerate, **(hub or {})})
    version = _base_specs(ask, requested_version, versions).version
    config_name, available_configs = _config(ask, version, config_name)
    specs = ask.specs(version, config_name)
    common = ask.common(version, config_name)
    supported, default_type, chosen = _instance_types(ask, version, instance_type, common)
    model_package_arn, image_uri = _image(ask, version, chosen, supported, common)
    return ResolvedModel(
        model_id=model_id, requested_version=requested_version, version=version, region=region, scope=scope,
        instance_type=chosen, image_uri=image_uri, config_name=config_name, supported_instance_types=supported,
        default_instance_type=default_type, available_configs=available_configs, model_package_arn=model_package_arn,
        **_artifacts(ask, specs, chosen, common),
        **_training(ask, specs, chosen, common),
        **_hosting(ask, specs, chosen, common),
        **_spec_facts(ask, specs),
        no_volume_kms_instance_types=_no_volume_kms(supported, chosen),
    )


def _base_specs(ask: _Ask, requested_version: str, versions: List[str]):
    """The spec of the requested version (a wildcard picks the newest), or a clear error."""
    try:
        return ask.specs(requested_version)
    except KeyError:
        raise UnknownVersionError(ask.model_id, requested_version, _sort_versions(versions)) from None
    except ValueError as err:
        if "does not support training" in str(err):
            raise _untrainable(ask.model_id) from None
        raise


def _untrainable(model_id: str) -> UnsupportedScopeError:
    return UnsupportedScopeError(
        f"JumpStart model '{model_id}' does not support fine-tuning (training scope). "
        "Pick a model whose spec has training_supported, e.g. from `jumpstart models "
        "--filter 'training_supported == true'`."
    )


def _config(ask: _Ask, version: str, config_name: Optional[str]) -> Tuple[Optional[str], Tuple[str, ...]]:
    """The inference config (the top-ranked one when not named, as the SDK's deploy picks) and all."""
    from sagemaker.core.jumpstart import utils as js_utils

    base = ask.specs(version)
    if ask.inference and base.inference_configs:
        available = tuple(base.inference_configs.configs)
        if config_name is None:
            config_name = js_utils.get_top_ranked_config_name(
                region=ask.region, model_id=ask.model_id, model_version=version, scope=ask.scope, **ask.extra)
        elif config_name not in available:
            raise UnknownConfigError(ask.model_id, config_name, available)
        return config_name, available
    if config_name is not None:
        raise UnknownConfigError(ask.model_id, config_name, ())
    return None, ()


def _instance_types(ask: _Ask, version: str, instance_type: Optional[str], common: Dict[str, Any]
                    ) -> Tuple[Tuple[str, ...], Optional[str], str]:
    """(supported, default, chosen): the chosen one must be supported."""
    from sagemaker.core import instance_types as it_api
    from sagemaker.core.jumpstart.artifacts.instance_types import _retrieve_instance_types

    # The public instance_types.retrieve takes no config_name; the artifacts helper it wraps does.
    supported = tuple(_retrieve_instance_types(scope=ask.scope, **common) or ())
    default_type = it_api.retrieve_default(scope=ask.scope, **common)
    chosen = instance_type or default_type
    if supported and chosen not in supported:
        raise UnsupportedInstanceTypeError(ask.model_id, version, ask.scope, chosen, supported)
    return supported, default_type, chosen


def _image(ask: _Ask, version: str, chosen: str, supported: Tuple[str, ...], common: Dict[str, Any]
           ) -> Tuple[Optional[str], Optional[str]]:
    """(model package ARN, container image): a model package has no image of its own."""
    from sagemaker.core import image_uris
    from sagemaker.core.jumpstart.artifacts.model_packages import _retrieve_model_package_arn

    package = _retrieve_model_package_arn(instance_type=chosen, scope=ask.scope, **common) if ask.inference else None
    try:
        return package, image_uris.retrieve(framework=None, image_scope=ask.scope, instance_type=chosen, **common)
    except ValueError as err:
        if package is None and supported and chosen in supported:
            raise MetadataError(
                f"The spec of JumpStart model '{ask.model_id}' {version} lists {chosen} for {ask.scope} but gives no "
                f"container image for it ({err}): the metadata is incomplete. Try another instance type "
                "or version."
            ) from None
        if package is None:
            raise UnsupportedInstanceTypeError(ask.model_id, version, ask.scope, chosen, supported) from None
        return package, None


def _artifacts(ask: _Ask, specs: Any, chosen: str, common: Dict[str, Any]) -> Dict[str, Any]:
    """The model artifact, the script, the environment (with the model-package era's gated URI for
    training) and the additional data sources."""
    from sagemaker.core import environment_variables, model_uris, script_uris

    model_uri = model_uris.retrieve(model_scope=ask.scope, instance_type=chosen, **common)
    script = not ask.inference or specs.use_inference_script_uri()
    environment = {k: str(v) for k, v in (environment_variables.retrieve_default(
        include_aws_sdk_env_vars=False, instance_type=chosen, script=ask.scope, **common) or {}).items()}
    packages = getattr(specs, "training_model_package_artifact_uris", None) if not ask.inference else None
    if packages and ask.region in packages:  # model-package era: as the SDK's estimator sets it
        environment.setdefault("SageMakerGatedModelS3Uri", packages[ask.region])
    return {
        "model_data": S3Artifact.from_uri(model_uri) if model_uri and not model_uri.endswith("/None") else None,
        "script_uri": script_uris.retrieve(script_scope=ask.scope, **common) if script else None,
        "environment": environment,
        "additional_data_sources": _data_sources(ask, specs) if ask.inference else (),
    }


def _data_sources(ask: _Ask, specs: Any) -> Tuple[AdditionalDataSource, ...]:
    """The speculative-decoding draft models, with the access the SDK sends: AcceptEula only for a
    source with its own EULA, else the spec's access config."""
    from sagemaker.core.jumpstart import utils as js_utils

    sources = []
    for ds in specs.get_speculative_decoding_s3_data_sources():
        ds.s3_data_source.set_bucket(js_utils.get_draft_model_content_bucket(provider=ds.provider, region=ask.region))
        src = ds.s3_data_source
        sources.append(AdditionalDataSource(
            channel_name=ds.channel_name,
            artifact=S3Artifact(src.s3_uri, src.s3_data_type, src.compression_type),
            requires_eula=bool(ds.hosting_eula_key),
            accept_eula=src.model_access_config.accept_eula if src.model_access_config else None,
        ))
    return tuple(sources)


def _training(ask: _Ask, specs: Any, chosen: str, common: Dict[str, Any]) -> Dict[str, Any]:
    """Hyperparameters (the spec's definitions; for training its defaults and the container's),
    metric definitions, estimator settings, volume size and default dataset."""
    from sagemaker.core import hyperparameters as hp_api
    from sagemaker.core import metric_definitions
    from sagemaker.core.jumpstart import utils as js_utils

    out: Dict[str, Any] = {"hyperparameters": tuple(_hyperparameter(h) for h in (specs.hyperparameters or []))
                           if specs.training_supported else ()}
    if not specs.training_supported or ask.inference:
        return out
    defaults = {k: str(v) for k, v in hp_api.retrieve_default(instance_type=chosen, **common).items()}
    everything = hp_api.retrieve_default(instance_type=chosen, include_container_hyperparameters=True, **common)
    dataset_key = getattr(specs, "default_training_dataset_key", None)
    return {
        **out,
        "default_hyperparameters": defaults,
        "container_hyperparameters": {k: str(v) for k, v in everything.items() if k not in defaults},
        "metric_definitions": tuple(metric_definitions.retrieve_default(instance_type=chosen, **common) or ()),
        "estimator_kwargs": dict(getattr(specs, "estimator_kwargs", None) or {}),
        "training_volume_size": getattr(specs, "training_volume_size", None),
        "default_training_dataset_uri":
            f"s3://{js_utils.get_jumpstart_content_bucket(ask.region)}/{dataset_key}" if dataset_key else None,
    }


def _hyperparameter(h: Any) -> Hyperparameter:
    return Hyperparameter(
        name=h.name, type=h.type, default=h.default, scope=h.scope, min=getattr(h, "min", None),
        max=getattr(h, "max", None), exclusive_min=getattr(h, "exclusive_min", None),
        exclusive_max=getattr(h, "exclusive_max", None),
        options=tuple(h.options) if getattr(h, "options", None) else None,
    )


def _hosting(ask: _Ask, specs: Any, chosen: str, common: Dict[str, Any]) -> Dict[str, Any]:
    """Content types and example payloads; for inference also deploy settings and resource
    requirements (as the SDK's resource_requirements.retrieve_default merges them)."""
    from sagemaker.core.jumpstart.artifacts.kwargs import _retrieve_model_deploy_kwargs

    predictor = getattr(specs, "predictor_specs", None)
    out: Dict[str, Any] = {
        "default_content_type": predictor.default_content_type if predictor else None,
        "supported_content_types": tuple(predictor.supported_content_types) if predictor else (),
        "default_accept_type": predictor.default_accept_type if predictor else None,
        "supported_accept_types": tuple(predictor.supported_accept_types) if predictor else (),
        # how to call the model, in either scope (`jumpstart describe` shows them for both)
        "default_payloads": {name: p.to_json() for name, p in (getattr(specs, "default_payloads", None) or {}).items()},
    }
    if not ask.inference:
        return out
    deploy = _retrieve_model_deploy_kwargs(instance_type=chosen, **common) or {}
    variants = getattr(specs, "hosting_instance_type_variants", None)
    resources = {**(getattr(specs, "hosting_resource_requirements", None) or {}),
                 **((variants.get_instance_specific_resource_requirements(chosen) if variants else None) or {})}
    return {
        **out,
        "container_startup_health_check_timeout": deploy.get("container_startup_health_check_timeout"),
        "model_data_download_timeout": deploy.get("model_data_download_timeout"),
        "volume_size": deploy.get("volume_size"),
        "inference_ami_version": deploy.get("inference_ami_version"),
        "resource_requirements": {k: int(v) for k, v in resources.items()},
    }


def _spec_facts(ask: _Ask, specs: Any) -> Dict[str, Any]:
    """EULA, network isolation, deprecation and vulnerabilities, for the scope."""
    from sagemaker.core.common_utils import get_domain_for_region
    from sagemaker.core.jumpstart import utils as js_utils

    eula_url = None
    if specs.hosting_eula_key:
        bucket = js_utils.get_jumpstart_content_bucket(ask.region)
        eula_url = f"https://{bucket}.s3.{ask.region}.{get_domain_for_region(ask.region)}/{specs.hosting_eula_key}"
    inference = ask.inference
    vulnerabilities = specs.inference_vulnerabilities if inference else specs.training_vulnerabilities
    isolation = specs.inference_enable_network_isolation if inference else specs.training_enable_network_isolation
    return {
        "eula_required": bool(specs.is_gated_model()), "eula_url": eula_url, "network_isolation": bool(isolation),
        "deprecated": bool(specs.deprecated),
        "deprecated_message": specs.deprecated_message or specs.deprecate_warn_message,
        "vulnerable": bool(specs.inference_vulnerable if inference else specs.training_vulnerable),
        "vulnerabilities": tuple(vulnerabilities or ()), "training_supported": bool(specs.training_supported),
    }


def _no_volume_kms(supported: Tuple[str, ...], chosen: str) -> Tuple[str, ...]:
    """Of the supported (and the chosen) instance types, those the SDK's instance_supports_kms refuses."""
    from sagemaker.core.common_utils import instance_supports_kms

    return tuple(t for t in dict.fromkeys((*supported, chosen)) if t and not instance_supports_kms(t))


# -- raw catalog access, for browsing (the `jumpstart` CLI) ------------------------------------


class CatalogReader:
    """Reads the raw manifest and spec JSON of one region, for browsing.

    On local metadata (the SDK override variables, ``shipped`` or a directory) it reads the files
    exactly where the SDK's local-metadata mode reads them (``<root>/<key>``), without importing
    the SDK, which alone costs about a second. On the live catalog it goes through the SDK's
    metadata cache. Unlike the SDK's ``list_jumpstart_models``, which also asks for the proprietary
    manifest and so fails on local metadata, this works on both. Raw JSON keeps every field
    (``provider``, ``deprecated``) and skips the SDK's full spec parsing when a listing needs only
    a few flags. Each file is read at most once per reader.
    """

    def __init__(self, region: str, source: Optional[str] = None):
        self.region = region
        self.source = source
        self._specs: Dict[str, dict] = {}
        self._cache = None
        local = metadata_dir_for(source)
        self._roots: Optional[Tuple[Path, Path]] = _env_roots() or ((local, local) if local is not None else None)
        if self._roots is not None:
            _require_manifest(self._roots[0])
            self.manifest: List[dict] = self._read_local(self._roots[0], "models_manifest.json")
            return
        _check_region(region)
        with metadata_source(source), _metadata_errors(source):
            from sagemaker.core.jumpstart.cache import JumpStartModelsCache
            from sagemaker.core.jumpstart.types import JumpStartS3FileType

            self._file_types = JumpStartS3FileType
            self._cache = JumpStartModelsCache(region=region)
            key = self._cache.get_manifest_file_s3_key()
            self.manifest = self._cache._get_json_file(key, JumpStartS3FileType.OPEN_WEIGHT_MANIFEST)[0]

    @property
    def is_live(self) -> bool:
        return self._roots is None

    @staticmethod
    def _read_local(root: Path, key: str):
        import json

        path = root / key
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise MetadataError(f"JumpStart metadata file {path} is missing.") from None
        except ValueError as err:
            raise MetadataError(f"JumpStart metadata file {path} is not valid JSON: {err}") from None

    def spec(self, spec_key: str) -> dict:
        """The raw spec JSON for a manifest entry's ``spec_key``."""
        if spec_key not in self._specs:
            if self._roots is not None:
                self._specs[spec_key] = self._read_local(self._roots[1], spec_key)
            else:
                with metadata_source(self.source), _metadata_errors(self.source):
                    self._specs[spec_key] = self._cache._get_json_file(spec_key, self._file_types.OPEN_WEIGHT_SPECS)[0]
        return self._specs[spec_key]


# -- answers from the spec JSON alone, for browsing (`jumpstart hyperparameters` on local metadata) -----------
#
# Importing the SDK costs about 2 s of a CLI command; on local metadata some answers are the spec file's own
# fields once the version is chosen. These functions choose it as the SDK does (tests/test_resolver.py compares
# them with the SDK path on every shipped model) and answer ``None`` wherever they cannot be sure: the caller
# then asks the SDK (:func:`resolve`), which stays the answer for the live catalog and for hubs.

SDK_SAGEMAKER_VERSION = "3.0.0"  # sagemaker-core 2.x's get_sagemaker_version(): it has no sagemaker.__version__


def _sdk_regions() -> Optional[Dict[str, Dict[str, str]]]:
    """The SDK's region_config.json (region -> its buckets), read without importing the SDK (``None`` if not
    found)."""
    import importlib.util

    try:
        found = importlib.util.find_spec("sagemaker")
    except (ImportError, ValueError):
        return None
    for location in (found.submodule_search_locations or []) if found else []:
        path = Path(location) / "core" / "jumpstart" / "region_config.json"
        if path.is_file():
            try:
                return dict(json.loads(path.read_text()))
            except ValueError:
                return None
    return None


def _select_version(requested: str, available: List[str]) -> Optional[str]:
    """The SDK cache's ``_select_version`` for open-weight models (a wildcard: the highest match, compared as
    the SDK compares it)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    if requested == "*":
        try:
            return max(available, key=Version) if available else None
        except InvalidVersion:
            return max(available)
    try:
        matching = list(SpecifierSet(f"=={requested}").filter(available))
    except InvalidSpecifier:
        return None
    return str(max(matching)) if matching else None


def local_spec(model_id: str, version: str = "*", *, region: str, scope: str = Scope.INFERENCE.value,
               source: Optional[str] = None) -> Optional[Tuple[str, dict]]:
    """(version, raw spec) that :func:`resolve` would resolve ``model_id`` ``version`` to on local metadata,
    with its errors for an unknown model or version or an untrainable model in the training scope; ``None``
    where only the SDK can say (the live catalog, a region the SDK's config does not list, a version newer
    than the SDK reads, or no SDK region config to check against)."""
    from packaging.version import InvalidVersion, Version

    scope = Scope(scope).value
    local = _env_roots() or metadata_dir_for(source)
    regions = _sdk_regions() if local is not None else None
    if regions is None or region not in regions:
        return None
    catalog = CatalogReader(region, source)
    versions: Dict[str, List[str]] = {}
    for header in catalog.manifest:
        versions.setdefault(header["model_id"], []).append(header["version"])
    if model_id not in versions:
        raise UnknownModelError(model_id, region, versions)
    headers = [h for h in catalog.manifest if h["model_id"] == model_id]
    try:
        compatible = [h["version"] for h in headers
                      if Version(h["min_version"]) <= Version(SDK_SAGEMAKER_VERSION)]
    except (InvalidVersion, KeyError, TypeError):
        return None
    chosen = _select_version(version, compatible)
    if chosen is None:
        raise UnknownVersionError(model_id, version, _sort_versions(versions[model_id]))
    spec = catalog.spec(next(h for h in headers if h["version"] == chosen)["spec_key"])
    if scope == Scope.TRAINING.value and not spec.get("training_supported"):
        raise _untrainable(model_id)
    return chosen, spec


def local_hyperparameters(model_id: str, version: str = "*", *, region: str,
                          source: Optional[str] = None) -> Optional[Tuple[Hyperparameter, ...]]:
    """The spec's hyperparameters as :func:`resolve` gives them in the training scope (the SDK's
    ``JumpStartHyperparameter``: ``min``, ``max``, ``options`` and the exclusive bounds only where set), or
    ``None`` where :func:`local_spec` cannot answer."""
    found = local_spec(model_id, version, region=region, scope=Scope.TRAINING.value, source=source)
    if found is None:
        return None
    return tuple(Hyperparameter(name=h["name"], type=h["type"], default=h["default"], scope=h["scope"],
                                min=h.get("min"), max=h.get("max"), exclusive_min=h.get("exclusive_min"),
                                exclusive_max=h.get("exclusive_max"),
                                options=tuple(h["options"]) if h.get("options") else None)
                 for h in found[1].get("hyperparameters") or [])


# What the fast path below leaves to the SDK: a spec field it does not read the SDK's way (inference configs and
# their components, draft models, model packages, gated training artifacts), and the SDK's bucket overrides.
_SDK_ONLY_FIELDS = {
    Scope.INFERENCE.value: ("inference_configs", "inference_config_components", "hosting_additional_data_sources",
                            "hosting_model_package_arns"),
    Scope.TRAINING.value: ("training_configs", "training_config_components", "training_model_package_artifact_uris"),
}
_SDK_ONLY_VARIANT_PROPERTIES = ("model_package_arn", "gated_model_key_env_var_value", "gated_model_env_var_uri",
                                "training_artifact_uri")
_SDK_DOMAINS = {"cn-north-1": "amazonaws.com.cn", "cn-northwest-1": "amazonaws.com.cn"}


def _family(instance_type: str) -> str:
    """``ml.p3.2xlarge`` -> ``p3``, the key of a family's variant (the SDK's get_instance_type_family)."""
    import re

    match = re.match(r"^ml[\._]([a-z\d\-]+)\.?\w*$", instance_type) if isinstance(instance_type, str) else None
    return match.group(1) if match else ""


def _variant(variants: dict, instance_type: str, where: str, name: str) -> Any:
    """A variant property of the instance type, else of its family (the SDK's ``_get_instance_specific_property``
    and ``_get_regional_property``, ``where`` being ``properties`` or ``regional_properties``)."""
    table = variants.get("variants") or {}
    value = table.get(instance_type, {}).get(where, {}).get(name)
    family = _family(instance_type)
    if (value is None if where == "regional_properties" else not value) and family:
        value = table.get(family, {}).get(where, {}).get(name)
    return value


def local_describe(model_id: str, version: str = "*", *, region: str, scope: str = Scope.INFERENCE.value,
                   instance_type: Optional[str] = None, config_name: Optional[str] = None,
                   source: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """What ``jumpstart describe`` shows, from the spec JSON as the SDK reads it, for a spec whose answer is its
    own fields (the variants' images and environment of the chosen instance type included); ``None`` wherever
    only the SDK can say: see :data:`_SDK_ONLY_FIELDS`, a config name, an image or instance type the spec does
    not give, the SDK's bucket override variables, and what :func:`local_spec` leaves to it."""
    scope = Scope(scope).value
    inference = scope == Scope.INFERENCE.value
    if config_name is not None or any(k.startswith("AWS_JUMPSTART_") and k not in (MANIFEST_ENV, SPECS_ENV)
                                      for k in os.environ):
        return None
    found = local_spec(model_id, version, region=region, scope=scope, source=source)
    if found is None:
        return None
    chosen_version, spec = found
    variants = spec.get("hosting_instance_type_variants" if inference else "training_instance_type_variants") or {}
    table = variants.get("variants") or {}
    if any(spec.get(k) for k in _SDK_ONLY_FIELDS[scope]) or any(
            name in (v.get(where) or {}) for v in table.values() for where in ("properties", "regional_properties")
            for name in _SDK_ONLY_VARIANT_PROPERTIES) or variants.get("aliases") is not None:
        return None
    buckets = (_sdk_regions() or {}).get(region) or {}
    supported = list(spec.get("supported_inference_instance_types" if inference
                              else "supported_training_instance_types") or [])
    default_type = spec.get("default_inference_instance_type" if inference else "default_training_instance_type")
    chosen = instance_type or default_type
    if not supported or not default_type or "content_bucket" not in buckets:
        return None  # the SDK's errors
    if chosen not in supported:
        raise UnsupportedInstanceTypeError(model_id, chosen_version, scope, chosen, tuple(supported))
    regional_aliases = variants.get("regional_aliases")
    if regional_aliases:
        alias = _variant(variants, chosen, "regional_properties", "image_uri")
        image = (regional_aliases.get(region) or {}).get(alias[1:]) if alias and alias.startswith("$") else None
    else:
        image = _variant(variants, chosen, "properties", "image_uri") if table else None
    if not image:
        return None
    prepacked = spec.get("hosting_prepacked_artifact_key") is not None
    script = not inference or (not prepacked and bool(spec.get("hosting_use_script_uri", True)))
    if inference:
        key = (_variant(variants, chosen, "properties", "prepacked_artifact_key")
               or spec.get("hosting_prepacked_artifact_key")) if not script else (
            _variant(variants, chosen, "properties", "artifact_key") or spec.get("hosting_artifact_key"))
    else:
        key = _variant(variants, chosen, "properties", "training_artifact_key") or spec.get("training_artifact_key")
    gated = bool(spec.get("gated_bucket", False))
    if not key or str(key).startswith("s3://") or (gated and "gated_content_bucket" not in buckets):
        return None
    model_uri = f"s3://{buckets['gated_content_bucket' if gated else 'content_bucket']}/{key}"
    model_data = S3Artifact.from_uri(model_uri) if not model_uri.endswith("/None") else None
    script_key = (spec.get("hosting_script_key") if inference
                  else spec.get("training_prepacked_script_key") or spec.get("training_script_key"))
    environment = {e["name"]: str(e["default"]) for e in spec.get("inference_environment_variables") or []
                   if e.get("required_for_model_class")} if inference else {}
    family_env = dict(table.get(_family(chosen), {}).get("properties", {}).get("environment_variables", {})
                      if _family(chosen) else {})
    family_env.update(table.get(chosen, {}).get("properties", {}).get("environment_variables", {}))
    environment.update({k: str(v) for k, v in family_env.items()})
    if not inference and (gated or spec.get("hosting_eula_key") is not None):
        return None  # the gated model's training environment: the SDK's
    predictor = spec.get("predictor_specs") or {}
    eula_key = spec.get("hosting_eula_key")
    if eula_key and (region.startswith("us-iso") or region.startswith("cn-") and region not in _SDK_DOMAINS):
        return None  # a partition's domain that only the SDK knows
    eula_url = (f"https://{buckets['content_bucket']}.s3.{region}.{_SDK_DOMAINS.get(region, 'amazonaws.com')}/"
                f"{eula_key}") if eula_key else None
    dataset_key = spec.get("default_training_dataset_key")
    return {
        "model_id": model_id, "version": chosen_version, "scope": scope, "region": region,
        "instance_type": chosen, "image_uri": image,
        "model_uri": model_data.s3_uri if model_data else None,
        "model_data_type": model_data.s3_data_type if model_data else None,
        "script_uri": f"s3://{buckets['content_bucket']}/{script_key}" if script else None,
        "default_instance_type": default_type, "supported_instance_types": supported,
        "config_name": None, "available_configs": [], "environment": environment,
        "additional_data_sources": [],
        "default_content_type": predictor.get("default_content_type") if predictor else None,
        "supported_content_types": list(predictor.get("supported_content_types") or []) if predictor else [],
        "default_accept_type": predictor.get("default_accept_type") if predictor else None,
        "supported_accept_types": list(predictor.get("supported_accept_types") or []) if predictor else [],
        "example_payloads": {name: dict(p) for name, p in (spec.get("default_payloads") or {}).items()},
        "eula_required": bool(gated or eula_key is not None), "eula_url": eula_url, "model_package_arn": None,
        "network_isolation": bool(spec.get("inference_enable_network_isolation" if inference
                                           else "training_enable_network_isolation", False)),
        "deprecated": bool(spec.get("deprecated", False)),
        "deprecated_message": spec.get("deprecated_message") or spec.get("deprecate_warn_message"),
        "vulnerable": bool(spec.get("inference_vulnerable" if inference else "training_vulnerable", False)),
        "vulnerabilities": list(spec.get("inference_vulnerabilities" if inference
                                         else "training_vulnerabilities") or []),
        "training_supported": bool(spec.get("training_supported", False)),
        **({"default_training_dataset": f"s3://{buckets['content_bucket']}/{dataset_key}" if dataset_key else None}
           if not inference else {}),
    }
