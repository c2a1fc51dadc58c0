"""Lst: nominate, chill, set_state, set_metadata, set_configs, update_roles, commission calls,
claim_commission, adjust_pool_deposit."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from tests.lst.lst_helpers import CHARLIE, DAVE, ED, EVE, create_pool, fails, join, lst, runtime

NOOP4 = {"min_join_bond": "Noop", "min_create_bond": "Noop", "max_pools": "Noop", "global_max_commission": "Noop"}


@pytest.fixture
def rt() -> Runtime:
    rt = runtime()
    create_pool(rt)  # depositor Dave, root Eve, nominator Ferdie, bouncer Charlie
    return rt


def test_nominate_and_chill(rt: Runtime) -> None:
    bonded = lst(rt).bonded_account(1)
    fails(rt, "Lst.PoolNotFound", "Ferdie", "nominate", {"pool_id": 2, "validators": ["Alice"]})
    fails(rt, "Lst.NotNominator", "Charlie", "nominate", {"pool_id": 1, "validators": ["Alice"]})
    fails(rt, "Staking.EmptyTargets", "Ferdie", "nominate", {"pool_id": 1, "validators": []})
    rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": 1, "validators": ["Alice"]})
    rt.dispatch("Eve", "Lst", "nominate", {"pool_id": 1, "validators": ["Alice", "Bob"]})  # root may too
    assert rt.pallets["Staking"].nominations(bonded) == (rt.account("Alice"), rt.account("Bob"))
    fails(rt, "Lst.NotNominator", "Dave", "chill", {"pool_id": 1})
    fails(rt, "Lst.PoolNotFound", "Ferdie", "chill", {"pool_id": 3})
    rt.dispatch("Ferdie", "Lst", "chill", {"pool_id": 1})
    assert rt.pallets["Staking"].nominations(bonded) is None


def test_set_state(rt: Runtime) -> None:
    fails(rt, "Lst.PoolNotFound", "Charlie", "set_state", {"pool_id": 2, "state": "Blocked"})
    fails(rt, "Lst.CanNotChangeState", "Bob", "set_state", {"pool_id": 1, "state": "Destroying"})  # the pool is healthy
    receipt = rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"})
    assert receipt.event("StateChanged")["new_state"].name == "Blocked"
    assert not rt.dispatch("Eve", "Lst", "set_state", {"pool_id": 1, "state": "Blocked"}).events_named("Lst.StateChanged")
    rt.dispatch("Eve", "Lst", "set_state", {"pool_id": 1, "state": "Open"})
    rt.dispatch("Charlie", "Lst", "set_state", {"pool_id": 1, "state": "Destroying"})
    fails(rt, "Lst.CanNotChangeState", "Charlie", "set_state", {"pool_id": 1, "state": "Open"})


def test_set_metadata(rt: Runtime) -> None:
    fails(rt, "Lst.MetadataExceedsMaxLen", "Eve", "set_metadata", {"pool_id": 1, "metadata": "abc"})  # 2 bytes on testnet
    fails(rt, "Lst.PoolNotFound", "Eve", "set_metadata", {"pool_id": 2, "metadata": "ab"})
    fails(rt, "Lst.DoesNotHavePermission", "Dave", "set_metadata", {"pool_id": 1, "metadata": "ab"})
    rt.dispatch("Charlie", "Lst", "set_metadata", {"pool_id": 1, "metadata": "ab"})
    assert rt.query("Lst", "Metadata", [1]).value == "ab"
    assert rt.query("Lst", "CounterForMetadata").value == 1


def test_set_configs(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "Eve", "set_configs", NOOP4)
    rt.dispatch("root", "Lst", "set_configs", {"min_join_bond": {"Set": 3}, "min_create_bond": {"Set": 4}, "max_pools": "Remove", "global_max_commission": {"Set": 500_000_000}})
    assert rt.query("Lst", "MinJoinBond").value == 3 and rt.query("Lst", "MinCreateBond").value == 4
    assert rt.query("Lst", "MaxPools").value is None
    assert rt.query("Lst", "GlobalMaxCommission").value == 500_000_000


def test_update_roles(rt: Runtime) -> None:
    params = {"pool_id": 1, "new_root": "Noop", "new_nominator": {"Set": "Bob"}, "new_bouncer": "Remove"}
    fails(rt, "Lst.DoesNotHavePermission", "Ferdie", "update_roles", params)
    fails(rt, "Lst.PoolNotFound", "Eve", "update_roles", {**params, "pool_id": 2})
    fails(rt, "Lst.PoolNotFound", "root", "update_roles", {**params, "pool_id": 2})
    fails(rt, "BadOrigin", "council", "update_roles", params)
    receipt = rt.dispatch("Eve", "Lst", "update_roles", params)
    ev = receipt.event("RolesUpdated")
    assert (ev["root"], ev["nominator"], ev["bouncer"]) == (EVE, rt.account("Bob"), None)
    rt.dispatch("root", "Lst", "update_roles", {"pool_id": 1, "new_root": {"Set": "Charlie"}, "new_nominator": "Noop", "new_bouncer": "Noop"})
    roles = rt.query("Lst", "BondedPools", [1]).value["roles"]
    assert roles["root"] == CHARLIE and roles["depositor"] == DAVE
    fails(rt, "Lst.DoesNotHavePermission", "Eve", "update_roles", params)  # no longer root


def test_commission_settings(rt: Runtime) -> None:
    fails(rt, "Lst.DoesNotHavePermission", "Dave", "set_commission", {"pool_id": 1, "new_commission": (100_000_000, "Eve")})
    fails(rt, "Lst.PoolNotFound", "Eve", "set_commission", {"pool_id": 2, "new_commission": None})
    rt.dispatch("Eve", "Lst", "set_commission_max", {"pool_id": 1, "max_commission": 200_000_000})
    fails(rt, "Lst.CommissionExceedsMaximum", "Eve", "set_commission", {"pool_id": 1, "new_commission": (300_000_000, "Eve")})
    fails(rt, "Lst.MaxCommissionRestricted", "Eve", "set_commission_max", {"pool_id": 1, "max_commission": 300_000_000})
    rt.dispatch("root", "Lst", "set_configs", {**NOOP4, "global_max_commission": {"Set": 150_000_000}})
    fails(rt, "Lst.CommissionExceedsGlobalMaximum", "Eve", "set_commission", {"pool_id": 1, "new_commission": (160_000_000, "Eve")})
    fails(rt, "Lst.CommissionExceedsGlobalMaximum", "Eve", "set_commission_max", {"pool_id": 1, "max_commission": 160_000_000})
    receipt = rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (100_000_000, "Eve")})
    assert receipt.event("PoolCommissionUpdated")["current"] == (100_000_000, EVE)
    # lowering the max below the current rate lowers the rate (extra event)
    receipt = rt.dispatch("Eve", "Lst", "set_commission_max", {"pool_id": 1, "max_commission": 50_000_000})
    assert [e["current"] for e in receipt.events_named("Lst.PoolCommissionUpdated")] == [(50_000_000, EVE)]
    assert receipt.event("PoolMaxCommissionUpdated")["max_commission"] == 50_000_000
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (0, "Eve")})  # 0% is stored as None
    assert rt.query("Lst", "BondedPools", [1]).value["commission"]["current"] is None


def test_commission_change_rate_and_throttle(rt: Runtime) -> None:
    rate = {"max_increase": 10_000_000, "min_delay": 5}
    receipt = rt.dispatch("Eve", "Lst", "set_commission_change_rate", {"pool_id": 1, "change_rate": rate})
    assert receipt.event("PoolCommissionChangeRateUpdated")["change_rate"].min_delay == 5
    fails(rt, "Lst.CommissionChangeRateNotAllowed", "Eve", "set_commission_change_rate", {"pool_id": 1, "change_rate": {"max_increase": 20_000_000, "min_delay": 5}})
    fails(rt, "Lst.CommissionChangeRateNotAllowed", "Eve", "set_commission_change_rate", {"pool_id": 1, "change_rate": {"max_increase": 10_000_000, "min_delay": 4}})
    fails(rt, "Lst.DoesNotHavePermission", "Dave", "set_commission_change_rate", {"pool_id": 1, "change_rate": rate})
    fails(rt, "Lst.CommissionChangeThrottled", "Eve", "set_commission", {"pool_id": 1, "new_commission": (20_000_000, "Eve")})  # too big a step
    fails(rt, "Lst.CommissionChangeThrottled", "Eve", "set_commission", {"pool_id": 1, "new_commission": (10_000_000, "Eve")})  # too soon
    rt.advance_blocks(5)
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (10_000_000, "Eve")})
    fails(rt, "Lst.CommissionChangeThrottled", "Eve", "set_commission", {"pool_id": 1, "new_commission": (15_000_000, "Eve")})
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (5_000_000, "Eve")})  # decreases are never throttled


def rewarded_pool() -> Runtime:
    """Pool 1 nominates Alice (the only validator) and has been paid one era of rewards."""
    rt = runtime(staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "era_payout": 1000 * UNIT})
    create_pool(rt, amount=100 * UNIT)
    rt.dispatch("Ferdie", "Lst", "nominate", {"pool_id": 1, "validators": ["Alice"]})
    rt.advance_eras(2)
    rt.dispatch("Bob", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})
    return rt


def test_claim_commission() -> None:
    rt = rewarded_pool()
    reward = lst(rt).reward_account(1)
    assert rt.free_balance(reward) == ED + 500 * UNIT  # half of the era's reward: the pool's exposure share
    fails(rt, "Lst.NoPendingCommission", "Eve", "claim_commission", {"pool_id": 1})  # no commission when it arrived
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (100_000_000, "Charlie")})
    rt.advance_eras(1)
    rt.dispatch("Bob", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 2})
    fails(rt, "Lst.DoesNotHavePermission", "Bob", "claim_commission", {"pool_id": 1})
    fails(rt, "Lst.PoolNotFound", "Eve", "claim_commission", {"pool_id": 9})
    before = rt.free_balance(CHARLIE)
    receipt = rt.dispatch("Eve", "Lst", "claim_commission", {"pool_id": 1})
    commission = receipt.event("PoolCommissionClaimed")["commission"]
    assert commission == 50 * UNIT  # 10% of the 500 TNT paid after the commission was set
    assert rt.free_balance(CHARLIE) == before + commission
    assert rt.query("Lst", "RewardPools", [1]).value["total_commission_claimed"] == commission
    fails(rt, "Lst.NoPendingCommission", "Eve", "claim_commission", {"pool_id": 1})


def test_claim_commission_permissions_and_no_current() -> None:
    rt = rewarded_pool()
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (100_000_000, "Charlie")})
    rt.advance_eras(1)
    rt.dispatch("Bob", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 2})
    fails(rt, "Lst.DoesNotHavePermission", "Dave", "set_commission_claim_permission", {"pool_id": 1, "permission": "Permissionless"})
    receipt = rt.dispatch("Eve", "Lst", "set_commission_claim_permission", {"pool_id": 1, "permission": {"Account": "Bob"}})
    assert receipt.event("PoolCommissionClaimPermissionUpdated")["permission"].name == "Account"
    fails(rt, "Lst.DoesNotHavePermission", "Dave", "claim_commission", {"pool_id": 1})
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": None})  # books pending, then removes the rate
    fails(rt, "Lst.NoCommissionCurrentSet", "Bob", "claim_commission", {"pool_id": 1})
    rt.dispatch("Eve", "Lst", "set_commission", {"pool_id": 1, "new_commission": (100_000_000, "Charlie")})
    rt.dispatch("Eve", "Lst", "set_commission_claim_permission", {"pool_id": 1, "permission": "Permissionless"})
    rt.dispatch("Dave", "Lst", "claim_commission", {"pool_id": 1})


def test_adjust_pool_deposit(rt: Runtime) -> None:
    reward = lst(rt).reward_account(1)
    fails(rt, "Lst.PoolNotFound", "Bob", "adjust_pool_deposit", {"pool_id": 2})
    before = rt.free_balance(rt.account("Bob"))
    receipt = rt.dispatch("Bob", "Lst", "adjust_pool_deposit", {"pool_id": 1})
    assert receipt.event("MinBalanceDeficitAdjusted")["amount"] == ED
    assert rt.free_balance(rt.account("Bob")) == before - ED
    assert rt.pallets["Balances"].reserved_balance(reward) == ED
    fails(rt, "Lst.NothingToAdjust", "Bob", "adjust_pool_deposit", {"pool_id": 1})
    join(rt, "Bob", UNIT)
