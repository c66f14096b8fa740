"""The rule protocol and the context rules read from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

import attrs

from .._text import Text, _
from ..errors import StorageError
from ..models.common import local_day
from .findings import Finding, Status

T = TypeVar("T")

DEFAULT_CONCEPT = "teknikcollege"
"""The concept of rules that name none: Teknikcollege itself."""


@runtime_checkable
class Lookup(Protocol):
    """Read access to what is stored, as rules and notifiers see it."""

    def get(self, cls: type[T], id: str) -> T | None:
        """The entity of `cls` with `id`, or None."""
        ...

    def find(self, cls: type[T], **where: object) -> list[T]:
        """Entities of `cls` whose attributes equal every keyword given."""
        ...


@attrs.frozen
class Context:
    """What a rule may look at besides its subject: the time and the stored data."""

    now: datetime
    lookup: Lookup
    criteria: tuple[Rule, ...] = ()
    """The quality criteria in force, for rules that assess a unit as a whole."""
    case: Any = None
    """The certification case whose decision the assessment is for (a guard's case), if
    any: reviewers' judgements then count only from its current review round."""
    today: date = attrs.field(
        init=False, default=attrs.Factory(lambda c: local_day(c.now), takes_self=True)
    )
    """The Swedish day of `now` (worked out once; every criterion asks it)."""


@runtime_checkable
class Rule(Protocol):
    """A rule: a stable id, a versioned rule set, bilingual texts, and a check."""

    @property
    def id(self) -> str:
        """Stable id, unique across plug-ins (``"regional-collaboration"``)."""
        ...

    @property
    def rule_set(self) -> str:
        """The rule set it belongs to (``"teknikcollege-national"``)."""
        ...

    @property
    def version(self) -> str:
        """The version of its rule set."""
        ...

    @property
    def title(self) -> Text:
        """A short title in both languages."""
        ...

    @property
    def description(self) -> Text:
        """What it asks, in both languages."""
        ...

    @property
    def applies_to(self) -> frozenset[str]:
        """Subject kinds it checks: ``college``, ``programme``, ``case``, ..."""
        ...

    def check(self, subject: Any, context: Context) -> Finding:
        """Judge `subject`; may raise (the engine turns that into an ``error`` finding)."""
        ...


@attrs.frozen
class FunctionRule:
    """A rule from a plain function returning ``(ok, message)`` or a :class:`Finding`;
    `ok` is True, False, None ("a reviewer must decide") or a :class:`Status` (such as
    ``Status.FLAGGED``).

    `judgement` marks a criterion that a reviewer decides: the function then tells
    whether data alone settles it (``None`` for "a reviewer must decide").
    """

    id: str
    rule_set: str
    version: str
    title: Text
    description: Text
    applies_to: frozenset[str]
    function: Callable[[Any, Context], Any] = attrs.field(repr=False)
    priority: int = 100
    concept: str = DEFAULT_CONCEPT
    excuses: Callable[[Any, Context], Text | None] | None = attrs.field(default=None, repr=False)
    """For a rule that states an exception (see :func:`excuse`): why it allows a
    programme of a form that cannot be certified outside its college's certification."""

    def check(self, subject: Any, context: Context) -> Finding:
        """Run the function and wrap its answer in a finding."""
        result = self.function(subject, context)
        if isinstance(result, Finding):
            return result
        ok, message, *rest = result
        if isinstance(ok, Status):
            status = ok
        else:
            status = (
                Status.NEEDS_JUDGEMENT if ok is None else Status.PASSED if ok else Status.FAILED
            )
        return Finding(self.id, status, message, self.title, rest[0] if rest else {})


def rule(
    id: str,
    *,
    rule_set: str,
    version: str,
    title: Text,
    description: Text,
    applies_to: Iterable[str],
    priority: int = 100,
    concept: str = "teknikcollege",
    excuses: Callable[[Any, Context], Text | None] | None = None,
) -> Callable[[Callable[[Any, Context], Any]], FunctionRule]:
    """Decorator: turn a check function into a :class:`FunctionRule`.

    `concept` names the college concept whose criteria the rule belongs to: a registry
    assesses with the criteria of its own concept only (see ``Registry(concept=...)``).
    `excuses` states the rule's exception for programmes outside the certification
    (see :func:`excuse`).
    """

    def wrap(function: Callable[[Any, Context], Any]) -> FunctionRule:
        return FunctionRule(
            id,
            rule_set,
            version,
            title,
            description,
            frozenset(applies_to),
            function,
            priority,
            concept,
            excuses,
        )

    return wrap


def run_rule(rule: Rule, subject: Any, context: Context) -> Finding:
    """Check `subject` with `rule`, failing closed: a rule that raises gives ``error``.

    A storage error is not the rule's: it goes on (a damaged or unreachable store is
    not a criterion failed)."""
    try:
        finding = rule.check(subject, context)
    except StorageError:
        raise
    except Exception as error:
        return Finding(
            rule.id,
            Status.ERROR,
            _("the rule crashed: {error!r}", error=error),
            rule.title,
            {"error": repr(error)},
        )
    # Plug-in rules are third-party code: do not trust the annotation.
    if not isinstance(finding, Finding):
        return Finding(  # type: ignore[unreachable]
            rule.id,
            Status.ERROR,
            _("the rule returned no finding"),
            rule.title,
        )
    return finding


def excuse(programme: Any, context: Context) -> Text | None:
    """Why a rule in force allows `programme`, of a form that cannot be certified, in its
    college outside the certification ("allowed in the pilot, not certifiable": the
    Stockholm plug-in's labour-market training), or None when none does.

    The criteria ask it of each rule in `context.criteria` that has an ``excuses``
    callable (a :class:`FunctionRule`'s field; any rule object may have one): the first
    answer that is not None. Without an excuse a programme of a form that cannot be
    certified counts against its college (``programmes-dimensioning``)."""
    for candidate in context.criteria:
        excuses = getattr(candidate, "excuses", None)
        if excuses is not None:
            why: Text | None = excuses(programme, context)
            if why is not None:
                return why
    return None
