"""PostgreSQL storage: compare-and-set versions, JSONB data, forward migrations."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from teknikcollege import ConcurrentUpdate, NotFound, StorageUnavailable, Text
from teknikcollege.storage import Delivery, Stored

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE entities (
            kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
            data JSONB NOT NULL, due_at TIMESTAMPTZ, PRIMARY KEY (kind, id))""",
        "CREATE INDEX entities_due ON entities (due_at) WHERE due_at IS NOT NULL",
        "CREATE INDEX entities_data ON entities USING GIN (data jsonb_path_ops)",
        """CREATE TABLE history (
            case_id TEXT NOT NULL, seq INTEGER NOT NULL, data JSONB NOT NULL,
            PRIMARY KEY (case_id, seq))""",
        """CREATE TABLE notifications (
            id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, data JSONB NOT NULL)""",
        """CREATE TABLE deliveries (
            notification_id TEXT NOT NULL REFERENCES notifications (id),
            notifier TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_attempt_at TIMESTAMPTZ NOT NULL, last_error TEXT,
            PRIMARY KEY (notification_id, notifier))""",
        "CREATE INDEX deliveries_pending ON deliveries (notifier, status, next_attempt_at)",
    ),
)
"""Forward migrations: entry *n* takes the schema from version *n* to *n + 1*."""

