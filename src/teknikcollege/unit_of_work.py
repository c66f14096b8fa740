"""The unit of work: one storage transaction and typed repositories over it.

This is the only place where models become rows and rows become models. Decoded
objects are shared between units of work through an :class:`ObjectCache` keyed by
kind, id *and version*: a stored version never changes, so a cached object is always
the stored one, and a hot path (the college behind every notification) is decoded once.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from enum import Enum
from typing import Any, NoReturn, TypeVar, cast

from ._json import compact, quote
from ._text import _
from .errors import CorruptData, InvalidData
from .kinds import BY_CLASS, Kind, kind_for
from .models import Certification, Role
from .models.common import local_day
from .notify.port import Notification
from .rules.findings import Finding
from .serialization import converter, from_data, from_stored, to_data
from .storage.port import Delivery, Encoded, Owned, Scalar, Stored, Transaction
from .workflow.case import Case, Refusal, TransitionRecord

T = TypeVar("T")

PAGE = 500
"""Rows read per page when streaming."""


class ObjectCache(dict[tuple[str, str, int], Any]):
    """Decoded objects by ``(kind, id, version)``, bounded, shared by units of work.

    A dict itself, so that a look-up (``get``) is the dict's own."""

    def __init__(self, size: int = 4096) -> None:
        super().__init__()
        self.size = size
        self.derived: dict[Hashable, Any] = {}
        """What was worked out from stored records alone, keyed by their versions (and
        whatever else it depends on): right as long as those versions are current."""

    def put(self, key: tuple[str, str, int], value: Any) -> None:
        if len(self) >= self.size:
            # Dropping everything is crude but O(1) amortised and never wrong.
            self.clear()
        self[key] = value

    def put_derived(self, key: Hashable, value: Any) -> None:
        """Keep `value` in :attr:`derived` (bounded like the objects)."""
        if len(self.derived) >= self.size:
            self.derived.clear()
        self.derived[key] = value


def _copy_case(case: Case) -> Case:
    """A copy of `case` sharing only its frozen parts (subject, certifications)."""
    return Case(
        case.id,
        case.workflow,
        case.subject,
        case.college_id,
        case.state,
        case.opened,
        dict(case.deadlines),
        list(case.certifications),
        list(case.reminders_sent),
    )


def _split_where(
    kind: Kind, where: Mapping[str, object]
) -> tuple[dict[str, str], dict[str, Scalar], dict[str, Any]]:
    """Split a ``find`` filter into index keys, scalar JSON fields and the rest."""
    keys: dict[str, str] = {}
    scalar: dict[str, Scalar] = {}
    other: dict[str, Any] = {}
    for name, value in where.items():
        data = value if type(value) is str else to_data(value)
        if name in kind.index and not isinstance(data, list):
            keys[name] = str(value.value if isinstance(value, Enum) else value)
        elif data is None or isinstance(data, (str, int, float, bool)):
            scalar[name] = data
        else:
            other[name] = data
    return keys, scalar, other


