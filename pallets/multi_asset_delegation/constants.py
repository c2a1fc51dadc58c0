"""MultiAssetDelegation constants (testnet values from the metadata; delays are in rounds = sessions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MultiAssetDelegationConstants:
    """Testnet values (metadata: MultiAssetDelegation constants). ``MinOperatorBondAmount`` really is
    100 base units (1e-16 TNT) on testnet, not 100 TNT."""

    MaxDelegatorBlueprints: int = 50
    MaxOperatorBlueprints: int = 50
    MaxWithdrawRequests: int = 5
    MaxDelegations: int = 50
    MaxUnstakeRequests: int = 5
    MinOperatorBondAmount: int = 100
    MinDelegateAmount: int = 1
    LeaveOperatorsDelay: int = 10
    OperatorBondLessDelay: int = 5
    LeaveDelegatorsDelay: int = 10
    DelegationBondLessDelay: int = 5
    PalletId: bytes = b"PotStake"
