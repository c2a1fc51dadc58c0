from __future__ import annotations

import hashlib

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import Bytes

from pallets.system.events import Event


class Calls:
    """frame_system's dispatchables that make sense without a real node (remarks)."""

    @call(0)
    def remark(self, origin: Origin, remark: Bytes) -> None:
        """Make some on-chain remark (no effect)."""
        ensure_signed(origin)

    @call(7)
    def remark_with_event(self, origin: Origin, remark: Bytes) -> None:
        who = ensure_signed(origin)
        self.deposit_event(Event.Remarked(who, hashlib.blake2b(remark, digest_size=32).digest()))
