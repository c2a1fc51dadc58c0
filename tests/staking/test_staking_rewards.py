"""Staking: era payout (fixed and reward curve) and payout_stakers pro rata to exposure."""

from __future__ import annotations

import pytest

from runtime import UNIT, GenesisConfig, Runtime
from tests.staking.staking_helpers import ALICE, BOB, CHARLIE, DAVE, TREASURY, bond, events, fails, fast, issuance, ledger, make_validator, staking

PAYOUT = 1000 * UNIT


def fixed(**overrides: object) -> Runtime:
    return fast(staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "era_payout": PAYOUT}, **overrides)


def test_single_validator_and_nominator_pro_rata() -> None:
    rt = fixed()
    bond(rt, "Bob", 300 * UNIT, payee="Stash")
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    rt.advance_eras(2)  # era 1 has Bob's exposure and has ended
    assert rt.query("Staking", "ErasValidatorReward", [1]).value == PAYOUT
    alice_before, bob_before = ledger(rt, "Alice").active, rt.free_balance(BOB)
    receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})
    rewarded = {e["stash"]: e["amount"] for e in receipt.events_named("Staking.Rewarded")}
    assert rewarded == {ALICE: 250 * UNIT, BOB: 750 * UNIT}
    assert ledger(rt, "Alice").active == alice_before + 250 * UNIT  # genesis payee: Staked
    assert rt.free_balance(BOB) == bob_before + 750 * UNIT  # payee Stash: not bonded
    assert ledger(rt, "Bob").active == 300 * UNIT
    assert receipt.events_named("Staking.PayoutStarted")[0]["era_index"] == 1
    # make_payout deposits (``Currency::deposit_into_existing``: ``Balances.Deposit``, not the fungible
    # mint's ``Minted``), then says ``Rewarded``; the Staked payee's new lock follows its deposit
    money = [(e.name, e.attributes.get("who", e.attributes.get("stash")), e["amount"]) for e in receipt.triggered_events
             if e.name in ("Balances.Deposit", "Balances.Minted", "Staking.Rewarded")]
    assert money == [("Balances.Deposit", ALICE, 250 * UNIT), ("Staking.Rewarded", ALICE, 250 * UNIT),
                     ("Balances.Deposit", BOB, 750 * UNIT), ("Staking.Rewarded", BOB, 750 * UNIT)]
    fails(rt, "Staking.AlreadyClaimed", "Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})


def test_commission_first_then_pro_rata() -> None:
    rt = fixed()
    rt.dispatch("Alice", "Staking", "validate", {"prefs": {"commission": 100_000_000, "blocked": False}})  # 10%
    bond(rt, "Bob", 300 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    rt.advance_eras(2)
    receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})
    rewarded = {e["stash"]: e["amount"] for e in receipt.events_named("Staking.Rewarded")}
    assert rewarded == {ALICE: 100 * UNIT + 225 * UNIT, BOB: 675 * UNIT}


def test_two_validators_share_by_points() -> None:
    rt = fixed()
    make_validator(rt, "Bob", 100 * UNIT)
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(2)
    points = rt.query("Staking", "ErasRewardPoints", [1]).value
    assert points["total"] == 30 * 20  # 30 blocks, 20 points each
    assert sorted(p for _, p in points["individual"]) == [300, 300]
    paid = 0
    for v in ("Alice", "Bob"):
        receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": v, "era": 1})
        paid += receipt.event("Rewarded")["amount"]
    assert paid == PAYOUT


def test_reward_destinations() -> None:
    rt = fixed()
    for who, payee in (("Bob", {"Account": "Ferdie"}), ("Charlie", "None"), ("Dave", "Staked")):
        bond(rt, who, 100 * UNIT, payee=payee)
        rt.dispatch(who, "Staking", "nominate", {"targets": ["Alice"]})
    rt.advance_eras(2)
    ferdie = rt.free_balance(rt.account("Ferdie"))
    charlie = rt.free_balance(CHARLIE)
    receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})
    rewarded = {e["stash"]: e for e in receipt.events_named("Staking.Rewarded")}
    assert CHARLIE not in rewarded and rt.free_balance(CHARLIE) == charlie
    assert rt.free_balance(rt.account("Ferdie")) == ferdie + 250 * UNIT
    assert ledger(rt, "Dave").active == 350 * UNIT


def test_payout_errors() -> None:
    rt = fixed(constants={"Staking": {"HistoryDepth": 3}})
    fails(rt, "Staking.NotStash", "Eve", "Staking", "payout_stakers", {"validator_stash": "Bob", "era": 0})
    fails(rt, "Staking.InvalidEraToReward", "Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 0})  # era 0 not over
    fails(rt, "Staking.InvalidEraToReward", "Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 5})
    fails(rt, "Staking.InvalidPage", "Eve", "Staking", "payout_stakers_by_page", {"validator_stash": "Alice", "era": 0, "page": 1})
    fails(rt, "BadOrigin", "root", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 0})
    rt.advance_eras(5)
    fails(rt, "Staking.InvalidEraToReward", "Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 0})  # beyond HistoryDepth
    rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 3})


