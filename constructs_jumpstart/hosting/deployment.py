"""Blue/green and rolling deployments: the endpoint's ``DeploymentConfig``, with automatic rollback on
its alarms."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from aws_cdk import Duration
from aws_cdk import aws_sagemaker as sagemaker

from ..errors import JumpStartError, ValidationError
from .config import DeploymentConfig


def _seconds(duration: Optional[Duration]) -> Optional[int]:
    return int(duration.to_seconds()) if duration else None


def _capacity_percent(percent: Optional[int]) -> Any:
    """``CapacitySize`` as a percentage of the fleet (``None`` for none, as a falsy percent always was)."""
    return sagemaker.CfnEndpoint.CapacitySizeProperty(type="CAPACITY_PERCENT", value=percent) if percent else None


def deployment_config(deployment: DeploymentConfig,
                      alarms: Sequence[Any]) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
    cfn = sagemaker.CfnEndpoint
    # AutoRollbackConfig.Alarms takes 1 to 10 alarms: none means no automatic rollback
    rollback = cfn.AutoRollbackConfigProperty(
        alarms=[cfn.AlarmProperty(alarm_name=a.alarm_name) for a in alarms],
    ) if alarms else None
    max_execution = _seconds(deployment.max_execution_timeout)
    if deployment.mode == "rolling":
        return cfn.DeploymentConfigProperty(
            auto_rollback_configuration=rollback,
            rolling_update_policy=cfn.RollingUpdatePolicyProperty(
                maximum_batch_size=cfn.CapacitySizeProperty(type="CAPACITY_PERCENT",
                                                            value=deployment.batch_percent),
                wait_interval_in_seconds=int(deployment.wait.to_seconds()),
                rollback_maximum_batch_size=_capacity_percent(deployment.rollback_batch_percent),
                maximum_execution_timeout_in_seconds=max_execution,
            ),
        )
    traffic = deployment.traffic
    size = _capacity_percent(traffic.percent)
    return cfn.DeploymentConfigProperty(
        auto_rollback_configuration=rollback,
        blue_green_update_policy=cfn.BlueGreenUpdatePolicyProperty(
            traffic_routing_configuration=cfn.TrafficRoutingConfigProperty(
                type=traffic.type,
                wait_interval_in_seconds=int(traffic.wait.to_seconds()),
                canary_size=size if traffic.type == "CANARY" else None,
                linear_step_size=size if traffic.type == "LINEAR" else None,
            ),
            termination_wait_in_seconds=_seconds(deployment.termination_wait),
            maximum_execution_timeout_in_seconds=max_execution,
        ),
    )


def check_alarm(path: str, deployment: Optional[DeploymentConfig], count: int) -> None:
    """A rollback alarm needs a deployment config, and ``AutoRollbackConfig.Alarms`` takes at most 10."""
    if deployment is None:
        raise JumpStartError(f"{path}: add_rollback_alarm needs "
                             "deployment=DeploymentConfig.blue_green(...) or .rolling(...).")
    from .. import _api_rules

    problem = _api_rules.alarms_problem(count, False)
    if problem:
        raise ValidationError(f"{path}.add_rollback_alarm", [problem])
