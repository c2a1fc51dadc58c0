"""Lst: unbond into era sub-pools, withdraw_unbonded, pool_withdraw_unbonded, in both profiles."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from tests.lst.lst_helpers import BOB, CHARLIE, DAVE, ED, active, create_pool, fails, issuance, join, lst, runtime, supply, tokens, unbond, until_era, withdraw


def pool(profile: str, **overrides: object) -> Runtime:
    """Dave created pool 1 with 10 TNT; Bob joined with 20."""
    rt = runtime(profile, **overrides)
    create_pool(rt)
    join(rt, "Bob", 20 * UNIT)
    return rt


def staking_era(rt: Runtime) -> int:
    return rt.pallets["Staking"].current_era()


@pytest.mark.parametrize("profile, paid", [("intended", 5 * UNIT), ("real", 6 * UNIT)])
def test_unbond_pricing(profile: str, paid: int) -> None:
    rt = pool(profile)
    receipt = unbond(rt, "Bob", 5 * UNIT)
    ev = receipt.event("Lst.Unbonded")
    era = staking_era(rt) + 14
    assert (ev["balance"], ev["points"], ev["era"]) == (paid, paid, era)
    assert tokens(rt, 1, "Bob") == 15 * UNIT and supply(rt, 1) == 25 * UNIT
    assert active(rt, 1) == 30 * UNIT - paid
    bonded = lst(rt).bonded_account(1)
    chunks = rt.pallets["Staking"].storage.Ledger.get(bonded).unlocking
    assert [(c.value, c.era) for c in chunks] == [(paid, era)]
    assert rt.query("Lst", "SubPoolsStorage", [1]).value["with_era"] == [(era, {"points": paid, "balance": paid})]
    assert rt.query("Lst", "UnbondingMembers", ["Bob"]).value == {"unbonding_eras": [(era, (1, paid))]}
    assert rt.query("Lst", "TotalValueLocked").value == 30 * UNIT  # unchanged at unbond
    # the remaining holders' tokens are worth less under the real over-payment
    assert lst(rt).pool_points_to_balance(1, tokens(rt, 1, "Dave")) == (10 * UNIT if profile == "intended" else 10 * UNIT * 24 // 25)


def test_full_unbond_intended_vs_real() -> None:
    rt = pool("intended")
    unbond(rt, "Bob", 20 * UNIT)
    assert tokens(rt, 1, "Bob") == 0
    rt = pool("real")
    fails(rt, "Token.FundsUnavailable", "Bob", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 20 * UNIT})
    unbond(rt, "Bob", 20 * UNIT - 1)  # one unit of dust must stay
    assert tokens(rt, 1, "Bob") == 1


def test_depositor_full_unbond() -> None:
    for profile in ("intended", "real"):
        rt = runtime(profile)
        create_pool(rt)
        params = {"member_account": "Dave", "pool_id": 1, "unbonding_points": 10 * UNIT}
        fails(rt, "Lst.MinimumBondNotMet", "Dave", "unbond", params)  # not destroying
        rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
        if profile == "intended":
            unbond(rt, "Dave", 10 * UNIT)  # destroying and the only holder: may leave
            assert supply(rt, 1) == 0
        else:
            fails(rt, "Lst.MinimumBondNotMet", "Dave", "unbond", params)  # compares with the points left


def test_unbond_errors() -> None:
    rt = pool("intended")
    fails(rt, "Lst.PoolNotFound", "Bob", "unbond", {"member_account": "Bob", "pool_id": 7, "unbonding_points": 1})
    fails(rt, "Lst.NoBalanceToUnbond", "Bob", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 21 * UNIT})
    fails(rt, "Lst.PartialUnbondNotAllowedPermissionlessly", "Eve", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": UNIT})
    fails(rt, "Lst.NotKickerOrDestroying", "Eve", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 20 * UNIT})
    fails(rt, "Lst.DoesNotHavePermission", "Eve", "unbond", {"member_account": "Dave", "pool_id": 1, "unbonding_points": 10 * UNIT})
    rt.dispatch("root", "Lst", "set_configs", {"min_join_bond": {"Set": 5 * UNIT}, "min_create_bond": "Noop", "max_pools": "Noop", "global_max_commission": "Noop"})
    fails(rt, "Lst.MinimumBondNotMet", "Bob", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 16 * UNIT})
    fails(rt, "Lst.MinimumBondNotMet", "Dave", "unbond", {"member_account": "Dave", "pool_id": 1, "unbonding_points": 6 * UNIT})
    unbond(rt, "Bob", 15 * UNIT)


def test_kick_when_blocked_and_permissionless_when_destroying() -> None:
    rt = pool("intended")
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"})
    fails(rt, "Lst.NotKickerOrDestroying", "Dave", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 20 * UNIT})
    unbond(rt, "Charlie", 20 * UNIT, member="Bob")  # the bouncer kicks Bob
    assert tokens(rt, 1, "Bob") == 0
    rt = pool("intended")
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    unbond(rt, "Eve", 20 * UNIT, member="Bob")
    # the real runtime cannot burn a whole balance, so kicks never succeed
    rt = pool("real")
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"})
    fails(rt, "Token.FundsUnavailable", "Charlie", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": 20 * UNIT})


def test_max_unbonding_limit() -> None:
    rt = pool("intended", constants={"Lst": {"MaxUnbonding": 2}})
    rt.dispatch("root", "Staking", "force_new_era_always", {})
    for _ in range(2):
        unbond(rt, "Bob", UNIT)
        rt.advance_sessions(1)
    fails(rt, "Lst.MaxUnbondingLimit", "Bob", "unbond", {"member_account": "Bob", "pool_id": 1, "unbonding_points": UNIT})


def test_same_era_unbonds_merge_intended_overwrite_real() -> None:
    rt = pool("intended")
    unbond(rt, "Bob", 2 * UNIT)
    unbond(rt, "Bob", 3 * UNIT)
    era = staking_era(rt) + 14
    assert rt.query("Lst", "UnbondingMembers", ["Bob"]).value == {"unbonding_eras": [(era, (1, 5 * UNIT))]}
    rt = pool("real")
    unbond(rt, "Bob", 2 * UNIT)
    unbond(rt, "Bob", 3 * UNIT)
    entry = rt.query("Lst", "UnbondingMembers", ["Bob"]).value["unbonding_eras"]
    assert len(entry) == 1 and entry[0][1][1] < 5 * UNIT  # the first unbond's points were overwritten
    assert rt.query("Lst", "SubPoolsStorage", [1]).value["with_era"][0][1]["points"] > entry[0][1][1]  # the sub-pool kept them


def test_withdraw_intended_any_time_after_unlock() -> None:
    rt = pool("intended")
    unbond(rt, "Bob", 5 * UNIT)
    unlock = staking_era(rt) + 14
    until_era(rt, unlock - 1)
    fails(rt, "Lst.CannotWithdrawAny", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    until_era(rt, unlock + 3)  # well after the unlock era
    free = rt.free_balance(BOB)
    receipt = withdraw(rt, "Bob")
    assert receipt.event("Lst.Withdrawn")["balance"] == 5 * UNIT
    assert receipt.event("MemberRemoved")["member"] == BOB
    assert rt.free_balance(BOB) == free + 5 * UNIT
    assert rt.query("Lst", "UnbondingMembers", ["Bob"]).value is None
    assert rt.query("Lst", "TotalValueLocked").value == 25 * UNIT
    assert rt.query("Lst", "SubPoolsStorage", [1]).value["with_era"] == []


def test_withdraw_real_only_in_the_exact_unlock_era() -> None:
    rt = pool("real")
    unbond(rt, "Bob", 5 * UNIT)
    unlock = staking_era(rt) + 14
    until_era(rt, unlock + 1)
    fails(rt, "Lst.PoolNotFound", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    rt = pool("real")
    unbond(rt, "Bob", 5 * UNIT)
    until_era(rt, unlock - 1)
    fails(rt, "Lst.PoolNotFound", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    until_era(rt, unlock)
    receipt = withdraw(rt, "Bob")
    assert receipt.event("Lst.Withdrawn")["balance"] == 6 * UNIT  # the over-paid unbond


def test_withdraw_errors() -> None:
    rt = pool("intended")
    fails(rt, "Lst.PoolMemberNotFound", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    unbond(rt, "Bob", 5 * UNIT)
    fails(rt, "Lst.PoolNotFound", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 2, "num_slashing_spans": 0})
    until_era(rt, staking_era(rt) + 14)
    fails(rt, "Lst.NotKickerOrDestroying", "Eve", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    withdraw(rt, "Eve", member="Bob")  # permissionless while Destroying


def test_real_depositor_withdraw_dissolves_the_pool_and_zeroes_the_others() -> None:
    rt = pool("real")
    start = issuance(rt)
    unbond(rt, "Dave", UNIT)  # a small partial unbond by the depositor
    unbond(rt, "Bob", 2 * UNIT)
    unlock = staking_era(rt) + 14
    until_era(rt, unlock)
    bonded = lst(rt).bonded_account(1)
    at_stake = rt.free_balance(bonded)
    free = rt.free_balance(DAVE)
    receipt = withdraw(rt, "Dave")
    assert receipt.events_named("Lst.Destroyed")
    assert rt.query("Lst", "BondedPools", [1]).value is None
    assert rt.free_balance(bonded) == 0  # Bob's remaining stake is gone
    assert tokens(rt, 1, "Bob") > 0 and supply(rt, 1) > 0  # the token survives, worthless
    assert rt.free_balance(DAVE) > free
    paid = receipt.event("Lst.Withdrawn")["balance"]
    destroyed = [e["amount"] for e in receipt.events_named("Balances.Slashed") if e["who"] == bonded]
    assert destroyed == [at_stake - paid]  # Bob's 27-odd TNT still at stake were burned
    assert issuance(rt) < start
    # Bob's chunk now cannot be withdrawn: the pool is gone (defensive error)
    fails(rt, "Lst.Defensive", "Bob", "withdraw_unbonded", {"member_account": "Bob", "pool_id": 1, "num_slashing_spans": 0})
    # and the id cannot be reused while the token has a supply
    rt.dispatch("root", "Lst", "set_last_pool_id", {"pool_id": 2})
    fails(rt, "Lst.PoolTokenCreationFailed", "Eve", "create_with_pool_id", {"amount": 10 * UNIT, "root": "Eve", "nominator": "Eve", "bouncer": "Eve", "pool_id": 1, "name": None, "icon": None})


def test_intended_depositor_partial_withdraw_keeps_the_pool() -> None:
    rt = pool("intended")
    unbond(rt, "Dave", UNIT)
    until_era(rt, staking_era(rt) + 14)
    receipt = withdraw(rt, "Dave")
    assert not receipt.events_named("Lst.Destroyed")
    assert lst(rt).pool_ids() == [1]
    assert active(rt, 1) == 29 * UNIT


def test_intended_last_one_out_dissolves() -> None:
    rt = pool("intended")
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    unbond(rt, "Eve", 20 * UNIT, member="Bob")
    unbond(rt, "Dave", 10 * UNIT)
    until_era(rt, staking_era(rt) + 14)
    bob, dave = rt.free_balance(BOB), rt.free_balance(DAVE)
    assert not withdraw(rt, "Dave").events_named("Lst.Destroyed")  # Bob still has a chunk
    receipt = withdraw(rt, "Eve", member="Bob")
    assert receipt.events_named("Lst.Destroyed")
    assert rt.free_balance(BOB) == bob + 20 * UNIT
    assert rt.free_balance(DAVE) >= dave + 10 * UNIT
    assert rt.query("Staking", "Ledger", [lst(rt).bonded_account(1)]).value is None
    assert rt.query("Lst", "TotalValueLocked").value == 0


def test_pool_withdraw_unbonded() -> None:
    for profile in ("intended", "real"):
        rt = pool(profile)
        fails(rt, "Lst.PoolNotFound", "Eve", "pool_withdraw_unbonded", {"pool_id": 4, "num_slashing_spans": 0})
        unbond(rt, "Bob", 5 * UNIT)
        until_era(rt, staking_era(rt) + 14)
        tvl = rt.query("Lst", "TotalValueLocked").value
        rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
        if profile == "real":
            fails(rt, "Lst.NotDestroying", "Eve", "pool_withdraw_unbonded", {"pool_id": 1, "num_slashing_spans": 0})
        else:
            rt.dispatch("Eve", "Lst", "pool_withdraw_unbonded", {"pool_id": 1, "num_slashing_spans": 0})
            assert rt.query("Lst", "TotalValueLocked").value == tvl - 5 * UNIT
            assert not rt.pallets["Staking"].storage.Ledger.get(lst(rt).bonded_account(1)).unlocking
    _ = CHARLIE


def test_an_unbond_leaving_less_than_the_existential_deposit_bonded() -> None:
    """pallet_staking unbonds a remainder below ED too; the sub-pool would record only the priced part.
    (Real pricing and burns are switched off here so both profiles price the same points alike.)"""
    fair = {"lst.unbond_burn_before_pricing": False, "lst.no_full_unbond": False}
    for profile in ("intended", "real"):
        rt = runtime(profile, quirks=fair if profile == "real" else {})
        create_pool(rt, amount=2 * ED)  # MinCreateBond is below ED in this genesis (depositor minimum = ED)
        rt.dispatch("Dave", "Assets", "transfer_keep_alive", {"id": 1, "target": "Bob", "amount": ED + 2})
        params = {"member_account": "Bob", "pool_id": 1, "unbonding_points": ED + 1}  # 2*ED - (ED+1) < ED would stay
        if profile == "intended":
            fails(rt, "Lst.MinimumBondNotMet", "Bob", "unbond", params)
            unbond(rt, "Bob", ED)  # leaves exactly ED bonded: allowed
            assert active(rt, 1) == ED
            continue
        receipt = rt.dispatch("Bob", "Lst", "unbond", params)
        assert active(rt, 1) == 0  # the quirk: the whole bond swept into the chunk ...
        assert receipt.event("Staking.Unbonded")["amount"] == 2 * ED
        assert receipt.event("Lst.Unbonded")["balance"] == ED + 1  # ... but the sub-pool owes only what was priced


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_a_zero_point_unbond_of_a_non_holder(profile: str) -> None:
    """A new user's fuzz run (seed 3) broke ``lst_references_resolve``: in a Destroying pool anyone
    could unbond 0 points of an account that never held the pool's token, which recorded a 0-point
    unbonding chunk that dangled once the pool was dissolved. The real pallet accepts it (quirk
    ``lst.zero_point_unbond``); intended, there is nothing to unbond."""
    rt = runtime(profile)
    create_pool(rt)
    rt.dispatch("Eve", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    params = {"member_account": "Charlie", "pool_id": 1, "unbonding_points": 0}
    if profile == "intended":
        fails(rt, "Lst.NoBalanceToUnbond", "Ferdie", "unbond", params)
        fails(rt, "Lst.NoBalanceToUnbond", "Dave", "unbond", {**params, "member_account": "Dave"})  # a holder's 0 too
        assert rt.query("Lst", "UnbondingMembers", ["Charlie"]).value is None
    else:
        receipt = rt.dispatch("Ferdie", "Lst", "unbond", params)
        assert receipt.event("Lst.Unbonded")["points"] == 0
        assert rt.query("Lst", "UnbondingMembers", ["Charlie"]).value["unbonding_eras"][0][1] == (1, 0)
