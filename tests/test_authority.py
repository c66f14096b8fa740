"""Authority from the registry's own people, and a history that shows tampering."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import attrs
import pytest
import walks

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.services.trust import verify_document
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

STOCKHOLM = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
LEADER = tc.Actor.of("p-leader", "process_leader")
OFFICE = tc.Actor.of("p-office", "national_office")


def _content(registry: tc.Registry) -> dict[str, object]:
    """Everything stored but the refusals."""
    return registry.export_document()


@pytest.mark.parametrize(
    "claimed",
    [
        tc.Actor.of("anyone", "system"),
        tc.Actor.of("p-leader", "system"),
        tc.Actor.of("anyone", "national_office"),
        tc.Actor.of("p-co2", "process_leader"),  # a member claiming to lead
    ],
)
def test_claimed_roles_grant_nothing(tc_stockholm: tc.Registry, claimed: tc.Actor) -> None:
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    before = _content(tc_stockholm)
    for trigger in ("withdraw", "expire", "approve_interest"):
        with pytest.raises(tc.PermissionDenied):
            tc_stockholm.fire(case, trigger, actor=claimed)
    assert _content(tc_stockholm) == before
    refusals = tc_stockholm.refusals()
    assert [(r.actor_id, r.target) for r in refusals[-3:]] == [(claimed.id, case)] * 3


def test_a_process_leader_of_another_college_cannot_touch_stockholm(
    tc_stockholm: tc.Registry,
) -> None:
    other = walks.uppsala()
    tc_stockholm.add(tc.Person("p-upp", "Uma Uppsala"), other, actor=ADMIN)
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    # Leads a college, but not this one.
    with pytest.raises(tc.PermissionDenied):
        tc_stockholm.fire(case, "withdraw", actor=tc.Actor.of("p-upp", "process_leader"))
    uppsala = tc_stockholm.open_case(
        "certification", tc.UnitRef(tc.UnitKind.COLLEGE, "uppsala"), actor=tc.Actor.of("p-upp")
    )
    assert uppsala.college_id == "uppsala"


def test_a_reviewer_employed_by_a_partner_company_is_refused(tc_stockholm: tc.Registry) -> None:
    tc_stockholm.add(
        tc.Person(
            "p-scania-rev", "Sam Scania", frozenset({tc.Role.REVIEWER}), organisation_id="scania"
        ),
        actor=ADMIN,
    )
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    options = {o.trigger: o for o in tc_stockholm.available(case, tc.Actor.of("p-scania-rev"))}
    assert not any(o.permitted for o in options.values())
    with pytest.raises(tc.PermissionDenied, match="works for 'scania'"):
        tc_stockholm.record_judgement(
            tc.Judgement(
                "j",
                "learning-environment",
                "stockholm",
                "p-scania-rev",
                date(2022, 1, 1),
                tc.Outcome.PASSED,
                "good",
            ),
            actor=tc.Actor.of("p-scania-rev", "reviewer"),
        )


def test_a_sweep_later_than_the_clock_is_refused_and_stored(tc_stockholm: tc.Registry) -> None:
    tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER)
    before = _content(tc_stockholm)
    with pytest.raises(tc.PermissionDenied, match="later than the registry's clock"):
        tc_stockholm.tick(date(2099, 1, 1))
    assert _content(tc_stockholm) == before
    assert tc_stockholm.refusals()[-1].action == "tick"
    assert tc_stockholm.tick().examined >= 0  # now is fine


def test_a_sweep_refused_by_a_fraction_of_a_second_shows_two_different_times() -> None:
    noon = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    registry = tc.Registry.open("memory:", clock=tc.FixedClock(noon))
    with pytest.raises(tc.PermissionDenied) as refused:
        registry.tick(noon.replace(microsecond=1))
    text = refused.value.message("en")
    assert "at 2026-03-01T12:00:00.000001+00:00: that is later than the registry's clock " \
        "(2026-03-01T12:00:00.000000+00:00)" in text, text
    with pytest.raises(tc.PermissionDenied) as refused:
        registry.tick(datetime(2026, 3, 1, 12, 0, 5, 250, tzinfo=timezone.utc))
    assert "at 2026-03-01T12:00:05+00:00: that is later" in refused.value.message("en")


def test_history_records_the_roles_held_not_those_claimed(tc_stockholm: tc.Registry) -> None:
    claiming_everything = tc.Actor.of("p-leader", *[r for r in tc.Role if r is not tc.Role.SYSTEM])
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    record = tc_stockholm.fire(case, "withdraw", actor=claiming_everything)
    assert record.actor_roles == frozenset({tc.Role.PROCESS_LEADER})


def test_only_one_first_administrator(tc_stockholm: tc.Registry) -> None:
    with pytest.raises(tc.PermissionDenied, match="already has an administrator"):
        tc_stockholm.create_admin(tc.Person("mallory", "Mallory"))
    with pytest.raises(tc.NotFound):
        tc_stockholm.get(tc.Person, "mallory")


# -- the hash chain ----------------------------------------------------------------------


def test_every_chain_verifies_and_names_its_head(tc_stockholm: tc.Registry) -> None:
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    tc_stockholm.fire(case, "withdraw", actor=LEADER, note="changed our mind")
    (report,) = tc_stockholm.verify()
    history = tc_stockholm.history(case)
    assert report.ok and report.length == 2 and report.head == history[-1].hash
    assert history[1].prev_hash == history[0].hash
    assert verify_document(tc_stockholm.export_document()) == [report]


def test_one_changed_byte_is_found_and_named(tmp_path: Path, tc_clock: tc.FixedClock) -> None:
    url = f"sqlite:///{tmp_path / 'chain.db'}"
    with tc.Registry.open(url, clock=tc_clock, config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
        case = registry.open_case("certification", STOCKHOLM, actor=LEADER).id
        registry.fire(case, "withdraw", actor=LEADER, note="abc")
    db = sqlite3.connect(tmp_path / "chain.db")
    db.execute("UPDATE history SET data = replace(data, '\"abc\"', '\"abd\"') WHERE seq = 2")
    db.commit()
    db.close()
    with tc.Registry.open(url, clock=tc_clock, config={}) as registry:
        (report,) = registry.verify()
        assert (report.case_id, report.first_bad) == (case, 2)
        document = registry.export_document()
    document["history"][0]["note"] = "x"  # the first record changed in an export file
    assert [r.first_bad for r in verify_document(json.loads(json.dumps(document)))] == [1]


# -- dated roles -------------------------------------------------------------------------


def _leader_until(registry: tc.Registry, last_day: date) -> None:
    """Date p-leader's leadership of Stockholm: from 2021 to `last_day`."""
    leader = registry.get(tc.Person, "p-leader")
    term = tc.Appointment(
        tc.Role.PROCESS_LEADER, tc.Period(date(2021, 1, 1), last_day), college_id="stockholm"
    )
    registry.save(attrs.evolve(leader, appointments=(term,)), actor=ADMIN)


