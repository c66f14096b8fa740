from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import teknikcollege as tc
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.storage.sqlite import APPLICATION_ID, MIGRATIONS
from teknikcollege.testing import StorageContract, concurrency


class TestMemoryContract(StorageContract):
    def make_storage(self, tmp_path: Path) -> MemoryStorage:
        return MemoryStorage()


class TestSQLiteContract(StorageContract):
    def make_storage(self, tmp_path: Path) -> SQLiteStorage:
        return SQLiteStorage(f"sqlite:///{tmp_path / 'contract.db'}")

    def reopen(self, storage: SQLiteStorage) -> SQLiteStorage:  # type: ignore[override]
        return SQLiteStorage(storage.url)


def test_sqlite_is_wal_with_foreign_keys_and_a_schema_version(tmp_path: Path) -> None:
    store = SQLiteStorage(f"sqlite:///{tmp_path / 'x.db'}")
    db = sqlite3.connect(tmp_path / "x.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.schema_version == len(MIGRATIONS)
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    plan = db.execute("EXPLAIN QUERY PLAN SELECT kind, id FROM entities WHERE due_at IS NOT NULL "
                      "AND due_at <= '2024' ORDER BY due_at").fetchall()
    assert any("entities_due" in row[-1] for row in plan)
    db.close()
    store.close()


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = SQLiteStorage(url)
    with first.transaction() as tx:
        tx.put("thing", "a", {"n": 1}, expected_version=0)
    first.close()
    again = SQLiteStorage(url)
    with again.transaction() as tx:
        assert tx.get("thing", "a") is not None
    assert again.schema_version == len(MIGRATIONS)
    again.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    SQLiteStorage(url).close()
    db = sqlite3.connect(tmp_path / "x.db")
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(tc.StorageUnavailable, match="schema version 99"):
        SQLiteStorage(url)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("this is not a database, just notes\n" * 100)
    with pytest.raises(tc.StorageUnavailable, match="cannot be opened"):
        SQLiteStorage(f"sqlite:///{text}")
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE customers (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(tc.StorageUnavailable, match="belongs to another program"):
        SQLiteStorage(f"sqlite:///{other}")
    db = sqlite3.connect(other)
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("customers",)]
    db.close()


@pytest.mark.parametrize("url", ["sqlite://x.db", "sqlite:", "sqlite:///", "sqlite://host/x.db"])
def test_bad_sqlite_urls_say_how_to_write_one(url: str) -> None:
    with pytest.raises(tc.StorageUnavailable, match=r"sqlite:///relative/file\.db"):
        SQLiteStorage(url)


def test_missing_folder_and_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(tc.StorageUnavailable, match="does not exist"):
        SQLiteStorage(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")
    with pytest.raises(tc.StorageUnavailable, match="is a directory"):
        SQLiteStorage(f"sqlite:///{tmp_path}")


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(tc.StorageUnavailable) as info:
        tc.Registry.open("mongodb://localhost/x")
    assert "known schemes: memory:" in str(info.value) and "sqlite:" in str(info.value)
    assert "teknikcollege-postgres" in str(info.value)


def test_default_storage_is_a_sqlite_file_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEKNIKCOLLEGE_STORAGE", raising=False)
    with tc.Registry.open(config={}) as registry:
        assert isinstance(registry.storage, SQLiteStorage)
    assert (tmp_path / "teknikcollege.db").exists()
    monkeypatch.setenv("TEKNIKCOLLEGE_STORAGE", f"sqlite:///{tmp_path / 'env.db'}")
    tc.Registry.open(config={}).close()
    assert (tmp_path / "env.db").exists()


def test_processes_race_on_one_sqlite_file(tmp_path: Path) -> None:
    figures = concurrency.run(f"sqlite:///{tmp_path / 'race.db'}", workers=4, rounds=60)
    print(f"\nSQLite, 4 processes: {figures['attempted']} attempted, {figures['committed']} "
          f"committed, {figures['conflicts']} ConcurrentUpdate, {figures['refused']} refused")
    assert figures["attempted"] == 240
    assert figures["committed"] + figures["conflicts"] + figures["refused"] == 240
    assert figures["history"] == figures["committed_per_case"]


def test_sigkill_mid_batch_leaves_a_consistent_database(tmp_path: Path) -> None:
    lengths = concurrency.kill_mid_batch(f"sqlite:///{tmp_path / 'killed.db'}")
    db = sqlite3.connect(tmp_path / "killed.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert sum(lengths.values()) > 5  # it got well into the batch before dying
