"""Typed options of :class:`~constructs_jumpstart.JumpStartEndpoint`: hosting modes, variants,
inference components, data capture and safe deployments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Sequence

from aws_cdk import Duration

if TYPE_CHECKING:  # only for annotations: importing these CDK modules costs synth time
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns


@dataclass(frozen=True)
class ServerlessConfig:
    """Serverless inference: no instances to manage; pay per request.

    ``memory_size_mb``: 1024 to 6144, in steps of 1024. ``max_concurrency``: 1 to 200.
    ``provisioned_concurrency``: warm capacity (at most ``max_concurrency``), or none.
    Serverless endpoints run on CPU only: models whose images need a GPU are refused.
    """

    memory_size_mb: int = 2048
    max_concurrency: int = 5
    provisioned_concurrency: Optional[int] = None

    def problems(self) -> List[str]:
        found = []
        if self.memory_size_mb not in range(1024, 6145, 1024):
            found.append("serverless memory_size_mb must be 1024, 2048, 3072, 4096, 5120 or 6144; got "
                         f"{self.memory_size_mb}.")
        if not 1 <= self.max_concurrency <= 200:
            found.append(f"serverless max_concurrency must be between 1 and 200; got {self.max_concurrency}.")
        pc = self.provisioned_concurrency
        if pc is not None and not 1 <= pc <= self.max_concurrency:
            found.append("serverless provisioned_concurrency must be between 1 and max_concurrency "
                         f"({self.max_concurrency}); got {pc}.")
        return found


@dataclass(frozen=True)
class AsyncInferenceConfig:
    """Asynchronous inference: requests queue up, results go to S3 (and optionally SNS).

    The model's role may write only to ``output_prefix`` and ``failure_prefix`` of the bucket
    (created, encrypted, when not given) and publish only to the given topics.
    """

    output_bucket: Optional[s3.IBucket] = None
    output_prefix: str = "async-output"
    failure_prefix: str = "async-failures"
    success_topic: Optional[sns.ITopic] = None
    error_topic: Optional[sns.ITopic] = None
    max_concurrent_invocations_per_instance: Optional[int] = None

    def problems(self) -> List[str]:
        m = self.max_concurrent_invocations_per_instance
        if m is not None and not 1 <= m <= 1000:
            return [f"max_concurrent_invocations_per_instance must be between 1 and 1000; got {m}."]
        return []


@dataclass(frozen=True)
class DataCaptureConfig:
    """Capture a sample of requests and responses to S3 (encrypted with the endpoint's key)."""

    bucket: Optional[s3.IBucket] = None
    prefix: str = "data-capture"
    sampling_percentage: int = 100
    capture_input: bool = True
    capture_output: bool = True

    def problems(self) -> List[str]:
        found = []
        if not 0 <= self.sampling_percentage <= 100:
            found.append(f"data capture sampling_percentage must be between 0 and 100; got {self.sampling_percentage}.")
        if not (self.capture_input or self.capture_output):
            found.append("data capture must capture the input, the output, or both.")
        return found


@dataclass(frozen=True)
class _HostedModel:
    """What every hosted JumpStart model takes (see :class:`JumpStartModel`)."""

    model_id: str
    model_version: str = "*"
    environment: Optional[Mapping[str, str]] = None
    accept_eula: bool = False
    config_name: Optional[str] = None
    model_data: Optional[str] = None
    tolerate_deprecated: bool = False
    tolerate_vulnerable: bool = False
    hub: Optional[str] = None


@dataclass(frozen=True)
class JumpStartVariant(_HostedModel):
    """One production variant of an endpoint (A/B testing): a JumpStart model and its weight."""

    variant_name: Optional[str] = None
    instance_type: Optional[str] = None
    initial_instance_count: int = 1
    weight: float = 1.0
    inference_ami_version: Optional[str] = None
    """The variant's AMI (``InferenceAmiVersion``: CUDA or Neuron driver versions), one of the API's."""
    capacity_reservation: Optional[str] = None
    """An ML capacity reservation (or training plan) ARN: the instances launch only into it
    (``CapacityReservationConfig``, ``capacity-reservations-only``)."""
    instance_pools: Optional[Sequence[Any]] = None
    """Up to five instance types SageMaker provisions from in priority order, falling back when one has
    no capacity (``InstancePools``; instead of ``instance_type``): ``["ml.p5.48xlarge", "ml.p4d.24xlarge"]``,
    ``[("ml.p5.48xlarge", 1), ...]`` or :class:`InstancePool` s. Each is resolved for its own type."""
    provision_timeout: Optional[Duration] = None
    """How long SageMaker tries to provision the instances across the pools before failing
    (``VariantInstanceProvisionTimeoutInSeconds``, 5 to 60 minutes)."""

    def problems(self) -> List[str]:
        from .._api_rules import capacity_reservation_problem, inference_ami_problem
        from .pools import pool_problems, provision_timeout_problem

        label = f"variant '{self.variant_name or self.model_id}' "
        found = [f"{label}weight must be positive; got {self.weight}."] if self.weight <= 0 else []
        if self.instance_pools is not None and self.instance_type is not None:
            found.append(f"{label}instance_type and instance_pools both name its instance types: give them all in "
                         "instance_pools (SageMaker takes InstancePools instead of InstanceType).")
        seconds = self.provision_timeout.to_seconds() if self.provision_timeout is not None else None
        return found + [p for p in (inference_ami_problem(self.inference_ami_version),
                                    capacity_reservation_problem(self.capacity_reservation, None),
                                    provision_timeout_problem(seconds, label)) if p] + pool_problems(
            self.instance_pools, label)


@dataclass(frozen=True)
class JumpStartInferenceComponent(_HostedModel):
    """One JumpStart model hosted as an ``AWS::SageMaker::InferenceComponent`` on a shared endpoint.

    Compute defaults come from the spec's ``hosting_resource_requirements`` for the endpoint's
    instance type (memory, accelerators), as the SDK's deploy uses them.
    """

    name: Optional[str] = None
    copies: int = 1
    accelerators: Optional[int] = None
    memory_mb: Optional[int] = None
    cpu_cores: Optional[float] = None
    adapters: Optional["AdapterServing"] = None
    """Serve LoRA adapters on this component (:meth:`JumpStartEndpoint.add_adapter`): its container gets
    the settings that load them, and the component a fixed name the adapters refer to."""

    def problems(self) -> List[str]:
        label = self.name or self.model_id
        found = [f"inference component '{label}' copies must be at least 1; got {self.copies}."
                 ] if self.copies < 1 else []
        return found + (self.adapters.problems(label) if self.adapters is not None else [])


@dataclass(frozen=True)
class AdapterServing:
    """How a base inference component serves LoRA adapters: the container's limits, each left to the
    container's default when not given (adapters loaded at once: LMI 4, AWS's vLLM container 1).
    Adapters beyond ``max_loaded`` wait in CPU memory (up to ``max_cached``) and are swapped in per
    request; an adapter of a higher rank than ``max_rank`` fails to load."""

    max_loaded: Optional[int] = None
    """Adapters in accelerator memory at once (``OPTION_MAX_LORAS`` / ``SM_VLLM_MAX_LORAS``)."""
    max_rank: Optional[int] = None
    """The highest LoRA rank ``r`` an adapter may have (``OPTION_MAX_LORA_RANK``)."""
    max_cached: Optional[int] = None
    """Adapters kept in CPU memory (``OPTION_MAX_CPU_LORAS``); at least ``max_loaded``."""

    def problems(self, label: str) -> List[str]:
        found = [f"inference component '{label}' adapters {field} must be a positive integer; got {value!r}."
                 for field, value in (("max_loaded", self.max_loaded), ("max_rank", self.max_rank),
                                      ("max_cached", self.max_cached))
                 if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1)]
        return found


