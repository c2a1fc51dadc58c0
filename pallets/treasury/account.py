"""The Treasury's account: ``PalletId(*b"py/trsry").into_account_truncating()``."""

from __future__ import annotations

from functools import cache

from runtime.accounts import pallet_account

TREASURY_PALLET_ID = b"py/trsry"


@cache
def treasury_account() -> str:
    """Derived once: every era credits the reward remainder to it."""
    return pallet_account(TREASURY_PALLET_ID)
