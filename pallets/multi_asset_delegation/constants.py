"""MultiAssetDelegation constants (testnet values from the metadata; delays are in rounds = sessions)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.primitives import U128, U32


@dataclass(frozen=True)
class MultiAssetDelegationConstants:
    """Testnet values (metadata: MultiAssetDelegation constants). ``MinOperatorBondAmount`` really is
    100 base units (1e-16 TNT) on testnet, not 100 TNT."""

    MaxDelegatorBlueprints: U32 = 50
    MaxOperatorBlueprints: U32 = 50
    MaxWithdrawRequests: U32 = 5
    MaxDelegations: U32 = 50
    MaxUnstakeRequests: U32 = 5
    MinOperatorBondAmount: U128 = 100
    MinDelegateAmount: U128 = 1
    LeaveOperatorsDelay: U32 = 10
    OperatorBondLessDelay: U32 = 5
    LeaveDelegatorsDelay: U32 = 10
    DelegationBondLessDelay: U32 = 5
    PalletId: bytes = b"PotStake"
