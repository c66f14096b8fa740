from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege import report
from teknikcollege.demo import COLLEGE, LEADER, OFFICE, REVIEWER
from teknikcollege.examples import stockholm_pilot
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.testing import seed
from teknikcollege.workflow import CERTIFICATION, COLLEGE_LIFECYCLE

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

ALL_ROLES = list(tc.Role)


@pytest.fixture(params=["memory", "sqlite"])
def registry(request: pytest.FixtureRequest, tmp_path, tc_clock: tc.FixedClock,  # type: ignore[no-untyped-def]
             tc_plugin_manager) -> Iterator[tc.Registry]:
    storage = MemoryStorage() if request.param == "memory" else SQLiteStorage(
        f"sqlite:///{tmp_path / 'r.db'}")
    reg = tc.Registry(storage, clock=tc_clock, plugin_manager=tc_plugin_manager(), config={})
    seed(reg, *stockholm_pilot().entities())
    yield reg
    reg.close()


def open_college_case(registry: tc.Registry) -> str:
    return registry.open_case("certification", COLLEGE, actor=LEADER).id


@pytest.mark.parametrize("definition", [COLLEGE_LIFECYCLE, CERTIFICATION], ids=lambda d: d.name)
def test_every_trigger_is_refused_to_every_role_not_allowed_it(
    definition: tc.WorkflowDefinition, tc_stockholm: tc.Registry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = tc_stockholm
    admin = tc.Actor.of("admin", tc.Role.ADMIN)
    case = registry.open_case(definition.name, COLLEGE, actor=admin).id
    refused = 0
    for spec in definition.transitions:
        for role in ALL_ROLES:
            if role in spec.roles:
                continue
            actor = tc.Actor.of(f"someone-{role.value}", role)
            with caplog.at_level(logging.WARNING, logger="teknikcollege.audit"), \
                    pytest.raises(tc.PermissionDenied) as info:
                registry.fire(case, spec.trigger, actor=actor)
            assert set(info.value.allowed) == {r.value for r in spec.roles}
            assert actor.id in str(info.value) and spec.trigger in str(info.value)
            refused += 1
    assert refused == sum(len(ALL_ROLES) - len(t.roles) for t in definition.transitions)
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) == refused
    assert [r.trigger for r in registry.history(case)] == ["open"]


def reach_review(registry: tc.Registry) -> str:
    case = open_college_case(registry)
    registry.add(
        tc.InterestRegistration("ir", tc.InterestKind.CERTIFICATION, "stockholm", "x",
                                date(2024, 1, 1), units=(COLLEGE,), contact_person_id="p-leader",
                                steering_group_approved=True),
        tc.Application("app", case, date(2024, 1, 1), tuple(
            tc.Document(k, k.value, date(2024, 1, 1)) for k in tc.DocumentKind),
            date(2024, 1, 1)),
        actor=ADMIN)
    for trigger, actor in [("approve_interest", OFFICE), ("submit_application", LEADER),
                           ("start_review", OFFICE)]:
        registry.fire(case, trigger, actor=actor)
    return case


def test_a_reviewer_cannot_decide_on_their_own_college(tc_stockholm: tc.Registry) -> None:
    case = reach_review(tc_stockholm)
    # The chair of Stockholm's steering group is also in the national reviewer pool.
    chair = tc_stockholm.get(tc.Person, "p-chair")
    tc_stockholm.save(attrs.evolve(chair, roles=chair.roles | {tc.Role.REVIEWER}), actor=ADMIN)
    chair_as_reviewer = tc.Actor.of("p-chair", tc.Role.REVIEWER)
    with pytest.raises(tc.PermissionDenied, match="sits in one of its steering groups"):
        tc_stockholm.fire(case, "hold_visit", actor=chair_as_reviewer)
    refusal = tc_stockholm.refusals()[-1]
    assert (refusal.actor_id, refusal.action, refusal.target) == ("p-chair", "hold_visit", case)
    options = {o.trigger: o for o in tc_stockholm.available(case, chair_as_reviewer)}
    assert options["hold_visit"].permitted is False
    options = {o.trigger: o for o in tc_stockholm.available(case, REVIEWER)}
    assert options["hold_visit"].permitted is True
    assert options["hold_visit"].possible is False  # no visit recorded yet
    assert "no review visit is recorded" in options["hold_visit"].findings[0].message.en


