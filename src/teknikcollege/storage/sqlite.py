"""``sqlite:///path`` — the embedded default backend.

WAL mode, writes inside ``BEGIN IMMEDIATE`` (one writer at a time, readers never
blocked), foreign keys on, and the schema created and migrated forwards on open. A file
written by another program, or by a newer teknikcollege, is refused with a clear error.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .._text import Text
from ..errors import ConcurrentUpdate, NotFound, StorageUnavailable
from ._sql import dump, stamp, unstamp
from .port import Delivery, Scalar, Stored

APPLICATION_ID = 0x54434F4C  # "TCOL": marks a file as ours in its header
DEFAULT_PATH = "teknikcollege.db"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE entities (
            kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
            data TEXT NOT NULL, due_at TEXT, PRIMARY KEY (kind, id))""",
        "CREATE INDEX entities_due ON entities (due_at) WHERE due_at IS NOT NULL",
        """CREATE TABLE history (
            case_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
            PRIMARY KEY (case_id, seq))""",
        """CREATE TABLE notifications (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, data TEXT NOT NULL)""",
        """CREATE TABLE deliveries (
            notification_id TEXT NOT NULL REFERENCES notifications (id),
            notifier TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_attempt_at TEXT NOT NULL, last_error TEXT,
            PRIMARY KEY (notification_id, notifier))""",
        "CREATE INDEX deliveries_pending ON deliveries (notifier, status, next_attempt_at)",
    ),
)
"""Forward migrations: entry *n* takes the schema from version *n* to *n + 1*."""


