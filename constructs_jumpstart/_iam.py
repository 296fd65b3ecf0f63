"""Least-privilege IAM for what SageMaker reads and writes, and the cdk-nag acknowledgements (with
reasons) for exactly the wildcards this library generates on purpose."""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from ._checks import facts, is_token
from .types import S3Artifact

_ECR_RE = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
                     r"/(?P<repo>[^:@]+)")
PARTITION = "<AWS::Partition>"
ACCOUNT = "<AWS::AccountId>"
KEY_REASON = ("CDK key grant of this one KMS key: its data keys (kms:GenerateDataKey*) to encrypt what SageMaker "
              "writes and reads for this role.")
INLINE_REASON = "Least-privilege statements bound to this one role; a managed policy would grant nothing narrower."


def split_s3_uri(uri: str) -> Tuple[str, str]:
    """``s3://bucket/key`` -> ``(bucket, key)``."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def grantable(uri: str) -> bool:
    """Whether the bucket of ``uri`` is known at synth: a plain URI, or one that holds tokens but
    starts with ``s3://`` and its bucket (``"s3://" + token + "/train/"``,
    ``f"s3://{bucket.bucket_name}/x/"``: the bucket is the text before the first ``/`` after
    ``s3://``). A URI that is one opaque token (a ``CfnParameter``, an SSM parameter, another
    stack's output) names no bucket a grant could be written for."""
    if not uri.startswith("s3://"):
        return False
    return bool(uri[len("s3://"):].partition("/")[0])


def _shown(value: str, scope=None) -> str:
    """A token as the template will hold it (``{"Ref": "DataUri"}``), for an error message. Only on
    the error path: without a scope it is resolved in a stack of its own."""
    import json

    try:
        return f"{value!r} ({json.dumps(Stack.of(scope).resolve(value) if scope else Stack().resolve(value))})"
    except Exception:  # noqa: BLE001 - the text alone still names the value
        return repr(value)


def ungrantable_problem(prop: str, value: str, fix: str, scope=None) -> str:
    """The synth error for an S3 URI whose bucket cannot be known: its reader would get no grant
    and the deployment would fail with AccessDenied."""
    return (f"{prop}={_shown(value, scope)} is a token whose bucket cannot be known at synth (it does not start "
            f"with s3:// and the bucket name), so no read access can be granted for it. Pass {fix} (the bucket can be "
            "s3.Bucket.from_bucket_name(...) of a token; the prefix or key may be a token), or a URI that writes out "
            "its bucket, e.g. \"s3://\" + bucket_name + \"/prefix/\".")


def _nag_flat(stack: Stack, resource: str) -> str:
    """A resource ARN as cdk-nag writes it in finding ids (tokens resolved and flattened)."""
    return _flatten(stack.resolve(resource)) if is_token(resource) else resource


