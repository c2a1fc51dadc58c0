"""pallet_collective, Instance1 (index 13): the Council. Members propose motions, vote, and close
them; an approved motion dispatches with ``Members(yes, seats)``, which the threshold origins in
:mod:`runtime.origin` check (Services' and Rewards' council-gated calls take more than half)."""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.collective.calls import Calls
from pallets.collective.constants import CollectiveConstants
from pallets.collective.errors import Error
from pallets.collective.events import Event
from pallets.collective.storage import CouncilStorage


class Council(Calls, Pallet):
    name = "Council"
    index = 13
    Storage = CouncilStorage
    Error = Error
    Event = Event
    Constants = CollectiveConstants

    def __init__(self, ctx: Any, constants: Any = None) -> None:
        super().__init__(ctx, constants)


__all__ = ["Council", "CollectiveConstants"]
