"""A compiled workflow: one shared ``transitions.Machine`` per definition.

The machine is built once with ``model=None`` (the "static machine" pattern) and moves
any :class:`Case` with ``machine.events[trigger].trigger(case)``. A machine per entity
would cost about a millisecond and tens of KiB each, and leak through reference cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from transitions import EventData, Machine
from transitions.core import MachineError

from .._text import _
from ..clock import add_months, parse_day
from ..errors import InvalidData, TransitionNotAllowed, UnknownTrigger
from ..models import Certification, Postponement
from ..models.common import TIME_ZONE, local_day, start_of_day
from .case import Case, TransitionRecord
from .definition import Reminder, State, TimeRule, Transition, WorkflowDefinition, check

__all__ = ["TIME_ZONE", "Workflow", "local_day", "start_of_day"]


class Workflow:
    """A validated definition with its shared machine."""

    def __init__(self, definition: WorkflowDefinition, rule_ids: Iterable[str] | None = None):
        check(definition, rule_ids)
        self.definition = definition
        self.name = definition.name
        self._specs = {t.trigger: t for t in definition.transitions}
        self._states = {s.name: s for s in definition.states}
        self._from: dict[str, list[Transition]] = {}
        self.machine = Machine(
            model=None,
            states=[s.name for s in definition.states],
            initial=definition.initial,
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": list(t.sources),
                    "dest": t.dest,
                    "after": self._effects,
                }
                for t in definition.transitions
            ],
            auto_transitions=False,
            send_event=True,
        )
        # Tables worked out once, so that a step looks things up instead of scanning the
        # definition: the states each trigger leaves (the machine's own table), and per
        # state the time rules and reminders that watch it.
        self._sources = {
            name: frozenset(event.transitions) for name, event in self.machine.events.items()
        }
        self._rules_in = {
            s.name: tuple(r for r in definition.time_rules if s.name in r.states)
            for s in definition.states
        }
        self._reminders_in = {
            s.name: tuple(r for r in definition.reminders if s.name in r.states)
            for s in definition.states
        }

    def time_rules_in(self, state: str) -> tuple[TimeRule, ...]:
        """The time rules that watch `state` (in the definition's order)."""
        return self._rules_in.get(state, ())

    def spec(self, trigger: str) -> Transition:
        """The transition for `trigger`; :class:`UnknownTrigger` if there is none."""
        try:
            return self._specs[trigger]
        except KeyError:
            raise UnknownTrigger(self.name, trigger, self._specs) from None

    def state(self, name: str) -> State:
        """The state called `name` (as :meth:`WorkflowDefinition.state`, by a dict)."""
        return self._states[name]

    def triggers_from(self, state: str) -> list[Transition]:
        """The transitions that may leave `state`, in definition order (as the shared
        machine lists them)."""
        found = self._from.get(state)
        if found is None:
            names = set(self.machine.get_triggers(state))
            found = self._from[state] = [
                t for t in self.definition.transitions if t.trigger in names
            ]
        return found

    def check_source(self, case: Case, spec: Transition) -> None:
        """Raise :class:`TransitionNotAllowed` if the machine has no `spec` from the
        case's state."""
        if case.state not in self._sources[spec.trigger]:
            raise self._wrong_state(case, spec)

    def _wrong_state(self, case: Case, spec: Transition) -> TransitionNotAllowed:
        reason = _("only possible from {states}", states=", ".join(spec.sources))
        return TransitionNotAllowed(case.id, spec.trigger, case.state, reason=reason)

    def day(self, at: datetime) -> date:
        """The day `at` falls on in the definition's time zone."""
        return local_day(at, self.definition.time_zone)

    def event_day(self, spec: Transition, params: Mapping[str, str], today: date) -> date:
        """The day the event happened: the `event_date` parameter if given, else `today`."""
        if spec.event_date is None or spec.event_date not in params:
            return today
        return parse_day(params[spec.event_date], f"params.{spec.event_date}")

    def check_params(
        self, case: Case, spec: Transition, params: Mapping[str, str], day: date | datetime
    ) -> None:
        """Raise :class:`InvalidData` if a parameter the transition needs is missing or bad.

        `day` is the day of the step (an instant is turned into a day in the time zone).
        The event's own day may not lie after it; a date a deadline is set to must lie
        after the event and after the deadline it replaces.
        """
        if spec.event_date is None and not spec.sets:
            return  # nothing to check (and no day to work out)
        today = self.day(day) if isinstance(day, datetime) else day
        event = self.event_day(spec, params, today)
        if event > today:
            raise InvalidData(
                [
                    (
                        f"params.{spec.event_date}",
                        _(
                            "{day} lies after the day it is recorded ({today})",
                            day=event.isoformat(),
                            today=today.isoformat(),
                        ),
                    )
                ]
            )
        for effect in spec.sets:
            if effect.param is None or (effect.optional and effect.param not in params):
                continue
            if effect.param not in params:
                raise InvalidData(
                    [
                        (
                            f"params.{effect.param}",
                            _("{trigger!r} needs {name}", trigger=spec.trigger, name=effect.param),
                        )
                    ]
                )
            parsed = parse_day(params[effect.param], f"params.{effect.param}")
            current = case.deadlines.get(effect.name)
            floor = max(event, current or event)
            if parsed <= floor:
                raise InvalidData(
                    [
                        (
                            f"params.{effect.param}",
                            _(
                                "{day} must lie after {floor}",
                                day=parsed.isoformat(),
                                floor=floor,
                            ),
                        )
                    ]
                )

    def apply(
        self, case: Case, trigger: str, at: datetime, params: Mapping[str, str] | None = None
    ) -> tuple[str, str]:
        """Move `case` by `trigger` at time `at` (no roles or guards: the caller checks them).

        Returns ``(source, dest)``.
        """
        spec = self.spec(trigger)
        self.check_params(case, spec, params or {}, at)
        return self.move(case, trigger, at, params)

    def move(
        self, case: Case, trigger: str, at: datetime, params: Mapping[str, str] | None = None
    ) -> tuple[str, str]:
        """Move `case` with the shared machine, which checks the source state itself (a
        wrong one is :class:`TransitionNotAllowed`) and runs the transition's effects."""
        source = case.state
        try:
            self.machine.events[trigger].trigger(case, at=at, params=dict(params or {}))
        except MachineError:
            raise self._wrong_state(case, self.spec(trigger)) from None
        return source, case.state

    def _effects(self, event: EventData) -> None:
        case = event.model
        assert isinstance(case, Case)
        spec = self._specs[event.event.name]
        if not (spec.clears or spec.sets or spec.certifies):
            return  # a move of state alone
        params: dict[str, str] = event.kwargs["params"]
        day = self.event_day(spec, params, self.day(event.kwargs["at"]))
        for name in spec.clears:
            case.deadlines.pop(name, None)
        for effect in spec.sets:
            if effect.param is not None and effect.param in params:
                case.deadlines[effect.name] = parse_day(
                    params[effect.param], f"params.{effect.param}"
                )
            else:
                moved = add_months(day, effect.months) + timedelta(days=effect.days)
                case.deadlines[effect.name] = moved
        if spec.certifies:
            self._certify(case, day)

    def _certify(self, case: Case, day: date) -> None:
        validity = self.definition.validity
        previous = case.certifications[-1] if case.certifications else None
        number = previous.number + 1 if previous else 1
        start = day
        if previous is not None:
            # A renewal continues the period before it: it starts the day after, whether
            # it was approved before the old period ended or during the grace a
            # recertification in review keeps (see ``GRACE_STATES``).
            start = previous.valid_until + timedelta(days=1)
        months = validity.first_months if number == 1 else validity.renewal_months
        until = add_months(start, months) - timedelta(days=1)
        case.certifications.append(Certification(case.subject, start, until, number))
        case.deadlines["valid_until"] = until
        case.deadlines["recertification_opens"] = add_months(
            until + timedelta(days=1), -validity.recertification_lead_months
        )
        if validity.follow_up_due is not None and "follow_up_due" not in case.deadlines:
            # The first year's follow-up; a renewal keeps the yearly rhythm running.
            case.deadlines["follow_up_due"] = date(start.year + 1, *validity.follow_up_due)
        if validity.reapplication_due_months is not None:
            case.deadlines["reapplication_due"] = add_months(
                until + timedelta(days=1), -validity.reapplication_due_months
            )

    def created(self, case: Case, record: TransitionRecord) -> tuple[Any, ...]:
        """The records transition `record` creates (:attr:`Transition.creates`), for the
        caller to store with it: a :class:`~teknikcollege.models.Postponement` for every
        granted postponement. Their ids derive from the case and the record's sequence
        number, so storing them twice is a conflict, not a duplicate."""
        spec = self.spec(record.trigger)
        if spec.creates != "postponement":
            return ()
        granted = self.event_day(spec, record.params, self.day(record.at))
        new_due = case.deadlines["supplements_due"]
        return (
            Postponement(
                f"{case.id}-postponement-{record.seq}", case.id, granted, new_due, record.note
            ),
        )

    def due_triggers(self, case: Case, now: datetime) -> list[str]:
        """Time-based triggers due for `case` at `now`, earliest deadline first."""
        due = []
        today: date | None = None
        for rule in self.time_rules_in(case.state):
            deadline = case.deadlines.get(rule.deadline)
            if deadline is not None:
                fire_on = deadline + timedelta(days=rule.offset_days)
                if today is None:
                    today = self.day(now)
                if today >= fire_on:
                    due.append((fire_on, rule.trigger))
        return [trigger for _, trigger in sorted(due)]

    def due_reminders(self, case: Case, now: datetime) -> list[tuple[Reminder, str]]:
        """Reminders due at `now` and not yet sent, with their keys."""
        result = []
        for reminder, key, day in self._reminders(case):
            if self.day(now) >= day and key not in case.reminders_sent:
                result.append((reminder, key))
        return result

    def _reminders(self, case: Case) -> list[tuple[Reminder, str, date]]:
        found: list[tuple[Reminder, str, date]] = []
        for reminder in self._reminders_in.get(case.state, ()):
            deadline = case.deadlines.get(reminder.deadline)
            if deadline is None:
                continue
            if reminder.subject_kinds and case.subject.kind.value not in reminder.subject_kinds:
                continue
            if reminder.every_months:
                occurrence = self._next_occurrence(case, reminder, deadline)
                if occurrence is None:
                    continue
                deadline = occurrence
            day = self.reminder_day(reminder, deadline)
            found.append((reminder, f"{reminder.name}:{deadline.isoformat()}", day))
        return found

    @staticmethod
    def reminder_day(reminder: Reminder, deadline: date) -> date:
        """The day `reminder` of `deadline` is sent (its key: ``name:deadline``)."""
        sign = 1 if reminder.after else -1
        return add_months(deadline, sign * reminder.months_before) + timedelta(
            days=sign * reminder.days_before
        )

    def _next_occurrence(self, case: Case, reminder: Reminder, first: date) -> date | None:
        """The first occurrence of a recurring deadline not yet reminded of, up to the
        deadline `until` (None when every one has been)."""
        until = case.deadlines.get(reminder.until) if reminder.until else None
        limit = until if until is not None else add_months(first, 12 * 20)
        occurrence, k = first, 0
        while occurrence <= limit:
            if f"{reminder.name}:{occurrence.isoformat()}" not in case.reminders_sent:
                return occurrence
            k += 1
            occurrence = add_months(first, k * reminder.every_months)
        return None

    def next_due(self, case: Case) -> datetime | None:
        """When the sweep next needs to look at `case` (kept in the storage's due index)."""
        days = []
        for rule in self.time_rules_in(case.state):
            deadline = case.deadlines.get(rule.deadline)
            if deadline is not None:
                days.append(deadline + timedelta(days=rule.offset_days))
        if self._reminders_in.get(case.state):
            days += [d for _, key, d in self._reminders(case) if key not in case.reminders_sent]
        if not days:
            return None
        return start_of_day(min(days), self.definition.time_zone)

    def new_case(self, id: str, subject: Any, college_id: str, opened: datetime) -> Case:
        """A case in the initial state."""
        return Case(id, self.name, subject, college_id, self.definition.initial, opened)

    def replay(self, case: Case, records: Sequence[TransitionRecord]) -> Case:
        """Rebuild `case` from its history alone; equal state means the history is whole."""
        fresh = self.new_case(case.id, case.subject, case.college_id, case.opened)
        for record in records:
            self.apply(fresh, record.trigger, record.at, record.params)
        fresh.reminders_sent = list(case.reminders_sent)
        return fresh
