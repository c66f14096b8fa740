"""Import is a replay (issue #14, "Every change goes through the workflow").

Each record of a document is fired again through the workflow, in the order it was made,
judged by what the store held on its day; a document that does not replay is refused with
``InvalidData`` naming the first record that fails, and the store's whole content is the
same before and after; no import changes a stored record or moves a case backwards.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
import walks
from walks import ADMIN, COLLEGE, LEADER, OFFICE, REVIEWER

import teknikcollege as tc
from teknikcollege.models import OperationalPlan
from teknikcollege.unit_of_work import record_hash

DAY = date(2025, 3, 3)
"""The day the college's certification is decertified and a new one granted."""


def copy(document: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(document))


def by_case(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with its history by case and number: the same records, whatever order
    they were appended in (a shuffled document is replayed in an order of its own)."""
    return {
        **document,
        "history": sorted(document["history"], key=lambda r: (r["case_id"], r["seq"])),
    }


def blank(day: date = DAY) -> tc.Registry:
    """A new store holding nothing (an import into it is the trusted bulk load)."""
    return tc.Registry.open("memory:", clock=tc.FixedClock(day), config={})


def unchanged(registry: tc.Registry, attempt: Callable[[], object], match: str) -> None:
    """`attempt` is refused with InvalidData matching `match`, and nothing changed."""
    before = registry.export_document()
    with pytest.raises(tc.InvalidData, match=match):
        attempt()
    assert registry.export_document() == before


def _new_certification(registry: tc.Registry, day: date) -> str:
    """A second certification case of the college, from interest to approval on `day`."""
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    documents = tuple(tc.Document(k, k.value, day) for k in tc.DocumentKind)
    registry.add(tc.Application("app-2", case, day, documents, day), actor=ADMIN)
    for trigger, actor in [
        ("approve_interest", OFFICE),
        ("submit_application", LEADER),
        ("start_review", OFFICE),
    ]:
        registry.fire(case, trigger, actor=actor)
    walks.visit(registry, case, "visit-2", day)
    walks.judge(registry, "j2", day, visit_id="visit-2")
    for trigger, actor in [
        ("hold_visit", REVIEWER),
        ("issue_protocol", REVIEWER),
        ("approve", OFFICE),
    ]:
        registry.fire(case, trigger, actor=actor)
    return case


@pytest.fixture(scope="module")
def decertified_and_again() -> tuple[dict[str, Any], dict[str, str]]:
    """The college certified on 2024-10-01 with its lifecycle; on 2025-03-03, at one
    instant (a fixed clock), decertified (the lifecycle loses its certification), a new
    case opened and approved (the lifecycle regains it). The export, and the case ids."""
    registry, clock = walks.stockholm(date(2024, 1, 1))
    life = registry.open_case("college-lifecycle", COLLEGE, actor=LEADER).id
    first = walks.certified(registry, clock)
    registry.fire(life, "certify", actor=OFFICE)
    clock.set(DAY)
    registry.add(OperationalPlan("plan-2025", "stockholm", 2025, date(2025, 1, 15)), actor=ADMIN)
    registry.fire(first, "decertify", actor=OFFICE, note="the criteria no longer hold")
    second = _new_certification(registry, DAY)
    assert [r.trigger for r in registry.history(life)] == [
        "open",
        "certify",
        "lose_certification",
        "regain_certification",
    ]
    assert len({r.at for r in registry.history(life)[2:]}) == 1  # one instant
    return registry.export_document(), {"life": life, "first": first, "second": second}


def _index(document: dict[str, Any], case_id: str, trigger: str) -> int:
    return next(
        i
        for i, r in enumerate(document["history"])
        if r["case_id"] == case_id and r["trigger"] == trigger
    )


# -- (a) records of one instant replay in the order they were made -----------------------


def test_records_of_one_instant_replay_in_their_chains_order(
    decertified_and_again: tuple[dict[str, Any], dict[str, str]],
) -> None:
    document, _ids = decertified_and_again
    # The document's order of cases and of history records says nothing: every order of
    # the cases, with the history as written and reversed, replays to the same store.
    for order in itertools.permutations(range(len(document["cases"]))):
        for history in (document["history"], document["history"][::-1]):
            shuffled = copy(document)
            shuffled["cases"] = [shuffled["cases"][i] for i in order]
            shuffled["history"] = copy({"h": history})["h"]
            target = blank()
            target.import_document(shuffled, actor=ADMIN)
            found = target.export_document()
            assert by_case(found) == by_case(document), (order, history[0]["seq"])


def test_a_tree_certified_in_one_instant_replays_in_any_order() -> None:
    # The college, its providers and programmes, each approved only under a certified
    # parent, and the lifecycle, all at one instant: many records wait for others.
    day = date(2024, 10, 1)
    registry, clock = walks.stockholm(day)
    life = registry.open_case("college-lifecycle", COLLEGE, actor=LEADER).id
    cases = walks.certify_tree(registry, clock, day)
    for unit in (COLLEGE, *walks.PROVIDERS, *walks.PROGRAMMES):
        registry.fire(cases[unit], "approve", actor=OFFICE)
    registry.fire(life, "certify", actor=OFFICE)
    document = registry.export_document()
    for turn in (lambda items: items[::-1], lambda items: items[1::2] + items[::2]):
        shuffled = copy(document)
        shuffled["cases"] = turn(shuffled["cases"])
        shuffled["history"] = turn(shuffled["history"])
        target = blank(day)
        target.import_document(shuffled, actor=ADMIN)
        assert by_case(target.export_document()) == by_case(document)
    target = blank(day)
    target.import_document(copy(document), actor=ADMIN)
    assert target.export_document() == document  # in the order it was made: as it was


# -- (b) a guard judges by what the store held on the record's day ------------------------


def test_a_guard_reads_another_case_as_it_stood_then(
    decertified_and_again: tuple[dict[str, Any], dict[str, str]],
) -> None:
    document, ids = decertified_and_again
    # A store already holds the college's cases, decertified since; the lifecycle's
    # certify of 2024-10-01 needed the certification as it stood on that day.
    without = copy(document)
    without["cases"] = [c for c in without["cases"] if c["id"] != ids["life"]]
    without["history"] = [r for r in without["history"] if r["case_id"] != ids["life"]]
    target = blank()
    target.import_document(without, actor=ADMIN)
    target.import_document(copy(document), actor=ADMIN)
    assert by_case(target.export_document()) == by_case(document)  # the lifecycle's last


def test_a_record_dated_after_a_step_does_not_hold_it(
    decertified_and_again: tuple[dict[str, Any], dict[str, str]],
) -> None:
    document, ids = decertified_and_again
    # The application was prepared four days after the step that needed it.
    forged = copy(document)
    (application,) = [a for a in forged["applications"] if a["case_id"] == ids["first"]]
    application["prepared"] = application["steering_group_approved_on"] = "2024-09-05"
    submit = _index(forged, ids["first"], "submit_application")
    target = blank()
    unchanged(
        target,
        lambda: target.import_document(forged, actor=ADMIN),
        rf"history\[{submit}\].*application",
    )
    # The same holds when the step is taken: an application dated tomorrow is not there.
    registry, clock = walks.stockholm(date(2024, 9, 1))
    registry.add(
        tc.InterestRegistration(
            "ir",
            tc.InterestKind.CERTIFICATION,
            "stockholm",
            "region-stockholm",
            date(2024, 9, 1),
            units=(COLLEGE,),
            contact_person_id="p-leader",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    tomorrow = date(2024, 9, 2)
    documents = tuple(tc.Document(k, k.value, tomorrow) for k in tc.DocumentKind)
    registry.add(tc.Application("app", case, tomorrow, documents, tomorrow), actor=ADMIN)
    registry.fire(case, "approve_interest", actor=OFFICE)
    with pytest.raises(tc.TransitionNotAllowed, match="application"):
        registry.fire(case, "submit_application", actor=LEADER)
    clock.set(tomorrow)
    registry.fire(case, "submit_application", actor=LEADER)


def test_a_judgement_by_a_conflicted_reviewer_does_not_replay_a_decision(
    decertified_and_again: tuple[dict[str, Any], dict[str, str]],
) -> None:
    document, ids = decertified_and_again
    forged = copy(document)
    for judgement in forged["judgements"]:
        judgement["reviewer_id"] = "p-co2"  # a member of the college's steering group
    approve = _index(forged, ids["first"], "approve")
    target = blank()
    unchanged(
        target,
        lambda: target.import_document(forged, actor=ADMIN),
        rf"history\[{approve}\].*unit-meets-criteria",
    )


# -- (c) a granted postponement travels --------------------------------------------------


def _postponed() -> tuple[tc.Registry, str]:
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)
    walks.visit(registry, case, "v1", date(2024, 12, 31))
    clock.set(date(2025, 1, 10))
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.fire(case, "request_supplements", actor=REVIEWER)
    clock.set(date(2025, 3, 16))
    registry.fire(
        case,
        "grant_postponement",
        actor=OFFICE,
        params={"new_due": "2025-08-29"},
        note="waiting for the municipal board",
    )
    return registry, case


def test_a_postponement_exports_and_imports_back_unchanged() -> None:
    registry, case = _postponed()
    (granted,) = registry.find(tc.Postponement, case_id=case)
    registry.save(attrs.evolve(granted, reason="the board meets in August"), actor=ADMIN)
    document = registry.export_document()
    fresh = blank(date(2025, 3, 16))
    fresh.import_document(copy(document), actor=ADMIN)
    assert fresh.export_document() == document
    registry.import_document(copy(document), actor=ADMIN)  # into the same store
    assert registry.export_document() == document
    assert [p.reason for p in fresh.find(tc.Postponement, case_id=case)] == [
        "the board meets in August"
    ]


def test_a_postponement_no_step_granted_is_refused() -> None:
    registry, case = _postponed()
    forged = registry.export_document()
    forged["postponements"].append(dict(forged["postponements"][0], id=f"{case}-postponement-99"))
    target = blank(date(2025, 3, 16))
    unchanged(
        target,
        lambda: target.import_document(forged, actor=ADMIN),
        r"postponements\[1\]\.id: no step",
    )


# -- (d) an import never changes a stored record -----------------------------------------


def test_an_older_export_takes_nothing_back() -> None:
    registry, clock = walks.stockholm(date(2024, 1, 1))
    older = registry.export_document()
    clock.set(date(2024, 6, 1))
    leader = registry.get(tc.Person, "p-leader")
    term = tc.Appointment(
        tc.Role.PROCESS_LEADER,
        tc.Period(date(2020, 1, 1), date(2024, 5, 31)),
        college_id="stockholm",
    )
    registry.save(attrs.evolve(leader, appointments=(term,)), actor=ADMIN)
    people = [p["id"] for p in older["people"]]
    unchanged(
        registry,
        lambda: registry.import_document(copy(older), actor=ADMIN),
        rf"people\[{people.index('p-leader')}\]: differs from person 'p-leader'",
    )
    college = registry.get(tc.College, "stockholm")
    registry.save(attrs.evolve(college, name="Teknikcollege Storstockholm"), actor=ADMIN)
    older["people"] = registry.export_document()["people"]
    unchanged(
        registry,
        lambda: registry.import_document(copy(older), actor=ADMIN),
        r"colleges\[0\]: differs from college 'stockholm'",
    )
    # The same document again changes nothing, not even a version.
    now = registry.export_document()
    versions = {p["id"]: registry.version(tc.Person, p["id"]) for p in now["people"]}
    registry.import_document(copy(now), actor=ADMIN)
    assert {p["id"]: registry.version(tc.Person, p["id"]) for p in now["people"]} == versions


def test_an_erased_person_stays_erased() -> None:
    registry, _clock = walks.stockholm(date(2024, 1, 1))
    older = registry.export_document()
    registry.erase_person("p-co2", actor=ADMIN)
    registry.import_document(copy(older), actor=ADMIN)
    assert registry.get(tc.Person, "p-co2").is_erased


# -- an attacker's documents -------------------------------------------------------------


def _rehash(document: dict[str, Any], case_id: str) -> None:
    """Chain a case's records again, as a forger with the tools would."""
    prev = ""
    for record in sorted(
        (r for r in document["history"] if r["case_id"] == case_id), key=lambda r: r["seq"]
    ):
        record["prev_hash"] = prev
        record["hash"] = prev = record_hash(record)


def _swap_numbers(document: dict[str, Any], ids: dict[str, str]) -> None:
    first = [r for r in document["history"] if r["case_id"] == ids["first"]]
    first[2]["seq"], first[3]["seq"] = first[3]["seq"], first[2]["seq"]
    _rehash(document, ids["first"])


def _duplicate_decision(document: dict[str, Any], ids: dict[str, str]) -> None:
    first = [r for r in document["history"] if r["case_id"] == ids["first"]]
    approve = next(r for r in first if r["trigger"] == "approve")
    last = max(r["seq"] for r in first)
    document["history"].append(dict(approve, seq=last + 1))
    _rehash(document, ids["first"])


def _change_hash(document: dict[str, Any], ids: dict[str, str]) -> None:
    record = next(r for r in document["history"] if r["case_id"] == ids["first"])
    record["hash"] = "0" * 64


def _change_note(document: dict[str, Any], ids: dict[str, str]) -> None:
    record = next(
        r
        for r in document["history"]
        if r["case_id"] == ids["first"] and r["trigger"] == "decertify"
    )
    record["note"] = "never mind"


def _change_state(document: dict[str, Any], ids: dict[str, str]) -> None:
    next(c for c in document["cases"] if c["id"] == ids["second"])["state"] = "rejected"


def _extend_validity(document: dict[str, Any], ids: dict[str, str]) -> None:
    case = next(c for c in document["cases"] if c["id"] == ids["second"])
    case["certifications"][-1]["valid_until"] = "2099-12-31"


def _expire_early(document: dict[str, Any], ids: dict[str, str]) -> None:
    # The sweep "expired" the new certification the day after it was granted.
    second = [r for r in document["history"] if r["case_id"] == ids["second"]]
    last = second[-1]
    document["history"].append(
        dict(
            last,
            seq=last["seq"] + 1,
            trigger="expire",
            source="certified",
            dest="expired",
            actor_id="system",
            actor_roles=["system"],
            at="2025-03-04T00:00:00+00:00",
            note="",
            params={},
            findings=[],
        )
    )
    _rehash(document, ids["second"])
    next(c for c in document["cases"] if c["id"] == ids["second"])["state"] = "expired"


def _from_the_future(document: dict[str, Any], ids: dict[str, str]) -> None:
    _expire_early(document, ids)
    document["history"][-1]["at"] = "2031-01-01T00:00:00+00:00"
    _rehash(document, ids["second"])


def _drop_a_policy_record(document: dict[str, Any], ids: dict[str, str]) -> None:
    # The lifecycle never lost its certification: its record is taken out.
    document["history"] = [
        r for r in document["history"] if not (r["case_id"] == ids["life"] and r["seq"] >= 3)
    ]
    next(c for c in document["cases"] if c["id"] == ids["life"])["state"] = "certified"


def _a_policy_record_no_policy_made(document: dict[str, Any], ids: dict[str, str]) -> None:
    # The lifecycle's regain is said to follow the decertification.
    regain = next(
        r
        for r in document["history"]
        if r["case_id"] == ids["life"] and r["trigger"] == "regain_certification"
    )
    decertify = next(
        r
        for r in document["history"]
        if r["case_id"] == ids["first"] and r["trigger"] == "decertify"
    )
    regain["note"] = f"{ids['first']}: decertify ({decertify['seq']})"
    _rehash(document, ids["life"])


def _opened_another_day(document: dict[str, Any], ids: dict[str, str]) -> None:
    next(c for c in document["cases"] if c["id"] == ids["life"])["opened"] = (
        "2020-01-01T00:00:00+00:00"
    )


def _record(document: dict[str, Any], case_id: str, trigger: str) -> dict[str, Any]:
    return next(
        r for r in document["history"] if r["case_id"] == case_id and r["trigger"] == trigger
    )


def _another_destination(document: dict[str, Any], ids: dict[str, str]) -> None:
    _record(document, ids["first"], "decertify")["dest"] = "certified"  # "nothing happened"
    _rehash(document, ids["first"])


def _roles_not_held(document: dict[str, Any], ids: dict[str, str]) -> None:
    # The process leader "approved the interest as the national office".
    _record(document, ids["second"], "submit_application")["actor_roles"] = [
        "national_office",
        "process_leader",
    ]
    _rehash(document, ids["second"])


def _findings_made_up(document: dict[str, Any], ids: dict[str, str]) -> None:
    approve = _record(document, ids["second"], "approve")
    approve["findings"] = approve["findings"][:1]  # "only the criteria were judged"
    _rehash(document, ids["second"])


def _reminder_sent_early(document: dict[str, Any], ids: dict[str, str]) -> None:
    # "Sent" years ahead, so that it never is.
    case = next(c for c in document["cases"] if c["id"] == ids["second"])
    case["reminders_sent"] = [f"certification_expiring:{case['deadlines']['valid_until']}"]


def _not_unicode(document: dict[str, Any], ids: dict[str, str]) -> None:
    # A finding's data is free-form: a lone surrogate cannot be hashed (it escaped as
    # UnicodeEncodeError).
    _record(document, ids["second"], "approve")["findings"][0]["data"]["x"] = "a\udfffb"


def _string_for_a_list(document: dict[str, Any], ids: dict[str, str]) -> None:
    document["colleges"][0]["process_leaders"] = "p-leader"


def _control_character_in_an_id(document: dict[str, Any], ids: dict[str, str]) -> None:
    for record in document["history"]:
        if record["case_id"] == ids["life"]:
            record["case_id"] = ids["life"] + "\n"
    next(c for c in document["cases"] if c["id"] == ids["life"])["id"] += "\n"


STORED = ": differs from the stored history"
"""Over a store holding the true document, a changed record is not what it holds."""

ATTACKS: dict[str, tuple[Callable[[dict[str, Any], dict[str, str]], None], str]] = {
    "records swapped": (_swap_numbers, r"history\[\d+\]"),
    "a decision twice": (_duplicate_decision, r"history\[\d+\]: does not replay"),
    "a hash changed": (_change_hash, rf"history\[\d+\](\.hash|{STORED})"),
    "a record changed": (_change_note, rf"history\[\d+\](\.hash: does not match|{STORED})"),
    "a state that is not the history's": (_change_state, r"cases\[\d+\]\.state"),
    "a validity that is not the history's": (_extend_validity, r"cases\[\d+\]\.certifications"),
    "a sweep before its day": (_expire_early, r"history\[\d+\]\.trigger: 'expire' was not due"),
    "a record after the clock": (_from_the_future, r"history\[\d+\]\.at: .* after the registry"),
    "a policy's record dropped": (
        _drop_a_policy_record,
        r"history\[\d+\]: is followed by 'lose_certification'"
        r"|never moves a case backwards",
    ),
    "a policy's record no policy made": (
        _a_policy_record_no_policy_made,
        r"history\[\d+\]: names .* as its cause, which no "
        r"policy follows with 'regain_certification'"
        rf"|{STORED}",
    ),
    "opened another day": (_opened_another_day, r"cases\[\d+\]\.opened"),
    "a step said to go elsewhere": (
        _another_destination,
        r"history\[\d+\]\.dest: says "
        r"'certified', but the step gives "
        rf"'decertified'|{STORED}",
    ),
    "roles the person did not hold": (
        _roles_not_held,
        r"history\[\d+\]\.actor_roles: says national_office, "
        r"process_leader, but the person held and used "
        rf"process_leader|{STORED}",
    ),
    "findings made up": (_findings_made_up, rf"history\[\d+\]\.findings: names|{STORED}"),
    "a reminder sent before its day": (
        _reminder_sent_early,
        r"cases\[\d+\]\.reminders_sent\[0\]: no reminder "
        r"'certification_expiring:2028-03-02' can have been "
        r"sent by 2025-06-01",
    ),
    "text that is not Unicode": (_not_unicode, rf"history\[\d+\]\.hash: does not match|{STORED}"),
    "a string for a list": (_string_for_a_list, r"colleges\[0\]\.process_leaders"),
    "a newline in an id": (_control_character_in_an_id, r"cases\[\d+\]\.id"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attackers_document_is_refused_and_changes_nothing(
    attack: str,
    decertified_and_again: tuple[dict[str, Any], dict[str, str]],
) -> None:
    document, ids = decertified_and_again
    change, match = ATTACKS[attack]
    forged = copy(document)
    change(forged, ids)
    target = blank(date(2025, 6, 1))
    unchanged(target, lambda: target.import_document(forged, actor=ADMIN), match)
    # Over a store holding the true document, too.
    target.import_document(copy(document), actor=ADMIN)
    unchanged(target, lambda: target.import_document(copy(forged), actor=ADMIN), match)


def test_a_unit_is_certified_in_its_own_college_only() -> None:
    # A process leader of another college opened (and so could act on) a case of
    # Stockholm's programme by naming their own college; in an import, too.
    registry, _clock = walks.stockholm(date(2024, 1, 1))
    uppsala = walks.uppsala()
    registry.add(tc.Person("p-upp", "Uma Uppsala"), uppsala, actor=ADMIN)
    programme = tc.UnitRef(tc.UnitKind.PROGRAMME, "cnc-operator")
    unchanged(
        registry,
        lambda: registry.open_case(
            "certification", programme, actor=tc.Actor.of("p-upp"), college_id="uppsala"
        ),
        "belongs to college 'stockholm', not 'uppsala'",
    )
    case = registry.open_case("certification", programme, actor=LEADER)
    forged = registry.export_document()
    next(c for c in forged["cases"] if c["id"] == case.id)["college_id"] = "uppsala"
    _record(forged, case.id, "open")["actor_id"] = "p-upp"
    _rehash(forged, case.id)
    target = blank(date(2024, 1, 1))
    unchanged(
        target,
        lambda: target.import_document(forged, actor=ADMIN),
        r"history\[\d+\]\.college_id: programme:cnc-operator belongs to college "
        r"'stockholm', not 'uppsala'",
    )


@pytest.mark.slow
def test_a_big_document_that_does_not_replay_is_refused_in_time(tmp_path: Path) -> None:
    """About 50 MB a forger made up, 20,000 cases opened on one day, the last by no one:
    refused, naming that record, in time that grows with the document, not with its
    square (choosing each next record among 20,000 took minutes)."""
    registry, _clock = walks.stockholm(date(2024, 1, 1))
    document = registry.export_document()
    people = {p["id"] for p in document["people"]}
    programmes: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    template = document["programmes"][0]
    for i in range(20_000):
        programme = dict(template, id=f"prog-{i}")
        programmes.append(programme)
        case_id = f"case-{i:05d}"
        cases.append(
            {
                "id": case_id,
                "workflow": "certification",
                "subject": {"kind": "programme", "id": programme["id"]},
                "college_id": "stockholm",
                "state": "interest_registered",
                "opened": "2024-01-01T00:00:00+00:00",
            }
        )
        record = {
            "case_id": case_id,
            "seq": 1,
            "trigger": "open",
            "source": "",
            "dest": "interest_registered",
            "actor_id": "p-leader",
            "actor_roles": ["process_leader"],
            "at": "2024-01-01T00:00:00+00:00",
            "note": "x" * 2000,
            "params": {},
            "findings": [],
            "prev_hash": "",
        }
        record["hash"] = record_hash(record)
        history.append(record)
    # The last one was opened by no one the registry knows.
    history[-1]["actor_id"] = "p-nobody"
    history[-1]["hash"] = record_hash(history[-1])
    assert "p-nobody" not in people
    document["programmes"] += programmes
    document["cases"] = cases
    document["history"] = history
    assert len(json.dumps(document)) > 50_000_000
    url = f"sqlite:///{tmp_path / 'big.db'}"
    with tc.Registry.open(url, clock=tc.FixedClock(date(2024, 1, 1)), config={}) as target:
        start = time.perf_counter()
        with pytest.raises(tc.InvalidData, match=r"history\[19999\]: does not replay"):
            target.import_document(document, actor=ADMIN)
        assert time.perf_counter() - start < 150  # about 25 s here
        assert target.cases() == [] and target.find(tc.Programme) == []
