"""``sqlite:///path`` — the embedded default backend.

WAL mode; writes inside ``BEGIN IMMEDIATE`` (one writer at a time), reads inside a
deferred transaction (a WAL reader never waits for a writer); foreign keys on; the
schema created and migrated forwards on open. A file written by another program, or by
a newer teknikcollege, is refused with a clear error. A file the process may not write
is opened read-only: reads work, writes say why they cannot.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .._redact import redact_url
from .._text import _
from ..errors import StorageUnavailable
from .sql import Dialect, SQLTransaction, dump, migrate, schema, sqlite_field, stamp, unstamp

APPLICATION_ID = 0x54434F4C  # "TCOL": marks a file as ours in its header
DEFAULT_PATH = "teknikcollege.db"

MIGRATIONS = (
    *schema(
        json="TEXT",
        time="TEXT",
        serial="INTEGER PRIMARY KEY AUTOINCREMENT",
        set_seq="UPDATE history SET data = json_set(data, '$.seq', seq)",
    ),
    (  # 3: the order history was appended in, across cases (the rows' order so far)
        "ALTER TABLE history ADD COLUMN ord INTEGER",
        "UPDATE history SET ord = rowid",
        "CREATE UNIQUE INDEX history_ord ON history (ord)",
    ),
)
"""Forward migrations: entry *n* takes the schema from version *n* to *n + 1*."""


@contextmanager
def _savepoint(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("SAVEPOINT tc")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK TO tc")
        db.execute("RELEASE tc")
        raise
    db.execute("RELEASE tc")


DIALECT = Dialect(
    name="sqlite",
    placeholder="?",
    json_in=dump,
    json_out=json.loads,
    time_in=stamp,
    time_out=unstamp,
    field=sqlite_field,
    savepoint=_savepoint,
    integrity_error=sqlite3.IntegrityError,
    stores_text=True,
    next_history_order="(SELECT coalesce(max(ord), 0) + 1 FROM history)",
)
"""How SQLite differs: JSON and times stored as text, ``json_extract`` for fields."""


def path_from_url(url: str) -> Path:
    """The file path in a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    parts = urlsplit(url)
    if (
        parts.scheme != "sqlite"
        or parts.netloc
        or not parts.path.startswith("/")
        or len(parts.path) < 2
    ):
        shown = redact_url(url)
        raise StorageUnavailable(
            _(
                "invalid SQLite URL {url!r}: write sqlite:///relative/file.db or "
                "sqlite:////absolute/file.db",
                url=shown,
            )
        )
    return Path(unquote(parts.path[1:]))


class SQLiteTransaction(SQLTransaction):
    """A unit of work on one SQLite connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__(db, DIALECT)


class _Transaction:
    """The context of :meth:`SQLiteStorage.transaction` (a class: cheaper than a
    generator on a path every call takes)."""

    __slots__ = ("_storage", "_write")

    def __init__(self, storage: SQLiteStorage, write: bool) -> None:
        self._storage = storage
        self._write = write

    def __enter__(self) -> SQLiteTransaction:
        return self._storage._begin(self._write)

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        self._storage._end(error)


class SQLiteStorage:
    """A SQLite file: ``SQLiteStorage("sqlite:///teknikcollege.db")``.

    `timeout` is how long, in seconds, a write waits for another writer's lock.
    """

    def __init__(self, url: str = f"sqlite:///{DEFAULT_PATH}", *, timeout: float = 30.0) -> None:
        self.url = url
        self.path = path_from_url(url)
        self.timeout = timeout
        if self.path.is_dir():
            raise StorageUnavailable(
                _("{path} is a directory, not a database file", path=self.path)
            )
        if not self.path.parent.exists():
            raise StorageUnavailable(
                _(
                    "the folder {folder} does not exist; create it or choose another path",
                    folder=self.path.parent,
                )
            )
        self.read_only = self.path.exists() and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        )
        self._lock = threading.RLock()
        try:
            self._db = self._connect()
        except sqlite3.Error as error:
            raise self._unavailable(error) from None
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise self._unavailable(error) from None
        except BaseException:
            self._db.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            # A WAL file in a folder we cannot write has no -shm to share: read it as an
            # immutable snapshot instead of failing.
            target = "file:" + quote(str(self.path.absolute())) + "?mode=ro"
            if not os.access(self.path.parent, os.W_OK):
                target += "&immutable=1"
            db = sqlite3.connect(target, uri=True, isolation_level=None, check_same_thread=False)
        else:
            db = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return db

    def _unavailable(self, error: BaseException) -> StorageUnavailable:
        if not os.access(self.path, os.R_OK) and self.path.exists():
            return StorageUnavailable(_("{path} cannot be read: permission denied", path=self.path))
        return StorageUnavailable(
            _(
                "{path} cannot be opened as a teknikcollege database: {error}",
                path=self.path,
                error=error,
            )
        )

    def _prepare(self) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise StorageUnavailable(
                _("{path} belongs to another program; choose a new file", path=self.path)
            )
        db.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            if self._stored_version() != len(MIGRATIONS):
                raise StorageUnavailable(
                    _(
                        "{path} is read-only and needs a migration; open it once with write access",
                        path=self.path,
                    )
                )
            return
        # Both need the write lock; a file that is already ours and current opens with
        # reads alone, so opening never waits for another process's writer.
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if self._stored_version() != len(MIGRATIONS) or app_id != APPLICATION_ID:
            self._migrate()

    def _stored_version(self) -> int:
        try:
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
        except sqlite3.OperationalError:
            return 0
        return 0 if row is None else int(row[0])

    def _migrate(self) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            current = 0 if row is None else int(row[0])
            new = migrate(db.execute, current, MIGRATIONS, str(self.path))
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (new,))
            elif new != current:
                db.execute("UPDATE schema_version SET version = ?", (new,))
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return self._stored_version()

    def transaction(self, *, write: bool = True) -> AbstractContextManager[SQLiteTransaction]:
        """``BEGIN IMMEDIATE`` (or a deferred ``BEGIN`` for reads) … ``COMMIT``, or
        ``ROLLBACK`` on any exception."""
        return _Transaction(self, write)

    def _begin(self, write: bool) -> SQLiteTransaction:
        if write and self.read_only:
            raise StorageUnavailable(
                _("{path} is read-only: only reads are possible", path=self.path)
            )
        self._lock.acquire()
        try:
            try:
                self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as error:
                raise StorageUnavailable(
                    _("the database is locked: {error}", error=error)
                ) from None
        except BaseException:
            self._lock.release()
            raise
        return SQLiteTransaction(self._db)

    def _end(self, error: BaseException | None) -> None:
        """Commit (`error` None) or roll back, then let the next transaction in."""
        try:
            try:
                if error is not None:
                    raise error
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                self._rollback()
                if type(error) is sqlite3.DatabaseError:  # not a lock, a constraint, ...
                    raise StorageUnavailable(
                        _("{path} is damaged: {error}", path=self.path, error=error)
                    ) from None
                raise
            except BaseException:
                self._rollback()
                raise
        finally:
            self._lock.release()

    def _rollback(self) -> None:
        # A damaged file may refuse even this; the error that led here is the one to show.
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.DatabaseError):
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __del__(self) -> None:
        # A storage dropped without close() still closes its file (Python 3.13 warns
        # about a connection left open to the garbage collector).
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(Exception):
                db.close()
