from __future__ import annotations

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U128, FixedBytes, Text


@struct
class BalanceLock:
    id: FixedBytes(8)  # type: ignore[valid-type]
    amount: U128
    reasons: Text = "All"


@struct
class ReserveData:
    id: FixedBytes(8)  # type: ignore[valid-type]
    amount: U128


@struct
class IdAmount:
    id: Text
    amount: U128


class AdjustmentDirection(ScaleEnum):
    Increase: None
    Decrease: None