def path_from_url(url: str) -> Path:
    """The file path in a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    parts = urlsplit(url)
    if (
        parts.scheme != "sqlite"
        or parts.netloc
        or not parts.path.startswith("/")
        or len(parts.path) < 2
    ):
        raise StorageUnavailable(
            Text(
                f"ogiltig SQLite-URL {url!r}: skriv sqlite:///relativ/fil.db eller "
                "sqlite:////absolut/fil.db",
                f"invalid SQLite URL {url!r}: write sqlite:///relative/file.db or "
                "sqlite:////absolute/file.db",
            )
        )
    return Path(unquote(parts.path[1:]))


class SQLiteTransaction:
    """A unit of work on one SQLite connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def get(self, kind: str, id: str) -> Stored | None:
        row = self._db.execute(
            "SELECT version, data, due_at FROM entities WHERE kind = ? AND id = ?", (kind, id)
        ).fetchone()
        if row is None:
            return None
        return Stored(kind, id, row[0], json.loads(row[1]), unstamp(row[2]))

    def _version(self, kind: str, id: str) -> int | None:
        row = self._db.execute(
            "SELECT version FROM entities WHERE kind = ? AND id = ?", (kind, id)
        ).fetchone()
        return None if row is None else int(row[0])

    def put(
        self,
        kind: str,
        id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        due_at: datetime | None = None,
    ) -> int:
        due = stamp(due_at) if due_at else None
        if expected_version == 0:
            cursor = self._db.execute(
                "INSERT INTO entities (kind, id, version, data, due_at) VALUES (?, ?, 1, ?, ?) "
                "ON CONFLICT (kind, id) DO NOTHING",
                (kind, id, dump(data), due),
            )
        else:
            cursor = self._db.execute(
                "UPDATE entities SET version = version + 1, data = ?, due_at = ? "
                "WHERE kind = ? AND id = ? AND version = ?",
                (dump(data), due, kind, id, expected_version),
            )
        if cursor.rowcount != 1:
            raise ConcurrentUpdate(kind, id, expected_version, self._version(kind, id))
        return expected_version + 1

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        cursor = self._db.execute(
            "DELETE FROM entities WHERE kind = ? AND id = ? AND version = ?",
            (kind, id, expected_version),
        )
        if cursor.rowcount != 1:
            actual = self._version(kind, id)
            if actual is None:
                raise NotFound(kind, id)
            raise ConcurrentUpdate(kind, id, expected_version, actual)

    def query(self, kind: str, where: Mapping[str, Scalar] | None = None) -> list[Stored]:
        sql = "SELECT id, version, data, due_at FROM entities WHERE kind = ?"
        args: list[Any] = [kind]
        for field, value in (where or {}).items():
            path = "$." + json.dumps(field)
            if value is None:
                sql += " AND json_type(data, ?) = 'null'"
                args.append(path)
            else:
                sql += " AND json_type(data, ?) = ? AND json_extract(data, ?) = ?"
                args += [path, _json_type(value), path, value]
        rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [Stored(kind, r[0], r[1], json.loads(r[2]), unstamp(r[3])) for r in rows]

    def due(self, before: datetime, limit: int) -> list[Stored]:
        rows = self._db.execute(
            "SELECT kind, id, version, data, due_at FROM entities "
            "WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, kind, id LIMIT ?",
            (stamp(before), limit),
        ).fetchall()
        return [Stored(r[0], r[1], r[2], json.loads(r[3]), unstamp(r[4])) for r in rows]

    def append_history(self, case_id: str, data: Mapping[str, Any]) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM history WHERE case_id = ?", (case_id,)
        ).fetchone()
        seq = int(row[0])
        self._db.execute(
            "INSERT INTO history (case_id, seq, data) VALUES (?, ?, ?)", (case_id, seq, dump(data))
        )
        return seq

    def history(self, case_id: str) -> list[Mapping[str, Any]]:
        rows = self._db.execute(
            "SELECT data FROM history WHERE case_id = ? ORDER BY seq", (case_id,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        cursor = self._db.execute(
            "UPDATE history SET data = ? WHERE case_id = ? AND seq = ?", (dump(data), case_id, seq)
        )
        if cursor.rowcount != 1:
            raise NotFound("history", f"{case_id}#{seq}")

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        try:
            self._db.execute(
                "INSERT INTO notifications (id, created_at, data) VALUES (?, ?, ?)",
                (id, stamp(at), dump(data)),
            )
        except sqlite3.IntegrityError:
            raise ConcurrentUpdate("notification", id, 0, 1) from None
        self._db.executemany(
            "INSERT INTO deliveries (notification_id, notifier, status, attempts, "
            "next_attempt_at) VALUES (?, ?, 'pending', 0, ?)",
            [(id, name, stamp(at)) for name in notifiers],
        )

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        rows = self._db.execute(
            "SELECT d.notification_id, n.data, d.attempts, d.last_error FROM deliveries d "
            "JOIN notifications n ON n.id = d.notification_id WHERE d.notifier = ? AND "
            "d.status = 'pending' AND d.next_attempt_at <= ? "
            "ORDER BY d.next_attempt_at, d.notification_id LIMIT ?",
            (notifier, stamp(now), limit),
        ).fetchall()
        self._db.executemany(
            "UPDATE deliveries SET next_attempt_at = ? WHERE notification_id = ? AND notifier = ?",
            [(stamp(lease_until), r[0], notifier) for r in rows],
        )
        return [Delivery(r[0], notifier, json.loads(r[1]), r[2], "pending", r[3]) for r in rows]

    def settle(
        self,
        notification_id: str,
        notifier: str,
        *,
        delivered: bool,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        status = "delivered" if delivered else ("pending" if retry_at else "dead")
        cursor = self._db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, status = ?, last_error = ?, "
            "next_attempt_at = ? WHERE notification_id = ? AND notifier = ?",
            (
                status,
                None if delivered else error,
                stamp(retry_at or at),
                notification_id,
                notifier,
            ),
        )
        if cursor.rowcount != 1:
            raise NotFound("delivery", f"{notification_id}/{notifier}")

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        sql = (
            "SELECT d.notification_id, d.notifier, n.data, d.attempts, d.status, "
            "d.last_error FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
        )
        args: tuple[str, ...] = ()
        if status is not None:
            sql += " WHERE d.status = ?"
            args = (status,)
        rows = self._db.execute(sql + " ORDER BY d.notification_id, d.notifier", args).fetchall()
        return [Delivery(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows]

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        cursor = self._db.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = ? "
            "WHERE notification_id = ? AND notifier = ? AND status = 'dead'",
            (stamp(at), notification_id, notifier),
        )
        return cursor.rowcount == 1


def _json_type(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "real"
    return "text"


class SQLiteStorage:
    """A SQLite file: ``SQLiteStorage("sqlite:///teknikcollege.db")``."""

    def __init__(self, url: str = f"sqlite:///{DEFAULT_PATH}", *, timeout: float = 30.0) -> None:
        self.url = url
        self.path = path_from_url(url)
        if self.path.is_dir():
            raise StorageUnavailable(
                Text(
                    f"{self.path} är en katalog, inte en databasfil",
                    f"{self.path} is a directory, not a database file",
                )
            )
        if not self.path.parent.exists():
            raise StorageUnavailable(
                Text(
                    f"katalogen {self.path.parent} finns inte; skapa den eller välj en "
                    "annan sökväg",
                    f"the folder {self.path.parent} does not exist; create it or choose "
                    "another path",
                )
            )
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StorageUnavailable(
                Text(
                    f"{self.path} kan inte öppnas som teknikcollege-databas: {error}",
                    f"{self.path} cannot be opened as a teknikcollege database: {error}",
                )
            ) from None
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        db = self._db
        db.execute("PRAGMA busy_timeout = 30000")
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise StorageUnavailable(
                Text(
                    f"{self.path} är en annan programvaras databas; välj en ny fil",
                    f"{self.path} belongs to another program; choose a new file",
                )
            )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            current = 0 if row is None else int(row[0])
            if current > len(MIGRATIONS):
                raise StorageUnavailable(
                    Text(
                        f"{self.path} har schemaversion {current}, nyare än den här versionen "
                        f"av teknikcollege ({len(MIGRATIONS)}); uppgradera paketet",
                        f"{self.path} has schema version {current}, newer than this "
                        f"teknikcollege knows ({len(MIGRATIONS)}); upgrade the package",
                    )
                )
            for statements in MIGRATIONS[current:]:
                for statement in statements:
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS),))
            else:
                db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._db.execute("SELECT version FROM schema_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[SQLiteTransaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise StorageUnavailable(
                    Text(f"databasen är låst: {error}", f"the database is locked: {error}")
                ) from None
            try:
                yield SQLiteTransaction(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()
