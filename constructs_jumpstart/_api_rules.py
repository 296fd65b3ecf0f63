"""SageMaker API rules that the service model states only in words.

botocore's SageMaker service model (``botocore/data/sagemaker/*/service-2.json``) carries types,
lengths, ranges, enums and patterns as data; some rules live only in the ``documentation`` strings
of its members. They are written down here once, each with the phrase it comes from, and used twice:
by the constructs at synth (one clear error naming the value and what is valid) and by the test
suite's conformance check on every request a template makes (``tests/conformance.py``).

Pure Python: no CDK, no SDK, no botocore. Instance-storage facts come from the SDK through the
resolver (``ResolvedModel.volume_kms_supported``); the conformance check passes the SDK's own
predicates.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

MODEL_DATA_SOURCE_DOC = (
    "ContainerDefinition.ModelDataSource: \"you cannot use ModelDataSource in conjunction with SageMaker "
    "batch transform, SageMaker serverless endpoints, SageMaker multi-model endpoints, and SageMaker "
    "Marketplace\""
)
LOCAL_STORAGE_KMS_DOC = (
    "ResourceConfig.VolumeKmsKeyId / TransformResources.VolumeKmsKeyId: \"You can't request a VolumeKmsKeyId "
    "when using an instance type with local storage\"; CreateEndpointConfig.KmsKeyId likewise (the SDK's "
    "instance_supports_kms)"
)
CANARY_DOC = ("TrafficRoutingConfig.CanarySize: \"Value must be less than or equal to 50% of the variant's total "
              "instance count\"")
LINEAR_DOC = "TrafficRoutingConfig.LinearStepSize: \"Value must be 10-50% of the variant's total instance count\""
ROLLING_DOC = ("RollingUpdatePolicy.MaximumBatchSize: \"Value must be between 5% to 50% of the variant's total "
               "instance count\"")
WAIT_DOC = ("TrafficRoutingConfig.WaitIntervalInSeconds / RollingUpdatePolicy.WaitIntervalInSeconds: 0 to 3600 "
            "(shape min/max)")
TIMEOUT_DOC = ("BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds: 600 to 28800 (shape) and \"should be "
               "larger than the total waiting time specified in TerminationWaitInSeconds and WaitIntervalInSeconds\"")
ALARMS_DOC = "AutoRollbackConfig.Alarms: 1 to 10 alarms (shape min/max)"

RUNTIME_DOC = ("StoppingCondition.MaxRuntimeInSeconds: \"The default value is 1 day. The maximum value is 28 "
               "days.\"")
PAYLOAD_DOC = ("CreateTransformJob.MaxPayloadInMB: \"cannot be greater than 100 MB. If you specify the "
               "MaxConcurrentTransforms parameter, the value of (MaxConcurrentTransforms * MaxPayloadInMB) also "
               "cannot exceed 100 MB.\"")
TRANSFORM_COUNT_DOC = "TransformResources.InstanceCount: \"The default value is 1, and the maximum is 100.\""
MAX_RUNTIME = 28 * 24 * 3600
MAX_PAYLOAD_MB = 100
MAX_TRANSFORM_INSTANCES = 100

PERCENT_RANGES: Dict[str, Tuple[int, int, str]] = {
    "canary": (1, 50, CANARY_DOC),
    "linear": (10, 50, LINEAR_DOC),
    "rolling": (5, 50, ROLLING_DOC),
    "rollback": (5, 100, "RollingUpdatePolicy.RollbackMaximumBatchSize (CapacitySize.Value min 1)"),
}
WAIT_RANGE = (0, 3600)
MAX_EXECUTION_RANGE = (600, 28800)
TERMINATION_WAIT_RANGE = (0, 3600)
MAX_ALARMS = 10


# -- the rules, one function each (the constructs call these) --------------------------------------

_ENUMS: Dict[str, Sequence[str]] = {}
INSTANCE_TYPE_SHAPES = {"hosting": "ProductionVariantInstanceType", "training": "TrainingInstanceType",
                        "transform": "TransformInstanceType"}


def api_instance_types(use: str) -> Sequence[str]:
    """The instance types the API accepts for ``use`` (hosting, training, transform): the enum of the
    service model, shipped in ``api_instance_types.json`` (``scripts/make_api_data.py``)."""
    if not _ENUMS:
        import json
        from pathlib import Path

        _ENUMS.update(json.loads((Path(__file__).parent / "api_instance_types.json").read_text()))
    return _ENUMS[INSTANCE_TYPE_SHAPES[use]]


def instance_type_problem(use: str, instance_type: Optional[str]) -> Optional[str]:
    """An instance type the API refuses for ``use``, even where a spec lists it."""
    if not instance_type or instance_type.startswith("${Token") or instance_type in api_instance_types(use):
        return None
    import difflib

    families = sorted({t.rsplit(".", 1)[0] for t in api_instance_types(use)})
    close = difflib.get_close_matches(instance_type, api_instance_types(use), n=3, cutoff=0.8)
    hint = f" Did you mean {', '.join(close)}?" if close else f" Families it accepts: {', '.join(families)}."
    return (f"instance type {instance_type} is not one SageMaker accepts for {use} "
            f"({INSTANCE_TYPE_SHAPES[use]} in the SageMaker API).{hint}")


AMI_SHAPE = "ProductionVariantInferenceAmiVersion"
ML_RESERVATION_DOC = ("ProductionVariantCapacityReservationConfig.MlReservationArn: 20-258 characters, pattern "
                      "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z0-9\\-]{1,14}/.* (shape MlReservationArn)")
_ML_RESERVATION = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z0-9\-]{1,14}/.*"


def inference_ami_problem(value: Optional[str]) -> Optional[str]:
    """An ``InferenceAmiVersion`` the API refuses (the service model's enum, shipped)."""
    if value is None or value.startswith("${Token"):
        return None
    api_instance_types("hosting")  # loads the shipped enums
    valid = _ENUMS[AMI_SHAPE]
    if value in valid:
        return None
    return (f"inference_ami_version {value!r} is not one SageMaker offers ({AMI_SHAPE} in the SageMaker API); "
            f"valid: {', '.join(valid)}.")


def capacity_reservation_problem(arn: Optional[str], region: Optional[str]) -> Optional[str]:
    """An ML capacity reservation ARN the API refuses, or one of another region than the endpoint's."""
    import re

    if arn is None or arn.startswith("${Token"):
        return None
    if not (20 <= len(arn) <= 258 and re.fullmatch(_ML_RESERVATION, arn)):
        return (f"capacity_reservation {arn!r} is not an ML capacity reservation ARN "
                "(arn:aws:sagemaker:REGION:ACCOUNT:TYPE/NAME, e.g. a training plan's; " + ML_RESERVATION_DOC + ").")
    arn_region = arn.split(":")[3]
    if region and arn_region and arn_region != region:
        return f"capacity_reservation {arn!r} is in {arn_region}; the endpoint is in {region}."
    return None


TRAINING_PLAN_DOC = ("ResourceConfig.TrainingPlanArn: 50-2048 characters, pattern "
                     "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:training-plan/.* (shape TrainingPlanArn)")
_TRAINING_PLAN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:training-plan/.*"


def training_plan_problem(arn: Optional[str], region: Optional[str]) -> Optional[str]:
    """A training plan ARN the API refuses (``TrainingPlanArn``), or one of another region than the job's."""
    import re

    if arn is None or arn.startswith("${Token"):
        return None
    if not (50 <= len(arn) <= 2048 and re.fullmatch(_TRAINING_PLAN, arn)):
        return (f"training_plan {arn!r} is not a training plan ARN "
                f"(arn:aws:sagemaker:REGION:ACCOUNT:training-plan/NAME; {TRAINING_PLAN_DOC}).")
    arn_region = arn.split(":")[3]
    if region and arn_region != region:
        return f"training_plan {arn!r} is in {arn_region}; the training job is in {region}."
    return None


def percent_problem(kind: str, value: Optional[int]) -> Optional[str]:
    """A capacity percentage of a deployment step outside what the API accepts."""
    if value is None:
        return None
    low, high, doc = PERCENT_RANGES[kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{kind} size {value!r}% is out of range: it must be an integer from {low} to {high} percent ({doc})."
    return None


def seconds_problem(what: str, seconds: Optional[int], low: int, high: int) -> Optional[str]:
    if seconds is None or low <= seconds <= high:
        return None
    return f"{what} of {seconds} s is out of range: it must be {low} to {high} seconds."


def max_execution_problem(timeout: Optional[int], waits: Sequence[int]) -> Optional[str]:
    if timeout is None:
        return None
    out_of_range = seconds_problem("max_execution_timeout", timeout, *MAX_EXECUTION_RANGE)
    if out_of_range:
        return out_of_range
    if timeout <= sum(waits):
        return (f"max_execution_timeout of {timeout} s must be larger than the waits it covers "
                f"({' + '.join(str(w) for w in waits)} = {sum(waits)} s) ({TIMEOUT_DOC}).")
    return None


def alarms_problem(count: int, required: bool) -> Optional[str]:
    if count > MAX_ALARMS:
        return f"{count} rollback alarms: a deployment takes at most {MAX_ALARMS} ({ALARMS_DOC})."
    if required and count == 0:
        return ("a rolling deployment needs at least one CloudWatch alarm to roll back on "
                "(alarms=... or add_rollback_alarm).")
    return None


def max_runtime_problem(seconds: Optional[int]) -> Optional[str]:
    """A training job's MaxRuntimeInSeconds over SageMaker's 28 days."""
    if seconds is None or seconds <= MAX_RUNTIME:
        return None
    return f"max_runtime of {seconds} s is over SageMaker's longest training runtime, 28 days ({RUNTIME_DOC})."


def transform_limit_problems(instance_count: Any, max_payload_mb: Optional[int],
                             max_concurrent_transforms: Optional[int]) -> List[str]:
    """A transform's instance count over 100, and MaxPayloadInMB times MaxConcurrentTransforms over 100 MB
    (both given: the service model states no default payload to multiply an unset one with)."""
    problems = []
    if isinstance(instance_count, int) and instance_count > MAX_TRANSFORM_INSTANCES:
        problems.append(f"instance_count {instance_count} is over the {MAX_TRANSFORM_INSTANCES} instances a transform "
                        f"job may use ({TRANSFORM_COUNT_DOC}).")
    if max_payload_mb and max_concurrent_transforms and max_payload_mb * max_concurrent_transforms > MAX_PAYLOAD_MB:
        problems.append(f"max_payload_mb {max_payload_mb} x max_concurrent_transforms {max_concurrent_transforms} = "
                        f"{max_payload_mb * max_concurrent_transforms} MB, over {MAX_PAYLOAD_MB} MB ({PAYLOAD_DOC}).")
    return problems


def volume_kms_problem(where: str, instance_type: str, supported: bool) -> Optional[str]:
    if supported:
        return None
    return (f"{where}: a KMS key cannot be requested for instance type {instance_type}, whose storage is local "
            f"instance storage encrypted by the hardware ({LOCAL_STORAGE_KMS_DOC}). Use an instance type with EBS "
            "storage, or drop the key for this instance type.")


# -- the same rules over API requests (the conformance check) --------------------------------------

Request = Tuple[str, Mapping[str, Any], str]  # (operation, params, origin)
Predicate = Callable[[str], bool]


def _uses_model_data_source(model: Mapping[str, Any]) -> bool:
    containers = [model.get("PrimaryContainer")] + list(model.get("Containers") or [])
    return any(c and "ModelDataSource" in c for c in containers)


def _variant_rules(params: Mapping[str, Any], origin: str, models: Mapping[str, Mapping[str, Any]],
                   supports_kms: Predicate, supports_volume_size: Predicate) -> Iterable[str]:
    for variant in params.get("ProductionVariants", []):
        model = models.get(variant.get("ModelName", ""), {})
        if "ServerlessConfig" in variant and _uses_model_data_source(model):
            yield (f"{origin}: serverless variant {variant.get('VariantName')} serves a model with ModelDataSource "
                   f"({MODEL_DATA_SOURCE_DOC}).")
        pools = variant.get("InstancePools") or []
        yield from (f"{origin}: {p}" for p in _pool_rules(variant, pools, models))
        for instance_type in [variant["InstanceType"]] if variant.get("InstanceType") else [
                p.get("InstanceType") for p in pools]:
            if params.get("KmsKeyId") and not supports_kms(instance_type):
                yield f"{origin}: " + str(volume_kms_problem("CreateEndpointConfig.KmsKeyId", instance_type, False))
            if "VolumeSizeInGB" in variant and not supports_volume_size(instance_type):
                yield (f"{origin}: VolumeSizeInGB on {instance_type}, which has no EBS volume (the SDK's "
                       "volume_size_supported;"
                       " ProductionVariant.VolumeSizeInGB: \"only Amazon EBS gp2 storage volumes are supported\").")


POOLS_DOC = ("SageMaker Developer Guide, \"Deploy to multiple instance types with instance pools\": \"you replace "
             "the InstanceType parameter in your production variant with an InstancePools list\"")
POOL_MODEL_DOC = ("InstancePool.ModelNameOverride: \"The name of a SageMaker model to use for this instance pool "
                  "instead of the model specified for the production variant.\"")


def _pool_rules(variant: Mapping[str, Any], pools: Sequence[Mapping[str, Any]],
                models: Mapping[str, Mapping[str, Any]]) -> List[str]:
    """A variant's instance pools: in place of InstanceType, each override a model. (Each type and
    priority once is the library's own rule, checked at synth: the API and the guide do not state it.)"""
    if not pools:
        return []
    found = [f"variant {variant.get('VariantName')} has InstanceType and InstancePools ({POOLS_DOC})."
             ] if variant.get("InstanceType") else []
    found += [f"variant {variant.get('VariantName')}'s pool {p.get('InstanceType')} overrides the model with "
              f"{p['ModelNameOverride']!r}, none of the stack's models ({POOL_MODEL_DOC})."
              for p in pools if "ModelNameOverride" in p and p["ModelNameOverride"] not in models]
    return found


def _deployment_rules(params: Mapping[str, Any], origin: str) -> Iterable[str]:
    config = params.get("DeploymentConfig") or {}
    blue_green = config.get("BlueGreenUpdatePolicy") or {}
    routing = blue_green.get("TrafficRoutingConfig") or {}
    rolling = config.get("RollingUpdatePolicy") or {}
    checks = [("canary", routing.get("CanarySize")), ("linear", routing.get("LinearStepSize")),
              ("rolling", rolling.get("MaximumBatchSize"))]
    for kind, size in checks:
        if size and size.get("Type") == "CAPACITY_PERCENT":
            problem = percent_problem(kind, size.get("Value"))
            if problem:
                yield f"{origin}: {problem}"
    if blue_green:
        waits = [routing.get("WaitIntervalInSeconds", 0), blue_green.get("TerminationWaitInSeconds", 0)]
        problem = max_execution_problem(blue_green.get("MaximumExecutionTimeoutInSeconds"), waits)
        if problem:
            yield f"{origin}: {problem}"
    if routing.get("Type") == "CANARY" and "CanarySize" not in routing:
        yield f"{origin}: a CANARY traffic routing needs CanarySize."
    if routing.get("Type") == "LINEAR" and "LinearStepSize" not in routing:
        yield f"{origin}: a LINEAR traffic routing needs LinearStepSize."


def _job_volume_key_problems(params: Dict[str, Any], field: str, origin: str, supports_kms: Predicate) -> List[str]:
    """A job's VolumeKmsKeyId on an instance type with local storage (refused)."""
    resources = params.get(field, {})
    if resources.get("VolumeKmsKeyId") and not supports_kms(resources.get("InstanceType", "")):
        return [f"{origin}: " + str(volume_kms_problem(f"{field}.VolumeKmsKeyId", resources["InstanceType"], False))]
    return []


ADAPTER_COMPUTE_DOC = ("InferenceComponentSpecification.ComputeResourceRequirements: \"Omit this parameter if your "
                       "request is meant to create an adapter inference component.\"")
ADAPTER_ARTIFACT_DOC = ("InferenceComponentContainerSpecification.ArtifactUrl: \"This path must point to a single "
                        "gzip compressed tar archive (.tar.gz suffix).\"")
ADAPTER_BASE_DOC = ("InferenceComponentSpecification.BaseInferenceComponentName: \"you must have an existing "
                    "inference component that contains the foundation model that you want to adapt.\"")


SPECIFICATIONS_DOC = ("CreateInferenceComponent.Specifications: \"You can use either this parameter or the singular "
                      "Specification parameter, but not both\"; InstanceType: \"Required when using the Specifications "
                      "parameter with multiple entries\"")


def specifications_problems(params: Mapping[str, Any]) -> List[str]:
    """A component's one specification or its list of them, each of a list naming its instance type."""
    listed = params.get("Specifications") or []
    found = ["a component has Specification and Specifications (" + SPECIFICATIONS_DOC + ")."
             ] if listed and "Specification" in params else []
    if len(listed) > 1:
        found += [f"a component's specification {i} names no InstanceType ({SPECIFICATIONS_DOC})."
                  for i, spec in enumerate(listed) if not spec.get("InstanceType")]
    return found


def adapter_problems(params: Mapping[str, Any], components: Sequence[str]) -> List[str]:
    """An adapter component's documented rules (``components``: the names of the stack's others)."""
    spec = params.get("Specification") or {}
    base = spec.get("BaseInferenceComponentName")
    if base is None:
        return []
    found = [f"an adapter component has ComputeResourceRequirements ({ADAPTER_COMPUTE_DOC})."
             ] if "ComputeResourceRequirements" in spec else []
    url = (spec.get("Container") or {}).get("ArtifactUrl")
    if not isinstance(url, str) or not url.endswith(".tar.gz"):
        found.append(f"an adapter component's ArtifactUrl {url!r} is not a .tar.gz ({ADAPTER_ARTIFACT_DOC}).")
    if base not in components:
        found.append(f"an adapter component's base {base!r} is none of the stack's inference components "
                     f"({', '.join(components) or 'none named'}; {ADAPTER_BASE_DOC}).")
    return found


def request_problems(requests: Sequence[Request], supports_kms: Predicate,
                     supports_volume_size: Predicate) -> List[str]:
    """Every documented cross-field rule broken by ``requests`` (the requests of one stack)."""
    models = {p.get("ModelName", ""): p for op, p, _ in requests if op == "CreateModel"}
    components = [p["InferenceComponentName"] for op, p, _ in requests
                  if op == "CreateInferenceComponent" and "InferenceComponentName" in p]
    found: List[str] = []
    for operation, params, origin in requests:
        if operation == "CreateInferenceComponent":
            found += [f"{origin}: {p}" for p in adapter_problems(params, components) + specifications_problems(params)]
        if operation == "CreateTransformJob":
            if _uses_model_data_source(models.get(params.get("ModelName", ""), {})):
                found.append(f"{origin}: the transform job's model {params.get('ModelName')} uses ModelDataSource "
                             f"({MODEL_DATA_SOURCE_DOC}).")
            found += _job_volume_key_problems(params, "TransformResources", origin, supports_kms)
            found += [f"{origin}: {p}" for p in transform_limit_problems(
                (params.get("TransformResources") or {}).get("InstanceCount"), params.get("MaxPayloadInMB"),
                params.get("MaxConcurrentTransforms"))]
        elif operation == "CreateTrainingJob":
            found += _job_volume_key_problems(params, "ResourceConfig", origin, supports_kms)
            runtime = max_runtime_problem((params.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds"))
            found += [f"{origin}: {runtime}"] if runtime else []
        elif operation == "CreateEndpointConfig":
            found += list(_variant_rules(params, origin, models, supports_kms, supports_volume_size))
        elif operation in ("CreateEndpoint", "UpdateEndpoint"):
            found += list(_deployment_rules(params, origin))
    return found