class Statements:
    """Least-privilege IAM statements built as plain data, rendered in one jsii call.

    Resources are written with cdk-nag's placeholders (``<AWS::Partition>``, ``<AWS::AccountId>``),
    so the cdk-nag finding id of each wildcard generated here is known exactly and acknowledged at
    construction with its reason, and nothing else is."""

    def __init__(self, where):
        """``where``: the :class:`~constructs_jumpstart._checks.Facts` of the scope (read once)."""
        self.where = where
        self.items: List[dict] = []
        self.why: List[Optional[str]] = []  # each statement's reason (for its wildcards), or None
        self.reasons: dict = {}
        self._partition, self._account, self._region = where.partition, where.account, where.region
        self._account_literal = None if is_token(self._account) else self._account

    def _add(self, actions: List[str], resources: List[str], reason: Optional[str] = None,
             condition: Optional[dict] = None) -> "Statements":
        statement = {"Effect": "Allow", "Action": actions if len(actions) > 1 else actions[0],
                     "Resource": resources if len(resources) > 1 else resources[0]}
        if condition:
            statement["Condition"] = condition
        self.items.append(statement)
        self.why.append(reason)
        for resource in resources:
            if "*" in resource and reason:
                flat = _nag_flat(self.where.stack, resource)
                flat = flat if self._account_literal is None else flat.replace(ACCOUNT, self._account_literal)
                self.reasons[f"AwsSolutions::AwsSolutions-IAM5[Resource::{flat}]"] = reason
        return self

    def s3_read(self, artifacts: Iterable[S3Artifact], owner: Optional[str] = None) -> "Statements":
        """``s3:GetObject`` on exactly the objects (or prefixes) given, plus ``s3:ListBucket``
        limited to those prefixes. URIs whose bucket is a token are granted where the bucket is
        known (:func:`grantable`); a URI that is one opaque token is skipped: whoever made it grants
        access (a training job's output), and the constructs refuse it from anyone else. ``owner``:
        the account the buckets must belong to (``s3:ResourceAccount``)."""
        owned = {"StringEquals": {"s3:ResourceAccount": owner}} if owner else {}
        objects: List[str] = []
        list_by_bucket: dict = {}
        for artifact in artifacts:
            if is_token(artifact.s3_uri) and not grantable(artifact.s3_uri):
                continue
            bucket, key = split_s3_uri(artifact.s3_uri)
            if artifact.is_prefix or artifact.s3_uri.endswith("/"):
                objects.append(f"arn:{PARTITION}:s3:::{bucket}/{key}*")
                list_by_bucket.setdefault(bucket, []).append(f"{key}*")
            else:
                objects.append(f"arn:{PARTITION}:s3:::{bucket}/{key}")
        if objects:
            self._add(["s3:GetObject"], sorted(set(objects)),
                      "Exactly the S3 prefix SageMaker reads (model artifacts, scripts or training data); "
                      "the objects under it are named by their publisher.", condition=owned or None)
        for bucket, prefixes in sorted(list_by_bucket.items()):
            self._add(["s3:ListBucket"], [f"arn:{PARTITION}:s3:::{bucket}"],
                      condition={"StringLike": {"s3:prefix": sorted(set(prefixes))}, **owned})
        return self

    def ecr_pull(self, image_uri: Optional[str]) -> "Statements":
        match = _ECR_RE.match(image_uri or "")
        if not match:
            return self
        self._add(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  [f"arn:{PARTITION}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"])
        return self._add(["ecr:GetAuthorizationToken"], ["*"],
                         "ecr:GetAuthorizationToken supports no resource-level permission; '*' is its "
                         "only valid resource.")

    def logs(self, groups: Sequence[str]) -> "Statements":
        """Write to exactly SageMaker's log ``groups`` of what the role runs, and their streams (SageMaker
        names the streams per instance at run time): "Log groups and streams that Amazon SageMaker AI
        sends to Amazon CloudWatch Logs" names ``/aws/sagemaker/Endpoints/[EndpointName]``,
        ``/aws/sagemaker/TrainingJobs`` and ``/aws/sagemaker/TransformJobs``. Each is granted as
        ``log-group:NAME:*``: "Overview of managing access permissions to your CloudWatch Logs
        resources" says IAM policies name a log group with the trailing ``:*`` for every action but
        TagResource, UntagResource and ListTagsForResource, and the same pattern covers the group's
        streams (``log-group:NAME:log-stream:STREAM``)."""
        arns = [f"arn:{PARTITION}:logs:{self._region}:{ACCOUNT}:log-group:{group}:*" for group in groups]
        actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
        return self._add(actions, arns,
                         "SageMaker's own log groups of what this role runs (" + ", ".join(groups) + ") in this "
                         "account and region; it names the streams per instance at run time (and endpoint "
                         "groups by the endpoint's name, which CloudFormation generates).")

    def vpc(self) -> "Statements":
        """What SageMaker needs to attach a model's or job's containers to your VPC."""
        return self._add(
            ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
             "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces",
             "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
            ["*"], "SageMaker's VPC access: these EC2 network-interface and Describe actions cannot be "
                   "scoped for this use.")

    def put_metric_data(self, namespace: str) -> "Statements":
        """The metrics SageMaker publishes for a job's metric definitions, in its namespace only."""
        return self._add(["cloudwatch:PutMetricData"], ["*"],
                         "cloudwatch:PutMetricData supports no resource-level permission; limited to the "
                         f"{namespace} namespace by a condition.",
                         condition={"StringEquals": {"cloudwatch:namespace": namespace}})

    def _render(self, value):
        if isinstance(value, str):
            return value.replace(PARTITION, self._partition).replace(ACCOUNT, self._account)
        if isinstance(value, list):
            return [self._render(v) for v in value]
        if isinstance(value, dict):
            return {k: self._render(v) for k, v in value.items()}
        return value

    def split(self) -> Tuple["Statements", "Statements"]:
        """(scoped, unscopable): the statements whose only resource is ``*`` go apart."""
        scoped, unscopable = Statements(self.where), Statements(self.where)
        for statement, why in zip(self.items, self.why):
            part = unscopable if statement["Resource"] == "*" else scoped
            part.items.append(statement)
            part.why.append(why)
        for rule_id, reason in self.reasons.items():
            (unscopable if rule_id.endswith("[Resource::*]") else scoped).reasons[rule_id] = reason
        return scoped, unscopable

    def document(self) -> iam.PolicyDocument:
        return iam.PolicyDocument.from_json({"Version": "2012-10-17", "Statement": self._render(self.items)})

    def statements(self) -> List[iam.PolicyStatement]:
        return [iam.PolicyStatement.from_json(statement) for statement in self._render(self.items)]

    def acknowledge(self, scope) -> None:
        """Acknowledge exactly these statements' wildcards, and their being inline, for cdk-nag."""
        from aws_cdk import Acknowledgment, Validations

        reasons = {**self.reasons, "HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy": INLINE_REASON}
        Validations.of(scope).acknowledge(*[Acknowledgment(id=k, reason=v) for k, v in reasons.items()])


