from __future__ import annotations

from runtime.primitives import U32, U128, AccountId, Bytes, Perbill
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.lst.types import BondedPoolInner, ClaimPermission, PoolMember, RewardPool, SubPools


class LstStorage(PalletStorage, prefix="Lst"):
    """The real items. Counted maps keep their ``CounterFor*`` values explicitly."""

    TotalValueLocked = StorageValue(U128, default=0)
    MinJoinBond = StorageValue(U128, default=0)
    MinCreateBond = StorageValue(U128, default=0)
    MaxPools = StorageValue(U32)
    GlobalMaxCommission = StorageValue(Perbill)
    BondedPools = StorageMap(U32, BondedPoolInner)
    CounterForBondedPools = StorageValue(U32, default=0)
    RewardPools = StorageMap(U32, RewardPool)
    CounterForRewardPools = StorageValue(U32, default=0)
    SubPoolsStorage = StorageMap(U32, SubPools)
    CounterForSubPoolsStorage = StorageValue(U32, default=0)
    Metadata = StorageMap(U32, Bytes, default=b"")
    CounterForMetadata = StorageValue(U32, default=0)
    LastPoolId = StorageValue(U32, default=0)
    UnbondingMembers = StorageMap(AccountId, PoolMember)
    CounterForUnbondingMembers = StorageValue(U32, default=0)
    ReversePoolIdLookup = StorageMap(AccountId, U32)
    CounterForReversePoolIdLookup = StorageValue(U32, default=0)
    ClaimPermissions = StorageMap(AccountId, ClaimPermission, default=ClaimPermission.Permissioned)
