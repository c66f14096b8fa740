"""Findings and assessments: what a rule says about a subject."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import attrs

from .._text import N_, Language, Text, _, _n
from ..models.common import local_day


class Status(str, Enum):
    """The outcome of one rule on one subject."""

    PASSED = "passed"
    FAILED = "failed"
    NEEDS_JUDGEMENT = "needs_judgement"
    ERROR = "error"
    FLAGGED = "flagged"
    """Allowed, but worth knowing ("allowed in the pilot, flagged"): informs, never blocks."""

    @property
    def blocks(self) -> bool:
        """Whether a guard with this status refuses the transition (fail closed)."""
        return self not in (Status.PASSED, Status.FLAGGED)


_STATUS_TEXT = {
    Status.PASSED: N_("passed"),
    Status.FAILED: N_("failed"),
    Status.NEEDS_JUDGEMENT: N_("needs judgement"),
    Status.ERROR: N_("rule error"),
    Status.FLAGGED: N_("allowed, flagged"),
}
"""Each status for people (English ids of the catalog)."""


def status_text(status: Status) -> Text:
    """A finding's status for people, in both languages."""
    return _(_STATUS_TEXT[status])


@attrs.frozen
class Finding:
    """One rule's verdict: status, a message in both languages, and the data it saw."""

    rule_id: str
    status: Status
    message: Text
    title: Text = attrs.field(factory=lambda: Text.join(()))
    """The rule's title (empty in both languages if not given)."""
    data: Mapping[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def passed(self) -> bool:
        """Whether the finding lets the subject through: passed, or flagged."""
        return not self.status.blocks

    @property
    def flagged(self) -> bool:
        """Whether the finding is allowed but flagged."""
        return self.status is Status.FLAGGED


@attrs.frozen
class Assessment:
    """Every finding for one subject at one time; reads as a gap report."""

    subject: str
    at: datetime
    findings: tuple[Finding, ...]
    rule_set: str = ""

    @property
    def passed(self) -> bool:
        """Whether every finding passed."""
        return all(f.passed for f in self.findings)

    def gaps(self) -> tuple[Finding, ...]:
        """The findings that did not pass."""
        return tuple(f for f in self.findings if not f.passed)

    def flags(self) -> tuple[Finding, ...]:
        """The findings that are allowed but flagged."""
        return tuple(f for f in self.findings if f.flagged)

    def report(self, lang: Language | None = None) -> str:
        """The assessment as a readable gap report in `lang`."""
        total, gaps = len(self.findings), self.gaps()
        head = _n(
            "Assessment of {subject} ({day}): {passed} of {n} criterion passed",
            "Assessment of {subject} ({day}): {passed} of {n} criteria passed",
            total,
            subject=self.subject,
            day=local_day(self.at).isoformat(),
            passed=total - len(gaps),
        )
        flags = self.flags()
        if flags:  # allowed, but worth knowing before the first line is read as "all well"
            head = Text.join([head, _n("{n} flagged", "{n} flagged", len(flags))])
        lines = [head.get(lang)]
        for f in self.findings:
            mark = {
                "passed": "✓",
                "failed": "✗",
                "needs_judgement": "?",
                "error": "!",
                "flagged": "⚑",
            }[f.status.value]
            title = f.title.get(lang) or f.rule_id
            lines.append(
                f"  {mark} {title} [{f.rule_id}] — {status_text(f.status).get(lang)}: "
                f"{f.message.get(lang)}"
            )
        return "\n".join(lines)