def test_validator_not_elected_gets_nothing_but_is_marked_claimed() -> None:
    rt = fixed()
    make_validator(rt, "Bob", 10 * UNIT)  # ValidatorCount stays 1: Bob is never elected
    rt.advance_eras(2)
    receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Bob", "era": 1})
    assert not receipt.events_named("Staking.Rewarded")
    fails(rt, "Staking.AlreadyClaimed", "Eve", "Staking", "payout_stakers", {"validator_stash": "Bob", "era": 1})


def test_paged_payout_pays_every_nominator_once() -> None:
    extra = {f"//N{i}": 1000 * UNIT for i in range(70)}
    rt = Runtime(GenesisConfig.dev(session_length=10, balances={**GenesisConfig.dev().balances, **extra}, staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "era_payout": PAYOUT}))
    for i in range(70):
        bond(rt, f"//N{i}", 10 * UNIT, payee="Stash")
        rt.dispatch(f"//N{i}", "Staking", "nominate", {"targets": ["Alice"]})
    rt.dispatch("Alice", "Staking", "validate", {"prefs": {"commission": 100_000_000, "blocked": False}})
    rt.advance_eras(2)
    total = 0
    names = []
    for _ in range(2):
        receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})
        for e in receipt.events_named("Staking.Rewarded"):
            total += e["amount"]
            names.append(e["stash"])
    assert rt.query("Staking", "ClaimedRewards", [1, "Alice"]).value == [0, 1]
    assert len(names) == 72 and names.count(ALICE) == 2  # validator paid (commission share) on each page
    assert PAYOUT - 100 <= total <= PAYOUT  # Perbill rounding only
    each = {e for e in names if e != ALICE}
    assert len(each) == 70
    fails(rt, "Staking.AlreadyClaimed", "Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": 1})


def test_reward_curve_issuance_accounting() -> None:
    rt = fast()  # era_payout 0: the testnet reward curve
    bond(rt, "Bob", 500_000 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    start = issuance(rt)
    treasury = rt.free_balance(TREASURY)
    rt.advance_eras(3)
    paid = events(rt, "Staking.EraPaid")
    assert [e["era_index"] for e in paid] == [0, 1, 2]
    remainders = sum(e["remainder"] for e in paid)
    assert rt.free_balance(TREASURY) == treasury + remainders
    minted = 0
    for era in (1, 2):
        receipt = rt.dispatch("Eve", "Staking", "payout_stakers", {"validator_stash": "Alice", "era": era})
        minted += sum(e["amount"] for e in receipt.events_named("Staking.Rewarded"))
        assert minted <= sum(e["validator_payout"] for e in paid)
    assert issuance(rt) == start + remainders + minted
    # the curve: about 6.25M TNT issued, ~1/12 staked: I(x) ~ 1.5% + 1%*x/0.8 of issuance per year
    era1 = paid[1]
    per_year = (era1["validator_payout"] + era1["remainder"]) * 365 * 24 * 3600 * 1000 // (30 * 6000)
    assert per_year == pytest.approx(start * 25 // 1000, rel=1e-3)  # maximum = 2.5% a year
    staked_fraction = 500_100 / 6_000_000
    expected_rate = 0.015 + 0.01 * staked_fraction / 0.8
    assert era1["validator_payout"] / (era1["validator_payout"] + era1["remainder"]) == pytest.approx(expected_rate / 0.025, rel=1e-3)
    _ = (BOB, DAVE, staking)


def test_inflation_curve_shape() -> None:
    from pallets.staking.rewards import inflation_parts

    args = (15_000_000, 25_000_000, 800_000_000, 50_000_000)
    assert inflation_parts(0, *args) == 15_000_000
    assert inflation_parts(400_000_000, *args) == 20_000_000
    assert inflation_parts(800_000_000, *args) == 25_000_000
    assert inflation_parts(850_000_000, *args) == 20_000_000  # one falloff above: half of the excess
    assert inflation_parts(900_000_000, *args) == 17_500_000
    assert inflation_parts(1_000_000_000, *args) == 15_000_000 + 10_000_000 // 16
    assert 17_500_000 < inflation_parts(875_000_000, *args) < 20_000_000


def test_max_staked_rewards_caps_validator_payout() -> None:
    rt = fast()
    rt.dispatch("root", "Staking", "set_staking_configs", {
        "min_nominator_bond": "Noop", "min_validator_bond": "Noop", "max_nominator_count": "Noop",
        "max_validator_count": "Noop", "chill_threshold": "Noop", "min_commission": "Noop", "max_staked_rewards": {"Set": 10}})
    rt.advance_eras(1)
    paid = events(rt, "Staking.EraPaid")[0]
    total = paid["validator_payout"] + paid["remainder"]
    assert paid["validator_payout"] <= total // 10 + 1
