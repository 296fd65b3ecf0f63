"""Instance pools: a production variant that SageMaker provisions from an ordered list of up to five
instance types, falling back to the next when one has no capacity (``InstancePools`` in place of
``InstanceType``, SageMaker Developer Guide, "Deploy to multiple instance types with instance
pools"). Each pool is resolved for its own instance type, as the SDK resolves per instance type:
where the image, artifact or environment differ from the variant's model, the pool gets a model of
its own through ``ModelNameOverride``; where they are the same, the variant's model serves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple, Union

from aws_cdk import aws_sagemaker as sagemaker

MAX_POOLS = 5  # InstancePoolList: min 1, max 5 (botocore's service model)
PRIORITIES = range(1, 6)  # InstancePoolPriority: 1 to 5, "1 is the highest priority"
PROVISION_RANGE = (300, 3600)  # VariantInstanceProvisionTimeoutInSeconds: "Valid values: 300 to 3600"


@dataclass(frozen=True)
class InstancePool:
    """One instance type of a variant's pools and its priority (1, the highest, to 5); default: its
    place in the list. ``("ml.p5.48xlarge", 1)`` and ``"ml.p5.48xlarge"`` are accepted too."""

    instance_type: str
    priority: Optional[int] = None


PoolLike = Union[str, Tuple[str, int], InstancePool]


@dataclass(frozen=True)
class Pool:
    """A pool as rendered: its type, its priority, and the model that overrides the variant's (or None)."""

    instance_type: str
    priority: int
    model: Any = None
    resolved: Any = None
    """The resolution for this pool's instance type (its compute requirements, for a component)."""


def normalize(pools: Sequence[PoolLike]) -> Tuple[List[Tuple[str, int]], List[str]]:
    """((instance type, priority) by priority, problems) of what the user wrote."""
    found: List[str] = []
    pairs: List[Tuple[str, int]] = []
    for place, pool in enumerate(pools, start=1):
        if isinstance(pool, InstancePool):
            kind, priority = pool.instance_type, pool.priority if pool.priority is not None else place
        elif isinstance(pool, str):
            kind, priority = pool, place
        elif isinstance(pool, (tuple, list)) and len(pool) == 2:
            kind, priority = pool[0], pool[1]
        else:
            found.append(f"instance_pools[{place - 1}] must be an instance type, (instance type, priority) or an "
                         f"InstancePool; got {pool!r}.")
            continue
        if not isinstance(kind, str) or not kind.startswith("ml."):
            found.append(f"instance_pools[{place - 1}] instance type must be a string like 'ml.g5.2xlarge'; "
                         f"got {kind!r}.")
        elif isinstance(priority, bool) or priority not in PRIORITIES:
            found.append(f"instance_pools[{place - 1}] ({kind}) priority must be an integer from 1 (highest) to 5; "
                         f"got {priority!r}.")
        else:
            pairs.append((kind, priority))
    return sorted(pairs, key=lambda pair: pair[1]), found


def pool_problems(pools: Optional[Sequence[PoolLike]], label: str) -> List[str]:
    """The pools' own problems: 1 to 5, each type and priority once, each type one the API hosts on."""
    from .._api_rules import instance_type_problem

    if pools is None:
        return []
    if isinstance(pools, (str, bytes)) or not 1 <= len(pools) <= MAX_POOLS:
        return [f"{label}instance_pools must list 1 to {MAX_POOLS} instance types (InstancePools); got {pools!r}."]
    pairs, found = normalize(pools)
    types = [t for t, _ in pairs]
    priorities = [p for _, p in pairs]
    found += [f"{label}instance_pools lists {t} twice; each instance type is one pool."
              for t in dict.fromkeys(t for t in types if types.count(t) > 1)]
    found += [f"{label}instance_pools gives priority {p} twice ({', '.join(t for t, q in pairs if q == p)}); give each "
              "pool its own priority, so the order SageMaker tries them in is yours (the API does not say which wins)."
              for p in dict.fromkeys(p for p in priorities if priorities.count(p) > 1)]
    found += [p for p in (instance_type_problem("hosting", t) for t in dict.fromkeys(types)) if p]
    return found


def provision_timeout_problem(seconds: Optional[int], label: str) -> Optional[str]:
    low, high = PROVISION_RANGE
    if seconds is None or low <= seconds <= high:
        return None
    return (f"{label}provision_timeout must be {low} to {high} seconds (VariantInstanceProvisionTimeoutInSeconds); "
            f"got {seconds}.")


