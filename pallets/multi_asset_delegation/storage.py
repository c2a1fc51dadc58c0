"""MultiAssetDelegation storage: the four real items."""

from __future__ import annotations

from runtime.primitives import U32, AccountId, Bool
from runtime.storage import PalletStorage, StorageDoubleMap, StorageMap, StorageValue

from pallets.multi_asset_delegation.types import DelegatorMetadata, OperatorMetadata, OperatorSnapshot


class MultiAssetDelegationStorage(PalletStorage, prefix="MultiAssetDelegation"):
    Operators = StorageMap(AccountId, OperatorMetadata)
    CurrentRound = StorageValue(U32, default=0)
    AtStake = StorageDoubleMap(U32, AccountId, OperatorSnapshot)
    Delegators = StorageMap(AccountId, DelegatorMetadata)

    # simulator-only: operators that were Inactive when they scheduled leaving (intended cancel restores it)
    OfflineBeforeLeave = StorageMap(AccountId, Bool, extension=True)
    # simulator-only: delegators that still delegated to an operator when it left (intended: adopted
    # again if it rejoins; only these delegators' records need reading then)
    DelegatorsAtLeave = StorageMap(AccountId, tuple[AccountId, ...], extension=True)
