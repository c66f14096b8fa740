"""`fire` against hand-written code doing the same job: memory, SQLite, PostgreSQL, batched,
notifying and guarded transitions."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from harness import Result, compare

import teknikcollege as tc
from teknikcollege._json import compact
from teknikcollege.authority import IMPARTIAL_ROLES, conflict, roles_on
from teknikcollege.clock import as_datetime
from teknikcollege.examples import stockholm_pilot
from teknikcollege.models.common import local_day
from teknikcollege.serialization import from_data
from teknikcollege.services.cases import store_case
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.storage.sqlite import DIALECT as SQLITE
from teknikcollege.testing import seed
from teknikcollege.testing.concurrency import ADMIN, PingPlugin
from teknikcollege.unit_of_work import record_hash, unit_of_work

TODAY = date(2024, 1, 1)
NOW = as_datetime(TODAY)
FLIP = {"a": "to_b", "b": "to_a"}
REVIEWER = tc.Actor.of("p-reviewer", tc.Role.REVIEWER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)


def make_registry(storage: Any, *, notify: bool = False) -> tc.Registry:
    """A registry with the ping workflow; with `notify`, the built-in log notifier (so
    every notifying transition queues a notification), else no notifier at all."""
    pm = tc.make_plugin_manager(
        plugins=[PingPlugin()],
        entry_points=False,
        disable=() if notify else ("teknikcollege.log",),
    )
    return tc.Registry(storage, clock=tc.FixedClock(TODAY), config={}, plugin_manager=pm)


def providers(registry: tc.Registry, names: Iterable[str]) -> None:
    """Education providers called `names` (a provider case is for one that exists)."""
    registry.add(
        *(
            tc.Organisation(name, name, tc.OrganisationKind.EDUCATION_PROVIDER,
                            provider_kind=tc.ProviderKind.COORDINATOR)
            for name in names
        ),
        actor=ADMIN,
    )


def open_ping(registry: tc.Registry, name: str) -> str:
    if not registry.find(tc.Organisation, id=name):
        providers(registry, [name])
    return registry.open_case(
        "ping", tc.UnitRef(tc.UnitKind.PROVIDER, name), actor=ADMIN, college_id="stockholm"
    ).id


def flipper(registry: tc.Registry, case_id: str) -> Callable[[], None]:
    """A call that fires the next ping transition on one case through the library."""
    state = {"s": registry.case(case_id).state}

    def fire() -> None:
        registry.fire(case_id, FLIP[state["s"]], actor=ADMIN)
        state["s"] = "b" if state["s"] == "a" else "a"

    return fire


# -- memory --------------------------------------------------------------------------


class DictPing:
    """The same job as the library's `fire` of a ping transition, by hand on plain dicts
    under a lock: the case's data copied and changed, the permission read (the person's
    and the college's records, decoded once per version) and role check (kept by the
    records' versions and the day, as the library keeps it), the shared
    machine moving the state, the history record's canonical JSON and SHA-256 chained to
    the one before, the case's version and its index key for the new state."""

    def __init__(self, registry: tc.Registry, flow: Any, case_id: str) -> None:
        with unit_of_work(registry.storage, registry.deps.cache, write=False) as uow:
            case = uow.tx.get("case", case_id)
            self.people = {"admin": (1, uow.entities.get(tc.Person, "admin"))}
            self.colleges = {"stockholm": (1, uow.entities.get(tc.College, "stockholm"))}
            head = uow.tx.history_head(case_id)
        assert case is not None and head is not None
        self.rows: dict[str, tuple[int, dict[str, Any]]] = {"d": (case.version, dict(case.data))}
        self.history: dict[str, list[dict[str, Any]]] = {"d": [dict(head)]}
        self.index: dict[tuple[str, str], set[str]] = {("state", case.data["state"]): {"d"}}
        self.lock = threading.RLock()
        self.judged: dict[tuple[Any, ...], frozenset[tc.Role]] = {}
        self.machine = flow.machine
        self.allowed = {t: flow.spec(t).roles for t in FLIP.values()}
        self.model = flow.new_case("model", tc.UnitRef(tc.UnitKind.PROVIDER, "m"), "s", NOW)

    def fire(self, actor: tc.Actor) -> None:
        with self.lock:
            version, stored = self.rows["d"]
            data = dict(stored)
            source = data["state"]
            trigger = FLIP[source]
            used = _permitted(self, actor, data["college_id"], trigger)
            self.model.state = source
            self.machine.events[trigger].trigger(self.model, at=NOW, params={})
            dest = data["state"] = self.model.state
            records = self.history["d"]
            records.append(_chained("d", records[-1], trigger, source, dest, actor, used))
            self.rows["d"] = (version + 1, data)
            self.index[("state", source)].discard("d")
            self.index.setdefault(("state", dest), set()).add("d")