def test_opening_cases_needs_a_role_and_a_college(tc_stockholm: tc.Registry) -> None:
    with pytest.raises(tc.PermissionDenied):
        tc_stockholm.open_case("certification", COLLEGE, actor=REVIEWER)
    with pytest.raises(tc.InvalidData, match="college 'nowhere' does not exist"):
        tc_stockholm.open_case("certification", tc.UnitRef(tc.UnitKind.COLLEGE, "nowhere"),
                               actor=LEADER)
    with pytest.raises(tc.InvalidData, match="unknown workflow"):
        tc_stockholm.open_case("nope", COLLEGE, actor=LEADER)
    with pytest.raises(tc.InvalidData, match="does not apply to a unit of kind 'programme'"):
        tc_stockholm.open_case("college-lifecycle",
                               tc.UnitRef(tc.UnitKind.PROGRAMME, "cnc-operator"), actor=LEADER)
    first = open_college_case(tc_stockholm)
    with pytest.raises(tc.CaseExists, match=first):
        open_college_case(tc_stockholm)


def test_guards_report_every_failing_finding(registry: tc.Registry) -> None:
    case = open_college_case(registry)
    registry.add(tc.InterestRegistration(
        "ir", tc.InterestKind.CERTIFICATION, "stockholm", "region-stockholm", date(2024, 1, 1),
        units=(COLLEGE,), contact_person_id="p-leader", steering_group_approved=True),
        actor=ADMIN)
    registry.fire(case, "approve_interest", actor=OFFICE)
    registry.add(tc.Application("app", case, date(2024, 1, 1), (
        tc.Document(tc.DocumentKind.OPERATIONAL_PLAN, "Plan", date(2024, 1, 1)),)),
        actor=ADMIN)
    with pytest.raises(tc.TransitionNotAllowed) as info:
        registry.fire(case, "submit_application", actor=LEADER)
    (finding,) = info.value.findings
    assert "documents missing: action_plan_local" in finding.message.en
    assert "the regional steering group has not approved" in finding.message.en
    assert registry.case(case).state == "interest_approved"


def test_a_stale_version_is_refused_and_nothing_changes(registry: tc.Registry) -> None:
    case = open_college_case(registry)
    version = registry.version(tc.Case, case)
    with pytest.raises(tc.ConcurrentUpdate, match="read it again"):
        registry.fire(case, "withdraw", actor=LEADER, expected_version=version + 1)
    assert registry.case(case).state == "interest_registered"
    college = registry.get(tc.College, "stockholm")
    v = registry.version(tc.College, "stockholm")
    registry.save(college, expected_version=v, actor=ADMIN)
    with pytest.raises(tc.ConcurrentUpdate):
        registry.save(college, expected_version=v, actor=ADMIN)


def test_missing_and_duplicate_entities(registry: tc.Registry) -> None:
    with pytest.raises(tc.NotFound, match="college 'x' does not exist"):
        registry.get(tc.College, "x")
    with pytest.raises(tc.ConcurrentUpdate):
        registry.add(stockholm_pilot().colleges[0], actor=ADMIN)
    orphan = tc.Programme("p", "P", tc.ProgrammeForm.VOCATIONAL_ADULT, 40, "lernia", "nowhere")
    with pytest.raises(tc.InvalidData, match="college_id: college 'nowhere' does not exist"):
        registry.add(orphan, actor=ADMIN)
    with pytest.raises(tc.NotFound):
        registry.fire("no-such-case", "approve", actor=OFFICE)


class BrokenRule:
    @tc.hookimpl
    def teknikcollege_extend_workflow(self, definition: tc.WorkflowDefinition
                                      ) -> tc.WorkflowDefinition | None:
        if definition.name == "certification":
            return definition.extended(guards={"withdraw": ["explodes"]})
        return None

    @tc.hookimpl
    def teknikcollege_rules(self) -> list[tc.Rule]:
        @tc.rule("explodes", rule_set="x", version="1", title=tc.Text("B", "B"),
                 description=tc.Text("B", "B"), applies_to=["case"])
        def explodes(case: Any, context: Any) -> Any:
            return 1 / 0

        return [explodes]