def container_of(resolved: Any) -> Tuple[Any, ...]:
    """What a model serves, as a resolution for one instance type decides it: two pools whose
    resolutions agree here can share one model."""
    return (resolved.image_uri, resolved.model_data, resolved.script_uri, tuple(sorted(resolved.environment.items())),
            resolved.additional_data_sources, resolved.model_package_arn, resolved.network_isolation,
            resolved.config_name)


def pools_property(pools: Sequence[Pool], overrides: bool = True) -> Optional[List[Any]]:
    """``InstancePools`` (``None`` without pools); ``overrides``: with each pool's own model, if any (a
    fleet of inference components has no model of its own: its components carry them)."""
    return [sagemaker.CfnEndpointConfig.InstancePoolProperty(
        instance_type=pool.instance_type, priority=pool.priority,
        model_name_override=pool.model.model_name if overrides and pool.model is not None else None)
        for pool in pools] or None


def provision_seconds(timeout: Any) -> Optional[int]:
    """``VariantInstanceProvisionTimeoutInSeconds`` of a ``provision_timeout`` (``None``: not set)."""
    return int(timeout.to_seconds()) if timeout is not None else None


def endpoint_pool_problems(pools: Optional[Sequence[PoolLike]], provision_timeout: Any, instance_type: Optional[str],
                           variants: Optional[Sequence[Any]], components: Optional[Sequence[Any]], serverless: Any,
                           optimize_for: Optional[str]) -> List[str]:
    """``instance_pools`` / ``provision_timeout`` given on the endpoint: for its one model's variant, or
    the instances its inference components share."""
    given = [n for n, v in (("instance_pools", pools), ("provision_timeout", provision_timeout)) if v is not None]
    pooled_variants = [v for v in variants or [] if getattr(v, "instance_pools", None) is not None]
    if serverless is not None and (given or pooled_variants):
        return [f"{' and '.join(given) or 'instance_pools'} apply to instances; a serverless endpoint has none."]
    if not given:
        return []
    if variants:
        return [f"{' and '.join(given)} apply to each production variant: set them on each JumpStartVariant."]
    found = []
    if pools is not None and instance_type is not None:
        found.append("instance_type and instance_pools both name the instance types: give them all in instance_pools "
                     "(SageMaker takes InstancePools instead of InstanceType).")
    if pools is not None and optimize_for is not None:
        found.append("optimize_for chooses one instance type; instance_pools lists them yourself: pass one of them.")
    seconds = provision_timeout.to_seconds() if provision_timeout is not None else None
    return found + pool_problems(pools, "") + [p for p in [provision_timeout_problem(seconds, "")] if p]


def longest(values: Any) -> Optional[int]:
    """The largest of the values given (``None`` when none is)."""
    given = [v for v in values if v is not None]
    return max(given) if given else None


def accelerator_kind(instance_type: str) -> str:
    """Which AMI family an instance type needs: NVIDIA GPU, AWS Neuron, or none."""
    from .config import instance_family

    family = instance_family(instance_type)
    return "neuron" if family.startswith(("inf", "trn")) else "gpu" if family.startswith(("g", "p")) else "cpu"


def pool_warnings_and_problems(pools: Sequence[Pool], ami: Optional[str], label: str, supports_volume: Any
                               ) -> Tuple[List[str], List[str]]:
    """(warnings, problems) of a variant's resolved pools: an AMI for several accelerator kinds (one
    InferenceAmiVersion cannot carry both CUDA and Neuron drivers); pools mixing EBS and local storage
    (neither volume size nor key, which the local types refuse, for the EBS ones either)."""
    kinds = sorted({accelerator_kind(p.instance_type) for p in pools})
    problems = [f"{label}instance_pools mix {' and '.join(kinds)} instance types, but one InferenceAmiVersion "
                f"({ami}) serves them all: give pools of one kind, or leave the AMI to SageMaker."
                ] if ami and len(kinds) > 1 else []
    local = [p.instance_type for p in pools if not supports_volume(p.instance_type)]
    warnings = [f"{label}instance_pools mix instance types with an EBS volume and with local storage "
                f"({', '.join(local)}): SageMaker refuses a volume size and KMS key for the local ones, so none is set "
                "and the EBS pools get the default volume, encrypted with an AWS-owned key."
                ] if local and len(local) < len(pools) else []
    return warnings, problems
