"""Actor ids and their accounts, roles, and the ids the chain assigned to them during setup.

An actor id maps to an account: a dev name (``Alice``...) is the dev account, anything else is
``derive_account("sim/<id>")`` (deterministic, no key derivation cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from runtime import Runtime
from runtime.accounts import DEV_NAMES, derive_account


class SetupError(RuntimeError):
    """A setup call failed: the scenario asks for something the chain refuses."""


def account_of(actor_id: str) -> str:
    """The account of an actor id (dev names are the dev accounts)."""
    for name in DEV_NAMES:
        if actor_id.lower() == name.lower():
            from runtime.accounts import DEV_ACCOUNTS

            return DEV_ACCOUNTS[name]
    return derive_account(f"sim/{actor_id}")


@lru_cache(maxsize=1)
def runtime_pallets() -> frozenset[str]:
    """The pallets this build of the runtime has (Services may not have landed in every checkout)."""
    return frozenset(Runtime.dev().pallets)


@dataclass
class Actors:
    """Actor ids, their accounts and roles, and the ids the chain assigned during setup."""

    accounts: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    asset_ids: dict[str, int] = field(default_factory=dict)  # symbol -> asset id (TNT -> 0)
    blueprint_ids: dict[str, int] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)  # {"id", "blueprint", "owner", "operators"}
    pool_ids: dict[str, int] = field(default_factory=dict)

    def add(self, actor_id: str, role: str) -> str:
        if actor_id not in self.accounts:
            self.accounts[actor_id] = account_of(actor_id)
            self.roles[actor_id] = role
        return self.accounts[actor_id]

    def account(self, actor_id: str) -> str:
        return self.accounts[actor_id]

    def actor_of(self, account: str) -> str | None:
        for actor, acc in self.accounts.items():
            if acc == account:
                return actor
        return None

    def asset(self, symbol: str) -> dict[str, int]:
        return {"Custom": self.asset_ids[symbol]}


