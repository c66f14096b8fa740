"""The SQL layer shared by the SQLite backend and SQL plug-ins (PostgreSQL).

One :class:`SQLTransaction` implements the whole storage port in portable SQL; a
:class:`Dialect` says how a database differs: its placeholder, how JSON and times go in
and out, how a top-level JSON field is compared, and how rows are locked for a claim.
Statements are written with ``?`` placeholders and translated once per dialect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from typing import Any, Protocol

import attrs

from .._json import compact
from .._text import _
from ..errors import ConcurrentUpdate, CorruptData, NotFound, StorageUnavailable
from .port import Delivery, Encoded, Put, Query, Scalar, Select, Settle, Stored, Transaction


class Connection(Protocol):
    """What the layer needs of a DB-API connection (sqlite3 and psycopg both fit)."""

    def execute(self, sql: Any, args: Any = ..., /) -> Any: ...

    def cursor(self) -> Any: ...


def stamp(when: datetime) -> str:
    """`when` as fixed-width UTC ISO text, so that text order is time order."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def unstamp(text: str | None) -> datetime | None:
    """The inverse of :func:`stamp`."""
    return None if text is None else datetime.fromisoformat(text)


def dump(data: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON text (the text :class:`Encoded` data brings, as it is)."""
    if type(data) is Encoded:
        return data.text
    return compact(data)


def _json_type(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "real"
    return "text"


def sqlite_field(name: str, value: Scalar) -> tuple[str, list[Any]]:
    """A SQLite condition: top-level JSON field `name` equals `value`, same JSON type."""
    path = "$." + json.dumps(name)
    if value is None:
        return "json_type(data, ?) = 'null'", [path]
    return "json_type(data, ?) = ? AND json_extract(data, ?) = ?", [
        path,
        _json_type(value),
        path,
        value,
    ]


@attrs.frozen
class Statements:
    """The statements every transition runs, in a dialect's placeholders (made once per
    dialect, not looked up per call)."""

    version: str
    versions_of_two: str
    history_head: str
    append_history: str
    insert: str
    update: str
    delete_keys: str
    insert_keys: str

    @classmethod
    def with_placeholder(cls, placeholder: str, next_order: str) -> Statements:
        """The statements with `placeholder` for ``?`` and `next_order` giving a new
        history record its place in the order of appending."""
        return cls(
            *(
                statement.replace("?", placeholder)
                for statement in (
                    "SELECT version FROM entities WHERE kind = ? AND id = ?",
                    "SELECT kind, id, version FROM entities "
                    "WHERE (kind = ? AND id = ?) OR (kind = ? AND id = ?)",
                    "SELECT seq, data FROM history WHERE case_id = ? ORDER BY seq DESC LIMIT 1",
                    "INSERT INTO history (case_id, seq, data, ord) VALUES (?, ?, ?, "
                    + next_order
                    + ") ON CONFLICT DO NOTHING",
                    "INSERT INTO entities (kind, id, version, data, due_at, unique_key) "
                    "VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING",
                    "UPDATE entities SET version = version + 1, data = ?, due_at = ?, "
                    "unique_key = ? WHERE kind = ? AND id = ? AND version = ?",
                    "DELETE FROM entity_keys WHERE kind = ? AND id = ?",
                    "INSERT INTO entity_keys (kind, id, name, value) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                )
            )
        )


@attrs.frozen
class Dialect:
    """How one SQL database differs from the portable statements."""

    name: str
    placeholder: str
    json_in: Callable[[Mapping[str, Any]], Any]
    json_out: Callable[[Any], Mapping[str, Any]]
    time_in: Callable[[datetime], Any]
    time_out: Callable[[Any], datetime | None]
    field: Callable[[str, Scalar], tuple[str, list[Any]]]
    """A condition comparing a top-level JSON field of ``data``, and its arguments."""
    savepoint: Callable[[Any], AbstractContextManager[Any]]
    integrity_error: type[BaseException] | tuple[type[BaseException], ...]
    lock_rows: str = ""
    """Appended to the claim's ``SELECT`` (PostgreSQL: ``FOR UPDATE OF d SKIP LOCKED``)."""
    error_aborts_transaction: bool = False
    """Whether a failed statement spoils the whole transaction (PostgreSQL), so that a
    statement that may fail needs a savepoint of its own."""
    stores_text: bool = False
    """Whether ``data`` is kept as the text :func:`dump` wrote (SQLite), so that it can be
    handed out as it is, without decoding and encoding it again."""
    next_history_order: str = "DEFAULT"
    """The value of a new history record's ``ord``, its place in the order records were
    appended in across all cases: the column's own sequence (PostgreSQL), or one more
    than the largest (SQLite, whose writers take turns)."""
    _cache: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False)
    statements: Statements = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda d: Statements.with_placeholder(d.placeholder, d.next_history_order), True
        ),
    )
    """The hot statements in this dialect's placeholders."""

    def sql(self, statement: str) -> str:
        """`statement` with this dialect's placeholders."""
        found = self._cache.get(statement)
        if found is None:
            found = statement.replace("?", self.placeholder)
            self._cache[statement] = found
        return found


