"""The SMTP notifier: renders a template per notification and sends one message."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate

import attrs
from jinja2 import Environment, PackageLoader, StrictUndefined

from teknikcollege import Notification, Person

from ._messages import N_, _

logger = logging.getLogger("teknikcollege.smtp")

DECISIONS = frozenset({"approve", "reject", "decertify", "lapse", "expire"})

_REMINDER_TITLES = {
    "supplements_due": N_("the supplements"),
    "certification_expiring": N_("the end of the certification"),
    "protocol_overdue": N_("the protocol"),
    "follow_up_due": N_("the yearly follow-up"),
    "operational_plan_due": N_("the operational plan"),
    "reapplication_due": N_("the re-application"),
    "reapplication_overdue": N_("the re-application"),
}
"""What a reminder is about, by its name (message ids, translated when a mail is made)."""


@attrs.frozen
class SMTPConfig:
    """Where and how to send; `password` is never shown in logs or repr."""

    host: str
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    sender: str = "teknikcollege@localhost"
    lang: str = "sv"
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SMTPConfig | None:
        """Read ``TEKNIKCOLLEGE_SMTP_*``; None when no host is set (the plug-in stays off)."""
        host = env.get("TEKNIKCOLLEGE_SMTP_HOST")
        if not host:
            return None
        starttls = env.get("TEKNIKCOLLEGE_SMTP_STARTTLS", "") not in ("", "0")
        lang = env.get("TEKNIKCOLLEGE_SMTP_LANG", "sv")
        return cls(
            host=host,
            port=int(env.get("TEKNIKCOLLEGE_SMTP_PORT") or (587 if starttls else 25)),
            starttls=starttls,
            user=env.get("TEKNIKCOLLEGE_SMTP_USER") or None,
            password=env.get("TEKNIKCOLLEGE_SMTP_PASSWORD") or None,
            sender=env.get("TEKNIKCOLLEGE_SMTP_FROM", "teknikcollege@localhost"),
            lang=lang if lang in ("sv", "en") else "sv",
        )


_templates = Environment(
    loader=PackageLoader("teknikcollege_smtp", "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)


def template_name(notification: Notification) -> str:
    """Which template renders `notification`."""
    if notification.kind == "reminder":
        return "deadline_reminder"
    if notification.template == "request_supplements":
        return "supplements_requested"
    if notification.template in DECISIONS:
        return "decision"
    return "transition"


def render(notification: Notification, lang: str) -> tuple[str, str]:
    """Subject and body of `notification` in `lang` (``sv`` or ``en``)."""
    data = dict(notification.data)
    sv = lang == "sv"
    msgid = _REMINDER_TITLES.get(notification.template)
    title = _(msgid).get("sv" if sv else "en") if msgid else notification.template
    values = {
        "subject": notification.subject,
        "case": notification.case_id,
        "from": data.get("from_sv" if sv else "from", data.get("from", "")),
        "to": data.get("to_sv" if sv else "to", data.get("to", "")),
        "note": data.get("note", ""),
        "due": data.get("due", ""),
        "valid_until": data.get("valid_until", ""),
        "title": title,
        "items": data.get("items_sv" if sv else "items", data.get("items", "")),
    }
    template = _templates.get_template(f"{template_name(notification)}.{lang}.txt")
    context = template.new_context(values)
    subject = "".join(template.blocks["subject"](context)).strip()
    body = "".join(template.blocks["body"](context)).strip() + "\n"
    return subject, body


class SMTPNotifier:
    """Sends each notification as one e-mail to the recipients who have an address."""

    name = "smtp"

    def __init__(self, config: SMTPConfig) -> None:
        self.config = config

    def message(self, notification: Notification, recipients: Sequence[Person]) -> EmailMessage:
        """The e-mail for `notification`."""
        subject, body = render(notification, self.config.lang)
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = ", ".join(p.email for p in recipients if p.email)
        message["Subject"] = subject
        message["Date"] = formatdate(notification.created_at.timestamp(), usegmt=True)
        message["Message-ID"] = f"<{notification.id}@teknikcollege>"
        message.set_content(body)
        message["Content-Language"] = self.config.lang  # after set_content, which clears it
        return message

    def send(self, notification: Notification, recipients: Sequence[Person]) -> None:
        """Send it; raises (and is retried later) when the server cannot be reached."""
        addressed = [p for p in recipients if p.email]
        if not addressed:
            logger.info("notification %s: no recipient with an e-mail address", notification.id)
            return
        message = self.message(notification, addressed)
        cfg = self.config
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.user and cfg.password:
                smtp.login(cfg.user, cfg.password)
            smtp.send_message(message)
        logger.info("notification %s sent to %d recipient(s)", notification.id, len(addressed))
