"""Rewards claims: vault rewards through MAD delegations (claim_rewards_other), operators' recorded
rewards (claim_rewards), the RewardsManager hooks, the deposit cap, and the real-vs-intended scores."""

from __future__ import annotations


import pytest

from pallets.primitives.assets import NATIVE
from pallets.multi_asset_delegation.types import Deposit, DelegatorMetadata, DelegatorStatus, LockInfo
from pallets.primitives.delegation import LockMultiplier
from rewards_helpers import BOB, CHARLIE, CONFIG, DAVE, TNT, UNIT, fails, mad, make_rt, rewards, stake, vault
from runtime.accounts import pallet_account

GOLDEN = [28_538_812_785_388_127_853_000, 28_538_812_785_388_127_853_000, 23_782_343_987_823_439_877_500, 19_025_875_190_258_751_902_000]


@pytest.fixture
def rt():  # type: ignore[no-untyped-def]
    rt = make_rt()
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    return rt


def test_golden_values_through_the_pallet() -> None:
    """The chain's reward_calc test state (issuance 1e29, D = 1e26, S = 2e26, a 1e25 deposit with a
    TwoMonths lock expiring at block 2500, claims every 1,000 blocks) pays exactly the golden values."""
    rt = make_rt("real")
    pot = vault(rt, config={"apy": 100_000_000, "incentive_cap": 0, "deposit_cap": 10**27, "boost_multiplier": 1}, fund=0)
    r, m = rt.pallets["Rewards"], rt.pallets["MultiAssetDelegation"]
    rt.db.begin()
    r.storage.TotalRewardVaultDeposit.insert(1, 10**26)
    r.storage.TotalRewardVaultScore.insert(1, 2 * 10**26)
    r.storage.UserClaimedReward.insert((CHARLIE, 1), (0, 0))
    lock = LockInfo(10**25, LockMultiplier.TwoMonths, 2500)
    m.storage.Delegators.insert(CHARLIE, DelegatorMetadata(((NATIVE, Deposit(10**25, 0, (lock,))),), (), (), (), DelegatorStatus.Active))
    rt.pallets["Balances"].mint_into(pot, 10**27)
    rt.db.commit()
    paid = []
    for block in (1000, 2000, 3000, 4000):
        rt.run_to_block(block)
        rt.db.begin()
        rt.pallets["Balances"].storage.TotalIssuance.put(10**29)  # the chain test's (mocked) total issuance
        rt.db.commit()
        paid.append(rewards(rt, "Dave", "claim_rewards_other", who=CHARLIE, asset=TNT).event("RewardsClaimed")["amount"])
    assert paid == GOLDEN
    assert r.storage.UserClaimedReward.get((CHARLIE, 1)) == (4000, sum(GOLDEN))


