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

from pallets.primitives.assets import Asset
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


def _builder(cls: type) -> Callable[..., Any]:
    """A positional constructor of the frozen, slotted struct ``cls`` that writes the slots directly.
    A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__`` (about
    twice the cost), and a slash rebuilds four records per delegator of the operator. It builds the
    same instance (eq, hash, repr and the codec read the slots); it does not check arity beyond the
    function's own (fixed) signature."""
    setters = [getattr(cls, f.name).__set__ for f in dataclasses.fields(cls)]
    new = object.__new__
    if len(setters) == 3:
        s0, s1, s2 = setters

        def make3(a: Any, b: Any, c: Any) -> Any:
            o = new(cls)
            s0(o, a)
            s1(o, b)
            s2(o, c)
            return o

        return make3
    if len(setters) == 5:
        t0, t1, t2, t3, t4 = setters

        def make5(a: Any, b: Any, c: Any, d: Any, e: Any) -> Any:
            o = new(cls)
            t0(o, a)
            t1(o, b)
            t2(o, c)
            t3(o, d)
            t4(o, e)
            return o

        return make5
    raise TypeError(f"no direct builder for {cls.__name__} ({len(setters)} fields)")


#: direct builders (see ``_builder``), used by the slash's per-delegator path
make_deposit: Callable[[int, int, Any], Deposit] = _builder(Deposit)
make_bond_info: Callable[[str, int, Asset, DelegatorBlueprintSelection, bool], BondInfoDelegator] = _builder(BondInfoDelegator)
make_delegator: Callable[[tuple, tuple, tuple, tuple, DelegatorStatus], DelegatorMetadata] = _builder(DelegatorMetadata)
make_bond: Callable[[str, int, Asset], DelegatorBond] = _builder(DelegatorBond)


def _one_native_delegation_builder() -> Callable[..., "DelegatorMetadata"]:
    """``one_native_delegation``: the record of a delegator with one TNT delegation (``left`` to
    ``operator``, none if ``left`` is 0) and one TNT deposit, its structs built in one call with their
    slots written directly (see ``_builder``): what a slash rebuilds for each delegator of the operator
    in the common case, where three builder calls per delegator were a tenth of the slash. The
    assets are the ``NATIVE`` singleton (equal to ``Custom(0)`` wherever it came from)."""
    from pallets.primitives.assets import NATIVE

    new = object.__new__
    b = [getattr(BondInfoDelegator, f.name).__set__ for f in dataclasses.fields(BondInfoDelegator)]
    p = [getattr(Deposit, f.name).__set__ for f in dataclasses.fields(Deposit)]
    m = [getattr(DelegatorMetadata, f.name).__set__ for f in dataclasses.fields(DelegatorMetadata)]
    b0, b1, b2, b3, b4 = b
    p0, p1, p2 = p
    m0, m1, m2, m3, m4 = m

    def one_native_delegation(operator: str, left: int, selection: Any, amount: int, delegated: int, locks: Any, withdraw_requests: tuple, unstake_requests: tuple, status: Any) -> DelegatorMetadata:
        dep = new(Deposit)
        p0(dep, amount)
        p1(dep, delegated)
        p2(dep, locks)
        meta = new(DelegatorMetadata)
        m0(meta, ((NATIVE, dep),))
        m1(meta, withdraw_requests)
        if left:
            bond = new(BondInfoDelegator)
            b0(bond, operator)
            b1(bond, left)
            b2(bond, NATIVE)
            b3(bond, selection)
            b4(bond, False)
            m2(meta, (bond,))
        else:
            m2(meta, ())
        m3(meta, unstake_requests)
        m4(meta, status)
        return meta

    return one_native_delegation


one_native_delegation = _one_native_delegation_builder()


EMPTY_DELEGATOR = DelegatorMetadata((), (), (), (), DelegatorStatus.Active)


def new_operator(stake: int) -> OperatorMetadata:
    return OperatorMetadata(stake, 0, None, (), OperatorStatus.Active, ())
