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


class PreimageHoldReason(ScaleEnum):
    Preimage: None


class RuntimeHoldReason(ScaleEnum):
    """The testnet's composite hold reason (only pallet_preimage holds funds this way on chain)."""

    __indices__ = {"Preimage": 26}
    Preimage: PreimageHoldReason


class PoolFreezeReason(ScaleEnum):
    PoolMinBalance: None


class RuntimeFreezeReason(ScaleEnum):
    """The testnet's composite freeze reason (nomination pools and Lst keep pool minimums frozen)."""

    __indices__ = {"NominationPools": 24, "Lst": 52}
    NominationPools: PoolFreezeReason
    Lst: PoolFreezeReason


PREIMAGE_HOLD = RuntimeHoldReason.Preimage(PreimageHoldReason.Preimage)
LST_POOL_FREEZE = RuntimeFreezeReason.Lst(PoolFreezeReason.PoolMinBalance)


@struct(name="IdAmount")
class HoldAmount:
    id: RuntimeHoldReason
    amount: U128


@struct(name="IdAmount")
class FreezeAmount:
    id: RuntimeFreezeReason
    amount: U128


class AdjustmentDirection(ScaleEnum):
    Increase: None
    Decrease: None
