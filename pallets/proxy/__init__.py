"""pallet_proxy (index 44): accounts acting for others within a ``ProxyType``, pure proxies,
time-delayed announcements."""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.proxy.calls import Calls, pure_account
from pallets.proxy.constants import ProxyConstants
from pallets.proxy.errors import Error
from pallets.proxy.events import Event
from pallets.proxy.storage import ProxyStorage
from pallets.proxy.types import ProxyType


class Proxy(Calls, Pallet):
    name = "Proxy"
    index = 44
    Storage = ProxyStorage
    Error = Error
    Event = Event
    Constants = ProxyConstants

    def __init__(self, ctx: Any, constants: Any = None, *, currency: Any = None) -> None:
        super().__init__(ctx, constants)
        self.currency = currency  # ReservableCurrency (Balances)


__all__ = ["Proxy", "ProxyConstants", "ProxyType", "pure_account"]
