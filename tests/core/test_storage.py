"""The journaled storage: rollback, nesting, snapshots, canonical roots."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from runtime.primitives import U64, AccountId
from runtime.storage import PalletStorage, Storage, StorageMap, StorageValue


class Demo(PalletStorage, prefix="Demo"):
    Counter = StorageValue(U64, default=0)
    Owners = StorageMap(U64, AccountId)


def make() -> tuple[Storage, Demo]:
    db = Storage()
    return db, Demo(db)


def test_rollback_restores_values_and_absence() -> None:
    db, s = make()
    s.Owners.insert(1, "a")
    root = db.state_root()
    db.begin()
    s.Owners.insert(1, "b")
    s.Owners.insert(2, "c")
    s.Counter.put(5)
    s.Owners.remove(1)
    db.rollback()
    assert s.Owners.get(1) == "a" and s.Owners.get(2) is None and s.Counter.value() == 0
    assert db.state_root() == root


def test_nested_transactions() -> None:
    db, s = make()
    db.begin()
    s.Counter.put(1)
    with pytest.raises(RuntimeError):
        db.transactional(lambda: (s.Counter.put(2), s.Owners.insert(9, "x"), (_ for _ in ()).throw(RuntimeError("inner"))))
    assert s.Counter.value() == 1 and 9 not in s.Owners
    db.transactional(lambda: s.Counter.put(3))
    db.rollback()
    assert s.Counter.value() == 0


def test_events_are_rolled_back_with_writes() -> None:
    db, s = make()
    db.events.append("before")
    db.begin()
    db.events.append("during")
    db.rollback()
    assert db.events == ["before"]


def test_root_is_independent_of_insertion_order() -> None:
    db1, s1 = make()
    db2, s2 = make()
    for k in range(20):
        s1.Owners.insert(k, f"o{k}")
    for k in reversed(range(20)):
        s2.Owners.insert(k, f"o{k}")
    assert db1.state_root() == db2.state_root()
    s2.Owners.insert(3, "changed")
    assert db1.state_root() != db2.state_root()


def test_floats_and_mutable_values_are_refused_by_the_root_and_checker() -> None:
    db, s = make()
    s.Owners.insert(1, [1, 2])  # a list: mutable
    with pytest.raises(TypeError):
        db.check_immutable()
    db2, s2 = make()
    s2.Counter.put(1.5)
    with pytest.raises(TypeError, match="floats"):
        db2.state_root()


def test_runtime_snapshot_restore_branches(rt: Runtime) -> None:
    snap = rt.snapshot()
    root0 = rt.state_root()
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT})
    rt.advance_blocks(3)
    branch_a = rt.state_root()
    rt.restore(snap)
    assert rt.state_root() == root0 and rt.block_number == 1 and len(rt.call_log) == 0
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Charlie", "value": UNIT})
    rt.advance_blocks(3)
    assert rt.state_root() != branch_a
    rt.restore(snap)  # restoring twice works: the snapshot is not consumed
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT})
    rt.advance_blocks(3)
    assert rt.state_root() == branch_a


def test_snapshot_of_100k_accounts_is_a_shallow_copy() -> None:
    rt = Runtime.dev()
    system = rt.pallets["System"]
    from pallets.system.types import AccountInfo

    system.storage.Account.load((f"acct{i}", AccountInfo(providers=1, free=i)) for i in range(100_000))
    snap = rt.snapshot()  # its cost is printed by benchmarks/bench_dispatch.py, not asserted here
    # values are shared, not copied ...
    kept = snap.storage.data[("System", "Account")]
    assert kept["acct7"] is system.storage.Account._d["acct7"]
    # ... yet the snapshot is independent: later writes and removals do not reach it
    rt.db.begin()
    system.storage.Account.insert("acct7", AccountInfo(providers=1, free=70))
    system.storage.Account.remove("acct8")
    rt.db.commit()
    assert kept["acct7"].free == 7 and kept["acct8"].free == 8
    rt.restore(snap)
    assert system.storage.Account._d["acct7"].free == 7 and system.storage.Account._d["acct8"].free == 8
