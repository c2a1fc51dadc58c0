"""Rewards constants: testnet values, plus two simulator-only parameters of the per-era rewards
extension (``service_rewards``), which the real runtime does not have."""

from __future__ import annotations

from dataclasses import dataclass

UNIT = 10**18


@dataclass(frozen=True)
class RewardsConstants:
    PalletId: bytes = b"py/tnrew"
    MaxApy: int = 200_000_000  # Perbill 20%: not enforced anywhere (as on chain)
    MaxDepositCap: int = UNIT * 10**12
    MaxIncentiveCap: int = UNIT * 10**12
    MinDepositCap: int = 0
    MinIncentiveCap: int = 0
    MaxVaultNameLength: int = 64
    MaxVaultLogoLength: int = 256
    MaxPendingRewardsPerOperator: int = 100
    # ---- simulator extension (service_rewards): TNT minted per era for operators and delegators
    EraRewardBudget: int = 100 * UNIT
    OperatorCommission: int = 100_000_000  # Perbill: 10% of each operator's era reward before the split
