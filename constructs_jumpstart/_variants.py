"""Handles on one production variant or one inference component of a :class:`JumpStartEndpoint`,
as ``aws-sagemaker-alpha``'s per-variant handles: its metrics and its scaling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from aws_cdk import Duration, Fn

if TYPE_CHECKING:
    from aws_cdk import aws_applicationautoscaling as appscaling
    from aws_cdk import aws_cloudwatch as cloudwatch


class VariantHandle:
    """One production variant: ``endpoint.variant("Challenger")``."""

    def __init__(self, endpoint: Any, name: str):
        self.endpoint = endpoint
        self.variant_name = name

    def metric(self, metric_name: str, **kw: Any) -> cloudwatch.Metric:
        """A metric of this variant (dimensions EndpointName, VariantName)."""
        return self.endpoint.metric(metric_name, variant_name=self.variant_name, **kw)

    def metric_invocations(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("Invocations", **kw)

    def metric_invocation_5xx_errors(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("Invocation5XXErrors", **kw)

    def metric_model_latency(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("ModelLatency", **{"statistic": "Average", **kw})

    def metric_invocations_per_instance(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("InvocationsPerInstance", **kw)

    def auto_scale(self, min_capacity: int, max_capacity: int, **kw: Any) -> appscaling.ScalableTarget:
        """Scale this variant's instances (see :meth:`JumpStartEndpoint.auto_scale`)."""
        return self.endpoint.auto_scale(min_capacity, max_capacity, variant_name=self.variant_name, **kw)


class ComponentHandle:
    """One inference component: ``endpoint.components[i]``."""

    def __init__(self, endpoint: Any, index: int, resource: Any):
        self.endpoint = endpoint
        self.index = index
        self.resource = resource
        """The ``AWS::SageMaker::InferenceComponent``."""

    @property
    def component_name(self) -> str:
        return Fn.select(1, Fn.split("/", self.resource.attr_inference_component_arn))

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: Optional[Duration] = None,
               namespace: str = "AWS/SageMaker") -> cloudwatch.Metric:
        """A metric of this component (dimension InferenceComponentName)."""
        from aws_cdk import aws_cloudwatch as cloudwatch

        return cloudwatch.Metric(namespace=namespace, metric_name=metric_name, statistic=statistic,
                                 dimensions_map={"InferenceComponentName": self.component_name},
                                 period=period or Duration.minutes(1))

    def metric_invocations(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("Invocations", **kw)

    def metric_model_latency(self, **kw: Any) -> cloudwatch.Metric:
        return self.metric("ModelLatency", **{"statistic": "Average", **kw})

    def auto_scale(self, min_capacity: int, max_capacity: int, **kw: Any) -> appscaling.ScalableTarget:
        """Scale this component's copies (see :meth:`JumpStartEndpoint.auto_scale`)."""
        return self.endpoint.auto_scale(min_capacity, max_capacity, component=self.index, **kw)
