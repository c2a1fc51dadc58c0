"""pallet_staking dispatchables (call indices and argument names as in the testnet metadata).

Controllers are deprecated on Tangle: every ledger's controller is its stash, so "controller"
origins below are the stash. The check order follows the real pallet so that the first failing
check gives the same error.
"""

from __future__ import annotations

import dataclasses

from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import U32, AccountId, CompactBalance, CompactU32, MultiAddress, Perbill, Percent

from pallets.staking.arith import percent_mul
from pallets.staking.errors import Error, NoProviders
from pallets.staking.events import Event
from pallets.staking.ledger import add_unlock_chunk, consolidate_unlocked, new_ledger, rebond
from pallets.staking.types import (
    ConfigOpPerbill,
    ConfigOpPercent,
    ConfigOpU32,
    ConfigOpU128,
    Forcing,
    Nominations,
    RewardDestination,
    ValidatorPrefs,
)

MAX_VALIDATOR_SET = 1000  # ElectionProvider's MaxWinners (assumed; bounds set_validator_count)


def ensure_admin(origin: Origin) -> None:
    """Staking's ``AdminOrigin``: Root, or the ``slash_cancel`` governance origin."""
    if origin.kind not in ("root", "slash_cancel"):
        raise BadOrigin()


def _apply_config(item, op) -> None:  # type: ignore[no-untyped-def]
    if op.name == "Set":
        item.put(op.value)
    elif op.name == "Remove":
        item.kill()