def own_account(bucket: Any, owner: Optional[str] = None) -> Optional[dict]:
    """For a bucket the stack creates, the condition that S3 requests reach it only in the stack's
    account: ``s3:ResourceAccount`` ("restrict user or application access to S3 buckets that are owned
    by specified AWS Accounts", What's New, Dec 21 2020; Service Authorization Reference for Amazon
    S3). A bucket you pass: ``owner`` (``expected_bucket_owner=``), else nothing (its owner is not
    known here)."""
    if bucket is None or bucket.node.default_child is None:
        return {"StringEquals": {"s3:ResourceAccount": owner}} if owner else None
    return {"StringEquals": {"s3:ResourceAccount": Stack.of(bucket).account}}


def grant_bucket_read(grantee: iam.IGrantable, bucket, pattern: str, reason: str,
                      owner: Optional[str] = None) -> List[iam.PolicyStatement]:
    """Read the keys ``pattern`` names in ``bucket`` (an object, or ``prefix*``): ``s3:GetObject`` on
    them, ``s3:ListBucket`` only for keys under a prefix (the ``s3:prefix`` condition key of
    ListBucket, Service Authorization Reference for Amazon S3), the bucket key's decrypt; with
    :func:`own_account`; recorded for cdk-nag with ``reason``. CDK's ``bucket.grant_read`` would add
    ``s3:GetObject*``, ``s3:GetBucket*`` and an unconditioned ``s3:List*`` on the bucket."""
    owned = own_account(bucket, owner)
    statements = [iam.PolicyStatement(actions=["s3:GetObject"], conditions=owned,
                                      resources=[bucket.arn_for_objects(pattern)])]
    if pattern.endswith("*"):
        statements.append(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
                                              conditions={"StringLike": {"s3:prefix": [pattern]}, **(owned or {})}))
    for statement in statements:
        grantee.grant_principal.add_to_principal_policy(statement)
    acknowledge_grant(grantee, statements, reason)
    if bucket.encryption_key is not None:
        acknowledge_grant(grantee, bucket.encryption_key.grant_decrypt(grantee), KEY_REASON)
    return statements


