"""The vault reward formula (spec §3.5) against the chain's golden values, and its building blocks."""

from __future__ import annotations

import pytest

from runtime import DispatchError
from pallets.rewards.formula import PERBILL, decay_percent, from_rational, proportional_apy, reward_per_block, vault_reward

GOLDEN = [28_538_812_785_388_127_853_000, 28_538_812_785_388_127_853_000, 23_782_343_987_823_439_877_500, 19_025_875_190_258_751_902_000]
BASE = dict(total_deposit=10**26, total_score=2 * 10**26, user_amount=10**25, locks=[(10**25, 2, 2500)], apy=100_000_000,
            deposit_cap=10**27, incentive_cap=0, boost=True, issuance=10**29, apy_blocks=5_256_000)


def test_golden_multiple_claims() -> None:
    last, paid = 0, []
    for now in (1000, 2000, 3000, 4000):
        paid.append(vault_reward(**BASE, last_claim_block=last, now=now))
        last = now
    assert paid == GOLDEN
    assert sum(paid) == 99_885_844_748_858_447_485_500


def test_proportional_apy() -> None:
    ten = 100_000_000
    assert proportional_apy(0, 1000, ten) == 0
    assert proportional_apy(1000, 1000, ten) == ten
    assert proportional_apy(500, 1000, ten) == 50_000_000
    assert proportional_apy(5000, 1000, ten) == ten  # saturates at the cap
    assert proportional_apy(1, 10**7, PERBILL) == 100  # Perbill::from_parts(100)
    with pytest.raises(DispatchError) as exc:
        proportional_apy(1, 0, ten)
    assert exc.value.matches("Rewards.CannotCalculatePropotionalApy")


def test_reward_per_block_floors_and_needs_apy_blocks() -> None:
    assert reward_per_block(10, 3) == 3
    assert reward_per_block(0, 5) == 0
    assert reward_per_block(10**30, 1) == 10**30
    assert reward_per_block(10**30, 2**40) == 10**30 // (2**32 - 1)  # ApyBlocks saturates to u32
    with pytest.raises(DispatchError) as exc:
        reward_per_block(10, 0)
    assert exc.value.matches("Rewards.CannotCalculateRewardPerBlock")


def test_decay_is_a_cliff() -> None:
    assert decay_percent(100, 0, 100, 50_000_000) == 100
    assert decay_percent(101, 0, 100, 50_000_000) == 90
    assert decay_percent(101, 0, 100, 5) == 95
    assert from_rational(3, 0) == PERBILL and from_rational(5, 3) == PERBILL and from_rational(1, 3) == 333_333_333


def test_formula_errors_and_edge_cases() -> None:
    with pytest.raises(DispatchError) as exc:
        vault_reward(**{**BASE, "incentive_cap": 10**27}, last_claim_block=0, now=10)
    assert exc.value.matches("Rewards.TotalDepositLessThanIncentiveCap")
    with pytest.raises(DispatchError) as exc:
        vault_reward(**{**BASE, "user_amount": 0, "locks": []}, last_claim_block=0, now=10)
    assert exc.value.matches("Rewards.NoRewardsAvailable")
    assert vault_reward(**BASE, last_claim_block=None, now=1000) == 0  # no claim record: the clock starts now
    assert vault_reward(**BASE, last_claim_block=1000, now=1000) == 0  # same block


def test_intended_counts_locked_delegation_once_boosted() -> None:
    """Intended: a running TwoMonths lock weighs 2x (not 1 + 2x); after expiry only the base counts."""
    real = vault_reward(**BASE, last_claim_block=0, now=1000)
    intended = vault_reward(**BASE, last_claim_block=0, now=1000, locks_on_top=False)
    assert intended * 3 == pytest.approx(real * 2, rel=1e-9)
    after = vault_reward(**BASE, last_claim_block=3000, now=4000, locks_on_top=False)
    base_only = vault_reward(**{**BASE, "locks": []}, last_claim_block=3000, now=4000, locks_on_top=False)
    assert after == base_only
