"""Rewards vault administration: create, update, assets, decay, ApyBlocks, metadata; origins and errors."""

from __future__ import annotations

import pytest

from runtime.accounts import pallet_account
from rewards_helpers import CONFIG, TNT, USDC, fails, make_rt, rewards


@pytest.fixture
def rt():  # type: ignore[no-untyped-def]
    return make_rt()


def test_create_reward_vault_stores_config_and_pot(rt) -> None:  # type: ignore[no-untyped-def]
    receipt = rewards(rt, "root", "create_reward_vault", vault_id=3, new_config=CONFIG)
    ev = receipt.event("RewardVaultCreated")
    expected_pot = pallet_account(b"py/tnrew", b"\x00" + (3).to_bytes(4, "little"))
    assert ev["vault_id"] == 3 and ev["pot_account"] == expected_pot
    s = rt.pallets["Rewards"].storage
    assert s.RewardVaultsPotAccount.get(3) == expected_pot
    assert s.RewardConfigStorage.get(3).apy == CONFIG["apy"]
    assert rt.query("Rewards", "RewardConfigStorage", [3]).value == CONFIG
    fails(rt, "Rewards.VaultAlreadyExists", "root", "Rewards", "create_reward_vault", vault_id=3, new_config=CONFIG)
    fails(rt, "BadOrigin", "Alice", "Rewards", "create_reward_vault", vault_id=4, new_config=CONFIG)
    fails(rt, "BadOrigin", "council", "Rewards", "create_reward_vault", vault_id=4, new_config=CONFIG)


@pytest.mark.parametrize("change,error", [
    ({"incentive_cap": 11, "deposit_cap": 10}, "IncentiveCapGreaterThanDepositCap"),
    ({"incentive_cap": 10**31, "deposit_cap": 10**32}, "IncentiveCapGreaterThanMaxIncentiveCap"),
    ({"deposit_cap": 10**31}, "DepositCapGreaterThanMaxDepositCap"),
    ({"boost_multiplier": 2}, "BoostMultiplierMustBeOne"),
])
def test_config_validation(rt, change: dict, error: str) -> None:  # type: ignore[no-untyped-def]
    fails(rt, f"Rewards.{error}", "root", "Rewards", "create_reward_vault", vault_id=1, new_config={**CONFIG, **change})
    rewards(rt, "root", "create_reward_vault", vault_id=1, new_config=CONFIG)
    fails(rt, f"Rewards.{error}", "root", "Rewards", "update_vault_reward_config", vault_id=1, new_config={**CONFIG, **change})


def test_config_minimums() -> None:
    rt = make_rt(constants={"Rewards": {"MinIncentiveCap": 5, "MinDepositCap": 100}})
    fails(rt, "Rewards.IncentiveCapLessThanMinIncentiveCap", "root", "Rewards", "create_reward_vault", vault_id=1, new_config={**CONFIG, "incentive_cap": 4})
    fails(rt, "Rewards.DepositCapLessThanMinDepositCap", "root", "Rewards", "create_reward_vault", vault_id=1, new_config={**CONFIG, "incentive_cap": 5, "deposit_cap": 99})


def test_pot_already_exists(rt) -> None:  # type: ignore[no-untyped-def]
    rt.db.begin()
    rt.pallets["Rewards"].storage.RewardVaultsPotAccount.insert(9, rt.account("Bob"))  # a pot left without a config
    rt.db.commit()
    fails(rt, "Rewards.PotAlreadyExists", "root", "Rewards", "create_reward_vault", vault_id=9, new_config=CONFIG)


def test_update_vault_reward_config(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "Rewards.VaultNotFound", "root", "Rewards", "update_vault_reward_config", vault_id=1, new_config=CONFIG)
    fails(rt, "BadOrigin", "Alice", "Rewards", "update_vault_reward_config", vault_id=1, new_config=CONFIG)
    rewards(rt, "root", "create_reward_vault", vault_id=1, new_config=CONFIG)
    receipt = rewards(rt, "root", "update_vault_reward_config", vault_id=1, new_config={**CONFIG, "apy": 5})
    assert receipt.event("VaultRewardConfigUpdated")["new_config"].apy == 5


