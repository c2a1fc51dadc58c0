"""Rewards storage: the 13 real items plus the extension items of per-era rewards and of the
intended (boost-consistent) vault score."""

from __future__ import annotations

from runtime.primitives import U32, U64, U128, AccountId, Perbill
from runtime.storage import PalletStorage, StorageDoubleMap, StorageMap, StorageValue

from pallets.primitives.assets import Asset
from pallets.rewards.types import RewardConfigForAssetVault, VaultMetadata


class RewardsStorage(PalletStorage, prefix="Rewards"):
    TotalRewardVaultScore = StorageMap(U32, U128, default=0)
    TotalRewardVaultDeposit = StorageMap(U32, U128, default=0)
    UserServiceReward = StorageDoubleMap(AccountId, Asset, U128, default=0)
    UserClaimedReward = StorageDoubleMap(AccountId, U32, tuple[U64, U128])
    RewardVaults = StorageMap(U32, tuple[Asset, ...])
    AssetLookupRewardVaults = StorageMap(Asset, U32)
    RewardConfigStorage = StorageMap(U32, RewardConfigForAssetVault)
    RewardVaultsPotAccount = StorageMap(U32, AccountId)
    ApyBlocks = StorageValue(U64, default=0)
    DecayStartPeriod = StorageValue(U64, default=0)
    DecayRate = StorageValue(Perbill, default=0)
    VaultMetadataStore = StorageMap(U32, VaultMetadata)
    PendingOperatorRewards = StorageMap(AccountId, tuple[tuple[U64, U128], ...], default=())
    # ---- simulator extensions
    # (delegated amount, boosted score) each user added to a vault: intended record_undelegate removes
    # the same boosted share it added (real subtracts the plain amount)
    UserVaultScore = StorageDoubleMap(AccountId, U32, tuple[U128, U128], extension=True)
    # per-era rewards credited but not yet claimed (service_rewards extension)
    PendingEraRewards = StorageMap(AccountId, U128, extension=True)
    # QoS counters per operator for the current era: (succeeded, failed, heartbeats) (qos_rewards extension, qos.py)
    EraQosPoints = StorageMap(AccountId, tuple[U64, U64, U64], extension=True)
    # operators a blueprint manager has reported QoS for (qos_rewards extension, qos.py)
    QosTracked = StorageMap(AccountId, tuple[()], extension=True)