def test_delegation_starts_the_clock_and_claims_pay_from_the_pot(rt) -> None:  # type: ignore[no-untyped-def]
    pot = vault(rt, config={**CONFIG, "deposit_cap": 1_000 * UNIT})
    stake(rt, "Charlie", "Bob", 100 * UNIT)
    assert rt.pallets["Rewards"].storage.UserClaimedReward.get((CHARLIE, 1)) == (rt.block_number, 0)
    rt.advance_blocks(100)
    pot_before, free_before = rt.free_balance(pot), rt.free_balance(CHARLIE)
    amount = rewards(rt, "Dave", "claim_rewards_other", who=CHARLIE, asset=TNT).event("RewardsClaimed")["amount"]
    assert amount > 0
    assert rt.free_balance(pot) == pot_before - amount and rt.free_balance(CHARLIE) == free_before + amount
    # a second claim in the same block pays 0 (and still succeeds)
    assert rewards(rt, "Charlie", "claim_rewards_other", who=CHARLIE, asset=TNT).event("RewardsClaimed")["amount"] == 0
    # 100 blocks of 10% x (100 / 1,000 of the cap) APY on the issuance; Charlie holds the vault's whole score
    issuance = rt.pallets["Balances"].total_issuance()
    per_block = (10**8 * 10**8 // 10**9) * issuance // 10**9 // 5_256_000
    assert amount == per_block * 100


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_deposit_without_delegation(profile: str) -> None:
    """Real: a deposit never delegated has no claim record, so its first claim pays 0 and starts the
    clock; from then on the deposit earns. Intended: only delegated amounts earn (NoRewardsAvailable)."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    vault(rt, config={**CONFIG, "deposit_cap": 1_000 * UNIT})
    stake(rt, "Dave", "Bob", 10 * UNIT)  # someone makes the vault score non-zero
    mad(rt, "Charlie", "deposit", asset=TNT, amount=10 * UNIT, evm_address=None, lock_multiplier=None)
    rt.advance_blocks(50)
    if profile == "intended":
        fails(rt, "Rewards.NoRewardsAvailable", "Charlie", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
        return
    receipt = rewards(rt, "Charlie", "claim_rewards_other", who=CHARLIE, asset=TNT)
    assert receipt.event("RewardsClaimed")["amount"] == 0
    assert rt.pallets["Rewards"].storage.UserClaimedReward.get((CHARLIE, 1)) == (rt.block_number, 0)
    rt.advance_blocks(50)
    assert rewards(rt, "Charlie", "claim_rewards_other", who=CHARLIE, asset=TNT).event("RewardsClaimed")["amount"] > 0


def test_claim_rewards_other_errors(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "Rewards.AssetNotInVault", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    rewards(rt, "root", "manage_asset_reward_vault", vault_id=1, asset=TNT, action="Add")
    fails(rt, "Rewards.NoRewardsAvailable", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    stake(rt, "Charlie", "Bob", 10 * UNIT)
    fails(rt, "Rewards.RewardConfigNotFound", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    rewards(rt, "root", "create_reward_vault", vault_id=1, new_config={**CONFIG, "incentive_cap": 11 * UNIT})
    fails(rt, "Rewards.TotalDepositLessThanIncentiveCap", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    rewards(rt, "root", "update_vault_reward_config", vault_id=1, new_config={**CONFIG, "deposit_cap": 0, "incentive_cap": 0})
    fails(rt, "Rewards.CannotCalculatePropotionalApy", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    rewards(rt, "root", "update_vault_reward_config", vault_id=1, new_config={**CONFIG, "deposit_cap": 100 * UNIT})
    fails(rt, "Rewards.CannotCalculateRewardPerBlock", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    rewards(rt, "root", "update_apy_blocks", blocks=5_256_000)
    rt.advance_blocks(10)
    fails(rt, "Token.FundsUnavailable", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)  # empty pot
    rt.db.begin()
    rt.pallets["Rewards"].storage.RewardVaultsPotAccount.remove(1)
    rt.db.commit()
    fails(rt, "Rewards.PotAccountNotFound", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)
    fails(rt, "BadOrigin", "root", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)


def test_zero_score_claim(rt) -> None:  # type: ignore[no-untyped-def]
    vault(rt)
    stake(rt, "Dave", "Bob", 10 * UNIT)
    mad(rt, "Charlie", "deposit", asset=TNT, amount=10 * UNIT, evm_address=None, lock_multiplier=None)
    mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=10 * UNIT)  # deposit record stays, amount 0
    fails(rt, "Rewards.NoRewardsAvailable", "Dave", "Rewards", "claim_rewards_other", who=CHARLIE, asset=TNT)


def test_record_delegate_and_undelegate_update_vault_totals(rt) -> None:  # type: ignore[no-untyped-def]
    vault(rt)
    mad(rt, "Charlie", "deposit", asset=TNT, amount=10 * UNIT, evm_address=None, lock_multiplier="TwoMonths")
    receipt = mad(rt, "Charlie", "delegate", operator=BOB, asset=TNT, amount=10 * UNIT, blueprint_selection="All")
    assert [e.spec.name for e in receipt.triggered_events if e.spec.pallet == "Rewards"] == ["TotalDepositUpdated", "TotalScoreUpdated"]
    score_ev = receipt.event("TotalScoreUpdated")
    assert score_ev["total_score"] == 20 * UNIT and score_ev["lock_multiplier"] == LockMultiplier.TwoMonths
    s = rt.pallets["Rewards"].storage
    assert (s.TotalRewardVaultDeposit.get(1), s.TotalRewardVaultScore.get(1)) == (10 * UNIT, 20 * UNIT)


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_undelegate_score(profile: str) -> None:
    """Real: the score falls by the plain amount, so boosted delegations leave score behind
    (rewards.undelegate_score_unboosted); intended removes the boost it added."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    vault(rt)
    stake(rt, "Charlie", "Bob", 10 * UNIT, lock="ThreeMonths")
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=4 * UNIT)
    rt.advance_sessions(5)
    mad(rt, "Charlie", "execute_delegator_unstake")
    s = rt.pallets["Rewards"].storage
    assert s.TotalRewardVaultDeposit.get(1) == 6 * UNIT
    assert s.TotalRewardVaultScore.get(1) == (26 * UNIT if profile == "real" else 18 * UNIT)


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_user_score_base(profile: str) -> None:
    """Real: the whole deposit earns (rewards.score_uses_total_deposit); intended: only what is delegated."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    vault(rt)
    stake(rt, "Dave", "Bob", 100 * UNIT)
    mad(rt, "Charlie", "deposit", asset=TNT, amount=100 * UNIT, evm_address=None, lock_multiplier=None)
    mad(rt, "Charlie", "delegate", operator=BOB, asset=TNT, amount=50 * UNIT, blueprint_selection="All")
    rt.advance_blocks(100)
    dave = rewards(rt, "Ferdie", "claim_rewards_other", who=DAVE, asset=TNT).event("RewardsClaimed")["amount"]
    charlie = rewards(rt, "Ferdie", "claim_rewards_other", who=CHARLIE, asset=TNT).event("RewardsClaimed")["amount"]
    assert charlie == pytest.approx(dave if profile == "real" else dave / 2, rel=1e-6)


def test_deposit_cap_of_a_vault(rt) -> None:  # type: ignore[no-untyped-def]
    vault(rt, config={**CONFIG, "deposit_cap": 100 * UNIT})
    assert rt.pallets["Rewards"].get_asset_deposit_cap_remaining(NATIVE) == 100 * UNIT
    stake(rt, "Charlie", "Bob", 60 * UNIT)  # the score counts delegations, not deposits
    fails(rt, "MultiAssetDelegation.DepositExceedsCapForAsset", "Dave", "MultiAssetDelegation", "deposit", asset=TNT, amount=40 * UNIT + 1, evm_address=None, lock_multiplier=None)
    mad(rt, "Dave", "deposit", asset=TNT, amount=40 * UNIT, evm_address=None, lock_multiplier=None)
    assert rt.pallets["Rewards"].get_asset_deposit_cap_remaining(NATIVE) == 40 * UNIT  # deposits do not use the cap


def test_claim_rewards_for_recorded_service_payments(rt) -> None:  # type: ignore[no-untyped-def]
    r = rt.pallets["Rewards"]
    fails(rt, "Rewards.NoRewardsToClaim", "Bob", "Rewards", "claim_rewards")
    rt.db.begin()
    r.record_reward(BOB, 1, 3 * UNIT, None)
    r.record_reward(BOB, 2, 2 * UNIT, None)
    r.record_reward(BOB, 3, 0, None)  # zero rewards are not recorded
    rt.db.commit()
    assert r.storage.PendingOperatorRewards.get(BOB) == ((1, 3 * UNIT), (2, 2 * UNIT))
    fails(rt, "Rewards.TransferFailed", "Bob", "Rewards", "claim_rewards")  # the pallet account is empty
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": pallet_account(b"py/tnrew"), "value": 10 * UNIT})
    free = rt.free_balance(BOB)
    receipt = rewards(rt, "Bob", "claim_rewards")
    assert receipt.event("OperatorRewardsClaimed")["amount"] == 5 * UNIT
    assert rt.free_balance(BOB) == free + 5 * UNIT and r.storage.PendingOperatorRewards.get(BOB) == ()


def test_pending_operator_rewards_are_bounded() -> None:
    rt = make_rt(constants={"Rewards": {"MaxPendingRewardsPerOperator": 2}})
    r = rt.pallets["Rewards"]
    rt.db.begin()
    for service in range(4):
        r.record_reward(BOB, service, UNIT, None)
    rt.db.commit()
    assert [s for s, _ in r.storage.PendingOperatorRewards.get(BOB)] == [0, 1]  # the rest dropped silently
    assert len([e for e in rt.db.events if e.matches("RewardRecorded")]) == 2


def test_claim_that_fails_on_the_transfer_is_rolled_back(rt, rolls_back) -> None:  # type: ignore[no-untyped-def]
    """Rewards: claim_rewards clears the pending rewards, then the empty pallet account cannot pay."""
    r = rt.pallets["Rewards"]
    rt.db.begin()
    r.record_reward(BOB, 1, 3 * UNIT, None)
    rt.db.commit()
    rolls_back(rt, "Bob", "Rewards", "claim_rewards", {}, "Rewards.TransferFailed")
    assert r.storage.PendingOperatorRewards.get(BOB) == ((1, 3 * UNIT),)
