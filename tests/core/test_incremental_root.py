"""The state root is maintained from the writes (not recomputed from the whole state): after any
sequence of writes, failed dispatches, nested rollbacks, roots taken mid-transaction, snapshots and
restores, it must equal the root recomputed from scratch, and equal states must give equal roots."""

from __future__ import annotations

import random

import pytest

from runtime import UNIT, GenesisConfig, Runtime
from runtime.errors import DispatchError
from runtime.primitives import U64, AccountId
from runtime.storage import ROOT_PRIME, PalletStorage, Storage, StorageDoubleMap, StorageMap, StorageValue, canon, entry_hash


class Demo(PalletStorage, prefix="Demo"):
    Counter = StorageValue(U64, default=0)
    Owners = StorageMap(U64, AccountId)
    Pairs = StorageDoubleMap(U64, U64, tuple[int, ...])
    Hidden = StorageMap(U64, U64, in_root=False)


def test_storage_random_writes_rollbacks_and_snapshots_match_a_recomputation() -> None:
    rng = random.Random(7)
    db = Storage()
    s = Demo(db)
    snaps: list[tuple[object, str]] = []
    for step in range(3_000):
        op = rng.random()
        if op < 0.45:
            s.Owners.insert(rng.randrange(40), f"o{rng.randrange(5)}")
        elif op < 0.55:
            s.Owners.remove(rng.randrange(40))
        elif op < 0.65:
            s.Pairs.insert((rng.randrange(5), rng.randrange(5)), tuple(range(rng.randrange(4))))
        elif op < 0.70:
            s.Hidden.insert(rng.randrange(5), step)
        elif op < 0.80:
            # a transaction that fails after writing, with a root taken in the middle of it
            db.begin()
            for _ in range(rng.randrange(1, 6)):
                s.Owners.insert(rng.randrange(40), "tx")
                s.Counter.put(step)
            if rng.random() < 0.5:
                db.state_root()  # flushes mid-transaction: the rollback must still be seen
            db.begin()
            s.Owners.remove(rng.randrange(40))
            (db.rollback if rng.random() < 0.5 else db.commit)()
            (db.rollback if rng.random() < 0.7 else db.commit)()
        elif op < 0.88:
            snaps.append((db.snapshot(), db.state_root()))
        elif op < 0.95 and snaps:
            snap, root = rng.choice(snaps)
            db.restore(snap)  # type: ignore[arg-type]
            assert db.state_root() == root
        else:
            s.Pairs.clear_prefix(rng.randrange(5))
        if rng.random() < 0.5:
            assert db.state_root() == db.state_root_from_scratch(), f"step {step}"
    assert db.state_root() == db.state_root_from_scratch()


def test_equal_contents_reached_differently_give_equal_roots() -> None:
    a, sa = Storage(), None
    sa = Demo(a)
    b = Storage()
    sb = Demo(b)
    for k in range(50):
        sa.Owners.insert(k, "x")
    a.state_root()
    for k in range(50):
        sa.Owners.insert(k, f"v{k}")
    for k in range(25):
        sa.Owners.remove(k)
    for k in reversed(range(25, 50)):
        sb.Owners.insert(k, f"v{k}")
    sb.Hidden.insert(1, 1)  # outside the root
    assert a.state_root() == b.state_root() == b.state_root_from_scratch()
    sb.Owners.insert(30, "other")
    assert a.state_root() != b.state_root()
    sb.Owners.insert(30, "v30")
    assert a.state_root() == b.state_root()


def test_an_emptied_item_contributes_like_a_never_written_one() -> None:
    a = Storage()
    sa = Demo(a)
    b = Storage()
    Demo(b)
    sa.Owners.insert(1, "x")
    assert a.state_root() != b.state_root()
    sa.Owners.remove(1)
    assert a.state_root() == b.state_root()


