"""Offences and deferred slashes (pallet_staking stable2407, ``SlashDeferDuration = 10`` eras).

* An offence by ``validator`` in the active era ``E`` (injected with the simulator-only
  ``report_offence`` call, standing in for pallet_offences) computes an ``UnappliedSlash``
  from the validator's exposure in era ``E`` and stores it under ``UnappliedSlashes[E + D + 1]``
  (the era at whose start it is applied). With ``D = 0`` it applies at once.
* At the start of era ``E + D + 1`` every slash stored under it is applied: each slashed ledger
  loses the amount from its active stake and its unlocking chunks (proportionally, see
  :func:`pallets.staking.ledger.slash_ledger`), the balance is taken from the stash, and the
  total goes to the Treasury (``Slash = Treasury``); total issuance does not change. If the
  Treasury account cannot receive it (it does not exist and the amount is below the existential
  deposit) the amount is burned, as dropping the imbalance would.
* ``cancel_deferred_slash(era, indices)`` (Root or the ``slash_cancel`` origin) removes entries
  from ``UnappliedSlashes[era]`` until they are applied; afterwards the indices are invalid.
* Invulnerables are never slashed. A repeated offence in the same era only counts if its
  fraction is higher (``ValidatorSlashInEra``), and nominators then pay only the difference.

Simplifications (documented deviations): slashing spans are not modelled (each era's slash is
paid in full; the chain pays only the span maximum for offences in several eras of one span),
so ``num_slashing_spans`` arguments are accepted but not checked; the reporters' reward is
computed into ``payout`` but offences carry no reporters, so everything goes to the Treasury;
slashed validators are not disabled for the rest of the era.
"""

from __future__ import annotations

from typing import Any

from pallets.staking.arith import PERBILL, perbill_mul, perbill_mul_floor
from pallets.staking.events import Event
from pallets.staking.ledger import slash_ledger
from pallets.staking.types import StakingUnappliedSlash
from pallets.treasury import on_unbalanced

REWARD_F1 = PERBILL // 2  # the reporters' share of SlashRewardFraction x slash (50%)


class SlashingOps:
    """Mixin of the Staking pallet: on_offence, deferred application, cancellation."""

    storage: Any
    consts: Any
    currency: Any
    ctx: Any

    def on_offence(self, validator: str, slash_fraction: int) -> StakingUnappliedSlash | None:
        """Report an offence by ``validator`` in the active era; returns the slash it scheduled (if any)."""
        s = self.storage
        active = s.ActiveEra.value()
        if active is None:
            return None
        slash_era = active.index
        if validator in s.Invulnerables.value():
            return None
        unapplied = self._compute_slash(validator, slash_fraction, slash_era)
        self.deposit_event(Event.SlashReported(validator, slash_fraction, slash_era))  # type: ignore[attr-defined]
        if unapplied is None:
            return None
        defer = self.consts.SlashDeferDuration
        if defer == 0:
            self.apply_slash(unapplied, slash_era)
        else:
            key = slash_era + defer + 1
            s.UnappliedSlashes.insert(key, s.UnappliedSlashes.get(key) + (unapplied,))
        return unapplied

    def _compute_slash(self, stash: str, fraction: int, slash_era: int) -> StakingUnappliedSlash | None:
        s = self.storage
        exposure = self.eras_stakers(slash_era, stash)  # type: ignore[attr-defined]
        own_slash = perbill_mul(fraction, exposure.own)
        if perbill_mul(fraction, exposure.total) == 0:
            return None
        prior = s.ValidatorSlashInEra.get((slash_era, stash))
        prior_fraction, prior_own = prior if prior is not None else (0, 0)
        if fraction <= prior_fraction:
            return None
        s.ValidatorSlashInEra.insert((slash_era, stash), (fraction, own_slash))
        reward_fraction = s.SlashRewardFraction.value()
        val_slashed = max(own_slash - prior_own, 0)
        payout = perbill_mul_floor(REWARD_F1, perbill_mul_floor(reward_fraction, val_slashed))
        others = []
        for who, value in exposure.others:
            diff = perbill_mul(fraction - prior_fraction, value)
            if diff == 0:
                continue
            key = (slash_era, who)
            s.NominatorSlashInEra.insert(key, s.NominatorSlashInEra.get(key, 0) + diff)
            others.append((who, diff))
            payout += perbill_mul_floor(REWARD_F1, perbill_mul_floor(reward_fraction, diff))
        return StakingUnappliedSlash(stash, val_slashed, tuple(others), (), payout)

    def _apply_unapplied_slashes(self, active_era: int) -> None:
        s = self.storage
        slashes = s.UnappliedSlashes.remove(active_era) or ()
        slash_era = max(active_era - self.consts.SlashDeferDuration, 0)
        for unapplied in slashes:
            self.apply_slash(unapplied, slash_era)

    def apply_slash(self, unapplied: StakingUnappliedSlash, slash_era: int) -> int:
        """Slash the validator and its nominators; the funds go to the Treasury. Returns the total."""
        taken = self._do_slash(unapplied.validator, unapplied.own, slash_era)
        for who, value in unapplied.others:
            taken += self._do_slash(who, value, slash_era)
        if taken:
            on_unbalanced(self.currency, self.deposit_event, taken)  # T::Slash = Treasury  # type: ignore[attr-defined]
        return taken

    def slash_stake(self, stash: str, value: int) -> int:
        """Slash ``value`` of ``stash``'s bonded stake now, for another pallet (MultiAssetDelegation
        slashing a natively restaked delegation under the intended profile): the ledger loses it as a
        deferred slash would (active stake, then unlocking chunks), the balance goes to the Treasury.
        Returns what was taken (0 without a ledger)."""
        taken = self._do_slash(stash, value, self.active_era())  # type: ignore[attr-defined]
        if taken:
            on_unbalanced(self.currency, self.deposit_event, taken)  # T::Slash = Treasury  # type: ignore[attr-defined]
        return taken

    def _do_slash(self, stash: str, value: int, slash_era: int) -> int:
        s = self.storage
        ledger = s.Ledger.get(stash)
        if ledger is None:
            return 0
        new, slashed, touched = slash_ledger(ledger, value, self.currency.existential_deposit(), slash_era, self.consts.BondingDuration)
        if slashed == 0:
            return 0
        for listener in self.listeners:  # type: ignore[attr-defined]
            listener.on_slash(stash, new.active, dict(touched), slashed)
        taken = self.currency.slash(stash, slashed)
        self._update_ledger(new)  # type: ignore[attr-defined]
        self.deposit_event(Event.Slashed(stash, slashed))  # type: ignore[attr-defined]
        return taken

    def _clear_slash_metadata(self, era: int) -> None:
        """An era left the bonding window: forget who was slashed in it."""
        s = self.storage
        s.ValidatorSlashInEra.clear_prefix(era)
        s.NominatorSlashInEra.clear_prefix(era)

    def cancel_slashes(self, era: int, slash_indices: tuple[int, ...]) -> None:
        from pallets.staking.errors import Error

        if not slash_indices:
            raise Error.EmptyTargets()
        if any(a >= b for a, b in zip(slash_indices, slash_indices[1:])):
            raise Error.NotSortedAndUnique()
        unapplied = list(self.storage.UnappliedSlashes.get(era))
        if slash_indices[-1] >= len(unapplied):
            raise Error.InvalidSlashIndex()
        for removed, index in enumerate(slash_indices):
            unapplied.pop(index - removed)
        self.storage.UnappliedSlashes.insert(era, tuple(unapplied))