def record_owned_grant(grantee: iam.IGrantable, bucket, grant, reason: str):
    """A CDK ``bucket.grant_*`` on a bucket the stack creates, conditioned on its account
    (:func:`own_account`) and recorded for cdk-nag (:func:`acknowledge_grant`). Returns ``grant``."""
    for condition, value in (own_account(bucket) or {}).items():
        for statement in grant.principal_statements:
            statement.add_condition(condition, value)
    return acknowledge_grant(grantee, grant, reason)


def grant_key(grantee: iam.IGrantable, key, create_grant: bool = False, encrypt: bool = False) -> None:
    """Use of ``key`` for what SageMaker encrypts as the role (``kms:Decrypt``,
    ``kms:GenerateDataKey*``) and, for a volume key, ``kms:CreateGrant`` only when SageMaker asks
    on the role's behalf: ``kms:GrantIsForAWSResource`` "allows principals to call CreateGrant ...
    only when an AWS service that is integrated with AWS KMS sends the request on the principal's
    behalf" (AWS KMS Developer Guide, "Controlling access to grants")."""
    actions = ["kms:Decrypt", "kms:GenerateDataKey*"] + (["kms:Encrypt"] if encrypt else [])
    acknowledge_grant(grantee, key.grant(grantee, *actions), KEY_REASON)
    if create_grant:
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            actions=["kms:CreateGrant"], resources=[key.key_arn],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}}))


def grant_read(scope, principal: iam.IGrantable, artifacts: Iterable[S3Artifact], owner: Optional[str] = None) -> None:
    """Read exactly ``artifacts`` (used where the role may be anyone's; on a role this library
    created, the statements' findings are acknowledged with their reasons)."""
    wanted = Statements(facts(scope)).s3_read(artifacts, owner)
    for statement, why in zip(wanted.statements(), wanted.why):
        principal.grant_principal.add_to_principal_policy(statement)
        if why:
            acknowledge_grant(principal, [statement], why)


_PRINCIPALS: List[iam.ServicePrincipal] = []


def _sagemaker_principal() -> iam.ServicePrincipal:
    """One ``sagemaker.amazonaws.com`` principal for every role (an immutable value, built once)."""
    if not _PRINCIPALS:
        _PRINCIPALS.append(iam.ServicePrincipal("sagemaker.amazonaws.com"))
    return _PRINCIPALS[0]


def sagemaker_role(scope, role: Optional[iam.IRole], description: str, reads: Iterable[S3Artifact],
                   image_uri: Optional[str], log_groups: Sequence[str], vpc: bool = False,
                   metrics_namespace: Optional[str] = None):
    """The execution role SageMaker assumes for a model or a job, granted exactly ``reads``, a pull
    of ``image_uri``'s repository, its log groups (and VPC access): a new role with these as its
    inline policy, or your ``role`` with them added (the ``*``-only ones in a policy of their own,
    so a ``Resource::*`` anyone adds to the role later is still reported by cdk-nag rather than
    hidden behind ours). Returns the role and what must be depended on before SageMaker uses it."""
    wanted = Statements(facts(scope)).s3_read(reads).ecr_pull(image_uri).logs(log_groups)
    if vpc:
        wanted.vpc()
    if metrics_namespace:
        wanted.put_metric_data(metrics_namespace)
    if role is None:
        role = iam.Role(scope, "Role", assumed_by=_sagemaker_principal(),
                        description=description, inline_policies={"JumpStart": wanted.document()})
        wanted.acknowledge(role.node.default_child)
        own_role(role)
        return role, []
    scoped, unscopable = wanted.split()
    for statement in scoped.statements():
        role.add_to_principal_policy(statement)
    if not unscopable.items:
        return role, []
    policy = iam.Policy(scope, "UnscopablePolicy", document=unscopable.document())
    role.attach_inline_policy(policy)
    unscopable.acknowledge(policy)
    return role, [policy]


