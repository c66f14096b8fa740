"""``StorageContract``: the conformance suite every storage backend passes.

Subclass it in your test suite with a factory::

    class TestMyBackend(StorageContract):
        def make_storage(self, tmp_path):
            return MyStorage(...)

pytest then runs every ``test_*`` method against your backend.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from .._json import compact
from ..errors import ConcurrentUpdate, NotFound
from ..storage.port import Encoded, Storage

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


class _Boom(Exception):
    pass


class StorageContract:
    """The behaviour the Registry relies on, as tests."""

    def make_storage(self, tmp_path: Path) -> Storage:
        """Return a new, empty storage."""
        raise NotImplementedError

    def reopen(self, storage: Storage) -> Storage:
        """Another handle on the same data (a second connection); default: the same object."""
        return storage

    @pytest.fixture
    def storage(self, tmp_path: Path) -> Any:
        store = self.make_storage(tmp_path)
        yield store
        store.close()

    def test_put_get_round_trip(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            assert tx.get("thing", "a") is None
            assert tx.put("thing", "a", {"n": 1, "s": "å<'\""}, expected_version=0) == 1
        with storage.transaction() as tx:
            stored = tx.get("thing", "a")
            assert stored is not None
            assert (stored.version, dict(stored.data)) == (1, {"n": 1, "s": "å<'\""})

    def test_versions_count_up_and_stale_writes_fail(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("thing", "a", {"n": 1}, expected_version=0)
        with storage.transaction() as tx:
            assert tx.put("thing", "a", {"n": 2}, expected_version=1) == 2
        for stale in (0, 1, 5):
            with pytest.raises(ConcurrentUpdate), storage.transaction() as tx:
                tx.put("thing", "a", {"n": 99}, expected_version=stale)
        with storage.transaction() as tx:
            stored = tx.get("thing", "a")
            assert stored is not None
            assert (stored.version, stored.data["n"]) == (2, 2)

    def test_delete_checks_the_version(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("thing", "a", {}, expected_version=0)
        with pytest.raises(ConcurrentUpdate), storage.transaction() as tx:
            tx.delete("thing", "a", expected_version=3)
        with pytest.raises(NotFound), storage.transaction() as tx:
            tx.delete("thing", "missing", expected_version=1)
        with storage.transaction() as tx:
            tx.delete("thing", "a", expected_version=1)
            assert tx.get("thing", "a") is None
        with storage.transaction() as tx:
            assert tx.get("thing", "a") is None

    def test_a_failing_transaction_keeps_nothing(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("thing", "kept", {"n": 1}, expected_version=0)
        with pytest.raises(_Boom), storage.transaction() as tx:
            tx.put("thing", "kept", {"n": 2}, expected_version=1)
            tx.put("thing", "new", {"n": 1}, expected_version=0, due_at=T0)
            tx.put("thing", "keyed", {}, expected_version=0, keys=[("k", "v")], unique="u")
            tx.append_history("case-1", 1, {"trigger": "go"})
            tx.enqueue("n-1", {"x": 1}, ["log"], T0)
            tx.add_refusal({"who": "x"})
            tx.set_meta("m", "1")
            raise _Boom
        with storage.transaction() as tx:
            kept = tx.get("thing", "kept")
            assert kept is not None and kept.data["n"] == 1 and kept.version == 1
            assert tx.get("thing", "new") is None
            assert tx.history("case-1") == []
            assert tx.deliveries() == []
            assert tx.due(T0 + timedelta(days=1), 10) == []
            assert tx.query("thing", keys={"k": "v"}) == []
            assert tx.refusals() == []
            assert tx.get_meta("m") is None
            tx.put("thing", "other", {}, expected_version=0, unique="u")  # the key is free

    def test_query_filters_and_orders_by_id(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("thing", "b", {"college_id": "x", "n": 1, "flag": True}, expected_version=0)
            tx.put("thing", "a", {"college_id": "x", "n": 2, "flag": False}, expected_version=0)
            tx.put("thing", "c", {"college_id": "y", "n": 1, "flag": None}, expected_version=0)
            tx.put("other", "a", {"college_id": "x"}, expected_version=0)
        with storage.transaction() as tx:
            assert [s.id for s in tx.query("thing")] == ["a", "b", "c"]
            assert [s.id for s in tx.query("thing", {"college_id": "x"})] == ["a", "b"]
            assert [s.id for s in tx.query("thing", {"n": 1})] == ["b", "c"]
            assert [s.id for s in tx.query("thing", {"flag": True})] == ["b"]
            assert [s.id for s in tx.query("thing", {"flag": None})] == ["c"]
            assert [s.id for s in tx.query("thing", {"n": "1"})] == []

    def test_history_keeps_order_and_numbers(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.append_history("c", 1, {"i": 1})
            tx.append_history("c", 2, {"i": 2})
            tx.append_history("d", 1, {"i": 9})
            assert tx.history_head("c") == {"i": 2}
        with pytest.raises(ConcurrentUpdate), storage.transaction() as tx:
            tx.append_history("c", 2, {"i": 99})  # a number already taken
        with storage.transaction() as tx:
            tx.append_history("c", 3, {"i": 3})
        with storage.transaction() as tx:
            assert [dict(h) for h in tx.history("c")] == [{"i": 1}, {"i": 2}, {"i": 3}]
            assert [h["i"] for h in tx.history("c", after=1)] == [2, 3]
            assert tx.history_head("missing") is None
            assert tx.history_cases() == ["c", "d"]
            assert tx.history_cases(after="c", limit=5) == ["d"]
            tx.replace_history("c", 2, {"i": 20})
        with storage.transaction() as tx:
            assert [h["i"] for h in tx.history("c")] == [1, 20, 3]
        with pytest.raises(NotFound), storage.transaction() as tx:
            tx.replace_history("c", 9, {})

    def test_index_keys_find_entities_and_follow_writes(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("p", "a", {}, expected_version=0, keys=[("role", "x"), ("role", "y")])
            tx.put("p", "b", {}, expected_version=0, keys=[("role", "y")])
            tx.put("q", "a", {}, expected_version=0, keys=[("role", "y")])
            # Seen inside the same transaction too.
            assert [s.id for s in tx.query("p", keys={"role": "y"})] == ["a", "b"]
        with storage.transaction() as tx:
            assert [s.id for s in tx.query("p", keys={"role": "x"})] == ["a"]
            assert [s.id for s in tx.query("p", keys={"role": "y"}, after="a")] == ["b"]
            tx.put("p", "a", {}, expected_version=1, keys=[("role", "z")])
            tx.put("p", "b", {"n": 1}, expected_version=1)  # no keys given: kept
        with storage.transaction() as tx:
            assert [s.id for s in tx.query("p", keys={"role": "y"})] == ["b"]
            assert [s.id for s in tx.query("p", keys={"role": "z"})] == ["a"]
            tx.delete("p", "a", expected_version=2)
        with storage.transaction() as tx:
            assert tx.query("p", keys={"role": "z"}) == []

    def test_a_unique_key_has_one_holder(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("case", "a", {}, expected_version=0, unique="wf|x")
        with pytest.raises(ConcurrentUpdate) as clash, storage.transaction() as tx:
            tx.put("case", "b", {}, expected_version=0, unique="wf|x")
        assert clash.value.id == "a"  # the error names the holder
        with storage.transaction() as tx:
            tx.put("other", "b", {}, expected_version=0, unique="wf|x")  # per kind
            tx.put("case", "a", {}, expected_version=1, unique=None)  # released
            tx.put("case", "b", {}, expected_version=0, unique="wf|x")
        with pytest.raises(ConcurrentUpdate), storage.transaction() as tx:
            tx.put("case", "a", {}, expected_version=2, unique="wf|x")
        with storage.transaction() as tx:
            stored = tx.get("case", "a")
            assert stored is not None and stored.version == 2

    def test_pages_cover_everything_once(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            for i in range(7):
                tx.put("thing", f"t{i}", {"i": i}, expected_version=0)
        seen: list[str] = []
        after = None
        while True:
            with storage.transaction(write=False) as tx:
                page = tx.query("thing", after=after, limit=3)
            seen += [s.id for s in page]
            if len(page) < 3:
                break
            after = page[-1].id
        assert seen == [f"t{i}" for i in range(7)]
        with storage.transaction(write=False) as tx:
            assert tx.version("thing", "t3") == 1
            assert tx.version("thing", "nope") is None

    def test_the_optional_fast_paths_agree_with_the_port(self, storage: Storage) -> None:
        """``versions``, ``entity_texts`` and ``history_appended``, where a backend has them,
        say what ``version``, ``query`` and ``history`` say (texts: compact, key-sorted
        JSON); data handed over with its text (``Encoded``) is stored as that text says."""
        record = Encoded(b=[1, "å"], a={"z": None})
        record.text = compact(record)
        with storage.transaction() as tx:
            for i in range(5):
                tx.put("thing", f"t{i}", {"i": i, "s": 'å"', "l": [True, None]}, expected_version=0)
            for case_id in ("c1", "c2"):
                for seq in (1, 2, 3):
                    tx.append_history(case_id, seq, {"seq": seq, "case_id": case_id})
            tx.append_history("c3", 1, record)
        with storage.transaction(write=False) as tx:
            versions = getattr(tx, "versions", None)
            if versions is not None:
                keys = [("thing", "t1"), ("thing", "t4"), ("thing", "nope")]
                assert versions(keys) == {k: tx.version(*k) for k in keys}
                assert versions(keys[:2]) == {k: tx.version(*k) for k in keys[:2]}
            assert [dict(d) for d in tx.history("c3")] == [dict(record)]
            entity_texts = getattr(tx, "entity_texts", None)
            if entity_texts is not None:
                pages = [entity_texts("thing", limit=2)]
                while len(pages[-1]) == 2:
                    pages.append(entity_texts("thing", after=pages[-1][-1][0], limit=2))
                found = [row for page in pages for row in page]
                assert found == [(s.id, compact(s.data)) for s in tx.query("thing")]
            appended = getattr(tx, "history_appended", None)
            if appended is not None:
                rows = _pages(appended, 4)
                assert [text for _place, text in rows] == [
                    compact(data) for case_id in ("c1", "c2", "c3") for data in tx.history(case_id)
                ]
                assert [place for place, _text in rows] == sorted({p for p, _t in rows})

    def test_history_streams_in_the_order_it_was_appended(self, storage: Storage) -> None:
        """``history_appended``, where a backend has it, gives the records of all cases
        in the order they were appended, across transactions, without what a savepoint
        undid: an import replays records of one instant in that order."""
        with storage.transaction() as tx:
            appended = getattr(tx, "history_appended", None)
            if appended is None:
                pytest.skip("the backend has no history_appended (its imports by case)")
            tx.append_history("z", 1, {"n": 1})
            tx.append_history("a", 1, {"n": 2})
            with pytest.raises(_Boom), tx.savepoint():
                tx.append_history("m", 1, {"n": -1})
                raise _Boom
            tx.append_history("z", 2, {"n": 3})
        with storage.transaction() as tx:
            tx.append_history("m", 1, {"n": 4})
            tx.append_history("a", 2, {"n": 5})
            read = tx.history_appended  # type: ignore[attr-defined]
            pending = [json.loads(text)["n"] for _place, text in _pages(read, 2)]
            assert pending == [1, 2, 3, 4, 5]
        with storage.transaction(write=False) as tx:
            read = tx.history_appended  # type: ignore[attr-defined]
            found = [json.loads(text)["n"] for _place, text in _pages(read, 2)]
            assert found == [1, 2, 3, 4, 5]

    def test_a_savepoint_undoes_only_its_own_work(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("thing", "outer", {}, expected_version=0)
            with pytest.raises(_Boom), tx.savepoint():
                tx.put("thing", "inner", {}, expected_version=0, keys=[("k", "v")])
                tx.append_history("c", 1, {})
                raise _Boom
            with tx.savepoint():
                tx.put("thing", "kept", {}, expected_version=0)
        with storage.transaction() as tx:
            assert tx.get("thing", "outer") is not None
            assert tx.get("thing", "kept") is not None
            assert tx.get("thing", "inner") is None
            assert tx.history("c") == []
            assert tx.query("thing", keys={"k": "v"}) == []

    def test_refusals_and_meta_are_kept(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            assert tx.add_refusal({"who": "a"}) == 1
            assert tx.add_refusal({"who": "b"}) == 2
            tx.set_meta("keys", "1")
            tx.set_meta("keys", "2")
        with storage.transaction(write=False) as tx:
            assert [dict(r) for r in tx.refusals()] == [{"who": "a"}, {"who": "b"}]
            assert [dict(r) for r in tx.refusals(after=1)] == [{"who": "b"}]
            assert tx.get_meta("keys") == "2"

    def test_due_uses_the_time_and_respects_the_limit(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            for i in range(10):
                tx.put("case", f"c{i}", {"i": i}, expected_version=0, due_at=T0 + timedelta(days=i))
            tx.put("case", "never", {}, expected_version=0)
        with storage.transaction() as tx:
            due = tx.due(T0 + timedelta(days=4), 100)
            assert [s.id for s in due] == ["c0", "c1", "c2", "c3", "c4"]
            assert [s.id for s in tx.due(T0 + timedelta(days=4), 2)] == ["c0", "c1"]
            tx.put("case", "c0", {}, expected_version=1, due_at=None)
            tx.put("case", "c9", {}, expected_version=1, due_at=T0 - timedelta(days=1))
        with storage.transaction() as tx:
            assert [s.id for s in tx.due(T0, 100)] == ["c9"]

    def test_outbox_delivers_once_per_notifier(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.enqueue("n1", {"text": "hej"}, ["log", "mail"], T0)
        with pytest.raises(ConcurrentUpdate), storage.transaction() as tx:
            tx.enqueue("n1", {"text": "again"}, ["log"], T0)
        with storage.transaction() as tx:
            claimed = tx.claim("log", T0, T0 + timedelta(minutes=5), 10)
            assert [(d.notification_id, dict(d.data)) for d in claimed] == [("n1", {"text": "hej"})]
        with storage.transaction() as tx:
            assert tx.claim("log", T0, T0 + timedelta(minutes=5), 10) == []  # leased
            assert tx.settle("n1", "log", delivered=True, at=T0) is True
            # A late failure (a lease that ran out) cannot undo the acknowledgement.
            assert tx.settle("n1", "log", delivered=False, at=T0, error="x", retry_at=T0) is False
        with storage.transaction() as tx:
            assert tx.claim("log", T0 + timedelta(days=1), T0 + timedelta(days=2), 10) == []
            assert [d.notification_id for d in tx.claim("mail", T0, T0, 10)] == ["n1"]
            statuses = {(d.notifier, d.status) for d in tx.deliveries()}
            assert statuses == {("log", "delivered"), ("mail", "pending")}
            assert [d.notifier for d in tx.deliveries(notifier="mail")] == ["mail"]
            assert tx.count_deliveries("pending") == 1
            assert tx.count_deliveries("delivered", notifier="mail") == 0
        with pytest.raises(NotFound), storage.transaction() as tx:
            tx.settle("n1", "nobody", delivered=True, at=T0)

    def test_failed_deliveries_retry_then_die_and_revive(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.enqueue("n1", {}, ["mail"], T0)
        with storage.transaction() as tx:
            tx.claim("mail", T0, T0, 10)
            tx.settle(
                "n1",
                "mail",
                delivered=False,
                at=T0,
                error="down",
                retry_at=T0 + timedelta(minutes=2),
            )
        with storage.transaction() as tx:
            assert tx.claim("mail", T0 + timedelta(minutes=1), T0, 10) == []
            again = tx.claim("mail", T0 + timedelta(minutes=2), T0, 10)
            assert [(d.attempts, d.last_error) for d in again] == [(1, "down")]
            tx.settle("n1", "mail", delivered=False, at=T0, error="still down")
        with storage.transaction() as tx:
            dead = tx.deliveries("dead")
            assert [(d.notification_id, d.attempts) for d in dead] == [("n1", 2)]
            assert tx.clear_errors(["n1"]) == 1
            assert [d.last_error for d in tx.deliveries("dead")] == [None]
            assert tx.claim("mail", T0 + timedelta(days=9), T0, 10) == []
            assert tx.revive("n1", "mail", T0) is True
            assert tx.revive("n1", "mail", T0) is False
        with storage.transaction() as tx:
            revived = tx.claim("mail", T0, T0, 10)
            assert [(d.notification_id, d.attempts) for d in revived] == [("n1", 2)]

    def test_concurrent_writers_never_lose_an_update(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            tx.put("counter", "c", {"n": 0}, expected_version=0)
        handles = [self.reopen(storage) for _ in range(4)]
        conflicts = []

        def work(store: Storage) -> None:
            done = 0
            while done < 10:
                try:
                    with store.transaction() as tx:
                        current = tx.get("counter", "c")
                        assert current is not None
                        tx.put(
                            "counter",
                            "c",
                            {"n": current.data["n"] + 1},
                            expected_version=current.version,
                        )
                    done += 1
                except ConcurrentUpdate:
                    conflicts.append(1)

        threads = [threading.Thread(target=work, args=(h,)) for h in handles]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        with storage.transaction() as tx:
            final = tx.get("counter", "c")
            assert final is not None
            assert final.data["n"] == 40
            assert final.version == 41
        for handle in handles:
            if handle is not storage:
                handle.close()


def _pages(read: Any, size: int) -> list[tuple[int, str]]:
    """Every row of a paged ``history_appended``, `size` at a time."""
    pages = [read(limit=size)]
    while len(pages[-1]) == size:
        pages.append(read(after=pages[-1][-1][0], limit=size))
    return [row for page in pages for row in page]
