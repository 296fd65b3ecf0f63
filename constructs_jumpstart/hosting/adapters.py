"""LoRA adapters as inference components: a base component whose container loads adapters at run
time (``AdapterServing``), and one ``AWS::SageMaker::InferenceComponent`` per adapter on it
(``Specification.BaseInferenceComponentName`` + ``Container.ArtifactUrl``), each created, updated
and removed on its own.

What the service says (botocore's service model, ``InferenceComponentSpecification``): an adapter
component names its base, omits ``ComputeResourceRequirements`` (it uses the base's), and its
``ArtifactUrl`` "must point to a single gzip compressed tar archive (.tar.gz suffix)". Which
containers load adapters, and how they are told to: the LMI container's vLLM / lmi-dist engines
(``option.enable_lora`` and ``max_loras`` / ``max_lora_rank`` / ``max_cpu_loras``, DJL Serving's
"vLLM Engine User Guide", "LoRA Adapter Support") and AWS's vLLM container (``SM_VLLM_ENABLE_LORA``
... and ``VLLM_ALLOW_RUNTIME_LORA_UPDATING``, aws/model-hosting-container-standards, "LoRA Adapter
Management"). Other containers (TGI, TensorRT-LLM, Neuron, the framework images) document no run-time
adapter loading for inference components, so a base on them is refused at synth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from aws_cdk import Names
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from .. import _iam
from .._api_rules import ADAPTER_ARTIFACT_DOC
from .._checks import hub_arn, raise_problems
from .._resolution import resolve_for
from .._variants import ComponentMetrics
from ..errors import ValidationError
from ..lockfile import LockKey
from ..model import cfn_tags, grant_source_read
from ..types import ModelDataUri, ModelSource, Scope
from .config import AdapterServing, JumpStartInferenceComponent
from .naming import variant_name as _label

_Component = sagemaker.CfnInferenceComponent
ADAPTER_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,40}[A-Za-z0-9])?")

@dataclass(frozen=True)
class Container:
    """A container that loads LoRA adapters at run time: the environment that turns it on, the names
    of its limits (max_loaded, max_rank, max_cached) and its default number of loaded adapters."""

    family: str
    switches: Tuple[Tuple[str, str], ...]
    limits: Tuple[str, str, str]
    default_loaded: int
    version: Tuple[int, ...] = ()
    """LMI: the LMI release (13 for 0.31.0-lmi13.0.0); vLLM: the vLLM version."""


# DJL Serving, "vLLM Engine User Guide" (option.enable_lora, max_loras "Default: 4", max_lora_rank,
# max_cpu_loras "Must be >= than max_loras"); aws/model-hosting-container-standards, "LoRA Adapter
# Management" (SM_VLLM_ENABLE_LORA, SM_VLLM_MAX_LORAS default 1, VLLM_ALLOW_RUNTIME_LORA_UPDATING "Required")
LMI = Container("LMI", (("OPTION_ENABLE_LORA", "true"),),
                ("OPTION_MAX_LORAS", "OPTION_MAX_LORA_RANK", "OPTION_MAX_CPU_LORAS"), 4)
VLLM = Container("vLLM", (("SM_VLLM_ENABLE_LORA", "true"), ("VLLM_ALLOW_RUNTIME_LORA_UPDATING", "True")),
                 ("SM_VLLM_MAX_LORAS", "SM_VLLM_MAX_LORA_RANK", "SM_VLLM_MAX_CPU_LORAS"), 1)
_LMI_TAG = re.compile(r"(\d+)\.(\d+)\.(\d+)-lmi(\d+)\.")  # 0.31.0-lmi13.0.0-cu124 (not tensorrtllm, neuronx)
_VLLM_TAG = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?-sagemaker")  # 0.11.2-sagemaker-v1.2
VLLM_MIN = (0, 11, 2)  # the first AWS vLLM image the standards document with SM_VLLM_ENABLE_LORA


def container_of(image_uri: Optional[str]) -> Tuple[Optional[Container], str]:
    """The image's adapter-loading container, or ``None`` and why not."""
    repository, _, tag = (image_uri or "").rpartition("/")[2].partition(":")
    lmi, vllm = _LMI_TAG.match(tag), _VLLM_TAG.match(tag)
    if repository == "djl-inference" and lmi:
        return replace(LMI, version=(int(lmi[4]),)), ""
    version = tuple(int(v or 0) for v in vllm.groups()) if vllm else ()
    if repository == "vllm" and version >= VLLM_MIN:
        return replace(VLLM, version=version), ""
    if repository == "vllm":
        return None, f"AWS's vLLM container reads SM_VLLM_ENABLE_LORA from {'.'.join(map(str, VLLM_MIN))}-sagemaker on"
    return None, "which documents no run-time LoRA adapter loading for inference components"


