"""Issue 18, "stops and loss": one bad case, one bad notifier, a send that outlives its
lease or eight processes opening the same case stop nothing and lose nothing.

Each test failed on commit f5624f6: the sweep stopped at the first case whose workflow
was unknown (``tick`` exited 1), ``SystemExit`` from a notifier ended ``deliver()``, a
late failure set an acknowledged delivery back to ``pending`` (so it was sent a third
time), and nothing in the store kept two processes from opening the same case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

import teknikcollege as tc
from teknikcollege import hookimpl
from teknikcollege.cli import build_cli
from teknikcollege.examples import stockholm_pilot
from teknikcollege.plugins import Hooks, make_plugin_manager, open_storage
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.storage.sqlite import SQLiteStorage
from teknikcollege.testing import seed
from teknikcollege.workflow import CERTIFICATION
from teknikcollege.workflow.definition import WorkflowDefinition

ADMIN = tc.Actor.of("admin", tc.Role.ADMIN)
LEADER = tc.Actor.of("p-leader", tc.Role.PROCESS_LEADER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)
UTC = timezone.utc

# -- a case whose workflow's plug-in is gone does not stop the sweep ----------------------

GONE: WorkflowDefinition = attrs.evolve(CERTIFICATION, name="gone-certification")


class GonePlugin:
    """A plug-in contributing a workflow; leaving it out plays a disabled plug-in."""

    @hookimpl
    def teknikcollege_workflows(self) -> list[WorkflowDefinition]:
        return [GONE]


def supplements_case(
    registry: tc.Registry, workflow: str = "certification", unit: str = "u1"
) -> str:
    """A provider case awaiting supplements, where ``grant_postponement`` takes
    ``new_due``: its `supplements_due` deadline is three months ahead, then it lapses (and
    a reminder is due a month before)."""
    if not registry.find(tc.Organisation, id=unit):  # a provider of its own
        registry.add(tc.Organisation(unit, f"Anordnare {unit}",
                                     tc.OrganisationKind.EDUCATION_PROVIDER,
                                     provider_kind=tc.ProviderKind.COORDINATOR), actor=ADMIN)
    case = registry.open_case(workflow, tc.UnitRef(tc.UnitKind.PROVIDER, unit),
                              actor=LEADER, college_id="stockholm").id
    day = registry.now().date()
    registry.add(
        tc.Application(f"a-{case}", case, day, (
            tc.Document(tc.DocumentKind.SELF_ASSESSMENT_LOCAL, "s", day),), day),
        tc.ReviewVisit(f"v-{case}", case, day, ("p-reviewer", "p-reviewer-2"),
                       national_office_id="p-office", pool_id="review-committee"),
        tc.InterestRegistration(
            f"i-{case}", tc.InterestKind.CERTIFICATION, "stockholm", "x", day,
            units=(registry.case(case).subject,), contact_person_id="p-leader",
            steering_group_approved=True),
        actor=ADMIN,
    )
    for trigger in ("approve_interest", "submit_application", "start_review", "hold_visit",
                    "request_supplements"):
        registry.fire(case, trigger, actor=ADMIN)
    assert registry.case(case).state == "awaiting_supplements"
    return case


def _store_with_an_orphan_case(storage: Any) -> tuple[str, list[str]]:
    """Cases in `storage`: first one of the plug-in's workflow (due earliest, so the
    sweep meets it before the others), then three of the built-in one."""
    clock = tc.FixedClock(date(2023, 12, 1))
    with_plugin = tc.Registry(storage, clock=clock, config={},
                              plugin_manager=make_plugin_manager(plugins=[GonePlugin()],
                                                                 entry_points=False))
    seed(with_plugin, *stockholm_pilot().entities())
    orphan = supplements_case(with_plugin, "gone-certification", "orphan")
    clock.set(date(2024, 1, 1))
    others = [supplements_case(with_plugin, "certification", f"u{i}") for i in range(3)]
    return orphan, others


@pytest.fixture(params=["memory", "sqlite"])
def storage_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        store = MemoryStorage()
        return lambda: store
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    return lambda: SQLiteStorage(url)


def test_a_case_of_a_missing_workflow_is_skipped_and_the_rest_lapse(storage_factory: Any
                                                                    ) -> None:
    first = storage_factory()
    orphan, others = _store_with_an_orphan_case(first)
    second = storage_factory()
    if second is not first:  # another connection to the same store
        first.close()
    clock = tc.FixedClock(date(2024, 6, 1))  # past every supplements deadline
    without = tc.Registry(second, clock=clock, config={},
                          plugin_manager=make_plugin_manager(entry_points=False))
    report = without.tick()
    assert sorted(report.fired) == sorted((c, "lapse") for c in others)
    assert [case for case, _ in report.skipped] == [orphan]
    assert "gone-certification" in report.skipped[0][1]
    assert all(without.case(c).state == "lapsed" for c in others)
    # The skipped case is untouched (and will be looked at again by the next sweep).
    assert without.case(orphan).state == "awaiting_supplements"
    assert [case for case, _ in without.tick().skipped] == [orphan]
    without.close()


def test_tick_on_the_command_line_says_it_skipped_a_case_and_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "sweep.db"
    store = SQLiteStorage(f"sqlite:///{db}")
    orphan, others = _store_with_an_orphan_case(store)
    store.close()
    env = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None,
           "TEKNIKCOLLEGE_DISABLE_PLUGINS": None}
    # The command line's own plug-in manager never has GonePlugin: the orphan's
    # workflow is unknown to it, as a disabled plug-in's would be.
    done = CliRunner().invoke(build_cli("en"), ["--db", str(db), "tick", "--now", "2024-06-01"],
                              env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.stderr
    assert "3 time-based transitions" in done.stdout and "1 case skipped" in done.stdout
    (warning,) = done.stderr.splitlines()
    assert warning.startswith(f"warning: case '{orphan}' was skipped: ")
    assert "gone-certification" in warning
    listing = CliRunner().invoke(build_cli("en"), ["--db", str(db), "list", "cases", "--json"],
                                 env=env, catch_exceptions=False)
    states = {c["id"]: c["state"] for c in json.loads(listing.stdout)}
    assert [states[c] for c in others] == ["lapsed"] * 3


# -- a notifier raising SystemExit does not stop the others --------------------------------


class Recorder:
    def __init__(self, name: str, fail: BaseException | None = None) -> None:
        self.name = name
        self.fail = fail
        self.sent: list[str] = []

    def send(self, notification: tc.Notification, recipients: Sequence[tc.Person]) -> None:
        self.sent.append(notification.id)
        if self.fail is not None:
            raise self.fail


class Notifiers:
    def __init__(self, *notifiers: Any) -> None:
        self.notifiers = notifiers

    @hookimpl
    def teknikcollege_notifiers(self, config: Any) -> list[Any]:
        return list(self.notifiers)


@pytest.mark.parametrize("error", [SystemExit(3), SystemExit("bye"), GeneratorExit(),
                                   RuntimeError("x")], ids=repr)
def test_a_notifier_raising_system_exit_does_not_stop_the_others(
    error: BaseException, tc_clock: tc.FixedClock
) -> None:
    # Named to be called first and last around the one that raises.
    first, bad, last = Recorder("a-first"), Recorder("b-bad", error), Recorder("c-last")
    pm = make_plugin_manager(plugins=[Notifiers(first, bad, last)], entry_points=False,
                             disable=["teknikcollege.log"])
    registry = tc.Registry(MemoryStorage(), clock=tc_clock, config={}, plugin_manager=pm)
    seed(registry, *stockholm_pilot().entities())
    for unit in ("lernia", "mtk"):
        case = registry.open_case("certification", tc.UnitRef(tc.UnitKind.PROVIDER, unit),
                                  actor=LEADER, college_id="stockholm").id
        registry.fire(case, "withdraw", actor=LEADER)
    report = registry.deliver()
    assert len(first.sent) == len(last.sent) == len(bad.sent) == 2
    assert (report.delivered, report.retrying) == (4, 2)
    statuses = {(n, s) for _, n, s, _ in registry.outbox()}
    assert statuses == {("a-first", "delivered"), ("c-last", "delivered"), ("b-bad", "pending")}


# -- a send that outlives its lease cannot undo an acknowledgement --------------------------


class SlowThenFails:
    """The first send (deliverer 1) takes longer than its lease: meanwhile deliverer 2
    claims the same delivery, sends it and acknowledges; then the first send fails."""

    name = "slow"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.second: tc.Registry | None = None
        self.late: datetime | None = None

    def send(self, notification: tc.Notification, recipients: Sequence[tc.Person]) -> None:
        who = "first" if not self.sent else "second"
        self.sent.append((who, notification.id))
        if who == "first":
            assert self.second is not None and self.late is not None
            report = self.second.deliver(self.late)  # the lease (5 minutes) ran out
            assert report.delivered == 1
            raise ConnectionError("timed out after 6 minutes")


def _lease_scenario(first: tc.Registry, second: tc.Registry) -> tuple[SlowThenFails, str]:
    notifier = first.notifiers[0]
    assert isinstance(notifier, SlowThenFails) and second.notifiers[0] is notifier
    seed(first, *stockholm_pilot().entities())
    case = first.open_case("certification", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),
                           actor=LEADER).id
    first.fire(case, "withdraw", actor=LEADER)
    start = first.now()
    notifier.second, notifier.late = second, start + timedelta(minutes=6)
    report = first.deliver(start)
    assert report.delivered == 0  # the first deliverer's own send failed ...
    (notification, name, status, _), = first.outbox()
    assert (name, status) == ("slow", "delivered")  # ... but cannot undo the other's ack
    # Every later run, however late, sends nothing more.
    for later in (timedelta(minutes=7), timedelta(hours=7), timedelta(days=30)):
        assert first.deliver(start + later).delivered == 0
        assert second.deliver(start + later).delivered == 0
    assert first.outbox("pending") == [] and first.outbox("dead") == []
    return notifier, notification.id


def storage_for(url: str) -> Any:
    """The storage at `url`, found through every installed backend (the registries
    around it load only the plug-ins a test names)."""
    return open_storage(url, Hooks(make_plugin_manager()).storage_backends())


def lease_registries(url_or_storage: Any, clock: tc.Clock) -> tuple[tc.Registry, tc.Registry]:
    notifier = SlowThenFails()
    made = []
    for _ in range(2):
        pm = make_plugin_manager(plugins=[Notifiers(notifier)], entry_points=False,
                                 disable=["teknikcollege.log"])
        storage = (storage_for(url_or_storage) if isinstance(url_or_storage, str)
                   else url_or_storage)
        made.append(tc.Registry(storage, clock=clock, config={}, plugin_manager=pm))
    return made[0], made[1]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_late_failure_after_the_lease_cannot_undo_an_acknowledgement(
    backend: str, tmp_path: Path, tc_clock: tc.FixedClock
) -> None:
    where = MemoryStorage() if backend == "memory" else f"sqlite:///{tmp_path / 'lease.db'}"
    first, second = lease_registries(where, tc_clock)
    notifier, notification = _lease_scenario(first, second)
    # At most twice (at least once until acknowledged), never after the acknowledgement.
    assert notifier.sent == [("first", notification), ("second", notification)]
    first.close()
    second.close()


# -- eight processes opening the same case: exactly one open case per round ----------------

RACE = r"""
import json, sys, time
import teknikcollege as tc
url, start, rounds, gap = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
registry = tc.Registry.open(url, config={})
leader = tc.Actor.of("p-leader", "process_leader")
outcomes = []
for r in range(rounds):
    time.sleep(max(0.0, start + r * gap - time.time()))
    try:
        registry.open_case("certification", tc.UnitRef(tc.UnitKind.PROGRAMME, f"race-{r}"),
                           actor=leader)
        outcomes.append("opened")
    except (tc.CaseExists, tc.ConcurrentUpdate) as error:
        outcomes.append(type(error).__name__)
    except tc.StorageUnavailable as error:  # a SQLite writer that waited too long
        outcomes.append("busy: " + str(error))
