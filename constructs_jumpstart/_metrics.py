"""CloudWatch metrics of an endpoint, a production variant and an inference component, typed as CDK's
own ``metric_*`` methods are: keyword options of ``aws_cloudwatch.MetricOptions`` (``statistic``,
``period``, ``label``, ``unit``, ``color``, ``dimensions_map``, ``account``, ``region``), so an IDE
flags ``statistc=`` and ``label=`` reaches the metric.

Namespaces and dimensions: "Monitor Amazon SageMaker AI with Amazon CloudWatch" (SageMaker Developer
Guide): endpoint invocation metrics in ``AWS/SageMaker`` by ``EndpointName`` and ``VariantName``
(``InferenceComponentName`` for a component), instance metrics (``CPUUtilization``, ...) in
``/aws/sagemaker/Endpoints`` by the same two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping

from aws_cdk import Duration
from typing_extensions import TypedDict, Unpack

if TYPE_CHECKING:
    from aws_cdk import aws_cloudwatch as cloudwatch

INVOCATIONS = "AWS/SageMaker"
INSTANCES = "/aws/sagemaker/Endpoints"


class MetricOptions(TypedDict, total=False):
    """The options of every ``metric_*`` method (those of CDK's ``aws_cloudwatch.MetricOptions``)."""

    statistic: str
    period: Duration
    label: str
    unit: "cloudwatch.Unit"
    color: str
    dimensions_map: Mapping[str, str]
    account: str
    region: str


def sagemaker_metric(metric_name: str, dimensions: Mapping[str, str], namespace: str = INVOCATIONS,
                     **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
    """One metric: ``Sum`` over a minute unless ``options`` say otherwise; ``dimensions_map`` adds to
    (or overrides) the resource's own dimensions."""
    from aws_cdk import aws_cloudwatch as cloudwatch

    given: Dict[str, Any] = dict(options)
    dims = {**dimensions, **(given.pop("dimensions_map", None) or {})}
    given.setdefault("statistic", "Sum")
    given.setdefault("period", Duration.minutes(1))
    return cloudwatch.Metric(namespace=namespace, metric_name=metric_name, dimensions_map=dims, **given)


def averaged(options: MetricOptions) -> MetricOptions:
    """``options`` with ``Average`` as the default statistic (latencies, utilizations, backlogs)."""
    return {"statistic": "Average", **options}  # type: ignore[return-value]


class VariantMetrics:
    """The ``metric_*`` methods of a production variant, shared by the endpoint (its first variant) and
    :class:`~constructs_jumpstart._variants.VariantHandle`: each names one metric on ``self.metric``."""

    def metric(self, metric_name: str, *, namespace: str = INVOCATIONS,
               **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        raise NotImplementedError  # pragma: no cover - the endpoint and the handle define it

    def metric_invocations(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("Invocations", **options)

    def metric_invocation_4xx_errors(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("Invocation4XXErrors", **options)

    def metric_invocation_5xx_errors(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("Invocation5XXErrors", **options)

    def metric_invocations_per_instance(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("InvocationsPerInstance", **options)

    def metric_model_latency(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        """Model latency in microseconds (average)."""
        return self.metric("ModelLatency", **averaged(options))

    def metric_overhead_latency(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("OverheadLatency", **averaged(options))

    def metric_cpu_utilization(self, **options: Unpack[MetricOptions]) -> "cloudwatch.Metric":
        return self.metric("CPUUtilization", namespace=INSTANCES, **averaged(options))