def test_a_role_is_held_only_within_its_appointment(
    tc_stockholm: tc.Registry, tc_clock: tc.FixedClock
) -> None:
    _leader_until(tc_stockholm, date(2024, 1, 31))
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id  # 2024-01-01
    tc_clock.set(date(2024, 2, 1))
    before = _content(tc_stockholm)
    with pytest.raises(tc.PermissionDenied):
        tc_stockholm.fire(case, "withdraw", actor=LEADER)
    assert _content(tc_stockholm) == before
    assert tc_stockholm.refusals()[-1].actor_id == "p-leader"
    # The Stockholm day decides: 23:30 UTC on 31 January is already 1 February there.
    tc_clock.set(datetime(2024, 1, 31, 23, 30, tzinfo=timezone.utc))
    with pytest.raises(tc.PermissionDenied):
        tc_stockholm.fire(case, "withdraw", actor=LEADER)
    tc_clock.set(datetime(2024, 1, 31, 22, 30, tzinfo=timezone.utc))
    assert tc_stockholm.fire(case, "withdraw", actor=LEADER).trigger == "withdraw"


def test_an_import_judges_each_record_by_the_roles_held_on_its_day(
    tc_stockholm: tc.Registry, tc_clock: tc.FixedClock
) -> None:
    _leader_until(tc_stockholm, date(2024, 1, 31))
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    tc_clock.set(date(2024, 1, 20))
    tc_stockholm.fire(case, "withdraw", actor=LEADER)
    document = tc_stockholm.export_document()
    # Long after the leadership ended, the document still replays: its records were
    # made while it lasted.
    tc_clock.set(date(2026, 1, 1))
    with tc.Registry(MemoryStorage(), clock=tc_clock, config={}) as fresh:
        assert fresh.import_document(document, actor=ADMIN) > 0
        assert fresh.case(case).state == tc_stockholm.case(case).state
    # A record dated after the leadership ended does not, and is named.
    forged = json.loads(json.dumps(document))
    record = next(r for r in forged["history"] if r["trigger"] == "withdraw")
    record["at"] = "2024-02-02T09:00:00+00:00"
    with tc.Registry(MemoryStorage(), clock=tc_clock, config={}) as fresh:
        refused = r"history\[1\]: does not replay: .p-leader. may not"
        with pytest.raises(tc.InvalidData, match=refused):
            fresh.import_document(forged, actor=ADMIN)
        assert fresh.find(tc.Case) == []


