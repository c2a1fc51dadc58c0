from __future__ import annotations

from runtime.primitives import U128, AccountId
from runtime.storage import PalletStorage, StorageMap, StorageValue

from pallets.balances.types import BalanceLock, FreezeAmount, HoldAmount, ReserveData


class BalancesStorage(PalletStorage, prefix="Balances"):
    """Account balances live in System.Account on Tangle (AccountStore = System)."""

    TotalIssuance = StorageValue(U128, default=0)
    InactiveIssuance = StorageValue(U128, default=0)
    Locks = StorageMap(AccountId, tuple[BalanceLock, ...], default=())
    Reserves = StorageMap(AccountId, tuple[ReserveData, ...], default=())
    Holds = StorageMap(AccountId, tuple[HoldAmount, ...], default=())
    Freezes = StorageMap(AccountId, tuple[FreezeAmount, ...], default=())