class Calls:
    # ------------------------------------------------------------------ bonding
    @call(0)
    def bond(self, origin: Origin, value: CompactBalance, payee: RewardDestination) -> None:
        """Lock up ``value`` of the caller's balance as stake (at most its free balance)."""
        stash = ensure_signed(origin)
        s = self.storage
        if stash in s.Bonded:
            raise Error.AlreadyBonded()
        if stash in s.Ledger:
            raise Error.AlreadyPaired()
        if value < self.currency.existential_deposit():
            raise Error.InsufficientBond()
        if self.system is not None:
            if self.system.account(stash).providers == 0:
                raise NoProviders()
            self.system.inc_consumers(stash)
        value = min(value, self.currency.free_balance(stash))
        self.deposit_event(Event.Bonded(stash, value))
        self._bond_ledger(new_ledger(stash, value), payee)

    @call(1)
    def bond_extra(self, origin: Origin, max_additional: CompactBalance) -> None:
        """Add up to ``max_additional`` of the stash's unbonded free balance to its active stake."""
        stash = ensure_signed(origin)
        self.do_bond_extra(stash, max_additional)

    def do_bond_extra(self, stash: str, additional: int) -> None:
        ledger = self.storage.Ledger.get(stash)
        if ledger is None:
            raise Error.NotStash()
        extra = min(additional, max(self.currency.free_balance(stash) - ledger.total, 0))
        ledger = dataclasses.replace(ledger, total=ledger.total + extra, active=ledger.active + extra)
        if ledger.active < self.currency.existential_deposit():
            raise Error.InsufficientBond()
        self._update_ledger(ledger)
        self.deposit_event(Event.Bonded(stash, extra))

    @call(2)
    def unbond(self, origin: Origin, value: CompactBalance) -> None:
        """Schedule ``value`` of the active stake to unlock ``BondingDuration`` eras after the
        current (planned) era. A remainder below the existential deposit is unbonded too."""
        controller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if len(ledger.unlocking) >= self.consts.MaxUnlockingChunks:
            self.do_withdraw_unbonded(controller, 0)
            ledger = s.Ledger.get(controller)
            if ledger is None:
                raise Error.NotController()
        if len(ledger.unlocking) >= self.consts.MaxUnlockingChunks:
            raise Error.NoMoreChunks()
        value = min(value, ledger.active)
        if value == 0:
            return
        stash = ledger.stash
        active = ledger.active - value
        if active < self.currency.existential_deposit():
            value += active
            active = 0
        if stash in s.Nominators:
            min_active = s.MinNominatorBond.value()
        elif stash in s.Validators:
            min_active = s.MinValidatorBond.value()
        else:
            min_active = 0
        if active < min_active:
            raise Error.InsufficientBond()
        era = (s.CurrentEra.value() or 0) + self.consts.BondingDuration
        ledger = dataclasses.replace(ledger, active=active, unlocking=add_unlock_chunk(ledger, value, era))
        self._update_ledger(ledger)
        self.deposit_event(Event.Unbonded(stash, value))

    @call(3)
    def withdraw_unbonded(self, origin: Origin, num_slashing_spans: U32) -> None:
        """Release the chunks whose unlock era has come; with nothing left, forget the stash."""
        controller = ensure_signed(origin)
        self.do_withdraw_unbonded(controller, num_slashing_spans)

    def do_withdraw_unbonded(self, controller: str, num_slashing_spans: int) -> bool:
        """Returns True if the stash was removed (nothing bonded any more)."""
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        stash, old_total = ledger.stash, ledger.total
        current = s.CurrentEra.value()
        if current is not None:
            ledger = consolidate_unlocked(ledger, current)
        new_total = ledger.total
        killed = not ledger.unlocking and ledger.active < self.currency.existential_deposit()
        if killed:
            self.kill_stash(stash)
        else:
            self._update_ledger(ledger)
        if new_total < old_total:
            value = old_total - new_total
            self.deposit_event(Event.Withdrawn(stash, value))
            for listener in self.listeners:
                on_withdraw = getattr(listener, "on_withdraw", None)
                if on_withdraw is not None:
                    on_withdraw(stash, value)
        return killed

    def kill_stash(self, stash: str) -> None:
        """Remove every staking record of ``stash`` and its lock (``kill_stash``)."""
        if stash not in self.storage.Bonded:
            raise Error.NotStash()
        self._kill_ledger(stash)
        self._remove_validator(stash)
        self._remove_nominator(stash)
        if self.system is not None:
            self.system.dec_consumers(stash)

    @call(19)
    def rebond(self, origin: Origin, value: CompactBalance) -> None:
        """Move up to ``value`` from the newest unlocking chunks back into the active stake."""
        controller = ensure_signed(origin)
        ledger = self.storage.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if not ledger.unlocking:
            raise Error.NoUnlockChunk()
        ledger, moved = rebond(ledger, value)
        if ledger.active < self.currency.existential_deposit():
            raise Error.InsufficientBond()
        self.deposit_event(Event.Bonded(ledger.stash, moved))
        self._update_ledger(ledger)

    # ------------------------------------------------------------------ intentions
    @call(4)
    def validate(self, origin: Origin, prefs: ValidatorPrefs) -> None:
        """Declare the wish to validate (replaces any nomination)."""
        controller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if ledger.active < s.MinValidatorBond.value():
            raise Error.InsufficientBond()
        stash = ledger.stash
        if prefs.commission < s.MinCommission.value():
            raise Error.CommissionTooLow()
        if stash not in s.Validators:
            limit = s.MaxValidatorsCount.value()
            if limit is not None and s.CounterForValidators.value() >= limit:
                raise Error.TooManyValidators()
        self._remove_nominator(stash)
        self._add_validator(stash, prefs)
        self.deposit_event(Event.ValidatorPrefsSet(stash, prefs))

    @call(5)
    def nominate(self, origin: Origin, targets: tuple[MultiAddress, ...]) -> None:
        """Declare the wish to nominate ``targets`` (replaces any validator intention). Targets need
        not be validators; a validator that blocks nominations can only be kept, not added."""
        controller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if ledger.active < s.MinNominatorBond.value():
            raise Error.InsufficientBond()
        stash = ledger.stash
        if stash not in s.Nominators:
            limit = s.MaxNominatorsCount.value()
            if limit is not None and s.CounterForNominators.value() >= limit:
                raise Error.TooManyNominators()
        if not targets:
            raise Error.EmptyTargets()
        if len(targets) > self.consts.MaxNominations:
            raise Error.TooManyTargets()
        old = s.Nominators.get(stash)
        old_targets = old.targets if old is not None else ()
        for t in targets:
            if t not in old_targets and s.Validators.get(t).blocked:
                raise Error.BadTarget()
        self._remove_validator(stash)
        self._add_nominator(stash, Nominations(tuple(targets), s.CurrentEra.value() or 0, False))

    @call(6)
    def chill(self, origin: Origin) -> None:
        """Stop validating or nominating (effective from the next election)."""
        controller = ensure_signed(origin)
        ledger = self.storage.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        self.chill_stash(ledger.stash)

    def chill_stash(self, stash: str) -> None:
        was_validator = self._remove_validator(stash)
        was_nominator = self._remove_nominator(stash)
        if was_validator or was_nominator:
            self.deposit_event(Event.Chilled(stash))

    @call(7)
    def set_payee(self, origin: Origin, payee: RewardDestination) -> None:
        controller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if payee.name == "Controller":
            raise Error.ControllerDeprecated()
        s.Payee.insert(ledger.stash, payee)

    @call(8)
    def set_controller(self, origin: Origin) -> None:
        """Controllers are deprecated: every stash is already its own controller."""
        stash = ensure_signed(origin)
        if self.storage.Ledger.get(stash) is None:
            raise Error.NotStash()
        raise Error.AlreadyPaired()

    @call(21)
    def kick(self, origin: Origin, who: tuple[MultiAddress, ...]) -> None:
        """A validator removes itself from the given nominators' targets."""
        controller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        stash = ledger.stash
        for nominator in who:
            nominations = s.Nominators.get(nominator)
            if nominations is None or stash not in nominations.targets:
                continue
            targets = list(nominations.targets)
            pos = targets.index(stash)
            targets[pos] = targets[-1]  # swap_remove
            targets.pop()
            s.Nominators.insert(nominator, dataclasses.replace(nominations, targets=tuple(targets)))
            self.deposit_event(Event.Kicked(nominator, stash))

    @call(23)
    def chill_other(self, origin: Origin, stash: AccountId) -> None:
        """Anyone may chill a staker below the minimum bond once the counts pass ChillThreshold."""
        caller = ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(stash)
        if ledger is None:
            raise Error.NotStash()
        if caller != stash:
            threshold = s.ChillThreshold.value()
            if threshold is None:
                raise Error.CannotChillOther()
            if stash in s.Nominators:
                limit, count, min_bond = s.MaxNominatorsCount.value(), s.CounterForNominators.value(), s.MinNominatorBond.value()
            elif stash in s.Validators:
                limit, count, min_bond = s.MaxValidatorsCount.value(), s.CounterForValidators.value(), s.MinValidatorBond.value()
            else:
                limit, count, min_bond = 0, 1, 0
            if limit is None or not percent_mul(threshold, limit) < count:
                raise Error.CannotChillOther()
            if not ledger.active < min_bond:
                raise Error.CannotChillOther()
        self.chill_stash(stash)

    @call(27)
    def update_payee(self, origin: Origin, controller: AccountId) -> None:
        """Migrate a deprecated ``Controller`` payee to ``Account(controller)``."""
        ensure_signed(origin)
        s = self.storage
        ledger = s.Ledger.get(controller)
        if ledger is None:
            raise Error.NotController()
        if s.Payee.get(ledger.stash) != RewardDestination.Controller:
            raise Error.NotController()
        s.Payee.insert(ledger.stash, RewardDestination.Account(controller))

    # ------------------------------------------------------------------ rewards
    @call(18)
    def payout_stakers(self, origin: Origin, validator_stash: AccountId, era: U32) -> None:
        """Pay the next unclaimed page of a validator's rewards for ``era`` (anyone may call)."""
        ensure_signed(origin)
        self.do_payout_stakers(validator_stash, era)

    @call(26)
    def payout_stakers_by_page(self, origin: Origin, validator_stash: AccountId, era: U32, page: U32) -> None:
        ensure_signed(origin)
        self.do_payout_stakers_by_page(validator_stash, era, page)

    @call(20)
    def reap_stash(self, origin: Origin, stash: AccountId, num_slashing_spans: U32) -> None:
        """Remove a stash whose balance or ledger fell below the existential deposit (anyone may call)."""
        ensure_signed(origin)
        ed = self.currency.existential_deposit()
        balance = self.currency.total_balance(stash)
        ledger = self.storage.Ledger.get(stash)
        ledger_total = ledger.total if ledger is not None else 0
        if not (balance < ed or ledger_total < ed):
            raise Error.FundedTarget()
        self.kill_stash(stash)

    # ------------------------------------------------------------------ governance
    @call(9)
    def set_validator_count(self, origin: Origin, new: CompactU32) -> None:
        ensure_root(origin)
        if new > MAX_VALIDATOR_SET:
            raise Error.TooManyValidators()
        self.storage.ValidatorCount.put(new)

    @call(10)
    def increase_validator_count(self, origin: Origin, additional: CompactU32) -> None:
        ensure_root(origin)
        new = self.storage.ValidatorCount.value() + additional
        if new > MAX_VALIDATOR_SET:
            raise Error.TooManyValidators()
        self.storage.ValidatorCount.put(new)

    @call(11)
    def scale_validator_count(self, origin: Origin, factor: Percent) -> None:
        ensure_root(origin)
        old = self.storage.ValidatorCount.value()
        new = old + percent_mul(factor, old)
        if new > MAX_VALIDATOR_SET:
            raise Error.TooManyValidators()
        self.storage.ValidatorCount.put(new)

    @call(12)
    def force_no_eras(self, origin: Origin) -> None:
        ensure_root(origin)
        self._set_force_era(Forcing.ForceNone)

    @call(13)
    def force_new_era(self, origin: Origin) -> None:
        """Plan a new era at the next session (whatever SessionsPerEra says)."""
        ensure_root(origin)
        self._set_force_era(Forcing.ForceNew)

    @call(16)
    def force_new_era_always(self, origin: Origin) -> None:
        ensure_root(origin)
        self._set_force_era(Forcing.ForceAlways)

    def _set_force_era(self, mode: Forcing) -> None:
        self.storage.ForceEra.put(mode)
        self.deposit_event(Event.ForceEra(mode))

    @call(14)
    def set_invulnerables(self, origin: Origin, invulnerables: tuple[AccountId, ...]) -> None:
        ensure_root(origin)
        self.storage.Invulnerables.put(tuple(invulnerables))

    @call(15)
    def force_unstake(self, origin: Origin, stash: AccountId, num_slashing_spans: U32) -> None:
        ensure_root(origin)
        self.kill_stash(stash)

    @call(17)
    def cancel_deferred_slash(self, origin: Origin, era: U32, slash_indices: tuple[U32, ...]) -> None:
        """Drop deferred slashes ``slash_indices`` of ``UnappliedSlashes[era]`` (``era`` is the era in
        which they would be applied). Root or the ``slash_cancel`` origin."""
        ensure_admin(origin)
        self.cancel_slashes(era, slash_indices)

    @call(22)
    def set_staking_configs(
        self,
        origin: Origin,
        min_nominator_bond: ConfigOpU128,
        min_validator_bond: ConfigOpU128,
        max_nominator_count: ConfigOpU32,
        max_validator_count: ConfigOpU32,
        chill_threshold: ConfigOpPercent,
        min_commission: ConfigOpPerbill,
        max_staked_rewards: ConfigOpPercent,
    ) -> None:
        ensure_root(origin)
        s = self.storage
        for item, op in (
            (s.MinNominatorBond, min_nominator_bond),
            (s.MinValidatorBond, min_validator_bond),
            (s.MaxNominatorsCount, max_nominator_count),
            (s.MaxValidatorsCount, max_validator_count),
            (s.ChillThreshold, chill_threshold),
            (s.MinCommission, min_commission),
            (s.MaxStakedRewards, max_staked_rewards),
        ):
            _apply_config(item, op)

    @call(24)
    def force_apply_min_commission(self, origin: Origin, validator_stash: AccountId) -> None:
        ensure_signed(origin)
        s = self.storage
        if validator_stash not in s.Validators:
            raise Error.NotStash()
        prefs = s.Validators.get(validator_stash)
        minimum = s.MinCommission.value()
        if prefs.commission < minimum:
            s.Validators.insert(validator_stash, dataclasses.replace(prefs, commission=minimum))

    @call(25)
    def set_min_commission(self, origin: Origin, new: Perbill) -> None:
        ensure_admin(origin)
        self.storage.MinCommission.put(new)

    # ------------------------------------------------------------------ simulator extension
    @call(extension=True)
    def report_offence(self, origin: Origin, validator: AccountId, slash_fraction: Perbill) -> None:
        """Simulator-only (Root): report an offence of ``validator`` in the active era, as
        pallet_offences would, slashing ``slash_fraction`` of its exposure after SlashDeferDuration."""
        ensure_root(origin)
        self.on_offence(validator, slash_fraction)

    # ------------------------------------------------------------------ counted maps
    def _add_validator(self, stash: str, prefs: ValidatorPrefs) -> None:
        s = self.storage
        if stash not in s.Validators:
            s.CounterForValidators.put(s.CounterForValidators.value() + 1)
        s.Validators.insert(stash, prefs)

    def _remove_validator(self, stash: str) -> bool:
        s = self.storage
        if stash not in s.Validators:
            return False
        s.Validators.remove(stash)
        s.CounterForValidators.put(s.CounterForValidators.value() - 1)
        return True

    def _add_nominator(self, stash: str, nominations: Nominations) -> None:
        s = self.storage
        if stash not in s.Nominators:
            s.CounterForNominators.put(s.CounterForNominators.value() + 1)
        s.Nominators.insert(stash, nominations)

    def _remove_nominator(self, stash: str) -> bool:
        s = self.storage
        if stash not in s.Nominators:
            return False
        s.Nominators.remove(stash)
        s.CounterForNominators.put(s.CounterForNominators.value() - 1)
        return True
