"""The seeded bugs: one patch per broken rule of the runtime, shared by the Hypothesis kit's tests
(tests/stateful/test_seeded_bugs.py), the fuzz engine's (tests/fuzz/test_fuzz_seeded_bugs.py) and
benchmarks/bench_fuzz.py, so both kits are measured against the same bugs.

``BUGS[name]`` is a :class:`SeededBug`: ``patch(monkeypatch)`` breaks one rule; ``finds`` is a regex
that the failure's message matches (the invariant or check that names the broken rule; either kit's
wording). Undoing the monkeypatch is the fix.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, NamedTuple


class SeededBug(NamedTuple):
    patch: Callable[[Any], None]
    finds: str


def patch_call(mp: Any, pallet: type, name: str, fn: Callable[..., None]) -> None:
    mp.setattr(pallet.call_specs()[name], "fn", fn)


def dust_not_burned(mp: Any) -> None:
    from pallets.balances import currency

    original = currency.CurrencyImpl._write

    def leaky_write(self, who, old, new):  # type: ignore[no-untyped-def]
        ed = self.consts.ExistentialDeposit
        if new.free < ed and new.reserved == 0 and new.free:
            self.system.set_account(who, new._replace(free=0, providers=0))
            return
        original(self, who, old, new)
    mp.setattr(currency.CurrencyImpl, "_write", leaky_write)


def asset_mint_forgets_supply(mp: Any) -> None:
    from pallets.assets import fungibles

    original = fungibles.FungiblesImpl.do_mint

    def sloppy_mint(self, asset_id, who, amount):  # type: ignore[no-untyped-def]
        d = self.details(asset_id)
        if d is None or amount == 0:
            return
        if self.storage.Account.get((asset_id, who)) is None:
            # a holder's first mint counts: the world's setup (whose deposits the fungibles path
            # checks against the supply, can_decrease's Underflow) stays sound; top-ups forget it
            return original(self, asset_id, who, amount)
        self._credit_check(asset_id, who, amount, d)
        self._apply_credit(asset_id, who, amount)
    mp.setattr(fungibles.FungiblesImpl, "do_mint", sloppy_mint)


def asset_burn_forgets_supply(mp: Any) -> None:
    from pallets.assets import fungibles

    def sloppy_burn(self, asset_id, who, amount, *, keep_alive, best_effort):  # type: ignore[no-untyped-def]
        actual, dust = self._debit(asset_id, who, amount, keep_alive, best_effort=best_effort, force=True)
        self._apply_debit(asset_id, who, actual + dust)
        return actual + dust
    mp.setattr(fungibles.FungiblesImpl, "do_burn", sloppy_burn)


def instance_limit_skipped(mp: Any) -> None:
    from pallets.services.limits import InstanceLimits

    mp.setattr(InstanceLimits, "_check_capacity", lambda self, blueprint_id, operator: None)


def slash_one_round_early(mp: Any) -> None:
    from pallets.services.slashing import SlashingCalls

    original = SlashingCalls._process_slashes

    def early(self):  # type: ignore[no-untyped-def]
        consts = self.consts
        self.consts = dataclasses.replace(consts, SlashDeferDuration=consts.SlashDeferDuration - 1)
        try:
            original(self)
        finally:
            self.consts = consts
    mp.setattr(SlashingCalls, "_process_slashes", early)


def slash_after_dispute(mp: Any) -> None:
    from pallets.services import Services
    from pallets.services.events import Event

    def dispute_keeps_the_slash(self, origin, era, index):  # type: ignore[no-untyped-def]
        slash = self.storage.UnappliedSlashes.get((era, index))
        if slash is None:
            from pallets.services.errors import Error

            raise Error.UnappliedSlashNotFound()
        self.deposit_event(Event.SlashDiscarded(index, slash.operator, slash.service_id, slash.blueprint_id, slash.slash_percent, era))
    patch_call(mp, Services, "dispute", dispute_keeps_the_slash)


def expired_request_not_refunded(mp: Any) -> None:
    from pallets.services.expiry import RequestExpiry

    def forgetful_remove(self, request_id, request):  # type: ignore[no-untyped-def]
        s = self.storage
        staged = s.StagingServicePayments.get(request_id)
        s.StagingServicePayments.remove(request_id)
        s.ServiceRequests.remove(request_id)
        s.ServiceRequestExpiresAt.remove(request_id)
        for op, state in request.operators_with_approval_state:
            if state.name == "Approved" and self.ctx.extensions.instance_limits:
                self._commit(request.blueprint, op, -1)
        return staged.amount if staged else 0
    mp.setattr(RequestExpiry, "_remove_request", forgetful_remove)


def terminate_keeps_commitments(mp: Any) -> None:
    from pallets.services.limits import InstanceLimits

    original = InstanceLimits._commit

    def never_release(self, blueprint_id, operator, delta):  # type: ignore[no-untyped-def]
        if delta > 0:
            original(self, blueprint_id, operator, delta)
    mp.setattr(InstanceLimits, "_commit", never_release)


def operator_joins_twice(mp: Any) -> None:
    from pallets.multi_asset_delegation import MultiAssetDelegation
    from pallets.multi_asset_delegation.errors import Error
    from pallets.multi_asset_delegation.events import Event
    from pallets.multi_asset_delegation.types import new_operator
    from runtime.origin import ensure_signed

    def join_again(self, origin, bond_amount):  # type: ignore[no-untyped-def]
        who = ensure_signed(origin)
        if bond_amount < self.consts.MinOperatorBondAmount:
            raise Error.BondTooLow()
        self.currency.reserve(who, bond_amount)
        self.storage.Operators.insert(who, new_operator(bond_amount))
        self.deposit_event(Event.OperatorJoined(who))
    patch_call(mp, MultiAssetDelegation, "join_operators", join_again)


def unstake_more_than_delegated(mp: Any) -> None:
    from pallets.multi_asset_delegation import MultiAssetDelegation
    from pallets.multi_asset_delegation.errors import Error
    from pallets.multi_asset_delegation.events import Event
    from pallets.multi_asset_delegation.types import BondLessRequest
    from runtime.origin import ensure_signed

    def unstake_anything(self, origin, operator, asset, amount):  # type: ignore[no-untyped-def]
        who = ensure_signed(origin)
        if amount == 0:
            raise Error.InvalidAmount()
        meta = self._delegator(who)
        idx = meta.delegation_index(operator, asset, False)
        if idx is None:
            raise Error.NoActiveDelegation()
        d = meta.delegations[idx]
        now = self.current_round()
        meta = self._push_unstake_request(meta, BondLessRequest(operator, asset, amount, now, d.blueprint_selection, False))
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.DelegatorUnstakeScheduled(who, operator, asset, amount, now + self.consts.DelegationBondLessDelay))
    patch_call(mp, MultiAssetDelegation, "schedule_delegator_unstake", unstake_anything)


def delegation_missing_operator_side(mp: Any) -> None:
    from pallets.multi_asset_delegation.delegations import DelegationCalls

    mp.setattr(DelegationCalls, "_increase_operator_bond", lambda self, operator, who, asset, amount: None)


def lst_unbond_loses_tokens(mp: Any) -> None:
    from pallets.lst import unbonding

    original = unbonding.unbond_pool_issue
    mp.setattr(unbonding, "unbond_pool_issue", lambda pool, new_funds: original(pool, new_funds - new_funds // 10))


def staking_lock_sticks(mp: Any) -> None:
    from pallets.balances import currency

    original = currency.CurrencyImpl.set_lock

    def sticky_lock(self, lock_id, who, amount):  # type: ignore[no-untyped-def]
        if lock_id == b"staking " and amount < self.locked(lock_id, who):
            return
        original(self, lock_id, who, amount)
    mp.setattr(currency.CurrencyImpl, "set_lock", sticky_lock)


def silent_mint(mp: Any) -> None:
    """A transfer that also mints: the receiver gets 1 more and the issuance grows by 1, in step, with no event."""
    from pallets.balances import Balances

    spec = Balances.call_specs()["transfer_keep_alive"]
    original = spec.fn

    def minting_transfer(self, origin, dest, value):  # type: ignore[no-untyped-def]
        original(self, origin, dest, value)
        account = self.system.account(dest)
        self.system.set_account(dest, account._replace(free=account.free + 1))
        self.storage.TotalIssuance.put(self.storage.TotalIssuance.value() + 1)
    mp.setattr(spec, "fn", minting_transfer)


def transfer_mints(mp: Any) -> None:
    """Balances and issuance stay in step (the sum half of token_conservation holds): only the event
    half, "issuance moves only by the events of NATIVE_ISSUANCE_EVENTS", can see that tokens came from nowhere."""
    from pallets.balances import currency
    from pallets.balances.events import Event

    def minting_transfer(self, source, dest, amount, *, keep_alive):  # type: ignore[no-untyped-def]
        acc = self.system.storage.Account._d
        src = acc.get(source, currency.EMPTY_ACCOUNT)
        self._check_withdraw(src, amount, keep_alive)
        dst = acc.get(dest)
        self._check_deposit(dst, amount)
        if source == dest or amount == 0:
            return
        base = dst if dst is not None else currency.EMPTY_ACCOUNT
        self._write(dest, dst, base._replace(free=base.free + amount))  # bug: the source keeps its tokens,
        self.storage.TotalIssuance.put(self.storage.TotalIssuance.value() + amount)  # and issuance follows, silently
        self.deposit_event(Event.Transfer(source, dest, amount))
    mp.setattr(currency.CurrencyImpl, "transfer", minting_transfer)


BUGS: dict[str, SeededBug] = {
    "dust_not_burned": SeededBug(dust_not_burned, "issuance"),
    "transfer_mints": SeededBug(transfer_mints, "events account for"),
    "asset_mint_forgets_supply": SeededBug(asset_mint_forgets_supply, "supply"),
    "asset_burn_forgets_supply": SeededBug(asset_burn_forgets_supply, "supply"),
    "instance_limit_skipped": SeededBug(instance_limit_skipped, "above its limit|OperatorInstanceCount"),
    "slash_one_round_early": SeededBug(slash_one_round_early, "before its window ends"),
    "slash_after_dispute": SeededBug(slash_after_dispute, "disputed|discarded"),
    "expired_request_not_refunded": SeededBug(expired_request_not_refunded, "Services pallet account holds"),
    "terminate_keeps_commitments": SeededBug(terminate_keeps_commitments, "OperatorInstanceCount"),
    "operator_joins_twice": SeededBug(operator_joins_twice, "joined as an operator twice|reserved"),
    "unstake_more_than_delegated": SeededBug(unstake_more_than_delegated,
                                             "pending unstake|InsufficientBalance|succeeded|delegations add up|pot holds|unstake"),
    "delegation_missing_operator_side": SeededBug(delegation_missing_operator_side, "delegations add up|no operator-side bond"),
    "lst_unbond_loses_tokens": SeededBug(lst_unbond_loses_tokens, "tokens lost to members"),
    "staking_lock_sticks": SeededBug(staking_lock_sticks, "staking lock"),
    "silent_mint": SeededBug(silent_mint, "issuance"),
}
"""Every seeded bug by name."""
