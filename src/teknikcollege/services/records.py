"""The records of the process, tied to their case: a visit, a protocol, supplements, a
postponement and a judgement name a case (or a visit) that exists and dates that fit it;
a step takes the day of its event, and the deadline a protocol states, from the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime

import attrs

from .._text import N_, Text, _
from ..clock import parse_day
from ..errors import InvalidData
from ..models import (
    Application,
    College,
    Judgement,
    Organisation,
    OrganisationKind,
    Postponement,
    Programme,
    Protocol,
    ReviewVisit,
    Supplement,
    UnitKind,
    UnitRef,
)
from ..models.common import local_day
from ..rules.assessment import review_case
from ..serialization import from_stored
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case, TransitionRecord
from ..workflow.core import review_round
from ..workflow.definition import Transition
from ..workflow.engine import Workflow

Problems = Iterator[tuple[str, Text]]

CASE_RECORDS = (Application, ReviewVisit, Protocol, Supplement, Postponement)
"""Records that belong to a certification case (`case_id`)."""

_EVENT_DAY = {ReviewVisit: "held", Protocol: "issued", Supplement: "received"}
"""The day of each record's event, which cannot lie before its case was opened."""


def record_problems(
    uow: UnitOfWork, entity: object, today: date, *, imported: bool = False
) -> list[tuple[str, Text]]:
    """Why `entity`, a record of the process, does not fit its case or visit (empty when
    it does): what :meth:`Registry.add` refuses.

    `imported`: the record came with an import and is judged after its case's history
    was replayed. The rounds of supplements are not judged then (they count from the
    history as it stood when the record was added, which an import does not know), and
    a postponement is there already: that it is the one a step granted is for the
    import to check (:func:`teknikcollege.services.replay.check_records`)."""
    if isinstance(entity, CASE_RECORDS):
        return list(_case_record_problems(uow, entity, imported))
    if isinstance(entity, Judgement):
        found = list(judgement_problems(uow, entity, today))
        if not imported:
            found += decided_round_problems(uow, entity)
        return found
    return []


CaseRecord = Application | ReviewVisit | Protocol | Supplement | Postponement


def _case_record_problems(uow: UnitOfWork, entity: CaseRecord, imported: bool) -> Problems:
    case = uow.entities.get(Case, entity.case_id)
    if case is None:
        yield "case_id", _("case {case!r} does not exist", case=entity.case_id)
        return
    opened = local_day(case.opened)
    field = _EVENT_DAY.get(type(entity))
    day: date | None = getattr(entity, field) if field else None
    if day is not None and day < opened:
        yield (
            field or "",
            _(
                "{day} lies before case {case!r} was opened ({opened})",
                day=day.isoformat(),
                case=case.id,
                opened=opened.isoformat(),
            ),
        )
    if isinstance(entity, (Protocol, Supplement)) and not imported:
        yield from _supplement_round_problems(uow, case, entity)
    if isinstance(entity, Postponement) and uow.entities.get(Postponement, entity.id) is None:
        # Granting a postponement records it (Workflow.created): another record would be
        # a second one for the same decision.
        yield (
            "",
            _(
                "a postponement is recorded by the step that grants it: fire "
                "grant_postponement on case {case!r} with new_due, the reason in the note",
                case=case.id,
            ),
        )
    # The round under way, or the next (a visit planned for the recertification).
    latest = len(case.certifications) + 1
    if isinstance(entity, ReviewVisit) and entity.round > latest:
        yield (
            "round",
            _(
                "case {case!r} has not reached review round {round} (at most {latest})",
                case=case.id,
                round=entity.round,
                latest=latest,
            ),
        )


def _supplement_round_problems(
    uow: UnitOfWork, case: Case, entity: Protocol | Supplement
) -> Problems:
    """A protocol opens at most the next round of supplements of the review round; a
    supplement answers a round already asked for."""
    history = uow.history.of(case.id)
    start = max((i for i, r in enumerate(history) if r.trigger == ROUND_START), default=-1)
    requests = sum(r.trigger == "request_supplements" for r in history[start + 1 :])
    if isinstance(entity, Protocol):
        protocols = sum(r.trigger in _PROTOCOL_STEPS for r in history[start + 1 :])
        latest = protocols + 1
    else:
        latest = requests
    if entity.round > latest:
        yield (
            "round",
            _(
                "round {round} of supplements lies beyond case {case!r} (at most {latest})",
                round=entity.round,
                case=case.id,
                latest=latest,
            ),
        )


