"""The props of a construct checked against its own type hints before it is built, so a wrong type
is a synth error naming the prop, the value and what it takes (``timeout=3600``: "it takes an
aws_cdk.Duration, e.g. Duration.seconds(3600)"), not a traceback from inside the library
(``'int' object has no attribute 'to_seconds'``).

Also: the props the resolver chooses an image, an artifact and an environment for must be known at
synth; a token there (a ``CfnParameter``, an SSM value) is refused with the props that take tokens.

Python-side only (the hints, ``isinstance``, the text of string tokens): no call into the CDK unless a
number may be a token (CDK encodes number tokens as huge negative floats).
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import typing
from typing import Any, Callable, Dict, List, Mapping, Optional

from ._checks import is_token

_RESOLVED = "the image, the artifacts and the environment are resolved for it then"
_COUNTED = "the API's rules on instance counts (limits, deployment and scaling percentages) are checked against it"
KNOWN_AT_SYNTH = {"model_id": _RESOLVED, "model_version": _RESOLVED, "instance_type": _RESOLVED,
                  "config_name": _RESOLVED, "hub": _RESOLVED, "instance_count": _COUNTED,
                  "initial_instance_count": _COUNTED}
"""Props that must be known at synth, and why."""
TOKENS_TAKEN = ("role, buckets, keys, VPCs, S3 URIs that write out their bucket (training_data, input_data, "
                "model_data), environment values and tags")


@functools.lru_cache(maxsize=None)
def _hints(init: Callable) -> Dict[str, Any]:
    """``init``'s hints, each evaluated on its own (one that cannot be is not checked)."""
    hints: Dict[str, Any] = {}
    for name, annotation in getattr(init, "__annotations__", {}).items():
        try:  # a string hint (from __future__ import annotations) evaluated as typing.get_type_hints does
            hints[name] = eval(annotation, init.__globals__) if isinstance(annotation, str) else annotation
        except Exception:  # noqa: BLE001 - e.g. a name imported for type checkers only
            continue
    return hints


def prop_problems(init: Callable, values: Mapping[str, Any]) -> List[str]:
    """Every prop of ``values`` whose value ``init``'s hints do not admit, and every token where a
    value must be known at synth."""
    hints = _hints(init)
    problems: List[str] = []
    for name, value in values.items():
        hint = hints.get(name)
        if hint is None or value is None:
            continue
        problem = _type_problem(name, value, hint) or _token_problem(name, value)
        if problem:
            problems.append(problem)
    return problems


def _type_problem(name: str, value: Any, hint: Any) -> Optional[str]:
    if _admits(hint, value):
        return None
    return f"{name}={_short(value)} is {_kind(value)}; it takes {_expected(hint)}{_suggestion(name, value, hint)}."


def _token_problem(name: str, value: Any) -> Optional[str]:
    if name == "hyperparameters" and isinstance(value, collections.abc.Mapping):
        tokens = [k for k, v in value.items() if _is_token(v)]
        if tokens:
            return (f"hyperparameters {', '.join(map(repr, tokens))} are tokens: hyperparameters are checked against "
                    "the spec and sent as text at synth, so they must be known then (props that take tokens: "
                    f"{TOKENS_TAKEN}).")
        return None
    if name in KNOWN_AT_SYNTH and _is_token(value):
        return (f"{name} is a token (a CfnParameter, an SSM parameter or another resource's attribute): it must be "
                f"known at synth, because {KNOWN_AT_SYNTH[name]} (props that take tokens: {TOKENS_TAKEN}).")
    return None


def _is_token(value: Any) -> bool:
    return is_token(value) if isinstance(value, (str, float)) and not isinstance(value, bool) else False


def _admits(hint: Any, value: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any or isinstance(hint, typing.TypeVar):
        return True
    if origin is typing.Union:
        return any(_admits(a, value) for a in args)
    if origin in (collections.abc.Mapping, dict):
        return isinstance(value, collections.abc.Mapping)
    if origin in (collections.abc.Sequence, list, tuple):
        return isinstance(value, (list, tuple))
    if origin is not None or not isinstance(hint, type):
        return True  # Literal, Callable, ...: not checked here
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool) or _is_token(value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if _is_interface(hint):
        return not isinstance(value, (str, int, float, bool, list, tuple, dict))  # jsii: no runtime check
    return isinstance(value, hint)


def _is_interface(hint: type) -> bool:
    """A jsii interface (``iam.IRole``): a protocol that ``isinstance`` cannot check."""
    return bool(getattr(hint, "_is_protocol", False))


def _expected(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return " or ".join(_expected(a) for a in args if a is not type(None))
    if origin in (collections.abc.Mapping, dict):
        return "a mapping (a dict) of names to values"
    if origin in (collections.abc.Sequence, list, tuple):
        return "a list"
    names = {str: "a string", int: "an integer", float: "a number", bool: "True or False"}
    if hint in names:
        return names[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return f"a {hint.__module__.split('.')[-1]}.{hint.__name__} (e.g. {hint.__name__}.{next(iter(hint)).name})"
    module = getattr(hint, "__module__", "")
    short = module.split(".")[-1] if module.startswith("aws_cdk.") else module
    return _a(f"{short}.{hint.__name__}")


def _suggestion(name: str, value: Any, hint: Any) -> str:
    text = _expected(hint)
    if "Duration" in text and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f", e.g. Duration.seconds({value})"
    if "IRole" in text and isinstance(value, str) and value.startswith("arn:"):
        return f", e.g. iam.Role.from_role_arn(self, \"Role\", {value!r})"
    if "mapping" in text and isinstance(value, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        return f", e.g. {dict(value)!r}"
    if "string" in text and name == "instance_type" and not isinstance(value, str):
        return ", e.g. \"ml.m5.large\""
    return ""


_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "a bool", list: "a list", tuple: "a tuple",
          dict: "a dict"}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value)) or _a(type(value).__name__)


def _a(text: str) -> str:
    return f"{'an' if text[0] in 'aeiouAEIOU' else 'a'} {text}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
