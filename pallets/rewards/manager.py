"""The rewards pallet as MAD's ``RewardsManager`` and the services pallet's ``RewardRecorder``.

These hooks never raise: on chain MAD ignores their result, and an asset outside every vault is
simply not tracked.
"""

from __future__ import annotations

from typing import Any

from pallets.primitives.assets import Asset
from pallets.rewards.events import Event


class RewardsManagerImpl:
    def record_delegate(self, who: str, operator: str, asset: Asset, amount: int, lock_multiplier: Any | None) -> None:
        """Vault totals rise by the amount and by ``amount × multiplier`` (score); the first delegation
        into a vault starts the user's reward clock (``UserClaimedReward = (now, 0)``)."""
        s = self.storage
        vault_id = s.AssetLookupRewardVaults.get(asset)
        if vault_id is None:
            return
        deposit = s.TotalRewardVaultDeposit.get(vault_id) + amount
        s.TotalRewardVaultDeposit.insert(vault_id, deposit)
        self.deposit_event(Event.TotalDepositUpdated(vault_id, asset, deposit))
        score = amount * (lock_multiplier.multiplier if lock_multiplier is not None else 1)
        total_score = s.TotalRewardVaultScore.get(vault_id) + score
        s.TotalRewardVaultScore.insert(vault_id, total_score)
        self.deposit_event(Event.TotalScoreUpdated(vault_id, asset, total_score, lock_multiplier))
        if not s.UserClaimedReward.contains((who, vault_id)):
            s.UserClaimedReward.insert((who, vault_id), (self.block_number, 0))
        if not self.ctx.quirk("rewards.undelegate_score_unboosted"):
            d, sc = s.UserVaultScore.get((who, vault_id)) or (0, 0)
            s.UserVaultScore.insert((who, vault_id), (d + amount, sc + score))

    def tracks_undelegations(self) -> bool:
        """Whether ``record_undelegate`` can change anything: not while no asset is in a reward
        vault (its first check). A slash asks once for its hundred delegators instead of calling
        the hook for each (nothing in a slash creates a vault)."""
        return len(self.storage.AssetLookupRewardVaults) > 0

    def record_undelegate(self, who: str, operator: str, asset: Asset, amount: int) -> None:
        """Real: the score falls by the plain amount (it drifts up for boosted delegations). Intended:
        by the boosted share this amount added. With no vault at all nothing is looked up (a slash
        calls this once per delegator, and hashing the asset was most of the call)."""
        s = self.storage
        vaults = s.AssetLookupRewardVaults
        if not len(vaults):
            return
        vault_id = vaults.get(asset)
        if vault_id is None:
            return
        deposit = max(s.TotalRewardVaultDeposit.get(vault_id) - amount, 0)
        s.TotalRewardVaultDeposit.insert(vault_id, deposit)
        self.deposit_event(Event.TotalDepositUpdated(vault_id, asset, deposit))
        removed = amount
        if not self.ctx.quirk("rewards.undelegate_score_unboosted"):
            entry = s.UserVaultScore.get((who, vault_id))
            if entry is not None:
                d, sc = entry
                removed = sc if amount >= d else sc * amount // d
                if amount >= d:
                    s.UserVaultScore.remove((who, vault_id))
                else:
                    s.UserVaultScore.insert((who, vault_id), (d - amount, sc - removed))
        s.TotalRewardVaultScore.insert(vault_id, max(s.TotalRewardVaultScore.get(vault_id) - removed, 0))

    def get_asset_deposit_cap_remaining(self, asset: Asset) -> int | None:
        """``deposit_cap − TotalRewardVaultScore`` (saturating); None if the asset is in no vault or its
        vault has no config (MAD then skips the cap check)."""
        s = self.storage
        vault_id = s.AssetLookupRewardVaults.get(asset)
        if vault_id is None:
            return None
        config = s.RewardConfigStorage.get(vault_id)
        if config is None:
            return None
        return max(config.deposit_cap - s.TotalRewardVaultScore.get(vault_id), 0)

    def record_reward(self, account: str, service_id: int, amount: int, pricing_model: Any) -> None:
        """Push ``(service_id, amount)`` onto ``PendingOperatorRewards[account]``; beyond
        ``MaxPendingRewardsPerOperator`` entries the reward is dropped silently (as on chain)."""
        if amount == 0:
            return
        pending = self.storage.PendingOperatorRewards.get(account)
        if len(pending) >= self.consts.MaxPendingRewardsPerOperator:
            return
        self.storage.PendingOperatorRewards.insert(account, pending + ((service_id, amount),))
        self.deposit_event(Event.RewardRecorded(account, service_id, amount))

    def record_service_reward(self, who: str, asset: Asset, amount: int) -> None:
        """``UserServiceReward[(who, asset)] += amount`` (exists on chain; nothing calls it)."""
        self.storage.UserServiceReward.insert((who, asset), self.storage.UserServiceReward.get((who, asset)) + amount)
