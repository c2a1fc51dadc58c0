"""Job calls and results, and the job-level payment records."""

from __future__ import annotations

from runtime.codec import Bounded, ScaleEnum, struct
from runtime.primitives import U8, U32, U64, U128, H160, AccountId
from pallets.services.types.field import Field

MAX_FIELDS = 256


@struct
class JobCall:
    service_id: U64
    job: U8
    args: Bounded(Field, MAX_FIELDS)


@struct
class JobCallResult:
    service_id: U64
    call_id: U64
    result: Bounded(Field, MAX_FIELDS)


@struct
class JobSubscriptionBilling:
    """One subscriber's billing state for a ``Subscription`` job of a service."""

    service_id: U64
    job_index: U8
    subscriber: AccountId
    last_billed: U64
    end_block: U64 | None


class AssetU32(ScaleEnum):
    """``Asset<u32>``: the asset type of ``JobPayment`` (always ``Custom(0)`` in the dead payment code)."""

    Custom: U32
    Erc20: H160


@struct
class JobPayment:
    service_id: U64
    job_index: U8
    call_id: U64
    payer: AccountId
    asset: AssetU32
    amount: U128