def engine_problem(container: Container, env: Mapping[str, str]) -> Optional[str]:
    """An LMI engine or handler that serves no adapters: only vLLM hosts them (DJL Serving, "Adapters"),
    lmi-dist until LMI 15 (its guide lists option.enable_lora until then), the async vLLM handler
    several of them from LMI 16 (0.34.0, the LMI release notes)."""
    if container.family != "LMI":
        return None
    release = container.version[0]
    engine = env.get("OPTION_ROLLING_BATCH", "auto").lower()
    if engine not in ("vllm", "lmi-dist", "auto", "disable") or (engine == "lmi-dist" and release >= 15):
        return (f"OPTION_ROLLING_BATCH={engine} on LMI {release} serves no adapters: only the vLLM engine hosts "
                "them (and lmi-dist before LMI 15)")
    if env.get("OPTION_ASYNC_MODE", "").lower() == "true" and release < 16:
        return ("the async vLLM handler (OPTION_ASYNC_MODE=true) serves several adapters from LMI 16 on, "
                f"not LMI {release}")
    return None


def serving_environment(container: Container, serving: AdapterServing) -> Dict[str, str]:
    """The environment that makes ``container`` load adapters within ``serving``'s limits."""
    limits = (serving.max_loaded, serving.max_rank, serving.max_cached)
    return {**dict(container.switches),
            **{name: str(value) for name, value in zip(container.limits, limits) if value is not None}}


def serving_problems(container: Container, serving: AdapterServing, env: Mapping[str, str]) -> List[str]:
    """Your environment turning the switches off, fewer cached than loaded adapters, the engine."""
    found = [f"your environment sets {key}={env[key]!r}, which turns off the adapters it declares"
             for key, on in container.switches if key in env and env[key].lower() != on.lower()]
    loaded = serving.max_loaded or container.default_loaded
    source = "max_loaded" if serving.max_loaded else f"the {container.family} container's default"
    if serving.max_cached is not None and serving.max_cached < loaded:
        found.append(f"adapters max_cached ({serving.max_cached}) is below the adapters loaded at once ({loaded}, "
                     f"{source}): the container keeps every loaded adapter cached too")
    return found + [p for p in [engine_problem(container, env)] if p]


def base_environment(scope: Construct, spec: JumpStartInferenceComponent, hosting_type: Optional[str],
                     region: str) -> Dict[str, str]:
    """The base component's container environment: the adapter settings under yours (yours win, but
    may not turn them off)."""
    assert spec.adapters is not None
    probe = resolve_for(scope, LockKey(spec.model_id, spec.model_version, region, Scope.INFERENCE.value,
                                       hosting_type, spec.config_name, hub_arn(scope, spec.hub)))
    label = f"inference component '{spec.name or spec.model_id}'"
    container, why_not = container_of(probe.image_uri)
    if container is None:
        raise ValidationError(scope.node.path, [
            f"{label} cannot serve adapters: '{spec.model_id}' {probe.version}"
            f"{' (config ' + probe.config_name + ')' if probe.config_name else ''} runs on "
            f"{probe.image_uri or 'a model package'}, {why_not}. Adapter inference components need the LMI container "
            "(djl-inference, vLLM engine) or AWS's vLLM container: choose a config_name that uses one "
            "(jumpstart describe MODEL lists them)."])
    env = {**serving_environment(container, spec.adapters), **(spec.environment or {})}
    problems = serving_problems(container, spec.adapters, {**probe.environment, **env})
    if problems:
        raise ValidationError(scope.node.path, [f"{label}: {p}." for p in problems])
    return env