def test_the_digest_is_the_sum_of_the_entry_hashes() -> None:
    db = Storage()
    s = Demo(db)
    s.Owners.insert(1, "a")
    s.Owners.insert(2, "b")
    expected = (entry_hash(1, "a") + entry_hash(2, "b")) % ROOT_PRIME
    assert s.Owners.digest() == expected.to_bytes(32, "little")
    assert canon((1, "a", (b"\x00", None))) != canon((1, "a", ((0,), None)))


def test_a_float_written_then_refused_leaves_the_root_computable_after_the_fix() -> None:
    db = Storage()
    s = Demo(db)
    s.Counter.put(1.5)
    with pytest.raises(TypeError, match="floats"):
        db.state_root()
    s.Counter.put(2)
    assert db.state_root() == db.state_root_from_scratch()


def test_bulk_load_is_folded_into_the_root_and_refused_inside_a_transaction() -> None:
    db = Storage()
    s = Demo(db)
    s.Owners.load((k, f"o{k}") for k in range(100))
    assert db.state_root() == db.state_root_from_scratch()
    db.begin()
    with pytest.raises(RuntimeError):
        s.Owners.load([(1, "x")])
    db.rollback()


def test_runtime_random_dispatches_failures_blocks_snapshots_match_a_recomputation() -> None:
    rng = random.Random(2024)
    rt = Runtime(GenesisConfig.dev(session_length=10))
    names = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "//Extra1", "//Extra2"]
    snaps: list[tuple[object, str]] = []
    for step in range(400):
        op = rng.random()
        if op < 0.6:
            value = rng.choice([UNIT, 10 * UNIT, 10**30, 1])  # some fail (too much, below ED)
            try:
                rt.dispatch(rng.choice(names[:6]), "Balances", rng.choice(["transfer_keep_alive", "transfer_allow_death"]), {"dest": rng.choice(names), "value": value})
            except DispatchError:
                pass
        elif op < 0.75:
            rt.advance_blocks(rng.randrange(1, 15))
        elif op < 0.85:
            snaps.append((rt.snapshot(), rt.state_root()))
        elif snaps:
            snap, root = rng.choice(snaps)
            rt.restore(snap)  # type: ignore[arg-type]
            assert rt.state_root() == root
        assert rt.state_root() == rt.db.state_root_from_scratch(), f"step {step}"


def test_same_calls_in_two_runtimes_give_the_same_root_and_roots_differ_on_any_change() -> None:
    def run(extra: int) -> str:
        rt = Runtime.dev()
        for i in range(20):
            rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT + (extra if i == 7 else 0)})
            rt.state_root()
        rt.advance_blocks(2)
        return rt.state_root()

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_a_snapshot_carries_unfolded_keys_and_restoring_it_gives_the_root_without_the_snapshot() -> None:
    """A snapshot taken with keys written since the last root does not fold them in; restored (also
    after other writes and roots), the root is the one the same writes give without any snapshot."""

    def fill(s: Demo) -> None:
        s.Owners.load((k, f"o{k}") for k in range(200))
        for k in range(0, 200, 3):
            s.Owners.insert(k, f"w{k}")
        s.Pairs.insert((1, 2), (3,))

    plain = Storage()
    fill(Demo(plain))
    expected = plain.state_root()

    db = Storage()
    s = Demo(db)
    s.Owners.insert(500, "before")
    db.state_root()
    s.Owners.remove(500)
    fill(s)
    assert db.dirty_items  # keys pending at the snapshot
    snap = db.snapshot()
    assert db.dirty_items and s.Owners._dirty, "the snapshot folded the pending keys in"
    s.Owners.insert(7, "after")
    s.Pairs.remove((1, 2))
    assert db.state_root() != expected
    db.restore(snap)
    assert db.dirty_items  # restore takes the pending keys back
    assert db.state_root() == expected == db.state_root_from_scratch()
    db.restore(snap)  # a second restore, now after a root of the restored state
    s.Owners.insert(9, "x")
    db.restore(snap)
    assert db.state_root() == expected


