"""The era split credits each operator's delegators with ``Item.add_each``, whose common batches go
through whole-batch C passes. They must leave exactly what the key-by-key path (``_add_each_loop``)
leaves: the same values, the same digest (root
equal to one recomputed from scratch), and a rollback of it restores the state and root before it,
whatever the batch holds (absent keys, keys pending for the next root, repeated keys, values out of
the integer fast range, non-integer amounts)."""

from __future__ import annotations

import random

import pytest

from runtime.primitives import U128, AccountId
from runtime.storage import PalletStorage, Storage, StorageMap


class Credits(PalletStorage, prefix="Credits"):
    Pending = StorageMap(AccountId, U128)
    Hidden = StorageMap(AccountId, U128, in_root=False)


def _pair() -> tuple[Storage, Credits, Storage, Credits]:
    a, b = Storage(), Storage()
    return a, Credits(a), b, Credits(b)


def test_batched_credits_equal_add_each_in_values_digest_and_rollback() -> None:
    rng = random.Random(18)
    keys = [f"acct{i}" for i in range(60)]
    ref_db, ref, db, s = _pair()
    fixed = tuple(keys[:30])  # credited again and again as one tuple (memoised hashes and distinctness)
    shares = tuple(range(10**18, 10**18 + 30))  # one shares tuple met with different keys (memoised fold)
    for step in range(600):
        op = rng.random()
        if op < 0.1:  # a plain write: the key is then pending for the next root
            k, v = rng.choice(keys), rng.choice([rng.randrange(1000), (1 << 250) + 5])
            ref.Pending.insert(k, v)
            s.Pending.insert(k, v)
        elif op < 0.15:
            k = rng.choice(keys)
            ref.Pending.remove(k)
            s.Pending.remove(k)
        elif op < 0.25:
            assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()
        else:
            if op < 0.55:
                batch = fixed
            elif op < 0.7:
                batch = tuple(rng.sample(keys, rng.randrange(2, 20)))
            else:
                batch = tuple(rng.choice(keys) for _ in range(rng.randrange(2, 8)))  # repeats likely
            amounts = [rng.choice([0, rng.randrange(10**20), rng.randrange(10**30)]) for _ in batch]
            if len(batch) == 30 or rng.random() < 0.3:
                batch = fixed if rng.random() < 0.5 else tuple(rng.sample(keys, 30))
                amounts = shares
            elif rng.random() < 0.03:
                amounts[-1] = 1 << 251  # leaves the integer fast range
            fail = rng.random() < 0.2
            for d, item in ((ref_db, ref.Pending._add_each_loop), (db, s.Pending.add_each)):
                d.begin()
                item(batch, amounts)
                d.rollback() if fail else d.commit()
        assert dict(s.Pending._d) == dict(ref.Pending._d), f"step {step}"
    assert db.state_root() == ref_db.state_root() == db.state_root_from_scratch()


def test_a_rolled_back_batch_restores_the_root_and_contents() -> None:
    db = Storage()
    s = Credits(db)
    keys = tuple(f"d{i}" for i in range(40))
    s.Pending.add_each(keys[:20], [7] * 20)  # outside a transaction: creates 20 entries
    root, contents = db.state_root(), dict(s.Pending._d)
    db.begin()
    s.Pending.add_each(keys, list(range(1, 41)))  # 20 present, 20 new
    assert s.Pending.get("d0") == 8 and s.Pending.get("d39") == 40
    assert not s.Pending._dirty  # folded as written: the next root has nothing to do for them
    assert db.state_root() == db.state_root_from_scratch() != root
    db.rollback()
    assert dict(s.Pending._d) == contents
    assert db.state_root() == root == db.state_root_from_scratch()


def test_outside_the_root_and_bad_batches_take_the_key_by_key_path() -> None:
    db = Storage()
    s = Credits(db)
    s.Pending.add_each(("a", "b", "a"), [1, 2, 3])  # a repeated key adds twice
    assert dict(s.Pending._d) == {"a": 4, "b": 2}
    s.Hidden.add_each(("a", "b"), [5, 6])
    assert dict(s.Hidden._d) == {"a": 5, "b": 6}
    with pytest.raises(ValueError, match="2 keys but 1 amounts"):
        s.Pending.add_each(("a", "b"), [1])
    assert dict(s.Pending._d) == {"a": 4, "b": 2}
    assert db.state_root() == db.state_root_from_scratch()


