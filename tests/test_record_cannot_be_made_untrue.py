"""Every way the list at the top of issue #14 made the record untrue, turned around.

Each attempt is refused with the documented error, and the store's whole content (its
export: entities, cases, history, outbox) is the same before and after; the refusals
themselves are stored apart (``Registry.refusals``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
import walks
from click.testing import CliRunner

import teknikcollege as tc
from teknikcollege.cli import build_cli
from teknikcollege.demo import run_demo
from teknikcollege.examples import stockholm_pilot
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin")
LEADER = tc.Actor.of("p-leader")
OFFICE = tc.Actor.of("p-office")
STOCKHOLM = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")


@pytest.fixture(scope="module")
def demo_document() -> dict[str, Any]:
    """The demo's whole store, walked to 2026-02-16, as an export."""
    clock = tc.FixedClock(date(2021, 1, 1))
    with tc.Registry(MemoryStorage(), clock=clock, config={}) as registry:
        run_demo(registry, clock, lambda step: None)
        return registry.export_document()


@pytest.fixture
def demo(demo_document: dict[str, Any]) -> Iterator[tc.Registry]:
    clock = tc.FixedClock(date(2026, 2, 16))
    with tc.Registry(MemoryStorage(), clock=clock, config={}) as registry:
        registry.import_document(json.loads(json.dumps(demo_document)), actor=ADMIN)
        yield registry


def unchanged(registry: tc.Registry, attempt: Callable[[], object],
              error: type[Exception], match: str) -> None:
    before = registry.export_document()
    refusals = len(registry.refusals())
    with pytest.raises(error, match=match):
        attempt()
    assert registry.export_document() == before
    if error is tc.PermissionDenied:
        assert len(registry.refusals()) == refusals + 1


def _college_case(document: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in document["cases"]
                if c["subject"]["id"] == "stockholm" and c["workflow"] == "certification")


# -- Import goes around the workflow -----------------------------------------------------

@pytest.fixture
def blank() -> Iterator[tc.Registry]:
    """A new store on the demo's last day, holding nothing."""
    with tc.Registry(MemoryStorage(), clock=tc.FixedClock(date(2026, 2, 16)),
                     config={}) as registry:
        yield registry


def test_a_forged_certificate_does_not_replay(blank: tc.Registry,
                                              demo_document: dict[str, Any]) -> None:
    forged = json.loads(json.dumps(demo_document))
    case = _college_case(forged)
    case["certifications"][-1]["valid_until"] = "2099-12-31"
    for record in forged["history"]:
        if record["case_id"] == case["id"] and record["trigger"] == "approve":
            record["actor_id"] = "p-co2"  # a steering-group member
            record["actor_roles"] = ["member"]
    unchanged(blank, lambda: blank.import_document(forged, actor=ADMIN),
              tc.InvalidData, r"history\[\d+\]")


def test_an_older_export_never_moves_a_case_backwards(demo: tc.Registry,
                                                      demo_document: dict[str, Any]) -> None:
    older = json.loads(json.dumps(demo_document))
    case = _college_case(older)
    kept = [r for r in older["history"] if r["case_id"] != case["id"]]
    own = [r for r in older["history"] if r["case_id"] == case["id"]][:5]
    older["history"] = kept + own
    case["state"] = own[-1]["dest"]
    unchanged(demo, lambda: demo.import_document(older, actor=ADMIN),
              tc.InvalidData, "never moves a case backwards")


def test_an_import_gets_the_checks_of_add(tc_stockholm: tc.Registry) -> None:
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER)
    document = tc_stockholm.export_document()
    second = json.loads(json.dumps(document))
    twin = dict(second["cases"][0], id="case-twin")
    second["cases"].append(twin)
    second["history"].append(dict(second["history"][0], case_id="case-twin"))
    orphan = json.loads(json.dumps(document))
    # A new programme (a stored one, changed, is refused as a change: see test_import_replay)
    orphan["programmes"].append(dict(orphan["programmes"][0], id="orphan",
                                     college_id="no-such-college"))
    judged = json.loads(json.dumps(document))
    judged["judgements"] = [tc.to_data(tc.Judgement(
        "j-x", "no-such-rule", "stockholm", "no-such-reviewer", date(2024, 1, 1),
        tc.Outcome.PASSED, "x"))]
    for bad, match in [(second, "open case"), (orphan, "does not exist"),
                       (judged, "does not exist|unknown rule")]:
        unchanged(tc_stockholm, lambda bad=bad: tc_stockholm.import_document(bad, actor=ADMIN),
                  tc.InvalidData, match)
    assert tc_stockholm.case(case.id).state == case.state


