"""IAM for the calls a stack's Lambda function makes: each call is evaluated against the identity
policies of the function's execution role **as they stand in the stack at that moment** (the role's
inline ``Policies`` and every ``AWS::IAM::Policy`` whose ``Roles`` name it, as CloudFormation last
resolved them: an ``AWS::IAM::Policy`` is updated in place before the resources that depend on it, so
the cleanup Delete of a replaced resource runs under the *new* policy). Sources, by rule:

* "Policy evaluation logic" (IAM User Guide, reference_policies_evaluation-logic.html): an explicit
  Deny in any statement wins; otherwise an explicit Allow is needed; otherwise the request is
  implicitly denied. Only identity-based policies are modelled (no resource policies, SCPs,
  boundaries or session policies: the library's stacks have none on the function's role).
* "IAM JSON policy elements: Action" / "NotAction": actions are ``prefix:Name``, matched
  case-insensitively, with ``*`` and ``?`` wildcards; "Resource" / "NotResource": ARNs matched with
  ``*`` and ``?`` (case-sensitively).
* "IAM JSON policy elements: Condition operators": the operators of a block AND together, the keys of
  an operator AND together, the values of a key OR together (NOR for a negated operator); a key absent
  from the request context makes a condition false, a negated one true, and ``...IfExists`` true.
  Implemented: the String, Numeric, Bool, Arn ("ARN condition operators": the six colon-delimited
  parts compared one by one) and Null families, ``...IfExists``, and the set operators of
  "Single-valued vs. multivalued context keys" (``ForAllValues``: every request value matches, true
  when the key is absent; ``ForAnyValue``: at least one does, false when absent), for the keys the
  library's policies use; any other operator or key is a :class:`SimulatorGap` (an explicit failure of
  the simulator, never silently true).
* "Service Authorization Reference" (Actions, resources, and condition keys for Amazon SageMaker AI,
  Amazon S3, AWS CloudFormation, Amazon EventBridge, IAM): the action each API call needs, the
  resource type it is authorized on and that type's ARN format, the condition keys it supplies
  (``s3:prefix`` for ListBucket / ListBucketVersions, ``s3:ResourceAccount`` (the bucket owner's
  account) for every S3 call, ``iam:PassedToService`` for PassRole), and the
  dependent ``iam:PassRole`` of the SageMaker Create* actions that take a role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from .botohook import ServiceError

ACCOUNT, REGION = "123456789012", "us-west-2"


class SimulatorGap(BaseException):
    """The simulator cannot decide this request (an unknown action, condition operator or key): a
    failure of the simulator, never an Allow. A BaseException, like ``LambdaTimeout``: the handler's
    ``except Exception`` cannot turn it into a FAILED response, so it ends the test that met it."""


@dataclass
class Request:
    """One authorization request: an action on a resource ARN with its context keys."""

    action: str
    resource: str
    context: Dict[str, List[str]] = field(default_factory=dict)


# -- the action, resource and context of each API call (Service Authorization Reference) ----------

def _sm(kind: str, name: str) -> str:
    """A SageMaker resource ARN (``arn:${Partition}:sagemaker:${Region}:${Account}:model/${ModelName}``,
    ``training-job/${TrainingJobName}``, ``transform-job/${TransformJobName}``). SageMaker names its
    resources' ARNs in lowercase (the ``ModelArn`` / ``TrainingJobArn`` it returns), and IAM matches the
    policy against that ARN."""
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name.lower()}"


def _object(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"  # S3 "object": arn:${Partition}:s3:::${BucketName}/${ObjectName}


def _bucket(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"  # S3 resource type "bucket": arn:${Partition}:s3:::${BucketName}


SAGEMAKER_ROLE = {"CreateModel": "ExecutionRoleArn", "CreateTrainingJob": "RoleArn"}
"""Create* requests that pass a role: SageMaker's Service Authorization Reference lists ``iam:PassRole``
as their dependent action, checked with ``iam:PassedToService`` = ``sagemaker.amazonaws.com``."""
SAGEMAKER_KINDS = {"Model": ("model", "ModelName"), "TrainingJob": ("training-job", "TrainingJobName"),
                   "TransformJob": ("transform-job", "TransformJobName")}


def _values(*values: Any) -> List[str]:
    """Context values as IAM compares them: strings, Booleans as ``true``/``false``; absent ones left out."""
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values if v is not None]


def _vpc_context(vpc: Dict[str, Any]) -> Dict[str, List[str]]:
    return {"sagemaker:VpcSubnets": _values(*vpc.get("Subnets", [])),
            "sagemaker:VpcSecurityGroupIds": _values(*vpc.get("SecurityGroupIds", []))}


def _create_context(operation: str, params: Dict[str, Any]) -> Dict[str, List[str]]:
    """The condition keys a Create call supplies: the Service Authorization Reference lists them per
    action (CreateTrainingJob: InstanceTypes, InterContainerTrafficEncryption, MaxRuntimeInSeconds,
    NetworkIsolation, OutputKmsKeyArn, VolumeKmsKeyArn, VpcSecurityGroupIds, VpcSubnets; CreateTransformJob:
    InstanceTypes, ModelArn, OutputKmsKeyArn, VolumeKmsKeyArn; CreateModel: NetworkIsolation,
    VpcSecurityGroupIds, VpcSubnets), and the SageMaker Developer Guide ("Control creation of SageMaker
    AI resources with condition keys") says what each holds: the request's instance types, stopping
    condition, isolation and encryption settings, the key ARN "specified in the request", the VPC's
    subnets and security groups, the model ARN "specified in the request" (the ARN SageMaker gives the
    model the request names). A setting the request leaves out supplies no key."""
    context: Dict[str, List[str]] = {}
    if operation == "CreateTrainingJob":
        resources = params.get("ResourceConfig", {})
        context["sagemaker:InstanceTypes"] = _values(
            resources.get("InstanceType"), *[g.get("InstanceType") for g in resources.get("InstanceGroups", [])])
        context["sagemaker:MaxRuntimeInSeconds"] = _values(params.get("StoppingCondition", {}).get("MaxRuntimeInSeconds"))
        context["sagemaker:VolumeKmsKeyArn"] = _values(resources.get("VolumeKmsKeyId"))
        context["sagemaker:OutputKmsKeyArn"] = _values(params.get("OutputDataConfig", {}).get("KmsKeyId"))
        context["sagemaker:InterContainerTrafficEncryption"] = _values(params.get("EnableInterContainerTrafficEncryption"))
        # "Use SageMaker AI managed warm pools": sagemaker:KeepAlivePeriod; the reference's FileSystemId
        context["sagemaker:KeepAlivePeriod"] = _values(resources.get("KeepAlivePeriodInSeconds"))
        context["sagemaker:FileSystemId"] = _values(*[
            c.get("DataSource", {}).get("FileSystemDataSource", {}).get("FileSystemId")
            for c in params.get("InputDataConfig", [])])
    elif operation == "CreateTransformJob":
        resources = params.get("TransformResources", {})
        context["sagemaker:InstanceTypes"] = _values(resources.get("InstanceType"))
        context["sagemaker:ModelArn"] = _values(_sm("model", params["ModelName"]))
        context["sagemaker:VolumeKmsKeyArn"] = _values(resources.get("VolumeKmsKeyId"))
        context["sagemaker:OutputKmsKeyArn"] = _values(params.get("TransformOutput", {}).get("KmsKeyId"))
    if operation in ("CreateTrainingJob", "CreateModel"):
        context["sagemaker:NetworkIsolation"] = _values(params.get("EnableNetworkIsolation"))
        context.update(_vpc_context(params.get("VpcConfig") or {}))
    return {key: values for key, values in context.items() if values}


def _tag_context(prefix: str, tags: List[Dict[str, str]]) -> Dict[str, List[str]]:
    """"Controlling access to AWS resources using tags" (IAM User Guide): ``aws:RequestTag/${TagKey}``
    holds the value of each tag a request passes (with ``aws:TagKeys`` their keys),
    ``aws:ResourceTag/${TagKey}`` that of each tag the resource acted on carries; the Service
    Authorization Reference lists the first two for SageMaker's Create* actions and the last for its
    training-job, transform-job and model resource types."""
    context = {f"aws:{prefix}/{t['Key']}": [str(t["Value"])] for t in tags}
    if prefix == "RequestTag" and tags:
        context["aws:TagKeys"] = [t["Key"] for t in tags]
    return context


def _sagemaker(operation: str, params: Dict[str, Any],
               tags_of: Callable[[str], Optional[List[Dict[str, str]]]] = lambda name: None) -> List[Request]:
    for suffix, (kind, name_param) in SAGEMAKER_KINDS.items():
        verb = operation[:-len(suffix)] if operation.endswith(suffix) else None
        if verb in ("Create", "Describe", "Delete", "Stop"):
            resource = _sm(kind, params[name_param])
            if verb == "Create":
                context = {**_create_context(operation, params), **_tag_context("RequestTag", params.get("Tags", []))}
            else:
                context = _tag_context("ResourceTag", tags_of(params[name_param]) or [])
            requests = [Request(f"sagemaker:{operation}", resource, context)]
            if verb == "Create" and params.get("Tags"):
                # "Provide permissions for tagging SageMaker AI resources": tags in a Create request need
                # sagemaker:AddTags on the resource created (dependent action of Create* in the reference),
                # with sagemaker:TaggingAction the Create action (the key AWS's managed policies condition
                # tag-on-create with) and the request's tags
                requests.append(Request("sagemaker:AddTags", resource, {
                    "sagemaker:TaggingAction": [operation], **_tag_context("RequestTag", params["Tags"])}))
            role = params.get(SAGEMAKER_ROLE.get(operation, ""))
            if verb == "Create" and role:
                requests.append(Request("iam:PassRole", role, {"iam:PassedToService": ["sagemaker.amazonaws.com"]}))
            return requests
    if operation == "ListTags":
        return [Request("sagemaker:ListTags", params["ResourceArn"])]
    raise SimulatorGap(f"no IAM mapping for sagemaker:{operation}")


def _s3(operation: str, params: Dict[str, Any],
        owner_of: Callable[[str], Optional[str]] = lambda bucket: None) -> List[Request]:
    """Amazon S3's reference: HeadObject needs s3:GetObject; GetObject with a VersionId
    s3:GetObjectVersion; the multipart calls but Abort s3:PutObject; DeleteObject with a VersionId
    s3:DeleteObjectVersion; ListObjectsV2 s3:ListBucket and ListObjectVersions s3:ListBucketVersions
    on the bucket, with ``s3:prefix`` (the request's Prefix, "" when absent)."""
    bucket, key, version = params.get("Bucket", ""), params.get("Key"), params.get("VersionId")
    owner = owner_of(bucket)  # s3:ResourceAccount: the account that owns the bucket (absent: unknown bucket)
    account = {"s3:ResourceAccount": [owner]} if owner else {}
    on_object = {"HeadObject": "s3:GetObjectVersion" if version else "s3:GetObject",
                 "GetObject": "s3:GetObjectVersion" if version else "s3:GetObject",
                 "PutObject": "s3:PutObject", "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
                 "CompleteMultipartUpload": "s3:PutObject", "AbortMultipartUpload": "s3:AbortMultipartUpload",
                 "DeleteObject": "s3:DeleteObjectVersion" if version else "s3:DeleteObject"}
    if operation in on_object:
        return [Request(on_object[operation], _object(bucket, key), dict(account))]
    on_bucket = {"ListObjectsV2": "s3:ListBucket", "ListObjects": "s3:ListBucket",
                 "ListObjectVersions": "s3:ListBucketVersions"}
    if operation in on_bucket:
        return [Request(on_bucket[operation], _bucket(bucket), {"s3:prefix": [params.get("Prefix", "")], **account})]
    raise SimulatorGap(f"no IAM mapping for s3:{operation}")


def _cloudformation(operation: str, params: Dict[str, Any], stack_arn: Callable[[str], str]) -> List[Request]:
    """CloudFormation's reference: the stack actions are authorized on the stack
    (``arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}``)."""
    if operation in ("ListStackResources", "DescribeStackResources", "DescribeStackResource", "DescribeStacks"):
        return [Request(f"cloudformation:{operation}", stack_arn(params.get("StackName", "")))]
    raise SimulatorGap(f"no IAM mapping for cloudformation:{operation}")


def _events(operation: str, params: Dict[str, Any]) -> List[Request]:
    """EventBridge's reference: rule actions are authorized on the rule
    (``arn:${Partition}:events:${Region}:${Account}:rule/[${EventBusName}/]${RuleName}``, the bus name
    only for a bus other than the default)."""
    if operation in ("DisableRule", "EnableRule", "DescribeRule"):
        bus = params.get("EventBusName")
        name = params["Name"] if bus in (None, "default") else f"{bus}/{params['Name']}"
        return [Request(f"events:{operation}", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}")]
    raise SimulatorGap(f"no IAM mapping for events:{operation}")


def requests_of(service: str, operation: str, params: Dict[str, Any],
                stack_arn: Callable[[str], str] = lambda s: s,
                tags_of: Callable[[str], Optional[List[Dict[str, str]]]] = lambda name: None,
                owner_of: Callable[[str], Optional[str]] = lambda bucket: None) -> List[Request]:
    """Every authorization a call needs (the action itself, then its dependent actions); ``tags_of``
    gives the tags of an existing SageMaker resource by name, ``owner_of`` a bucket's account."""
    if service == "sagemaker":
        return _sagemaker(operation, params, tags_of)
    if service == "s3":
        return _s3(operation, params, owner_of)
    if service == "cloudformation":
        return _cloudformation(operation, params, stack_arn)
    if service == "events":
        return _events(operation, params)
    raise SimulatorGap(f"no IAM mapping for {service}:{operation}")


# -- evaluation ("Policy evaluation logic") ------------------------------------------------------------

def _glob(pattern: str, flags: int = 0) -> "re.Pattern[str]":
    """``*`` any run of characters, ``?`` one ("Action", "Resource" elements)."""
    if "${" in pattern:
        raise SimulatorGap(f"policy variables are not modelled: {pattern!r}")
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + r"\Z",
                      flags)


def _listed(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


KNOWN_KEYS = {"iam:passedtoservice", "s3:prefix", "s3:resourceaccount", "sagemaker:instancetypes",
              "sagemaker:maxruntimeinseconds",
              "sagemaker:networkisolation", "sagemaker:intercontainertrafficencryption", "sagemaker:volumekmskeyarn",
              "sagemaker:outputkmskeyarn", "sagemaker:vpcsubnets", "sagemaker:vpcsecuritygroupids", "sagemaker:modelarn",
              "sagemaker:keepaliveperiod", "sagemaker:filesystemid", "sagemaker:taggingaction"}
"""Condition keys the simulator puts in request contexts (where the reference lists them for the action);
a policy conditioned on any other key cannot be decided here."""
STRING_OPERATORS = {"StringEquals": (False, False), "StringNotEquals": (True, False),
                    "StringEqualsIgnoreCase": (False, True), "StringNotEqualsIgnoreCase": (True, True),
                    "StringLike": (False, False), "StringNotLike": (True, False)}
NUMERIC_OPERATORS = {"NumericEquals": lambda a, b: a == b, "NumericNotEquals": lambda a, b: a != b,
                     "NumericLessThan": lambda a, b: a < b, "NumericLessThanEquals": lambda a, b: a <= b,
                     "NumericGreaterThan": lambda a, b: a > b, "NumericGreaterThanEquals": lambda a, b: a >= b}
ARN_OPERATORS = {"ArnEquals": False, "ArnLike": False, "ArnNotEquals": True, "ArnNotLike": True}


def _arn_matches(pattern: str, arn: str) -> bool:
    """"ARN condition operators": the six colon-delimited parts of the ARN compared one by one,
    case-sensitively, ``*`` and ``?`` within a part (``ArnEquals`` and ``ArnLike`` behave alike)."""
    wanted, value = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == len(value) == 6 and all(_glob(w).match(v) for w, v in zip(wanted, value))


def _value_matches(base: str, wanted: str, value: str) -> bool:
    """One policy value against one request value, for a non-negated operator family."""
    if base in NUMERIC_OPERATORS:
        try:
            return NUMERIC_OPERATORS[base](float(value), float(wanted))
        except ValueError:
            return False
    if base == "Bool":
        return value.lower() == wanted.lower()
    if base in ARN_OPERATORS:
        return _arn_matches(wanted, value)
    _, ignore_case = STRING_OPERATORS[base]
    flags = re.IGNORECASE if ignore_case else 0
    return bool(_glob(wanted, flags).match(value) if base.endswith("Like") else re.fullmatch(re.escape(wanted), value, flags))


def _negated(base: str) -> bool:
    if base in STRING_OPERATORS:
        return STRING_OPERATORS[base][0]
    if base in ARN_OPERATORS:
        return ARN_OPERATORS[base]
    if base in NUMERIC_OPERATORS:
        return base == "NumericNotEquals"
    if base == "Bool":
        return False
    raise SimulatorGap(f"condition operator {base} is not modelled")


def _positive(base: str) -> str:
    """The operator a negated one negates (``StringNotEquals`` -> ``StringEquals``)."""
    return base.replace("Not", "", 1) if _negated(base) else base


def _key_holds(qualifier: str, base: str, if_exists: bool, wanted: List[str], present: Optional[List[str]]) -> bool:
    """One key of one operator. Single-valued: any policy value matches (none, when negated). Set
    operators ("Single-valued vs. multivalued context keys"): ``ForAllValues`` true when every request
    value matches some policy value (and when the key is absent or empty); ``ForAnyValue`` true when at
    least one does (false when absent); a negated operator inside one negates the per-value match."""
    negated = _negated(base)
    if qualifier and not present and if_exists:
        return True
    if qualifier:
        values = present or []
        hits = [any(_value_matches(_positive(base), w, v) for w in wanted) != negated for v in values]
        return all(hits) if qualifier == "ForAllValues" else any(hits)
    if not present:
        return if_exists or negated
    match = any(_value_matches(_positive(base), w, v) for w in wanted for v in present)
    return match != negated


def _known(key: str) -> bool:
    return key in KNOWN_KEYS or key.startswith(("aws:requesttag/", "aws:resourcetag/")) or key == "aws:tagkeys"


def _condition_holds(block: Dict[str, Any], context: Dict[str, List[str]]) -> bool:
    """"Condition operators": operators AND, keys AND, values OR (NOR when negated); a key absent
    from the context: false, negated true, ``...IfExists`` true; ``Null``: whether it is absent; the
    String, Numeric, Bool and Arn families, and the ``ForAllValues`` / ``ForAnyValue`` set operators."""
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, keys in block.items():
        qualifier, _, base = operator.rpartition(":")
        if qualifier not in ("", "ForAllValues", "ForAnyValue"):
            raise SimulatorGap(f"set operator {operator} is not modelled")
        if_exists = base.endswith("IfExists")
        base = base[:-len("IfExists")] if if_exists else base
        for key, wanted in keys.items():
            if not _known(key.lower()):
                raise SimulatorGap(f"condition key {key} is not modelled (operator {operator})")
            present = lowered.get(key.lower())
            wanted = [str(w).lower() if isinstance(w, bool) else str(w) for w in _listed(wanted)]
            if base == "Null":
                if (not present) != (wanted[0].lower() == "true"):
                    return False
            elif not _key_holds(qualifier, base, if_exists, wanted, present):
                return False
    return True


def _applies(statement: Dict[str, Any], request: Request) -> bool:
    if "Action" in statement:
        acts = any(_glob(a, re.IGNORECASE).match(request.action) for a in _listed(statement["Action"]))
    else:
        acts = not any(_glob(a, re.IGNORECASE).match(request.action) for a in _listed(statement["NotAction"]))
    if not acts:
        return False
    if "Resource" in statement:
        on = any(_glob(r).match(request.resource) for r in _listed(statement["Resource"]))
    else:
        on = not any(_glob(r).match(request.resource) for r in _listed(statement["NotResource"]))
    return on and _condition_holds(statement.get("Condition") or {}, request.context)


def decide(documents: Iterable[Dict[str, Any]], request: Request) -> str:
    """"Policy evaluation logic" for identity-based policies alone: "deny" (explicit), "allow", or
    "implicit" (no statement allows)."""
    allowed = False
    for document in documents:
        for statement in _listed(document.get("Statement", [])):
            if not isinstance(statement.get("Resource", statement.get("NotResource")), (str, list)):
                raise SimulatorGap(f"unresolved policy resource: {statement}")
            if _applies(statement, request):
                if statement.get("Effect") == "Deny":
                    return "deny"
                allowed = True
    return "allow" if allowed else "implicit"


# -- the caller's policies, as they stand in the stack --------------------------------------------------

LIVE = ("CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED", "DELETE_IN_PROGRESS",
        "DELETE_FAILED")
"""Resource statuses in which a policy resource is in force (created, and not deleted)."""


def _in_force(policy, now: float, propagation: float) -> bool:
    """A policy resource that is live, and, with ``propagation`` seconds, created at least that long
    ago: "Changes that I make are not always immediately visible" (IAM User Guide, troubleshooting) —
    a new policy takes time to be in force (modelled for creation only)."""
    if policy.status not in LIVE:
        return False
    return not (propagation and policy.status == "CREATE_COMPLETE" and now - policy.timestamp < propagation)


def role_policies(cfn, role_arn: str, propagation: float = 0.0) -> Tuple[str, List[Dict[str, Any]]]:
    """The role's name and identity-policy documents: the role's inline ``Policies`` and every
    ``AWS::IAM::Policy`` / ``AWS::IAM::ManagedPolicy`` of the stack that names the role in ``Roles``,
    with the properties CloudFormation last applied (and in force, see :func:`_in_force`). A managed
    policy from outside the stack cannot be read here: a :class:`SimulatorGap`."""
    for stack in cfn.stacks.values():
        for role in stack.resources.values():
            if role.type != "AWS::IAM::Role" or role.attrs.get("Arn") != role_arn or role.status not in LIVE:
                continue
            documents = [p["PolicyDocument"] for p in role.props.get("Policies") or []]
            if role.props.get("ManagedPolicyArns"):
                raise SimulatorGap(f"managed policies of role {role.physical} are not modelled")
            for policy in stack.resources.values():
                if policy.type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") \
                        and _in_force(policy, cfn.clock.now, propagation) \
                        and role.physical in (policy.props.get("Roles") or []):
                    documents.append(policy.props["PolicyDocument"])
            return role.physical, documents
    raise SimulatorGap(f"role {role_arn} is not a role of a simulated stack")


def denial(service: str, operation: str, principal: str, request: Request, how: str) -> ServiceError:
    """The error the service answers a denied call with: SageMaker and EventBridge
    ``AccessDeniedException`` (HTTP 400, "User: ... is not authorized to perform: ... on resource: ...
    because no identity-based policy allows the ... action" / "with an explicit deny in an identity-based
    policy"); S3 ``AccessDenied`` "Access Denied" (403; a HEAD answer has no body: code ``403``,
    "Forbidden"); CloudFormation ``AccessDenied`` (403)."""
    why = ("with an explicit deny in an identity-based policy" if how == "deny"
           else f"because no identity-based policy allows the {request.action} action")
    message = f"User: {principal} is not authorized to perform: {request.action} on resource: {request.resource} {why}"
    if service == "s3":
        return ServiceError("403", "Forbidden", 403) if operation == "HeadObject" else \
            ServiceError("AccessDenied", "Access Denied", 403)
    if service == "cloudformation":
        return ServiceError("AccessDenied", message, 403)
    return ServiceError("AccessDeniedException", message, 400)


def denial_of_missing_key(operation: str) -> ServiceError:
    """A missing key read without ``s3:ListBucket`` on its bucket: 403, not 404 (see ``Iam.may_list``)."""
    return ServiceError("403", "Forbidden", 403) if operation == "HeadObject" else \
        ServiceError("AccessDenied", "Access Denied", 403)


class Iam:
    """Authorizes the calls of a stack's function (``caller``: its ``Function``, set by the Lambda
    runtime for the invocation)."""

    def __init__(self, cfn):
        self.cfn = cfn
        self.enabled = True
        self.propagation = 0.0  # seconds before a created policy is in force (tests set it)
        self.denials: List[Dict[str, Any]] = []  # every denied call: what tests and reports look at

    def _stack_arn(self, name: str) -> str:
        return self.cfn._stack_of(name).id if name else name

    def _role_arn(self, function) -> str:
        for stack in self.cfn.stacks.values():
            for resource in stack.resources.values():
                if resource.type == "AWS::Lambda::Function" and resource.attrs.get("Arn") == function.arn:
                    return resource.props["Role"]
        raise SimulatorGap(f"function {function.arn} is not a function of a simulated stack")

    def authorize(self, caller, service: str, operation: str, params: Dict[str, Any]) -> None:
        """Raise the service's access-denied error unless every authorization the call needs is allowed."""
        if not self.enabled or caller is None:
            return
        role, documents = role_policies(self.cfn, self._role_arn(caller), self.propagation)
        principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{caller.name}"
        try:
            needed = requests_of(service, operation, params, self._stack_arn, self.cfn.world.sagemaker.tags_of,
                                 self.cfn.world.s3.owner_of)
        except ServiceError:
            return  # the call fails on its own (e.g. a stack that does not exist): the fake answers it
        for request in needed:
            how = decide(documents, request)
            if how != "allow":
                self.denials.append({"service": service, "operation": operation, "action": request.action,
                                     "resource": request.resource, "how": how, "role": role})
                raise denial(service, operation, principal, request, how)

    def may_list(self, caller, bucket: str) -> bool:
        """Whether the caller has ``s3:ListBucket`` on ``bucket``: without it S3 answers a GetObject or
        HeadObject of a missing key with 403 instead of 404 (Amazon S3 API Reference, GetObject and
        HeadObject, "Permissions"). Evaluated without ``s3:prefix`` (the request lists nothing)."""
        if not self.enabled or caller is None:
            return True
        _, documents = role_policies(self.cfn, self._role_arn(caller))
        owner = self.cfn.world.s3.owner_of(bucket)
        context = {"s3:ResourceAccount": [owner]} if owner else {}
        return decide(documents, Request("s3:ListBucket", _bucket(bucket), context)) == "allow"
