"""Bad input reported the way CDK reports problems.

By default a construct of this library that cannot be built does not raise: it adds one error
annotation per problem (``Annotations.of(construct).add_error``), which ``cdk synth`` prints as
``[Error at /Stack/Path] ...`` for every problem of the whole app, then fails with a non-zero exit
code and no traceback; tests read them with ``Annotations.from_stack``. The construct is left with
placeholder attributes (names, ARNs, versions) so the rest of the app still builds and every
problem is found in one synth.

Programs that want an exception set the context key ``jumpstart:errors`` to ``raise``
(``-c jumpstart:errors=raise``, or ``App(context=...)``): then the :class:`JumpStartError` (a
``ValidationError`` carrying every problem of the construct) is raised as it is.

Only the outermost construct of the library reports: one built inside another (an endpoint's
models, a transform's model) raises, so its parent collects its problems with its own.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List

from .errors import JumpStartError, ValidationError

CONTEXT_ERRORS = "jumpstart:errors"
PLACEHOLDER = "unavailable-see-synth-errors"
_depth: List[int] = [0]


def problems_of(error: JumpStartError) -> List[str]:
    """What to report of ``error``: nothing for one already reported elsewhere in the app (a lockfile
    that cannot be used is reported by the first construct that reads it)."""
    if getattr(error, "reported", False):
        return []
    return list(error.problems) if isinstance(error, ValidationError) else [str(error)]


def _raising(scope: Any) -> bool:
    if _depth[0] > 1:
        return True
    try:
        value = scope.node.try_get_context(CONTEXT_ERRORS)
    except Exception:  # noqa: BLE001 - not a construct: nothing to annotate on
        return True
    return str(value or "annotate").strip().lower() == "raise"


def reports_problems(placeholders: Callable[[Any], Dict[str, Any]]) -> Callable:
    """Decorate a construct's ``__init__``: a :class:`JumpStartError` becomes error annotations
    and ``placeholders(self)`` (attribute -> value) is set, unless errors are to be raised."""

    def decorate(init: Callable) -> Callable:
        @functools.wraps(init)
        def wrapper(self, scope, id, *args, **kwargs):
            _depth[0] += 1
            try:
                _check_prop_types(init, self, scope, id, kwargs)
                init(self, scope, id, *args, **kwargs)
            except JumpStartError as error:
                if _raising(scope):
                    raise
                if getattr(self, "_jumpstart_facts", None) is None:  # failed before it was a construct
                    raise
                _annotate(self, scope, id, error)
                for name, value in placeholders(self).items():
                    setattr(self, name, value)
                self.failed = True
            finally:
                _depth[0] -= 1

        return wrapper

    return decorate


def _check_prop_types(init: Callable, construct: Any, scope: Any, id: str, props: Dict[str, Any]) -> None:
    """Props of the wrong type (or tokens where a value must be known) raise a :class:`ValidationError`
    naming each, before ``init`` runs: then ``construct`` is made a bare construct of its CDK base class
    (``Resource``, ``Construct``) in ``scope`` as ``id``, so the error can be reported on it."""
    from ._checks import adopt
    from ._prop_types import prop_problems

    problems = prop_problems(init, props)
    if not problems:
        return
    base = next(c for c in type(construct).__mro__ if c.__module__.split(".")[0] in ("aws_cdk", "constructs"))
    base.__init__(construct, scope, id)
    raise ValidationError(adopt(construct, scope, id).path, problems)


def _annotate(construct: Any, scope: Any, id: str, error: JumpStartError) -> None:
    """What ``Annotations.of(construct).add_error`` records, without the JavaScript stack trace
    that the CDK CLI would print under each message (it locates nothing in the user's code)."""
    node = construct.node
    for problem in problems_of(error):
        node.add_metadata("aws:cdk:error", problem, stack_trace=False)


class Unavailable:
    """What a failed construct hands out where a child construct would be: every attribute the
    placeholder string (or ``None`` for data), so reading ``endpoint.model.model_version`` into an
    output does not crash the rest of the app."""

    failed = True
    resolved = None
    role = None
    model_data = None

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return PLACEHOLDER