class Entities:
    """Every stored kind, cases included, read and written by class."""

    def __init__(self, tx: Transaction, cache: ObjectCache) -> None:
        self.tx = tx
        self.cache = cache
        self._known: dict[tuple[str, str], int | None] = {}
        self.written: dict[tuple[str, str, int], Any] = {}
        """What this unit of work wrote, by kind, id and version: it reaches the shared
        cache only once it has committed (:meth:`committed`), so that a version rolled
        back is never taken for one another process commits later."""
        self._dirty: set[tuple[str, str]] = set()  # the kind and id of each of them

    def touched(self, cls: type[Any], id: str) -> bool:
        """Whether this unit of work wrote the entity (what it reads of it is not
        committed yet: nothing worked out from it may be kept beyond it)."""
        return bool(self._dirty) and (BY_CLASS[cls].name, id) in self._dirty

    def committed(self) -> None:
        """The unit of work committed: what it wrote joins the shared cache."""
        for key, found in self.written.items():
            self.cache.put(key, found)

    def _decode(self, stored: Stored, kind: Kind) -> Any:
        key = (kind.name, stored.id, stored.version)
        found = self.cache.get(key)
        if found is None:
            if self._dirty and (kind.name, stored.id) in self._dirty:
                found = self.written.get(key)
            if found is None:
                found = from_stored(stored.data, kind.cls)
                if not (self._dirty and (kind.name, stored.id) in self._dirty):
                    self.cache.put(key, found)
        if kind.cls is Case:
            return _copy_case(found)  # a case is mutable: every reader gets its own
        return found

    def prefetch(self, *wanted: tuple[type[Any], str]) -> None:
        """Read the versions of the `wanted` ``(class, id)`` entities in one statement
        where the backend can (``versions``: the SQL backends); the next read of each
        uses its version once. For reads that follow at once (a permission check), so
        that a round trip to the database serves them all."""
        versions = getattr(self.tx, "versions", None)
        if versions is not None:
            self._known.update(versions([(BY_CLASS[cls].name, id) for cls, id in wanted]))

    def get(self, cls: type[T], id: str) -> T | None:
        """The entity of `cls` with `id`, or None."""
        found = self.get_versioned(cls, id)
        return None if found is None else found[0]

    def get_versioned(self, cls: type[T], id: str) -> tuple[T, int] | None:
        """The entity and its stored version, or None."""
        kind = BY_CLASS.get(cls) or kind_for(cls)
        name = kind.name
        known = self._known
        if known and (name, id) in known:
            version = known.pop((name, id))
        else:
            version = self.tx.version(name, id)
        if version is None:
            return None
        hit: Any = self.cache.get((name, id, version))
        if hit is None and self._dirty and (name, id) in self._dirty:
            hit = self.written.get((name, id, version))
        if hit is not None:
            if kind.cls is Case:
                hit = _copy_case(hit)
            return hit, version
        stored = self.tx.get(name, id)
        if stored is None:
            return None
        found: Any = self._decode(stored, kind)
        return found, stored.version

    def version(self, cls: type[Any], id: str) -> int | None:
        """The stored version, or None."""
        return self.tx.version(kind_for(cls).name, id)

    def find(self, cls: type[T], **where: object) -> list[T]:
        """Entities of `cls` whose fields equal `where`, ordered by id."""
        found, after = self.page(cls, where, limit=PAGE)
        if after is None:  # the usual case: one page held everything
            return found
        return found + list(self.stream(cls, where, after=after))

    def page(
        self,
        cls: type[T],
        where: Mapping[str, object] | None = None,
        *,
        keys: Mapping[str, str] | None = None,
        after: str | None = None,
        limit: int = PAGE,
    ) -> tuple[list[T], str | None]:
        """Up to `limit` entities like :meth:`find`, with ids after `after`; and the id to
        read the next page after (None when this was the last)."""
        kind = kind_for(cls)
        index, scalar, other = _split_where(kind, where or {})
        index.update(keys or {})
        rows = self.tx.query(kind.name, scalar, keys=index or None, after=after, limit=limit)
        found = [
            cast(T, self._decode(stored, kind))
            for stored in rows
            if all(stored.data.get(k) == v for k, v in other.items())
        ]
        return found, (rows[-1].id if len(rows) == limit else None)

    def stream(
        self,
        cls: type[T],
        where: Mapping[str, object] | None = None,
        *,
        keys: Mapping[str, str] | None = None,
        page: int = PAGE,
        after: str | None = None,
    ) -> Iterator[T]:
        """Like :meth:`find`, read a page at a time (memory stays bounded); `keys` are
        index keys to hold besides; `after` an id to start after."""
        while True:
            found, after = self.page(cls, where, keys=keys, after=after, limit=page)
            yield from found
            if after is None:
                return

    def stream_raw(self, cls: type[Any], *, page: int = PAGE) -> Iterator[Mapping[str, Any]]:
        """The stored data of every entity of `cls`, a page at a time, not decoded (the
        stored form is the export document's form)."""
        kind = kind_for(cls)
        after: str | None = None
        while True:
            rows = self.tx.query(kind.name, after=after, limit=page)
            for stored in rows:
                yield stored.data
            if len(rows) < page:
                return
            after = rows[-1].id

    def stream_text(self, cls: type[Any], *, page: int = PAGE) -> Iterator[str]:
        """The stored data of every entity of `cls` as compact key-sorted JSON text, a page
        at a time: the text a backend keeps, as it is, where it keeps such text
        (``entity_texts``), else the data encoded so."""
        kind = kind_for(cls)
        texts = getattr(self.tx, "entity_texts", None)
        if texts is None:
            yield from map(compact, self.stream_raw(cls, page=page))
            return
        after: str | None = None
        while True:
            rows = texts(kind.name, after=after, limit=page)
            for row in rows:
                yield row[1]
            if len(rows) < page:
                return
            after = rows[-1][0]

    def with_key(self, cls: type[T], name: str, value: str) -> Iterator[T]:
        """Entities of `cls` holding index key `name` = `value` (``roles``, a role's value)."""
        return self.stream(cls, keys={name: value})

    def add(self, entity: object) -> int:
        """Store a new entity; an id already taken raises ``ConcurrentUpdate``."""
        return self.write(entity, expected_version=0)

    def write(
        self,
        entity: object,
        *,
        expected_version: int,
        due_at: datetime | None = None,
        unique: str | None = None,
    ) -> int:
        """Write `entity` under the version check; returns the new version."""
        kind = BY_CLASS[type(entity)]
        id: str = entity.id  # type: ignore[attr-defined]
        if self._known:
            self._known.pop((kind.name, id), None)
        if type(entity) is Case:
            data = _case_data(entity)
        else:
            data = Owned(_unstructure(type(entity))(entity))
        version = self.tx.put(
            kind.name,
            id,
            data,
            expected_version=expected_version,
            due_at=due_at,
            keys=kind.keys(entity),
            unique=unique,
        )
        self.written[(kind.name, id, version)] = (
            _copy_case(entity) if isinstance(entity, Case) else entity
        )
        self._dirty.add((kind.name, id))
        return version