def test_a_programme_names_providers_that_exist(tc_stockholm: tc.Registry) -> None:
    programme = tc_stockholm.find(tc.Programme)[0]
    company = tc_stockholm.find(tc.Organisation, kind=tc.OrganisationKind.COMPANY)[0]
    for change in ({"provider_id": "no-such-provider"}, {"other_provider_ids": (company.id,)}):
        new = attrs.evolve(programme, id="p-new", **change)  # type: ignore[arg-type]
        unchanged(tc_stockholm, lambda new=new: tc_stockholm.add(new, actor=ADMIN),
                  tc.InvalidData, "does not exist|not an education provider")
        document = json.loads(json.dumps(tc_stockholm.export_document()))
        document["programmes"].append(tc.to_data(new))
        unchanged(tc_stockholm,
                  lambda document=document: tc_stockholm.import_document(document, actor=ADMIN),
                  tc.InvalidData, r"programmes\[\d+\]\.(provider_id|other_provider_ids)")


# -- Roles are whatever the caller writes ------------------------------------------------

def test_no_one_claims_the_system(demo: tc.Registry) -> None:
    case = _college_case(demo.export_document())["id"]
    unchanged(demo, lambda: demo.fire(case, "expire", actor=tc.Actor.of("anyone", "system")),
              tc.PermissionDenied, "may not")
    unchanged(demo, lambda: demo.tick(date(2099, 1, 1)),
              tc.PermissionDenied, "later than the registry's clock")


def test_the_command_line_claims_nothing_either(tmp_path: Path,
                                                demo_document: dict[str, Any]) -> None:
    (tmp_path / "demo.json").write_text(json.dumps(demo_document))
    db = str(tmp_path / "demo.db")
    cli, env = build_cli("en"), {"TEKNIKCOLLEGE_TODAY": "2026-02-16"}

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--db", db, *args], env=env)

    assert run("import", str(tmp_path / "demo.json"), "--actor", "admin").exit_code == 0
    case = _college_case(demo_document)["id"]
    before = run("export").stdout
    claimed = run("case", "fire", case, "expire", "--actor", "anyone:system")
    assert claimed.exit_code == 4
    # --today is the command line's clock (scripted walks); a sweep later than it is refused.
    ahead = run("tick", "--now", "2099-01-01")
    assert ahead.exit_code == 4 and "later than the registry's clock" in ahead.stderr
    assert run("export").stdout == before


# -- Roles have no scope -----------------------------------------------------------------

def test_a_leader_of_another_college_cannot_withdraw(tc_stockholm: tc.Registry) -> None:
    other = walks.uppsala()
    tc_stockholm.add(tc.Person("p-upp", "Uma Uppsala"), other, actor=ADMIN)
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    unchanged(tc_stockholm,
              lambda: tc_stockholm.fire(case, "withdraw", actor=tc.Actor.of("p-upp")),
              tc.PermissionDenied, "holds no role")


def test_a_member_with_impartial_roles_cannot_decide_on_their_own_college(
    tc_stockholm: tc.Registry,
) -> None:
    member = tc_stockholm.get(tc.Person, "p-co2")
    tc_stockholm.save(attrs.evolve(member, roles=member.roles | {
        tc.Role.REVIEWER, tc.Role.NATIONAL_OFFICE}), actor=ADMIN)
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    both = tc.Actor.of("p-co2")
    for trigger in ("approve_interest", "hold_visit", "approve"):
        unchanged(tc_stockholm, lambda t=trigger: tc_stockholm.fire(case, t, actor=both),
                  tc.PermissionDenied, "steering groups|may not")


