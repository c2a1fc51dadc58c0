from __future__ import annotations

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U8, U32, U128, AccountId, Bool, Bytes


class AssetStatus(ScaleEnum):
    Live: None
    Frozen: None
    Destroying: None


class AccountStatus(ScaleEnum):
    Liquid: None
    Frozen: None
    Blocked: None


class ExistenceReason(ScaleEnum):
    Consumer: None
    Sufficient: None
    DepositHeld: U128
    DepositRefunded: None
    DepositFrom: tuple[AccountId, U128]


@struct
class AssetDetails:
    owner: AccountId
    issuer: AccountId
    admin: AccountId
    freezer: AccountId
    supply: U128
    deposit: U128
    min_balance: U128
    is_sufficient: Bool
    accounts: U32
    sufficients: U32
    approvals: U32
    status: AssetStatus


@struct
class AssetAccount:
    balance: U128
    status: AccountStatus
    reason: ExistenceReason
    extra: tuple[()] = ()


@struct
class Approval:
    amount: U128
    deposit: U128


@struct
class AssetMetadata:
    deposit: U128
    name: Bytes
    symbol: Bytes
    decimals: U8
    is_frozen: Bool


EMPTY_METADATA = AssetMetadata(0, b"", b"", 0, False)
