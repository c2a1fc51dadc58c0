"""Native restaking ("nomination delegation", calls 18-21): a staker puts part of its *bonded* TNT
behind an operator without moving tokens. The restaked amount is protected by a balance lock
(``b"delegate"``) and by the ``CheckNominatedRestaked`` signed extension (see extension.py).
"""

from __future__ import annotations

import dataclasses
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId, Balance

from pallets.multi_asset_delegation.errors import Error
from pallets.multi_asset_delegation.events import Event
from pallets.multi_asset_delegation.types import EMPTY_DELEGATOR, BondInfoDelegator, BondLessRequest, DelegatorMetadata
from pallets.primitives.assets import NATIVE
from pallets.primitives.delegation import DelegatorBlueprintSelection


DELEGATION_LOCK_ID = b"delegate"
MAX_BALANCE = (1 << 128) - 1


class NominationCalls:
    """Calls 18-21."""

    def _set_delegate_lock(self, who: str, meta: DelegatorMetadata, touched_amount: int) -> None:
        """Real: one lock overwritten with the amount of the delegation just touched (removed when it hits 0,
        even if other nomination delegations remain). Intended: the lock covers the sum of all of them."""
        amount = touched_amount if self.ctx.quirk("mad.nomination_lock_overwritten") else meta.total_nominations()
        if amount:
            self.currency.set_lock(DELEGATION_LOCK_ID, who, amount)
        else:
            self.currency.remove_lock(DELEGATION_LOCK_ID, who)

    def _nomination(self, meta: DelegatorMetadata, operator: str) -> tuple[int, BondInfoDelegator] | None:
        idx = meta.nomination_index(operator)
        if idx is None:
            return None
        d = meta.delegations[idx]
        if d.asset != NATIVE:
            raise Error.AssetNotWhitelisted()
        return idx, d

    def _operator_gone_ok(self, who: str, operator: str) -> bool:
        """May ``who`` release a nomination delegation to an operator that has left? Intended only
        (operator_exit_guard); on chain this fails with NotAnOperator (dangling delegations)."""
        if not self.ctx.extensions.operator_exit_guard or self.ctx.quirk("mad.leave_ignores_delegations"):
            return False
        meta = self.storage.Delegators.get(who)
        return meta is not None and meta.nomination_index(operator) is not None

    @call(18)
    def delegate_nomination(self, origin: Origin, operator: AccountId, amount: Balance, blueprint_selection: DelegatorBlueprintSelection) -> None:
        who = ensure_signed(origin)
        if amount == 0:
            raise Error.InvalidAmount()
        self._ensure_active_operator(operator)
        stake = self.staking.stake(who) if self.staking is not None else None
        if stake is None:
            raise Error.NotNominator()
        if stake.total < amount:
            raise Error.InsufficientBalance("more than the bonded stake")
        meta = self.storage.Delegators.get(who) or EMPTY_DELEGATOR
        new_total = meta.total_nominations() + amount
        if new_total > MAX_BALANCE:
            raise Error.OverflowRisk()
        if new_total > stake.active:
            raise Error.InsufficientBalance("restaked nominations would exceed the active stake")
        idx = meta.nomination_index(operator)
        if idx is not None:
            d = meta.delegations[idx]
            if d.amount + amount > MAX_BALANCE:
                raise Error.OverflowRisk()
            touched = d.amount + amount
            meta = dataclasses.replace(meta, delegations=meta.delegations[:idx] + (dataclasses.replace(d, amount=touched),) + meta.delegations[idx + 1 :])
        else:
            if len(meta.delegations) >= self.consts.MaxDelegations:
                raise Error.MaxDelegationsExceeded()
            touched = amount
            meta = dataclasses.replace(meta, delegations=meta.delegations + (BondInfoDelegator(operator, amount, NATIVE, blueprint_selection, True),))
        self._set_delegate_lock(who, meta, touched)
        self.storage.Delegators.insert(who, meta)
        self._increase_operator_bond(operator, who, NATIVE, amount)
        if self.rewards is not None:
            self.rewards.record_delegate(who, operator, NATIVE, amount, None)
        self._emit_delegated(Event.NominationDelegated(who, operator, amount))

    @call(19)
    def schedule_nomination_unstake(self, origin: Origin, operator: AccountId, amount: Balance, blueprint_selection: DelegatorBlueprintSelection) -> None:
        who = ensure_signed(origin)
        if amount == 0:
            raise Error.InvalidAmount()
        if not self.storage.Operators.contains(operator) and not self._operator_gone_ok(who, operator):
            raise Error.NotAnOperator()
        meta = self._delegator(who)
        found = self._nomination(meta, operator)
        if found is None:
            raise Error.NoActiveDelegation()
        pending = sum(r.amount for r in meta.delegator_unstake_requests if r.operator == operator and r.is_nomination)
        if max(found[1].amount - pending, 0) < amount:
            raise Error.InsufficientBalance("more than the nomination delegation minus pending unstakes")
        now = self.current_round()
        # the given selection is stored and never used (as on chain)
        meta = self._push_unstake_request(meta, BondLessRequest(operator, NATIVE, amount, now, blueprint_selection, True))
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.NominationUnstakeScheduled(who, operator, amount, now + self.consts.DelegationBondLessDelay))

    @call(20)
    def execute_nomination_unstake(self, origin: Origin, operator: AccountId) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        reqs = meta.delegator_unstake_requests
        ridx = next((i for i, r in enumerate(reqs) if r.operator == operator and r.is_nomination), None)
        if ridx is None:
            raise Error.NoBondLessRequest()
        req = reqs[ridx]
        if req.requested_round + self.consts.DelegationBondLessDelay > self.current_round():
            raise Error.BondLessNotReady()
        found = self._nomination(meta, operator)
        if found is None:
            raise Error.NoActiveDelegation()
        idx, d = found
        if d.amount < req.amount:
            raise Error.InsufficientBalance("the nomination delegation is smaller than the unstake (slashed?)")
        left = d.amount - req.amount
        self._decrease_operator_bond(operator, who, NATIVE, req.amount)
        if self.rewards is not None:
            self.rewards.record_undelegate(who, operator, NATIVE, req.amount)
        if left:
            delegations = meta.delegations[:idx] + (dataclasses.replace(d, amount=left),) + meta.delegations[idx + 1 :]
        else:
            delegations = meta.delegations[:idx] + meta.delegations[idx + 1 :]
        meta = dataclasses.replace(meta, delegations=delegations, delegator_unstake_requests=reqs[:ridx] + reqs[ridx + 1 :])
        self._set_delegate_lock(who, meta, left)
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.NominationUnstakeExecuted(who, operator, req.amount))

    @call(21)
    def cancel_nomination_unstake(self, origin: Origin, operator: AccountId) -> None:
        who = ensure_signed(origin)
        meta = self._delegator(who)
        reqs = meta.delegator_unstake_requests
        ridx = next((i for i, r in enumerate(reqs) if r.operator == operator and r.is_nomination), None)
        if ridx is None:
            raise Error.NoBondLessRequest()
        self.storage.Delegators.insert(who, dataclasses.replace(meta, delegator_unstake_requests=reqs[:ridx] + reqs[ridx + 1 :]))
        self.deposit_event(Event.NominationUnstakeCancelled(who, operator, reqs[ridx].amount))

    # ------------------------------------------------------------------ CheckNominatedRestaked
    def can_unbound(self, who: str, amount: int) -> bool:
        """May ``who`` unbond ``amount`` from staking without uncovering restaked nominations?

        Real (quirk ``mad.full_unbond_rejected``): only if something non-restaked remains (``free > 0``),
        so a full unbond is never allowed. Intended: if the remaining active stake still covers them."""
        stake = self.staking.stake(who) if self.staking is not None else None
        if stake is None:
            return True
        remaining = max(stake.active - amount, 0)
        meta = self.storage.Delegators.get(who)
        nominated = meta.total_nominations() if meta is not None else 0
        if self.ctx.quirk("mad.full_unbond_rejected"):
            return remaining - nominated > 0
        return remaining >= nominated