def canonical(data: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes: sorted keys, no spaces, UTF-8 (what a chain hashes)."""
    return compact(data).encode()


def record_hash(data: Mapping[str, Any]) -> str:
    """The SHA-256 of a stored record's content, its own ``hash`` left out."""
    return hashlib.sha256(canonical({k: v for k, v in data.items() if k != "hash"})).hexdigest()


def hash_matches(data: Mapping[str, Any]) -> bool:
    """Whether a record's ``hash`` is the hash of its content (False for content that
    cannot be hashed: text that is not valid Unicode, which a document may carry in a
    finding's free-form data)."""
    try:
        return data.get("hash") == record_hash(data)
    except UnicodeEncodeError:
        return False


def _unstructure_hook(cls: type[Any]) -> Any:
    """``to_data`` for `cls`, without the converter's dispatch on each call (cattrs
    24.1 and later; the plain ``to_data`` before)."""
    get = getattr(converter, "get_unstructure_hook", None)
    return to_data if get is None else get(cls)


_unstructure_findings = _unstructure_hook(tuple[Finding, ...])
_ROLE_VALUES = {role: role.value for role in Role}
_HOOKS: dict[type[Any], Any] = {}


def _unstructure(cls: type[Any]) -> Any:
    """The cached ``to_data`` hook of a stored class."""
    found = _HOOKS.get(cls)
    if found is None:
        found = _HOOKS[cls] = _unstructure_hook(cls)
    return found


_unstructure_certification = _unstructure_hook(Certification)


def _case_data(case: Case) -> Owned:
    """``to_data(case)``, built directly (a test holds the two equal): every transition
    writes its case, and the converter's nested hooks cost as much as the rest of the
    write."""
    subject = case.subject
    return Owned(
        id=case.id,
        workflow=case.workflow,
        subject={"kind": subject.kind._value_, "id": subject.id, "parent": subject.parent},
        college_id=case.college_id,
        state=case.state,
        opened=case.opened.isoformat(),
        deadlines=(
            {name: day.isoformat() for name, day in case.deadlines.items()}
            if case.deadlines
            else {}
        ),
        certifications=(
            [_unstructure_certification(c) for c in case.certifications]
            if case.certifications
            else []
        ),
        reminders_sent=list(case.reminders_sent),
    )


def _in_time_order(head: Mapping[str, Any] | None, at: datetime) -> None:
    """A case's history runs forwards in days: a step is never dated on a day before the
    last one's (a sweep asked for a time in the past, a clock set back). Days, not
    instants: two processes acting at once take their times before either commits, so
    the later commit may carry the earlier instant of the same day."""
    if head is not None and local_day(datetime.fromisoformat(str(head["at"]))) > local_day(at):
        raise InvalidData.at(
            "at",
            _(
                "a step cannot be dated {at} before the case's last step ({last})",
                at=at.isoformat(),
                last=str(head["at"]),
            ),
        )


class History:
    """Each case's audit records: numbered without gaps, chained by hash."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def append(self, record: TransitionRecord) -> TransitionRecord:
        """Store `record` as the case's next record; returns it numbered and hashed."""
        return self.add(
            record.case_id,
            record.trigger,
            record.source,
            record.dest,
            record.actor_id,
            record.actor_roles,
            record.at,
            record.note,
            record.params,
            record.findings,
        )

    def add(
        self,
        case_id: str,
        trigger: str,
        source: str,
        dest: str,
        actor_id: str,
        actor_roles: frozenset[Role],
        at: datetime,
        note: str = "",
        params: Mapping[str, str] | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> TransitionRecord:
        """Store the case's next record with these fields; returns it numbered and
        hashed (:meth:`append` without building the record twice)."""
        head = self.tx.history_head(case_id)
        # A step at or after the last one's instant is never on an earlier day: only a
        # step dated before it needs its day worked out.
        if head is not None and datetime.fromisoformat(str(head["at"])) > at:
            _in_time_order(head, at)
        seq = 1 if head is None else int(head["seq"]) + 1
        prev = "" if head is None else str(head.get("hash", ""))
        params = {} if params is None else params
        roles = sorted([_ROLE_VALUES.get(r, r) for r in actor_roles])
        stamp = at.isoformat()
        found = _unstructure_findings(findings) if findings else []
        plain = dict(params)
        # The canonical text written directly, in two halves: the fields whose names sort
        # before ``hash``, and those after. Each string is quoted by the JSON encoder's own
        # quoting and anything nested encoded by the encoder, so that it is the text
        # ``compact(to_data(record))`` gives (a property test holds the two equal) at a
        # fraction of the cost. The hash covers the two joined; the stored text is the
        # two with the hash between them.
        first = (
            f'{{"actor_id":{quote(actor_id)},"actor_roles":[{",".join(map(quote, roles))}],'
            f'"at":{quote(stamp)},"case_id":{quote(case_id)},"dest":{quote(dest)},'
            f'"findings":{compact(found) if found else "[]"}'
        )
        second = (
            f'"note":{quote(note)},"params":{compact(plain) if plain else "{}"},'
            f'"prev_hash":{quote(prev)},"seq":{seq},"source":{quote(source)},'
            f'"trigger":{quote(trigger)}}}'
        )
        digest = hashlib.sha256(f"{first},{second}".encode()).hexdigest()
        data = Encoded(
            actor_id=actor_id,
            actor_roles=roles,
            at=stamp,
            case_id=case_id,
            dest=dest,
            findings=found,
            hash=digest,
            note=note,
            params=plain,
            prev_hash=prev,
            seq=seq,
            source=source,
            trigger=trigger,
        )
        data.text = f'{first},"hash":"{digest}",{second}'
        self.tx.append_history(case_id, seq, data)
        return TransitionRecord(
            case_id,
            seq,
            trigger,
            source,
            dest,
            actor_id,
            actor_roles,
            at,
            note,
            params,
            findings,
            prev,
            digest,
        )

    def append_recorded(self, record: TransitionRecord) -> TransitionRecord:
        """Store a record as it was recorded elsewhere (an import): its number must come
        next, its ``prev_hash`` must be the stored head's hash and its ``hash`` its own;
        otherwise :class:`~teknikcollege.InvalidData`."""
        head = self.tx.history_head(record.case_id)
        _in_time_order(head, record.at)
        seq = 1 if head is None else int(head["seq"]) + 1
        prev = "" if head is None else str(head.get("hash", ""))
        data: dict[str, Any] = to_data(record)
        problems = []
        if record.seq != seq:
            problems.append(("seq", _("should be {seq}", seq=seq)))
        if record.prev_hash != prev:
            problems.append(("prev_hash", _("is not the previous record's hash")))
        if not hash_matches(data):
            problems.append(("hash", _("does not match the record's content")))
        if problems:
            raise InvalidData(problems)
        self.tx.append_history(record.case_id, seq, data)
        return record

    def of(self, case_id: str) -> list[TransitionRecord]:
        """The records of a case, oldest first."""
        return [from_stored(d, TransitionRecord) for d in self.tx.history(case_id)]

    def raw(self, case_id: str) -> list[Mapping[str, Any]]:
        """The records as stored (for verification)."""
        return self.tx.history(case_id)

    def stream_text(self, *, page: int = PAGE) -> Iterator[str]:
        """Every record of every case in the order they were appended, as compact
        key-sorted JSON text (like :meth:`Entities.stream_text`), a page per read.

        The order across cases is what lets an import replay records of one instant as
        they were made (:mod:`~teknikcollege.services.replay`). A backend without
        ``history_appended`` gives each case's records in turn, by case (its imports
        then fall back on trying records of one instant until they fit)."""
        appended = getattr(self.tx, "history_appended", None)
        if appended is None:
            for case_id in self.cases(page=page):
                yield from map(compact, self.tx.history(case_id))
            return
        after = 0
        while True:
            rows = appended(after=after, limit=page)
            for row in rows:
                yield row[1]
            if len(rows) < page:
                return
            after = rows[-1][0]

    def stream(self, *, page: int = PAGE) -> Iterator[TransitionRecord]:
        """Every record of every case, in the order of :meth:`stream_text`."""
        for text in self.stream_text(page=page):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if type(data) is not dict:  # damaged: named as the backend's reads name it
                self._find_damage()
            yield from_stored(data, TransitionRecord)

    def _find_damage(self) -> NoReturn:
        """Raise :class:`CorruptData` naming the first record that cannot be read (the
        stream's text does not say whose it is: each case is read until one fails)."""
        for case_id in self.cases():
            self.tx.history(case_id)  # a backend raises CorruptData naming the record
        raise CorruptData("history", "")  # not found again: changed since it was streamed

    def cases(self, *, page: int = PAGE) -> Iterator[str]:
        """Every case id that has history, a page at a time."""
        after: str | None = None
        while True:
            ids = self.tx.history_cases(after=after, limit=page)
            yield from ids
            if len(ids) < page:
                return
            after = ids[-1]


class Outbox:
    """Notifications queued with a change, and their deliveries."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def enqueue(self, notification: Notification, notifiers: list[str]) -> None:
        """Queue `notification` for each of `notifiers`."""
        self.tx.enqueue(notification.id, to_data(notification), notifiers, notification.created_at)

    def stream(
        self, status: str | None = None, *, page: int = PAGE
    ) -> Iterator[tuple[Notification, Delivery]]:
        """Deliveries (with their notification) in `status`, a page at a time."""
        after: tuple[str, str] | None = None
        while True:
            rows = self.tx.deliveries(status, after=after, limit=page)
            for d in rows:
                yield from_data(d.data, Notification), d
            if len(rows) < page:
                return
            after = (rows[-1].notification_id, rows[-1].notifier)


class Refusals:
    """Refused attempts, kept so they can be queried."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def add(self, refusal: Refusal) -> int:
        """Store `refusal`; returns its number."""
        return self.tx.add_refusal(to_data(refusal))

    def all(self, *, after: int = 0, limit: int | None = None) -> list[Refusal]:
        """Stored refusals, oldest first."""
        return [from_data(d, Refusal) for d in self.tx.refusals(after=after, limit=limit)]


class UnitOfWork:
    """One transaction with its repositories; also the ``Lookup`` rules read through."""

    def __init__(self, tx: Transaction, cache: ObjectCache) -> None:
        self.tx = tx
        self.entities = Entities(tx, cache)
        self.history = History(tx)

    @functools.cached_property
    def outbox(self) -> Outbox:
        """The outbox (built on first use: most units of work never queue anything)."""
        return Outbox(self.tx)

    @functools.cached_property
    def refusals(self) -> Refusals:
        """Stored refusals (built on first use)."""
        return Refusals(self.tx)

    def get(self, cls: type[T], id: str) -> T | None:
        """:meth:`Entities.get` (the rules' ``Lookup``)."""
        return self.entities.get(cls, id)

    def find(self, cls: type[T], **where: object) -> list[T]:
        """:meth:`Entities.find` (the rules' ``Lookup``)."""
        return self.entities.find(cls, **where)

    def stream(self, cls: type[T], **where: object) -> Iterator[T]:
        """Like :meth:`find`, read a page at a time: what a rule reads of a big store
        stays bounded in memory."""
        return self.entities.stream(cls, where)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit: an exception inside undoes only what was done inside."""
        entities = self.entities
        written, dirty = dict(entities.written), set(entities._dirty)
        try:
            with self.tx.savepoint():
                yield
        except BaseException:
            entities.written, entities._dirty = written, dirty  # what it wrote is undone
            raise


def unit_of_work(
    storage: Any,
    cache: ObjectCache,
    *,
    write: bool = True,
    after_error: Callable[[BaseException], None] | None = None,
) -> AbstractContextManager[UnitOfWork]:
    """Open a transaction on `storage` and wrap it in a :class:`UnitOfWork`;
    `after_error` is called with the error that rolled it back, before the error goes on
    (the registry stores refused attempts so)."""
    return _UnitOfWorkContext(storage, cache, write, after_error)


class _UnitOfWorkContext:
    __slots__ = ("_after_error", "_cache", "_cm", "_uow")

    def __init__(
        self,
        storage: Any,
        cache: ObjectCache,
        write: bool,
        after_error: Callable[[BaseException], None] | None,
    ) -> None:
        self._cm = storage.transaction(write=write)
        self._cache = cache
        self._after_error = after_error

    def __enter__(self) -> UnitOfWork:
        self._uow = UnitOfWork(self._cm.__enter__(), self._cache)
        return self._uow

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool | None:
        try:
            # Commits, or rolls back (a backend may raise the error again from here).
            result: bool | None = self._cm.__exit__(kind, error, trace)
        except BaseException as raised:
            if self._after_error is not None:
                self._after_error(raised)
            raise
        if error is None:
            self._uow.entities.committed()
        elif self._after_error is not None and not result:
            self._after_error(error)
        return result
