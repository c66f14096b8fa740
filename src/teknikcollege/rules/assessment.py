"""Assess a subject against rules: every finding, judgements honoured."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .._text import _
from ..authority import in_reviewer_pool, judge_is_impartial
from ..models import College, Judgement, Outcome, ReviewVisit, UnitKind, UnitRef
from ..models.common import local_day
from .base import Context, Rule, run_rule
from .findings import Assessment, Finding, Status


def subject_kind(subject: object) -> str:
    """The kind name rules use for `subject`: ``College`` → ``"college"``."""
    cls = type(subject)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _KINDS[cls] = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
    return kind


_KINDS: dict[type, str] = {}


def ordered(rules: Iterable[Rule]) -> list[Rule]:
    """Rules in a stable order that never depends on plug-in call order."""
    return sorted(rules, key=lambda r: (getattr(r, "priority", 100), r.rule_set, r.id))


def assess(
    subject: Any, rules: Iterable[Rule], context: Context, *, rule_set: str = ""
) -> Assessment:
    """Check `subject` with every rule that applies to its kind (and `rule_set`, if given)."""
    kind = subject_kind(subject)
    chosen = [
        r
        for r in ordered(rules)
        if kind in r.applies_to and (not rule_set or r.rule_set == rule_set)
    ]
    # What is stored does not change while one assessment runs: rules asking the same
    # question (the college's programmes, its cases) have it read once.
    context = Context(context.now, _Remembering(context.lookup), context.criteria, context.case)
    findings = tuple(judged(run_rule(r, subject, context), subject, context) for r in chosen)
    label = f"{kind} {getattr(subject, 'id', '?')!s}"
    return Assessment(label, context.now, findings, rule_set)


class _Remembering:
    """A lookup that answers a question it was asked before from what it found then
    (``get``, and ``find`` with hashable values), for its first :data:`_REMEMBERED`
    questions: a criterion asking once per case of a big college (its applications) must
    not make it hold something per case. Everything else, ``stream`` included (a read
    that must stay bounded), goes to the lookup it wraps."""

    def __init__(self, lookup: Any) -> None:
        self._lookup = lookup
        self._found: dict[Any, Any] = {}

    def get(self, cls: type[Any], id: str) -> Any:
        key = (cls, id)
        if key in self._found:
            return self._found[key]
        found = self._lookup.get(cls, id)
        if len(self._found) < _REMEMBERED:
            self._found[key] = found
        return found

    def find(self, cls: type[Any], **where: object) -> list[Any]:
        try:
            key = (cls, frozenset(where.items()))
            if key in self._found:
                return list(self._found[key])  # a list of its own: callers may change it
        except TypeError:  # a value that cannot be a key (a list): ask every time
            return list(self._lookup.find(cls, **where))
        found = self._lookup.find(cls, **where)
        if len(self._found) < _REMEMBERED:
            self._found[key] = found
        return list(found)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lookup, name)


_REMEMBERED = 64
"""How many questions one assessment remembers the answers to."""


def judged(finding: Finding, subject: Any, context: Context) -> Finding:
    """Replace a ``needs_judgement`` finding by a reviewer's valid recorded judgement.

    A judgement counts while it is valid, from an impartial reviewer of a reviewer pool
    valid on the day it was made, and only in its own review round: that of the visit it
    names (a visit that does not exist counts for nothing), else its `round`, else the
    first. The round is the current one of `context.case`, or, without one, of the
    subject's certification case (see :func:`review_case`)."""
    if finding.status is not Status.NEEDS_JUDGEMENT:
        return finding
    subject_id = getattr(subject, "id", None)
    today = local_day(context.now)
    college_id = (
        subject_id if isinstance(subject, College) else getattr(subject, "college_id", None)
    )
    current = [
        j
        for j in context.lookup.find(Judgement, rule_id=finding.rule_id, subject_id=subject_id)
        if j.is_valid_on(today)
    ]
    if not current:
        return finding
    case = context.case if context.case is not None else review_case(subject, context.lookup)
    # A provider judged: working for it is a conflict of interest in any college.
    unit = (
        UnitRef(UnitKind.PROVIDER, str(subject_id)) if subject_kind(subject) == "provider" else None
    )
    # A judgement counts only from an impartial reviewer of the national pool, however it
    # was stored (recorded, saved, imported), and only in its own review round.
    valid = [
        j
        for j in current
        if judge_is_impartial(context.lookup, j.reviewer_id, college_id, on=j.decided, subject=unit)
        and in_reviewer_pool(context.lookup, j.reviewer_id, j.decided)
        and _of_round(j, case, context.lookup)
    ]
    if not valid:
        ignored = sorted(j.id for j in current)
        message = _(
            "{message} (not counted: {judgements}, not of this review round or not by an "
            "impartial reviewer of the pool)",
            message=finding.message,
            judgements=", ".join(ignored),
        )
        data = {**finding.data, "not_counted": ignored}
        return Finding(finding.rule_id, finding.status, message, finding.title, data)
    latest = max(valid, key=lambda j: (j.decided, j.id))
    status = Status.PASSED if latest.outcome is Outcome.PASSED else Status.FAILED
    message = _(
        "judged by {reviewer} on {day}: {evidence}",
        reviewer=latest.reviewer_id,
        day=latest.decided.isoformat(),
        evidence=latest.evidence,
    )
    data = {**finding.data, "judgement": latest.id}
    return Finding(finding.rule_id, status, message, finding.title, data)


def _of_round(judgement: Judgement, case: Any, lookup: Any) -> bool:
    """Whether `judgement` belongs to the current review round of `case` (any round
    without a case), and names no visit that is not there."""
    visit = lookup.get(ReviewVisit, judgement.visit_id) if judgement.visit_id else None
    if judgement.visit_id is not None and (
        visit is None or judgement.round not in (None, visit.round)
    ):
        return False
    if case is None:
        return True
    from ..workflow.core import review_round  # the workflows import the rules

    if visit is not None and visit.case_id != case.id:
        return False
    round = visit.round if visit is not None else (judgement.round or 1)
    return round == review_round(case) and judgement.decided >= local_day(case.opened)


def review_case(subject: Any, lookup: Any) -> Any:
    """The certification case of `subject` (a college, provider or programme) whose
    review round its judgements count in: the open one, else the last opened; None if it
    has none."""
    from ..workflow.case import Case
    from ..workflow.core import CERTIFICATION, COLLEGE_LIFECYCLE

    try:
        kind = UnitKind(subject_kind(subject))
    except ValueError:
        return None
    states = {s.name: s.final for s in CERTIFICATION.states}
    college_id = getattr(subject, "college_id", None)
    cases = [
        c
        for c in lookup.find(Case, subject=UnitRef(kind, subject.id))
        if c.workflow != COLLEGE_LIFECYCLE.name
        and c.state in states
        and (kind is not UnitKind.PROVIDER or c.college_id == college_id)
    ]
    return max(cases, key=lambda c: (not states[c.state], c.opened, c.id), default=None)
