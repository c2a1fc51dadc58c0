"""Deferred credits (``DeferringItem``): a batch ``add_each`` credits again (the same keys tuple,
known small ints) is kept pending and applied when the item is read or written. Every reader must
see exactly what eager credits leave: these tests run the same random operations — credits (reused
and new keys tuples, reused and new amounts, repeated keys, amounts out of the fast range), inserts,
removals, loads, reads, roots, nested transactions committed and rolled back, snapshots and
restores — on a deferring item and on a reference credited key by key (``_add_each_loop``, never
deferred), and compare contents, order, reads, digests and roots."""

from __future__ import annotations

import random

import pytest

from runtime.primitives import U128, AccountId
from runtime.storage import DeferringItem, Item, PalletStorage, Storage, StorageMap, _raw_d


class Credits(PalletStorage, prefix="Credits"):
    Pending = StorageMap(AccountId, U128)
    Other = StorageMap(AccountId, U128)


def _pair() -> tuple[Storage, Credits, Storage, Credits]:
    db, ref_db = Storage(), Storage()
    return db, Credits(db), ref_db, Credits(ref_db)


def _same(db: Storage, s: Credits, ref_db: Storage, ref: Credits) -> None:
    assert list(s.Pending.items()) == list(ref.Pending.items())  # contents and order
    assert len(s.Pending) == len(ref.Pending)
    assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()


def test_a_repeated_batch_is_deferred_and_reads_see_it() -> None:
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(10))
    amounts = tuple(10**18 + i for i in range(10))
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    assert type(s.Pending) is DeferringItem
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    assert s.Pending._lazy.size == 10  # pending: nothing written yet
    assert _raw_d(s.Pending)["k3"] == amounts[3]
    assert s.Pending.get("k3") == 2 * amounts[3]  # a read applies it
    assert s.Pending._lazy.size == 0 and s.Pending._lazy.valid  # a read is no touch
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    assert s.Pending._lazy.size == 10
    assert s.Pending.digest() == ref.Pending.digest()  # the digest applies it too
    _same(db, s, ref_db, ref)


def test_a_write_between_credits_makes_the_next_one_eager_and_checked() -> None:
    """An insert of a value out of the integer fast range between two credits: the second credit
    must see it (key-by-key path), not assume small ints."""
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(6))
    amounts = (1, 2, 3, 4, 5, 6)
    for item in (s.Pending, ref.Pending):
        item.add_each(keys, amounts) if item is s.Pending else item._add_each_loop(keys, amounts)
        item.insert("k2", 1 << 251)
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    assert s.Pending._lazy.size == 0  # written at once: the insert was a touch
    _same(db, s, ref_db, ref)


def test_a_pending_credit_is_dropped_by_a_rollback_and_kept_by_a_commit() -> None:
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(5))
    amounts = (7, 7, 7, 7, 7)
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    root = db.state_root()
    db.begin()
    s.Pending.add_each(keys, amounts)
    assert s.Pending._lazy.size == 5
    db.rollback()
    assert s.Pending._lazy.size == 0 and db.state_root() == root and s.Pending.get("k0") == 7
    s.Pending.add_each(keys, amounts)  # outside any transaction: a later rollback cannot reach it
    ref.Pending._add_each_loop(keys, amounts)
    db.begin()
    s.Pending.insert("x", 1)  # applies the pending credit inside this transaction ...
    db.rollback()  # ... which must not undo it
    assert s.Pending.get("k0") == 14
    _same(db, s, ref_db, ref)


def test_a_credit_applied_inside_its_transaction_rolls_back_exactly() -> None:
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(5))
    amounts = (1, 2, 3, 4, 5)
    s.Pending.add_each(keys, amounts)
    root, before = db.state_root(), dict(_raw_d(s.Pending))
    db.begin()
    s.Pending.add_each(keys, amounts)  # pending, undoable
    assert db.state_root() != root  # a root applies it, keeping its old values
    db.begin()
    s.Pending.add_each(keys, amounts)
    db.commit()
    db.rollback()
    assert dict(_raw_d(s.Pending)) == before and db.state_root() == root == db.state_root_from_scratch()


