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


# --------------------------------------------------------------------------------------------
# bulk loads: folded at the next root by their own deltas, not made pending keys

import random  # noqa: E402

import pytest  # noqa: E402

from pallets.system.types import AccountInfo  # noqa: E402


class Mixed(PalletStorage, prefix="Mixed"):
    Value = StorageMap(AccountId, U128)  # any stored value, in fact: ints, records, text, tuples


def _value(rng: random.Random) -> object:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice([0, rng.randrange(10**20), (1 << 250) + rng.randrange(9)])  # in and out of the integer fast range
    if kind == 1:
        return AccountInfo(providers=rng.randrange(3), free=rng.randrange(10**19))  # an all-int record
    if kind == 2:
        return f"text{rng.randrange(50)}"
    return (rng.randrange(5), "x")


def test_loads_interleaved_with_writes_rollbacks_and_snapshots_give_the_recomputed_root() -> None:
    """Loads (repeated keys, keys pending, keys replaced, every kind of value) between inserts,
    removals, bulk credits, rolled back transactions, roots, snapshots and restores: every root equals
    the one recomputed from the contents, and equals a runtime that made the same writes with insert."""
    rng = random.Random(1818)
    keys = [f"k{i}" for i in range(40)]
    db, ref_db = Storage(), Storage()
    s, ref = Mixed(db), Mixed(ref_db)
    snaps: list[tuple[object, object]] = []
    for step in range(700):
        op = rng.random()
        if op < 0.2:
            batch = [(rng.choice(keys), _value(rng)) for _ in range(rng.randrange(1, 15))]
            assert s.Value.load(iter(batch)) == len(batch)
            for k, v in batch:
                ref.Value.insert(k, v)
        elif op < 0.4:
            k, v = rng.choice(keys), _value(rng)
            s.Value.insert(k, v)
            ref.Value.insert(k, v)
        elif op < 0.5:
            k = rng.choice(keys)
            s.Value.remove(k)
            ref.Value.remove(k)
        elif op < 0.65:
            ints = [k for k in keys if type(s.Value.get(k, 0)) is int]
            batch_keys = tuple(rng.sample(ints, min(len(ints), rng.randrange(2, 12))))
            amounts = [rng.randrange(10**18) for _ in batch_keys]
            fail = rng.random() < 0.3
            for d, item in ((db, s.Value), (ref_db, ref.Value)):
                d.begin()
                item.add_each(batch_keys, amounts)
                d.rollback() if fail else d.commit()
        elif op < 0.75:
            db.begin()
            s.Value.insert(rng.choice(keys), _value(rng))
            s.Value.remove(rng.choice(keys))
            if rng.random() < 0.5:
                db.state_root()
            db.rollback()
        elif op < 0.85:
            assert db.state_root() == db.state_root_from_scratch() == ref_db.state_root(), f"step {step}"
        elif op < 0.93:
            snaps.append((db.snapshot(), ref_db.snapshot()))
        elif snaps:
            mine, theirs = rng.choice(snaps)
            db.restore(mine)  # type: ignore[arg-type]
            ref_db.restore(theirs)  # type: ignore[arg-type]
        assert dict(s.Value._d) == dict(ref.Value._d), f"step {step}"
    assert db.state_root() == db.state_root_from_scratch() == ref_db.state_root()


def test_a_load_leaves_no_pending_keys_for_later_writes_to_look_up() -> None:
    db = Storage()
    s = Mixed(db)
    s.Value.load((f"a{i}", AccountInfo(providers=1, free=i)) for i in range(1_000))
    assert not s.Value._dirty and len(s.Value._loads) == 1
    s.Value.insert("a3", AccountInfo(providers=1, free=99))
    assert list(s.Value._dirty) == ["a3"]
    assert db.state_root() == db.state_root_from_scratch()
    assert not s.Value._loads and not s.Value._dirty


def test_a_loaded_float_makes_the_root_raise_until_it_is_replaced() -> None:
    db = Storage()
    s = Mixed(db)
    s.Value.load([("a", 1), ("b", "text")])
    root = db.state_root()
    s.Value.load([("a", 1.5), ("c", 2)])
    with pytest.raises(TypeError, match="float"):
        db.state_root()
    with pytest.raises(TypeError, match="float"):
        db.state_root()  # still there: still refused, nothing folded meanwhile
    s.Value.insert("a", 1)
    s.Value.remove("c")
    assert db.state_root() == root == db.state_root_from_scratch()
    s.Value.load([("b", 0.5)])
    s.Value.load([("b", "text")])  # replaced by another load before any root
    assert db.state_root() == root == db.state_root_from_scratch()


_BUILD = '''
import sys
from pallets.system.types import AccountInfo
from runtime.storage import Storage
sys.path.insert(0, sys.argv[1])
from test_storage_bulk import Credits, Mixed

def build(bulk):
    db = Storage()
    s, c = Mixed(db), Credits(db)
    entries = [(f"a{i}", AccountInfo(providers=1, free=10**18 + i)) for i in range(300)] + [(f"t{i}", (i, "x")) for i in range(50)]
    groups = [tuple(f"d{g}/{i}" for i in range(20)) for g in range(5)]
    if bulk:
        s.Value.load(entries)
        snap = db.snapshot()
        s.Value.insert("a1", AccountInfo(providers=2, free=5))  # undone by the restore
        db.restore(snap)
    else:
        for k, v in entries:
            s.Value.insert(k, v)
    for g, keys in enumerate(groups):
        amounts = [10**17 * (1 + i % 3) + g for i in range(20)]
        if bulk:
            c.Pending.add_each(keys, amounts)
        else:
            for k, n in zip(keys, amounts):
                c.Pending.insert(k, c.Pending.get(k, 0) + n)
    s.Value.insert("a2", AccountInfo(providers=1, free=7))
    return db.state_root()

print(build(True), build(False))
'''


def test_bulk_and_single_writes_give_one_root_in_two_processes_with_other_hash_seeds() -> None:
    """The same contents written by load, snapshot/restore and batch credits, or key by key, give
    one root; in two processes with different hash seeds too."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    roots = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _BUILD, str(Path(__file__).parent)], capture_output=True, text=True, env=env, check=True).stdout.split()
        assert len(out) == 2 and out[0] == out[1], out
        roots.append(out[0])
    assert roots[0] == roots[1]
