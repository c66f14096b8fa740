"""The default texts of notifications, in Swedish and English."""

from __future__ import annotations

from .._text import Language, Text
from .port import Notification

_REMINDERS = {
    "protocol_overdue": (
        Text("Protokoll försenat: {subject}", "Protocol overdue: {subject}"),
        Text(
            "Protokollet efter granskningsbesöket skulle ha skickats senast {due}.",
            "The protocol after the review visit was due by {due}.",
        ),
    ),
    "supplements_due": (
        Text("Påminnelse om kompletteringar: {subject}", "Supplements reminder: {subject}"),
        Text(
            "Kompletteringarna ska vara inne senast {due}. Ansök om uppskov om det inte går.",
            "The supplements are due by {due}. Ask for a postponement if that cannot be met.",
        ),
    ),
    "certification_expiring": (
        Text("Certifieringen löper ut: {subject}", "Certification expiring: {subject}"),
        Text(
            "Certifieringen gäller till och med {due}. Återcertifieringen behöver påbörjas.",
            "The certification is valid until {due}. Recertification needs to start.",
        ),
    ),
}

_TRANSITION = (
    Text("{subject}: {to}", "{subject}: {to}"),
    Text(
        "Ärendet {case} har gått från {from} till {to} ({trigger}, {at}).{note}",
        "Case {case} moved from {from} to {to} ({trigger}, {at}).{note}",
    ),
)


def render(notification: Notification, lang: Language) -> tuple[str, str]:
    """The subject line and body of `notification` in `lang`."""
    data = dict(notification.data)
    values = {
        "subject": notification.subject,
        "case": notification.case_id,
        "due": data.get("due", ""),
        "trigger": notification.template,
        "from": data.get("from", ""),
        "to": data.get("to", ""),
        "at": data.get("at", ""),
        "note": f" {data['note']}" if data.get("note") else "",
    }
    if lang == "sv":
        values["from"] = data.get("from_sv", values["from"])
        values["to"] = data.get("to_sv", values["to"])
    subject, body = (
        _REMINDERS.get(notification.template, _TRANSITION)
        if notification.kind == "reminder"
        else _TRANSITION
    )
    return subject.format(**values).get(lang), body.format(**values).get(lang)
