"""Shared helpers for the Lst tests (mock-like setup: pool 1 created by Alice with 10 TNT)."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import UNIT, DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS

ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
ED = 10**10


def runtime(profile: str = "intended", **overrides: Any) -> Runtime:
    """10-block sessions (30-block eras), Alice the genesis validator."""
    return Runtime(GenesisConfig.dev(session_length=10, profile=profile, **overrides))


def lst(rt: Runtime) -> Any:
    return rt.pallets["Lst"]


def create_pool(rt: Runtime, depositor: str = "Dave", amount: int = 10 * UNIT, name: str | None = "tgTNT", roles: tuple[str, str, str] = ("Eve", "Ferdie", "Charlie")) -> int:
    """Create a pool (root Eve, nominator Ferdie, bouncer Charlie by default); returns its id."""
    receipt = rt.dispatch(depositor, "Lst", "create", {"amount": amount, "root": roles[0], "nominator": roles[1], "bouncer": roles[2], "name": name, "icon": None})
    return receipt.event("Lst.Created")["pool_id"]


def tokens(rt: Runtime, pool_id: int, who: str) -> int:
    return rt.pallets["Assets"].fungibles.balance(pool_id, rt.account(who))


def supply(rt: Runtime, pool_id: int) -> int:
    return rt.pallets["Assets"].fungibles.total_issuance(pool_id)


def active(rt: Runtime, pool_id: int) -> int:
    return lst(rt).active_balance(pool_id)


def fails(rt: Runtime, error: str, origin: Any, call: str, params: dict | None = None, pallet: str = "Lst") -> None:
    """The call fails with ``error`` (by name) and changes nothing."""
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, pallet, call, params or {})
    assert exc.value.matches(error), exc.value.qualified_name
    assert rt.state_root() == root


def join(rt: Runtime, who: str, amount: int, pool_id: int = 1) -> None:
    rt.dispatch(who, "Lst", "join", {"amount": amount, "pool_id": pool_id})


def unbond(rt: Runtime, who: str, points: int, pool_id: int = 1, member: str | None = None) -> Any:
    return rt.dispatch(who, "Lst", "unbond", {"member_account": member or who, "pool_id": pool_id, "unbonding_points": points})


def withdraw(rt: Runtime, who: str, pool_id: int = 1, member: str | None = None) -> Any:
    return rt.dispatch(who, "Lst", "withdraw_unbonded", {"member_account": member or who, "pool_id": pool_id, "num_slashing_spans": 0})


def until_era(rt: Runtime, era: int) -> None:
    """Advance until the *current* (planned) era is ``era`` (what LST compares with)."""
    s = rt.pallets["Staking"]
    while s.current_era() < era:
        rt.advance_sessions(1)


def issuance(rt: Runtime) -> int:
    return rt.pallets["Balances"].total_issuance()


__all__ = ["UNIT", "ED"]
