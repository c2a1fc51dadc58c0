"""The O(1)/linear paths of MultiAssetDelegation (issue 18) change nothing: position indexes over
long bond lists give the same states and events as scanning, and a slash's batched shrink of the
operator's bond list equals shrinking it one reduction at a time."""

from __future__ import annotations

import random

import pytest

import pallets.multi_asset_delegation.delegations as delegations
from pallets.multi_asset_delegation.types import DelegatorBond
from pallets.primitives.assets import NATIVE, Asset
from pallets.primitives.slashing import UnappliedSlash
from runtime import DispatchError
from runtime.accounts import derive_account
from mad_helpers import MAD, TNT, UNIT, USDC, delegate, deposit, make_rt, mad

PEOPLE = [derive_account(f"scale-delegator-{i}") for i in range(40)]


def funded_world(people: list[str]):  # type: ignore[no-untyped-def]
    """Bob and Charlie operators; each of ``people`` funded and holding 500 TNT and 5,000 USDC deposited."""
    rt = make_rt("intended", constants={MAD: {"MaxDelegations": 200}})
    for who in people:
        rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": who, "value": 1_000 * UNIT})
        rt.dispatch("Alice", "Assets", "transfer", {"id": 7, "target": who, "amount": 10_000})
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    mad(rt, "Charlie", "join_operators", bond_amount=100 * UNIT)
    for who in people:
        deposit(rt, who, TNT, 500 * UNIT)
        deposit(rt, who, USDC, 5_000)
    return rt


def run(seed: int, indexed_from: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list, dict]:
    monkeypatch.setattr(delegations, "INDEXED_FROM", indexed_from)
    rng = random.Random(seed)
    rt = funded_world(PEOPLE)
    for step in range(300):
        who = rng.choice(PEOPLE)
        op = rng.choice(["Bob", "Charlie"])
        asset = rng.choice([TNT, USDC])
        r = rng.random()
        try:
            if r < 0.55:
                amount = rng.randrange(1, 20) * (UNIT if asset is TNT else 10)
                delegate(rt, who, op, asset, amount, rng.choice(["All", {"Fixed": [1]}, {"Fixed": []}]))
            elif r < 0.7:
                mad(rt, who, "schedule_delegator_unstake", operator=op, asset=asset, amount=rng.randrange(1, 5) * (UNIT if asset is TNT else 10))
            elif r < 0.8:
                rt.advance_blocks(rng.randrange(1, 30))
                mad(rt, who, "execute_delegator_unstake")
            elif r < 0.9:
                rt.db.begin()  # as the services pallet applies a due slash
                try:
                    rt.pallets[MAD].slash_operator(UnappliedSlash(era=1, blueprint_id=1, service_id=0, operator=rt.account(op), slash_percent=rng.choice([10, 50, 100])))
                    rt.db.commit()
                except DispatchError:
                    rt.db.rollback()
            else:
                snap = rt.snapshot()
                delegate(rt, who, op, TNT, UNIT, "All")
                rt.restore(snap)  # the index must not trust a list a restore replaced
        except DispatchError:
            pass
    storage = rt.pallets[MAD].storage
    bonds = {who: op.delegations for who, op in storage.Operators.items()}
    return rt.state_root(), [repr(e) for e in rt.all_events()], {"bonds": bonds, "delegators": dict(storage.Delegators.items())}


