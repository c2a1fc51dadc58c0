"""Staking: bond, bond_extra, unbond, withdraw_unbonded, rebond, set_payee and their errors."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from tests.staking.staking_helpers import ALICE, BOB, ED, bond, events, fails, fast, issuance, ledger, locked, staking


@pytest.fixture
def rt() -> Runtime:
    return fast()


def test_bond_locks_and_records(rt: Runtime) -> None:
    receipt = rt.dispatch("Bob", "Staking", "bond", {"value": 500 * UNIT, "payee": {"Account": "Charlie"}})
    assert receipt.event("Bonded")["amount"] == 500 * UNIT
    led = ledger(rt, "Bob")
    assert (led.total, led.active, led.unlocking) == (500 * UNIT, 500 * UNIT, ())
    assert locked(rt, "Bob") == 500 * UNIT
    assert rt.query("Staking", "Bonded", ["Bob"]).value == BOB
    assert rt.query("Staking", "Payee", ["Bob"]).value == {"Account": rt.account("Charlie")}
    assert rt.query("System", "Account", ["Bob"]).value["consumers"] == 1
    # locked funds cannot leave
    fails(rt, "Token.Frozen", "Bob", "Balances", "transfer_allow_death", {"dest": "Dave", "value": rt.free_balance(BOB) - 100 * UNIT})


def test_bond_is_clamped_to_free_balance(rt: Runtime) -> None:
    free = rt.free_balance(BOB)
    bond(rt, "Bob", free + 10 * UNIT)
    assert ledger(rt, "Bob").total == free


def test_bond_errors(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "root", "Staking", "bond", {"value": UNIT, "payee": "Staked"})
    fails(rt, "Staking.AlreadyBonded", "Alice", "Staking", "bond", {"value": UNIT, "payee": "Staked"})
    fails(rt, "Staking.InsufficientBond", "Bob", "Staking", "bond", {"value": ED - 1, "payee": "Staked"})
    fails(rt, "NoProviders", "//Nobody", "Staking", "bond", {"value": ED, "payee": "Staked"})


def test_bond_extra(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    receipt = rt.dispatch("Bob", "Staking", "bond_extra", {"max_additional": 50 * UNIT})
    assert receipt.event("Bonded")["amount"] == 50 * UNIT
    assert ledger(rt, "Bob").active == 150 * UNIT == locked(rt, "Bob")
    # only the unbonded part of the free balance can be added
    free = rt.free_balance(BOB)
    rt.dispatch("Bob", "Staking", "bond_extra", {"max_additional": 10**30})
    assert ledger(rt, "Bob").total == free
    fails(rt, "Staking.NotStash", "Charlie", "Staking", "bond_extra", {"max_additional": UNIT})


def test_unbond_schedules_chunk_bonding_duration_after_current_era(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.advance_eras(2)
    era = staking(rt).current_era()
    receipt = rt.dispatch("Bob", "Staking", "unbond", {"value": 30 * UNIT})
    assert receipt.event("Unbonded")["amount"] == 30 * UNIT
    rt.dispatch("Bob", "Staking", "unbond", {"value": 10 * UNIT})
    led = ledger(rt, "Bob")
    assert led.active == 60 * UNIT and led.total == 100 * UNIT
    assert [(c.value, c.era) for c in led.unlocking] == [(40 * UNIT, era + 14)]  # same era: merged
    assert locked(rt, "Bob") == 100 * UNIT  # still locked while unbonding


def test_unbond_takes_dust_along(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "unbond", {"value": 100 * UNIT - ED + 1})
    led = ledger(rt, "Bob")
    assert led.active == 0 and led.unlocking[0].value == 100 * UNIT


def test_unbond_errors(rt: Runtime) -> None:
    fails(rt, "Staking.NotController", "Bob", "Staking", "unbond", {"value": UNIT})
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    rt.dispatch("root", "Staking", "set_staking_configs", {
        "min_nominator_bond": {"Set": 80 * UNIT}, "min_validator_bond": "Noop", "max_nominator_count": "Noop",
        "max_validator_count": "Noop", "chill_threshold": "Noop", "min_commission": "Noop", "max_staked_rewards": "Noop"})
    fails(rt, "Staking.InsufficientBond", "Bob", "Staking", "unbond", {"value": 30 * UNIT})
    rt.dispatch("Bob", "Staking", "unbond", {"value": 20 * UNIT})  # exactly the minimum stays


def test_no_more_chunks_after_max_unlocking_chunks(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("root", "Staking", "force_new_era_always", {})
    for _ in range(32):
        rt.dispatch("Bob", "Staking", "unbond", {"value": UNIT})
        rt.advance_sessions(1)  # one era per session now
    assert len(ledger(rt, "Bob").unlocking) == 32
    # the oldest chunk unlocks only 14 eras later: none can be withdrawn to make room yet... unless old enough
    eras = [c.era for c in ledger(rt, "Bob").unlocking]
    current = staking(rt).current_era()
    assert any(e <= current for e in eras)  # some chunks have unlocked: unbond withdraws them first
    rt.dispatch("Bob", "Staking", "unbond", {"value": UNIT})
    assert len(ledger(rt, "Bob").unlocking) < 32
    assert events(rt, "Staking.Withdrawn")


def test_no_more_chunks_when_nothing_can_be_withdrawn() -> None:
    rt = fast(constants={"Staking": {"BondingDuration": 40}})
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("root", "Staking", "force_new_era_always", {})
    for _ in range(32):
        rt.dispatch("Bob", "Staking", "unbond", {"value": UNIT})
        rt.advance_sessions(1)
    fails(rt, "Staking.NoMoreChunks", "Bob", "Staking", "unbond", {"value": UNIT})


def test_withdraw_unbonded_after_bonding_duration(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "unbond", {"value": 40 * UNIT})
    unlock = ledger(rt, "Bob").unlocking[0].era
    # too early: nothing moves (and no event)
    rt.advance_eras(13)
    receipt = rt.dispatch("Bob", "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})
    assert not receipt.events_named("Staking.Withdrawn")
    assert ledger(rt, "Bob").total == 100 * UNIT
    while staking(rt).current_era() < unlock:
        rt.advance_sessions(1)
    receipt = rt.dispatch("Bob", "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})
    assert receipt.event("Withdrawn")["amount"] == 40 * UNIT
    assert ledger(rt, "Bob").total == 60 * UNIT == locked(rt, "Bob")
    fails(rt, "Staking.NotController", "Charlie", "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})


def test_full_withdraw_kills_the_stash(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    rt.dispatch("Bob", "Staking", "unbond", {"value": 100 * UNIT})
    rt.advance_eras(15)
    rt.dispatch("Bob", "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})
    assert ledger(rt, "Bob") is None
    assert rt.query("Staking", "Bonded", ["Bob"]).value is None
    assert rt.query("Staking", "Nominators", ["Bob"]).value is None
    assert locked(rt, "Bob") == 0
    assert rt.query("System", "Account", ["Bob"]).value["consumers"] == 0
    bond(rt, "Bob", 10 * UNIT)  # can bond afresh


def test_rebond(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    fails(rt, "Staking.NoUnlockChunk", "Bob", "Staking", "rebond", {"value": UNIT})
    rt.dispatch("Bob", "Staking", "unbond", {"value": 30 * UNIT})
    rt.advance_eras(1)
    rt.dispatch("Bob", "Staking", "unbond", {"value": 20 * UNIT})
    receipt = rt.dispatch("Bob", "Staking", "rebond", {"value": 25 * UNIT})
    assert receipt.event("Bonded")["amount"] == 25 * UNIT
    led = ledger(rt, "Bob")
    assert led.active == 75 * UNIT
    assert [c.value for c in led.unlocking] == [25 * UNIT]  # newest chunk went first, then 5 of the older
    fails(rt, "Staking.NotController", "Charlie", "Staking", "rebond", {"value": UNIT})


def test_rebond_nothing_into_empty_active_fails(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "unbond", {"value": 100 * UNIT})
    fails(rt, "Staking.InsufficientBond", "Bob", "Staking", "rebond", {"value": 0})


def test_set_payee_and_controller(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "set_payee", {"payee": "Stash"})
    assert rt.query("Staking", "Payee", ["Bob"]).value == "Stash"
    fails(rt, "Staking.ControllerDeprecated", "Bob", "Staking", "set_payee", {"payee": "Controller"})
    fails(rt, "Staking.NotController", "Charlie", "Staking", "set_payee", {"payee": "Stash"})
    fails(rt, "Staking.AlreadyPaired", "Bob", "Staking", "set_controller", {})
    fails(rt, "Staking.NotStash", "Charlie", "Staking", "set_controller", {})


def test_reap_stash_and_force_unstake(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    fails(rt, "Staking.FundedTarget", "Charlie", "Staking", "reap_stash", {"stash": "Bob", "num_slashing_spans": 0})
    fails(rt, "BadOrigin", "Charlie", "Staking", "force_unstake", {"stash": "Bob", "num_slashing_spans": 0})
    fails(rt, "Staking.NotStash", "root", "Staking", "force_unstake", {"stash": "Charlie", "num_slashing_spans": 0})
    rt.dispatch("root", "Staking", "force_unstake", {"stash": "Bob", "num_slashing_spans": 0})
    assert ledger(rt, "Bob") is None and locked(rt, "Bob") == 0


def test_bonding_does_not_change_issuance(rt: Runtime) -> None:
    before = issuance(rt)
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "unbond", {"value": 50 * UNIT})
    rt.dispatch("Bob", "Staking", "rebond", {"value": 20 * UNIT})
    assert issuance(rt) == before
    rt.db.check_immutable()


def test_unbond_that_fails_after_withdrawing_is_rolled_back(rolls_back) -> None:  # type: ignore[no-untyped-def]
    """Staking: with every unlocking chunk used, unbond first withdraws the ripe ones (a Withdrawn
    event, a smaller ledger and lock), then fails InsufficientBond: the withdrawal goes too."""
    rt = fast(constants={"Staking": {"BondingDuration": 1, "MaxUnlockingChunks": 2}})
    rt.dispatch("root", "Staking", "set_staking_configs", {"min_nominator_bond": "Noop", "min_validator_bond": {"Set": 50 * UNIT}, "max_nominator_count": "Noop",
                "max_validator_count": "Noop", "chill_threshold": "Noop", "min_commission": "Noop", "max_staked_rewards": "Noop"})
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    for _ in range(2):  # two chunks, in two eras (chunks of one era merge)
        rt.dispatch("Bob", "Staking", "unbond", {"value": UNIT})
        rt.advance_eras(1)
    rt.advance_eras(2)
    assert len(ledger(rt, "Bob").unlocking) == 2
    before, lock = ledger(rt, "Bob"), locked(rt, "Bob")
    rolls_back(rt, "Bob", "Staking", "unbond", {"value": 60 * UNIT}, "Staking.InsufficientBond")
    assert ledger(rt, "Bob") == before and locked(rt, "Bob") == lock
    rt.dispatch("Bob", "Staking", "unbond", {"value": UNIT})  # the control: the same withdrawal, kept
    assert ledger(rt, "Bob").total == 98 * UNIT and len(ledger(rt, "Bob").unlocking) == 1