def test_restore_drops_pending_credits_and_a_snapshot_holds_them_applied() -> None:
    db, s, _ref_db, _ref = _pair()
    keys = tuple(f"k{i}" for i in range(4))
    amounts = (5, 5, 5, 5)
    s.Pending.add_each(keys, amounts)
    s.Pending.add_each(keys, amounts)
    snap = db.snapshot()  # applies it
    assert snap.data[("Credits", "Pending")]["k1"] == 10
    root = db.state_root()
    s.Pending.add_each(keys, amounts)
    assert s.Pending._lazy.size == 4
    db.restore(snap)
    assert s.Pending._lazy.size == 0 and s.Pending.get("k1") == 10 and db.state_root() == root
    s.Pending.add_each(keys, amounts)  # after a restore (a touch): written at once
    assert s.Pending._lazy.size == 0 and s.Pending.get("k1") == 15


def test_pending_credits_summed_per_keys_tuple_keep_the_order_of_new_keys() -> None:
    """Two keys tuples sharing keys, credited alternately with new keys appearing: summed per tuple
    when applied, the entries come in the order the eager credits made them."""
    db, s, ref_db, ref = _pair()
    a = tuple(f"a{i}" for i in range(4)) + ("shared",)
    b = ("shared",) + tuple(f"b{i}" for i in range(4))
    for keys, amounts in ((a, (1,) * 5), (b, (2,) * 5)):
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
    s.Pending.remove("a2")  # a touch: a2 is new again at the next credit of a
    ref.Pending.remove("a2")
    for keys, amounts in ((a, (1,) * 5), (b, (2,) * 5), (a, (3,) * 5), (a, (1,) * 5)):
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
    _same(db, s, ref_db, ref)


@pytest.mark.parametrize("seed", range(12))
def test_random_interleavings_equal_eager_credits(seed: int) -> None:
    rng = random.Random(seed)
    db, s, ref_db, ref = _pair()
    pools = [tuple(f"p{p}/{i}" for i in rng.sample(range(40), rng.randint(2, 12))) for p in range(6)]
    pools.append(("r0", "r1", "r0"))  # a repeated key: never deferred
    amount_sets = {p: [tuple(rng.choice((0, 1, 10**18, 10**24 + rng.randrange(10**6))) for _ in keys) for _ in range(2)] for p, keys in enumerate(pools)}
    deferred = 0
    for _step in range(800):
        op = rng.random()
        if op < 0.60:
            p = rng.randrange(len(pools)) if rng.random() < 0.1 else rng.randrange(3)
            keys = pools[p]
            r = rng.random()
            if r < 0.75:
                amounts = rng.choice(amount_sets[p])  # the same objects again
            elif r < 0.97:
                amounts = tuple(rng.randrange(10**20) for _ in keys)
            elif p >= 3:  # (a value out of the fast range stays: every later credit of it clears what is known)
                amounts = tuple(rng.choice((1, 1 << 251, 5)) for _ in keys)  # out of the fast range
            else:
                amounts = tuple(rng.randrange(3) for _ in keys)
            s.Pending.add_each(keys, amounts)
            ref.Pending._add_each_loop(keys, amounts)
            lazy = s.Pending._lazy
            deferred += lazy is not None and bool(lazy.pending) and lazy.pending[-1].amounts is amounts
        elif op < 0.63:
            value = rng.choice((0, 3, 1 << 251, 10**30))
            key = f"p{rng.randrange(3, 6) if value >> 250 else rng.randrange(6)}/{rng.randrange(40)}"
            s.Pending.insert(key, value)
            ref.Pending.insert(key, value)
        elif op < 0.65:
            key = f"p{rng.randrange(6)}/{rng.randrange(40)}"
            assert s.Pending.take(key) == ref.Pending.take(key)
        elif op < 0.76:
            s.Other.insert("o", rng.randrange(100))  # another item: no touch
            ref.Other.insert("o", _raw_d(s.Other)["o"])
        elif op < 0.68:
            key = f"p{rng.randrange(6)}/{rng.randrange(40)}"
            assert s.Pending.get(key) == ref.Pending.get(key)
            assert (key in s.Pending) == (key in ref.Pending)
        elif op < 0.93:
            assert db.state_root() == ref_db.state_root()
        elif op < 0.80:
            db.begin()
            ref_db.begin()
        elif op < 0.87:
            if db.depth:
                db.commit()
                ref_db.commit()
        elif op < 0.99:
            if db.depth:
                db.rollback()
                ref_db.rollback()
        elif op < 0.97:
            if not db.depth:
                snaps = (db.snapshot(), ref_db.snapshot())
                if rng.random() < 0.5:
                    for p in range(2):  # credits after the snapshot, then back to it
                        s.Pending.add_each(pools[p], amount_sets[p][0])
                        ref.Pending._add_each_loop(pools[p], amount_sets[p][0])
                    db.restore(snaps[0])
                    ref_db.restore(snaps[1])
        elif not db.depth:
            rows = [(f"p{rng.randrange(6)}/{rng.randrange(40)}", rng.randrange(10**20)) for _ in range(3)]
            s.Pending.load(rows)
            ref.Pending.load(rows)
    while db.depth:
        db.rollback()
        ref_db.rollback()
    assert deferred > 10  # the test exercised deferral
    _same(db, s, ref_db, ref)
    assert s.Pending.digest() == ref.Pending.digest() == s.Pending.digest_from_scratch()


