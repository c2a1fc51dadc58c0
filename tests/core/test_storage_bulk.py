"""Bulk credits (``Item.add_each``) whose keys are all new: an era's first credits after loading a
state. They take a path of their own (one pass over the map, no old values to add, a journal entry
without old values), which must leave what the key-by-key reference (``_add_each_loop``) leaves:
the same contents and digest, and a rollback restores the contents and root from before."""

from __future__ import annotations

from runtime.primitives import U128, AccountId
from runtime.storage import PalletStorage, Storage, StorageMap


class Credits(PalletStorage, prefix="Credits"):
    Pending = StorageMap(AccountId, U128)


def test_batches_of_new_keys_only_fold_as_written_and_roll_back_exactly() -> None:
    """Also after a root taken mid-transaction, and rolling back an inner transaction only."""
    db = Storage()
    s = Credits(db)
    s.Pending.load([("old", 5)])
    root, contents = db.state_root(), dict(s.Pending._d)
    groups = [tuple(f"g{g}/{i}" for i in range(12)) for g in range(4)]
    db.begin()
    for g, keys in enumerate(groups[:2]):
        s.Pending.add_each(keys, [10**18 + 7 * i + g for i in range(12)])
    assert not s.Pending._dirty and db.state_root() == db.state_root_from_scratch() != root
    db.begin()
    s.Pending.add_each(groups[2], [3] * 12)
    inner = db.state_root()
    s.Pending.add_each(groups[3], [4] * 12)
    db.rollback()  # the inner transaction only
    assert db.state_root() == db.state_root_from_scratch() and "g3/0" not in s.Pending and "g2/0" not in s.Pending
    assert inner != db.state_root()
    db.rollback()
    assert dict(s.Pending._d) == contents
    assert db.state_root() == root == db.state_root_from_scratch()


def test_batches_of_new_keys_equal_the_key_by_key_path() -> None:
    db, ref_db = Storage(), Storage()
    s, ref = Credits(db), Credits(ref_db)
    for item in (s.Pending, ref.Pending):
        item.load([("old", 5), ("g0/3", 1)])
    groups = [tuple(f"g{g}/{i}" for i in range(12)) for g in range(1, 4)] + [tuple(f"g0/{i}" for i in range(12))]  # the last meets a present key
    for g, keys in enumerate(groups):
        amounts = [10**18 + 7 * i + g for i in range(12)]
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
    s.Pending.add_each(tuple(f"big/{i}" for i in range(3)), [1, 2, 1 << 251])  # out of the integer fast range
    ref.Pending._add_each_loop(tuple(f"big/{i}" for i in range(3)), [1, 2, 1 << 251])
    for item in (s.Pending, ref.Pending):
        item.insert("edge", (1 << 250) - 1)
    db.state_root(), ref_db.state_root()
    # new keys with a present one that leaves the integer fast range: key by key, from the state before
    s.Pending.add_each(("new/0", "edge", "new/1"), [4, 2, 5])
    ref.Pending._add_each_loop(("new/0", "edge", "new/1"), [4, 2, 5])
    assert list(s.Pending._d) == list(ref.Pending._d)  # the same order too
    assert dict(s.Pending._d) == dict(ref.Pending._d) and s.Pending.get("g0/3") == 1 + 10**18 + 21 + 3
    assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()