def _permitted(by_hand: Any, actor: tc.Actor, college_id: str, trigger: str) -> frozenset[tc.Role]:
    """The roles `actor` may use for `trigger`, judged from the person's and the college's
    records (kept by their versions and the day, as the library keeps them)."""
    person_version, person = by_hand.people[actor.id]
    college_version, college = by_hand.colleges[college_id]
    day = local_day(NOW)
    key = (actor.id, person_version, college_id, college_version, day)
    held = by_hand.judged.get(key)
    if held is None:
        held = by_hand.judged[key] = _judge(person, college, day)
    used: frozenset[tc.Role] = held & actor.roles & by_hand.allowed[trigger]
    if not used:
        raise PermissionError(trigger)
    return used


def _chained(case_id: str, prev: dict[str, Any], trigger: str, source: str, dest: str,
             actor: tc.Actor, used: frozenset[tc.Role]) -> dict[str, Any]:
    """The next history record after `prev`, in day order, its SHA-256 chained to it."""
    _in_day_order(prev)
    record = {
        "case_id": case_id, "seq": prev["seq"] + 1, "trigger": trigger,
        "source": source, "dest": dest, "actor_id": actor.id,
        "actor_roles": sorted(r.value for r in used), "at": NOW.isoformat(),
        "note": "", "params": {}, "findings": [], "prev_hash": prev["hash"],
    }
    record["hash"] = hashlib.sha256(_dump(record).encode()).hexdigest()
    return record


class CheckedTrigger:
    """A bare trigger of the shared machine with only what issue 14 added around it, by
    hand: the permission read and role check (the person's and the college's records,
    the answer kept by their versions and the day, as the library keeps it), the check
    that the step is not dated before the last one's day, and the record's canonical
    JSON with its SHA-256 chained to the one before. Nothing is stored: no case data,
    version or index (the work ours adds beyond this is the library's own overhead)."""

    def __init__(self, flow: Any, dict_ping: DictPing) -> None:
        self.people, self.colleges = dict_ping.people, dict_ping.colleges
        self.judged: dict[tuple[Any, ...], frozenset[tc.Role]] = {}
        self.machine = flow.machine
        self.allowed = dict_ping.allowed
        self.model = flow.new_case("checked", tc.UnitRef(tc.UnitKind.PROVIDER, "c"), "stockholm",
                                   NOW)
        self.head = dict(dict_ping.history["d"][-1])

    def fire(self, actor: tc.Actor) -> None:
        model = self.model
        source = model.state
        trigger = FLIP[source]
        used = _permitted(self, actor, model.college_id, trigger)
        self.machine.events[trigger].trigger(model, at=NOW, params={})
        self.head = _chained("c", self.head, trigger, source, model.state, actor, used)


