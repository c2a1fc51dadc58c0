"""Staking.restore_ledger and deprecate_controller_batch, porting pallet_staking's ledger_recovery tests
(stable2407): each LedgerIntegrityState (Corrupted, CorruptedKilled, LockCorrupted, a lingering lock),
the caller-supplied total capped by the free balance, and the controller batch's skips and failures.
Corruption is written straight into storage, as the upstream tests do (on chain: a bad migration, or
raw ``System.set_storage``)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from runtime import UNIT, Runtime
from runtime.accounts import DEV_ACCOUNTS

from pallets.staking.ledger import STAKING_ID
from pallets.staking.types import RewardDestination, StakingLedger, UnlockChunk
from tests.support.dispatch import fails_atomically

BOB, CHARLIE, DAVE = DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"], DEV_ACCOUNTS["Dave"]
RESTORE = {"maybe_controller": None, "maybe_total": None, "maybe_unlocking": None}


@pytest.fixture
def staked(rt: Runtime) -> Runtime:
    rt.dispatch("Bob", "Staking", "bond", {"value": 1_000 * UNIT, "payee": "Staked"})
    rt.dispatch("Charlie", "Staking", "bond", {"value": 500 * UNIT, "payee": "Staked"})
    return rt


def poke(rt: Runtime, fn: Callable[[Any], Any]) -> None:
    rt.db.transactional(lambda: fn(rt.pallets["Staking"]))


def state(rt: Runtime, who: str) -> str:
    return rt.pallets["Staking"].inspect_bond_state(who)


def lock(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].locked(STAKING_ID, who)


def fails(rt: Runtime, name: str, origin: str, call: str, params: dict) -> None:
    fails_atomically(rt, "Staking", name, origin, call, params)


def test_restore_ledger_refuses_sound_or_unknown_stashes_and_non_admins(staked: Runtime) -> None:
    rt = staked
    assert state(rt, BOB) == "Ok" and state(rt, DAVE) == "NotStash"
    fails(rt, "Staking.CannotRestoreLedger", "root", "restore_ledger", {"stash": "Bob", **RESTORE})
    fails(rt, "Staking.CannotRestoreLedger", "root", "restore_ledger", {"stash": "Dave", **RESTORE})
    poke(rt, lambda st: st.storage.Bonded.insert(CHARLIE, BOB))
    fails(rt, "BadOrigin", "Charlie", "restore_ledger", {"stash": "Charlie", **RESTORE})


def test_restore_corrupted_ledger(staked: Runtime) -> None:
    rt = staked
    poke(rt, lambda st: st.storage.Bonded.insert(CHARLIE, BOB))  # Charlie "controlled" by Bob's ledger
    assert state(rt, CHARLIE) == "Corrupted" and state(rt, BOB) == "Ok"
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", **RESTORE})
    assert state(rt, CHARLIE) == "Ok" and state(rt, BOB) == "Ok"
    ledger = rt.pallets["Staking"].storage.Ledger.get(CHARLIE)
    assert (ledger.stash, ledger.total, ledger.active) == (CHARLIE, 500 * UNIT, 500 * UNIT)  # total from the lock
    # with a total above the free balance: capped by it, and the lock follows
    poke(rt, lambda st: st.storage.Bonded.insert(CHARLIE, BOB))
    free = rt.pallets["Balances"].free_balance(CHARLIE)
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", "maybe_controller": None, "maybe_total": 10**30, "maybe_unlocking": None})
    assert rt.pallets["Staking"].storage.Ledger.get(CHARLIE).total == free == lock(rt, CHARLIE)


def test_restore_corrupted_killed_ledger(staked: Runtime) -> None:
    rt = staked
    poke(rt, lambda st: st.storage.Ledger.remove(CHARLIE))
    assert state(rt, CHARLIE) == "CorruptedKilled"
    chunk = {"value": 7 * UNIT, "era": 20}
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", "maybe_controller": None, "maybe_total": None, "maybe_unlocking": [chunk]})
    ledger = rt.pallets["Staking"].storage.Ledger.get(CHARLIE)
    assert ledger.total == 500 * UNIT and ledger.unlocking == (UnlockChunk(7 * UNIT, 20),)
    # killed with its lock too: the total must be given
    poke(rt, lambda st: (st.storage.Ledger.remove(CHARLIE), st.currency.remove_lock(STAKING_ID, CHARLIE)))
    assert state(rt, CHARLIE) == "CorruptedKilled"
    fails(rt, "Staking.CannotRestoreLedger", "root", "restore_ledger", {"stash": "Charlie", **RESTORE})
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", "maybe_controller": None, "maybe_total": 300 * UNIT, "maybe_unlocking": None})
    assert lock(rt, CHARLIE) == 300 * UNIT and state(rt, CHARLIE) == "Ok"


def test_restore_ledger_with_weird_lock(staked: Runtime) -> None:
    rt = staked
    poke(rt, lambda st: st.currency.set_lock(STAKING_ID, CHARLIE, 123 * UNIT))
    assert state(rt, CHARLIE) == "LockCorrupted"
    fails(rt, "Staking.CannotRestoreLedger", "root", "restore_ledger", {"stash": "Charlie", **RESTORE})
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", "maybe_controller": None, "maybe_total": 450 * UNIT, "maybe_unlocking": None})
    assert lock(rt, CHARLIE) == 450 * UNIT == rt.pallets["Staking"].storage.Ledger.get(CHARLIE).active


def test_restore_removes_a_lingering_lock(staked: Runtime) -> None:
    rt = staked
    poke(rt, lambda st: (st.storage.Ledger.remove(CHARLIE), st.storage.Bonded.remove(CHARLIE)))
    assert state(rt, CHARLIE) == "BadState" and lock(rt, CHARLIE) == 500 * UNIT
    rt.dispatch("root", "Staking", "restore_ledger", {"stash": "Charlie", **RESTORE})
    assert lock(rt, CHARLIE) == 0 and state(rt, CHARLIE) == "NotStash"


def test_deprecate_controller_batch(staked: Runtime) -> None:
    rt = staked

    def split_bob(st: Any) -> None:  # Bob's ledger controlled by Dave (a pre-deprecation pairing)
        ledger = st.storage.Ledger.remove(BOB)
        st.storage.Ledger.insert(DAVE, ledger)
        st.storage.Bonded.insert(BOB, DAVE)

    poke(rt, split_bob)
    # unknown controllers and controllers equal to their stash are skipped silently
    r = rt.dispatch("root", "Staking", "deprecate_controller_batch", {"controllers": ["Dave", "Charlie", "Eve"]})
    assert r.triggered_events[-1].name == "Staking.ControllerBatchDeprecated" and r.triggered_events[-1].values[0] == 0
    assert rt.pallets["Staking"].storage.Bonded.get(BOB) == BOB
    assert rt.pallets["Staking"].storage.Ledger.get(BOB).stash == BOB and rt.pallets["Staking"].storage.Ledger.get(DAVE) is None
    # a stash still paying the deprecated Controller destination is skipped
    poke(rt, split_bob)
    poke(rt, lambda st: st.storage.Payee.insert(BOB, RewardDestination.Controller))
    rt.dispatch("root", "Staking", "deprecate_controller_batch", {"controllers": ["Dave"]})
    assert rt.pallets["Staking"].storage.Bonded.get(BOB) == DAVE
    # a stash already controlling another stash's ledger: counted as a failure, nothing moved
    poke(rt, lambda st: st.storage.Payee.insert(BOB, RewardDestination.Staked))
    poke(rt, lambda st: st.storage.Ledger.insert(BOB, StakingLedger(CHARLIE, 1, 1, (), ())))
    r = rt.dispatch("root", "Staking", "deprecate_controller_batch", {"controllers": ["Dave"]})
    assert r.triggered_events[-1].values[0] == 1 and rt.pallets["Staking"].storage.Bonded.get(BOB) == DAVE
    fails(rt, "BadOrigin", "Bob", "deprecate_controller_batch", {"controllers": ["Dave"]})
    with pytest.raises(ValueError, match="controllers"):
        rt.dispatch("root", "Staking", "deprecate_controller_batch", {"controllers": ["Dave"] * 101})
