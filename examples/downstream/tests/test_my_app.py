from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.testing import RuleContract
from teknikcollege.testing import strategies as tst


def test_fixtures_give_a_ready_registry(tc_stockholm, tc_clock, my_actor):  # type: ignore[no-untyped-def]
    case = tc_stockholm.open_case("college-lifecycle",
                                  tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"), actor=my_actor)
    assert case.state == "pilot"
    tc_clock.advance(months=1)
    assert tc_stockholm.now().date() == date(2024, 2, 1)


def test_sqlite_fixture_is_a_file(tc_sqlite_registry, tmp_path):  # type: ignore[no-untyped-def]
    assert (tmp_path / "teknikcollege.db").exists()
    assert tc_sqlite_registry.find(tc.College) == []


@settings(max_examples=15)
@given(st.from_type(tc.College))
def test_from_type_works_without_importing_anything_first(college):  # type: ignore[no-untyped-def]
    assert tc.from_data(tc.to_data(college), tc.College) == college


@settings(max_examples=15)
@given(tst.college_worlds(on=date(2024, 1, 1), break_criteria=["regional-collaboration"]))
def test_strategies_break_what_they_are_told(world):  # type: ignore[no-untyped-def]
    assert world.college.county_code == world.college.municipalities[0][:2]


class Counting:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @tc.hookimpl
    def teknikcollege_transition_committed(self, case, record):  # type: ignore[no-untyped-def]
        self.seen.append(record.trigger)


def test_plugin_manager_fixture(tc_plugin_manager, tc_clock, my_actor):  # type: ignore[no-untyped-def]
    from teknikcollege.examples import stockholm_pilot
    from teknikcollege.storage import MemoryStorage
    from teknikcollege.testing import seed

    counting = Counting()
    registry = tc.Registry(MemoryStorage(), clock=tc_clock, config={},
                           plugin_manager=tc_plugin_manager(counting))
    seed(registry, *stockholm_pilot().entities())  # as the store's first administrator
    case = registry.open_case("certification", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),
                              actor=my_actor)
    registry.fire(case.id, "withdraw", actor=my_actor)
    assert counting.seen == ["withdraw"]


@settings(max_examples=15)
@given(st.builds(tc.Programme, title=st.just("Svetsare")))
def test_builds_infers_every_other_field(programme):  # type: ignore[no-untyped-def]
    assert programme.title == "Svetsare"
    assert tc.from_data(tc.to_data(programme), tc.Programme) == programme


@tc.rule("has-a-process-leader", rule_set="my-region", version="1",
         title=tc.Text("Processledare", "Process leader"),
         description=tc.Text("Colleget har en processledare.", "The college has a process leader."),
         applies_to=["college"])
def has_a_process_leader(college, context):  # type: ignore[no-untyped-def]
    ok = bool(college.process_leaders)
    return ok, tc.Text("processledare finns" if ok else "ingen processledare",
                       "a process leader is named" if ok else "no process leader")


class TestMyRule(RuleContract):
    """The rule contract: run against a downstream rule, nothing else to write."""

    def make_rules(self):  # type: ignore[no-untyped-def]
        return [has_a_process_leader]