registry.close()
print(json.dumps(outcomes))
"""


def race_to_open(url: str, workers: int = 8, rounds: int = 8) -> list[list[str]]:
    """`workers` processes each try to open a certification case for programme
    ``race-R`` at the same moment, round after round; the outcomes per process."""
    with tc.Registry.open(url, config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
        registry.add(*(tc.Programme(f"race-{r}", f"Race {r}", tc.ProgrammeForm.VOCATIONAL_ADULT,
                                    40, "lernia", "stockholm") for r in range(rounds)),
                                    actor=ADMIN)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    # Start together once every interpreter is up (about a second each on two cores).
    start, gap = time.time() + 3 + workers * 0.6, 0.8
    children = [
        subprocess.Popen([sys.executable, "-c", RACE, url, str(start), str(rounds), str(gap)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
        for _ in range(workers)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    return results


def check_one_open_case_per_round(url: str, results: list[list[str]], rounds: int = 8) -> None:
    with tc.Registry.open(url, config={}) as registry:
        for r in range(rounds):
            subject = tc.UnitRef(tc.UnitKind.PROGRAMME, f"race-{r}")
            assert len(registry.cases(subject=subject)) == 1, f"round {r}"
            assert sum(result[r] == "opened" for result in results) == 1, f"round {r}"
    assert all(o in ("opened", "CaseExists", "ConcurrentUpdate") for res in results for o in res)


@pytest.mark.slow
def test_eight_processes_opening_one_case_on_sqlite_open_exactly_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    results = race_to_open(url)
    check_one_open_case_per_round(url, results)


def test_the_outbox_lease_is_five_minutes(tc_registry: tc.Registry) -> None:
    # The scenario above depends on it: 6 minutes is past the lease.
    assert tc_registry.deps.retry.lease == timedelta(minutes=5)
    assert datetime(2024, 1, 1, tzinfo=UTC) + tc_registry.deps.retry.lease < datetime(
        2024, 1, 1, 0, 6, tzinfo=UTC)
