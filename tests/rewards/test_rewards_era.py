"""Per-era rewards (extension service_rewards): operators and their delegators in proportion to stake."""

from __future__ import annotations

import pytest

from rewards_helpers import BOB, CHARLIE, DAVE, EVE, UNIT, USDC, fails, mad, make_rt, rewards, stake

BUDGET = 100 * UNIT  # RewardsConstants.EraRewardBudget
COMMISSION = 10  # percent (OperatorCommission = 10%)


def setup(profile: str = "intended"):  # type: ignore[no-untyped-def]
    """Bob: 100 TNT self-stake, Dave delegates 100 TNT, Eve restakes 100 TNT natively, Ferdie 50 USDC
    (not TNT: no era share). Charlie: 300 TNT self-stake, no delegators. Weights 300 / 300."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    mad(rt, "Charlie", "join_operators", bond_amount=300 * UNIT)
    stake(rt, "Dave", "Bob", 100 * UNIT)
    rt.dispatch("Eve", "Staking", "bond", {"value": 200 * UNIT, "payee": "Staked"})
    mad(rt, "Eve", "delegate_nomination", operator=BOB, amount=100 * UNIT, blueprint_selection="All")
    rt.dispatch("Alice", "Assets", "transfer", {"id": 7, "target": "Ferdie", "amount": 100})
    stake(rt, "Ferdie", "Bob", 50, asset=USDC)
    return rt


def pending(rt, who: str) -> int:  # type: ignore[no-untyped-def]
    return rt.pallets["Rewards"].storage.PendingEraRewards.get(rt.account(who), 0)


def test_era_rewards_split_by_stake_with_commission() -> None:
    rt = setup()
    rt.advance_eras(1)
    events = rt.events_named("Rewards.EraRewardsDistributed")
    assert len(events) == 2
    by_op = {e["operator"]: e for e in events}
    bob, charlie = by_op[BOB], by_op[CHARLIE]
    assert bob["total"] == charlie["total"] == BUDGET // 2
    assert bob["commission"] == BUDGET // 2 * COMMISSION // 100
    # delegators share what is left after commission, by TNT stake: Dave 100/300, Eve 100/300
    share = (BUDGET // 2 - bob["commission"]) * 100 // 300
    assert pending(rt, "Dave") == pending(rt, "Eve") == share
    assert bob["to_delegators"] == 2 * share
    assert pending(rt, "Ferdie") == 0  # USDC stake earns through vaults, not era rewards
    # operators' commission (plus their own stake's share) and delegators' shares add up to what was issued
    assert pending(rt, "Bob") + pending(rt, "Dave") + pending(rt, "Eve") == bob["total"]
    assert pending(rt, "Charlie") == charlie["total"]


def test_claiming_mints_exactly_what_was_credited() -> None:
    rt = setup()
    rt.advance_eras(1)
    credited = sum(e["total"] for e in rt.events_named("Rewards.EraRewardsDistributed"))
    balances = rt.pallets["Balances"]
    # staking's own era payout also mints: measure only the claims
    before = balances.total_issuance()
    claimed = 0
    for who in ("Bob", "Charlie", "Dave", "Eve"):
        free = rt.free_balance(rt.account(who))
        receipt = rewards(rt, who, "claim_era_rewards")
        amount = receipt.event("EraRewardsClaimed")["amount"]
        assert receipt.event("Balances.Minted")["amount"] == amount
        assert rt.free_balance(rt.account(who)) == free + amount
        claimed += amount
    assert claimed == credited
    assert balances.total_issuance() == before + credited
    fails(rt, "Rewards.NoRewardsToClaim", "Dave", "Rewards", "claim_era_rewards")
    fails(rt, "Rewards.NoRewardsToClaim", "Ferdie", "Rewards", "claim_era_rewards")


def test_offline_operators_earn_nothing() -> None:
    rt = setup()
    mad(rt, "Charlie", "go_offline")
    rt.advance_eras(1)
    assert [e["operator"] for e in rt.events_named("Rewards.EraRewardsDistributed")] == [BOB]
    assert pending(rt, "Charlie") == 0
    assert pending(rt, "Bob") + pending(rt, "Dave") + pending(rt, "Eve") == BUDGET


def test_rewards_accumulate_over_eras() -> None:
    rt = setup()
    rt.advance_eras(1)
    first = pending(rt, "Dave")
    rt.advance_eras(2)
    assert pending(rt, "Dave") == 3 * first


def test_real_profile_has_no_era_rewards() -> None:
    rt = setup("real")
    rt.advance_eras(1)
    assert rt.events_named("Rewards.EraRewardsDistributed") == []
    assert pending(rt, "Dave") == 0
    # the extension call is filtered like the other extension calls, not answered with a pallet error
    # (NoRewardsToClaim read as if the call existed on chain)
    fails(rt, "System.CallFiltered", "Dave", "Rewards", "claim_era_rewards")


def test_budget_is_configurable() -> None:
    rt = make_rt(constants={"Rewards": {"EraRewardBudget": 0}})
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    rt.advance_eras(1)
    assert rt.events_named("Rewards.EraRewardsDistributed") == []


def test_no_operators_no_rewards() -> None:
    rt = make_rt()
    rt.advance_eras(1)
    assert rt.events_named("Rewards.EraRewardsDistributed") == []
    assert rt.pallets["Rewards"].compute_era_rewards() == ({}, [])


@pytest.mark.parametrize("dave,eve", [(1, 10**18), (7, 13), (10**20, 3)])
def test_rounding_dust_goes_to_the_operator(dave: int, eve: int) -> None:
    rt = make_rt()
    mad(rt, "Bob", "join_operators", bond_amount=10**18 + 1)
    stake(rt, "Dave", "Bob", 10**10 + dave)
    stake(rt, "Eve", "Bob", 10**10 + eve)
    credits, summary = rt.pallets["Rewards"].compute_era_rewards()
    ((op, total, commission, to_delegators),) = summary
    assert total == BUDGET and sum(credits.values()) == total
    assert credits[BOB] == total - to_delegators >= commission
    assert credits[DAVE] + credits[EVE] == to_delegators


def test_a_share_rounding_to_zero_makes_no_entry_and_the_era_credits_what_compute_predicts() -> None:
    """The era split credits in bulk (one journal entry per operator's delegators, folded into the
    root as it writes): a delegator whose share rounds down to zero gets no PendingEraRewards entry,
    the others get exactly what ``compute_era_rewards`` predicted, and the root stays exact."""
    rt = make_rt()
    mad(rt, "Bob", "join_operators", bond_amount=1_000 * UNIT)
    stake(rt, "Eve", "Bob", 500 * UNIT)
    for _ in range(2):
        credits, _summary = rt.pallets["Rewards"].compute_era_rewards()
        before = dict(rt.pallets["Rewards"].storage.PendingEraRewards._d)
        rt.advance_eras(1)
        after = dict(rt.pallets["Rewards"].storage.PendingEraRewards._d)
        assert {k: after[k] - before.get(k, 0) for k in after} == credits
        assert rt.db.state_root() == rt.db.state_root_from_scratch()
    tiny = rt.pallets["Rewards"].storage.PendingEraRewards
    mad_storage = rt.pallets["MultiAssetDelegation"].storage
    # a 1-base-unit bond, written as a migration would (below the minimum a call accepts): its share is 0
    from pallets.multi_asset_delegation.types import DelegatorBond
    from pallets.primitives.assets import NATIVE
    import dataclasses

    op = mad_storage.Operators.get(BOB)
    mad_storage.Operators.insert(BOB, dataclasses.replace(op, delegations=op.delegations + (DelegatorBond(DAVE, 1, NATIVE),), delegation_count=op.delegation_count + 1))
    credits, _summary = rt.pallets["Rewards"].compute_era_rewards()
    assert DAVE not in credits and credits[EVE] > 0
    rt.advance_eras(1)
    assert not tiny.contains(DAVE)
    assert rt.db.state_root() == rt.db.state_root_from_scratch()
