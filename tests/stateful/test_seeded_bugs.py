"""Break one rule at a time in a patched runtime and check the machine finds it within the CI budget
(200 examples x 50 steps, fixed seed). Finding is what these tests assert, so they skip shrinking,
except the first, which checks that the failure shrinks to a short, replayable call log."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from runtime.calllog import read_log, replay
from simulations.stateful import RuntimeMachine
from simulations.stateful.determinism import freeze_constant_pool
from simulations.stateful.world import build_world

CI_BUDGET = settings(max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, print_blob=False, database=None,
                     report_multiple_bugs=False)
FIND_ONLY = settings(CI_BUDGET, phases=[Phase.explicit, Phase.reuse, Phase.generate])
SETUP_CALLS = len(build_world().call_log)


def machine_finds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, patch: Callable[[pytest.MonkeyPatch], None], match: str, shrink: bool = False) -> Path:
    """Run the machine on the patched runtime: it must fail with an AssertionError matching ``match``
    (the invariant or rule check that names the broken rule) and save the failing call log."""
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    assert freeze_constant_pool()  # the same fixed-seed run whichever tests were collected
    patch(monkeypatch)
    with pytest.raises(AssertionError, match=match):
        run_state_machine_as_test(RuntimeMachine, settings=CI_BUDGET if shrink else FIND_ONLY)
    log = tmp_path / "RuntimeMachine.jsonl"
    assert log.exists(), "the failing call sequence was not saved"
    return log


def patch_call(mp: pytest.MonkeyPatch, pallet: type, name: str, fn: Callable[..., None]) -> None:
    """Replace a dispatchable (the runtime dispatches through the cached CallSpec)."""
    mp.setattr(pallet.call_specs()[name], "fn", fn)  # type: ignore[attr-defined]


def calls_of(log: Path) -> list[dict[str, Any]]:
    return [e.data for e in read_log(log) if e.kind == "call"]


# ------------------------------------------------------------------ tokens
def test_dust_that_is_not_burned_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.balances import currency

    original = currency.CurrencyImpl._write

    def leaky_write(self, who, old, new):  # type: ignore[no-untyped-def]
        ed = self.consts.ExistentialDeposit
        if new.free < ed and new.reserved == 0 and new.free:
            # bug: reap the account but forget to lower the issuance
            self.system.set_account(who, new._replace(free=0, providers=0))
            return
        original(self, who, old, new)

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(currency.CurrencyImpl, "_write", leaky_write), "issuance")
    assert any(c["call_module"] == "Balances" for c in calls_of(log)[SETUP_CALLS:])


def test_transfer_that_silently_mints_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Balances and issuance stay in step (the sum half of token_conservation holds): only the event
    half, "issuance moves only by Minted/Burned/Slashed/DustLost", can see that tokens came from nowhere."""
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

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(currency.CurrencyImpl, "transfer", minting_transfer), "events account for")
    assert calls_of(log)


def test_asset_mint_that_forgets_the_supply_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.assets import fungibles

    original = fungibles.FungiblesImpl.do_mint

    def sloppy_mint(self, asset_id, who, amount):  # type: ignore[no-untyped-def]
        d = self.details(asset_id)
        if d is None or amount == 0:
            return
        if self.storage.Account.get((asset_id, who)) is None:  # first mints count (the setup's deposits need the supply)
            return original(self, asset_id, who, amount)
        self._credit_check(asset_id, who, amount, d)
        self._apply_credit(asset_id, who, amount)  # bug: supply not increased

    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(fungibles.FungiblesImpl, "do_mint", sloppy_mint), "supply")


def test_asset_burn_that_forgets_the_supply_is_caught_and_shrinks_to_a_replayable_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.assets import fungibles

    def sloppy_burn(self, asset_id, who, amount, *, keep_alive, best_effort):  # type: ignore[no-untyped-def]
        actual, dust = self._debit(asset_id, who, amount, keep_alive, best_effort=best_effort, force=True)
        self._apply_debit(asset_id, who, actual + dust)  # bug: supply not lowered
        return actual + dust

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(fungibles.FungiblesImpl, "do_burn", sloppy_burn), "supply", shrink=True)
    calls = calls_of(log)[SETUP_CALLS:]
    assert len(calls) == 1 and calls[0]["call_function"] in ("burn", "unbond")  # shrunk to the one call that burns
    result = replay(log)  # the saved log replays on a correct runtime, with the same outcomes
    assert result.calls == SETUP_CALLS + 1 and not [d for d in result.divergences if "outcome" in d.what]


# ------------------------------------------------------------------ services
def test_skipped_instance_limit_check_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.services.limits import InstanceLimits

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(InstanceLimits, "_check_capacity", lambda self, blueprint_id, operator: None),
                        "above its limit")
    assert any(c["call_function"] == "set_instance_limit" for c in calls_of(log))


def test_slash_applied_one_round_early_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.services.slashing import SlashingCalls

    original = SlashingCalls._process_slashes

    def early(self):  # type: ignore[no-untyped-def]
        consts = self.consts
        self.consts = dataclasses.replace(consts, SlashDeferDuration=consts.SlashDeferDuration - 1)  # bug: the window is one round short
        try:
            original(self)
        finally:
            self.consts = consts

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(SlashingCalls, "_process_slashes", early), "before its window ends")
    assert any(c["call_function"] == "slash" for c in calls_of(log))


