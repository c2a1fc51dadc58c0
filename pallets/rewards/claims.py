"""Claiming (calls 2 and 10): vault rewards are computed lazily at claim time from the vault pot;
operators' recorded service rewards are paid from the pallet account."""

from __future__ import annotations

from runtime.errors import DispatchError
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId

from pallets.primitives.assets import Asset
from pallets.rewards.errors import Error
from pallets.rewards.events import Event
from pallets.rewards.formula import vault_reward


class ClaimCalls:
    def calculate_rewards(self, who: str, asset: Asset) -> int:
        """What ``who`` would be paid for ``asset`` now (errors as ``calculate_rewards`` on chain)."""
        s = self.storage
        vault_id = s.AssetLookupRewardVaults.get(asset)
        if vault_id is None:
            raise Error.AssetNotInVault()
        info = self.delegation_manager.get_user_deposit_with_locks(who, asset) if self.delegation_manager is not None else None
        if info is None:
            raise Error.NoRewardsAvailable()
        config = s.RewardConfigStorage.get(vault_id)
        if config is None:
            raise Error.RewardConfigNotFound()
        last = s.UserClaimedReward.get((who, vault_id))
        real = self.ctx.quirk("rewards.score_uses_total_deposit")
        if real:
            user_amount = info.unlocked_amount
        else:
            getter = getattr(self.delegation_manager, "get_user_delegated_amount", None)
            user_amount = getter(who, asset) if getter is not None else info.unlocked_amount
        return vault_reward(
            total_deposit=s.TotalRewardVaultDeposit.get(vault_id),
            total_score=s.TotalRewardVaultScore.get(vault_id),
            user_amount=user_amount,
            locks=info.amount_with_locks,
            apy=config.apy,
            deposit_cap=config.deposit_cap,
            incentive_cap=config.incentive_cap,
            boost=config.boost_multiplier is not None,
            last_claim_block=None if last is None else last[0],
            now=self.block_number,
            issuance=self.currency.total_issuance(),
            apy_blocks=s.ApyBlocks.value(),
            decay_start=s.DecayStartPeriod.value(),
            decay_rate=s.DecayRate.value(),
            locks_on_top=real,
        )

    def calculate_and_payout_rewards(self, who: str, asset: Asset) -> int:
        s = self.storage
        vault_id = s.AssetLookupRewardVaults.get(asset)
        if vault_id is None:
            raise Error.AssetNotInVault()
        reward = self.calculate_rewards(who, asset)
        pot = s.RewardVaultsPotAccount.get(vault_id)
        if pot is None:
            raise Error.PotAccountNotFound()
        self.currency.transfer(pot, who, reward, keep_alive=False)
        last = s.UserClaimedReward.get((who, vault_id))
        s.UserClaimedReward.insert((who, vault_id), (self.block_number, (last[1] if last else 0) + reward))
        self.deposit_event(Event.RewardsClaimed(who, asset, reward))
        return reward

    @call(2)
    def claim_rewards_other(self, origin: Origin, who: AccountId, asset: Asset) -> None:
        """Claim ``who``'s vault rewards for ``asset`` (also how a delegator claims for itself)."""
        ensure_signed(origin)
        self.calculate_and_payout_rewards(who, asset)

    @call(10)
    def claim_rewards(self, origin: Origin) -> None:
        """Pay the caller's ``PendingOperatorRewards`` from the pallet account (KeepAlive)."""
        operator = ensure_signed(origin)
        pending = self.storage.PendingOperatorRewards.take(operator)
        if not pending:
            raise Error.NoRewardsToClaim()
        total = sum(amount for _, amount in pending)
        try:
            self.ctx.transactional(lambda: self.currency.transfer(self.pallet_account(), operator, total, keep_alive=True))
        except DispatchError:
            raise Error.TransferFailed() from None
        self.deposit_event(Event.OperatorRewardsClaimed(operator, total))
