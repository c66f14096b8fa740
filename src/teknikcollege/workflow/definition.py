"""Workflow definitions as data: states, transitions, roles, guards and time rules.

A definition is checked when it is compiled (:class:`~teknikcollege.workflow.Workflow`);
every problem is reported at once in an :class:`~teknikcollege.errors.InvalidDefinition`.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from .._text import Text, _, _n
from ..errors import InvalidDefinition
from ..models import Role
from ..models.common import TIME_ZONE
from ..models.followup import PLAN_DUE, REPORTS_DUE


class _Deferred(Text):
    """A message of the core catalog whose Swedish is looked up each time it is read.

    The core workflows and the rules that guard them are made when their modules are
    imported, and importing must not read the catalog (it is read on the first message):
    their titles are deferred. Otherwise a deferred text is a :class:`Text` like any
    other, equal to the plain text with the same halves.

    A context before a ``|`` in the message id (gettext has none here) tells apart the
    same English with another Swedish; it is dropped from both languages.
    """

    __slots__ = ("msgid",)
    msgid: str

    def __init__(self, msgid: str) -> None:
        object.__setattr__(self, "msgid", msgid)

    @property
    def sv(self) -> str:
        """The Swedish, from the catalog."""
        return _(self.msgid).sv.rpartition("|")[2]

    @property
    def en(self) -> str:
        """The English: the message id itself (without its context)."""
        return self.msgid.rpartition("|")[2]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.sv, self.en) == (other.sv, other.en)

    def __hash__(self) -> int:
        return Text.__hash__(self)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return deferred, (self.msgid,)


def deferred(msgid: str) -> Text:
    """The core catalog's message `msgid` (marked with ``N_``), translated when read: for
    titles made when a module is imported, ``deferred(N_("In review"))``, or with a
    context, ``deferred(N_("college state|Certified"))``."""
    return _Deferred(msgid)


@attrs.frozen
class State:
    """A state; a `final` state has no way out."""

    name: str
    title: Text
    final: bool = False


CREATES = frozenset({"postponement"})
"""The records a transition may create (:attr:`Transition.creates`)."""
READS = frozenset({"visit", "protocol"})
"""The records a transition may take its event's day from (:attr:`Transition.reads`)."""


@attrs.frozen
class SetDeadline:
    """An effect: set deadline `name` to the day of the event plus calendar `months` and
    `days`, or to the date given in parameter `param`.

    The day of the event is the transition's :attr:`Transition.event_date` parameter if
    given (the day the visit was *held*, the protocol *issued*), else the day of the step.
    With `optional`, `param` may be left out and `months`/`days` apply ("three months,
    unless the protocol states otherwise").
    """

    name: str
    months: int = 0
    days: int = 0
    param: str | None = None
    optional: bool = False