class Balances(PalletStorage, prefix="Ints"):
    Credit = StorageMap(AccountId, U64)
    ByPair = StorageDoubleMap(U64, U64, U64)


def test_integer_values_on_the_key_hash_path_match_a_recomputation_and_tell_states_apart() -> None:
    """Integer values are digested as key_hash * (2v + 1) (no blake2b per write); others as text."""
    rng = random.Random(11)
    db = Storage()
    s = Balances(db)
    keys = [f"acct{i}" for i in range(30)]
    values = [0, 1, 2, 7, 10**18, (1 << 250) - 1, 1 << 250, -1, -(10**30), True, False, 1 << 300]
    for step in range(2_000):
        op = rng.random()
        if op < 0.5:
            s.Credit.insert(rng.choice(keys), rng.choice(values))
        elif op < 0.6:
            s.Credit.remove(rng.choice(keys))
        elif op < 0.75:
            s.ByPair.insert((rng.randrange(4), rng.randrange(4)), rng.choice(values))
        elif op < 0.85:
            db.begin()
            s.Credit.add_many([(rng.choice(keys), 5), (rng.choice(keys), 1 << 251)])
            (db.rollback if rng.random() < 0.5 else db.commit)()
        else:
            s.ByPair.remove((rng.randrange(4), rng.randrange(4)))
        if rng.random() < 0.3:
            assert db.state_root() == db.state_root_from_scratch(), f"step {step}"
    assert db.state_root() == db.state_root_from_scratch()

    def root_of(entries: dict[str, object]) -> str:
        other = Storage()
        Balances(other).Credit.load(entries.items())
        return other.state_root()

    base = {"a": 5, "b": 9}
    distinct = [
        base,
        {"a": 9, "b": 5},  # values swapped between keys
        {"a": 5, "b": 9, "c": 0},  # a zero entry is not an absent one
        {"a": 5, "b": 8},
        {"a": True, "b": 9},
        {"a": 1, "b": 9},
        {"a": -5, "b": 9},
        {"a": 5 + (1 << 250), "b": 9},
        {"a": "5", "b": 9},
    ]
    roots = [root_of(e) for e in distinct]
    assert len(set(roots)) == len(roots)
    assert root_of({"b": 9, "a": 5}) == roots[0]


def test_long_tuples_of_structs_render_by_content_whatever_object_holds_them() -> None:
    """Long tuples of non-plain values render as the hash of their full rendering, memoised by
    identity: equal contents in different tuple objects render alike, any changed element differs."""
    from pallets.multi_asset_delegation.types import DelegatorBond
    from pallets.primitives.assets import NATIVE, Asset

    bonds = tuple(DelegatorBond(f"d{i}", i + 1, NATIVE) for i in range(40))
    same = tuple(DelegatorBond(f"d{i}", i + 1, Asset.Custom(0)) for i in range(40))
    assert canon(bonds) == canon(same) == canon(bonds)
    for changed in (bonds[:39], bonds[:5] + (DelegatorBond("d5", 7, NATIVE),) + bonds[6:], bonds[:39] + (DelegatorBond("d39", 40, Asset.Custom(1)),)):
        assert canon(changed) != canon(bonds)
    short = bonds[:3]
    assert canon(short).startswith("(") and "d2" in canon(short)
    db = Storage()
    s = Demo(db)
    s.Pairs.insert((1, 1), bonds)  # type: ignore[arg-type]
    s.Pairs.insert((1, 2), same)  # type: ignore[arg-type]
    assert db.state_root() == db.state_root_from_scratch()
    s.Pairs.insert((1, 2), bonds[:39])  # type: ignore[arg-type]
    assert db.state_root() == db.state_root_from_scratch()