_PROTOCOL_STEPS = frozenset({"issue_protocol", "request_supplements"})


def subject_problems(uow: UnitOfWork, subject: UnitRef) -> Problems:
    """Why a certification case cannot be opened for `subject`: a provider must be an
    organisation that exists and is an education provider (a company is not)."""
    if subject.kind is not UnitKind.PROVIDER:
        return
    organisation = uow.entities.get(Organisation, subject.id)
    if organisation is None:
        yield "subject", _("education provider {id!r} does not exist", id=subject.id)
    elif organisation.kind is not OrganisationKind.EDUCATION_PROVIDER:
        yield (
            "subject",
            _(
                "organisation {id!r} is not an education provider (it is {kind})",
                id=subject.id,
                kind=organisation.kind.value,
            ),
        )


def judgement_problems(uow: UnitOfWork, judgement: Judgement, today: date) -> Problems:
    """Why `judgement` cannot be stored: made after `today`, naming a visit that does
    not exist, of another subject or round, or held after the judgement."""
    if judgement.decided > today:
        yield (
            "decided",
            _(
                "{day} lies after the day it is recorded ({today})",
                day=judgement.decided.isoformat(),
                today=today.isoformat(),
            ),
        )
    if judgement.visit_id is None:
        return
    visit = uow.entities.get(ReviewVisit, judgement.visit_id)
    if visit is None:
        yield "visit_id", _("review visit {visit!r} does not exist", visit=judgement.visit_id)
        return
    case = uow.entities.get(Case, visit.case_id)
    if case is not None and judgement.subject_id not in (case.subject.id, case.subject.parent):
        yield (
            "subject_id",
            _(
                "visit {visit!r} reviewed {unit}, not {subject!r}",
                visit=visit.id,
                unit=str(case.subject),
                subject=judgement.subject_id,
            ),
        )
    if judgement.round is not None and judgement.round != visit.round:
        yield (
            "round",
            _(
                "visit {visit!r} belongs to review round {round}",
                visit=visit.id,
                round=visit.round,
            ),
        )
    if judgement.decided < visit.held:
        yield (
            "decided",
            _(
                "the judgement lies before visit {visit!r} was held ({held})",
                visit=visit.id,
                held=visit.held.isoformat(),
            ),
        )


def decided_round_problems(uow: UnitOfWork, judgement: Judgement) -> Problems:
    """Why `judgement` comes too late: its review round has been decided (approved).

    A guard is judged by the records dated on or before its step's day, and a judgement
    carries a day, not an instant: one recorded after the decision but dated on its day
    (or before) would count for the decision when the history is replayed, although the
    decision was taken without it. So once a round is decided its judgements are closed;
    a correction is a new round (recertification or decertification), not a judgement
    written into the old one."""
    judgement = with_round(uow, judgement)
    case: Case | None = None
    if judgement.visit_id is not None:
        visit = uow.entities.get(ReviewVisit, judgement.visit_id)
        if visit is not None:
            case = uow.entities.get(Case, visit.case_id)
    else:
        subject = _college_or_programme(uow, judgement.subject_id)
        if subject is not None:
            case = review_case(subject, uow)
        else:  # a provider: its judgement counts in round 1 unless it names another
            judgement = attrs.evolve(judgement, round=judgement.round or 1)
            case = _provider_case_decided(uow, judgement)
    if case is None or judgement.round is None or len(case.certifications) < judgement.round:
        return
    yield (
        "round",
        _(
            "review round {round} of case {case!r} has been decided: its judgements can "
            "no longer change",
            round=judgement.round,
            case=case.id,
        ),
    )


