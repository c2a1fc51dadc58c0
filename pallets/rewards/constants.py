"""Rewards constants: testnet values, plus two simulator-only parameters of the per-era rewards
extension (``service_rewards``), which the real runtime does not have."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.primitives import Perbill, U128, U32

UNIT = 10**18


@dataclass(frozen=True)
class RewardsConstants:
    PalletId: bytes = b"py/tnrew"
    MaxApy: Perbill = 200_000_000  # Perbill 20%: not enforced anywhere (as on chain)
    MaxDepositCap: U128 = UNIT * 10**12
    MaxIncentiveCap: U128 = UNIT * 10**12
    MinDepositCap: U128 = 0
    MinIncentiveCap: U128 = 0
    MaxVaultNameLength: U32 = 64
    MaxVaultLogoLength: U32 = 256
    MaxPendingRewardsPerOperator: U32 = 100
    # ---- simulator extension (service_rewards): TNT minted per era for operators and delegators
    EraRewardBudget: U128 = 100 * UNIT
    OperatorCommission: Perbill = 100_000_000  # Perbill: 10% of each operator's era reward before the split
