"""Operator dispatchables: join, leave (schedule/cancel/execute), bond more/less, offline/online.

State machine (spec §1.6)::

    (none) --join_operators--> Active
    Active --go_offline [no active services]--> Inactive --go_online--> Active
    Active|Inactive --schedule_leave_operators [can_exit]--> Leaving(now + LeaveOperatorsDelay)
    Leaving(r) --cancel_leave_operators--> Active (or back to Inactive, intended)
    Leaving(r) --execute_leave_operators [round >= r]--> (none), stake unreserved

The operator's self-stake is *reserved* TNT in its own account.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import Balance

from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.types import DelegatorBond, OperatorBondLessRequest, OperatorMetadata, OperatorStatus, new_operator


MAX_BALANCE = (1 << 128) - 1


class OperatorCalls:
    """Calls 0-9. Mixed into the pallet class; ``self`` is the MultiAssetDelegation pallet."""

    def _operator(self, who: str) -> OperatorMetadata:
        op = self.storage.Operators.get(who)
        if op is None:
            raise Error.NotAnOperator()
        return op

    def _can_exit(self, who: str) -> bool:
        sm = self.service_manager
        return True if sm is None else sm.can_exit(who)

    def _has_active_services(self, who: str) -> bool:
        sm = self.service_manager
        return False if sm is None else sm.has_active_services(who)

    @call(0)
    def join_operators(self, origin: Origin, bond_amount: Balance) -> None:
        who = ensure_signed(origin)
        if self.storage.Operators.contains(who):
            raise Error.AlreadyOperator()
        if bond_amount < self.consts.MinOperatorBondAmount:
            raise Error.BondTooLow()
        self.currency.reserve(who, bond_amount)
        operator = new_operator(bond_amount)
        if not self.ctx.quirk("mad.rejoin_forgets_delegations"):
            operator = self._adopt_remaining_delegations(who, operator)
        self.storage.Operators.insert(who, operator)
        self.deposit_event(Event.OperatorJoined(who))

    def _adopt_remaining_delegations(self, who: str, operator: OperatorMetadata) -> OperatorMetadata:
        """An operator that left and joins again counts the delegations still pointing at it:
        delegators who did not unstake after it left still have that stake delegated to it, and
        would otherwise be slashable through it without the operator's record counting them
        (the real pallet forgets them: quirk ``mad.rejoin_forgets_delegations``). A nomination and
        a TNT delegation share one bond, as on delegation."""
        totals: dict[tuple[str, Any], int] = {}
        # only those who delegated when it left can still point at it: nobody can delegate to a non-operator
        for delegator in self.storage.DelegatorsAtLeave.remove(who) or ():
            meta = self.storage.Delegators.get(delegator)
            for d in meta.delegations if meta is not None else ():
                if d.operator == who:
                    totals[(delegator, d.asset)] = totals.get((delegator, d.asset), 0) + d.amount
        if not totals:
            return operator
        bonds = tuple(DelegatorBond(delegator, amount, asset) for (delegator, asset), amount in totals.items())
        return operator.with_bonds(bonds, len(bonds))

    @call(1)
    def schedule_leave_operators(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.status.name == "Leaving":
            raise Error.AlreadyLeaving()
        if not self._can_exit(who):
            raise Error.CannotExit()
        when = self.current_round() + self.consts.LeaveOperatorsDelay
        if op.status == OperatorStatus.Inactive and not self.ctx.quirk("mad.cancel_leave_sets_active"):
            self.storage.OfflineBeforeLeave.insert(who, True)
        self.storage.Operators.insert(who, dataclasses.replace(op, status=OperatorStatus.Leaving(when)))
        self.deposit_event(Event.OperatorLeavingScheduled(who))

    @call(2)
    def cancel_leave_operators(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.status.name != "Leaving":
            raise Error.NotLeavingOperator()
        # Real: always Active, even for an operator that was offline before scheduling. Intended: back to
        # the status it had (remembered in the extension item OfflineBeforeLeave).
        status = OperatorStatus.Active
        if not self.ctx.quirk("mad.cancel_leave_sets_active") and who in self.storage.OfflineBeforeLeave:
            status = OperatorStatus.Inactive
        self.storage.OfflineBeforeLeave.remove(who)
        self.storage.Operators.insert(who, dataclasses.replace(op, status=status))
        self.deposit_event(Event.OperatorLeaveCancelled(who))

    @call(3)
    def execute_leave_operators(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.status.name != "Leaving":
            raise Error.NotLeavingOperator()
        if self.current_round() < op.status.value:
            raise Error.LeavingRoundNotReached()
        if self.ctx.extensions.operator_exit_guard and not self._can_exit(who):
            raise Error.CannotExit("the operator still runs active services or is registered on blueprints")
        self.currency.unreserve(who, op.stake)
        self.storage.Operators.remove(who)
        self.storage.OfflineBeforeLeave.remove(who)
        if op.delegations and not self.ctx.quirk("mad.rejoin_forgets_delegations"):
            self.storage.DelegatorsAtLeave.insert(who, tuple(sorted({b.delegator for b in op.delegations})))
        self.deposit_event(Event.OperatorLeaveExecuted(who))

    @call(4)
    def operator_bond_more(self, origin: Origin, additional_bond: Balance) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.stake + additional_bond > MAX_BALANCE:
            raise Error.StakeOverflow()
        self.currency.reserve(who, additional_bond)
        self.storage.Operators.insert(who, dataclasses.replace(op, stake=op.stake + additional_bond))
        self.deposit_event(Event.OperatorBondMore(who, additional_bond))

    @call(5)
    def schedule_operator_unstake(self, origin: Origin, unstake_amount: Balance) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if not self._can_exit(who):
            raise Error.CannotExit()
        if op.request is not None:
            raise Error.PendingUnstakeRequestExists()
        if unstake_amount > op.stake:
            raise Error.UnstakeAmountTooLarge()
        if op.stake - unstake_amount < self.consts.MinOperatorBondAmount:
            raise Error.InsufficientStakeRemaining()
        request = OperatorBondLessRequest(unstake_amount, self.current_round())
        self.storage.Operators.insert(who, dataclasses.replace(op, request=request))
        self.deposit_event(Event.OperatorBondLessScheduled(who, unstake_amount))

    @call(6)
    def execute_operator_unstake(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        req = op.request
        if req is None:
            raise Error.NoScheduledBondLess()
        if self.current_round() < req.request_time + self.consts.OperatorBondLessDelay:
            raise Error.BondLessRequestNotSatisfied()
        if op.stake < req.amount:
            raise Error.UnstakeAmountTooLarge()
        self.currency.unreserve(who, req.amount)
        self.storage.Operators.insert(who, dataclasses.replace(op, stake=op.stake - req.amount, request=None))
        self.deposit_event(Event.OperatorBondLessExecuted(who))

    @call(7)
    def cancel_operator_unstake(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.request is None:
            raise Error.NoScheduledBondLess()
        self.storage.Operators.insert(who, dataclasses.replace(op, request=None))
        self.deposit_event(Event.OperatorBondLessCancelled(who))

    @call(8)
    def go_offline(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.status != OperatorStatus.Active:
            raise Error.NotActiveOperator()
        if self._has_active_services(who):
            raise Error.CannotGoOfflineWithActiveServices()
        self.storage.Operators.insert(who, dataclasses.replace(op, status=OperatorStatus.Inactive))
        self.deposit_event(Event.OperatorWentOffline(who))

    @call(9)
    def go_online(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        op = self._operator(who)
        if op.status != OperatorStatus.Inactive:
            raise Error.NotOfflineOperator()
        self.storage.Operators.insert(who, dataclasses.replace(op, status=OperatorStatus.Active))
        self.deposit_event(Event.OperatorWentOnline(who))
