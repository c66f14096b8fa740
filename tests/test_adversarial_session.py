"""Holes found by an adversarial session on the history order, decided rounds and the
answer to a certification interest (see the commit messages)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import date

import attrs
import pytest
import walks
from walks import ADMIN, COLLEGE, LEADER, OFFICE, REVIEWER

import teknikcollege as tc


def test_a_providers_judgement_without_a_visit_is_refused_once_its_round_is_decided() -> None:
    # Counted in round 1 of the provider's case (it names no visit), dated on the day of
    # the approval, it would decide the approval differently when the export replays.
    day = date(2024, 9, 1)
    registry, clock = walks.stockholm(day)
    cases = walks.certify_tree(registry, clock, day)
    for case in cases.values():
        registry.fire(case, "approve", actor=OFFICE)
    late = tc.Judgement(
        "z-late", "provider-quality-work", "lernia", "p-reviewer", day, tc.Outcome.FAILED, "late"
    )
    with pytest.raises(tc.InvalidData, match="has been decided"):
        registry.record_judgement(late, actor=REVIEWER)
    with pytest.raises(tc.InvalidData, match="has been decided"):
        registry.add(late, actor=ADMIN)


def test_a_provider_judgement_for_a_later_case_is_still_taken() -> None:
    day = date(2024, 9, 1)
    registry, clock = walks.stockholm(day)
    cases = walks.certify_tree(registry, clock, day)
    for case in cases.values():
        registry.fire(case, "approve", actor=OFFICE)
    clock.set(date(2024, 11, 1))  # after the round was decided: it cannot count for it
    later = tc.Judgement(
        "z-later",
        "provider-quality-work",
        "lernia",
        "p-reviewer",
        date(2024, 11, 1),
        tc.Outcome.PASSED,
        "seen again",
    )
    registry.record_judgement(later, actor=REVIEWER)


def test_a_participation_interest_turned_into_certification_brings_no_approval() -> None:
    day = date(2024, 9, 1)
    registry, _clock = walks.stockholm(day)
    participation = tc.InterestRegistration(
        "ir-p",
        tc.InterestKind.PARTICIPATION,
        "stockholm",
        "region-stockholm",
        day,
        outcome=tc.InterestOutcome.APPROVED,
        decided=day,
    )
    registry.add(participation, actor=LEADER)  # its college answers a participation
    certification = attrs.evolve(
        participation,
        kind=tc.InterestKind.CERTIFICATION,
        units=(COLLEGE,),
        contact_person_id="p-leader",
        steering_group_approved=True,
    )
    with pytest.raises(tc.PermissionDenied):
        registry.save(certification, actor=LEADER)
    assert registry.get(tc.InterestRegistration, "ir-p").kind is tc.InterestKind.PARTICIPATION


def test_an_administrator_who_leads_the_college_does_not_answer_its_interest() -> None:
    day = date(2024, 9, 1)
    registry, _clock = walks.stockholm(day)
    leader = registry.get(tc.Person, "p-leader")
    registry.save(attrs.evolve(leader, roles=leader.roles | {tc.Role.ADMIN}), actor=ADMIN)
    both = tc.Actor.of("p-leader", tc.Role.ADMIN)
    interest = tc.InterestRegistration(
        "ir",
        tc.InterestKind.CERTIFICATION,
        "stockholm",
        "region-stockholm",
        day,
        units=(COLLEGE,),
        contact_person_id="p-leader",
        steering_group_approved=True,
    )
    registry.add(interest, actor=both)  # registering it is the college's own
    approved = attrs.evolve(interest, outcome=tc.InterestOutcome.APPROVED, decided=day)
    with pytest.raises(tc.PermissionDenied, match="leads the college"):
        registry.save(approved, actor=both)
    registry.save(approved, actor=ADMIN)  # an impartial administrator may


PG = os.environ.get("TEKNIKCOLLEGE_TEST_POSTGRES")


@pytest.mark.skipif(not PG, reason="TEKNIKCOLLEGE_TEST_POSTGRES is not set")
def test_a_postgres_store_of_schema_3_keeps_each_cases_order_when_migrated() -> None:
    # PostgreSQL kept no order of insertion: after a refused import (its rows rolled
    # back) and a vacuum, a later record fills the space before an earlier one.
    psycopg = pytest.importorskip("psycopg")
    from teknikcollege_postgres.storage import MIGRATIONS, PostgresStorage

    assert PG is not None
    schema = f"adv_{uuid.uuid4().hex[:12]}"

    def record(case_id: str, seq: int, at: str) -> str:
        return json.dumps({"case_id": case_id, "seq": seq, "at": at})

    insert = "INSERT INTO history (case_id, seq, data) VALUES (%s, %s, %s)"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"SET search_path TO {schema}")
        for statements in MIGRATIONS[:3]:
            for statement in statements:
                conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (3)")
        with pytest.raises(RuntimeError), conn.transaction():
            for i in range(2000):
                conn.execute(insert, (f"junk-{i}", 1, "{}"))
            raise RuntimeError  # an import refused: nothing of it kept
        conn.execute(insert, ("a", 1, record("a", 1, "2024-01-01T09:00:00+00:00")))
        conn.execute(insert, ("b", 1, record("b", 1, "2024-01-01T10:00:00+00:00")))
        conn.execute("VACUUM history")
        conn.execute(insert, ("a", 2, record("a", 2, "2024-01-02T09:00:00+00:00")))
    storage = PostgresStorage(f"{PG}?schema={schema}")
    try:
        with storage.transaction(write=False) as tx:
            rows = tx.history_appended(limit=10)
        assert [(json.loads(t)["case_id"], json.loads(t)["seq"]) for _p, t in rows] == [
            ("a", 1),
            ("b", 1),
            ("a", 2),
        ]
    finally:
        storage.close()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
