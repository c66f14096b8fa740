"""PostgreSQL storage: compare-and-set versions, JSONB data, forward migrations."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from teknikcollege import StorageUnavailable
from teknikcollege.storage.sql import Dialect, SQLTransaction, dump, migrate, schema

from ._messages import _

MIGRATIONS = (
    *schema(
        json="JSONB",
        time="TIMESTAMPTZ",
        serial="BIGSERIAL PRIMARY KEY",
        set_seq="UPDATE history SET data = jsonb_set(data, '{seq}', to_jsonb(seq))",
    ),
    # 3: containment queries on data (version 0.1 made this index in its first step)
    ("CREATE INDEX IF NOT EXISTS entities_data ON entities USING GIN (data jsonb_path_ops)",),
    (  # 4: the order history was appended in, across cases
        "ALTER TABLE history ADD COLUMN ord BIGSERIAL",
        # PostgreSQL kept no order of insertion: the rows' physical order, which ADD
        # COLUMN numbered, is not it (a rolled-back insert's space is reused after a
        # vacuum, an updated row moves). The records' time is, and within an instant the
        # physical order is the best guess left; each case's records keep their
        # numbers' order (the k-th place of a case goes to its k-th record).
        """UPDATE history h SET ord = p.place FROM (
            SELECT r.case_id, r.seq, s.place FROM
                (SELECT case_id, seq,
                    row_number() OVER (PARTITION BY case_id ORDER BY seq) AS k
                 FROM history) r
            JOIN
                (SELECT case_id,
                    row_number() OVER (
                        PARTITION BY case_id ORDER BY (data->>'at')::timestamptz, ord) AS k,
                    row_number() OVER (ORDER BY (data->>'at')::timestamptz, ord) AS place
                 FROM history) s
            ON r.case_id = s.case_id AND r.k = s.k
        ) p WHERE h.case_id = p.case_id AND h.seq = p.seq""",
        "CREATE UNIQUE INDEX history_ord ON history (ord)",
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
            _("invalid schema name {schema!r}: lower-case letters, digits and _", schema=schema)
        )
    return urlunsplit(parts._replace(query=rest)), schema


def _field(name: str, value: Any) -> tuple[str, list[Any]]:
    # JSONB containment compares the JSON type too, like the other backends.
    return "data @> %s", [Jsonb({name: value})]


def _identity(value: Any) -> Any:
    return value


def _json_in(data: Any) -> Jsonb:
    # `dump` passes on the text a record brings (``Encoded``) instead of encoding again.
    return Jsonb(data, dump)


def _savepoint(conn: psycopg.Connection[Any]) -> AbstractContextManager[Any]:
    return conn.transaction()


DIALECT = Dialect(
    name="postgresql",
    placeholder="%s",
    json_in=_json_in,
    json_out=_identity,
    time_in=_identity,
    time_out=_identity,
    field=_field,
    savepoint=_savepoint,
    integrity_error=psycopg.errors.UniqueViolation,
    lock_rows=" FOR UPDATE OF d SKIP LOCKED",
    error_aborts_transaction=True,
)
"""How PostgreSQL differs: JSONB, time stamps with time zone, row locks for claims."""


class PostgresTransaction(SQLTransaction):
    """A unit of work on one PostgreSQL connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        super().__init__(conn, DIALECT)


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
                _(
                    "cannot connect to PostgreSQL ({kind}): {error}",
                    kind=error.__class__.__name__,
                    error=error,
                )
            ) from None
        try:
            self._migrate()
        except psycopg.errors.DuplicateTable as error:
            # The schema holds tables of another program (it has no schema_version of
            # ours): never touch them.
            self._conn.close()
            where = self.schema or "public"
            raise StorageUnavailable(
                _(
                    "schema {schema!r} belongs to another program ({error}); choose a schema "
                    "of your own with ?schema=NAME",
                    schema=where,
                    error=error,
                )
            ) from None
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
            new = migrate(conn.execute, current, MIGRATIONS, "PostgreSQL")
            if row is None:
                conn.execute("INSERT INTO schema_version VALUES (%s)", (new,))
            elif new != current:
                conn.execute("UPDATE schema_version SET version = %s", (new,))
        if self.schema:  # SET inside the transaction ended with it; keep it for the session
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))

    @property
    def schema_version(self) -> int:
        """The schema version of the database."""
        row = self._conn.execute("SELECT version FROM schema_version").fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[PostgresTransaction]:
        """One PostgreSQL transaction (read only with ``write=False``); rolled back on
        any exception."""
        with self._lock, self._conn.transaction():
            if not write:
                self._conn.execute("SET TRANSACTION READ ONLY")
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