def _reference_credits(rt) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The era split computed here from MAD's storage, independently of the pallet's code (and its
    per-operator memo): budget by weight, commission, delegators' shares rounded down, the operator
    gets the rest."""
    from pallets.multi_asset_delegation.types import OperatorStatus
    from pallets.primitives.assets import NATIVE

    consts = rt.pallets["Rewards"].consts
    ops = [(who, op) for who, op in rt.pallets["MultiAssetDelegation"].storage.Operators.items() if op.status == OperatorStatus.Active]
    weights = [op.stake + sum(b.amount for b in op.delegations if b.asset == NATIVE) for _, op in ops]
    out: dict[str, int] = {}
    for (who, op), weight in zip(ops, weights):
        pot = consts.EraRewardBudget * weight // sum(weights)
        rest = pot - pot * consts.OperatorCommission // 10**9
        given = 0
        for b in op.delegations:
            if b.asset == NATIVE and rest * b.amount // weight:
                out[b.delegator] = out.get(b.delegator, 0) + rest * b.amount // weight
                given += rest * b.amount // weight
        out[who] = out.get(who, 0) + pot - given
    return out


def test_era_after_era_credits_follow_every_change_of_stakes() -> None:
    """Eras with nothing changed reuse the last split; a delegation, a slash or another operator's
    change of weight (which moves every pot) must each give the reference credits again."""
    from runtime import UNIT, GenesisConfig, Runtime
    from runtime.accounts import derive_account
    from pallets.primitives.slashing import UnappliedSlash

    people = [derive_account(f"era-memo-{i}") for i in range(30)]
    rt = Runtime(GenesisConfig.dev(session_length=5, sessions_per_era=1, balances=dict(GenesisConfig.dev().balances) | {p: 1_000 * UNIT for p in people},
                                   constants={"MultiAssetDelegation": {"DelegationBondLessDelay": 1}}))
    for op in ("Bob", "Charlie"):
        rt.dispatch(op, "MultiAssetDelegation", "join_operators", {"bond_amount": 100 * UNIT})
    for i, who in enumerate(people):
        amount = (10 + i) * UNIT + i
        rt.dispatch(who, "MultiAssetDelegation", "deposit", {"asset": {"Custom": 0}, "amount": 2 * amount, "evm_address": None, "lock_multiplier": None})
        rt.dispatch(who, "MultiAssetDelegation", "delegate", {"operator": rt.account("Bob" if i % 2 else "Charlie"), "asset": {"Custom": 0}, "amount": amount, "blueprint_selection": "All"})
    pending = rt.pallets["Rewards"].storage.PendingEraRewards
    mad = rt.pallets["MultiAssetDelegation"]
    changes = [
        lambda: None,
        lambda: None,  # nothing changed: the memoised split
        lambda: rt.dispatch(people[3], "MultiAssetDelegation", "delegate", {"operator": rt.account("Bob"), "asset": {"Custom": 0}, "amount": UNIT, "blueprint_selection": "All"}),
        lambda: None,
        lambda: mad.slash_operator(UnappliedSlash(era=0, blueprint_id=0, service_id=0, operator=rt.account("Charlie"), slash_percent=10)),
        lambda: rt.dispatch("Charlie", "MultiAssetDelegation", "operator_bond_more", {"additional_bond": 50 * UNIT}),  # moves Bob's pot too
        lambda: None,
        lambda: rt.dispatch(people[1], "MultiAssetDelegation", "schedule_delegator_unstake", {"operator": rt.account("Bob"), "asset": {"Custom": 0}, "amount": 2 * UNIT}),
        lambda: None,
        # the same weight and pot for Bob, with 2 TNT moved from one delegator to another
        lambda: (rt.dispatch(people[1], "MultiAssetDelegation", "execute_delegator_unstake", {}),
                 rt.dispatch(people[5], "MultiAssetDelegation", "delegate", {"operator": rt.account("Bob"), "asset": {"Custom": 0}, "amount": 2 * UNIT, "blueprint_selection": "All"})),
        lambda: None,
    ]
    for change in changes:
        change()
        expected = _reference_credits(rt)
        before = {who: pending.get(who, 0) for who in expected}
        rt.advance_eras(1)
        assert {who: pending.get(who, 0) - before[who] for who in expected} == expected
    assert rt.state_root() == rt.db.state_root_from_scratch()


# ------------------------------------------------------------------ the era split's one batch
def _per_operator_credits(self, split):  # type: ignore[no-untyped-def]
    """The reference: no joined batches, each operator's delegators then the operator credited apart."""
    out = []
    for operator, delegators, shares, dust, *_rest in split:
        out.append((delegators, shares))
        out.append(((operator,), (dust,)))
    return out


