"""Shared helpers for the staking tests."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from runtime import UNIT, DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS

ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
ED = 10**10
TREASURY = "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"


def fast(**overrides: Any) -> Runtime:
    """A dev chain with 10-block sessions (30-block eras)."""
    return Runtime(GenesisConfig.dev(session_length=10, **overrides))


def staking(rt: Runtime) -> Any:
    return rt.pallets["Staking"]


def ledger(rt: Runtime, who: str) -> Any:
    return rt.pallets["Staking"].storage.Ledger.get(rt.account(who))


def issuance(rt: Runtime) -> int:
    return rt.pallets["Balances"].total_issuance()


def fails(rt: Runtime, error: str, origin: Any, pallet: str, call: str, params: dict | None = None) -> None:
    """The call fails with ``error`` (by name) and changes nothing."""
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, pallet, call, params or {})
    assert exc.value.matches(error), exc.value.qualified_name
    assert rt.state_root() == root


def bond(rt: Runtime, who: str, value: int, payee: Any = "Staked") -> None:
    rt.dispatch(who, "Staking", "bond", {"value": value, "payee": payee})


def make_validator(rt: Runtime, who: str, value: int, commission: int = 0, keys: bool = True) -> None:
    """Bond, set session keys (without them pallet_session leaves an elected validator out of the
    session's set) and validate, as a validator operator does."""
    bond(rt, who, value)
    if keys:
        import hashlib

        key = lambda kind: "0x" + hashlib.blake2b(f"{kind}/{who}".encode(), digest_size=32).hexdigest()  # noqa: E731
        rt.dispatch(who, "Session", "set_keys", {"keys": {k: key(k) for k in ("babe", "grandpa", "im_online")}, "proof": "0x"})
    rt.dispatch(who, "Staking", "validate", {"prefs": {"commission": commission, "blocked": False}})


def events(rt: Runtime, name: str, since_block: int = 0) -> list:
    return rt.events_named(name, since_block)


def locked(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].locked(b"staking ", rt.account(who))


__all__ = ["UNIT", "Callable"]
