"""Shared helpers for the MultiAssetDelegation tests."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.genesis import UNIT

ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
MAD = "MultiAssetDelegation"
TNT = {"Custom": 0}
USDC_ID = 7
USDC = {"Custom": USDC_ID}
ED = 10**10


def make_rt(profile: str = "intended", **overrides: Any) -> Runtime:
    """A fast dev chain (10-block rounds) with a sufficient asset 7 (USDC) held by the dev accounts."""
    assets = [{"id": USDC_ID, "min_balance": 1, "name": "USD Coin", "symbol": "USDC", "decimals": 6,
               "balances": {n: 1_000_000 * 10**6 for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}}]
    base: dict[str, Any] = {"session_length": 10, "assets": assets, "profile": profile}
    base.update(overrides)
    return Runtime(GenesisConfig.dev(**base))


def mad(rt: Runtime, who: str, call: str, **params: Any):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, MAD, call, params)


def fails(rt: Runtime, error: str, who: str, call: str, **params: Any) -> DispatchError:
    """Dispatch, expect ``error`` by name, and check the failed call changed nothing."""
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(who, MAD, call, params)
    assert exc.value.matches(error), f"expected {error}, got {exc.value.qualified_name}"
    assert rt.state_root() == root
    return exc.value


def deposit(rt: Runtime, who: str, asset: dict, amount: int, lock: str | None = None):  # type: ignore[no-untyped-def]
    return mad(rt, who, "deposit", asset=asset, amount=amount, evm_address=None, lock_multiplier=lock)


def delegate(rt: Runtime, who: str, operator: str, asset: dict, amount: int, selection: Any = None):  # type: ignore[no-untyped-def]
    return mad(rt, who, "delegate", operator=operator, asset=asset, amount=amount, blueprint_selection=selection if selection is not None else {"Fixed": []})


def operator(rt: Runtime, who: str) -> Any:
    return rt.pallets[MAD].storage.Operators.get(rt.account(who))


def delegator(rt: Runtime, who: str) -> Any:
    return rt.pallets[MAD].storage.Delegators.get(rt.account(who))


def pot(rt: Runtime) -> str:
    return rt.pallets[MAD].pallet_account()


def reserved(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].reserved_balance(rt.account(who))


def asset_balance(rt: Runtime, who: str, asset_id: int = USDC_ID) -> int:
    return rt.pallets["Assets"].fungibles.balance(asset_id, rt.account(who))


def names(receipt: Any, pallet: str = MAD) -> list[str]:
    return [e.spec.name for e in receipt.triggered_events if e.spec.pallet == pallet]


__all__ = ["ALICE", "BOB", "CHARLIE", "DAVE", "EVE", "FERDIE", "MAD", "TNT", "USDC", "USDC_ID", "UNIT", "ED"]


def leaves_with_a_delegation(rt: Runtime, deposited: int, delegated: int) -> None:
    """Charlie delegates ``delegated`` (of ``deposited``) TNT to Bob, then Bob leaves the operator
    set; Charlie does not unstake, so his delegation still points at Bob."""
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", TNT, deposited)
    delegate(rt, "Charlie", "Bob", TNT, delegated)
    mad(rt, "Bob", "schedule_leave_operators")
    rt.advance_sessions(10)
    mad(rt, "Bob", "execute_leave_operators")
