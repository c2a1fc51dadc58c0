"""pallet_democracy (index 12): public and Council ("external") proposals, referenda with
conviction voting and delegation, fast-track and instant referenda, enactment via the Scheduler."""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.democracy.calls import Calls
from pallets.democracy.constants import DemocracyConstants
from pallets.democracy.errors import Error
from pallets.democracy.events import Event
from pallets.democracy.hooks import Hooks, task_name
from pallets.democracy.storage import DemocracyStorage
from pallets.democracy.voting import VotingLogic


class Democracy(Calls, VotingLogic, Hooks, Pallet):
    name = "Democracy"
    index = 12
    Storage = DemocracyStorage
    Error = Error
    Event = Event
    Constants = DemocracyConstants

    def __init__(self, ctx: Any, constants: Any = None, *, currency: Any = None, scheduler: Any = None, preimages: Any = None) -> None:
        super().__init__(ctx, constants)
        self.currency = currency  # LockableCurrency + ReservableCurrency (Balances)
        self.scheduler = scheduler  # ScheduleNamed (the Scheduler)
        self.preimages = preimages  # QueryPreimage (the Preimage pallet)


__all__ = ["Democracy", "DemocracyConstants", "task_name"]
