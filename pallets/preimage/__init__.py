"""pallet_preimage (index 26): call bytes stored by hash, requested by the Scheduler and Democracy."""

from __future__ import annotations

from runtime.pallet import Pallet

from pallets.preimage.calls import MAX_SIZE, Calls
from pallets.preimage.errors import Error
from pallets.preimage.events import Event
from pallets.preimage.storage import PreimageStorage


class Preimage(Calls, Pallet):
    name = "Preimage"
    index = 26
    Storage = PreimageStorage
    Error = Error
    Event = Event


__all__ = ["MAX_SIZE", "Preimage"]
