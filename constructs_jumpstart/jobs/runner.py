"""The one jobs mechanism behind training and batch transform.

A custom resource *starts* a SageMaker job under a deterministic name and returns at once; an
EventBridge rule on the job's state change invokes the same function, which signals an
``AWS::CloudFormation::WaitCondition`` (timeout up to 12 hours); a second custom resource after the
wait reads the finished job's outputs. So the stack waits as long as the job runs, without the
one-hour limit of a custom resource, and a failed or stopped job fails the stack with SageMaker's
``FailureReason``.

* The name is a prefix, hashed from the stack, the construct path, the whole request (tags aside; a
  job output or model name in it counts as the identity its construct registered) and the timeout,
  plus a hash of the wait-condition handle (see the handler): a retried create or a rollback finds the
  job it started (no second job); a new deployment lifetime (after a failed create, or destroy and
  deploy) starts a fresh job; changed inputs give a new prefix, a new physical id, and so a
  replacement (the new job starts; CloudFormation then deletes the old resource, which stops the old
  job if it still runs).
* The wait condition and its handle carry the same hash in their logical ids, because a wait
  condition cannot be updated: new inputs (or a new timeout), new wait.
* ``cdk destroy`` stops a job that still runs; a missing or finished job counts as gone.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

import jsii
from aws_cdk import Duration, ITaggable, Lazy, Stack, TagManager
from aws_cdk import aws_cloudformation as cfn
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from .._checks import adopt
from .._iam import acknowledge_policy, count_handler_policies
from .._names import path_digest, register_identity, request_digest
from ..errors import JumpStartError
from ..provider import custom_resource, handler_function
from ._authorize import training_conditions, transform_conditions
from ._chain import INPUT_LIMIT, STAGE_SECONDS, compact, input_length, stage_timeouts
from ._tags import STACK_TAG, JobTags, TagCheck

JOBS_REASON = ("Jobs are named at deploy from a hash of their inputs and deployment (a new name per change); "
               "scoped to this construct's jobs (model, kind and a digest of stack and construct path) in this "
               "account and region.")
MAX_WAIT = Duration.hours(12)
"""The most one ``AWS::CloudFormation::WaitCondition`` waits: one stage of the wait chain."""
MAX_TIMEOUT = Duration.days(28)
"""The longest wait: SageMaker's longest training runtime (28 days)."""
_KIND = {
    "training": ("training-job", "SageMaker Training Job State Change", "TrainingJobName", "TrainingJobStatus",
                 ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"]),
    "transform": ("transform-job", "SageMaker Transform Job State Change", "TransformJobName", "TransformJobStatus",
                  ["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"]),
}


# a job name: {model}-{suffix}-{path(6)}-{inputs(10)}-{lifetime(6)}, within SageMaker's 63 characters
# (service model: TrainingJobName / TransformJobName, pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})
PATH_DIGEST = 6
NAME_SCHEME = 2
"""In the inputs' digest: a new naming scheme is a new digest, so a deployed job's upgrade gets a new
wait handle and wait, and so a clean new lifetime. (Names alone changing under the old handle and a
completed wait would start a job nobody waits for, and the result resource would fail on it.)"""
_NAME_RESERVED = PATH_DIGEST + 1 + 10 + 1 + 6 + 1


def job_name_base(model_id: str, suffix: str) -> str:
    """``{model}-{suffix}``, the model id cut so the whole job name fits 63 characters."""
    base = re.sub(r"[^a-z0-9-]+", "-", model_id.lower()).strip("-")
    return f"{base[: 63 - _NAME_RESERVED - len(suffix) - 1].rstrip('-')}-{suffix}"


@jsii.implements(ITaggable)
class JobRunner(Construct):
    """Starts one SageMaker job from a request body and waits for it (see the module docstring).
    An ``ITaggable``: ``Tags.of(scope)`` and ``tags=`` reach the job's ``Tags`` (see ``_tags``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        kind: str,
        name_base: str,
        request: Dict[str, Any],
        timeout: Duration,
        pass_role: Optional[iam.IRole] = None,
        tags: Optional[Mapping[str, str]] = None,
        model_arns: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, id)
        where = adopt(self, scope, id)
        if timeout.to_seconds() > MAX_TIMEOUT.to_seconds() or timeout.to_seconds() < 60:
            raise JumpStartError(
                f"{scope.node.path}: timeout must be between 1 minute and 28 days (SageMaker's longest "
                f"training runtime); got {timeout.to_human_string()}."
            )
        stack = where.stack
        arn_type, detail_type, name_key, status_key, actions = _KIND[kind]
        # tags are no input of the job: outside the digest, so a new tag does not start a new job
        digest = request_digest(self, request, kind=kind, timeout=int(timeout.to_seconds()), names=NAME_SCHEME)
        self.job_name_scope: str = f"{name_base}-{path_digest(self, PATH_DIGEST)}"
        """What every job of this construct is named from, whatever its inputs: the model, the kind and
        a digest of stack and construct path. The handler's permissions on jobs are scoped to it, so
        another construct or stack that runs the same model is out of reach (and not to the prefix
        below, which changes with the inputs: a replaced job's cleanup Delete names the old one)."""
        self.job_name_prefix: str = f"{self.job_name_scope}-{digest}"
        """What every name of this job starts with (changes when any input changes)."""
        self._job_tags = JobTags(request.get("Tags") or [], tags, stack.stack_id)
        self.node.add_validation(TagCheck(self._job_tags))
        request = {**request, "Tags": Lazy.uncached_any(self._job_tags)}

        self.function = handler_function(stack)
        self.policy = self._handler_policy(stack, actions, arn_type, request, model_arns, pass_role)
        handle = cfn.CfnWaitConditionHandle(self, f"Handle{digest}")
        rule = events.Rule(
            self,
            "StateChange",
            description=f"Signals the stack when SageMaker {kind} job {self.job_name_prefix}-* finishes",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[detail_type],
                detail={name_key: events.Match.prefix(f"{self.job_name_prefix}-"),
                        status_key: ["Completed", "Failed", "Stopped"]},
            ),
        )
        self.job = custom_resource(
            self, "Job", "Custom::JumpStartJob",
            {"Kind": kind, "JobName": self.job_name_prefix, "Request": stack.to_json_string(request),
             "WaitHandle": handle.ref},
        )
        self.job_name: str = self.job.get_att_string("JobName")
        """The job's name (a token: the prefix plus the deployment lifetime's hash)."""
        register_identity(self, self.job_name, self.job_name_prefix)
        self.job.node.add_dependency(rule)
        self.job.node.add_dependency(self.function, self.policy)
        timeouts = stage_timeouts(int(timeout.to_seconds()))
        self.wait = cfn.CfnWaitCondition(self, f"Wait{digest}", handle=handle.ref, timeout=str(timeouts[0]), count=1)
        self.wait.node.add_dependency(self.job)
        self.waits: List[cfn.CfnWaitCondition] = [self.wait]
        """The wait chain: one wait condition per stage of ``timeout`` (see :meth:`_chain`)."""
        # every job has the heartbeat, a wait of one stage too: a lost state-change signal (its
        # invocation failed past Lambda's retries or MaximumEventAgeInSeconds) is recovered within an
        # hour instead of failing the stack at the wait's timeout (#18 review, finding 5)
        target_input = self._chain(stack, kind, digest, timeouts, handle)
        event = events.RuleTargetInput.from_object({**target_input, "detail": events.EventField.from_path("$.detail")})
        rule.add_target(targets.LambdaFunction(self.function, retry_attempts=8, event=event))
        self.result = custom_resource(
            self, "Result", "Custom::JumpStartJobResult",
            {"Kind": kind, "JobName": self.job_name, "Signal": self.waits[-1].attr_data},
        )

    @property
    def tags(self) -> TagManager:
        """The job's tags (``ITaggable``): ``Tags.of(scope).add(...)`` sets them."""
        return self._job_tags.manager

    def _handler_policy(self, stack: Stack, actions: List[str], arn_type: str, request: Dict[str, Any],
                        model_arns: Sequence[str], pass_role: Optional[iam.IRole]) -> iam.ManagedPolicy:
        """What the stack's handler may do for this construct, in a managed policy of its own on the
        handler's role, which the job waits for (and outlives on delete):

        * start this construct's jobs (named ``job_name_scope-*``) only as the stack asked for them
          (see ``_authorize``) and with the stack's tag;
        * tag them only as the Create call does (``sagemaker:TaggingAction``), with the stack's id;
        * describe and stop them when they carry this stack's id or no such tag (jobs started
          before the tag existed);
        * pass exactly the job's role to SageMaker; and, added by :meth:`_chain`, read the stack's
          resources and disable this job's heartbeat rule.

        A policy per construct, not the role's default policy: its conditions may name the transform's
        model (a fine-tuned model waits for the training job, which waits for the handler, which waits
        for its default policy), and a role's inline policies together may hold only 10,240
        characters ("IAM and AWS STS quotas"), which a handful of jobs would pass."""
        kind = "training" if arn_type == "training-job" else "transform"
        conditions = training_conditions(request) if kind == "training" else transform_conditions(request, model_arns)
        conditions["StringEquals"] = {f"aws:RequestTag/{STACK_TAG}": stack.stack_id}
        jobs = stack.format_arn(service="sagemaker", resource=arn_type, resource_name=f"{self.job_name_scope}-*")
        # a training plan the job runs on is a resource of its request too: exactly that plan
        plan = [p for p in [(request.get("ResourceConfig") or {}).get("TrainingPlanArn")] if p]
        create, rest = actions[0], actions[1:]
        statements = [
            iam.PolicyStatement(actions=[create], resources=[jobs, *plan], conditions=conditions),
            # tags only as the Create call passes them (the handler never calls AddTags itself):
            # sagemaker:TaggingAction names the Create action, as AWS's managed policies condition it
            iam.PolicyStatement(actions=["sagemaker:AddTags"], resources=[jobs], conditions={"StringEquals": {
                "sagemaker:TaggingAction": create.split(":")[1], f"aws:RequestTag/{STACK_TAG}": stack.stack_id}}),
            iam.PolicyStatement(actions=rest, resources=[jobs], conditions={
                "StringEqualsIfExists": {f"aws:ResourceTag/{STACK_TAG}": stack.stack_id}})]
        if pass_role is not None:
            statements.append(iam.PolicyStatement(
                actions=["iam:PassRole"], resources=[pass_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}))
        policy = iam.ManagedPolicy(self, "Permissions", statements=statements, roles=[self.function.role],
                                   description=f"The constructs_jumpstart jobs handler for {self.node.path}")
        acknowledge_policy(policy, statements, JOBS_REASON)
        count_handler_policies(self, self.function)
        return policy

    def _chain(self, stack: Stack, kind: str, digest: str, timeouts: List[int], first_handle: Any) -> Dict[str, Any]:
        """The wait as a chain of stages (one stage for 12 hours or less) and its hourly heartbeat.
        Waits longer than one wait condition's 12 hours: stage i's handle is created
        only after stage i-1's wait completes (a handle's pre-signed URL lives about a day, so none
        is made long before it is used), then a checkpoint (``Custom::JumpStartJobCheckpoint``)
        signals it at once if the job already finished, then stage i's wait. The job's state change
        signals the stage in progress (found with ``ListStackResources``); an hourly heartbeat ends a
        stage after 10 to 11 hours while the job runs ("still running"), signals the job's end if its event
        was missed (between stages, or lost), and disables itself once the job ended and the last stage is done.
        Returns the events' input (see ``_chain``)."""
        stages = [(first_handle, self.wait)]
        for i, seconds in enumerate(timeouts[1:], start=1):
            handle = cfn.CfnWaitConditionHandle(self, f"Handle{digest}S{i}")
            handle.add_resource_dependency(stages[-1][1])
            checkpoint = custom_resource(
                self, f"Checkpoint{i}", "Custom::JumpStartJobCheckpoint",
                {"Kind": kind, "JobName": self.job_name, "WaitHandle": handle.ref, "Stage": str(i)},
            )
            checkpoint.node.add_dependency(handle)
            wait = cfn.CfnWaitCondition(self, f"Wait{digest}S{i}", handle=handle.ref, count=1, timeout=str(seconds))
            wait.node.add_dependency(checkpoint)
            stages.append((handle, wait))
            self.waits.append(wait)
        # a name of its own (the prefix, 56 characters at most, + "-hb": within a rule name's 64), so
        # the handler's DisableRule names exactly this rule without a cycle (policy -> rule -> function)
        rule_name = f"{self.job_name_prefix}-hb"
        chain = {"kind": kind, "prefix": self.job_name_prefix, "stack": stack.stack_id, "rule": rule_name,
                 "chain": {"handles": compact([stack.get_logical_id(h) for h, _ in stages]),
                           "waits": compact([stack.get_logical_id(w) for _, w in stages])}}
        self._check_input_length(chain)
        self.policy.add_statements(
            iam.PolicyStatement(actions=["cloudformation:ListStackResources"], resources=[stack.stack_id]),
            iam.PolicyStatement(actions=["events:DisableRule"], resources=[
                stack.format_arn(service="events", resource="rule", resource_name=rule_name)]))
        heartbeat = events.Rule(self, "Heartbeat", schedule=events.Schedule.rate(Duration.hours(1)),
                                rule_name=rule_name, description=f"Signals the wait for SageMaker {kind} job "
                                                                 f"{self.job_name_prefix}-* if its event was "
                                                                 "lost, and moves it past 12 hours")
        event = events.RuleTargetInput.from_object({**chain, "heartbeat": True})
        heartbeat.add_target(targets.LambdaFunction(self.function, retry_attempts=2, event=event))
        return chain

    def _check_input_length(self, chain: Dict[str, Any]) -> None:
        """The events' input must fit EventBridge's 8192 characters (the stages' ids grow with the
        construct path and the chain's length)."""
        length = max(input_length({**chain, "detail": None}), input_length({**chain, "heartbeat": True}))
        if length > INPUT_LIMIT:
            raise JumpStartError(
                f"{self.node.path}: the wait chain's event input would be {length} characters, over "
                f"EventBridge's {INPUT_LIMIT}: shorten the construct path (ids of the scopes above) or the timeout.")

    def output(self, key: str) -> str:
        """An output of the finished job (a token that makes its user wait for the job). Its identity
        is the job's name prefix, so a request that holds it (a transform over a training job's
        model) gets a new digest, and a new job, whenever this job's inputs change."""
        token = self.result.get_att_string(key)
        register_identity(self, token, self.job_name_prefix)
        return token
