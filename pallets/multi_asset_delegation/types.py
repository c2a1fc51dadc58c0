"""MultiAssetDelegation's stored types, with the real type and field names.

``DelegatorMetadata.deposits`` is a ``BTreeMap<Asset, Deposit>`` on chain; here it is a tuple of
``(asset, deposit)`` pairs kept sorted by asset (the map's iteration order), so it stays immutable.
Helpers on the structs return new values; nothing is mutated in place.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from runtime.codec import ScaleEnum, struct
from runtime.primitives import U32, U64, U128, AccountId, Bool

from pallets.primitives.assets import NATIVE as _NATIVE, Asset
from pallets.primitives.delegation import DelegatorBlueprintSelection, LockMultiplier


class OperatorStatus(ScaleEnum):
    Active: None
    Inactive: None
    Leaving: U32


@struct
class OperatorBondLessRequest:
    amount: U128
    request_time: U32


@struct
class DelegatorBond:
    """The operator-side record of a delegation: one per (delegator, asset)."""

    delegator: AccountId
    amount: U128
    asset: Asset


@struct
class OperatorMetadata:
    stake: U128
    delegation_count: U32
    request: OperatorBondLessRequest | None
    delegations: tuple[DelegatorBond, ...]
    status: OperatorStatus
    blueprint_ids: tuple[U32, ...]

    def bond_index(self, delegator: str, asset: Asset) -> int | None:
        for i, b in enumerate(self.delegations):
            if b.delegator == delegator and b.asset == asset:
                return i
        return None

    def with_bonds(self, delegations: tuple[DelegatorBond, ...], delegation_count: int) -> "OperatorMetadata":
        """A copy with new bond entries (direct construction: this is on the hot path of every delegation)."""
        return OperatorMetadata(self.stake, delegation_count, self.request, delegations, self.status, self.blueprint_ids)


@struct
class OperatorSnapshot:
    stake: U128
    delegations: tuple[DelegatorBond, ...]


class DelegatorStatus(ScaleEnum):
    Active: None
    LeavingScheduled: U32


@struct
class WithdrawRequest:
    asset: Asset
    amount: U128
    requested_round: U32


@struct
class BondLessRequest:
    operator: AccountId
    asset: Asset
    amount: U128
    requested_round: U32
    blueprint_selection: DelegatorBlueprintSelection
    is_nomination: Bool


@struct
class BondInfoDelegator:
    operator: AccountId
    amount: U128
    asset: Asset
    blueprint_selection: DelegatorBlueprintSelection
    is_nomination: Bool

    def with_amount(self, amount: int) -> "BondInfoDelegator":
        return BondInfoDelegator(self.operator, amount, self.asset, self.blueprint_selection, self.is_nomination)


@struct
class LockInfo:
    amount: U128
    lock_multiplier: LockMultiplier
    expiry_block: U64


@struct
class Deposit:
    amount: U128
    delegated_amount: U128
    locks: tuple[LockInfo, ...] | None

    def locked_at(self, now: int) -> int:
        """Sum of locks still running at block ``now`` (expired locks stay in the list but free nothing)."""
        return sum(lk.amount for lk in self.locks or () if lk.expiry_block > now)

    def slashed(self, amount: int) -> "Deposit":
        """The deposit after a delegation of it lost ``amount`` to a slash (intended: the deposit
        and its delegated part shrink with it, never below zero)."""
        return Deposit(max(self.amount - amount, 0), max(self.delegated_amount - amount, 0), self.locks)


@struct
class DelegatorMetadata:
    deposits: tuple[tuple[Asset, Deposit], ...]
    withdraw_requests: tuple[WithdrawRequest, ...]
    delegations: tuple[BondInfoDelegator, ...]
    delegator_unstake_requests: tuple[BondLessRequest, ...]
    status: DelegatorStatus

    def deposit(self, asset: Asset) -> Deposit | None:
        for a, d in self.deposits:
            if a == asset:
                return d
        return None

    def with_deposit(self, asset: Asset, deposit: Deposit | None) -> "DelegatorMetadata":
        """A copy with ``asset``'s deposit replaced (or removed when ``deposit`` is None), sorted by asset."""
        deposits = self.deposits
        for i, (a, _) in enumerate(deposits):
            if a == asset:
                new = deposits[:i] + ((asset, deposit),) + deposits[i + 1 :] if deposit is not None else deposits[:i] + deposits[i + 1 :]
                break
        else:
            if deposit is None:
                return self
            new = tuple(sorted(deposits + ((asset, deposit),), key=lambda pair: pair[0]))
        return DelegatorMetadata(new, self.withdraw_requests, self.delegations, self.delegator_unstake_requests, self.status)

    def with_delegations(self, delegations: tuple[BondInfoDelegator, ...]) -> "DelegatorMetadata":
        return DelegatorMetadata(self.deposits, self.withdraw_requests, delegations, self.delegator_unstake_requests, self.status)

    def with_unstake_requests(self, requests: tuple[BondLessRequest, ...]) -> "DelegatorMetadata":
        return DelegatorMetadata(self.deposits, self.withdraw_requests, self.delegations, requests, self.status)

    def delegation_index(self, operator: str, asset: Asset, is_nomination: bool) -> int | None:
        for i, d in enumerate(self.delegations):
            if d.operator == operator and d.asset == asset and d.is_nomination == is_nomination:
                return i
        return None

    def nomination_index(self, operator: str) -> int | None:
        for i, d in enumerate(self.delegations):
            if d.operator == operator and d.is_nomination:
                return i
        return None

    def total_nominations(self) -> int:
        return sum(d.amount for d in self.delegations if d.is_nomination)


