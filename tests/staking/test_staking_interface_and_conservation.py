"""Staking: the StakingInterface used by MultiAssetDelegation and Lst, and conservation over
thousands of random calls (issuance changes only by minted rewards; ledgers match locks)."""

from __future__ import annotations

import random

import pytest

from runtime import UNIT, DispatchError, Runtime
from runtime.accounts import DEV_NAMES
from runtime.traits import Stake, StakingInterface
from tests.staking.staking_helpers import ALICE, BOB, TREASURY, fast, issuance, locked, staking


def test_interface_protocol_and_mutations() -> None:
    rt = fast()
    iface = staking(rt).interface
    assert isinstance(iface, StakingInterface)
    assert iface.stake(BOB) is None and staking(rt).stake(BOB) is None
    iface.bond(BOB, 100 * UNIT, rt.account("Charlie"))
    assert iface.stake(BOB) == Stake(100 * UNIT, 100 * UNIT)
    assert rt.query("Staking", "Payee", ["Bob"]).value == {"Account": rt.account("Charlie")}
    iface.bond_extra(BOB, 10 * UNIT)
    iface.nominate(BOB, [ALICE])
    assert staking(rt).nominations(BOB) == (ALICE,)
    iface.unbond(BOB, 110 * UNIT)
    assert iface.stake(BOB) == Stake(110 * UNIT, 0)
    iface.chill(BOB)
    assert not staking(rt).is_nominator(BOB)
    assert iface.withdraw_unbonded(BOB, 0) is False
    rt.advance_eras(15)
    assert iface.withdraw_unbonded(BOB, 0) is True
    assert iface.stake(BOB) is None
    with pytest.raises(DispatchError) as exc:
        iface.unbond(BOB, 1)
    assert exc.value.matches("Staking.NotStash")
    assert iface.bonding_duration() == 14 and iface.current_era() == staking(rt).current_era()
    assert iface.elected_validators() == [ALICE] and iface.is_validator(ALICE)


def test_random_calls_conserve_issuance_and_keep_ledgers_locked() -> None:
    rt = fast(staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "era_payout": 0})
    rng = random.Random(7)
    names = list(DEV_NAMES)
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 4})
    start = issuance(rt)
    failures = 0
    for step in range(2500):
        who = rng.choice(names)
        kind = rng.random()
        amount = rng.choice([0, 1, 10**10, UNIT, 37 * UNIT, 400 * UNIT, 10**30])
        if kind < 0.12:
            call = ("bond", {"value": amount, "payee": rng.choice(["Staked", "Stash", {"Account": rng.choice(names)}, "None"])})
        elif kind < 0.22:
            call = ("bond_extra", {"max_additional": amount})
        elif kind < 0.34:
            call = ("unbond", {"value": amount})
        elif kind < 0.40:
            call = ("rebond", {"value": amount})
        elif kind < 0.48:
            call = ("withdraw_unbonded", {"num_slashing_spans": 0})
        elif kind < 0.58:
            call = ("nominate", {"targets": rng.sample(names, rng.randint(1, 3))})
        elif kind < 0.64:
            call = ("validate", {"prefs": {"commission": rng.choice([0, 50_000_000, 1_000_000_000]), "blocked": False}})
        elif kind < 0.68:
            call = ("chill", {})
        elif kind < 0.80:
            call = ("payout_stakers", {"validator_stash": rng.choice(names), "era": rng.randint(0, staking(rt).current_era())})
        elif kind < 0.84:
            who = "root"
            call = ("report_offence", {"validator": rng.choice(names[1:]), "slash_fraction": rng.choice([1, 10**7, 10**8, 5 * 10**8])})
        elif kind < 0.86 and rng.random() < 0.15:
            who = "root"
            pending = [e for e, v in staking(rt).storage.UnappliedSlashes.items() if v]
            call = ("cancel_deferred_slash", {"era": rng.choice(pending) if pending else 0, "slash_indices": [0]})
        else:
            rt.advance_blocks(rng.randint(1, 12))
            continue
        root = rt.state_root()
        receipt = rt.dispatch(who, "Staking", call[0], call[1], raise_error=False)
        if receipt.error is not None:
            failures += 1
            assert rt.state_root() == root
    events = rt.all_events()
    rewarded = sum(e["amount"] for e in events if e.name == "Staking.Rewarded")
    remainders = sum(e["remainder"] for e in events if e.name == "Staking.EraPaid")
    slashed = sum(e["amount"] for e in events if e.name == "Staking.Slashed")
    # what the Treasury's account was credited (slashes and remainders reach it as ``Balances.Deposit``,
    # each followed by the Treasury's own ``Deposit``; a slash it could not take stays burned)
    to_treasury = sum(e["amount"] for e in events if e.name == "Balances.Deposit" and e["who"] == TREASURY)
    assert sum(e["value"] for e in events if e.name == "Treasury.Deposit") >= to_treasury >= remainders
    burned_slashes = slashed - (to_treasury - remainders)
    assert burned_slashes >= 0
    assert issuance(rt) == start + rewarded + remainders - burned_slashes
    assert slashed > 0 and rewarded > 0 and failures > 0
    s = staking(rt).storage
    for stash, led in s.Ledger.items():
        assert led.total == locked(rt, stash) <= rt.free_balance(stash) + rt.pallets["Balances"].reserved_balance(stash)
        assert led.total == led.active + sum(c.value for c in led.unlocking)
        assert s.Bonded.get(stash) == stash
    assert s.CounterForValidators.value() == len(s.Validators)
    assert s.CounterForNominators.value() == len(s.Nominators)
    rt.db.check_immutable()
