"""Shared helpers for the Rewards tests."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.genesis import UNIT

ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
TNT = {"Custom": 0}
USDC = {"Custom": 7}
CONFIG = {"apy": 100_000_000, "incentive_cap": 0, "deposit_cap": 10**30, "boost_multiplier": 1}


def make_rt(profile: str = "intended", **overrides: Any) -> Runtime:
    assets = [{"id": 7, "min_balance": 1, "balances": {n: 10**12 for n in ("Alice", "Bob", "Charlie", "Dave", "Eve")}}]
    base: dict[str, Any] = {"session_length": 10, "assets": assets, "profile": profile}
    base.update(overrides)
    return Runtime(GenesisConfig.dev(**base))


def rewards(rt: Runtime, signer: str, call: str, **params: Any):  # type: ignore[no-untyped-def]
    return rt.dispatch(signer, "Rewards", call, params)


def mad(rt: Runtime, who: str, call: str, **params: Any):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, "MultiAssetDelegation", call, params)


def fails(rt: Runtime, error: str, signer: str, pallet: str, call: str, **params: Any) -> DispatchError:
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(signer, pallet, call, params)
    assert exc.value.matches(error), f"expected {error}, got {exc.value.qualified_name}"
    assert rt.state_root() == root
    return exc.value


def vault(rt: Runtime, vault_id: int = 1, asset: dict = TNT, config: dict | None = None, apy_blocks: int = 5_256_000, fund: int = 10_000 * UNIT) -> str:
    """Create a vault holding ``asset``, set ApyBlocks and fund the pot; returns the pot account."""
    rewards(rt, "root", "create_reward_vault", vault_id=vault_id, new_config=config or CONFIG)
    rewards(rt, "root", "manage_asset_reward_vault", vault_id=vault_id, asset=asset, action="Add")
    if apy_blocks:
        rewards(rt, "root", "update_apy_blocks", blocks=apy_blocks)
    pot = rt.pallets["Rewards"].vault_pot_account(vault_id)
    if fund:
        rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": pot, "value": fund})
    return pot


def stake(rt: Runtime, delegator: str, operator: str, amount: int, asset: dict = TNT, lock: str | None = None) -> None:
    mad(rt, delegator, "deposit", asset=asset, amount=amount, evm_address=None, lock_multiplier=lock)
    mad(rt, delegator, "delegate", operator=rt.account(operator), asset=asset, amount=amount, blueprint_selection="All")


__all__ = ["UNIT"]
