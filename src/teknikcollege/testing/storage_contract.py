"""``StorageContract``: the conformance suite every storage backend passes.

Subclass it in your test suite with a factory::

    class TestMyBackend(StorageContract):
        def make_storage(self, tmp_path):
            return MyStorage(...)

pytest then runs every ``test_*`` method against your backend.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ..errors import ConcurrentUpdate, NotFound
from ..storage.port import Storage

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
            tx.append_history("case-1", {"trigger": "go"})
            tx.enqueue("n-1", {"x": 1}, ["log"], T0)
            raise _Boom
        with storage.transaction() as tx:
            kept = tx.get("thing", "kept")
            assert kept is not None and kept.data["n"] == 1 and kept.version == 1
            assert tx.get("thing", "new") is None
            assert tx.history("case-1") == []
            assert tx.deliveries() == []
            assert tx.due(T0 + timedelta(days=1), 10) == []

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
            assert tx.append_history("c", {"i": 1}) == 1
            assert tx.append_history("c", {"i": 2}) == 2
            assert tx.append_history("d", {"i": 9}) == 1
        with storage.transaction() as tx:
            assert tx.append_history("c", {"i": 3}) == 3
        with storage.transaction() as tx:
            assert [dict(h) for h in tx.history("c")] == [{"i": 1}, {"i": 2}, {"i": 3}]
            tx.replace_history("c", 2, {"i": 20})
        with storage.transaction() as tx:
            assert [h["i"] for h in tx.history("c")] == [1, 20, 3]
        with pytest.raises(NotFound), storage.transaction() as tx:
            tx.replace_history("c", 9, {})

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
            tx.settle("n1", "log", delivered=True, at=T0)
        with storage.transaction() as tx:
            assert tx.claim("log", T0 + timedelta(days=1), T0 + timedelta(days=2), 10) == []
            assert [d.notification_id for d in tx.claim("mail", T0, T0, 10)] == ["n1"]
            statuses = {(d.notifier, d.status) for d in tx.deliveries()}
            assert statuses == {("log", "delivered"), ("mail", "pending")}

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
            assert tx.claim("mail", T0 + timedelta(days=9), T0, 10) == []
            assert tx.revive("n1", "mail", T0) is True
            assert tx.revive("n1", "mail", T0) is False
        with storage.transaction() as tx:
            assert [d.notification_id for d in tx.claim("mail", T0, T0, 10)] == ["n1"]

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