def test_a_rule_that_raises_blocks_its_transition_and_the_engine_survives(
    tc_plugin_manager, tc_clock: tc.FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    registry = tc.Registry(MemoryStorage(), clock=tc_clock,
                           plugin_manager=tc_plugin_manager(BrokenRule()), config={})
    seed(registry, *stockholm_pilot().entities())
    case = open_college_case(registry)
    with pytest.raises(tc.TransitionNotAllowed) as info:
        registry.fire(case, "withdraw", actor=LEADER)
    (finding,) = info.value.findings
    assert finding.status is tc.Status.ERROR and "ZeroDivisionError" in finding.message.en
    assert registry.case(case).state == "interest_registered"
    assert len(registry.history(case)) == 1


class FailingStorage(MemoryStorage):
    """Fails after the n-th write of a transaction (storage dying half-way)."""

    fail_after: int | None = None

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Any]:
        with super().transaction(write=write) as tx:
            if self.fail_after is None:
                yield tx
                return
            writes = [0]
            for name in ("put", "append_history", "enqueue"):
                original = getattr(tx, name)

                def wrapped(*a: Any, _original: Any = original, **k: Any) -> Any:
                    writes[0] += 1
                    if writes[0] > self.fail_after:  # type: ignore[operator]
                        raise OSError("disk gone")
                    return _original(*a, **k)

                setattr(tx, name, wrapped)
            yield tx


@pytest.mark.parametrize("fail_after", [0, 1, 2])
def test_storage_failing_half_way_applies_nothing(fail_after: int, tc_clock: tc.FixedClock,
                                                  tc_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    storage = FailingStorage()
    registry = tc.Registry(storage, clock=tc_clock, plugin_manager=tc_plugin_manager(),
                           config={})
    seed(registry, *stockholm_pilot().entities())
    case = open_college_case(registry)
    before = storage.snapshot()
    storage.fail_after = fail_after
    with pytest.raises(OSError, match="disk gone"):
        registry.fire(case, "withdraw", actor=LEADER)
    storage.fail_after = None
    assert storage.snapshot() == before
    registry.fire(case, "withdraw", actor=LEADER)
    assert [r.trigger for r in registry.history(case)] == ["open", "withdraw"]


def test_a_full_disk_on_sqlite_leaves_the_transition_unapplied(
    tmp_path, tc_clock: tc.FixedClock, tc_plugin_manager,  # type: ignore[no-untyped-def]
) -> None:
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'full.db'}")
    registry = tc.Registry(storage, clock=tc_clock, plugin_manager=tc_plugin_manager(),
                           config={})
    seed(registry, *stockholm_pilot().entities())
    case = open_college_case(registry)
    pages = storage._db.execute("PRAGMA page_count").fetchone()[0]
    storage._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        registry.fire(case, "withdraw", actor=LEADER, note="x" * 9_000)
    storage._db.execute("PRAGMA max_page_count = 1073741823")
    assert registry.case(case).state == "interest_registered"
    assert len(registry.history(case)) == 1
    assert registry.outbox() == []
    registry.fire(case, "withdraw", actor=LEADER)
    registry.close()


NASTY = ["'); DROP TABLE entities; --", "<script>alert('x')</script>", 'a"b\\c', "Å&Ö<>|"]


@pytest.mark.parametrize("text", NASTY)
def test_sql_and_markup_are_stored_and_shown_back_intact(registry: tc.Registry,
                                                         text: str) -> None:
    college = registry.get(tc.College, "stockholm")
    import attrs

    registry.save(attrs.evolve(college, name=text), actor=ADMIN)
    case = open_college_case(registry)
    registry.fire(case, "withdraw", actor=LEADER, note=text)
    assert registry.get(tc.College, "stockholm").name == text
    assert registry.history(case)[-1].note == text
    assert registry.find(tc.College, name=text)[0].id == "stockholm"
    page = report.to_html(registry, "stockholm")
    assert ("<script>" not in page and "&lt;script&gt;" in page) or "<script" not in text
    assert registry.export_document()["colleges"][0]["name"] == text


def test_erasing_a_person_keeps_history_replayable(registry: tc.Registry) -> None:
    case = open_college_case(registry)
    registry.fire(case, "withdraw", actor=LEADER, note="changed our mind")
    with pytest.raises(tc.PermissionDenied):
        registry.erase_person("p-leader", actor=LEADER)
    exported = registry.export_person("p-leader")
    assert exported["person"]["email"] == "processledare@example.org"
    assert exported["process_leader_of"] == ["stockholm"]
    assert [a["trigger"] for a in exported["actions"]] == ["open", "withdraw"]
    erased = registry.erase_person("p-leader", actor=tc.Actor.of("admin", tc.Role.ADMIN))
    assert erased.is_erased
    document = registry.export_document()
    assert "processledare@example.org" not in str(document)
    assert "Kim Processledare" not in str(document)
    assert [r.actor_id for r in registry.history(case)] == ["p-leader", "p-leader"]
    assert registry.replay(case).state == registry.case(case).state == "withdrawn"


