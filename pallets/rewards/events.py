"""Rewards events (14 real ones, with their indices) plus the per-era rewards extension's events."""

from runtime.events import EventSet
from runtime.primitives import U32, U64, U128, AccountId, Bytes, Perbill

from pallets.primitives.assets import Asset
from pallets.primitives.delegation import LockMultiplier
from pallets.rewards.types import AssetAction, RewardConfigForAssetVault


class Event(EventSet, pallet="Rewards"):
    RewardsClaimed = (0, {"account": AccountId, "asset": Asset, "amount": U128})
    IncentiveAPYAndCapSet = (1, {"vault_id": U32, "apy": Perbill, "cap": U128})
    BlueprintWhitelisted = (2, {"blueprint_id": U64})
    AssetUpdatedInVault = (3, {"vault_id": U32, "asset": Asset, "action": AssetAction})
    VaultRewardConfigUpdated = (4, {"vault_id": U32, "new_config": RewardConfigForAssetVault})
    RewardVaultCreated = (5, {"vault_id": U32, "new_config": RewardConfigForAssetVault, "pot_account": AccountId})
    TotalScoreUpdated = (6, {"vault_id": U32, "asset": Asset, "total_score": U128, "lock_multiplier": LockMultiplier | None})
    TotalDepositUpdated = (7, {"vault_id": U32, "asset": Asset, "total_deposit": U128})
    DecayConfigUpdated = (8, {"start_period": U64, "rate": Perbill})
    ApyBlocksUpdated = (9, {"blocks": U64})
    VaultMetadataSet = (10, {"vault_id": U32, "name": Bytes, "logo": Bytes})
    VaultMetadataRemoved = (11, {"vault_id": U32})
    RewardRecorded = (12, {"operator": AccountId, "service_id": U64, "amount": U128})
    OperatorRewardsClaimed = (13, {"operator": AccountId, "amount": U128})
    # ---- simulator extension (service_rewards); not in the real metadata
    __extensions__ = frozenset({"EraRewardsDistributed", "EraRewardsClaimed"})  # simulator-only (per-era rewards)
    EraRewardsDistributed = {"era": U32, "operator": AccountId, "total": U128, "commission": U128, "to_delegators": U128}
    EraRewardsClaimed = {"account": AccountId, "amount": U128}
