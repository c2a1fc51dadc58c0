"""Staking: offences, deferred slashes (SlashDeferDuration = 10 eras) and cancel_deferred_slash."""

from __future__ import annotations

from runtime import UNIT, Runtime
from tests.staking.staking_helpers import ALICE, BOB, CHARLIE, TREASURY, bond, events, fails, fast, issuance, ledger, locked, make_validator, staking

TEN_PERCENT = 100_000_000


def setup() -> Runtime:
    """Bob (100, not invulnerable) and Alice validate; Charlie (300) nominates Bob; era 1 active."""
    rt = fast()
    make_validator(rt, "Bob", 100 * UNIT)
    bond(rt, "Charlie", 300 * UNIT)
    rt.dispatch("Charlie", "Staking", "nominate", {"targets": ["Bob"]})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(1)
    assert BOB in staking(rt).elected_validators()
    return rt


def until_era(rt: Runtime, era: int) -> None:
    while staking(rt).active_era() < era:
        rt.advance_sessions(1)


def test_offence_is_deferred_and_applied_at_the_right_era() -> None:
    rt = setup()
    receipt = rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    assert receipt.event("SlashReported")["slash_era"] == 1
    pending = rt.query("Staking", "UnappliedSlashes", [12]).value
    assert pending == [{"validator": BOB, "own": 10 * UNIT, "others": [(CHARLIE, 30 * UNIT)], "reporters": [], "payout": 2 * UNIT}]
    before = issuance(rt)
    treasury = rt.free_balance(TREASURY)
    until_era(rt, 11)  # one era early: nothing yet
    assert ledger(rt, "Bob").active == 100 * UNIT and ledger(rt, "Charlie").active == 300 * UNIT
    assert not events(rt, "Staking.Slashed")
    until_era(rt, 12)
    assert ledger(rt, "Bob").active == 90 * UNIT == locked(rt, "Bob")
    assert ledger(rt, "Charlie").active == 270 * UNIT == locked(rt, "Charlie")
    assert {e["staker"]: e["amount"] for e in events(rt, "Staking.Slashed")} == {BOB: 10 * UNIT, CHARLIE: 30 * UNIT}
    assert rt.free_balance(TREASURY) >= treasury + 40 * UNIT  # slashes go to the Treasury (plus era remainders)
    paid_remainders = sum(e["remainder"] for e in events(rt, "Staking.EraPaid") if e["era_index"] >= 1)
    assert rt.free_balance(TREASURY) == treasury + 40 * UNIT + paid_remainders
    assert issuance(rt) == before + paid_remainders  # a slash moves funds, it creates or burns none
    assert rt.query("Staking", "UnappliedSlashes", [12]).value == []
    rt.db.check_immutable()


def test_cancel_before_application() -> None:
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    fails(rt, "BadOrigin", "Bob", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [0]})
    fails(rt, "BadOrigin", "council", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [0]})
    fails(rt, "Staking.EmptyTargets", "root", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": []})
    fails(rt, "Staking.NotSortedAndUnique", "root", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [0, 0]})
    fails(rt, "Staking.InvalidSlashIndex", "root", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [1]})
    fails(rt, "Staking.InvalidSlashIndex", "root", "Staking", "cancel_deferred_slash", {"era": 11, "slash_indices": [0]})
    until_era(rt, 11)
    rt.dispatch("slash_cancel", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [0]})
    until_era(rt, 13)
    assert ledger(rt, "Bob").active == 100 * UNIT and ledger(rt, "Charlie").active == 300 * UNIT
    assert not events(rt, "Staking.Slashed")


def test_cancel_after_application_fails() -> None:
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    until_era(rt, 12)
    fails(rt, "Staking.InvalidSlashIndex", "root", "Staking", "cancel_deferred_slash", {"era": 12, "slash_indices": [0]})
    assert ledger(rt, "Bob").active == 90 * UNIT


def test_cancel_some_of_several() -> None:
    rt = setup()
    make_validator(rt, "Dave", 100 * UNIT)
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 3})
    rt.advance_eras(1)
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Dave", "slash_fraction": TEN_PERCENT})
    assert len(rt.query("Staking", "UnappliedSlashes", [13]).value) == 2
    rt.dispatch("root", "Staking", "cancel_deferred_slash", {"era": 13, "slash_indices": [1]})
    until_era(rt, 13)
    assert ledger(rt, "Bob").active == 90 * UNIT and ledger(rt, "Dave").active == 100 * UNIT


def test_invulnerables_and_unexposed_validators_are_not_slashed() -> None:
    rt = setup()
    receipt = rt.dispatch("root", "Staking", "report_offence", {"validator": "Alice", "slash_fraction": TEN_PERCENT})
    assert not receipt.events_named("Staking.SlashReported")  # Alice is a genesis invulnerable
    make_validator(rt, "Eve", 10 * UNIT)  # not elected in era 1
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Eve", "slash_fraction": TEN_PERCENT})
    assert rt.query("Staking", "UnappliedSlashes", [12]).value == []
    fails(rt, "BadOrigin", "Bob", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 1})
    _ = ALICE


