"""pallet_multisig's dispatchables (polkadot-sdk stable2407, pallet-multisig 37.0.0)."""

from __future__ import annotations

import dataclasses

from runtime.accounts import account_bytes
from runtime.calls import CALL_REGISTRY, Call, RuntimeCall
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import U16, AccountId, FixedBytes

from pallets.multisig.errors import Error
from pallets.multisig.events import Event
from pallets.multisig.types import Multisig, Timepoint
from pallets.primitives.derivation import multi_account_id
from pallets.primitives.dispatch import Weight, call_hash, dispatch, error_name, try_dispatch


class Calls:
    # ------------------------------------------------------------------ helpers
    def timepoint(self) -> Timepoint:
        return Timepoint(self.block_number, self.ctx.extrinsic_index() or 0)  # type: ignore[attr-defined]

    def _signatories(self, who: str, others: tuple[str, ...]) -> tuple[str, ...]:
        """The common checks, then ``ensure_sorted_and_insert``: others strictly ascending (by raw
        bytes), the sender not among them; returns all signatories sorted."""
        if not others:
            raise Error.TooFewSignatories()
        if len(others) >= self.consts.MaxSignatories:  # type: ignore[attr-defined]
            raise Error.TooManySignatories()
        me = account_bytes(who)
        last = None
        index = 0
        for item in others:
            raw = account_bytes(item)
            if last is not None and not last < raw:
                raise Error.SignatoriesOutOfOrder()
            if raw <= me:
                if raw == me:
                    raise Error.SenderInSignatories()
                index += 1
            last = raw
        return others[:index] + (who,) + others[index:]

    def operate(self, who: str, threshold: int, others: tuple[str, ...], maybe_timepoint: Timepoint | None, inner: RuntimeCall | None, h: bytes, max_weight: Weight) -> None:
        if threshold < 2:
            raise Error.MinimumThreshold()
        signatories = self._signatories(who, others)
        multisig = multi_account_id(signatories, threshold)
        store = self.storage.Multisigs  # type: ignore[attr-defined]
        m: Multisig | None = store.get((multisig, h))
        if m is None:
            if maybe_timepoint is not None:
                raise Error.UnexpectedTimepoint()
            deposit = self.consts.DepositBase + self.consts.DepositFactor * threshold  # type: ignore[attr-defined]
            self.currency.reserve(who, deposit)  # type: ignore[attr-defined]
            store.insert((multisig, h), Multisig(self.timepoint(), deposit, who, (who,)))
            self.deposit_event(Event.NewMultisig(who, multisig, h))  # type: ignore[attr-defined]
            return
        if maybe_timepoint is None:
            raise Error.NoTimepoint()
        if m.when != maybe_timepoint:
            raise Error.WrongTimepoint()
        new_approval = who not in m.approvals
        approvals = len(m.approvals) + (1 if new_approval else 0)
        if inner is not None and approvals >= threshold:
            if CALL_REGISTRY[(inner.call_module, inner.call_function)].weight > max_weight.ref_time:
                raise Error.MaxWeightTooLow()
            store.remove((multisig, h))
            self.currency.unreserve(m.depositor, m.deposit)  # type: ignore[attr-defined]
            err = try_dispatch(self.ctx, Origin.signed(multisig), inner)  # type: ignore[attr-defined]
            self.deposit_event(Event.MultisigExecuted(who, maybe_timepoint, multisig, h, error_name(err)))  # type: ignore[attr-defined]
            return
        if not new_approval:
            raise Error.AlreadyApproved()
        approvals_sorted = tuple(sorted(m.approvals + (who,), key=account_bytes))
        store.insert((multisig, h), dataclasses.replace(m, approvals=approvals_sorted))
        self.deposit_event(Event.MultisigApproval(who, maybe_timepoint, multisig, h))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ calls
    @call(0)
    def as_multi_threshold_1(self, origin: Origin, other_signatories: tuple[AccountId, ...], call: Call) -> None:
        """Dispatch at once as the 1-of-n multisig account; the inner error fails the extrinsic."""
        who = ensure_signed(origin)
        signatories = self._signatories(who, other_signatories)
        dispatch(self.ctx, Origin.signed(multi_account_id(signatories, 1)), call)  # type: ignore[attr-defined]

    @call(1)
    def as_multi(self, origin: Origin, threshold: U16, other_signatories: tuple[AccountId, ...], maybe_timepoint: Timepoint | None, call: Call, max_weight: Weight) -> None:
        who = ensure_signed(origin)
        self.operate(who, threshold, other_signatories, maybe_timepoint, call, call_hash(call), max_weight)

    @call(2)
    def approve_as_multi(self, origin: Origin, threshold: U16, other_signatories: tuple[AccountId, ...], maybe_timepoint: Timepoint | None, call_hash: FixedBytes(32), max_weight: Weight) -> None:  # type: ignore[valid-type]
        who = ensure_signed(origin)
        self.operate(who, threshold, other_signatories, maybe_timepoint, None, call_hash, max_weight)

    @call(3)
    def cancel_as_multi(self, origin: Origin, threshold: U16, other_signatories: tuple[AccountId, ...], timepoint: Timepoint, call_hash: FixedBytes(32)) -> None:  # type: ignore[valid-type]
        who = ensure_signed(origin)
        if threshold < 2:
            raise Error.MinimumThreshold()
        multisig = multi_account_id(self._signatories(who, other_signatories), threshold)
        m = self.storage.Multisigs.get((multisig, call_hash))  # type: ignore[attr-defined]
        if m is None:
            raise Error.NotFound()
        if m.when != timepoint:
            raise Error.WrongTimepoint()
        if m.depositor != who:
            raise Error.NotOwner()
        self.currency.unreserve(m.depositor, m.deposit)  # type: ignore[attr-defined]
        self.storage.Multisigs.remove((multisig, call_hash))  # type: ignore[attr-defined]
        self.deposit_event(Event.MultisigCancelled(who, timepoint, multisig, call_hash))  # type: ignore[attr-defined]