def test_a_plain_item_outside_the_root_is_never_deferred() -> None:
    from runtime.storage import StorageMap as SM

    class Ext(PalletStorage, prefix="Ext"):
        Off = SM(AccountId, U128, in_root=False)

    s = Ext(Storage())
    keys = ("a", "b", "c")
    s.Off.add_each(keys, (1, 2, 3))
    s.Off.add_each(keys, (1, 2, 3))
    assert type(s.Off) is Item and s.Off.get("b") == 4


def test_a_credit_after_a_value_that_is_no_int_raises_at_once() -> None:
    """An entry that is not an int (a bug elsewhere) written between two credits: the second credit
    raises when it is made, as the eager one does, not at some later read."""
    db, s, _ref_db, _ref = _pair()
    keys = ("a", "b", "c")
    amounts = (1, 2, 3)
    s.Pending.add_each(keys, amounts)
    s.Pending.insert("b", "not a number")
    db.state_root()  # (the key is no longer pending for the root: only the touch tells)
    with pytest.raises(TypeError):
        s.Pending.add_each(keys, amounts)


def test_many_pending_credits_are_applied_before_they_hold_too_much(monkeypatch: pytest.MonkeyPatch) -> None:
    import runtime.storage as storage

    monkeypatch.setattr(storage, "_MAX_DEFERRED_KEYS", 25)
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(10))
    for n in range(8):
        amounts = tuple(range(n, n + 10))
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
        assert s.Pending._lazy.size <= 25
    _same(db, s, ref_db, ref)


def test_a_bound_add_each_taken_before_the_item_defers_keeps_what_is_known() -> None:
    """The rewards pallet takes ``pending.add_each`` once and credits every batch of an era through
    it: the batches after the first still go to the deferring path and stay known small."""
    db, s, ref_db, ref = _pair()
    credit = s.Pending.add_each  # bound while it is a plain Item
    batches = [(tuple(f"b{b}/{i}" for i in range(5)), tuple(range(b, b + 5))) for b in range(3)]
    for _era in range(2):
        for keys, amounts in batches:
            credit(keys, amounts)
            ref.Pending._add_each_loop(keys, amounts)
    assert s.Pending._lazy.size == 15  # the second era's three batches all deferred
    _same(db, s, ref_db, ref)


def test_a_root_counts_pending_credits_without_applying_them() -> None:
    """A root folds a pending credit into the digest and leaves it pending; applying it later (a
    read) or rolling it back takes that fold out again, so every root equals the eager one."""
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(8))
    amounts = tuple(10**18 * (i + 1) for i in range(8))
    for _ in range(2):
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
    assert s.Pending._lazy.size == 8
    assert db.state_root() == ref_db.state_root()
    assert s.Pending._lazy.size == 8 and _raw_d(s.Pending)["k0"] == amounts[0]  # still pending
    db.begin()
    ref_db.begin()
    s.Pending.add_each(keys, amounts)  # pending and undoable
    ref.Pending._add_each_loop(keys, amounts)
    assert db.state_root() == ref_db.state_root()
    db.rollback()  # drops it and its fold
    ref_db.rollback()
    assert s.Pending._lazy.size == 8 and db.state_root() == ref_db.state_root()
    assert s.Pending.get("k1") == ref.Pending.get("k1") == 2 * amounts[1]  # applied: the fold counted once
    assert s.Pending._lazy.size == 0
    _same(db, s, ref_db, ref)
    s.Pending.add_each(keys, amounts)
    ref.Pending._add_each_loop(keys, amounts)
    db.state_root()
    snap = db.snapshot()  # applies it, the digest kept
    assert snap.data[("Credits", "Pending")]["k2"] == 3 * amounts[2]
    _same(db, s, ref_db, ref)


