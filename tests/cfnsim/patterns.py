"""EventBridge's event-pattern matcher, written from the documented syntax (Amazon EventBridge User
Guide, "Creating event patterns" and "Comparison operators for use in event patterns":
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).

* A pattern is an object; every key must match (AND); nested objects match nested fields.
* A leaf is an array of matchers, any of which may match (OR); ``$or`` takes a list of sub-patterns.
* If the event's value is an array, the leaf matches when any element matches.
* Matchers: a literal (string, number - compared numerically -, ``null``, boolean), ``prefix``,
  ``suffix`` (each also with ``equals-ignore-case``), ``anything-but`` (a value, a list, or a
  ``prefix``/``suffix``/``wildcard``), ``numeric`` (up to two comparisons), ``exists``,
  ``equals-ignore-case``, ``wildcard`` (``*`` for any run of characters, ``\\*`` for a star) and
  ``cidr``. ``exists: false`` is the only matcher a missing field satisfies.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, List

_MISSING = object()
_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def matches(pattern: Dict[str, Any], event: Any) -> bool:
    if not isinstance(pattern, dict):
        raise ValueError(f"an event pattern is an object, not {pattern!r}")
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(sub, event) for sub in rule):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(rule, dict):  # a nested object; a missing one is an empty one (only exists: false holds)
            nested = {} if value is _MISSING else value
            if not (any(matches(rule, v) for v in nested) if isinstance(nested, list) else matches(rule, nested)):
                return False
            continue
        if not isinstance(rule, list):
            raise ValueError(f"{key}: a pattern leaf is an array of matchers, not {rule!r}")
        if not _leaf(rule, value):
            return False
    return True


def _leaf(matchers: List[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if (value is not _MISSING) == bool(matcher["exists"]):
                return True
            continue
        if value is _MISSING:
            continue
        if any(_one(matcher, v) for v in values):
            return True
    return False


def _one(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        if isinstance(matcher, bool) or matcher is None or isinstance(value, bool):
            return matcher is value or (matcher == value and type(matcher) is type(value))
        if isinstance(matcher, (int, float)):
            return isinstance(value, (int, float)) and float(matcher) == float(value)
        return isinstance(value, str) and matcher == value
    (op, arg), = matcher.items()
    if op == "prefix":
        return isinstance(value, str) and _affix(arg, value, str.startswith)
    if op == "suffix":
        return isinstance(value, str) and _affix(arg, value, str.endswith)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(value, str) and _wildcard(arg, value)
    if op == "numeric":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and all(
            _OPS[arg[i]](value, arg[i + 1]) for i in range(0, len(arg), 2))
    if op == "anything-but":
        if isinstance(arg, dict):
            return not _one(arg, value)
        return not any(_one(a, value) for a in (arg if isinstance(arg, list) else [arg]))
    if op == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(arg, strict=False)
        except ValueError:
            return False
    raise ValueError(f"unknown matcher {op!r}")


def _affix(arg: Any, value: str, test) -> bool:
    if isinstance(arg, dict):  # {"prefix": {"equals-ignore-case": "..."}}
        return test(value.lower(), arg["equals-ignore-case"].lower())
    return test(value, arg)


def _wildcard(pattern: str, value: str) -> bool:
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(p.replace("\\*", "*")) for p in parts)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None