def test_a_judgement_by_a_member_never_counts_however_it_was_stored(
    tc_stockholm: tc.Registry,
) -> None:
    judgement = tc.Judgement("j-member", "learning-environment", "stockholm", "p-co2",
                             date(2024, 1, 1), tc.Outcome.PASSED, "we think it is fine")
    college = tc_stockholm.get(tc.College, "stockholm")
    before = {f.rule_id: f.status for f in tc_stockholm.assess(college).findings}
    unchanged(tc_stockholm,
              lambda: tc_stockholm.record_judgement(judgement, actor=tc.Actor.of("p-co2")),
              tc.PermissionDenied, "holds no role")
    # An administrator may store it (a record of what was said), but it does not count.
    tc_stockholm.add(judgement, actor=ADMIN)
    after = {f.rule_id: f.status for f in tc_stockholm.assess(college).findings}
    assert after == before


def test_a_reviewer_employed_by_a_partner_is_refused(tc_stockholm: tc.Registry) -> None:
    tc_stockholm.add(tc.Person("p-scania-rev", "Sam Scania", frozenset({tc.Role.REVIEWER}),
                               organisation_id="scania"), actor=ADMIN)
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id
    unchanged(tc_stockholm,
              lambda: tc_stockholm.fire(case, "approve_interest",
                                        actor=tc.Actor.of("p-scania-rev")),
              tc.PermissionDenied, "works for 'scania'")


def test_data_changes_are_authorized_by_person(tc_stockholm: tc.Registry) -> None:
    godmode = tc.Person("p-god", "G", frozenset({tc.Role.ADMIN, tc.Role.NATIONAL_OFFICE}))
    for actor in (LEADER, tc.Actor.of("anyone"), tc.Actor.of("p-co2")):
        unchanged(tc_stockholm, lambda a=actor: tc_stockholm.add(godmode, actor=a),
                  tc.PermissionDenied, "national role|adds people")
    case = tc.Case("case-x", "certification", STOCKHOLM, "stockholm", "certified",
                   tc_stockholm.now())
    unchanged(tc_stockholm, lambda: tc_stockholm.add(case, actor=ADMIN),
              tc.InvalidData, "only through its workflow")


# -- Cases do not agree with each other --------------------------------------------------

def test_the_lifecycle_follows_the_certification(demo: tc.Registry) -> None:
    life = next(c for c in demo.cases() if c.workflow == "college-lifecycle")
    college_case = _college_case(demo.export_document())["id"]
    demo.fire(college_case, "decertify", actor=OFFICE, note="the criteria no longer hold")
    assert demo.case(life.id).state == "certification_ended"
    assert demo.history(life.id)[-1].note.startswith(college_case)


def test_children_do_not_stay_certified_without_their_parent(demo: tc.Registry) -> None:
    programme = tc.UnitRef(tc.UnitKind.PROGRAMME, "industriteknik-bas")
    assert demo.status(programme, on=date(2024, 6, 1)).certified
    college_case = _college_case(demo.export_document())["id"]
    demo.fire(college_case, "decertify", actor=OFFICE, note="the criteria no longer hold")
    lernia = demo.status(tc.UnitRef(tc.UnitKind.PROVIDER, "lernia"), college_id="stockholm",
                         on=date(2026, 2, 16))
    assert not lernia.certified
    assert demo.status(programme, on=date(2024, 6, 1)).certified  # the past stays true


def test_the_demo_store_verifies(demo: tc.Registry) -> None:
    assert all(report.ok for report in demo.verify())


def test_a_seeded_store_has_its_admin(tmp_path: Path) -> None:
    with tc.Registry.open(f"sqlite:///{tmp_path / 's.db'}", config={}) as registry:
        admin = seed(registry, *stockholm_pilot().entities())
        assert tc.Role.ADMIN in registry.get(tc.Person, admin.id).roles


def test_a_history_never_runs_backwards_in_days(tc_stockholm: tc.Registry,
                                                tc_clock: tc.FixedClock) -> None:
    case = tc_stockholm.open_case("certification", STOCKHOLM, actor=LEADER).id  # 2024-01-01
    tc_clock.set(date(2023, 12, 30))  # a clock set back
    unchanged(tc_stockholm, lambda: tc_stockholm.fire(case, "withdraw", actor=LEADER),
              tc.InvalidData, "before the case's last step")
    tc_clock.set(date(2024, 1, 1))
    assert tc_stockholm.fire(case, "withdraw", actor=LEADER).trigger == "withdraw"