def _era_history(seed: int, batched: bool, monkeypatch: pytest.MonkeyPatch, chunk: int = 2048):  # type: ignore[no-untyped-def]
    """Eras over random delegations (a delegator of two operators makes an era's keys repeat, a
    slash changes one operator's split); returns the root, the PendingEraRewards entries in their
    order, the events, and a root and contents after a rolled-back era change."""
    from pallets.primitives.slashing import UnappliedSlash
    from pallets.rewards.era_rewards import EraRewards
    from runtime.accounts import derive_account
    from rewards_helpers import make_rt, mad, stake

    with monkeypatch.context() as m:
        m.setattr("pallets.rewards.era_rewards.CREDIT_BATCH", chunk)
        if not batched:
            m.setattr(EraRewards, "_era_credit_batches", _per_operator_credits)
        rng = random.Random(seed)
        people = [derive_account(f"era-batch-{i}") for i in range(24)]
        rt = make_rt(constants={"MultiAssetDelegation": {"MaxDelegations": 50}})
        for op in ("Bob", "Charlie"):
            mad(rt, op, "join_operators", bond_amount=100 * 10**18)
        for who in people:
            rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": who, "value": 10_000 * 10**18})
        for i, who in enumerate(people):
            stake(rt, who, rng.choice(["Bob", "Charlie"]), rng.randrange(1, 500) * 10**18 + rng.randrange(10**18))
        rewards_pallet = rt.pallets["Rewards"]
        for era in range(12):
            r = rng.random()
            if r < 0.3:  # a delegator of both operators: the era's accounts repeat
                who = rng.choice(people)
                stake(rt, who, rng.choice(["Bob", "Charlie"]), rng.randrange(1, 50) * 10**18)
            elif r < 0.5:
                rt.db.begin()
                rt.pallets["MultiAssetDelegation"].slash_operator(UnappliedSlash(era=era, blueprint_id=0, service_id=0, operator=rt.account(rng.choice(["Bob", "Charlie"])), slash_percent=rng.choice([5, 30])))
                rt.db.commit()
            rt.advance_eras(1)
        root, entries = rt.state_root(), list(rewards_pallet.storage.PendingEraRewards.items())
        rt.db.begin()
        rewards_pallet.on_new_era(99)
        credited = dict(rewards_pallet.storage.PendingEraRewards.items())
        rt.db.rollback()
        assert rt.state_root() == root == rt.db.state_root_from_scratch()
        assert list(rewards_pallet.storage.PendingEraRewards.items()) == entries
        return root, entries, [repr(e) for e in rt.all_events()], credited


@pytest.mark.parametrize("chunk", [2048, 3, 12])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_era_credits_in_batches_equal_the_per_operator_credits(seed: int, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """One batch for the era (2,048 keys a batch), or several (3 or 12: an operator or a few a batch)."""
    batched = _era_history(seed, True, monkeypatch, chunk)
    reference = _era_history(seed, False, monkeypatch)
    assert batched == reference
    assert len(batched[1]) > 20 and all(v > 0 for _, v in batched[1])
