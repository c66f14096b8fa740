"""Findings and assessments: what a rule says about a subject."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import attrs

from .._text import Language, Text


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
    Status.PASSED: Text("uppfyllt", "passed"),
    Status.FAILED: Text("ej uppfyllt", "failed"),
    Status.NEEDS_JUDGEMENT: Text("kräver bedömning", "needs judgement"),
    Status.ERROR: Text("fel i regeln", "rule error"),
    Status.FLAGGED: Text("tillåtet, flaggat", "allowed, flagged"),
}


@attrs.frozen
class Finding:
    """One rule's verdict: status, a message in both languages, and the data it saw."""

    rule_id: str
    status: Status
    message: Text
    title: Text = attrs.field(factory=lambda: Text("", ""))
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
        sv = lang == "sv" or (lang is None and Text("sv", "en").get() == "sv")
        if sv:
            head = (
                f"Bedömning av {self.subject} ({self.at.date().isoformat()}): "
                f"{total - len(gaps)} av {total} kriterier uppfyllda"
            )
        else:
            head = (
                f"Assessment of {self.subject} ({self.at.date().isoformat()}): "
                f"{total - len(gaps)} of {total} criteria passed"
            )
        lines = [head]
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
                f"  {mark} {title} [{f.rule_id}] — {_STATUS_TEXT[f.status].get(lang)}: "
                f"{f.message.get(lang)}"
            )
        return "\n".join(lines)
