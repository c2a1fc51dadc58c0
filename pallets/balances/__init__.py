"""pallet_balances: native TNT (18 decimals) with existential deposit, reserves, holds and locks."""

from __future__ import annotations

from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet

from pallets.balances.calls import Calls
from pallets.balances.constants import BalancesConstants
from pallets.balances.currency import CurrencyImpl
from pallets.balances.errors import Error
from pallets.balances.events import Event
from pallets.balances.storage import BalancesStorage
from pallets.system.types import EMPTY_ACCOUNT
from pallets.treasury import treasury_account


class Balances(Calls, CurrencyImpl, Pallet):
    name = "Balances"
    index = 6
    Storage = BalancesStorage
    Error = Error
    Event = Event
    Constants = BalancesConstants

    def __init__(self, ctx, constants=None, *, system=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.system = system  # the AccountStore (frame_system), wired by construct_runtime

    def treasury_account(self) -> str:
        return treasury_account()

    def build_genesis(self, config: GenesisConfig) -> None:
        total = 0
        for who, amount in config.balances.items():
            if amount < self.consts.ExistentialDeposit:
                raise ValueError(f"balances.{who}: genesis balance {amount} is below the existential deposit {self.consts.ExistentialDeposit}")
            old = self.system.storage.Account._d.get(who)
            base = old if old is not None else EMPTY_ACCOUNT
            self._write(who, old, base._replace(free=base.free + amount))
            total += amount
        self.storage.TotalIssuance.put(self.storage.TotalIssuance.value() + total)