@dataclass(frozen=True)
class TrafficShift:
    """How blue/green deployments move traffic: all at once, a canary, or linear steps."""

    type: str = "ALL_AT_ONCE"
    percent: Optional[int] = None
    wait: Duration = field(default_factory=lambda: Duration.minutes(5))

    @staticmethod
    def all_at_once(wait: Optional[Duration] = None) -> "TrafficShift":
        """Shift all traffic, then bake for ``wait`` (default 5 minutes)."""
        return TrafficShift("ALL_AT_ONCE", None, wait or Duration.minutes(5))

    @staticmethod
    def canary(percent: int, wait: Optional[Duration] = None) -> "TrafficShift":
        """``percent`` of capacity first, the rest after ``wait`` (default 10 minutes)."""
        return TrafficShift("CANARY", percent, wait or Duration.minutes(10))

    @staticmethod
    def linear(percent: int, wait: Optional[Duration] = None) -> "TrafficShift":
        """``percent`` of capacity per step, ``wait`` (default 5 minutes) between steps."""
        return TrafficShift("LINEAR", percent, wait or Duration.minutes(5))


@dataclass(frozen=True)
class DeploymentConfig:
    """Safe endpoint updates: blue/green (with a traffic shift) or rolling, rolled back
    automatically when one of ``alarms`` fires. Build with :meth:`blue_green` or :meth:`rolling`."""

    mode: str
    traffic: Optional[TrafficShift] = None
    batch_percent: Optional[int] = None
    rollback_batch_percent: Optional[int] = None
    wait: Duration = field(default_factory=lambda: Duration.minutes(5))
    termination_wait: Optional[Duration] = None
    max_execution_timeout: Optional[Duration] = None
    alarms: Sequence[cloudwatch.IAlarm] = ()

    @staticmethod
    def blue_green(
        traffic: Optional[TrafficShift] = None,
        alarms: Sequence[cloudwatch.IAlarm] = (),
        termination_wait: Optional[Duration] = None,
        max_execution_timeout: Optional[Duration] = None,
    ) -> "DeploymentConfig":
        return DeploymentConfig("blue_green", traffic=traffic or TrafficShift.all_at_once(), alarms=tuple(alarms),
                                termination_wait=termination_wait, max_execution_timeout=max_execution_timeout)

    @staticmethod
    def rolling(
        batch_percent: int = 25,
        wait: Optional[Duration] = None,
        alarms: Sequence[cloudwatch.IAlarm] = (),
        rollback_batch_percent: Optional[int] = None,
        max_execution_timeout: Optional[Duration] = None,
    ) -> "DeploymentConfig":
        return DeploymentConfig("rolling", batch_percent=batch_percent, wait=wait or Duration.minutes(5),
                                alarms=tuple(alarms), rollback_batch_percent=rollback_batch_percent,
                                max_execution_timeout=max_execution_timeout)

    def problems(self) -> list:
        """What the SageMaker API would refuse in this deployment config (see ``_api_rules``)."""
        from .. import _api_rules as rules

        found = []
        traffic = self.traffic
        if traffic and traffic.type != "ALL_AT_ONCE" and traffic.percent is None:
            found.append(f"a {traffic.type.lower()} traffic shift needs a percent.")
        sized = [("rolling", self.batch_percent), ("rollback", self.rollback_batch_percent),
                 (traffic.type.lower() if traffic else "canary", traffic.percent if traffic else None)]
        found += [p for p in (rules.percent_problem(kind, value) for kind, value in sized) if p]
        waits = [("traffic wait", traffic.wait if traffic else None),
                 ("rolling wait", self.wait if self.mode == "rolling" else None),
                 ("termination_wait", self.termination_wait)]
        seconds = {name: int(d.to_seconds()) for name, d in waits if d is not None}
        found += [p for p in (rules.seconds_problem(n, v, *rules.WAIT_RANGE) for n, v in seconds.items()) if p]
        timeout = int(self.max_execution_timeout.to_seconds()) if self.max_execution_timeout else None
        problem = rules.max_execution_problem(timeout, list(seconds.values()) if self.mode == "blue_green" else [])
        problem = problem or rules.alarms_problem(len(self.alarms), self.mode == "rolling")
        return found + ([problem] if problem else [])


# Which instance types have local storage (no volume KMS key) is the SDK's rule, recorded by the
# resolver per model (ResolvedModel.volume_kms_supported), not a list of ours.
_ACCELERATED_PREFIXES = ("g", "p", "inf", "trn", "dl")


def instance_family(instance_type: str) -> str:
    parts = instance_type.split(".")
    return parts[1] if len(parts) >= 3 else instance_type


def is_accelerated(instance_type: str) -> bool:
    return instance_family(instance_type).startswith(_ACCELERATED_PREFIXES)
