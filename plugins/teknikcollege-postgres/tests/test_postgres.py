from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import pytest

import teknikcollege as tc
from teknikcollege.demo import run_demo
from teknikcollege.testing import StorageContract, concurrency, seed
from teknikcollege_postgres import PostgresStorage
from teknikcollege_postgres.storage import MIGRATIONS, split_url

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes


class TestPostgresContract(StorageContract):
    @pytest.fixture(autouse=True)
    def _server(self, pg_server: str) -> None:
        self.server = pg_server

    def make_storage(self, tmp_path: Path) -> PostgresStorage:
        return PostgresStorage(f"{self.server}?schema=tc_contract_{uuid.uuid4().hex[:12]}")

    def reopen(self, storage: PostgresStorage) -> PostgresStorage:  # type: ignore[override]
        return PostgresStorage(storage.url)

    @pytest.fixture
    def storage(self, tmp_path: Path):  # type: ignore[no-untyped-def]
        store = self.make_storage(tmp_path)
        yield store
        store.drop_schema()
        store.close()


def test_found_through_its_entry_point() -> None:
    pm = tc.make_plugin_manager()
    info = {p.name: p for p in pm.info()}
    assert info["postgres"].distribution == "teknikcollege-postgres"
    assert info["postgres"].status == "loaded"
    assert "postgresql" in tc.plugins.Hooks(pm).storage_backends()


def test_schema_parameter_is_checked() -> None:
    assert split_url("postgresql://u@h/db?schema=abc&sslmode=disable") == (
        "postgresql://u@h/db?sslmode=disable",
        "abc",
    )
    with pytest.raises(tc.StorageUnavailable, match="invalid schema name"):
        split_url("postgresql://u@h/db?schema=Robert');DROP")


def test_no_server_is_a_clear_error() -> None:
    with pytest.raises(tc.StorageUnavailable, match="cannot connect to PostgreSQL"):
        PostgresStorage("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)


def test_migrations_run_once(pg_url: str) -> None:
    first = PostgresStorage(pg_url)
    second = PostgresStorage(pg_url)
    assert first.schema_version == second.schema_version == len(MIGRATIONS)
    first.close()
    second.close()


def test_the_stockholm_pilot_on_postgresql(pg_url: str) -> None:
    clock = tc.FixedClock(date(2021, 10, 1))
    with tc.Registry.open(pg_url, clock=clock, config={}) as registry:
        assert run_demo(registry, clock, lambda step: None) == "ordinary_operation"
        for case in registry.cases():
            assert registry.replay(case.id).state == case.state


def test_processes_race_on_postgresql(pg_url: str) -> None:
    figures = concurrency.run(pg_url, workers=4, rounds=60)
    print(
        f"\nPostgreSQL, 4 processes: {figures['attempted']} attempted, "
        f"{figures['committed']} committed, {figures['conflicts']} ConcurrentUpdate, "
        f"{figures['refused']} refused"
    )
    assert figures["committed"] + figures["conflicts"] + figures["refused"] == 240
    assert figures["history"] == figures["committed_per_case"]


def test_sigkill_mid_batch_leaves_a_consistent_database(pg_url: str) -> None:
    lengths = concurrency.kill_mid_batch(pg_url)
    assert sum(lengths.values()) > 5  # it got well into the batch before dying


NASTY = ["'); DROP TABLE entities; --", "<script>alert('x')</script>", 'a"b\\c', "Å&Ö<>|"]


@pytest.mark.parametrize("text", NASTY)
def test_sql_and_markup_survive_postgresql(pg_url: str, text: str) -> None:
    import attrs

    from teknikcollege.demo import COLLEGE, LEADER
    from teknikcollege.examples import stockholm_pilot

    with tc.Registry.open(pg_url, clock=tc.FixedClock(date(2024, 1, 1)), config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
        registry.save(attrs.evolve(registry.get(tc.College, "stockholm"), name=text), actor=ADMIN)
        case = registry.open_case("certification", COLLEGE, actor=LEADER).id
        registry.fire(case, "withdraw", actor=LEADER, note=text)
        assert registry.get(tc.College, "stockholm").name == text
        assert registry.find(tc.College, name=text)[0].id == "stockholm"
        assert registry.history(case)[-1].note == text


def test_a_store_of_schema_3_keeps_each_cases_order_when_migrated(pg_url: str) -> None:
    """PostgreSQL kept no order of insertion: after a refused import (its rows rolled
    back) and a vacuum, a later record fills the space before an earlier one. Migration
    4 orders the history by time, each case's records by number."""
    import psycopg

    base, schema = split_url(pg_url)
    assert schema is not None

    def record(case_id: str, seq: int, at: str) -> str:
        return json.dumps({"case_id": case_id, "seq": seq, "at": at})

    insert = "INSERT INTO history (case_id, seq, data) VALUES (%s, %s, %s)"
    with psycopg.connect(base, autocommit=True) as conn:
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
    storage = PostgresStorage(pg_url)
    try:
        with storage.transaction(write=False) as tx:
            rows = tx.history_appended(limit=10)
        found = [(json.loads(t)["case_id"], json.loads(t)["seq"]) for _place, t in rows]
        assert found == [("a", 1), ("b", 1), ("a", 2)]
    finally:
        storage.close()