def _provider_case_decided(uow: UnitOfWork, judgement: Judgement) -> Case | None:
    """A provider's certification case (in any college) whose decided round `judgement`,
    naming no visit, would count for: it counts in round 1 unless it names another
    (see :func:`~teknikcollege.rules.assessment.judged`), in every college's case of the
    provider opened by its day; it could have counted for the decision if it is dated
    by the day that round's period began (the decision's day, or before)."""
    round = judgement.round or 1
    provider = UnitRef(UnitKind.PROVIDER, judgement.subject_id)
    for case in uow.entities.find(Case, subject=provider):
        if (
            len(case.certifications) >= round
            and local_day(case.opened) <= judgement.decided
            and judgement.decided <= case.certifications[round - 1].valid_from
        ):
            return case
    return None


def with_round(uow: UnitOfWork, judgement: Judgement) -> Judgement:
    """`judgement` with its review round filled in when it names none: its visit's, else
    the current round of its college's or programme's certification case (a judgement
    with no round counts in the first round only)."""
    if judgement.round is not None:
        return judgement
    if judgement.visit_id is not None:
        visit = uow.entities.get(ReviewVisit, judgement.visit_id)
        return attrs.evolve(judgement, round=visit.round) if visit is not None else judgement
    subject = _college_or_programme(uow, judgement.subject_id)
    case = review_case(subject, uow) if subject is not None else None
    return attrs.evolve(judgement, round=review_round(case)) if case is not None else judgement


def _college_or_programme(uow: UnitOfWork, id: str) -> object | None:
    """The college or programme `id` a judgement names as its subject, if it is one."""
    found: object | None = uow.entities.get(College, id) or uow.entities.get(Programme, id)
    return found


def raise_problems(problems: Iterable[tuple[str, Text]], prefix: str = "") -> None:
    """Raise :class:`InvalidData` with `problems` (paths under `prefix`), if any."""
    found = list(problems)
    if found:
        error = InvalidData(found)
        raise error.prefixed(prefix) if prefix else error


# -- a step and its records ----------------------------------------------------------------

ROUND_START = "submit_application"
"""The trigger that begins a review round (see
:func:`~teknikcollege.workflow.core.review_round`)."""


def step_params(
    uow: UnitOfWork,
    case: Case,
    flow: Workflow,
    spec: Transition,
    params: Mapping[str, str],
    now: datetime,
) -> dict[str, str]:
    """The parameters of `spec` about to be fired on `case`, filled in from its records
    and checked against them; :class:`InvalidData` names every problem.

    A parameter the transition does not know is refused, and one it needs must be
    given. The day of the event is taken from the record the transition reads (the
    round's review visit, or its protocol: see :attr:`Transition.reads`) when it is left
    out, and may not contradict it; nor may it lie before the case's previous step. A
    deadline set from a parameter may not have passed on the day of the step (the case
    would lapse at once)."""
    if not params and spec.event_date is None and not spec.sets:
        return {}  # takes none, is given none (most steps): nothing to check or fill in
    filled = dict(params)
    raise_problems(_parameter_problems(spec, filled))
    if spec.event_date is None:
        return filled
    if spec.reads == "visit":
        raise_problems(_from_visit(uow, case, spec, filled))
    elif spec.reads == "protocol":
        history = uow.history.of(case.id)
        raise_problems(_from_protocol(uow, case, flow, spec, filled, history))
    today = flow.day(now)
    event = flow.event_day(spec, filled, today)
    head = uow.tx.history_head(case.id)  # the last step only: a long history is not read
    previous = _previous_step(flow, [from_stored(head, TransitionRecord)] if head else [])
    if previous is not None and event < previous[1]:
        raise_problems(
            [
                (
                    f"params.{spec.event_date}",
                    _(
                        "{day} lies before the case's previous step, {trigger} on {previous}",
                        day=event.isoformat(),
                        trigger=previous[0],
                        previous=previous[1].isoformat(),
                    ),
                )
            ]
        )
    for effect in spec.sets:
        if effect.param is not None and effect.param in filled:
            due = parse_day(filled[effect.param], f"params.{effect.param}")
            if due < today:
                raise_problems(
                    [
                        (
                            f"params.{effect.param}",
                            _(
                                "{day} has passed on the day of the step ({today}): the "
                                "case would lapse at once",
                                day=due.isoformat(),
                                today=today.isoformat(),
                            ),
                        )
                    ]
                )
    return filled


