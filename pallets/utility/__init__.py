"""pallet_utility (index 31): batches, derivative accounts, dispatch as another origin."""

from __future__ import annotations

from runtime.pallet import Pallet

from pallets.utility.calls import Calls
from pallets.utility.constants import UtilityConstants
from pallets.utility.errors import Error
from pallets.utility.events import Event


class Utility(Calls, Pallet):
    name = "Utility"
    index = 31
    Error = Error
    Event = Event
    Constants = UtilityConstants


__all__ = ["Utility", "UtilityConstants"]
