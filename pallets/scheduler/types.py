from runtime.codec import struct
from runtime.primitives import U8, U32, U64, FixedBytes

from pallets.primitives.bounded import Bounded, LegacyHash, Lookup  # noqa: F401 - re-exported
from pallets.primitives.dispatch import OriginCaller

TaskName = FixedBytes(32)
TaskAddress = tuple[U64, U32]  # (block, index in that block's agenda)
Period = tuple[U64, U32]  # (period, remaining count)


@struct
class Scheduled:
    maybe_id: TaskName | None  # type: ignore[valid-type]
    priority: U8
    call: Bounded
    maybe_periodic: Period | None
    origin: OriginCaller


@struct
class RetryConfig:
    total_retries: U8
    remaining: U8
    period: U64
