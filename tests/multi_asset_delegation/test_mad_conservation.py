"""Conservation over thousands of random MAD / Rewards calls: total issuance changes only by minted
rewards and burned dust, asset supplies never change, the pallet account holds exactly the deposits
plus pending withdrawals (also across service slashes under the intended profile, where no residue
is left), failed calls change nothing, and stored values stay immutable."""

from __future__ import annotations

import random

import pytest

from runtime import DispatchError
from runtime.accounts import pallet_account
from pallets.primitives.slashing import UnappliedSlash
from pallets.primitives.assets import NATIVE, Asset
from mad_helpers import MAD, TNT, UNIT, USDC, USDC_ID, make_rt, pot
from simulations.stateful.invariants.tokens import NATIVE_ISSUANCE_EVENTS

PEOPLE = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
ASSETS = [TNT, USDC]


def random_call(rng: random.Random, rt) -> tuple[str, str, str, dict]:  # type: ignore[no-untyped-def]
    who = rng.choice(PEOPLE)
    other = rt.account(rng.choice(PEOPLE))
    asset = rng.choice(ASSETS)
    amount = rng.choice([0, 1, 10**6, 10**10, UNIT, 5 * UNIT, 50 * UNIT]) if asset is TNT else rng.choice([0, 1, 10, 500, 10**6])
    selection = rng.choice([{"Fixed": []}, {"Fixed": [1]}, "All"])
    options = [
        ("join_operators", {"bond_amount": rng.choice([50, 100, 10 * UNIT])}),
        ("schedule_leave_operators", {}), ("cancel_leave_operators", {}), ("execute_leave_operators", {}),
        ("operator_bond_more", {"additional_bond": UNIT}),
        ("schedule_operator_unstake", {"unstake_amount": rng.choice([UNIT, 2 * UNIT])}),
        ("execute_operator_unstake", {}), ("cancel_operator_unstake", {}), ("go_offline", {}), ("go_online", {}),
        ("deposit", {"asset": asset, "amount": amount, "evm_address": None, "lock_multiplier": rng.choice([None, None, "OneMonth"])}),
        ("deposit", {"asset": asset, "amount": amount, "evm_address": None, "lock_multiplier": None}),
        ("schedule_withdraw", {"asset": asset, "amount": amount}),
        ("execute_withdraw", {"evm_address": None}),
        ("cancel_withdraw", {"asset": asset, "amount": amount}),
        ("delegate", {"operator": other, "asset": asset, "amount": amount, "blueprint_selection": selection}),
        ("delegate", {"operator": other, "asset": asset, "amount": amount, "blueprint_selection": selection}),
        ("schedule_delegator_unstake", {"operator": other, "asset": asset, "amount": amount}),
        ("execute_delegator_unstake", {}),
        ("cancel_delegator_unstake", {"operator": other, "asset": asset, "amount": amount}),
        ("delegate_nomination", {"operator": other, "amount": amount if asset is TNT else UNIT, "blueprint_selection": selection}),
        ("schedule_nomination_unstake", {"operator": other, "amount": UNIT, "blueprint_selection": selection}),
        ("execute_nomination_unstake", {"operator": other}), ("cancel_nomination_unstake", {"operator": other}),
        ("add_blueprint_id", {"blueprint_id": rng.choice([1, 2])}), ("remove_blueprint_id", {"blueprint_id": rng.choice([1, 2])}),
    ]
    # operators leaving or going offline often would leave little to delegate to: weight them down
    rare = {"schedule_leave_operators", "execute_leave_operators", "go_offline", "schedule_operator_unstake"}
    name, params = rng.choices(options, weights=[1 if o[0] in rare else 4 for o in options])[0]
    if rng.random() < 0.05:
        return who, "Rewards", "claim_rewards_other", {"who": other, "asset": asset}
    if rng.random() < 0.03:
        return who, "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"}
    if rng.random() < 0.02:
        return who, "Rewards", "claim_era_rewards", {}
    return who, MAD, name, params


def issuance_flow(events) -> int:  # type: ignore[no-untyped-def]
    """Issuance change the Balances events account for (the token-conservation invariant's table)."""
    return sum(NATIVE_ISSUANCE_EVENTS[e.name] * e["amount"] for e in events if e.name in NATIVE_ISSUANCE_EVENTS)


def pot_owes(rt, asset: Asset) -> int:  # type: ignore[no-untyped-def]
    total = 0
    for meta in rt.pallets[MAD].storage.Delegators.values():
        dep = meta.deposit(asset)
        total += dep.amount if dep else 0
        total += sum(r.amount for r in meta.withdraw_requests if r.asset == asset)
    return total


@pytest.mark.parametrize("profile,seed", [("intended", 1), ("real", 2)])
def test_random_calls_conserve_tokens(profile: str, seed: int) -> None:
    rt = make_rt(profile, seed=seed)
    rt.dispatch("root", "Rewards", "create_reward_vault", {"vault_id": 1, "new_config": {"apy": 10**8, "incentive_cap": 0, "deposit_cap": 10**30, "boost_multiplier": 1}})
    rt.dispatch("root", "Rewards", "manage_asset_reward_vault", {"vault_id": 1, "asset": TNT, "action": "Add"})
    rt.dispatch("root", "Rewards", "update_apy_blocks", {"blocks": 5_256_000})
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": rt.pallets["Rewards"].vault_pot_account(1), "value": 10_000 * UNIT})
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": pallet_account(b"py/trsry"), "value": UNIT})
    rt.dispatch("Alice", "Assets", "transfer", {"id": USDC_ID, "target": pallet_account(b"py/trsry"), "amount": 1})
    fungibles = rt.pallets["Assets"].fungibles
    usdc_supply = fungibles.total_issuance(USDC_ID)
    issuance = rt.pallets["Balances"].total_issuance()
    seen = len(rt.all_events())
    rng = random.Random(seed)
    ok = failed = slashes = 0
    for step in range(3000):
        who, pallet, call, params = random_call(rng, rt)
        root = rt.state_root() if step % 7 == 0 else None
        try:
            rt.dispatch(who, pallet, call, params)
            ok += 1
        except DispatchError:
            failed += 1
            if root is not None:
                assert rt.state_root() == root, f"failed {pallet}.{call} changed state"
        if profile == "intended" and rng.random() < 0.02:
            # a due service slash, applied the way the services pallet applies it (moves funds, burns nothing)
            offender = rt.account(rng.choice(PEOPLE))
            rt.db.begin()
            try:
                rt.pallets[MAD].slash_operator(UnappliedSlash(0, rng.choice([1, 2]), 0, offender, rng.choice([1, 10, 50])))
            except DispatchError:
                rt.db.rollback()
            else:
                rt.db.commit()
                slashes += 1
        if step % 40 == 0:
            rt.advance_blocks(rng.choice([1, 5, 10, 60]))
        if step % 100 == 0:
            events = rt.all_events()
            issuance += issuance_flow(events[seen:])
            seen = len(events)
            assert rt.pallets["Balances"].total_issuance() == issuance
            assert fungibles.total_issuance(USDC_ID) == usdc_supply
            assert rt.free_balance(pot(rt)) == pot_owes(rt, NATIVE)
            assert fungibles.balance(USDC_ID, pot(rt)) == pot_owes(rt, Asset.Custom(USDC_ID))
    assert ok > 300 and failed > 300  # both paths were exercised
    assert slashes > 0 or profile == "real"
    rt.db.check_immutable()
