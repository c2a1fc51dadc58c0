"""``Item.insert_each``: a batch of inserts as one journal entry (a slash rewrites an operator's
delegators' records). It must leave what the inserts one by one leave — contents, order, digest,
root — and a rollback must restore the state from before, also after a root taken in between."""

from __future__ import annotations

import random

import pytest

from runtime.primitives import U128, AccountId
from runtime.storage import PalletStorage, Storage, StorageMap


class Records(PalletStorage, prefix="Records"):
    Map = StorageMap(AccountId, U128)


@pytest.mark.parametrize("seed", range(8))
def test_insert_each_equals_inserts_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    db, ref_db = Storage(), Storage()
    s, ref = Records(db), Records(ref_db)
    for item in (s.Map, ref.Map):
        item.load([(f"k{i}", i) for i in range(0, 30, 3)])
    for _ in range(60):
        op = rng.random()
        if op < 0.5:
            keys = [f"k{rng.randrange(40)}" for _ in range(rng.randrange(1, 8))]  # repeats and new keys
            values = [rng.choice((rng.randrange(10**20), (1, 2), "text", 1 << 251)) for _ in keys]
            s.Map.insert_each(keys, values)
            for k, v in zip(keys, values):
                ref.Map.insert(k, v)
        elif op < 0.6:
            key = f"k{rng.randrange(40)}"
            assert s.Map.take(key) == ref.Map.take(key)
        elif op < 0.7:
            assert db.state_root() == ref_db.state_root()
        elif op < 0.8:
            db.begin()
            ref_db.begin()
        elif op < 0.9:
            if db.depth:
                db.commit()
                ref_db.commit()
        elif db.depth:
            db.rollback()
            ref_db.rollback()
        assert list(s.Map.items()) == list(ref.Map.items())
    while db.depth:
        db.rollback()
        ref_db.rollback()
    assert list(s.Map.items()) == list(ref.Map.items())
    assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()


def test_insert_each_rolls_back_exactly_and_refuses_unequal_lengths() -> None:
    db = Storage()
    s = Records(db)
    s.Map.insert("a", 1)
    root, contents = db.state_root(), list(s.Map.items())
    db.begin()
    s.Map.insert_each(["a", "b", "a"], [2, 3, 4])
    assert s.Map.get("a") == 4 and list(s.Map.keys()) == ["a", "b"]
    db.state_root()
    db.rollback()
    assert list(s.Map.items()) == contents and db.state_root() == root == db.state_root_from_scratch()
    with pytest.raises(ValueError, match="insert_each on Records.Map: 2 keys but 1 values"):
        s.Map.insert_each(["a", "b"], [1])
    assert list(s.Map.items()) == contents
