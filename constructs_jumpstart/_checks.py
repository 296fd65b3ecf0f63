"""What every construct of this library checks and reads from its place in the app, in one room.

* :class:`Facts`: the stack, region, partition, account, path and JumpStart context of a scope,
  read once per scope and handed down to the library's child constructs. Every read is a round trip
  to the CDK's JavaScript runtime (about half a millisecond each), and they were most of what an
  endpoint cost at synth beyond its resources.
* The problem collector (:func:`collect_problems`, :func:`raise_problems`), the region check, the
  model policy checks (EULA, deprecated, vulnerable) and the synth annotations of a resolution:
  the one resolve -> policy -> annotate sequence shared by models and jobs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from aws_cdk import Stack, Token
from constructs import Construct

from .errors import JumpStartError, RegionError, ValidationError
from .types import ResolvedModel, hub_arn_of

if TYPE_CHECKING:
    from aws_cdk import aws_ec2 as ec2

CONTEXT_KEYS = ("jumpstart:lockfile", "jumpstart:refresh", "jumpstart:frozen", "jumpstart:metadata",
                "jumpstart:used-keys-file", "jumpstart:trusted-registries", "jumpstart:trusted-buckets",
                "jumpstart:prices")


def is_token(value: Any) -> bool:
    """``Token.is_unresolved`` without the round trip for plain strings (a string token always
    carries ``${Token[``), which is what almost every value here is."""
    if isinstance(value, str):
        return "${Token[" in value
    return value is not None and Token.is_unresolved(value)


@dataclass(frozen=True)
class Facts:
    """What a construct of this library needs to know about where it stands."""

    stack: Stack
    region: str
    partition: str
    account: str
    path: str
    context: Dict[str, Any] = field(default_factory=dict)

    @property
    def region_is_concrete(self) -> bool:
        return not is_token(self.region)

    def child(self, id: str) -> "Facts":
        return replace(self, path=f"{self.path}/{id}" if self.path else id)

    def context_value(self, key: str) -> Any:
        return self.context.get(key)


_FACTS: "weakref.WeakKeyDictionary[Any, Facts]" = weakref.WeakKeyDictionary()


def facts(scope: Construct) -> Facts:
    """The facts of ``scope``: the library's own constructs carry theirs; any other scope (usually
    the user's stack) is read once and remembered."""
    own = getattr(scope, "_jumpstart_facts", None)
    if own is not None:
        return own
    cached = _FACTS.get(scope)
    if cached is None:
        stack = scope if isinstance(scope, Stack) else Stack.of(scope)
        node = scope.node
        cached = Facts(stack=stack, region=stack.region, partition=stack.partition, account=stack.account,
                       path=node.path, context={k: node.try_get_context(k) for k in CONTEXT_KEYS})
        _FACTS[scope] = cached
    return cached


def adopt(construct: Construct, scope: Construct, id: str) -> Facts:
    """Give a construct of this library (just created in ``scope`` as ``id``) its facts."""
    mine = facts(scope).child(id)
    construct._jumpstart_facts = mine  # type: ignore[attr-defined]
    return mine


def concrete_region(construct: Construct, what: str) -> str:
    """The stack's region, or a clear error if it is a token (an environment-agnostic stack)."""
    mine = facts(construct)
    if not mine.region_is_concrete:
        raise RegionError(
            f"{what} '{mine.path}' needs a concrete AWS region, because JumpStart images "
            "and artifacts are regional, but its stack's region is unresolved. Create the stack "
            "with env=Environment(account=..., region='us-west-2') (or another JumpStart region)."
        )
    return mine.region


def hub_arn(construct: Construct, hub: Optional[str]) -> Optional[str]:
    """A private hub's ARN from ``hub=`` (a name or an ARN); a name needs the stack's account."""
    if hub is None or hub.startswith("arn:"):
        return hub
    mine = facts(construct)
    if is_token(mine.account) or is_token(mine.region):
        raise ValidationError(mine.path, [
            f"hub='{hub}' is a name, which needs the stack's account and region to make the hub's ARN: give the "
            "stack env=Environment(account=..., region=...), or pass the hub's ARN "
            "(arn:aws:sagemaker:REGION:ACCOUNT:hub/NAME)."])
    return hub_arn_of(hub, mine.region, mine.account)


def lockfile_path(construct: Construct) -> Path:
    from .lockfile import CONTEXT_LOCKFILE, DEFAULT_LOCKFILE

    return Path(facts(construct).context_value(CONTEXT_LOCKFILE) or DEFAULT_LOCKFILE)


# -- problems, collected and raised together ---------------------------------------------------------


def raise_problems(construct: Construct, problems: List[str], *causes: JumpStartError) -> None:
    """Raise a lone cause as it is (e.g. ``UnknownModelError``), else every cause and problem
    together in one ``ValidationError``."""
    if len(causes) == 1 and not problems:
        raise causes[0]
    problems = [str(c) for c in causes if not getattr(c, "reported", False)] + list(problems)
    if problems:
        raise ValidationError(facts(construct).path, problems)
    if causes:  # only errors reported elsewhere in the app (a lockfile that cannot be used)
        raise causes[0]


def collect_problems(build: Callable[[], Any], problems: List[str], causes: List[JumpStartError]) -> Any:
    """Run ``build`` (which creates a child construct) and return what it built; if it fails, its
    ``ValidationError`` problems join ``problems``, any other ``JumpStartError`` joins ``causes``
    (for :func:`raise_problems`), and ``None`` is returned."""
    try:
        return build()
    except ValidationError as err:
        problems += err.problems
    except JumpStartError as err:
        causes.append(err)
    return None


def subnet_args(selection: Optional[ec2.SubnetSelection]) -> Dict[str, Any]:
    """A ``SubnetSelection`` as keyword arguments of ``vpc.select_subnets``."""
    if selection is None:
        return {}
    return {k: v for k, v in {
        "subnets": selection.subnets, "subnet_type": selection.subnet_type,
        "subnet_group_name": selection.subnet_group_name, "availability_zones": selection.availability_zones,
        "one_per_az": selection.one_per_az,
    }.items() if v is not None}


# -- resolve -> policy -> annotate ---------------------------------------------------------------


def model_policy_problems(
    resolved: ResolvedModel, *, accept_eula: bool, tolerate_deprecated: bool, tolerate_vulnerable: bool
) -> List[str]:
    """Checks shared by every construct that runs a JumpStart model (hosting or jobs)."""
    problems: List[str] = []
    who = f"JumpStart model '{resolved.model_id}' {resolved.version}"
    if resolved.eula_required and not accept_eula:
        where = f" Read it at {resolved.eula_url}" if resolved.eula_url else ""
        problems.append(
            f"{who} is gated behind an end-user license agreement (EULA).{where} "
            "and pass accept_eula=True to accept it."
        )
    if resolved.deprecated and not tolerate_deprecated:
        problems.append(
            f"{who} is deprecated: {(resolved.deprecated_message or 'no message in the spec').rstrip('.')}. "
            "Pin another version, or pass tolerate_deprecated=True to deploy it anyway."
        )
    if resolved.vulnerable and not tolerate_vulnerable:
        problems.append(
            f"{who} has dependencies with known vulnerabilities for {resolved.scope}: "
            f"{', '.join(resolved.vulnerabilities) or 'not listed'}. Pin another version, or pass "
            "tolerate_vulnerable=True to deploy it anyway."
        )
    return problems


def annotate_resolution(construct: Construct, resolved: ResolvedModel, lockfile: str) -> None:
    """Warnings that show in ``cdk synth`` output (none, and no round trip, for a pinned, current
    version). A floating version warns when it is resolved (a new lockfile entry, a refresh), not on
    every synth that replays its lockfile entry (``cdk synth --strict`` would fail on each)."""
    from aws_cdk import Annotations

    from ._resolution import resolved_now

    if resolved.requested_version != resolved.version and resolved_now(resolved):
        Annotations.of(construct).add_warning_v2(
            "jumpstart:floating-version",
            f"model_version '{resolved.requested_version}' of '{resolved.model_id}' resolved to "
            f"{resolved.version} (recorded in {lockfile}). Pin model_version='{resolved.version}' to "
            "make upgrades explicit.",
        )
    if resolved.deprecated:
        Annotations.of(construct).add_warning_v2(
            "jumpstart:deprecated",
            f"'{resolved.model_id}' {resolved.version} is deprecated (tolerated): "
            f"{resolved.deprecated_message or 'the spec gives no message'}",
        )
    if resolved.vulnerable:
        Annotations.of(construct).add_warning_v2(
            "jumpstart:vulnerable",
            f"'{resolved.model_id}' {resolved.version} has known-vulnerable dependencies (tolerated): "
            f"{', '.join(resolved.vulnerabilities) or 'the spec lists none'}",
        )