# -- the exact findings of the grants this library makes ---------------------------------------


def _flatten(value) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in finding ids."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref":
            return f"<{arg}>"
        if key == "Fn::GetAtt":
            return f"<{arg[0]}.{arg[1]}>"
        if key == "Fn::Join":
            return arg[0].join(_flatten(p) for p in arg[1])
    return str(value)


def _statement_findings(statement: dict) -> Iterator[Tuple[str, str, str, List[str]]]:
    """The cdk-nag IAM5 findings of one resolved statement (see :func:`wildcard_findings`)."""
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    resources = statement.get("Resource", [])
    resources = resources if isinstance(resources, list) else [resources]
    for action in actions:
        if "*" in action:
            yield f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", "Action", action, actions
    for resource in resources:
        flat = _flatten(resource)
        if "*" in flat:
            yield f"AwsSolutions::AwsSolutions-IAM5[Resource::{flat}]", "Resource", flat, actions


def wildcard_findings(policy: iam.CfnPolicy) -> Iterator[Tuple[str, str, str, List[str]]]:
    """The cdk-nag IAM5 findings a policy will get: ``(finding id, "Action" or "Resource", the
    wildcard value as cdk-nag writes it, the statement's actions)``."""
    document = Stack.of(policy).resolve(policy.policy_document)
    for statement in document.get("Statement", []):
        yield from _statement_findings(statement)


def statement_findings(stack: Stack, statements: Iterable[iam.PolicyStatement]) -> List[str]:
    """The cdk-nag IAM5 finding ids ``statements`` produce in a policy of ``stack``."""
    found: List[str] = []
    for statement in statements:
        found += [f for f, _, _, _ in _statement_findings(stack.resolve(statement.to_statement_json()))]
    return found


def acknowledge_policy(policy: Any, statements: Sequence[iam.PolicyStatement], reason: str) -> None:
    """Acknowledge, with ``reason``, exactly the cdk-nag findings of ``statements``, the library's own
    statements in ``policy`` (an ``iam.Policy`` or ``iam.ManagedPolicy`` of its own attached to a role
    it created: the :class:`AcknowledgeGrants` aspect sees only the role's default policy)."""
    from aws_cdk import Acknowledgment, Validations

    cfn = policy.node.default_child
    inline = isinstance(policy, iam.Policy)
    acks = {"HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy": INLINE_REASON} if inline else {}
    for finding in statement_findings(Stack.of(policy), statements):
        acks.setdefault(finding, reason)
    Validations.of(cfn).acknowledge(*[Acknowledgment(id=k, reason=v) for k, v in acks.items()])


MANAGED_POLICIES_PER_ROLE = (10, 20)
"""Managed policies attached to one IAM role: 10 by default, at most 20 with a quota increase ("IAM
and AWS STS quotas", IAM User Guide)."""
_HANDLER_POLICIES: dict = {}