def fire_memory(number: int, rounds: int) -> list[Result]:
    registry = make_registry(MemoryStorage())
    seed(registry, *stockholm_pilot().entities())
    case_id = open_ping(registry, "u")
    ours = flipper(registry, case_id)
    flow = registry.workflows["ping"]
    machine = flow.machine  # the same shared machine the library moves cases with
    case = flow.new_case("bare", tc.UnitRef(tc.UnitKind.PROVIDER, "v"), "stockholm", NOW)

    def bare() -> None:
        machine.events[FLIP[case.state]].trigger(case, at=NOW, params={})

    by_hand = DictPing(registry, flow, case_id)
    checked = CheckedTrigger(flow, by_hand)
    results = [compare(
        "`fire` on memory (`ping`: no guard, no one to notify)",
        ours,
        lambda: checked.fire(ADMIN),
        baseline_name="bare trigger of the same shared machine with issue 14's checks and "
        "hashing by hand (the permission read and role check, the day-order check, the "
        "record's canonical JSON and chained SHA-256; nothing stored)",
        goal="≤ 3",
        number=number,
        rounds=rounds,
        section="fire",
    ), compare(
        "`fire` on memory (`ping`) against the bare trigger alone",
        ours,
        bare,
        baseline_name="bare trigger of the same shared machine, nothing around it",
        goal="—",
        number=number,
        rounds=rounds,
        section="fire",
    )]
    results.append(compare(
        "`fire` on memory (`ping`) against the same job by hand",
        ours,
        lambda: by_hand.fire(ADMIN),
        baseline_name="plain dicts under a lock: the permission read and role check, the "
        "trigger, the record's canonical JSON and chained SHA-256, the new version and "
        "index key",
        goal="—",
        number=number,
        rounds=rounds,
        section="fire",
    ))
    assert registry.history(case_id)[-1].seq > number
    assert by_hand.history["d"][-1]["seq"] > number
    assert checked.head["seq"] > number
    return results


# -- SQL: the same statements by hand -------------------------------------------------


def _dump(data: Any) -> str:
    """Compact key-sorted JSON, by the same encoder the library uses (built once)."""
    return compact(data)


def _same(text: str) -> str:
    return text


def _record_text(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, str]:
    """The record's hash and its stored text from one encoding, as the library does it:
    the fields sorting before ``hash`` and those after encoded apart, the hash taken of
    the two joined and put between them."""
    first, second = _dump(before)[:-1], _dump(after)[1:]
    digest = hashlib.sha256(f"{first},{second}".encode()).hexdigest()
    return digest, f'{first},"hash":"{digest}",{second}'


def _judge(person: tc.Person | None, college: tc.College | None, day: date) -> frozenset[tc.Role]:
    """The roles `person` holds on `day` on a matter of `college`, impartial ones withheld
    on a conflict of interest (by the library's own functions). Like the library, a
    baseline keeps the answer by the two records' versions and the day."""
    if person is None:
        return frozenset()
    held = roles_on(person, college, day)
    if held & IMPARTIAL_ROLES and conflict(person, college, None) is not None:
        held -= IMPARTIAL_ROLES
    return held


def _in_day_order(head: dict[str, Any]) -> None:
    """The library's check that a step is not dated on a day before the last one's."""
    if local_day(datetime.fromisoformat(head["at"])) > local_day(NOW):
        raise ValueError("a step cannot be dated before the case's last step")