class SQLTransaction(Transaction):
    """The storage port on one connection, inside a transaction the backend opened."""

    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self._conn = conn
        self._d = dialect
        self._q = dialect.statements

    def _run(self, statement: str, args: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._d.sql(statement), tuple(args))

    def _many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            self._conn.cursor().executemany(self._d.sql(statement), rows)

    def _stored(self, kind: str, row: Sequence[Any]) -> Stored:
        return Stored(
            kind, row[0], row[1], self._json(row[2], kind, row[0]), self._d.time_out(row[3])
        )

    def _json(
        self,
        value: Any,
        kind: str,
        id: str,
        seq: int | None = None,
        readable: Sequence[Mapping[str, Any]] = (),
    ) -> Mapping[str, Any]:
        """A stored record decoded; one that is not a JSON object (a store changed by
        hand, or damaged below the library) is :class:`CorruptData` naming it."""
        try:
            data = self._d.json_out(value)
        except ValueError:
            data = None
        if type(data) is not dict:
            raise CorruptData(kind, id, seq, readable)
        return data

    # -- entities ------------------------------------------------------------------

    def get(self, kind: str, id: str) -> Stored | None:
        row = self._run(
            "SELECT id, version, data, due_at FROM entities WHERE kind = ? AND id = ?", (kind, id)
        ).fetchone()
        return None if row is None else self._stored(kind, row)

    def version(self, kind: str, id: str) -> int | None:
        row = self._conn.execute(self._q.version, (kind, id)).fetchone()
        return None if row is None else int(row[0])

    def versions(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int | None]:
        """The versions of several entities in one statement (None for a missing one):
        an optional fast path of the port, read by ``Entities.prefetch``."""
        found: dict[tuple[str, str], int | None] = dict.fromkeys(keys)
        if len(keys) == 2:  # a permission check's person and college
            (a, b), (c, d) = keys
            rows = self._conn.execute(self._q.versions_of_two, (a, b, c, d)).fetchall()
        elif keys:
            where = " OR ".join(["(kind = ? AND id = ?)"] * len(keys))
            args = tuple(part for key in keys for part in key)
            rows = self._conn.execute(
                self._d.sql(f"SELECT kind, id, version FROM entities WHERE {where}"), args
            ).fetchall()
        else:
            rows = []
        for kind, id, version in rows:
            found[(kind, id)] = int(version)
        return found

    def _holder(self, kind: str, unique: str) -> str | None:
        row = self._run(
            "SELECT id FROM entities WHERE kind = ? AND unique_key = ?", (kind, unique)
        ).fetchone()
        return None if row is None else str(row[0])

    def put_row(self, op: Put) -> int:
        kind, id, data, expected_version = op.kind, op.id, op.data, op.expected_version
        due_at, keys, unique = op.due_at, op.keys, op.unique
        d = self._d
        due = None if due_at is None else d.time_in(due_at)
        if expected_version == 0:
            # ON CONFLICT DO NOTHING covers the primary key and the unique key alike, and
            # on PostgreSQL waits for a concurrent insert of the same key to finish.
            cursor = self._conn.execute(self._q.insert, (kind, id, d.json_in(data), due, unique))
            written = cursor.rowcount == 1
        else:
            update = self._q.update
            args = (d.json_in(data), due, unique, kind, id, expected_version)
            try:
                if d.error_aborts_transaction:
                    with d.savepoint(self._conn):
                        cursor = self._conn.execute(update, args)
                else:
                    cursor = self._conn.execute(update, args)
                written = cursor.rowcount == 1
            except d.integrity_error:
                written = False
        if not written:
            holder = self._holder(kind, unique) if unique is not None else None
            if holder is not None and holder != id:
                raise ConcurrentUpdate(kind, holder, 0, 1)
            raise ConcurrentUpdate(kind, id, expected_version, self.version(kind, id))
        if keys is not None:
            self._conn.execute(self._q.delete_keys, (kind, id))
            rows = [(kind, id, name, value) for name, value in keys]
            if rows:
                self._conn.cursor().executemany(self._q.insert_keys, rows)
        return expected_version + 1

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        cursor = self._run(
            "DELETE FROM entities WHERE kind = ? AND id = ? AND version = ?",
            (kind, id, expected_version),
        )
        if cursor.rowcount != 1:
            actual = self.version(kind, id)
            if actual is None:
                raise NotFound(kind, id)
            raise ConcurrentUpdate(kind, id, expected_version, actual)
        self._run("DELETE FROM entity_keys WHERE kind = ? AND id = ?", (kind, id))

    def query_rows(self, op: Query) -> list[Stored]:
        kind, where, keys, after, limit = op.kind, op.where, op.keys, op.after, op.limit
        sql = "SELECT id, version, data, due_at FROM entities WHERE kind = ?"
        args: list[Any] = [kind]
        for name, value in (keys or {}).items():
            sql += (
                " AND id IN (SELECT id FROM entity_keys WHERE kind = ? AND name = ? AND value = ?)"
            )
            args += [kind, name, value]
        for field, wanted in (where or {}).items():
            condition, more = self._d.field(field, wanted)
            sql += " AND " + condition
            args += more
        if after is not None:
            sql += " AND id > ?"
            args.append(after)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [self._stored(kind, r) for r in self._run(sql, args).fetchall()]

    def entity_texts(
        self, kind: str, *, after: str | None = None, limit: int
    ) -> list[tuple[str, str]]:
        """``(id, data as compact key-sorted JSON text)`` of up to `limit` entities of
        `kind` with an id after `after`, by id: an optional fast path of the port, read
        by ``Entities.stream_text`` (the export)."""
        rows = self._conn.execute(
            self._d.sql(
                "SELECT id, data FROM entities WHERE kind = ? AND id > ? ORDER BY id LIMIT ?"
            ),
            (kind, after or "", limit),
        ).fetchall()
        if self._d.stores_text:
            return [(r[0], r[1]) for r in rows]
        return [(r[0], compact(self._d.json_out(r[1]))) for r in rows]

    def history_appended(self, *, after: int = 0, limit: int) -> list[tuple[int, str]]:
        """``(place, record as compact key-sorted JSON text)`` of up to `limit` history
        records of every case after place `after`, in the order they were appended: the
        whole history a page at a time (optional, like :meth:`entity_texts`)."""
        rows = self._conn.execute(
            self._d.sql("SELECT ord, data FROM history WHERE ord > ? ORDER BY ord LIMIT ?"),
            (after, limit),
        ).fetchall()
        if self._d.stores_text:
            return [(r[0], r[1]) for r in rows]
        return [(r[0], compact(self._d.json_out(r[1]))) for r in rows]

    def due(self, before: datetime, limit: int) -> list[Stored]:
        rows = self._run(
            "SELECT kind, id, version, data, due_at FROM entities "
            "WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, kind, id LIMIT ?",
            (self._d.time_in(before), limit),
        ).fetchall()
        return [self._stored(r[0], r[1:]) for r in rows]

    # -- history -------------------------------------------------------------------

    def append_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        cursor = self._conn.execute(self._q.append_history, (case_id, seq, self._d.json_in(data)))
        if cursor.rowcount != 1:
            raise ConcurrentUpdate("history", case_id, seq - 1, seq)

    def history(self, case_id: str, *, after: int = 0) -> list[Mapping[str, Any]]:
        rows = self._run(
            "SELECT seq, data FROM history WHERE case_id = ? AND seq > ? ORDER BY seq",
            (case_id, after),
        ).fetchall()
        records: list[Mapping[str, Any]] = []
        for seq, data in rows:
            records.append(self._json(data, "history", case_id, seq, records))
        return records

    def history_head(self, case_id: str) -> Mapping[str, Any] | None:
        row = self._conn.execute(self._q.history_head, (case_id,)).fetchone()
        return None if row is None else self._json(row[1], "history", case_id, row[0])

    def history_cases(self, *, after: str | None = None, limit: int | None = None) -> list[str]:
        sql = "SELECT DISTINCT case_id FROM history WHERE case_id > ?"
        args: list[Any] = [after or ""]
        sql += " ORDER BY case_id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [str(r[0]) for r in self._run(sql, args).fetchall()]

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        cursor = self._run(
            "UPDATE history SET data = ? WHERE case_id = ? AND seq = ?",
            (self._d.json_in(data), case_id, seq),
        )
        if cursor.rowcount != 1:
            raise NotFound("history", f"{case_id}#{seq}")

    # -- outbox --------------------------------------------------------------------

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        when = self._d.time_in(at)
        cursor = self._run(
            "INSERT INTO notifications (id, created_at, data) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (id, when, self._d.json_in(data)),
        )
        if cursor.rowcount != 1:
            raise ConcurrentUpdate("notification", id, 0, 1)
        self._many(
            "INSERT INTO deliveries (notification_id, notifier, status, attempts, "
            "next_attempt_at) VALUES (?, ?, 'pending', 0, ?)",
            [(id, name, when) for name in notifiers],
        )

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        rows = self._run(
            "SELECT d.notification_id, n.data, d.attempts, d.last_error FROM deliveries d "
            "JOIN notifications n ON n.id = d.notification_id WHERE d.notifier = ? AND "
            "d.status = 'pending' AND d.next_attempt_at <= ? "
            "ORDER BY d.next_attempt_at, d.notification_id LIMIT ?" + self._d.lock_rows,
            (notifier, self._d.time_in(now), limit),
        ).fetchall()
        lease = self._d.time_in(lease_until)
        self._many(
            "UPDATE deliveries SET next_attempt_at = ? WHERE notification_id = ? AND notifier = ?",
            [(lease, r[0], notifier) for r in rows],
        )
        return [
            Delivery(r[0], notifier, self._json(r[1], "notification", r[0]), r[2], "pending", r[3])
            for r in rows
        ]

    def settle_row(self, op: Settle) -> bool:
        notification_id, notifier, delivered = op.notification_id, op.notifier, op.delivered
        at, error, retry_at = op.at, op.error, op.retry_at
        status = "delivered" if delivered else ("pending" if retry_at else "dead")
        cursor = self._run(
            "UPDATE deliveries SET attempts = attempts + 1, status = ?, last_error = ?, "
            "next_attempt_at = ? WHERE notification_id = ? AND notifier = ? "
            "AND status <> 'delivered'",
            (
                status,
                None if delivered else error,
                self._d.time_in(retry_at or at),
                notification_id,
                notifier,
            ),
        )
        if cursor.rowcount == 1:
            return True
        exists = self._run(
            "SELECT 1 FROM deliveries WHERE notification_id = ? AND notifier = ?",
            (notification_id, notifier),
        ).fetchone()
        if exists is None:
            raise NotFound("delivery", f"{notification_id}/{notifier}")
        return False

    def delivery_rows(self, op: Select) -> list[Delivery]:
        status, notifier, after, limit = op.status, op.notifier, op.after, op.limit
        sql = (
            "SELECT d.notification_id, d.notifier, n.data, d.attempts, d.status, "
            "d.last_error FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
            "WHERE 1 = 1"
        )
        args: list[Any] = []
        if status is not None:
            sql += " AND d.status = ?"
            args.append(status)
        if notifier is not None:
            sql += " AND d.notifier = ?"
            args.append(notifier)
        if after is not None:
            sql += " AND (d.notification_id > ? OR (d.notification_id = ? AND d.notifier > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY d.notification_id, d.notifier"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [
            Delivery(r[0], r[1], self._json(r[2], "notification", r[0]), r[3], r[4], r[5])
            for r in self._run(sql, args).fetchall()
        ]

    def count_deliveries(self, status: str, *, notifier: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM deliveries WHERE status = ?", [status]
        if notifier is not None:
            sql += " AND notifier = ?"
            args.append(notifier)
        return int(self._run(sql, args).fetchone()[0])

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        cursor = self._run(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = ? "
            "WHERE notification_id = ? AND notifier = ? AND status = 'dead'",
            (self._d.time_in(at), notification_id, notifier),
        )
        return bool(cursor.rowcount == 1)

    def clear_errors(self, notification_ids: Iterable[str]) -> int:
        count = 0
        for id in notification_ids:
            cursor = self._run(
                "UPDATE deliveries SET last_error = NULL WHERE notification_id = ? "
                "AND last_error IS NOT NULL",
                (id,),
            )
            count += max(cursor.rowcount, 0)
        return count

    # -- refusals, savepoints, meta ----------------------------------------------------

    def add_refusal(self, data: Mapping[str, Any]) -> int:
        row = self._run(
            "INSERT INTO refusals (data) VALUES (?) RETURNING seq", (self._d.json_in(data),)
        ).fetchone()
        return int(row[0])

    def refusals(self, *, after: int = 0, limit: int | None = None) -> list[Mapping[str, Any]]:
        sql, args = "SELECT seq, data FROM refusals WHERE seq > ? ORDER BY seq", [after]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [self._json(r[1], "refusal", str(r[0])) for r in self._run(sql, args).fetchall()]

    def savepoint(self) -> AbstractContextManager[None]:
        return _savepoint(self._d, self._conn)

    def get_meta(self, name: str) -> str | None:
        row = self._run("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        self._run(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )


@contextmanager
def _savepoint(dialect: Dialect, conn: Connection) -> Iterator[None]:
    with dialect.savepoint(conn):
        yield


Migration = tuple[str, ...]


def schema(json: str, time: str, serial: str, set_seq: str) -> tuple[Migration, ...]:
    """The migrations of every SQL backend, given its types: `json` and `time` columns,
    a `serial` primary key, and the statement writing each history record's number into
    its data (version 0.1 stored ``"seq": 0``)."""
    return (
        (  # 1: version 0.1
            f"""CREATE TABLE entities (
                kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
                data {json} NOT NULL, due_at {time}, PRIMARY KEY (kind, id))""",
            "CREATE INDEX entities_due ON entities (due_at) WHERE due_at IS NOT NULL",
            f"""CREATE TABLE history (
                case_id TEXT NOT NULL, seq INTEGER NOT NULL, data {json} NOT NULL,
                PRIMARY KEY (case_id, seq))""",
            f"""CREATE TABLE notifications (
                id TEXT PRIMARY KEY, created_at {time} NOT NULL, data {json} NOT NULL)""",
            f"""CREATE TABLE deliveries (
                notification_id TEXT NOT NULL REFERENCES notifications (id),
                notifier TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
                next_attempt_at {time} NOT NULL, last_error TEXT,
                PRIMARY KEY (notification_id, notifier))""",
            "CREATE INDEX deliveries_pending ON deliveries (notifier, status, next_attempt_at)",
        ),
        (  # 2: index keys, one holder per unique key, refusals, meta, real record numbers
            "ALTER TABLE entities ADD COLUMN unique_key TEXT",
            "CREATE UNIQUE INDEX entities_unique ON entities (kind, unique_key) "
            "WHERE unique_key IS NOT NULL",
            """CREATE TABLE entity_keys (
                kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
                value TEXT NOT NULL, PRIMARY KEY (kind, id, name, value))""",
            "CREATE INDEX entity_keys_value ON entity_keys (kind, name, value, id)",
            f"CREATE TABLE refusals (seq {serial}, data {json} NOT NULL)",
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            set_seq,
            "CREATE INDEX deliveries_status ON deliveries (status, notification_id)",
        ),
    )


def migrate(
    run: Callable[[str], Any],
    current: int,
    migrations: Sequence[Migration],
    where: str,
) -> int:
    """Run the `migrations` after `current` (inside the caller's transaction); returns the
    new version. A store newer than this code is refused."""
    if current > len(migrations):
        raise StorageUnavailable(
            _(
                "{where} has schema version {current}, newer than this teknikcollege knows "
                "({known}); upgrade the package",
                where=where,
                current=current,
                known=len(migrations),
            )
        )
    for statements in migrations[current:]:
        for statement in statements:
            run(statement)
    return len(migrations)