def test_add_many_folds_credits_at_write_time_and_undoes_them_as_one_journal_entry() -> None:
    """``add_many`` folds integer credits into the digest as it writes (nothing left for the root)
    and journals the whole batch once; rolling back (also after a root taken mid-transaction, and
    inside a nested transaction) restores every key, repeated keys included, and the root."""
    rng = random.Random(23)
    db = Storage()
    s = Balances(db)
    keys = [f"acct{i}" for i in range(50)]
    s.Credit.load((k, 3) for k in keys[:25])
    db.state_root()
    for step in range(300):
        if rng.random() < 0.3:
            # a pending key the batch may meet, or (after a root) a folded one; some outside the integer fast range
            s.Credit.insert(rng.choice(keys), rng.choice([rng.randrange(100), 1 << 251, -5, (1 << 250) - 3]))
            if rng.random() < 0.5:
                db.state_root()
        if rng.random() < 0.2:
            s.Credit.remove(rng.choice(keys))  # absent but pending: the batch must not fold it too
        before = dict(s.Credit._d)
        root_before = db.state_root_from_scratch()
        batch = [(rng.choice(keys), rng.randrange(1, 10)) for _ in range(rng.randrange(1, 40))]
        db.begin()
        n_journal = len(db.journal)
        s.Credit.add_many(batch)
        assert len(db.journal) == n_journal + 1
        if rng.random() < 0.5:
            assert db.state_root() == db.state_root_from_scratch(), f"step {step}"
        if rng.random() < 0.3:
            db.begin()
            s.Credit.add_many(iter([(rng.choice(keys), 1 << 251), (rng.choice(keys), 2)]))  # out of the integer fast range too
            db.rollback()
        expected = dict(before)
        if rng.random() < 0.5:
            db.rollback()
            assert db.state_root() == root_before, f"step {step}"
        else:
            db.commit()
            for k, n in batch:
                expected[k] = expected.get(k, 0) + n
        assert dict(s.Credit._d) == expected, f"step {step}"
        assert db.state_root() == db.state_root_from_scratch(), f"step {step}"


def test_add_many_rollback_restores_the_exact_contents_and_root() -> None:
    db = Storage()
    s = Balances(db)
    s.Credit.load([("a", 1), ("b", 2)])
    root = db.state_root()
    contents = dict(s.Credit._d)
    db.begin()
    s.Credit.add_many([("a", 5), ("c", 7), ("a", 1), ("c", 2), ("d", 0)])
    assert dict(s.Credit._d) == {"a": 7, "b": 2, "c": 9, "d": 0}
    assert not s.Credit._dirty  # all folded at write time
    assert db.state_root() == db.state_root_from_scratch() != root
    db.rollback()
    assert dict(s.Credit._d) == contents
    assert db.state_root() == root == db.state_root_from_scratch()


