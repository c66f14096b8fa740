"""Assess a subject against rules: every finding, judgements honoured."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .._text import _
from ..authority import judge_is_impartial
from ..models import College, Judgement, Outcome
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
    findings = tuple(judged(run_rule(r, subject, context), subject, context) for r in chosen)
    label = f"{kind} {getattr(subject, 'id', '?')!s}"
    return Assessment(label, context.now, findings, rule_set)


def judged(finding: Finding, subject: Any, context: Context) -> Finding:
    """Replace a ``needs_judgement`` finding by a reviewer's valid recorded judgement."""
    if finding.status is not Status.NEEDS_JUDGEMENT:
        return finding
    subject_id = getattr(subject, "id", None)
    today = context.now.date()
    college_id = (
        subject_id if isinstance(subject, College) else getattr(subject, "college_id", None)
    )
    # A judgement counts only from an impartial reviewer of the national pool, however it
    # was stored (recorded, saved, imported).
    valid = [
        j
        for j in context.lookup.find(Judgement, rule_id=finding.rule_id, subject_id=subject_id)
        if j.is_valid_on(today)
        and judge_is_impartial(context.lookup, j.reviewer_id, college_id, on=j.decided)
    ]
    if not valid:
        return finding
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