def test_slash_applied_after_a_dispute_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.services import Services
    from pallets.services.events import Event

    def dispute_keeps_the_slash(self, origin, era, index):  # type: ignore[no-untyped-def]
        slash = self.storage.UnappliedSlashes.get((era, index))
        if slash is None:
            from pallets.services.errors import Error

            raise Error.UnappliedSlashNotFound()
        # bug: the dispute is announced but the slash stays queued (and is applied later)
        self.deposit_event(Event.SlashDiscarded(index, slash.operator, slash.service_id, slash.blueprint_id, slash.slash_percent, era))

    log = machine_finds(monkeypatch, tmp_path, lambda mp: patch_call(mp, Services, "dispute", dispute_keeps_the_slash), "disputed|discarded")
    assert any(c["call_function"] == "dispute" for c in calls_of(log))


def test_expired_request_that_is_not_refunded_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.services.expiry import RequestExpiry

    def forgetful_remove(self, request_id, request):  # type: ignore[no-untyped-def]
        s = self.storage
        staged = s.StagingServicePayments.get(request_id)
        s.StagingServicePayments.remove(request_id)  # bug: the staged payment is dropped, not refunded
        s.ServiceRequests.remove(request_id)
        s.ServiceRequestExpiresAt.remove(request_id)
        for op, state in request.operators_with_approval_state:
            if state.name == "Approved" and self.ctx.extensions.instance_limits:
                self._commit(request.blueprint, op, -1)
        return staged.amount if staged else 0

    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(RequestExpiry, "_remove_request", forgetful_remove), "Services pallet account holds")


def test_terminate_that_keeps_instance_commitments_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.services.limits import InstanceLimits

    original = InstanceLimits._commit

    def never_release(self, blueprint_id, operator, delta):  # type: ignore[no-untyped-def]
        if delta > 0:  # bug: commitments are taken but never given back
            original(self, blueprint_id, operator, delta)

    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(InstanceLimits, "_commit", never_release), "OperatorInstanceCount")


# ------------------------------------------------------------------ delegation
def test_operator_joining_twice_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.multi_asset_delegation import MultiAssetDelegation
    from pallets.multi_asset_delegation.errors import Error
    from pallets.multi_asset_delegation.events import Event
    from pallets.multi_asset_delegation.types import new_operator
    from runtime.origin import ensure_signed

    def join_again(self, origin, bond_amount):  # type: ignore[no-untyped-def]
        who = ensure_signed(origin)  # bug: no AlreadyOperator check
        if bond_amount < self.consts.MinOperatorBondAmount:
            raise Error.BondTooLow()
        self.currency.reserve(who, bond_amount)
        self.storage.Operators.insert(who, new_operator(bond_amount))
        self.deposit_event(Event.OperatorJoined(who))

    machine_finds(monkeypatch, tmp_path, lambda mp: patch_call(mp, MultiAssetDelegation, "join_operators", join_again), "joined as an operator twice|reserved")


def test_delegator_unstaking_more_than_delegated_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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
        d = meta.delegations[idx]  # bug: no check against the delegation minus pending unstakes
        now = self.current_round()
        meta = self._push_unstake_request(meta, BondLessRequest(operator, asset, amount, now, d.blueprint_selection, False))
        self.storage.Delegators.insert(who, meta)
        self.deposit_event(Event.DelegatorUnstakeScheduled(who, operator, asset, amount, now + self.consts.DelegationBondLessDelay))

    machine_finds(monkeypatch, tmp_path, lambda mp: patch_call(mp, MultiAssetDelegation, "schedule_delegator_unstake", unstake_anything),
                  "pending unstake|InsufficientBalance|succeeded")


def test_delegation_missing_on_the_operator_side_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.multi_asset_delegation.delegations import DelegationCalls

    # bug: the delegator's record grows but the operator's bond entry does not
    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(DelegationCalls, "_increase_operator_bond", lambda self, operator, who, asset, amount: None),
                  "delegations add up|no operator-side bond")


# ------------------------------------------------------------------ staking and pools
def test_lst_unbond_that_loses_tokens_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.lst import unbonding

    original = unbonding.unbond_pool_issue

    def lossy_issue(pool, new_funds):  # type: ignore[no-untyped-def]
        return original(pool, new_funds - new_funds // 10)  # bug: the unbonder's claim is 10% short of what was unbonded

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(unbonding, "unbond_pool_issue", lossy_issue), "tokens lost to members")
    assert any(c["call_function"] == "unbond" and c["call_module"] == "Lst" for c in calls_of(log))


def test_staking_unbond_that_keeps_the_lock_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.balances import currency

    original = currency.CurrencyImpl.set_lock

    def sticky_lock(self, lock_id, who, amount):  # type: ignore[no-untyped-def]
        if lock_id == b"staking " and amount < self.locked(lock_id, who):
            return  # bug: unbonding and withdrawing never lower the staking lock
        original(self, lock_id, who, amount)

    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(currency.CurrencyImpl, "set_lock", sticky_lock), "staking lock")