def count_handler_policies(scope: Any, function: Any) -> None:
    """Count the managed policies attached to a stack's handler role (one per job construct): at the
    default quota's 10th a warning on ``scope`` names the quota (a replacement needs one more for a
    while), past IAM's most (20) a synth error."""
    from aws_cdk import Annotations

    entry = _HANDLER_POLICIES.get(id(function))
    if entry is None or entry[0] is not function:
        entry = _HANDLER_POLICIES[id(function)] = [function, 0]
    entry[1] += 1
    default, most = MANAGED_POLICIES_PER_ROLE
    if entry[1] == most + 1:
        from .errors import ValidationError

        raise ValidationError(scope.node.path, [
            f"this stack has more than {most} training or transform jobs: the jobs handler's role gets one managed "
            f"policy per job, and IAM attaches at most {most} to a role even with the quota 'Managed policies per "
            "role' raised (IAM and AWS STS quotas). Split the jobs across stacks."])
    if entry[1] == default:
        Annotations.of(scope).add_warning_v2(
            "jumpstart:handler-policies",
            f"this stack has {default} training or transform jobs: the jobs handler's role gets one managed policy per "
            f"job, and IAM attaches at most {default} to a role unless the account's quota 'Managed policies per "
            f"role' is raised (to at most {most}). At {default}, replacing or adding a job construct needs an "
            f"{default + 1}th while CloudFormation creates the new policy before it deletes the old one: raise the "
            "quota or split the jobs across stacks.")


class AcknowledgeGrants:
    """A CDK Aspect on a role this library created: acknowledges, in the role's default policy,
    exactly the findings of the statements recorded by :func:`acknowledge_grant` when the library
    made each grant (its own statements, and what CDK's ``bucket.grant_*``/``key.grant*`` returned),
    each with the reason given there. A statement anyone adds to the role later is still reported,
    however much it looks like the library's (the finding ids of cdk-nag are per action and per
    resource of the policy: an action wildcard the library granted, ``kms:GenerateDataKey*``, is
    one id for every resource)."""

    def __init__(self) -> None:
        self.records: List[Tuple[iam.PolicyStatement, str]] = []

    def visit(self, node) -> None:
        from aws_cdk import Acknowledgment, Validations

        if not isinstance(node, iam.CfnPolicy):
            return
        stack = Stack.of(node)
        acks = {"HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy": INLINE_REASON}
        for statement, reason in self.records:
            for finding in statement_findings(stack, [statement]):
                acks.setdefault(finding, reason)
        Validations.of(node).acknowledge(*[Acknowledgment(id=k, reason=v) for k, v in acks.items()])


_OWNED: dict = {}
"""Roles this library created, by identity (jsii hands back the same Python object for a construct made
in Python), with their aspect once a grant was recorded on them: kept in Python, so that marking a role
and finding its aspect make no call into the CDK (an aspect is added only to a role that gets grants)."""


def _aspect_of(role, create: bool = False) -> Optional[AcknowledgeGrants]:
    import jsii
    from aws_cdk import Aspects, IAspect

    entry = _OWNED.get(id(role))
    if entry is None or entry[0] is not role:
        return None
    if entry[1] is None and create:
        aspect = jsii.implements(IAspect)(AcknowledgeGrants)()
        Aspects.of(role).add(aspect)
        _OWNED[id(role)] = (role, aspect)
        return aspect
    return entry[1]


def own_role(role) -> None:
    """Mark ``role`` as created by this library: the grants recorded on it with
    :func:`acknowledge_grant` are acknowledged for cdk-nag (exactly those; nothing by its shape)."""
    if _OWNED.get(id(role), (None,))[0] is not role:
        _OWNED[id(role)] = (role, None)


acknowledge_generated_wildcards = own_role  # the name the handler and the smoke test use


def acknowledge_grant(grantee: iam.IGrantable, grant, reason: str):
    """Record the statements of a grant the library just made (an ``iam.Grant`` from a CDK grant
    helper: its ``principal_statements``; or the statements themselves) so that exactly their
    cdk-nag findings are acknowledged with ``reason``, when ``grantee``'s role is one the library
    created (:func:`own_role`); on anyone else's role nothing is acknowledged. Returns ``grant``."""
    statements = list(grant.principal_statements) if isinstance(grant, iam.Grant) else list(grant or [])
    principal = getattr(grantee, "grant_principal", grantee)
    aspect = _aspect_of(principal, create=bool(statements))
    if aspect is not None:
        aspect.records.extend((statement, reason) for statement in statements)
    return grant
