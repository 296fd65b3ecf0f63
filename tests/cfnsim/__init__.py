"""A CloudFormation + SageMaker contract simulator (issue #18): drives a synthesized template's custom
resources the way CloudFormation does, against SageMaker, S3 and EventBridge fakes that behave as the
AWS documentation and the service models say (not as our handler expects). Every rule it encodes
names its source in a comment. See docs/simulator.md.

Modules, one concern each: ``clock`` (virtual time), ``botohook`` (real botocore clients answered by
the fakes), ``s3``, ``sagemaker``, ``events`` (EventBridge: pattern matcher, rules, schedules),
``template`` (the cloud assembly and intrinsic functions), ``lambdas`` (loading and invoking the
function's code asset), ``iam`` (authorizing the function's calls against its role's policies),
``cloudformation`` (the stack engine), ``world`` (everything wired together)."""

from .world import World

__all__ = ["World"]