def test_import_is_all_or_nothing(registry: tc.Registry) -> None:
    document = registry.export_document()
    before = registry.export_document()
    document["programmes"].append(dict(document["programmes"][0], id="new-one"))
    document["colleges"][0]["municipalities"].append("0999")
    with pytest.raises(tc.InvalidData):
        registry.import_document(document, actor=ADMIN)
    assert registry.export_document() == before


def test_export_then_import_into_an_empty_registry_gives_the_same_data(
    registry: tc.Registry, tc_clock: tc.FixedClock, tc_plugin_manager,  # type: ignore[no-untyped-def]
) -> None:
    case = open_college_case(registry)
    registry.fire(case, "withdraw", actor=LEADER)
    document = registry.export_document()
    other = tc.Registry(MemoryStorage(), clock=tc_clock, plugin_manager=tc_plugin_manager(),
                        config={})
    assert other.import_document(document, actor=ADMIN) > 20
    assert other.export_document() == document
    assert other.replay(case).state == "withdrawn"


def test_tick_touches_only_what_is_due(registry: tc.Registry, tc_clock: tc.FixedClock) -> None:
    registry.add(*(tc.Organisation(f"u{i}", f"Anordnare {i}",
                                   tc.OrganisationKind.EDUCATION_PROVIDER,
                                   provider_kind=tc.ProviderKind.COORDINATOR)
                   for i in range(20)), actor=ADMIN)
    cases = [registry.open_case("certification", tc.UnitRef(tc.UnitKind.PROVIDER, f"u{i}"),
                                actor=LEADER, college_id="stockholm").id for i in range(20)]
    assert registry.tick().examined == 0
    admin = tc.Actor.of("admin", tc.Role.ADMIN)
    for case in cases[:3]:
        registry.add(tc.Application(f"a-{case}", case, date(2024, 1, 1), (
            tc.Document(tc.DocumentKind.SELF_ASSESSMENT_LOCAL, "s", date(2024, 1, 1)),),
            date(2024, 1, 1)),
            actor=ADMIN)
        registry.add(tc.ReviewVisit(f"v-{case}", case, date(2024, 1, 1),
                                    ("p-reviewer", "p-reviewer-2"),
                                    national_office_id="p-office", pool_id="review-committee"),
                                    actor=ADMIN)
        registry.add(tc.InterestRegistration(
            f"i-{case}", tc.InterestKind.CERTIFICATION, "stockholm", "x", date(2024, 1, 1),
            units=(registry.case(case).subject,), contact_person_id="p-leader",
            steering_group_approved=True),
            actor=ADMIN)
        for trigger in ("approve_interest", "submit_application", "start_review",
                        "hold_visit", "request_supplements"):
            registry.fire(case, trigger, actor=admin)
    assert registry.case(cases[0]).deadlines == {"supplements_due": date(2024, 4, 1)}
    tc_clock.set(date(2024, 2, 29))
    assert registry.tick().examined == 0
    tc_clock.set(date(2024, 3, 1))  # one month before: the reminder
    report = registry.tick()
    assert report.examined == 3 and report.fired == ()
    assert report.reminders == 3
    assert registry.tick().examined == 0  # each reminder once
    tc_clock.set(date(2024, 4, 1))  # the due day itself is still in time
    assert registry.tick().fired == ()
    tc_clock.set(date(2024, 4, 2))
    report = registry.tick()
    assert sorted(report.fired) == sorted((c, "lapse") for c in cases[:3])
    assert registry.tick().examined == 0


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(["open", "withdraw", "approve_interest"]), max_size=6))
def test_history_always_replays(steps: list[str]) -> None:
    registry = tc.Registry(MemoryStorage(), clock=tc.FixedClock(date(2024, 1, 1)), config={},
                           plugin_manager=tc.make_plugin_manager(entry_points=False))
    seed(registry, *stockholm_pilot().entities())
    case = None
    for step in steps:
        try:
            if step == "open":
                case = open_college_case(registry)
            elif case is not None:
                registry.fire(case, step, actor=tc.Actor.of("admin", tc.Role.ADMIN))
        except (tc.TransitionNotAllowed, tc.CaseExists):
            pass
    for c in registry.cases():
        assert registry.replay(c.id).state == c.state