def test_credits_that_would_leave_the_fast_range_are_not_deferred() -> None:
    """Two keys tuples sharing a key, credited near the top of the integer fast range: a credit is
    deferred only while every entry of the known tuples stays below it once the pending credits are
    applied, so a root never counts as small an entry that the credits push out of the range."""
    db, s, ref_db, ref = _pair()
    a, b = ("shared", "a1", "a2"), ("shared", "b1")
    big_a, big_b = (1 << 247, 1 << 247, 5), (1 << 247, 7)
    for keys, amounts in ((a, big_a), (b, big_b), (a, big_a), (b, big_b), (a, big_a), (b, big_b), (a, big_a), (b, big_b)):
        s.Pending.add_each(keys, amounts)
        ref.Pending._add_each_loop(keys, amounts)
        assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()
    assert _raw_d(s.Pending)["shared"] >= 1 << 250  # out of the fast range: text-hashed
    _same(db, s, ref_db, ref)


@pytest.mark.parametrize("seed", range(6))
def test_random_credits_near_the_fast_range_with_roots_equal_eager(seed: int) -> None:
    rng = random.Random(1000 + seed)
    db, s, ref_db, ref = _pair()
    pools = [tuple(f"q{i}" for i in rng.sample(range(12), rng.randint(2, 6))) for _ in range(4)]
    amount_sets = [[tuple(rng.choice((0, 1, 1 << 246, (1 << 245) + rng.randrange(99))) for _ in keys) for _ in range(2)] for keys in pools]
    deferred = 0
    for _step in range(300):
        op = rng.random()
        if op < 0.55:
            p = rng.randrange(len(pools))
            amounts = rng.choice(amount_sets[p]) if rng.random() < 0.8 else tuple(rng.randrange(1 << 240) for _ in pools[p])
            s.Pending.add_each(pools[p], amounts)
            ref.Pending._add_each_loop(pools[p], amounts)
            lazy = s.Pending._lazy
            deferred += bool(lazy.pending) and lazy.pending[-1].amounts is amounts
        elif op < 0.75:
            assert db.state_root() == ref_db.state_root()
        elif op < 0.82:
            db.begin()
            ref_db.begin()
        elif op < 0.88:
            if db.depth:
                db.commit()
                ref_db.commit()
        elif op < 0.95:
            if db.depth:
                db.rollback()
                ref_db.rollback()
        elif op < 0.98:
            key = f"q{rng.randrange(12)}"
            assert s.Pending.get(key) == ref.Pending.get(key)
        elif not db.depth:
            snaps = (db.snapshot(), ref_db.snapshot())
            s.Pending.add_each(pools[0], amount_sets[0][0])
            ref.Pending._add_each_loop(pools[0], amount_sets[0][0])
            db.state_root()
            db.restore(snaps[0])
            ref_db.restore(snaps[1])
    while db.depth:
        db.rollback()
        ref_db.rollback()
    assert deferred > 5
    assert db.state_root() == ref_db.state_root()
    _same(db, s, ref_db, ref)


def test_pending_credits_of_many_amounts_tuples_summed_over_or_multiplied_out_equal_eager() -> None:
    """Applying pending credits on one keys tuple with many distinct amounts tuples (an era split
    recomputed after every slash): a tuple credited up to ``_SUM_REPEATS`` times is summed that
    many times over, one credited more often is multiplied out once; both, interleaved and with
    amounts past a machine word (``sum``'s fallback to Python ints), give the eager entries,
    order and root."""
    from runtime.storage import _SUM_REPEATS

    rng = random.Random(7)
    db, s, ref_db, ref = _pair()
    keys = tuple(f"k{i}" for i in range(40))
    first = tuple(rng.randrange(1, 10**18) for _ in keys)
    s.Pending.add_each(keys, first)
    ref.Pending._add_each_loop(keys, first)
    tuples = [tuple(rng.randrange(0, 10**18) for _ in keys) for _ in range(6)]
    tuples.append(tuple(rng.randrange(2**63, 2**70) for _ in keys))  # a column sum leaves a machine word
    schedule = [0] * (_SUM_REPEATS + 5) + [1, 2, 1, 3] + [4] * _SUM_REPEATS + [5, 6, 6, 0, 2]
    rng.shuffle(schedule)
    for i in schedule:
        s.Pending.add_each(keys, tuples[i])
        ref.Pending._add_each_loop(keys, tuples[i])
    assert s.Pending._lazy.size == len(keys) * len(schedule)  # all pending until the read
    assert s.Pending.get("k5") == ref.Pending.get("k5")
    _same(db, s, ref_db, ref)