class RawPing:
    """The library's `fire` of a ping transition, by hand on a DB-API connection: the same
    statements in the same order on the same schema, the same stored bytes, the same
    permission read and role check, the same hash chain.

    Like the library, it keeps what it decoded by kind, id and version (a row is read and
    decoded only when its version is new to it): the case is found by its version, and
    the permission read is the versions of the actor's person and the case's college, in
    one statement; the roles are then worked out from those two records on the day of the
    act, by the same function the library uses (`authority.roles_on`), and kept by the
    two versions and the day, as the library keeps them."""

    def __init__(self, conn: Any, flow: Any, ph: str, *, jsonb: Any = None,
                 savepoint: bool = False) -> None:
        self.conn = conn
        self.machine = flow.machine
        self.allowed = {t: flow.spec(t).roles for t in FLIP.values()}
        self.model = flow.new_case("model", tc.UnitRef(tc.UnitKind.PROVIDER, "m"), "s", NOW)
        self.jsonb = jsonb  # PostgreSQL: psycopg's Jsonb wrapper (the library's json_in)
        self.savepoint = savepoint  # PostgreSQL: the library guards the UPDATE with one
        self.decoded: dict[tuple[str, str], tuple[int, Any]] = {}
        self.judged: dict[tuple[Any, ...], frozenset[tc.Role]] = {}

        def q(statement: str) -> str:
            return statement.replace("?", ph)

        self.version = q("SELECT version FROM entities WHERE kind = ? AND id = ?")
        self.versions = q("SELECT kind, id, version FROM entities WHERE (kind = ? AND id = ?) "
                          "OR (kind = ? AND id = ?)")
        self.get = q("SELECT id, version, data, due_at FROM entities WHERE kind = ? AND id = ?")
        self.head = q("SELECT seq, data FROM history WHERE case_id = ? ORDER BY seq DESC LIMIT 1")
        # A record's place in the order of appending: SQLite's writers take turns and
        # number it themselves; PostgreSQL's column has its sequence (the dialects').
        order = "DEFAULT" if ph == "%s" else SQLITE.next_history_order
        self.insert = q("INSERT INTO history (case_id, seq, data, ord) VALUES (?, ?, ?, "
                        + order + ") ON CONFLICT DO NOTHING")
        self.update = q("UPDATE entities SET version = version + 1, data = ?, due_at = ?, "
                        "unique_key = ? WHERE kind = ? AND id = ? AND version = ?")
        self.delete = q("DELETE FROM entity_keys WHERE kind = ? AND id = ?")
        self.keys = q("INSERT INTO entity_keys (kind, id, name, value) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT DO NOTHING")

    def _json_in(self, data: dict[str, Any]) -> Any:
        return _dump(data) if self.jsonb is None else self.jsonb(data, _dump)

    def _text_in(self, text: str) -> Any:
        return text if self.jsonb is None else self.jsonb(text, _same)

    def _json_out(self, value: Any) -> Any:
        return json.loads(value) if self.jsonb is None else value

    def _record(self, kind: str, id: str, version: int | None, cls: Any = None) -> Any:
        """The record as of `version`: decoded once per version (JSON, or the model)."""
        if version is None:
            return None
        held = self.decoded.get((kind, id))
        if held is None or held[0] != version:
            row = self.conn.execute(self.get, (kind, id)).fetchone()
            data = self._json_out(row[2])
            held = self.decoded[(kind, id)] = (row[1], data if cls is None
                                               else from_data(data, cls))
        return held[1]

    def fire_in_tx(self, case_id: str, actor: tc.Actor) -> None:
        """Everything the library does inside the transaction."""
        run = self.conn.execute
        version = run(self.version, ("case", case_id)).fetchone()[0]
        data = dict(self._record("case", case_id, version))  # the copy this fire changes
        source = data["state"]
        trigger = FLIP[source]
        college_id = data["college_id"]
        found = {(k, i): v for k, i, v in run(
            self.versions, ("person", actor.id, "college", college_id)).fetchall()}
        person = self._record("person", actor.id, found.get(("person", actor.id)), tc.Person)
        college = self._record("college", college_id, found.get(("college", college_id)),
                               tc.College)
        day = local_day(NOW)
        key = (actor.id, found.get(("person", actor.id)), college_id,
               found.get(("college", college_id)), day)
        held = self.judged.get(key)
        if held is None:
            held = self.judged[key] = _judge(person, college, day)
        if not held & actor.roles & self.allowed[trigger]:
            raise PermissionError(trigger)
        self.model.state = source
        self.machine.events[trigger].trigger(self.model, at=NOW, params={})
        dest = data["state"] = self.model.state
        head = run(self.head, (case_id,)).fetchone()
        prev = self._json_out(head[1])
        _in_day_order(prev)
        seq = prev["seq"] + 1
        text = _record_text(
            {
                "actor_id": actor.id,
                "actor_roles": sorted(r.value for r in held & actor.roles & self.allowed[trigger]),
                "at": NOW.isoformat(), "case_id": case_id, "dest": dest, "findings": [],
            },
            {"note": "", "params": {}, "prev_hash": prev["hash"], "seq": seq, "source": source,
             "trigger": trigger},
        )[1]
        if run(self.insert, (case_id, seq, self._text_in(text))).rowcount != 1:
            raise RuntimeError("history clash")
        subject = f"{data['subject']['kind']}:{data['subject']['id']}"
        unique = f"{data['workflow']}|{subject}@{college_id}"
        if self.savepoint:
            run("SAVEPOINT raw")
        cursor = run(self.update, (self._json_in(data), None, unique, "case", case_id, version))
        if self.savepoint:
            run("RELEASE SAVEPOINT raw")
        if cursor.rowcount != 1:
            raise RuntimeError("stale")
        self.decoded[("case", case_id)] = (version + 1, data)
        run(self.delete, ("case", case_id))
        self.conn.cursor().executemany(self.keys, [
            ("case", case_id, "workflow", data["workflow"]),
            ("case", case_id, "subject", subject),
            ("case", case_id, "state", dest),
            ("case", case_id, "college_id", college_id),
        ])

    def fire(self, case_id: str, actor: tc.Actor, begin: str = "BEGIN IMMEDIATE") -> None:
        self.conn.execute(begin)
        try:
            self.fire_in_tx(case_id, actor)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")