def test_a_failed_import_into_sqlite_changes_nothing(tmp_path, tc_clock: tc.FixedClock,  # type: ignore[no-untyped-def]
                                                      tc_plugin_manager) -> None:
    registry = tc.Registry(SQLiteStorage(f"sqlite:///{tmp_path / 'i.db'}"), clock=tc_clock,
                           plugin_manager=tc_plugin_manager(), config={})
    seed(registry, *stockholm_pilot().entities())
    before = registry.export_document()
    document = registry.export_document()
    document["cases"] = [{"id": "c", "workflow": "certification", "subject": {
        "kind": "college", "id": "stockholm", "parent": None}, "college_id": "stockholm",
        "state": "nowhere", "opened": "2024-01-01T00:00:00+00:00", "deadlines": {},
        "certifications": [], "reminders_sent": []}]
    with pytest.raises(tc.InvalidData, match=r"cases\[0\]\.state: unknown state 'nowhere'"):
        registry.import_document(document, actor=ADMIN)
    assert registry.export_document() == before
    registry.close()


def test_the_log_notifier_writes_one_json_line_without_personal_data(
    tc_stockholm: tc.Registry, caplog: pytest.LogCaptureFixture,
) -> None:
    import json

    case = open_college_case(tc_stockholm)
    tc_stockholm.fire(case, "withdraw", actor=LEADER)
    with caplog.at_level(logging.INFO, logger="teknikcollege.notify"):
        assert tc_stockholm.deliver().delivered == 1
    (record,) = [r for r in caplog.records if r.name == "teknikcollege.notify"]
    line = json.loads(record.getMessage())
    assert line["title"] == "college:stockholm: Withdrawn"
    assert line["recipients"] == ["p-office"] and line["template"] == "withdraw"
    assert "kansli@example.org" not in record.getMessage()
    assert "Riks Kansli" not in record.getMessage()


def test_reminder_texts_exist_in_both_languages() -> None:
    from teknikcollege.notify import render

    n = tc.Notification("n", "reminder", "supplements_due", "c", "certification",
                        "college:x", "x", tc.clock.as_datetime(date(2024, 1, 1)),
                        data={"due": "2024-02-01"})
    sv, en = render(n, "sv"), render(n, "en")
    assert sv[0] == "Påminnelse om kompletteringar: college:x" and "2024-02-01" in sv[1]
    assert en[0] == "Supplements reminder: college:x" and "2024-02-01" in en[1]


def test_expiry_during_awaited_supplements_does_not_stop_the_sweep(
    tc_stockholm: tc.Registry, tc_clock: tc.FixedClock,
) -> None:
    """Both the certification and the supplements deadline pass before one sweep."""
    registry = tc_stockholm
    case = reach_review(registry)
    registry.add(tc.ReviewVisit("v", case, date(2024, 1, 1), ("p-reviewer", "p-reviewer-2"),
                                 national_office_id="p-office", pool_id="review-committee"),
                                 actor=ADMIN)
    for rule_id in ("industry-skills-needs", "learning-environment", "education-within-tc"):
        registry.record_judgement(tc.Judgement(f"j-{rule_id}", rule_id, "stockholm",
                                               "p-reviewer", date(2024, 1, 1), tc.Outcome.PASSED,
                                               "seen"), actor=REVIEWER)
    registry.add(tc.AnnualReport("ar", "stockholm", 2023, tc.ReportLevel.REGIONAL,
                                 date(2024, 1, 1)),
                 tc.SatisfactionSurvey("s", "stockholm", 2023, 1, 1, 1),
                                 actor=ADMIN)
    for trigger, actor in [("hold_visit", REVIEWER), ("issue_protocol", REVIEWER),
                           ("approve", OFFICE)]:
        registry.fire(case, trigger, actor=actor)
    assert registry.case(case).deadlines["valid_until"] == date(2026, 12, 31)
    tc_clock.set(date(2026, 7, 1))
    assert [t for _, t in registry.tick().fired] == ["open_recertification"]
    registry.add(tc.ReviewVisit("v2", case, date(2026, 7, 1), ("p-reviewer", "p-reviewer-2"),
                                 national_office_id="p-office", pool_id="review-committee",
                                 round=2),
                                 actor=ADMIN)
    for trigger, actor in [("submit_application", LEADER), ("start_review", OFFICE),
                           ("hold_visit", REVIEWER), ("request_supplements", REVIEWER)]:
        registry.fire(case, trigger, actor=actor)
    assert registry.case(case).deadlines["supplements_due"] == date(2026, 10, 1)
    tc_clock.set(date(2027, 3, 1))  # past both the supplements and the validity
    report = registry.tick()
    assert [t for _, t in report.fired] == ["lapse"]  # lapsed first; nothing left to expire
    assert registry.case(case).state == "lapsed"
    assert registry.replay(case).state == "lapsed"