def test_account_records_hash_without_text_yet_tell_every_field_apart() -> None:
    """``System.Account`` records (NamedTuples of ints) take the integer-record path of entry_hash:
    the digest still matches a recomputation, a change in any one field changes the root, and a
    record holding a non-int (a bug elsewhere) falls back to the text hash instead of failing."""
    from pallets.system.types import AccountInfo

    class Accounts(PalletStorage, prefix="Acc"):
        Account = StorageMap(AccountId, tuple[int, ...])

    def root_of(record: object) -> str:
        db = Storage()
        Accounts(db).Account.load([("x", AccountInfo(providers=1, free=10)), ("y", record)])
        assert db.state_root() == db.state_root_from_scratch()
        return db.state_root()

    base = AccountInfo(providers=1, free=5)
    roots = {root_of(base)}
    for i in range(len(base)):
        roots.add(root_of(base._replace(**{base._fields[i]: base[i] + 1})))
    roots.add(root_of(base._replace(free=5 + ROOT_PRIME // 3)))
    roots.add(root_of(base._replace(free=True)))  # a bool is not an int here: text path
    roots.add(root_of(AccountInfo(providers=1, free=10)))  # same record as x's, under y
    assert len(roots) == len(base) + 4
    assert entry_hash("y", base) != entry_hash("x", base)
    assert entry_hash("y", base._replace(free=True)) != entry_hash("y", base)


def test_a_snapshot_taken_between_bulk_credits_restores_their_folded_digest() -> None:
    db = Storage()
    s = Balances(db)
    keys = tuple(f"acct{i}" for i in range(20))
    s.Credit.add_each(keys, [1] * 20)
    snap, root = db.snapshot(), db.state_root()
    s.Credit.add_each(keys, list(range(20)))  # the same tuple: memoised key hashes
    s.Credit.add_each(keys[:3], [5, 5, 5])
    assert db.state_root() == db.state_root_from_scratch() != root
    db.restore(snap)
    assert dict(s.Credit._d) == dict.fromkeys(keys, 1)
    assert db.state_root() == root == db.state_root_from_scratch()
    with pytest.raises(ValueError, match="2 keys but 1 amounts"):
        s.Credit.add_each(keys[:2], [1])
    assert db.state_root() == root


def test_account_records_rewritten_fold_by_field_deltas_and_match_a_recomputation() -> None:
    """A record rewritten with the same type folds in by the delta of its changed fields (the old
    record is kept pending, not its hash): after random rewrites of any field, removals,
    re-creations, a field turned non-int and back, failed transactions (also after a root taken
    mid-transaction), snapshots and restores, the root equals one recomputed from scratch, and
    all-int records leave no stored hash behind."""
    from pallets.system.types import AccountInfo

    class Accounts(PalletStorage, prefix="Acc"):
        Account = StorageMap(AccountId, tuple[int, ...])

    rng = random.Random(31)
    db = Storage()
    acc = Accounts(db).Account
    keys = [f"k{i}" for i in range(25)]
    acc.load((k, AccountInfo(providers=1, free=100)) for k in keys)
    snaps: list[tuple[object, str]] = []
    fields = AccountInfo._fields
    for step in range(2_500):
        k = rng.choice(keys)
        cur = acc.get(k) or AccountInfo()
        op = rng.random()
        if op < 0.5:
            field = rng.choice(fields)
            old = getattr(cur, field)
            old = old if type(old) is int else 0
            acc.insert(k, cur._replace(**{field: old + rng.choice([1, -1, 10**20, 1 << 127])}))
        elif op < 0.55:
            acc.remove(k)
        elif op < 0.6:
            acc.insert(k, cur._replace(reserved="x"))  # not an int: the text hash, kept in _h
        elif op < 0.75:
            db.begin()
            acc.insert(k, cur._replace(free=cur.free + 7))
            if rng.random() < 0.5:
                db.state_root()
            acc.insert(rng.choice(keys), AccountInfo(free=step))
            (db.rollback if rng.random() < 0.6 else db.commit)()
        elif op < 0.85:
            snaps.append((db.snapshot(), db.state_root()))
        elif op < 0.9 and snaps:
            snap, root = rng.choice(snaps)
            db.restore(snap)  # type: ignore[arg-type]
            assert db.state_root() == root
        else:
            acc.insert(k, AccountInfo(*[v if type(v) is int else 0 for v in cur]))  # back to all ints
        if rng.random() < 0.4:
            assert db.state_root() == db.state_root_from_scratch(), f"step {step}"
            texts = {key for key, v in acc._d.items() if not all(type(f) is int for f in v)}
            assert set(acc._h) == texts, f"step {step}"
            assert not acc._dirty and not acc._latest, "a root leaves nothing pending"
    assert db.state_root() == db.state_root_from_scratch()


def test_a_rewrite_folded_by_field_deltas_tells_every_field_and_value_apart() -> None:
    """The delta fold gives the root of the same contents loaded fresh, and a different value in
    any one field (or the same record under another key) gives a different root."""
    from pallets.system.types import AccountInfo

    class Accounts(PalletStorage, prefix="Acc"):
        Account = StorageMap(AccountId, tuple[int, ...])

    def fresh(records: dict[str, AccountInfo]) -> str:
        db = Storage()
        Accounts(db).Account.load(records.items())
        return db.state_root()

    base = AccountInfo(consumers=1, providers=2, sufficients=3, free=4, reserved=5, frozen=6, flags=7)
    db = Storage()
    acc = Accounts(db).Account
    acc.load([("x", base), ("y", base)])
    db.state_root()
    roots = set()
    for i, field in enumerate(AccountInfo._fields):
        changed = base._replace(**{field: base[i] + 1})
        acc.insert("y", changed)
        root = db.state_root()
        assert root == fresh({"x": base, "y": changed})
        roots.add(root)
        acc.insert("y", base)
        assert db.state_root() == fresh({"x": base, "y": base})
    acc.insert("x", base._replace(free=50))
    roots.add(db.state_root())
    acc.insert("x", base)
    acc.insert("y", base._replace(free=50))  # the same two records, swapped between the keys
    roots.add(db.state_root())
    assert db.state_root() == fresh({"y": base._replace(free=50), "x": base})
    assert len(roots) == len(AccountInfo._fields) + 2


def test_a_transfer_root_after_restore_in_another_runtime_equals_the_recomputed_root() -> None:
    """Roots of transfers folded by deltas agree across runtimes, snapshots and recomputation."""
    def run() -> tuple[Runtime, list[str]]:
        rt = Runtime.dev()
        roots = []
        for i in range(30):
            rt.dispatch(["Alice", "Bob", "Charlie"][i % 3], "Balances", "transfer_keep_alive", {"dest": ["Dave", "Eve", "Ferdie"][i % 3], "value": UNIT + i})
            if i % 7 == 0:
                roots.append(rt.state_root())
            if i % 10 == 9:
                rt.advance_blocks(1)
        return rt, roots

    a, roots_a = run()
    b, roots_b = run()
    assert roots_a == roots_b
    snap = a.snapshot()
    before = a.state_root()
    for _ in range(5):
        a.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 3 * UNIT})
    assert a.state_root() == a.db.state_root_from_scratch() != before
    a.restore(snap)
    assert a.state_root() == before == b.state_root() == a.db.state_root_from_scratch()


def test_the_latest_value_cache_stays_bounded_and_never_stale_without_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a root for many writes the per-item cache of last-written values stops growing at
    ``_MAX_LATEST`` keys (a pure dispatch run among a million accounts otherwise grew it by two keys
    per transfer, a cache miss per write); a key it holds that is written, removed or batch-written
    once it is full is dropped from it, so the next root reads the key's final value from the map:
    roots equal the recomputation, with single writes, removals, ``insert_each`` and rollbacks."""
    import runtime.storage as storage_module

    monkeypatch.setattr(storage_module, "_MAX_LATEST", 16)
    db = Storage()
    s = Demo(db)
    owners = s.Owners
    db.state_root()
    for k in range(10):
        owners.insert(k, f"first{k}")
    assert len(owners._latest) == 10
    for k in range(10, 40):  # fills the cache, then writes past it
        owners.insert(k, f"v{k}")
    assert len(owners._latest) == 16
    owners.insert(3, "rewritten after the cap")  # held in the cache with its first value: dropped
    owners.remove(4)
    owners.insert_each([5, 6, 41], ["batch5", "batch6", "batch41"])
    assert len(owners._latest) <= 16 and 3 not in owners._latest
    missing = storage_module._MISSING
    assert all(v is owners._d.get(k, missing) for k, v in owners._latest.items()), "a cached value is the key's current one"
    db.begin()
    owners.insert(7, "rolled back")
    db.rollback()
    assert db.state_root() == db.state_root_from_scratch()
    assert not owners._latest and not owners._dirty
    fresh = Storage()
    Demo(fresh).Owners.load(owners._d.items())
    assert fresh.state_root() == db.state_root()  # equal contents, equal roots
    assert owners.get(3) == "rewritten after the cap" and owners.get(4) is None and owners.get(7) == "first7"