def test_an_appointment_is_checked_when_it_is_made() -> None:
    with pytest.raises(tc.InvalidData, match="names its college"):
        tc.Appointment(tc.Role.MEMBER, tc.Period(date(2024, 1, 1)))
    with pytest.raises(tc.InvalidData, match="names no college"):
        tc.Appointment(tc.Role.REVIEWER, tc.Period(date(2024, 1, 1)), college_id="stockholm")
    with pytest.raises(tc.InvalidData, match="system role"):
        tc.Appointment(tc.Role.SYSTEM, tc.Period(date(2024, 1, 1)))
    with pytest.raises(tc.InvalidData, match="not among the person's roles"):
        tc.Person(
            "p", "P", appointments=(tc.Appointment(tc.Role.REVIEWER, tc.Period(date(2024, 1, 1))),)
        )


INTEREST_DAY = date(2021, 9, 1)


def interest(id: str, kind: tc.InterestKind) -> tc.InterestRegistration:
    """Stockholm's interest registration of `kind`, registered by its process leader."""
    units = (STOCKHOLM,) if kind is tc.InterestKind.CERTIFICATION else ()
    return tc.InterestRegistration(
        id, kind, "stockholm", "region-stockholm", INTEREST_DAY, units=units,
        contact_person_id="p-leader",
    )


@pytest.mark.parametrize("kind", list(tc.InterestKind))
def test_only_the_national_office_answers_a_certification_interest(
    tc_stockholm: tc.Registry, kind: tc.InterestKind
) -> None:
    """The national association approves or declines a region's certification interest
    (approval makes it a member): its process leader may register and withdraw it, not
    answer it; a participation interest the college answers itself."""
    day = INTEREST_DAY
    registration = interest("ir-own", kind)
    tc_stockholm.add(registration, actor=LEADER)
    approved = attrs.evolve(registration, outcome=tc.InterestOutcome.APPROVED, decided=day)
    if kind is tc.InterestKind.CERTIFICATION:
        before = _content(tc_stockholm)
        with pytest.raises(tc.PermissionDenied, match="approves or declines"):
            tc_stockholm.save(approved, actor=LEADER)
        with pytest.raises(tc.PermissionDenied, match="approves or declines"):
            tc_stockholm.add(attrs.evolve(approved, id="ir-born-approved"), actor=LEADER)
        # The office answers it, and changes nothing else of it with the answer.
        with pytest.raises(tc.PermissionDenied):
            tc_stockholm.save(attrs.evolve(approved, contact_person_id="p-office"), actor=OFFICE)
        assert _content(tc_stockholm) == before
        tc_stockholm.save(approved, actor=OFFICE)
    else:
        tc_stockholm.save(approved, actor=LEADER)
    assert (
        tc_stockholm.get(tc.InterestRegistration, "ir-own").outcome is tc.InterestOutcome.APPROVED
    )
    withdrawn = attrs.evolve(
        interest("ir-withdrawn", kind), outcome=tc.InterestOutcome.WITHDRAWN, decided=day
    )
    tc_stockholm.add(withdrawn, actor=LEADER)
    assert tc_stockholm.get(tc.InterestRegistration, "ir-withdrawn") == withdrawn


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": None, "decided": None},  # cleared
        {"outcome": tc.InterestOutcome.WITHDRAWN},  # overwritten by a withdrawal
        {"kind": tc.InterestKind.PARTICIPATION, "units": ()},  # taken away with the kind
    ],
)
def test_the_national_offices_answer_stays_its_own(
    tc_stockholm: tc.Registry, change: dict[str, object]
) -> None:
    """Once the national office has declined a certification interest, its college
    cannot clear the answer, overwrite it or take it away by changing the kind; other
    fields it still keeps up to date."""
    day = INTEREST_DAY
    registration = interest("ir-own", tc.InterestKind.CERTIFICATION)
    tc_stockholm.add(registration, actor=LEADER)
    declined = attrs.evolve(registration, outcome=tc.InterestOutcome.DECLINED, decided=day)
    tc_stockholm.save(declined, actor=OFFICE)
    before = _content(tc_stockholm)
    with pytest.raises(tc.PermissionDenied, match="approves or declines"):
        tc_stockholm.save(attrs.evolve(declined, **change), actor=LEADER)
    assert _content(tc_stockholm) == before
    tc_stockholm.save(attrs.evolve(declined, expected_application=date(2022, 3, 1)), actor=LEADER)
