"""Staking ledgers: pure arithmetic on :class:`StakingLedger` values, plus the storage writes that
keep the ledger, ``Bonded``, ``Payee`` and the ``staking `` balance lock in step.

Why pure functions: unbond/rebond/withdraw/slash are the places where stake is created or
destroyed, so they are kept small and side-effect free (each returns a new ledger) and the
conservation tests can reason about them directly.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from pallets.staking.types import RewardDestination, StakingLedger, UnlockChunk

if TYPE_CHECKING:
    from runtime.traits import Currency

STAKING_ID = b"staking "
PERQUINTILL = 10**18


def new_ledger(stash: str, value: int) -> StakingLedger:
    return StakingLedger(stash, value, value, (), ())


def consolidate_unlocked(ledger: StakingLedger, current_era: int) -> StakingLedger:
    """Drop the chunks whose era has come (``era <= current_era``) from ``unlocking`` and ``total``."""
    keep = tuple(c for c in ledger.unlocking if c.era > current_era)
    if len(keep) == len(ledger.unlocking):
        return ledger
    freed = sum(c.value for c in ledger.unlocking if c.era <= current_era)
    return dataclasses.replace(ledger, total=ledger.total - freed, unlocking=keep)


def add_unlock_chunk(ledger: StakingLedger, value: int, era: int) -> tuple[UnlockChunk, ...]:
    """``unlocking`` with ``value`` added at ``era`` (merged into the last chunk if it has that era)."""
    chunks = ledger.unlocking
    if chunks and chunks[-1].era == era:
        return chunks[:-1] + (UnlockChunk(chunks[-1].value + value, era),)
    return chunks + (UnlockChunk(value, era),)


def rebond(ledger: StakingLedger, value: int) -> tuple[StakingLedger, int]:
    """Move up to ``value`` from the newest unlocking chunks back to ``active``."""
    unlocking = list(ledger.unlocking)
    moved = 0
    while unlocking and moved < value:
        last = unlocking[-1]
        want = value - moved
        if last.value <= want:
            moved += last.value
            unlocking.pop()
        else:
            unlocking[-1] = UnlockChunk(last.value - want, last.era)
            moved += want
    return dataclasses.replace(ledger, active=ledger.active + moved, unlocking=tuple(unlocking)), moved


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def slash_ledger(ledger: StakingLedger, amount: int, minimum_balance: int, slash_era: int, bonding_duration: int) -> tuple[StakingLedger, int, dict[int, int]]:
    """``StakingLedger::slash``: take ``amount`` from the active stake and the unlocking chunks.

    If some chunk unlocks at or after ``slash_era + bonding_duration`` (it was still at stake when
    the offence happened), the slash is proportional over ``active`` and those chunks (ratio
    rounded up, Perquintill); otherwise it comes out of ``active`` first, then the newest chunks.
    Anything left below ``minimum_balance`` in a slashed part is taken too. Returns the new ledger,
    the amount actually slashed, and ``{era: new chunk value}`` for every chunk touched (what the
    ``on_slash`` listeners receive).
    """
    if amount == 0:
        return ledger, 0, {}
    active = ledger.active
    chunks = [[c.value, c.era] for c in ledger.unlocking]
    start = slash_era + bonding_duration
    first = next((i for i, c in enumerate(chunks) if c[1] >= start), None)
    if first is not None:
        affected = active + sum(c[0] for c in chunks[first:])
        ratio = PERQUINTILL if affected == 0 else min(PERQUINTILL, _ceil_div(amount * PERQUINTILL, affected))
        order = list(range(first, len(chunks))) + list(range(first - 1, -1, -1))
    else:
        ratio = None
        order = list(range(len(chunks) - 1, -1, -1))
    remaining = amount
    total = ledger.total

    def take(target: int) -> tuple[int, int]:
        nonlocal remaining, total
        want = _ceil_div(ratio * target, PERQUINTILL) if ratio is not None else remaining
        cut = min(want, target, remaining)
        left = target - cut
        if left < minimum_balance:
            cut += left
            left = 0
        total -= cut
        remaining = remaining - cut if cut < remaining else 0
        return left, cut

    active, _ = take(active)
    touched: dict[int, int] = {}
    for i in order:
        if remaining == 0:
            break
        chunks[i][0], _ = take(chunks[i][0])
        touched[chunks[i][1]] = chunks[i][0]
    unlocking = tuple(UnlockChunk(v, e) for v, e in chunks if v)
    new = dataclasses.replace(ledger, total=total, active=active, unlocking=unlocking)
    return new, ledger.total - total, touched


class LedgerOps:
    """Mixin of the Staking pallet: ledger storage and the balance lock (``StakingLedger::update``)."""

    storage: object
    currency: "Currency"

    def ledger(self, stash: str) -> StakingLedger | None:
        return self.storage.Ledger.get(stash)  # type: ignore[attr-defined]

    def is_bonded(self, stash: str) -> bool:
        return stash in self.storage.Bonded  # type: ignore[attr-defined]

    def stash_of(self, controller: str) -> str | None:
        """``pallet_staking::StashOf`` (Session's ``ValidatorIdOf``): the stash of the ledger
        ``controller`` controls (``StakingLedger::paired_account(Controller(..))``)."""
        ledger = self.storage.Ledger.get(controller)  # type: ignore[attr-defined]
        return ledger.stash if ledger is not None else None

    def _update_ledger(self, ledger: StakingLedger) -> None:
        """Store the ledger and lock exactly ``ledger.total`` of the stash's balance."""
        self.currency.set_lock(STAKING_ID, ledger.stash, ledger.total)
        self.storage.Ledger.insert(ledger.stash, ledger)  # type: ignore[attr-defined]

    def _bond_ledger(self, ledger: StakingLedger, payee: RewardDestination) -> None:
        s = self.storage
        s.Payee.insert(ledger.stash, payee)  # type: ignore[attr-defined]
        s.Bonded.insert(ledger.stash, ledger.stash)  # type: ignore[attr-defined]
        self._update_ledger(ledger)

    def _kill_ledger(self, stash: str) -> None:
        s = self.storage
        s.Bonded.remove(stash)  # type: ignore[attr-defined]
        s.Ledger.remove(stash)  # type: ignore[attr-defined]
        s.Payee.remove(stash)  # type: ignore[attr-defined]
        self.currency.remove_lock(STAKING_ID, stash)