def check_same_bytes(registry: tc.Registry, ours: str, raw: str) -> None:
    """The baseline wrote what the library writes: the library reads its case and
    history back, every hash verifies and chains, and the stored records and index keys
    have the same shape as the library's own."""
    with unit_of_work(registry.storage, registry.deps.cache, write=False) as uow:
        for case_id in (ours, raw):
            prev = ""
            for data in uow.history.raw(case_id):
                assert data["hash"] == record_hash(data), (case_id, data)
                assert data["prev_hash"] == prev
                prev = data["hash"]
        a, b = uow.history.raw(ours)[-1], uow.history.raw(raw)[-1]
        assert sorted(a) == sorted(b) and a["trigger"] == b["trigger"], (a, b)
        assert uow.tx.get("case", ours).data.keys() == uow.tx.get("case", raw).data.keys()
    assert registry.case(raw).state == registry.case(ours).state
    registry.history(raw)  # decodes


def fire_sqlite(number: int, rounds: int, folder: Path) -> list[Result]:
    path = folder / "fire.db"
    registry = make_registry(SQLiteStorage(f"sqlite:///{path}"))
    seed(registry, *stockholm_pilot().entities())
    ours_id, raw_id = open_ping(registry, "ours"), open_ping(registry, "raw")
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    for pragma in ("busy_timeout = 30000", "foreign_keys = ON", "synchronous = NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    raw = RawPing(conn, registry.workflows["ping"], "?")
    results = [compare(
        "`fire` on SQLite (`ping`), one transaction each",
        flipper(registry, ours_id),
        lambda: raw.fire(raw_id, ADMIN),
        baseline_name="raw `sqlite3`, same statements",
        goal="≤ 1.3",
        number=number,
        rounds=rounds,
        section="fire",
    )]
    # If the two sides end on different states, line them up for the check.
    if registry.case(ours_id).state != registry.case(raw_id).state:
        raw.fire(raw_id, ADMIN)
    check_same_bytes(registry, ours_id, raw_id)

    # Batched: the same writes, `size` transitions in one transaction.
    size = 200
    ours_batch = [open_ping(registry, f"ob{i}") for i in range(size)]
    raw_batch = [open_ping(registry, f"rb{i}") for i in range(size)]
    states = dict.fromkeys(ours_batch, "a")

    def ours() -> None:
        with registry.batch() as b:
            for case_id in ours_batch:
                b.fire(case_id, FLIP[states[case_id]], actor=ADMIN)
                states[case_id] = "b" if states[case_id] == "a" else "a"

    def baseline() -> None:
        conn.execute("BEGIN IMMEDIATE")
        for case_id in raw_batch:
            raw.fire_in_tx(case_id, ADMIN)
        conn.execute("COMMIT")

    results.append(compare(
        f"batch API: {size} `fire`s in one `registry.batch()` (SQLite), throughput",
        ours,
        baseline,
        baseline_name=f"raw `sqlite3`, same {size} writes in one transaction",
        goal="≥ 0.6",
        number=1,
        rounds=rounds,
        speed=True,
        section="fire",
    ))
    check_same_bytes(registry, ours_batch[0], raw_batch[0])
    conn.close()
    registry.close()
    return results


def fire_postgres(number: int, rounds: int, url: str) -> list[Result]:
    import os

    import psycopg
    from psycopg.types.json import Jsonb

    from teknikcollege_postgres.storage import PostgresStorage, split_url

    schema = f"bench_{os.getpid()}"
    storage = PostgresStorage(f"{url}{'&' if '?' in url else '?'}schema={schema}")
    try:
        registry = make_registry(storage)
        seed(registry, *stockholm_pilot().entities())
        ours_id, raw_id = open_ping(registry, "ours"), open_ping(registry, "raw")
        conn = psycopg.connect(split_url(url)[0], autocommit=True)
        conn.execute(f"SET search_path TO {schema}")
        raw = RawPing(conn, registry.workflows["ping"], "%s", jsonb=Jsonb, savepoint=True)
        result = compare(
            "`fire` on PostgreSQL (`ping`), one transaction each",
            flipper(registry, ours_id),
            lambda: raw.fire(raw_id, ADMIN, begin="BEGIN"),
            baseline_name="raw psycopg, same statements",
            goal="≤ 1.2",
            number=number,
            rounds=rounds,
            section="fire",
        )
        if registry.case(ours_id).state != registry.case(raw_id).state:
            raw.fire(raw_id, ADMIN, begin="BEGIN")
        check_same_bytes(registry, ours_id, raw_id)
        conn.close()
        registry.close()
    finally:
        cleanup = PostgresStorage(f"{url}{'&' if '?' in url else '?'}schema={schema}")
        cleanup.drop_schema()
        cleanup.close()
    return [result]


# -- notifying and guarded transitions -------------------------------------------------


def visited_cases(registry: tc.Registry, prefix: str, count: int) -> Iterator[str]:
    """`count` certification cases of providers, in ``visited`` with a protocol due and
    their opening record, written through the library's own unit of work."""
    flow = registry.workflows["certification"]
    ids = []
    with unit_of_work(registry.storage, registry.deps.cache) as uow:
        for i in range(count):
            case = flow.new_case(f"{prefix}{i}", tc.UnitRef(tc.UnitKind.PROVIDER, f"{prefix}{i}"),
                                 "stockholm", NOW)
            case.state = "visited"
            case.deadlines["protocol_due"] = date(2024, 2, 1)
            store_case(uow, case, flow, 0)
            uow.history.append(tc.TransitionRecord(case.id, 1, "open", "", "visited", "admin",
                                                   ADMIN.roles, NOW))
            ids.append(case.id)
    return iter(ids)


def notifying(storage: Any, label: str, number: int, rounds: int) -> Result:
    loud = make_registry(storage, notify=True)
    quiet = make_registry(storage, notify=False)
    assert loud.notifiers and not quiet.notifiers
    seed(loud, *stockholm_pilot().entities())
    count = number * (rounds + 1)
    loud_ids, quiet_ids = visited_cases(loud, "l", count), visited_cases(loud, "q", count)

    def ours() -> None:
        loud.fire(next(loud_ids), "request_supplements", actor=REVIEWER)

    def baseline() -> None:
        quiet.fire(next(quiet_ids), "request_supplements", actor=REVIEWER)

    result = compare(
        f"notifying `fire` (`request_supplements` by a reviewer) on {label}",
        ours,
        baseline,
        baseline_name="the same transition, no notifier",
        goal="≤ 1.5",
        number=number,
        rounds=rounds,
        section="fire",
    )
    queued = loud.outbox("pending")
    assert len(queued) == count and set(queued[0][0].recipient_ids) >= {"p-leader", "p-chair"}
    return result


def guarded(storage: Any, label: str, rounds: int) -> Result:
    """`approve` (a guard that assesses the college against every criterion, then a
    certification) against `reject` (same sources and recipients, no guard)."""
    registry = make_registry(storage, notify=True)
    bundle = stockholm_pilot()
    seed(registry, *bundle.entities())
    registry.add(
        tc.AnnualReport("ar", "stockholm", 2023, tc.ReportLevel.REGIONAL, date(2023, 12, 1)),
        tc.SatisfactionSurvey("s", "stockholm", 2023, 1, 1, 1),
        actor=ADMIN,
    )
    flow = registry.workflows["certification"]
    college = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
    programme = tc.UnitRef(tc.UnitKind.PROGRAMME, bundle.programmes[0].id)
    approve_id = registry.open_case("certification", college, actor=ADMIN).id
    reject_id = registry.open_case("certification", programme, actor=ADMIN).id
    # Judged in the case's (first) review round: on or after the day it was opened.
    for rule_id in ("industry-skills-needs", "learning-environment", "education-within-tc"):
        registry.record_judgement(
            tc.Judgement(f"j-{rule_id}", rule_id, "stockholm", "p-reviewer", TODAY,
                         tc.Outcome.PASSED, "seen"), actor=REVIEWER)

    def reset() -> None:
        with unit_of_work(registry.storage, registry.deps.cache) as uow:
            for case_id in (approve_id, reject_id):
                case, version = uow.entities.get_versioned(tc.Case, case_id)  # type: ignore[misc]
                case.state = "protocol_issued"
                case.certifications.clear()
                case.deadlines.clear()
                store_case(uow, case, flow, version)

    result = compare(
        f"guarded `fire` (`approve`: every criterion assessed, then certified) on {label}",
        lambda: registry.fire(approve_id, "approve", actor=OFFICE),
        lambda: registry.fire(reject_id, "reject", actor=OFFICE),
        baseline_name="`reject` (no guard, same recipients)",
        goal="—",
        number=1,
        rounds=rounds,
        between=reset,
        section="fire",
    )
    assert registry.case(approve_id).state == "certified"
    return result


def all_fire(quick: bool, folder: Path, postgres: str | None) -> list[Result]:
    n, r = (200, 7) if quick else (1000, 15)
    results = fire_memory(n, r)
    results += fire_sqlite(n // 2, r, folder)
    if postgres:
        try:
            results += fire_postgres(n // 4, r, postgres)
        except Exception as error:  # no server: say so, measure the rest
            print(f"  PostgreSQL skipped: {error!r}")
    results.append(notifying(MemoryStorage(), "memory", n // 2, r))
    results.append(notifying(SQLiteStorage(f"sqlite:///{folder / 'notify.db'}"), "SQLite",
                             n // 4, r))
    results.append(guarded(MemoryStorage(), "memory", 21 if quick else 61))
    results.append(guarded(SQLiteStorage(f"sqlite:///{folder / 'guard.db'}"), "SQLite",
                           21 if quick else 61))
    return results
