"""``UnappliedSlash``: a slash proposed by a service's slashing origin, waiting out its window."""

from __future__ import annotations

from runtime.codec import struct
from runtime.primitives import U32, U64, AccountId, Percent


@struct
class UnappliedSlash:
    era: U32
    blueprint_id: U64
    service_id: U64
    operator: AccountId
    slash_percent: Percent