@attrs.frozen
class Transition:
    """A trigger that moves a case from any of `sources` to `dest`.

    `roles` may fire it (default deny), every rule in `guards` must pass, `sets` and
    `clears` change deadlines, `certifies` starts a certification period, and `notify`
    names the roles told about it. `event_date` names the parameter that may give the
    day the event really happened (``held_on``), when it is recorded later; deadlines
    count from it. `creates` names the record the transition creates (``postponement``;
    see :meth:`~teknikcollege.workflow.Workflow.created`). `reads` names the process
    record the step's event comes from: ``visit`` (the day it was ``held``) or
    ``protocol`` (the day it was ``issued``, and the ``supplements_due`` it states); a
    registry fills the `event_date` parameter, and a deadline parameter, from it and
    refuses parameters that contradict it.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[Role]
    title: Text
    guards: tuple[str, ...] = ()
    sets: tuple[SetDeadline, ...] = ()
    clears: tuple[str, ...] = ()
    certifies: bool = False
    notify: tuple[Role, ...] = ()
    event_date: str | None = None
    creates: str | None = None
    reads: str | None = None
    needs_reason: bool = False
    """A decision that must say why (the note): decertification."""


@attrs.frozen
class TimeRule:
    """A trigger fired by the sweep once the day is at least `deadline` + `offset_days`,
    while the case is in one of `states`."""

    trigger: str
    deadline: str
    states: tuple[str, ...]
    offset_days: int = 0


@attrs.frozen
class Reminder:
    """A notification sent once, `months_before`/`days_before` deadline `deadline`,
    to `roles`, while the case is in one of `states`.

    With `every_months` the deadline recurs (the yearly follow-up): every occurrence
    ``deadline + k × every_months`` up to the deadline `until` gets its own reminder.
    With `subject_kinds` only cases about a unit of those kinds get it (the yearly
    follow-up is the college's).
    """

    name: str
    deadline: str
    states: tuple[str, ...]
    roles: tuple[Role, ...]
    months_before: int = 0
    days_before: int = 0
    after: bool = False
    every_months: int = 0
    until: str | None = None
    subject_kinds: frozenset[str] = frozenset()


@attrs.frozen
class Validity:
    """How long certifications last: the first period, then each renewal, in months;
    how long before expiry recertification opens; if the concept sets one, how long
    before expiry the re-application is *due* (deadline ``reapplication_due``); and when
    each year's follow-up is due."""

    first_months: int = 36
    renewal_months: int = 60
    recertification_lead_months: int = 6
    reapplication_due_months: int | None = None
    follow_up_due: tuple[int, int] | None = REPORTS_DUE
    """Month and day, in the year after each year of a period, by which the yearly
    follow-up is due (deadline ``follow_up_due``; an assumption, see docs/data.md)."""
    plan_due: tuple[int, int] = PLAN_DUE
    """Month and day, in its own year, by which the year's operational plan is due (an
    assumption). :meth:`~teknikcollege.models.FollowUpConfig.of` reads both."""


@attrs.frozen
class WorkflowDefinition:
    """A whole workflow as data."""

    name: str
    version: str
    title: Text
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    time_rules: tuple[TimeRule, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    validity: Validity = Validity()
    subject_kinds: frozenset[str] = frozenset()
    opened_by: frozenset[Role] = frozenset({Role.PROCESS_LEADER, Role.CHAIR, Role.ADMIN})
    time_zone: str = TIME_ZONE
    """Where instants become days (an IANA name read through :mod:`zoneinfo`)."""

    def state(self, name: str) -> State:
        """The state called `name`."""
        return next(s for s in self.states if s.name == name)

    def transition(self, trigger: str) -> Transition | None:
        """The transition for `trigger`, or None."""
        return next((t for t in self.transitions if t.trigger == trigger), None)

    def extended(
        self,
        *,
        states: Iterable[State] = (),
        transitions: Iterable[Transition] = (),
        guards: dict[str, Iterable[str]] | None = None,
        time_rules: Iterable[TimeRule] = (),
        reminders: Iterable[Reminder] = (),
    ) -> WorkflowDefinition:
        """A copy with more states, transitions, time rules and reminders, and extra
        guard rule ids on existing triggers (``guards={"approve": ["my-rule"]}``)."""
        extra = {k: tuple(v) for k, v in (guards or {}).items()}
        unknown = set(extra) - {t.trigger for t in self.transitions}
        if unknown:
            raise InvalidDefinition(
                self.name,
                [
                    _n(
                        "cannot add guards to an unknown trigger {triggers}",
                        "cannot add guards to unknown triggers {triggers}",
                        len(unknown),
                        triggers=", ".join(repr(t) for t in sorted(unknown)),
                    )
                ],
            )
        changed = tuple(
            attrs.evolve(
                t, guards=t.guards + tuple(g for g in extra.get(t.trigger, ()) if g not in t.guards)
            )
            for t in self.transitions
        )
        return attrs.evolve(
            self,
            states=self.states + tuple(states),
            transitions=changed + tuple(transitions),
            time_rules=self.time_rules + tuple(time_rules),
            reminders=self.reminders + tuple(reminders),
        )


def problems(definition: WorkflowDefinition, rule_ids: Iterable[str] | None = None) -> list[Text]:
    """Everything that stops `definition` from running; empty when it is sound."""
    found: list[Text] = []
    names = [s.name for s in definition.states]
    known = set(names)
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append(_("state {state!r} is defined twice", state=name))
    if definition.initial not in known:
        found.append(_("the initial state {state!r} is not a state", state=definition.initial))
    finals = {s.name for s in definition.states if s.final}
    triggers = [t.trigger for t in definition.transitions]
    for trig in sorted({t for t in triggers if triggers.count(t) > 1}):
        found.append(
            _("trigger {trigger!r} is defined twice; list all its sources in one", trigger=trig)
        )
    for t in definition.transitions:
        if t.dest not in known:
            found.append(
                _("{trigger!r} leads to unknown state {state!r}", trigger=t.trigger, state=t.dest)
            )
        if not t.sources:
            found.append(_("{trigger!r} has no sources", trigger=t.trigger))
        for s in t.sources:
            if s not in known:
                found.append(
                    _("{trigger!r} starts from unknown state {state!r}", trigger=t.trigger, state=s)
                )
            if s in finals:
                found.append(
                    _("{trigger!r} leaves the final state {state!r}", trigger=t.trigger, state=s)
                )
        if not t.roles:
            found.append(_("{trigger!r} names no role allowed to fire it", trigger=t.trigger))
        if rule_ids is not None:
            for g in t.guards:
                if g not in set(rule_ids):
                    found.append(
                        _(
                            "{trigger!r} is guarded by unknown rule {rule!r}",
                            trigger=t.trigger,
                            rule=g,
                        )
                    )
    for tr in definition.time_rules:
        spec = definition.transition(tr.trigger)
        if spec is None:
            found.append(_("time rule uses unknown trigger {trigger!r}", trigger=tr.trigger))
        elif Role.SYSTEM not in spec.roles:
            found.append(
                _("time rule {trigger!r} needs role 'system' on its trigger", trigger=tr.trigger)
            )
    for t in definition.transitions:
        if t.creates is not None and t.creates not in CREATES:
            found.append(
                _(
                    "{trigger!r} creates an unknown record {record!r}",
                    trigger=t.trigger,
                    record=t.creates,
                )
            )
    for t in definition.transitions:
        if t.reads is not None and t.reads not in READS:
            found.append(
                _(
                    "{trigger!r} reads an unknown record {record!r}",
                    trigger=t.trigger,
                    record=t.reads,
                )
            )
    try:
        ZoneInfo(definition.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(_("unknown time zone {zone!r}", zone=definition.time_zone))
    found.extend(_unreachable(definition, known))
    return found


def _unreachable(definition: WorkflowDefinition, known: set[str]) -> list[Text]:
    reached = {definition.initial}
    frontier = [definition.initial]
    while frontier:
        state = frontier.pop()
        for t in definition.transitions:
            if state in t.sources and t.dest not in reached:
                reached.add(t.dest)
                frontier.append(t.dest)
    return [
        _(
            "state {state!r} cannot be reached from {initial!r}",
            state=s,
            initial=definition.initial,
        )
        for s in sorted(known - reached)
    ]


def check(definition: WorkflowDefinition, rule_ids: Iterable[str] | None = None) -> None:
    """Raise :class:`InvalidDefinition` listing every problem of `definition`."""
    found = problems(definition, rule_ids)
    if found:
        raise InvalidDefinition(definition.name, found)