def test_repeated_offence_in_an_era_pays_only_the_difference() -> None:
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT // 2})  # lower: ignored
    assert len(rt.query("Staking", "UnappliedSlashes", [12]).value) == 1
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 2 * TEN_PERCENT})
    second = rt.query("Staking", "UnappliedSlashes", [12]).value[1]
    assert second["own"] == 10 * UNIT and second["others"] == [(CHARLIE, 30 * UNIT)]
    until_era(rt, 12)
    assert ledger(rt, "Bob").active == 80 * UNIT and ledger(rt, "Charlie").active == 240 * UNIT


def test_unlocking_chunks_after_the_offence_are_slashed_proportionally() -> None:
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    rt.advance_eras(1)
    rt.dispatch("Charlie", "Staking", "unbond", {"value": 200 * UNIT})  # chunk unlocks at era 16
    until_era(rt, 12)
    led = ledger(rt, "Charlie")
    assert led.total == 270 * UNIT
    assert led.active == 90 * UNIT and led.unlocking[0].value == 180 * UNIT  # 10% of each part
    assert locked(rt, "Charlie") == 270 * UNIT


def test_chunk_unlocking_before_slash_era_plus_bonding_duration_is_spared_first() -> None:
    """pallet_staking (stable2407) applies ``UnappliedSlashes[E + D + 1]`` with ``slash_era =
    active_era - D = E + 1``, so only chunks unlocking at ``>= E + 1 + BondingDuration`` count as
    exposed; an earlier chunk is slashed only after the active stake is gone."""
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    rt.dispatch("Charlie", "Staking", "unbond", {"value": 200 * UNIT})  # unlocks at era 15 = 1 + 14
    until_era(rt, 12)
    led = ledger(rt, "Charlie")
    assert led.active == 70 * UNIT and led.unlocking[0].value == 200 * UNIT


def test_slash_with_no_defer_applies_at_once() -> None:
    rt = fast(constants={"Staking": {"SlashDeferDuration": 0}})
    make_validator(rt, "Bob", 100 * UNIT)
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(1)
    receipt = rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": 500_000_000})
    assert receipt.event("Staking.Slashed")["amount"] == 50 * UNIT
    assert ledger(rt, "Bob").active == 50 * UNIT


def test_slash_metadata_is_pruned_after_bonding_duration() -> None:
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    assert rt.query("Staking", "ValidatorSlashInEra", [1, "Bob"]).value is not None
    until_era(rt, 16)
    assert rt.query("Staking", "ValidatorSlashInEra", [1, "Bob"]).value is None
    assert rt.query("Staking", "NominatorSlashInEra", [1, "Charlie"]).value is None


def test_applied_slash_and_era_remainder_reach_the_treasury_with_its_events() -> None:
    """``T::Slash`` and ``T::RewardRemainder`` are the Treasury: its ``OnUnbalanced`` credits its
    account (``Balances.Deposit``, never ``Balances.Minted``, the fungible mint's event) and says
    ``Treasury.Deposit``. A slash: each staker's ``Balances.Slashed`` and ``Staking.Slashed``,
    then one Treasury credit for the total, as ``apply_slash`` hands the merged imbalance over."""
    rt = setup()
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    start = len(rt.all_events())
    until_era(rt, 12)
    new = [e for e in rt.all_events()[start:] if e.name.split(".")[0] in ("Balances", "Treasury") or e.name in ("Staking.Slashed", "Staking.EraPaid")]
    assert not [e for e in new if e.name == "Balances.Minted"]
    slash_at = next(i for i, e in enumerate(new) if e.name == "Staking.Slashed")
    tail = [(e.name, dict(e.attributes)) for e in new[slash_at - 2: slash_at + 7]]
    assert tail == [  # do_slash: the currency's slash, the ledger's new lock, then the staking event
        ("Balances.Slashed", {"who": BOB, "amount": 10 * UNIT}), ("Balances.Unlocked", {"who": BOB, "amount": 10 * UNIT}),
        ("Staking.Slashed", {"staker": BOB, "amount": 10 * UNIT}),
        ("Balances.Slashed", {"who": CHARLIE, "amount": 30 * UNIT}), ("Balances.Unlocked", {"who": CHARLIE, "amount": 30 * UNIT}),
        ("Staking.Slashed", {"staker": CHARLIE, "amount": 30 * UNIT}),
        ("Balances.Deposit", {"who": TREASURY, "amount": 40 * UNIT}), ("Treasury.Deposit", {"value": 40 * UNIT}),
    ]
    for i, e in enumerate(new):  # every remainder: the Treasury credit right after its EraPaid
        if e.name == "Staking.EraPaid" and e["remainder"]:
            assert [(x.name, x.attributes.get("amount", x.attributes.get("value"))) for x in new[i + 1: i + 3]] == [
                ("Balances.Deposit", e["remainder"]), ("Treasury.Deposit", e["remainder"])]
