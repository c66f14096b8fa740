"""The default texts of notifications, in Swedish and English."""

from __future__ import annotations

from .._text import N_, Language, Text, _
from .port import Notification

# English message ids, translated when a notification is rendered (not on import).
_REMINDERS = {
    "protocol_overdue": (
        N_("Protocol overdue: {subject}"),
        N_("The protocol after the review visit was due by {due}."),
    ),
    "supplements_due": (
        N_("Supplements reminder: {subject}"),
        N_("The supplements are due by {due}. Ask for a postponement if that cannot be met."),
    ),
    "certification_expiring": (
        N_("Certification expiring: {subject}"),
        N_("The certification is valid until {due}. Recertification needs to start."),
    ),
    "follow_up_due": (
        N_("Yearly follow-up due: {subject}"),
        N_("The yearly follow-up is due by {due}. Not yet on record: {items}."),
    ),
    "operational_plan_due": (
        N_("Operational plan due: {subject}"),
        N_("The year's operational plan is due by {due}. Not yet on record: {items}."),
    ),
    "reapplication_due": (
        N_("Re-application due: {subject}"),
        N_("The re-application for the next period is due by {due}."),
    ),
    "reapplication_overdue": (
        N_("Re-application overdue: {subject}"),
        N_("The re-application for the next period was due by {due}."),
    ),
}

_TRANSITION = (
    N_("{subject}: {to}"),
    N_("Case {case} moved from {from} to {to} ({trigger}, {at}).{note}"),
)


def render_text(notification: Notification) -> tuple[Text, Text]:
    """The subject line and body of `notification`, in both languages."""
    data = dict(notification.data)
    values: dict[str, object] = {
        "subject": notification.subject,
        "case": notification.case_id,
        "due": data.get("due", ""),
        "trigger": notification.template,
        "from": Text(data.get("from_sv", data.get("from", "")), data.get("from", "")),
        "to": Text(data.get("to_sv", data.get("to", "")), data.get("to", "")),
        "at": data.get("at", ""),
        "note": f" {data['note']}" if data.get("note") else "",
        "items": Text(data.get("items_sv", data.get("items", "")), data.get("items", "")),
    }
    subject, body = (
        _REMINDERS.get(notification.template, _TRANSITION)
        if notification.kind == "reminder"
        else _TRANSITION
    )
    return _(subject).format(**values), _(body).format(**values)


def render(notification: Notification, lang: Language) -> tuple[str, str]:
    """The subject line and body of `notification` in `lang`."""
    subject, body = render_text(notification)
    return subject.get(lang), body.get(lang)