def _parameter_problems(spec: Transition, params: Mapping[str, str]) -> Problems:
    known = {spec.event_date} | {e.param for e in spec.sets}
    names = sorted(k for k in known if k is not None)
    for name in sorted(params):
        if name not in names:
            yield (
                f"params.{name}",
                _(
                    "{trigger!r} takes no parameter {name!r} (it takes: {known})",
                    trigger=spec.trigger,
                    name=name,
                    known=", ".join(names) or "-",
                ),
            )
    for effect in spec.sets:
        if effect.param is not None and not effect.optional and effect.param not in params:
            yield (
                f"params.{effect.param}",
                _("{trigger!r} needs {name}", trigger=spec.trigger, name=effect.param),
            )


def _from_visit(uow: UnitOfWork, case: Case, spec: Transition, params: dict[str, str]) -> Problems:
    """Fill in the day the round's visit was held; refuse another day."""
    assert spec.event_date is not None
    round = review_round(case)
    visits = [v for v in uow.entities.find(ReviewVisit, case_id=case.id) if v.round == round]
    if not visits:
        return  # the guard says what is missing
    visit = max(visits, key=lambda v: (v.held, v.id))
    yield from _agree(params, spec.event_date, visit.held, N_("visit"), visit.id)


def _from_protocol(
    uow: UnitOfWork,
    case: Case,
    flow: Workflow,
    spec: Transition,
    params: dict[str, str],
    history: list[TransitionRecord],
) -> Problems:
    """Fill in the day the protocol of this round of supplements was issued, and the
    deadline it states; refuse what contradicts it."""
    assert spec.event_date is not None
    start = max((i for i, r in enumerate(history) if r.trigger == ROUND_START), default=-1)
    since = history[start + 1 :] if start >= 0 else history
    begun = flow.day(history[start].at) if start >= 0 else local_day(case.opened)
    reading = {t.trigger for t in flow.definition.transitions if t.reads == "protocol"}
    round = 1 + sum(r.trigger in reading for r in since)
    protocols = [
        p
        for p in uow.entities.find(Protocol, case_id=case.id)
        if p.round == round and p.issued >= begun
    ]
    if not protocols:
        return
    protocol = max(protocols, key=lambda p: (p.issued, p.id))
    yield from _agree(params, spec.event_date, protocol.issued, N_("protocol"), protocol.id)
    deadline = next((e.param for e in spec.sets if e.param == "supplements_due"), None)
    if deadline is None:
        if protocol.supplements_requested:
            yield (
                "trigger",
                _(
                    "protocol {id!r} asks for supplements: fire a trigger that requests them",
                    id=protocol.id,
                ),
            )
        return
    if not protocol.supplements_requested:
        yield (
            "trigger",
            _("protocol {id!r} asks for no supplements", id=protocol.id),
        )
    if protocol.supplements_due is not None:
        yield from _agree(params, deadline, protocol.supplements_due, N_("protocol"), protocol.id)


def _agree(params: dict[str, str], name: str, day: date, kind: str, id: str) -> Problems:
    """Fill parameter `name` with `day` from record `id`, or refuse another day."""
    given = params.get(name)
    if given is None:
        params[name] = day.isoformat()
    elif parse_day(given, f"params.{name}") != day:
        record = _(kind)
        yield (
            f"params.{name}",
            _(
                "{given} contradicts the {record} {id!r}, which says {day}",
                given=given,
                record=record,
                id=id,
                day=day.isoformat(),
            ),
        )


def _previous_step(flow: Workflow, history: list[TransitionRecord]) -> tuple[str, date] | None:
    """The trigger and the day of the event of the case's last step."""
    if not history:
        return None
    last = history[-1]
    spec = flow.definition.transition(last.trigger)
    if spec is None:
        return last.trigger, flow.day(last.at)
    return last.trigger, flow.event_day(spec, last.params, flow.day(last.at))