def physical_name(resource: Construct) -> str:
    """A name unique in the app, in lower case (the form SageMaker shows in the ARNs of some resources:
    a choice for consistency, no rule of the API)."""
    return Names.unique_resource_name(resource, max_length=63, separator="-").lower().strip("-")


class JumpStartAdapter(ComponentMetrics):
    """One LoRA adapter on a base inference component (:meth:`JumpStartEndpoint.add_adapter`), with
    its metrics; invoke it with its :attr:`component_name` (``jumpstart invoke ENDPOINT --component NAME``)."""

    def __init__(self, endpoint: Any, name: str, resource: _Component, component_name: str, base: int):
        self.endpoint = endpoint
        self.name = name
        self.resource = resource
        """The ``AWS::SageMaker::InferenceComponent``."""
        self.component_name = component_name
        """The adapter component's name: ``InferenceComponentName`` of an ``InvokeEndpoint`` call."""
        self.base = base
        """The index of its base component in ``endpoint.components``."""


def _base_index(endpoint: Any, base: Union[None, int, str], problems: List[str]) -> Optional[int]:
    specs: Sequence[JumpStartInferenceComponent] = endpoint.inference_component_specs
    labels = [s.name or s.model_id for s in specs]
    serving = [i for i, s in enumerate(specs) if s.adapters is not None]
    if base is None:
        if len(serving) == 1:
            return serving[0]
        problems.append(f"base must name the component the adapter goes on ({', '.join(labels)}): "
                        + ("none serves adapters; declare adapters=AdapterServing() on one." if not serving else
                           f"{len(serving)} serve adapters."))
        return None
    index = labels.index(base) if isinstance(base, str) and base in labels else base
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(specs):
        problems.append(f"base must be the name or index of one of the components ({', '.join(labels)}); "
                        f"got {base!r}.")
        return None
    if specs[index].adapters is None:
        problems.append(f"component '{labels[index]}' does not serve adapters: declare adapters=AdapterServing() on "
                        "its JumpStartInferenceComponent (its container then loads LoRA adapters and the component "
                        "gets a fixed name the adapters refer to).")
        return None
    return index


def _artifact(adapter: Union[str, ModelSource], problems: List[str]) -> Optional[ModelSource]:
    """The adapter's ``model.tar.gz``: a ``.tar.gz`` object, never an S3 prefix (``ArtifactUrl``)."""
    if isinstance(adapter, ModelDataUri) and adapter.s3_data_type == "S3Prefix":
        problems.append("adapter is a training job's uncompressed output (an S3 prefix), but an adapter must be one "
                        f".tar.gz ({ADAPTER_ARTIFACT_DOC}): fine-tune with compressed output for an adapter.")
        return None
    source = adapter if isinstance(adapter, ModelSource) else (
        ModelSource.from_uri(adapter) if isinstance(adapter, str) else None)
    if source is None:
        problems.append(f"adapter must be an S3 URI of a .tar.gz or a ModelSource; got {type(adapter).__name__}.")
        return None
    uri = source.artifact.s3_uri
    concrete = "${Token[" not in uri
    if not concrete and not source.grants and not _iam.grantable(uri):
        problems.append(_iam.ungrantable_problem("adapter", uri, "ModelSource.from_bucket(bucket, key)"))
        return None
    if source.artifact.is_prefix or (concrete and not (uri.startswith("s3://") and uri.endswith(".tar.gz"))):
        problems.append(f"adapter {uri!r} is not an S3 object ending in .tar.gz ({ADAPTER_ARTIFACT_DOC}): pack the "
                        "adapter's files (adapter_config.json, adapter_model.safetensors) into one .tar.gz.")
        return None
    return source


