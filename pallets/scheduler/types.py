from runtime.codec import ScaleEnum, struct
from runtime.primitives import H256, U8, U32, U64, Bytes, FixedBytes

from pallets.primitives.dispatch import OriginCaller

TaskName = FixedBytes(32)
TaskAddress = tuple[U64, U32]  # (block, index in that block's agenda)
Period = tuple[U64, U32]  # (period, remaining count)


@struct
class LegacyHash:
    hash: H256


@struct
class Lookup:
    hash: H256
    len: U32


class Bounded(ScaleEnum):
    """``frame_support::traits::preimages::Bounded<RuntimeCall>``: the call's bytes inline (≤ 128),
    or the hash and length of a preimage."""

    Legacy: LegacyHash
    Inline: Bytes
    Lookup: Lookup


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
