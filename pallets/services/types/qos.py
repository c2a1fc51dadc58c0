"""Heartbeat statistics per (blueprint, service, operator)."""

from __future__ import annotations

from runtime.codec import struct
from runtime.primitives import U32


@struct
class HeartbeatStats:
    """Block numbers narrowed to u32 (as on chain); ``expected - received`` = missed heartbeats."""

    expected_heartbeats: U32 = 0
    received_heartbeats: U32 = 0
    last_check_block: U32 = 0
    last_heartbeat_block: U32 = 0

    @property
    def missed(self) -> int:
        return max(self.expected_heartbeats - self.received_heartbeats, 0)


EMPTY_STATS = HeartbeatStats()
