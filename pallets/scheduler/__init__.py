"""pallet_scheduler (index 25): calls dispatched at a block with a stored origin (named or anonymous,
periodic, retried); how passed referenda are enacted."""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.scheduler.agenda import AgendaLogic
from pallets.scheduler.calls import Calls
from pallets.scheduler.constants import SchedulerConstants
from pallets.scheduler.errors import Error
from pallets.scheduler.events import Event
from pallets.scheduler.hooks import Hooks
from pallets.scheduler.storage import SchedulerStorage


class Scheduler(Calls, Hooks, AgendaLogic, Pallet):
    name = "Scheduler"
    index = 25
    Storage = SchedulerStorage
    Error = Error
    Event = Event
    Constants = SchedulerConstants

    def __init__(self, ctx: Any, constants: Any = None, *, preimages: Any = None) -> None:
        super().__init__(ctx, constants)
        self.preimages = preimages  # QueryPreimage + StorePreimage (the Preimage pallet)


__all__ = ["Scheduler", "SchedulerConstants"]