@pytest.mark.parametrize("seed", [1, 2])
def test_indexed_lookups_give_the_same_chain_as_scans(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    root_scan, events_scan, state_scan = run(seed, 10**9, monkeypatch)
    root_indexed, events_indexed, state_indexed = run(seed, 2, monkeypatch)
    assert root_indexed == root_scan
    assert events_indexed == events_scan
    # the operators' lists really are long enough to go through the index
    assert max(len(b) for b in state_indexed["bonds"].values()) >= 20
    # and they agree with the delegators' side (intended: no residue after slashes)
    for operator, bonds in state_indexed["bonds"].items():
        from_delegators: dict = {}
        for who, meta in state_indexed["delegators"].items():
            for d in meta.delegations:
                if d.operator == operator:
                    from_delegators[(who, d.asset)] = from_delegators.get((who, d.asset), 0) + d.amount
        assert {(b.delegator, b.asset): b.amount for b in bonds} == {k: v for k, v in from_delegators.items() if v}


def test_batched_bond_shrink_equals_one_reduction_at_a_time() -> None:
    rng = random.Random(5)
    assets = [Asset.Custom(0), Asset.Custom(7)]

    class Fake:
        def __init__(self, op):  # type: ignore[no-untyped-def]
            self.op = op

    from pallets.multi_asset_delegation.slashing import SlashingImpl

    for _ in range(200):
        people = [f"p{i}" for i in range(rng.randrange(1, 30))]
        keys = rng.sample([(p, a) for p in people for a in assets], k=rng.randrange(1, len(people) * 2 + 1))
        bonds = tuple(DelegatorBond(p, rng.randrange(1, 100), a) for p, a in keys)
        cuts = [(*rng.choice(keys + [("stranger", assets[0])]), rng.randrange(0, 120)) for _ in range(rng.randrange(1, 40))]
        # one at a time, as before issue 18
        expected = list(bonds)
        for who, asset, amount in cuts:
            idx = next((i for i, b in enumerate(expected) if b.delegator == who and b.asset == asset), None)
            if idx is None:
                continue
            left = max(expected[idx].amount - amount, 0)
            if left:
                expected[idx] = DelegatorBond(who, left, asset)
            else:
                del expected[idx]
        written: dict = {}

        class Ops:
            @staticmethod
            def get(_k):  # type: ignore[no-untyped-def]
                from pallets.multi_asset_delegation.types import OperatorMetadata, OperatorStatus

                return OperatorMetadata(1, len(bonds), None, bonds, OperatorStatus.Active, ())

            @staticmethod
            def insert(k, v):  # type: ignore[no-untyped-def]
                written[k] = v

        class Store:
            Operators = Ops

        impl = SlashingImpl.__new__(SlashingImpl)
        impl.storage = Store  # type: ignore[attr-defined]
        impl._shrink_operator_bonds("op", cuts)
        got = written.get("op")
        if got is None:
            assert tuple(expected) == bonds
        else:
            assert got.delegations == tuple(expected)
            assert got.delegation_count == len(expected)


def _plain_stakes(rt, asset: Asset) -> list:
    """What ``active_operator_stakes`` must return, recomputed from storage by the plain loop."""
    from pallets.multi_asset_delegation.types import OperatorStatus

    out = []
    for who, op in rt.pallets[MAD].storage.Operators.items():
        if op.status != OperatorStatus.Active:
            continue
        mine = [b for b in op.delegations if b.asset == asset]
        out.append((who, op.stake, tuple(b.delegator for b in mine), tuple(b.amount for b in mine), sum(b.amount for b in mine)))
    return out


@pytest.mark.parametrize("seed", [3, 4])
def test_stake_views_equal_the_plain_recomputation_as_bonds_change(seed: int) -> None:
    """The cached per-asset views (built with C passes, one dict per asset) follow every change of
    the bond lists: mixed assets on one operator, unstakes, slashes, a restore bringing back an
    older list, an operator leaving the Active status; the TNT and the USDC views stay separate."""
    rng = random.Random(seed)
    people = PEOPLE[:12]
    rt = funded_world(people)
    info = rt.pallets[MAD]
    checked = 0
    for step in range(120):
        who, op, asset = rng.choice(people), rng.choice(["Bob", "Charlie"]), rng.choice([TNT, USDC])
        r = rng.random()
        try:
            if r < 0.6:
                delegate(rt, who, op, asset, rng.randrange(1, 9) * (UNIT if asset is TNT else 10), "All")
            elif r < 0.7:
                mad(rt, who, "schedule_delegator_unstake", operator=op, asset=asset, amount=UNIT if asset is TNT else 10)
                rt.advance_blocks(rng.randrange(1, 30))
                mad(rt, who, "execute_delegator_unstake")
            elif r < 0.8:
                rt.db.begin()
                rt.pallets[MAD].slash_operator(UnappliedSlash(era=1, blueprint_id=1, service_id=0, operator=rt.account(op), slash_percent=rng.choice([10, 50])))
                rt.db.commit()
            elif r < 0.9:
                snap = rt.snapshot()
                delegate(rt, who, op, TNT, UNIT, "All")
                assert info.active_operator_stakes(NATIVE) == _plain_stakes(rt, NATIVE)
                rt.restore(snap)
            elif step == 100:
                mad(rt, "Charlie", "go_offline")
        except DispatchError:
            if rt.db.depth:
                rt.db.rollback()
        for a in (Asset.Custom(0), Asset.Custom(7)):  # a fresh Custom(0): equal to, not the same object as, NATIVE
            assert info.active_operator_stakes(a) == _plain_stakes(rt, a), (step, a)
            checked += 1
    assert checked == 240
    # the operators really hold both assets in one list, so the filtered path ran too
    bonds = [b for op in rt.pallets[MAD].storage.Operators.values() for b in op.delegations]
    assert {b.asset for b in bonds} == {NATIVE, Asset.Custom(7)}
    assert info.active_operator_stakes(NATIVE) == _plain_stakes(rt, NATIVE)