# Direct builders of the structs a slash rebuilds for every delegator of the operator. A frozen
# dataclass's generated ``__init__`` sets each field through ``object.__setattr__``; writing the slots
# through their descriptors is faster, and fastest (about 0.4x the ``__init__``, 0.7x the
# descriptors) is a plain twin class with the same slots, whose ``__init__`` stores them with the
# interpreter's specialised slot stores, the instance then given the struct's class (the layouts are
# the same: CPython allows the ``__class__`` assignment, checked below at import). They build the
# same instances (eq, hash, repr and the codec read the slots); they check no arity or types.


class _BondInfoTwin:
    __slots__ = ("operator", "amount", "asset", "blueprint_selection", "is_nomination")

    def __init__(self, operator: str, amount: int, asset: Any, blueprint_selection: Any, is_nomination: bool) -> None:
        self.operator = operator
        self.amount = amount
        self.asset = asset
        self.blueprint_selection = blueprint_selection
        self.is_nomination = is_nomination


class _DepositTwin:
    __slots__ = ("amount", "delegated_amount", "locks")

    def __init__(self, amount: int, delegated_amount: int, locks: Any) -> None:
        self.amount = amount
        self.delegated_amount = delegated_amount
        self.locks = locks


class _DelegatorTwin:
    __slots__ = ("deposits", "withdraw_requests", "delegations", "delegator_unstake_requests", "status")

    def __init__(self, deposits: tuple, withdraw_requests: tuple, delegations: tuple, delegator_unstake_requests: tuple, status: Any) -> None:
        self.deposits = deposits
        self.withdraw_requests = withdraw_requests
        self.delegations = delegations
        self.delegator_unstake_requests = delegator_unstake_requests
        self.status = status


class _BondTwin:
    __slots__ = ("delegator", "amount", "asset")

    def __init__(self, delegator: str, amount: int, asset: Any) -> None:
        self.delegator = delegator
        self.amount = amount
        self.asset = asset


def _check_twin(cls: type, twin: type) -> None:
    """The twin has the struct's fields as its slots, in order (so positional arguments mean the same)."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    if twin.__slots__ != names or tuple(getattr(cls, "__slots__", ())) != names:
        raise TypeError(f"{twin.__name__} does not mirror {cls.__name__}'s slots {names}")


for _cls, _twin in ((BondInfoDelegator, _BondInfoTwin), (Deposit, _DepositTwin), (DelegatorMetadata, _DelegatorTwin), (DelegatorBond, _BondTwin)):
    _check_twin(_cls, _twin)


def make_bond_info(operator: str, amount: int, asset: Asset, blueprint_selection: DelegatorBlueprintSelection, is_nomination: bool) -> BondInfoDelegator:
    o: Any = _BondInfoTwin(operator, amount, asset, blueprint_selection, is_nomination)
    o.__class__ = BondInfoDelegator
    return o  # type: ignore[no-any-return]


def make_deposit(amount: int, delegated_amount: int, locks: Any) -> Deposit:
    o: Any = _DepositTwin(amount, delegated_amount, locks)
    o.__class__ = Deposit
    return o  # type: ignore[no-any-return]


def make_delegator(deposits: tuple, withdraw_requests: tuple, delegations: tuple, delegator_unstake_requests: tuple, status: DelegatorStatus) -> DelegatorMetadata:
    o: Any = _DelegatorTwin(deposits, withdraw_requests, delegations, delegator_unstake_requests, status)
    o.__class__ = DelegatorMetadata
    return o  # type: ignore[no-any-return]


def make_bond(delegator: str, amount: int, asset: Asset) -> DelegatorBond:
    o: Any = _BondTwin(delegator, amount, asset)
    o.__class__ = DelegatorBond
    return o  # type: ignore[no-any-return]


def one_native_delegation(operator: str, left: int, selection: Any, amount: int, delegated: int, locks: Any,
                          withdraw_requests: tuple, unstake_requests: tuple, status: Any) -> DelegatorMetadata:
    """The record of a delegator with one TNT delegation (``left`` to ``operator``, none if ``left``
    is 0) and one TNT deposit, built in one call: what a slash rebuilds for each delegator of the
    operator in the common case. The assets are the ``NATIVE`` singleton (equal to ``Custom(0)``
    wherever it came from)."""
    dep: Any = _DepositTwin(amount, delegated, locks)
    dep.__class__ = Deposit
    if left:
        bond: Any = _BondInfoTwin(operator, left, _NATIVE, selection, False)
        bond.__class__ = BondInfoDelegator
        kept: tuple = (bond,)
    else:
        kept = ()
    meta: Any = _DelegatorTwin(((_NATIVE, dep),), withdraw_requests, kept, unstake_requests, status)
    meta.__class__ = DelegatorMetadata
    return meta  # type: ignore[no-any-return]


EMPTY_DELEGATOR = DelegatorMetadata((), (), (), (), DelegatorStatus.Active)


def new_operator(stake: int) -> OperatorMetadata:
    return OperatorMetadata(stake, 0, None, (), OperatorStatus.Active, ())
