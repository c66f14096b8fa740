"""Deadlines by name, for people: what the built-in workflows wait for."""

from __future__ import annotations

from .._text import N_, Text, _

DEADLINES = {
    "protocol_due": N_("protocol due"),
    "supplements_due": N_("supplements due"),
    "valid_until": N_("valid until"),
    "recertification_opens": N_("recertification opens"),
    "follow_up_due": N_("yearly follow-up due"),
    "reapplication_due": N_("re-application due"),
}
"""The built-in workflows' deadlines for people (a plug-in's own show their names)."""


def deadline_title(name: str) -> Text:
    """A deadline's name for people, in both languages."""
    msgid = DEADLINES.get(name)
    return _(msgid) if msgid else Text(name, name)