def build_adapter(endpoint: Any, name: str, adapter: Union[str, ModelSource], base: Union[None, int, str]
                  ) -> JumpStartAdapter:
    """Check everything, then render the adapter component after its base (:meth:`AdapterHost.add_adapter`)."""
    problems: List[str] = []
    if not endpoint.inference_components:
        problems.append("add_adapter needs an endpoint of inference components (inference_components=[...]): "
                        "adapters run on a base component's accelerators.")
    if not isinstance(name, str) or not ADAPTER_NAME.fullmatch(name):
        problems.append(f"adapter name must be 1 to 42 letters, digits and hyphens, not starting or ending with a "
                        f"hyphen; got {name!r}.")
    elif name in endpoint.adapters:
        problems.append(f"adapter '{name}' is already on this endpoint; each adapter needs its own name.")
    index = _base_index(endpoint, base, problems) if endpoint.inference_components else None
    source = _artifact(adapter, problems)
    raise_problems(endpoint, problems)
    assert index is not None and source is not None
    base_component = endpoint.inference_components[index]
    model = endpoint.models[index]
    for reader in {id(r): r for r in (endpoint.role, model.role)}.values():  # which role reads an adapter is
        if not grant_source_read(reader, source):  # not documented: both may read exactly its object
            _iam.grant_read(endpoint, reader, [source.artifact])
    base_spec = endpoint.inference_component_specs[index]
    base_label = _label(base_spec.name or base_spec.model_id)
    resource = _Component(  # replaced with its base (a new base is a new resource, not an update of this one)
        endpoint, f"Adapter{base_label}{name}",
        endpoint_name=endpoint.cfn_endpoint.attr_endpoint_name,
        specification=_Component.InferenceComponentSpecificationProperty(
            base_inference_component_name=base_component.inference_component_name,
            container=_Component.InferenceComponentContainerSpecificationProperty(artifact_url=source.artifact.s3_uri),
        ),
        tags=cfn_tags(model.resolved),  # the base model's JumpStart tags: `jumpstart invoke` finds its spec
    )
    resource.inference_component_name = physical_name(resource)
    resource.node.add_dependency(base_component)
    handle = JumpStartAdapter(endpoint, name, resource, resource.inference_component_name, index)
    endpoint.adapters[name] = handle
    return handle


class AdapterHost:
    """What :class:`JumpStartEndpoint` offers for LoRA adapters (a mixin: the facade stays short)."""

    adapters: Dict[str, JumpStartAdapter]
    """The LoRA adapters added with :meth:`add_adapter`, by name."""

    def add_adapter(self, name: str, adapter: Union[str, ModelSource], *,
                    base: Union[None, int, str] = None) -> JumpStartAdapter:
        """Serve a LoRA adapter on a base inference component of this endpoint, as an
        ``AWS::SageMaker::InferenceComponent`` of its own (added, updated and removed on its own; many
        on one base). The base must declare ``adapters=AdapterServing(...)``::

            endpoint = JumpStartEndpoint(self, "Llm", instance_type="ml.g5.12xlarge", inference_components=[
                JumpStartInferenceComponent(model_id="...", name="base", adapters=AdapterServing(max_rank=64))])
            support = endpoint.add_adapter("support-bot", "s3://my-bucket/adapters/support/adapter.tar.gz")

        Args:
            name: the adapter's name in this endpoint (letters, digits, hyphens; the component's
                physical name is derived from it: :attr:`JumpStartAdapter.component_name`).
            adapter: its ``.tar.gz`` (``adapter_config.json`` and the weights): an S3 URI, a
                :class:`ModelSource` (``from_bucket``, ``from_asset``) or a training job's ``model_data``.
                The endpoint's roles get read access to exactly that object.
            base: the base component (its ``name``, model id or index); default: the one that serves adapters.
        """
        return build_adapter(self, name, adapter, base)
