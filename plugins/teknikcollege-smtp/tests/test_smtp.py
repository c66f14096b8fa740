from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

import teknikcollege as tc
from teknikcollege.demo import COLLEGE, LEADER, OFFICE, REVIEWER
from teknikcollege.examples import stockholm_pilot
from teknikcollege.storage import MemoryStorage
from teknikcollege.testing import seed
from teknikcollege_smtp import SMTPConfig, SMTPNotifier

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes


class Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def inbox(port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    controller.stop()


def registry_for(port: int, lang: str, clock: tc.FixedClock) -> tc.Registry:
    env = {
        "TEKNIKCOLLEGE_SMTP_HOST": "127.0.0.1",
        "TEKNIKCOLLEGE_SMTP_PORT": str(port),
        "TEKNIKCOLLEGE_SMTP_LANG": lang,
        "TEKNIKCOLLEGE_SMTP_PASSWORD": "hemligt",
    }
    registry = tc.Registry(MemoryStorage(), clock=clock, config=env)
    seed(registry, *stockholm_pilot().entities())
    return registry


def protocol_with_supplements(registry: tc.Registry) -> str:
    registry.add(
        tc.InterestRegistration(
            "ir",
            tc.InterestKind.CERTIFICATION,
            "stockholm",
            "region-stockholm",
            date(2022, 3, 1),
            units=(COLLEGE,),
            contact_person_id="p-leader",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    registry.add(
        tc.Application(
            "app",
            case,
            date(2022, 9, 1),
            tuple(tc.Document(k, k.value, date(2022, 9, 1)) for k in tc.DocumentKind),
            date(2022, 9, 1),
        ),
        tc.ReviewVisit(
            "v",
            case,
            date(2022, 11, 7),
            ("p-reviewer", "p-reviewer-2"),
            national_office_id="p-office",
            pool_id="review-committee",
        ),
        actor=ADMIN,
    )
    for trigger, actor in [
        ("approve_interest", OFFICE),
        ("submit_application", LEADER),
        ("start_review", OFFICE),
        ("hold_visit", REVIEWER),
    ]:
        registry.fire(case, trigger, actor=actor)
    registry.fire(case, "request_supplements", actor=REVIEWER)
    return case


@pytest.mark.parametrize(
    ("lang", "subject", "phrase"),
    [
        ("sv", "Kompletteringar begärs: college:stockholm", "ska vara inne senast 2023-02-07"),
        ("en", "Supplements requested: college:stockholm", "are due by 2023-02-07"),
    ],
)
def test_messages_arrive_with_recipients_subject_and_language(
    inbox: Inbox,
    port: int,
    lang: str,
    subject: str,
    phrase: str,
) -> None:
    clock = tc.FixedClock(date(2022, 11, 7))
    registry = registry_for(port, lang, clock)
    case = protocol_with_supplements(registry)
    report = registry.deliver()
    assert report.dead == 0 and report.retrying == 0
    mails = [m for _, m in inbox.messages if m["Subject"] == subject]
    assert len(mails) == 1
    ((rcpt, mail),) = [(r, m) for r, m in inbox.messages if m["Subject"] == subject]
    assert sorted(rcpt) == [
        "lokal.ordforande@example.org",
        "ordforande@example.org",
        "processledare@example.org",
    ]
    assert phrase in mail.get_payload(decode=True).decode()
    assert mail["Message-ID"].startswith("<n-") and mail["Content-Language"] == lang
    assert case in mail.get_payload(decode=True).decode()
    registry.close()


def test_deadline_reminder_in_swedish(inbox: Inbox, port: int) -> None:
    clock = tc.FixedClock(date(2022, 11, 7))
    registry = registry_for(port, "sv", clock)
    protocol_with_supplements(registry)
    registry.deliver()
    inbox.messages.clear()
    clock.set(date(2023, 1, 7))
    assert registry.tick().reminders == 1
    registry.deliver(date(2023, 1, 7))
    ((_rcpt, mail),) = inbox.messages
    assert mail["Subject"] == "Påminnelse: kompletteringarna (college:stockholm)"
    assert "sista dag är 2023-02-07" in mail.get_payload(decode=True).decode()
    registry.close()


def test_server_down_then_up_delivers_exactly_once(port: int) -> None:
    clock = tc.FixedClock(date(2022, 11, 7))
    registry = registry_for(port, "en", clock)
    case = protocol_with_supplements(registry)  # the server is not running yet
    assert registry.case(case).state == "awaiting_supplements"  # the transition committed
    first = registry.deliver()
    assert first.delivered >= 1  # the log notifier is unaffected
    assert first.retrying >= 1 and first.dead == 0
    waiting = [(n.id, s) for n, who, s, _ in registry.outbox() if who == "smtp"]
    assert waiting and all(s == "pending" for _, s in waiting)
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert registry.deliver().delivered == 0  # backoff: not due yet
        clock.advance(days=1)
        second = registry.deliver()
        assert second.delivered == len(waiting)
        clock.advance(days=1)
        assert registry.deliver().delivered == 0  # acknowledged: never sent twice
    finally:
        controller.stop()
    ids = [m["Message-ID"] for _, m in handler.messages]
    assert len(ids) == len(set(ids)) == len(waiting)
    registry.close()


def test_password_is_never_shown() -> None:
    config = SMTPConfig.from_env(
        {"TEKNIKCOLLEGE_SMTP_HOST": "h", "TEKNIKCOLLEGE_SMTP_PASSWORD": "hemligt"}
    )
    assert config is not None and "hemligt" not in repr(config)
    assert "hemligt" not in repr(SMTPNotifier(config).config)
    assert SMTPConfig.from_env({}) is None
