"""Handles on one production variant or one inference component of a :class:`JumpStartEndpoint`,
as ``aws-sagemaker-alpha``'s per-variant handles: its metrics and its scaling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Fn
from typing_extensions import Unpack

from ._metrics import INVOCATIONS, MetricOptions, VariantMetrics, averaged, sagemaker_metric

if TYPE_CHECKING:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch as cloudwatch


class VariantHandle(VariantMetrics):
    """One production variant: ``endpoint.variant("Challenger")``."""

    def __init__(self, endpoint: Any, name: str):
        self.endpoint = endpoint
        self.variant_name = name

    def metric(self, metric_name: str, *, namespace: str = INVOCATIONS,
               **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """A metric of this variant (dimensions EndpointName, VariantName)."""
        dims = {"EndpointName": self.endpoint.endpoint_name, "VariantName": self.variant_name}
        return sagemaker_metric(metric_name, dims, namespace, **options)

    def auto_scale(self, min_capacity: int, max_capacity: int, **kw: Any) -> appscaling.ScalableTarget:
        """Scale this variant's instances (see :meth:`JumpStartEndpoint.auto_scale`)."""
        return self.endpoint.auto_scale(min_capacity, max_capacity, variant_name=self.variant_name, **kw)


class ComponentMetrics:
    """The metrics of an inference component (an adapter's too), by its ``component_name``."""

    component_name: str

    def metric(self, metric_name: str, *, namespace: str = INVOCATIONS,
               **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """A metric of this component (dimension InferenceComponentName)."""
        return sagemaker_metric(metric_name, {"InferenceComponentName": self.component_name}, namespace, **options)

    def metric_invocations(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        return self.metric("Invocations", **options)

    def metric_model_latency(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        return self.metric("ModelLatency", **averaged(options))


class ComponentHandle(ComponentMetrics):
    """One inference component: ``endpoint.components[i]``."""

    def __init__(self, endpoint: Any, index: int, resource: Any):
        self.endpoint = endpoint
        self.index = index
        self.resource = resource
        """The ``AWS::SageMaker::InferenceComponent``."""

    @property  # type: ignore[override]
    def component_name(self) -> str:
        # a fixed name (a base of adapters) as it is; else read from the ARN
        return self.resource.inference_component_name or Fn.select(
            1, Fn.split("/", self.resource.attr_inference_component_arn))

    def auto_scale(self, min_capacity: int, max_capacity: int, **kw: Any) -> appscaling.ScalableTarget:
        """Scale this component's copies (see :meth:`JumpStartEndpoint.auto_scale`)."""
        return self.endpoint.auto_scale(min_capacity, max_capacity, component=self.index, **kw)
