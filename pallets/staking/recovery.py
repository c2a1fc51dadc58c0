"""Staking's ledger-recovery calls (stable2407): ``deprecate_controller_batch`` and ``restore_ledger``.

Why a module: both repair state the ordinary calls never produce on Tangle (a controller other than
the stash, a ledger out of step with ``Bonded`` or with the ``staking`` lock); in the simulator such
states arise from raw storage writes (``System.set_storage`` / ``kill_storage``, the node's
``dev_setStorage``), and these calls are how governance repairs them. ``inspect_bond_state`` follows
pallet_staking's ``LedgerIntegrityState``.
"""

from __future__ import annotations

from runtime.origin import Origin
from runtime.pallet import call
from runtime.codec import Bounded
from runtime.primitives import U128, AccountId

from pallets.staking.errors import Error
from pallets.staking.events import Event
from pallets.staking.ledger import STAKING_ID
from pallets.staking.types import RewardDestination, StakingLedger, UnlockChunk

MAX_CONTROLLERS_IN_DEPRECATION_BATCH = 100  # MaxControllersInDeprecationBatch (testnet runtime)
MAX_UNLOCKING_CHUNKS = 32  # MaxUnlockingChunks (metadata constant)

OK, CORRUPTED, CORRUPTED_KILLED, LOCK_CORRUPTED = "Ok", "Corrupted", "CorruptedKilled", "LockCorrupted"


class RecoveryCalls:
    @call(28)
    def deprecate_controller_batch(self, origin: Origin, controllers: Bounded(AccountId, MAX_CONTROLLERS_IN_DEPRECATION_BATCH)) -> None:  # type: ignore[valid-type]
        """Point each listed controller's stash at itself. Controllers without a (sound) ledger, already
        equal to their stash, or whose stash still pays to the deprecated ``Controller`` destination
        are skipped; a pair that cannot be moved counts as a failure (the call still succeeds)."""
        from pallets.staking.calls import ensure_admin

        ensure_admin(origin)
        s = self.storage  # type: ignore[attr-defined]
        batch = []
        for controller in controllers:
            ledger = s.Ledger.get(controller)
            if ledger is None or s.Bonded.get(ledger.stash) != controller:
                continue  # StakingLedger::get(Controller(..)) fails: NotController / BadState
            if ledger.stash == controller or s.Payee.get(ledger.stash) == RewardDestination.Controller:
                continue
            batch.append((controller, ledger))
        failures = 0
        for controller, ledger in batch:
            # StakingLedger::set_controller_to_stash: a ledger the stash already controls must be its own.
            held = s.Ledger.get(ledger.stash)
            if held is not None and held.stash != ledger.stash:
                failures += 1
                continue
            s.Ledger.remove(controller)
            s.Ledger.insert(ledger.stash, ledger)
            s.Bonded.insert(ledger.stash, ledger.stash)
        self.deposit_event(Event.ControllerBatchDeprecated(failures))  # type: ignore[attr-defined]

    @call(29)
    def restore_ledger(self, origin: Origin, stash: AccountId, maybe_controller: AccountId | None,
                       maybe_total: U128 | None, maybe_unlocking: Bounded(UnlockChunk, MAX_UNLOCKING_CHUNKS) | None) -> None:  # type: ignore[valid-type]
        """Restore a stash's corrupted ledger (``Bonded``/``Ledger`` out of step, or the ``staking``
        lock differing from the ledger's total). A sound ledger is ``CannotRestoreLedger``."""
        from pallets.staking.calls import ensure_admin

        ensure_admin(origin)
        currency = self.currency  # type: ignore[attr-defined]
        current_lock = currency.locked(STAKING_ID, stash)
        stash_balance = currency.free_balance(stash)
        state = self.inspect_bond_state(stash)
        if state == CORRUPTED:
            new_controller = maybe_controller if maybe_controller is not None else stash
            if maybe_total is not None:
                new_total = min(maybe_total, stash_balance)
                currency.set_lock(STAKING_ID, stash, new_total)
            else:
                new_total = current_lock
        elif state == CORRUPTED_KILLED:
            if current_lock == 0:
                if maybe_total is None:
                    raise Error.CannotRestoreLedger()  # the total cannot be recovered from chain state
                currency.set_lock(STAKING_ID, stash, maybe_total)
            new_controller, new_total = stash, (maybe_total if maybe_total is not None else current_lock)
        elif state == LOCK_CORRUPTED:
            if maybe_total is None:
                raise Error.CannotRestoreLedger()
            new_total = min(maybe_total, stash_balance)
            currency.set_lock(STAKING_ID, stash, new_total)
            new_controller = stash
        elif state == "BadState":
            # neither bond nor ledger, but a lingering lock: drop it
            currency.remove_lock(STAKING_ID, stash)
            if self.inspect_bond_state(stash) != "NotStash":
                raise Error.BadState()
            return
        else:  # Ok, or NotStash
            raise Error.CannotRestoreLedger()
        s = self.storage  # type: ignore[attr-defined]
        s.Bonded.insert(stash, new_controller)
        # StakingLedger::new(stash, total) (active = total), with the given unlocking chunks; update()
        ledger = StakingLedger(stash, new_total, new_total, tuple(maybe_unlocking or ()), ())
        currency.set_lock(STAKING_ID, stash, ledger.total)
        s.Ledger.insert(new_controller, ledger)
        if self.inspect_bond_state(stash) != OK:
            raise Error.BadState()

    def inspect_bond_state(self, stash: str) -> str:
        """pallet_staking's ``inspect_bond_state``: a ``LedgerIntegrityState`` variant name, or the
        error name (``NotStash``: no bond, no lock; ``BadState``: no bond but a lock)."""
        s = self.storage  # type: ignore[attr-defined]
        lock = self.currency.locked(STAKING_ID, stash)  # type: ignore[attr-defined]
        controller = s.Bonded.get(stash)
        if controller is None:
            return "NotStash" if lock == 0 else "BadState"
        ledger = s.Ledger.get(controller)
        if ledger is None:
            return CORRUPTED_KILLED
        if ledger.stash != stash:
            return CORRUPTED
        return LOCK_CORRUPTED if lock != ledger.total else OK
