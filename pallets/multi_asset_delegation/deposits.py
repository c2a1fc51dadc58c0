"""Deposit and withdrawal dispatchables (calls 10-13).

Deposits move into the pallet account and are recorded per asset in ``Delegators[who].deposits``.
Withdrawing is two-step: ``schedule_withdraw`` takes the amount out of the deposit at once (it must
not be delegated or locked), ``execute_withdraw`` pays every request older than
``LeaveDelegatorsDelay`` rounds.
"""

from __future__ import annotations

import dataclasses
from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import H160, Balance

from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.types import EMPTY_DELEGATOR, Deposit, DelegatorMetadata, DelegatorStatus, LockInfo, WithdrawRequest
from pallets.primitives.assets import Asset
from pallets.primitives.delegation import LockMultiplier


MAX_BALANCE = (1 << 128) - 1


def _add_to_deposit(existing: Deposit | None, amount: int, lock: LockMultiplier | None, now: int, max_locks: int) -> Deposit:
    """``increase_deposited_amount`` / ``Deposit::new``; more than ``max_locks`` locks → InsufficientBalance."""
    new_lock = (LockInfo(amount, lock, now + lock.blocks),) if lock is not None else ()
    if existing is None:
        return Deposit(amount, 0, new_lock or None)
    locks = existing.locks
    if new_lock:
        if locks is not None and len(locks) >= max_locks:
            raise Error.InsufficientBalance("too many deposit locks")
        locks = (locks or ()) + new_lock
    return Deposit(min(existing.amount + amount, MAX_BALANCE), existing.delegated_amount, locks)


class DepositCalls:
    """Calls 10-13. Mixed into the pallet class."""

    def _delegator(self, who: str) -> DelegatorMetadata:
        d = self.storage.Delegators.get(who)
        if d is None:
            raise Error.NotDelegator()
        return d

    @call(10)
    def deposit(self, origin: Origin, asset: Asset, amount: Balance, evm_address: H160 | None, lock_multiplier: LockMultiplier | None) -> None:
        if asset.name == "Custom":
            who = ensure_signed(origin)
            if evm_address is not None and self.evm_account(evm_address) != who:
                raise BadOrigin()
        elif evm_address is None:
            raise Error.NotAuthorized()
        else:
            self.ensure_pallet(origin)
            who = self.evm_account(evm_address)
        if self.rewards is not None:
            remaining = self.rewards.get_asset_deposit_cap_remaining(asset)
            if remaining is not None and amount > remaining:
                raise Error.DepositExceedsCapForAsset()
        if amount < self.consts.MinDelegateAmount:
            raise Error.BondTooLow()
        self.transfer_asset(asset, who, self._pot, amount)
        meta = self.storage.Delegators.get(who) or EMPTY_DELEGATOR
        new = _add_to_deposit(meta.deposit(asset), amount, lock_multiplier, self.block_number, self.consts.MaxDelegations)
        self.storage.Delegators.insert(who, meta.with_deposit(asset, new))
        self.deposit_event(Event.Deposited(who, amount, asset))

    @call(11)
    def schedule_withdraw(self, origin: Origin, asset: Asset, amount: Balance) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        dep = meta.deposit(asset)
        if dep is None:
            raise Error.InsufficientBalance("no deposit of this asset")
        free = dep.amount - dep.locked_at(self.block_number)
        if free < amount:
            raise Error.InsufficientBalance("the amount is locked or not deposited")
        left = dep.amount - amount
        if left < dep.delegated_amount:
            raise Error.InsufficientBalance("the amount is delegated; unstake it first")
        if len(meta.withdraw_requests) >= self.consts.MaxWithdrawRequests:
            raise Error.MaxWithdrawRequestsExceeded()
        now = self.current_round()
        meta = meta.with_deposit(asset, dataclasses.replace(dep, amount=left))
        meta = dataclasses.replace(meta, withdraw_requests=meta.withdraw_requests + (WithdrawRequest(asset, amount, now),))
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.ScheduledWithdraw(who, amount, asset, now + self.consts.LeaveDelegatorsDelay))

    @call(12)
    def execute_withdraw(self, origin: Origin, evm_address: H160 | None) -> None:
        if evm_address is not None:
            self.ensure_pallet(origin)
            who = self.evm_account(evm_address)
        else:
            who = ensure_signed(origin)
        meta = self._delegator(who)
        if not meta.withdraw_requests:
            raise Error.NoWithdrawRequests()
        ready_round = self.current_round() - self.consts.LeaveDelegatorsDelay
        kept = []
        for req in meta.withdraw_requests:
            # a request whose transfer fails stays, silently (as on chain)
            if req.requested_round > ready_round or not self.try_transfer_asset(req.asset, self._pot, who, req.amount):
                kept.append(req)
        if len(kept) != len(meta.withdraw_requests):
            self.storage.Delegators.insert(who, dataclasses.replace(meta, withdraw_requests=tuple(kept)))
        self.deposit_event(Event.ExecutedWithdraw(who))

    @call(13)
    def cancel_withdraw(self, origin: Origin, asset: Asset, amount: Balance) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        idx = next((i for i, r in enumerate(meta.withdraw_requests) if r.asset == asset and r.amount == amount), None)
        if idx is None:
            raise Error.NoMatchingwithdrawRequest()
        requests = meta.withdraw_requests[:idx] + meta.withdraw_requests[idx + 1 :]
        dep = _add_to_deposit(meta.deposit(asset), amount, None, self.block_number, self.consts.MaxDelegations)
        meta = dataclasses.replace(meta.with_deposit(asset, dep), withdraw_requests=requests)
        if not meta.delegations:
            meta = dataclasses.replace(meta, status=DelegatorStatus.Active)
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.CancelledWithdraw(who, asset, amount))
