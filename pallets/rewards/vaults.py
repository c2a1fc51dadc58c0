"""Reward vault administration (calls 3-9): vaults group assets under one reward config; the
ForceOrigin is root, the VaultMetadataOrigin root or more than half of the Council."""

from __future__ import annotations

from runtime.accounts import pallet_account
from runtime.origin import Origin, ensure_root, ensure_root_or_half_council
from runtime.pallet import call
from runtime.primitives import U32, U64, Bytes, Perbill

from pallets.primitives.assets import Asset
from pallets.rewards.errors import Error
from pallets.rewards.events import Event
from pallets.rewards.types import AssetAction, RewardConfigForAssetVault, VaultMetadata

MAX_DECAY_RATE = 100_000_000  # Perbill 10%


class VaultCalls:
    def vault_pot_account(self, vault_id: int) -> str:
        """``PalletId.into_sub_account_truncating((SubaccountType::RewardPot, vault_id))``."""
        return pallet_account(self.consts.PalletId, b"\x00" + vault_id.to_bytes(4, "little"))

    def validate_reward_config(self, config: RewardConfigForAssetVault) -> None:
        c = self.consts
        if config.incentive_cap > config.deposit_cap:
            raise Error.IncentiveCapGreaterThanDepositCap()
        if config.incentive_cap > c.MaxIncentiveCap:
            raise Error.IncentiveCapGreaterThanMaxIncentiveCap()
        if config.deposit_cap > c.MaxDepositCap:
            raise Error.DepositCapGreaterThanMaxDepositCap()
        if config.incentive_cap < c.MinIncentiveCap:
            raise Error.IncentiveCapLessThanMinIncentiveCap()
        if config.deposit_cap < c.MinDepositCap:
            raise Error.DepositCapLessThanMinDepositCap()
        if config.boost_multiplier is not None and config.boost_multiplier != 1:
            raise Error.BoostMultiplierMustBeOne()

    @call(3)
    def manage_asset_reward_vault(self, origin: Origin, vault_id: U32, asset: Asset, action: AssetAction) -> None:
        ensure_root(origin)
        s = self.storage
        if action == AssetAction.Add:
            if s.AssetLookupRewardVaults.contains(asset):
                raise Error.AssetAlreadyInVault()
            assets = s.RewardVaults.get(vault_id) or ()
            if asset in assets:
                raise Error.AssetAlreadyInVault()
            s.RewardVaults.insert(vault_id, assets + (asset,))
            s.AssetLookupRewardVaults.insert(asset, vault_id)
        else:
            assets = s.RewardVaults.get(vault_id)
            if assets is None:
                raise Error.VaultNotFound()
            if asset not in assets:
                raise Error.AssetNotInVault()
            s.RewardVaults.insert(vault_id, tuple(a for a in assets if a != asset))
            s.AssetLookupRewardVaults.remove(asset)
        self.deposit_event(Event.AssetUpdatedInVault(vault_id, asset, action))

    @call(4)
    def create_reward_vault(self, origin: Origin, vault_id: U32, new_config: RewardConfigForAssetVault) -> None:
        ensure_root(origin)
        s = self.storage
        if s.RewardConfigStorage.contains(vault_id):
            raise Error.VaultAlreadyExists()
        self.validate_reward_config(new_config)
        if s.RewardVaultsPotAccount.contains(vault_id):
            raise Error.PotAlreadyExists()
        pot = self.vault_pot_account(vault_id)
        s.RewardVaultsPotAccount.insert(vault_id, pot)
        s.RewardConfigStorage.insert(vault_id, new_config)
        self.deposit_event(Event.RewardVaultCreated(vault_id, new_config, pot))

    @call(5)
    def update_vault_reward_config(self, origin: Origin, vault_id: U32, new_config: RewardConfigForAssetVault) -> None:
        ensure_root(origin)
        self.validate_reward_config(new_config)
        if not self.storage.RewardConfigStorage.contains(vault_id):
            raise Error.VaultNotFound()
        self.storage.RewardConfigStorage.insert(vault_id, new_config)
        self.deposit_event(Event.VaultRewardConfigUpdated(vault_id, new_config))

    @call(6)
    def update_decay_config(self, origin: Origin, start_period: U64, rate: Perbill) -> None:
        ensure_root(origin)
        if rate > MAX_DECAY_RATE:
            raise Error.InvalidDecayRate()
        self.storage.DecayStartPeriod.put(start_period)
        self.storage.DecayRate.put(rate)
        self.deposit_event(Event.DecayConfigUpdated(start_period, rate))

    @call(7)
    def update_apy_blocks(self, origin: Origin, blocks: U64) -> None:
        ensure_root(origin)
        self.storage.ApyBlocks.put(blocks)
        self.deposit_event(Event.ApyBlocksUpdated(blocks))

    @call(8)
    def set_vault_metadata(self, origin: Origin, vault_id: U32, name: Bytes, logo: Bytes) -> None:
        ensure_root_or_half_council(origin)
        if len(name) > self.consts.MaxVaultNameLength:
            raise Error.NameTooLong()
        if len(logo) > self.consts.MaxVaultLogoLength:
            raise Error.LogoTooLong()
        self.storage.VaultMetadataStore.insert(vault_id, VaultMetadata(name, logo))
        self.deposit_event(Event.VaultMetadataSet(vault_id, name, logo))

    @call(9)
    def remove_vault_metadata(self, origin: Origin, vault_id: U32) -> None:
        ensure_root_or_half_council(origin)
        if self.storage.VaultMetadataStore.remove(vault_id) is None:
            raise Error.VaultMetadataNotFound()
        self.deposit_event(Event.VaultMetadataRemoved(vault_id))