def test_manage_asset_reward_vault(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "BadOrigin", "Alice", "Rewards", "manage_asset_reward_vault", vault_id=1, asset=TNT, action="Add")
    fails(rt, "Rewards.VaultNotFound", "root", "Rewards", "manage_asset_reward_vault", vault_id=1, asset=TNT, action="Remove")
    receipt = rewards(rt, "root", "manage_asset_reward_vault", vault_id=1, asset=TNT, action="Add")  # no config needed
    assert receipt.event("AssetUpdatedInVault")["action"].name == "Add"
    fails(rt, "Rewards.AssetAlreadyInVault", "root", "Rewards", "manage_asset_reward_vault", vault_id=2, asset=TNT, action="Add")
    fails(rt, "Rewards.AssetNotInVault", "root", "Rewards", "manage_asset_reward_vault", vault_id=1, asset=USDC, action="Remove")
    rewards(rt, "root", "manage_asset_reward_vault", vault_id=1, asset=USDC, action="Add")
    s = rt.pallets["Rewards"].storage
    assert [a.value for a in s.RewardVaults.get(1)] == [0, 7]
    rewards(rt, "root", "manage_asset_reward_vault", vault_id=1, asset=TNT, action="Remove")
    assert [a.value for a in s.RewardVaults.get(1)] == [7]
    assert not s.AssetLookupRewardVaults.contains(s.RewardVaults.get(1)[0].Custom(0))


def test_decay_and_apy_blocks(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "Rewards.InvalidDecayRate", "root", "Rewards", "update_decay_config", start_period=10, rate=100_000_001)
    fails(rt, "BadOrigin", "Alice", "Rewards", "update_decay_config", start_period=10, rate=1)
    receipt = rewards(rt, "root", "update_decay_config", start_period=10, rate=100_000_000)
    assert receipt.event("DecayConfigUpdated")["rate"] == 100_000_000
    s = rt.pallets["Rewards"].storage
    assert (s.DecayStartPeriod.value(), s.DecayRate.value()) == (10, 100_000_000)
    fails(rt, "BadOrigin", "Alice", "Rewards", "update_apy_blocks", blocks=5)
    assert rewards(rt, "root", "update_apy_blocks", blocks=5_256_000).event("ApyBlocksUpdated")["blocks"] == 5_256_000
    assert s.ApyBlocks.value() == 5_256_000


def test_vault_metadata(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "Rewards.NameTooLong", "root", "Rewards", "set_vault_metadata", vault_id=1, name="n" * 65, logo="l")
    fails(rt, "Rewards.LogoTooLong", "root", "Rewards", "set_vault_metadata", vault_id=1, name="n", logo="l" * 257)
    fails(rt, "BadOrigin", "Alice", "Rewards", "set_vault_metadata", vault_id=1, name="n", logo="l")
    receipt = rewards(rt, "council", "set_vault_metadata", vault_id=1, name="Restaked TNT", logo="https://x/logo.png")
    assert receipt.event("VaultMetadataSet")["name"] == b"Restaked TNT"
    rewards(rt, "root", "set_vault_metadata", vault_id=1, name="n" * 64, logo="l" * 256)  # bounds are inclusive
    assert rt.pallets["Rewards"].storage.VaultMetadataStore.get(1).name == b"n" * 64
    fails(rt, "BadOrigin", "Alice", "Rewards", "remove_vault_metadata", vault_id=1)
    assert rewards(rt, "council", "remove_vault_metadata", vault_id=1).event("VaultMetadataRemoved")["vault_id"] == 1
    fails(rt, "Rewards.VaultMetadataNotFound", "root", "Rewards", "remove_vault_metadata", vault_id=1)
