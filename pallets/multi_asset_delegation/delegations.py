"""Delegating deposited assets to an operator, and the delegator unstake flow (calls 14-17).

A delegation is recorded twice: on the delegator (``BondInfoDelegator``, one per (operator, asset,
is_nomination)) and on the operator (``DelegatorBond``, one per (delegator, asset); a nomination and a
regular ``Custom(0)`` delegation share it). Unstaking is two-step: ``schedule_delegator_unstake``
records a request (the stake still counts), ``execute_delegator_unstake`` applies every request older
than ``DelegationBondLessDelay`` rounds; the tokens stay in the pallet until withdrawn.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from runtime.accounts import account_bytes
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId, Balance

from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.types import BondInfoDelegator, BondLessRequest, DelegatorBond, Deposit, DelegatorMetadata, DelegatorStatus, OperatorStatus
from pallets.primitives.assets import Asset
from pallets.primitives.delegation import DelegatorBlueprintSelection


MAX_BALANCE = (1 << 128) - 1
# Bond lists at least this long are looked up through a position index instead of a scan.
INDEXED_FROM = 16


class PositionIndex:
    """Where each (delegator, asset) sits in an operator's bond list, or each (operator, asset,
    is_nomination) in a delegator's delegation list: O(1) lookups in lists of any length.

    Not state: one entry per owner, ``(the tuple it describes, {key: first position})``, valid only
    while that exact tuple object is the one in storage (checked by identity), so rollbacks and
    restores, which bring back other tuples, simply cause a rebuild. Updates that keep positions
    (amount changes) or append carry the index over to the new tuple in O(1)."""

    __slots__ = ("_entries", "_key")

    def __init__(self, key: Any) -> None:
        self._entries: dict[str, tuple[tuple, dict]] = {}
        self._key = key

    def find(self, owner: str, seq: tuple, key: Any) -> int | None:
        if len(seq) < INDEXED_FROM:
            keyfn = self._key
            for i, x in enumerate(seq):
                if keyfn(x) == key:
                    return i
            return None
        entry = self._entries.get(owner)
        if entry is None or entry[0] is not seq:
            index: dict = {}
            keyfn = self._key
            for i, x in enumerate(seq):
                index.setdefault(keyfn(x), i)
            entry = self._entries[owner] = (seq, index)
        return entry[1].get(key)

    def replaced(self, owner: str, old: tuple, new: tuple, appended_key: Any = None) -> None:
        """``new`` is ``old`` with entries changed in place (and ``appended_key`` added at the end)."""
        entry = self._entries.get(owner)
        if entry is None or entry[0] is not old:
            return
        if appended_key is not None:
            entry[1].setdefault(appended_key, len(old))
        self._entries[owner] = (new, entry[1])


def _bond_key(b: DelegatorBond) -> tuple:
    return (b.delegator, b.asset)


def _delegation_key(d: BondInfoDelegator) -> tuple:
    return (d.operator, d.asset, d.is_nomination)


class DelegationCalls:
    """Calls 14-17 plus the operator-side bookkeeping shared with nomination delegations."""

    # ------------------------------------------------------------------ shared helpers
    @property
    def _bond_positions(self) -> PositionIndex:
        index = self.__dict__.get("_bond_position_index")
        if index is None:
            index = self.__dict__["_bond_position_index"] = PositionIndex(_bond_key)
        return index

    @property
    def _delegation_positions(self) -> PositionIndex:
        index = self.__dict__.get("_delegation_position_index")
        if index is None:
            index = self.__dict__["_delegation_position_index"] = PositionIndex(_delegation_key)
        return index

    def _ensure_active_operator(self, operator: str) -> None:
        op = self.storage.Operators.get(operator)
        if op is None:
            raise Error.NotAnOperator()
        if op.status != OperatorStatus.Active:
            raise Error.NotActiveOperator()

    def _increase_operator_bond(self, operator: str, who: str, asset: Asset, amount: int) -> None:
        """``update_operator_metadata(.., is_increase=true)``."""
        op = self.storage.Operators.get(operator)
        if op is None:
            raise Error.NotAnOperator()
        positions = self._bond_positions
        idx = positions.find(operator, op.delegations, (who, asset))
        full = op.delegation_count >= self.consts.MaxDelegations
        # real: the count is checked before looking for an existing entry, so even a top-up is refused
        if full and (idx is None or self.ctx.quirk("mad.topup_refused_at_max_delegations")):
            raise Error.MaxDelegationsExceeded()
        bonds = op.delegations
        if idx is not None:
            b = bonds[idx]
            if b.amount + amount > MAX_BALANCE:
                raise Error.OverflowRisk()
            bonds = bonds[:idx] + (DelegatorBond(who, b.amount + amount, asset),) + bonds[idx + 1 :]
            count = op.delegation_count
            positions.replaced(operator, op.delegations, bonds)
        else:
            if len(bonds) >= self.consts.MaxDelegations:
                raise Error.MaxDelegationsExceeded()
            bonds = bonds + (DelegatorBond(who, amount, asset),)
            count = op.delegation_count + 1
            positions.replaced(operator, op.delegations, bonds, (who, asset))
        self.storage.Operators.insert(operator, op.with_bonds(bonds, count))

    def _decrease_operator_bond(self, operator: str, who: str, asset: Asset, amount: int) -> None:
        """``update_operator_metadata(.., is_increase=false)``: a missing bond entry is silently ignored.

        A departed operator fails with ``NotAnOperator`` on chain (the dangling-delegation trap); with the
        ``operator_exit_guard`` extension the delegator's side is simply released."""
        op = self.storage.Operators.get(operator)
        if op is None:
            if self.ctx.extensions.operator_exit_guard and not self.ctx.quirk("mad.leave_ignores_delegations"):
                return
            raise Error.NotAnOperator()
        idx = self._bond_positions.find(operator, op.delegations, (who, asset))
        if idx is None:
            return
        b = op.delegations[idx]
        if b.amount < amount:
            raise Error.InsufficientBalance("the operator's bond entry is smaller than the unstake")
        left = b.amount - amount
        if left:
            bonds = op.delegations[:idx] + (DelegatorBond(who, left, asset),) + op.delegations[idx + 1 :]
            count = op.delegation_count
            self._bond_positions.replaced(operator, op.delegations, bonds)
        else:
            bonds = op.delegations[:idx] + op.delegations[idx + 1 :]
            count = op.delegation_count - 1
        self.storage.Operators.insert(operator, op.with_bonds(bonds, count))

    def _push_unstake_request(self, meta: DelegatorMetadata, request: BondLessRequest) -> DelegatorMetadata:
        if len(meta.delegator_unstake_requests) >= self.consts.MaxUnstakeRequests:
            raise Error.MaxUnstakeRequestsExceeded()
        return meta.with_unstake_requests(meta.delegator_unstake_requests + (request,))

    def _emit_delegated(self, record) -> None:  # type: ignore[no-untyped-def]
        """The real pallet deposits Delegated / NominationDelegated twice (helper and extrinsic)."""
        self.deposit_event(record)
        if self.ctx.quirk("mad.double_delegated_event"):
            self.deposit_event(record)

    # ------------------------------------------------------------------ calls
    @call(14)
    def delegate(self, origin: Origin, operator: AccountId, asset: Asset, amount: Balance, blueprint_selection: DelegatorBlueprintSelection) -> None:
        who = ensure_signed(origin)
        self._ensure_active_operator(operator)
        if amount == 0:
            raise Error.InvalidAmount()
        meta = self._delegator(who)
        dep = meta.deposit(asset)
        if dep is None or dep.delegated_amount + amount > dep.amount:
            raise Error.InsufficientBalance("not enough undelegated deposit")
        # the rewards multiplier is the first lock's, expired or not (as on chain)
        lock_multiplier = dep.locks[0].lock_multiplier if dep.locks else None
        meta = meta.with_deposit(asset, Deposit(dep.amount, dep.delegated_amount + amount, dep.locks))
        positions = self._delegation_positions
        old = meta.delegations
        idx = positions.find(who, old, (operator, asset, False))
        if idx is not None:
            d = old[idx]
            if d.amount + amount > MAX_BALANCE:
                raise Error.OverflowRisk()
            meta = meta.with_delegations(old[:idx] + (d.with_amount(d.amount + amount),) + old[idx + 1 :])
            positions.replaced(who, old, meta.delegations)
        else:
            if len(old) >= self.consts.MaxDelegations:
                raise Error.MaxDelegationsExceeded()
            entry = BondInfoDelegator(operator, amount, asset, blueprint_selection, False)
            meta = dataclasses.replace(meta, delegations=old + (entry,), status=DelegatorStatus.Active)
            positions.replaced(who, old, meta.delegations, (operator, asset, False))
        self.storage.Delegators.insert(who, meta)
        self._increase_operator_bond(operator, who, asset, amount)
        if self.rewards is not None:
            self.rewards.record_delegate(who, operator, asset, amount, lock_multiplier)
        self._emit_delegated(Event.Delegated(who, operator, amount, asset))

    @call(15)
    def schedule_delegator_unstake(self, origin: Origin, operator: AccountId, asset: Asset, amount: Balance) -> None:
        who = ensure_signed(origin)
        if amount == 0:
            raise Error.InvalidAmount()
        meta = self._delegator(who)
        idx = meta.delegation_index(operator, asset, False)
        if idx is None:
            raise Error.NoActiveDelegation()
        d = meta.delegations[idx]
        pending = sum(r.amount for r in meta.delegator_unstake_requests if r.operator == operator and r.asset == asset and not r.is_nomination)
        if max(d.amount - pending, 0) < amount:
            raise Error.InsufficientBalance("more than the delegation minus pending unstakes")
        now = self.current_round()
        meta = self._push_unstake_request(meta, BondLessRequest(operator, asset, amount, now, d.blueprint_selection, False))
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.DelegatorUnstakeScheduled(who, operator, asset, amount, now + self.consts.DelegationBondLessDelay))

    @call(16)
    def execute_delegator_unstake(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        requests = meta.delegator_unstake_requests
        if not requests:
            raise Error.NoBondLessRequest()
        ready_round = self.current_round() - self.consts.DelegationBondLessDelay
        with_nominations = self.ctx.quirk("mad.execute_unstake_includes_nomination")
        deposit_updates: dict[Asset, int] = {}
        delegation_updates: dict[tuple[str, Asset], list[int]] = {}  # key -> [delegation index, total]
        done: list[int] = []
        for i, r in enumerate(requests):
            if r.requested_round > ready_round or (r.is_nomination and not with_nominations):
                continue
            deposit_updates[r.asset] = deposit_updates.get(r.asset, 0) + r.amount
            idx = meta.delegation_index(r.operator, r.asset, False)
            if idx is None:
                raise Error.NoActiveDelegation()
            key = (r.operator, r.asset)
            slot = delegation_updates.setdefault(key, [idx, 0])
            slot[1] += r.amount
            done.append(i)
        if not done:
            raise Error.BondLessNotReady()
        for asset, total in deposit_updates.items():
            dep = meta.deposit(asset)
            if dep is None:
                raise Error.InsufficientBalance()
            meta = meta.with_deposit(asset, Deposit(dep.amount, max(dep.delegated_amount - total, 0), dep.locks))
        delegations = list(meta.delegations)
        ordered = sorted(delegation_updates.items(), key=lambda kv: (account_bytes(kv[0][0]), kv[0][1]))
        for _key, (idx, total) in ordered:
            d = delegations[idx]
            if d.amount < total:
                raise Error.InsufficientBalance("the delegation is smaller than the unstake (slashed?)")
            delegations[idx] = d.with_amount(d.amount - total)
        delegations = [d for d in delegations if d.amount]
        for (operator, asset), (_idx, total) in ordered:
            self._decrease_operator_bond(operator, who, asset, total)
            if self.rewards is not None:
                self.rewards.record_undelegate(who, operator, asset, total)
        done_set = set(done)
        meta = DelegatorMetadata(meta.deposits, meta.withdraw_requests, tuple(delegations), tuple(r for i, r in enumerate(requests) if i not in done_set), meta.status)
        self.storage.Delegators.insert(who, meta)
        for (operator, asset), (_idx, total) in ordered:
            self.deposit_event(Event.DelegatorUnstakeExecuted(who, operator, asset, total))

    @call(17)
    def cancel_delegator_unstake(self, origin: Origin, operator: AccountId, asset: Asset, amount: Balance) -> None:
        who = ensure_signed(origin)
        if amount == 0:
            raise Error.InvalidAmount()
        meta = self._delegator(who)
        reqs = meta.delegator_unstake_requests
        idx = next((i for i, r in enumerate(reqs) if r.asset == asset and r.amount == amount and r.operator == operator and not r.is_nomination), None)
        if idx is None:
            raise Error.NoBondLessRequest()
        self.storage.Delegators.insert(who, meta.with_unstake_requests(reqs[:idx] + reqs[idx + 1 :]))
        self.deposit_event(Event.DelegatorUnstakeCancelled(who, operator, asset, amount))