_LOCK_KEY = 0x54434F4C  # advisory lock held while migrating
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def split_url(url: str) -> tuple[str, str | None]:
    """The libpq URL without our ``schema`` parameter, and that schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    if schema is not None and not _SCHEMA.match(schema):
        raise StorageUnavailable(
            Text(
                f"ogiltigt schemanamn {schema!r}: små bokstäver, siffror och _",
                f"invalid schema name {schema!r}: lower-case letters, digits and _",
            )
        )
    return urlunsplit(parts._replace(query=rest)), schema


class PostgresTransaction:
    """A unit of work on one PostgreSQL connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def _one(self, query: str, args: tuple[Any, ...]) -> Any:
        return self._conn.execute(query, args).fetchone()  # type: ignore[arg-type]

    def get(self, kind: str, id: str) -> Stored | None:
        row = self._one(
            "SELECT version, data, due_at FROM entities WHERE kind = %s AND id = %s", (kind, id)
        )
        return None if row is None else Stored(kind, id, row[0], row[1], row[2])

    def _version(self, kind: str, id: str) -> int | None:
        row = self._one("SELECT version FROM entities WHERE kind = %s AND id = %s", (kind, id))
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
        if expected_version == 0:
            cur = self._conn.execute(
                "INSERT INTO entities (kind, id, version, data, due_at) "
                "VALUES (%s, %s, 1, %s, %s) ON CONFLICT (kind, id) DO NOTHING",
                (kind, id, Jsonb(data), due_at),
            )
        else:
            cur = self._conn.execute(
                "UPDATE entities SET version = version + 1, data = %s, due_at = %s "
                "WHERE kind = %s AND id = %s AND version = %s",
                (Jsonb(data), due_at, kind, id, expected_version),
            )
        if cur.rowcount != 1:
            raise ConcurrentUpdate(kind, id, expected_version, self._version(kind, id))
        return expected_version + 1

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        cur = self._conn.execute(
            "DELETE FROM entities WHERE kind = %s AND id = %s AND version = %s",
            (kind, id, expected_version),
        )
        if cur.rowcount != 1:
            actual = self._version(kind, id)
            if actual is None:
                raise NotFound(kind, id)
            raise ConcurrentUpdate(kind, id, expected_version, actual)

    def query(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Stored]:
        if where:
            rows = self._conn.execute(
                "SELECT id, version, data, due_at FROM entities WHERE kind = %s "
                "AND data @> %s ORDER BY id",
                (kind, Jsonb(dict(where))),
            ).fetchall()
        else:
            rows = self._conn.execute(
                "SELECT id, version, data, due_at FROM entities WHERE kind = %s ORDER BY id",
                (kind,),
            ).fetchall()
        return [Stored(kind, r[0], r[1], r[2], r[3]) for r in rows]

    def due(self, before: datetime, limit: int) -> list[Stored]:
        rows = self._conn.execute(
            "SELECT kind, id, version, data, due_at FROM entities WHERE due_at IS NOT NULL "
            "AND due_at <= %s ORDER BY due_at, kind, id LIMIT %s",
            (before, limit),
        ).fetchall()
        return [Stored(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def append_history(self, case_id: str, data: Mapping[str, Any]) -> int:
        row = self._one(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM history WHERE case_id = %s", (case_id,)
        )
        seq = int(row[0])
        try:
            with self._conn.transaction():  # a savepoint: a clash must not poison the rest
                self._conn.execute(
                    "INSERT INTO history (case_id, seq, data) VALUES (%s, %s, %s)",
                    (case_id, seq, Jsonb(data)),
                )
        except psycopg.errors.UniqueViolation:
            raise ConcurrentUpdate("history", case_id, seq - 1, seq) from None
        return seq

    def history(self, case_id: str) -> list[Mapping[str, Any]]:
        rows = self._conn.execute(
            "SELECT data FROM history WHERE case_id = %s ORDER BY seq", (case_id,)
        ).fetchall()
        return [r[0] for r in rows]

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        cur = self._conn.execute(
            "UPDATE history SET data = %s WHERE case_id = %s AND seq = %s",
            (Jsonb(data), case_id, seq),
        )
        if cur.rowcount != 1:
            raise NotFound("history", f"{case_id}#{seq}")

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        cur = self._conn.execute(
            "INSERT INTO notifications (id, created_at, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (id, at, Jsonb(data)),
        )
        if cur.rowcount != 1:
            raise ConcurrentUpdate("notification", id, 0, 1)
        with self._conn.cursor() as c:
            c.executemany(
                "INSERT INTO deliveries (notification_id, notifier, status, attempts, "
                "next_attempt_at) VALUES (%s, %s, 'pending', 0, %s)",
                [(id, name, at) for name in notifiers],
            )

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        rows = self._conn.execute(
            "SELECT d.notification_id, n.data, d.attempts, d.last_error FROM deliveries d "
            "JOIN notifications n ON n.id = d.notification_id WHERE d.notifier = %s AND "
            "d.status = 'pending' AND d.next_attempt_at <= %s "
            "ORDER BY d.next_attempt_at, d.notification_id LIMIT %s FOR UPDATE OF d SKIP LOCKED",
            (notifier, now, limit),
        ).fetchall()
        with self._conn.cursor() as c:
            c.executemany(
                "UPDATE deliveries SET next_attempt_at = %s "
                "WHERE notification_id = %s AND notifier = %s",
                [(lease_until, r[0], notifier) for r in rows],
            )
        return [Delivery(r[0], notifier, r[1], r[2], "pending", r[3]) for r in rows]

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
        cur = self._conn.execute(
            "UPDATE deliveries SET attempts = attempts + 1, status = %s, last_error = %s, "
            "next_attempt_at = %s WHERE notification_id = %s AND notifier = %s",
            (status, None if delivered else error, retry_at or at, notification_id, notifier),
        )
        if cur.rowcount != 1:
            raise NotFound("delivery", f"{notification_id}/{notifier}")

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        query = (
            "SELECT d.notification_id, d.notifier, n.data, d.attempts, d.status, "
            "d.last_error FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
        )
        args: tuple[Any, ...] = ()
        if status is not None:
            query += " WHERE d.status = %s"
            args = (status,)
        rows = self._conn.execute(
            query + " ORDER BY d.notification_id, d.notifier", args
        ).fetchall()
        return [Delivery(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        cur = self._conn.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = %s "
            "WHERE notification_id = %s AND notifier = %s AND status = 'dead'",
            (at, notification_id, notifier),
        )
        return cur.rowcount == 1


class PostgresStorage:
    """``PostgresStorage("postgresql://user@host:5432/db?schema=tc")``."""

    def __init__(self, url: str, *, connect_timeout: int = 10) -> None:
        self.url = url
        conninfo, self.schema = split_url(url)
        self._lock = threading.RLock()
        try:
            self._conn = psycopg.connect(conninfo, connect_timeout=connect_timeout, autocommit=True)
        except psycopg.Error as error:
            raise StorageUnavailable(
                Text(
                    f"kan inte ansluta till PostgreSQL ({error.__class__.__name__}): {error}",
                    f"cannot connect to PostgreSQL ({error.__class__.__name__}): {error}",
                )
            ) from None
        try:
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def _migrate(self) -> None:
        conn = self._conn
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            if self.schema:
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
                )
                conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            current = 0 if row is None else int(row[0])
            if current > len(MIGRATIONS):
                raise StorageUnavailable(
                    Text(
                        f"databasen har schemaversion {current}, nyare än den här versionen "
                        f"({len(MIGRATIONS)}); uppgradera teknikcollege-postgres",
                        f"the database has schema version {current}, newer than this version "
                        f"knows ({len(MIGRATIONS)}); upgrade teknikcollege-postgres",
                    )
                )
            for statements in MIGRATIONS[current:]:
                for statement in statements:
                    conn.execute(statement)  # type: ignore[arg-type]
            if row is None:
                conn.execute("INSERT INTO schema_version VALUES (%s)", (len(MIGRATIONS),))
            else:
                conn.execute("UPDATE schema_version SET version = %s", (len(MIGRATIONS),))
        if self.schema:  # SET inside the transaction ended with it; keep it for the session
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))

    @property
    def schema_version(self) -> int:
        """The schema version of the database."""
        row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        """One PostgreSQL transaction; rolled back on any exception."""
        with self._lock, self._conn.transaction():
            yield PostgresTransaction(self._conn)

    def drop_schema(self) -> None:
        """Drop the URL's schema with everything in it (for tests)."""
        if self.schema:
            self._conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
