"""Staking: validate, nominate, chill, kick, chill_other and the governance knobs."""

from __future__ import annotations

import pytest

from runtime import UNIT, Runtime
from tests.staking.staking_helpers import ALICE, BOB, bond, fails, fast, make_validator, staking

NOOP = {k: "Noop" for k in ("min_nominator_bond", "min_validator_bond", "max_nominator_count", "max_validator_count", "chill_threshold", "min_commission", "max_staked_rewards")}


def configs(rt: Runtime, **ops: object) -> None:
    rt.dispatch("root", "Staking", "set_staking_configs", {**NOOP, **ops})


@pytest.fixture
def rt() -> Runtime:
    return fast()


def test_validate(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    receipt = rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 50_000_000, "blocked": False}})
    assert receipt.event("ValidatorPrefsSet")["prefs"].commission == 50_000_000
    assert staking(rt).is_validator(BOB)
    assert rt.query("Staking", "CounterForValidators").value == 2


def test_validate_errors(rt: Runtime) -> None:
    prefs = {"prefs": {"commission": 0, "blocked": False}}
    fails(rt, "Staking.NotController", "Bob", "Staking", "validate", prefs)
    bond(rt, "Bob", 100 * UNIT)
    configs(rt, min_validator_bond={"Set": 200 * UNIT})
    fails(rt, "Staking.InsufficientBond", "Bob", "Staking", "validate", prefs)
    configs(rt, min_validator_bond="Remove", min_commission={"Set": 10_000_000})
    fails(rt, "Staking.CommissionTooLow", "Bob", "Staking", "validate", prefs)
    configs(rt, min_commission="Remove", max_validator_count={"Set": 1})
    fails(rt, "Staking.TooManyValidators", "Bob", "Staking", "validate", prefs)
    # an existing validator may still update its prefs at the limit
    rt.dispatch("Alice", "Staking", "validate", {"prefs": {"commission": 1, "blocked": False}})


def test_nominate_replaces_validate_and_back(rt: Runtime) -> None:
    make_validator(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice", {"Id": "Charlie"}]})
    assert not staking(rt).is_validator(BOB)
    assert staking(rt).nominations(BOB) == (ALICE, rt.account("Charlie"))  # non-validators may be nominated
    assert rt.query("Staking", "CounterForNominators").value == 1
    assert rt.query("Staking", "CounterForValidators").value == 1
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    assert staking(rt).nominations(BOB) is None
    assert rt.query("Staking", "CounterForNominators").value == 0


def test_nominate_errors(rt: Runtime) -> None:
    fails(rt, "Staking.NotController", "Bob", "Staking", "nominate", {"targets": ["Alice"]})
    bond(rt, "Bob", 100 * UNIT)
    configs(rt, min_nominator_bond={"Set": 101 * UNIT})
    fails(rt, "Staking.InsufficientBond", "Bob", "Staking", "nominate", {"targets": ["Alice"]})
    configs(rt, min_nominator_bond="Remove", max_nominator_count={"Set": 0})
    fails(rt, "Staking.TooManyNominators", "Bob", "Staking", "nominate", {"targets": ["Alice"]})
    configs(rt, max_nominator_count="Remove")
    fails(rt, "Staking.EmptyTargets", "Bob", "Staking", "nominate", {"targets": []})
    fails(rt, "Staking.TooManyTargets", "Bob", "Staking", "nominate", {"targets": [f"//V{i}" for i in range(17)]})
    rt.dispatch("Alice", "Staking", "validate", {"prefs": {"commission": 0, "blocked": True}})
    fails(rt, "Staking.BadTarget", "Bob", "Staking", "nominate", {"targets": ["Alice"]})


def test_blocked_validator_can_be_kept_and_kick(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    bond(rt, "Charlie", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    rt.dispatch("Charlie", "Staking", "nominate", {"targets": ["Dave", "Alice"]})
    rt.dispatch("Alice", "Staking", "validate", {"prefs": {"commission": 0, "blocked": True}})
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice", "Dave"]})  # Alice was already there
    receipt = rt.dispatch("Alice", "Staking", "kick", {"who": ["Bob", "Charlie", "Eve"]})
    assert [e["nominator"] for e in receipt.events_named("Staking.Kicked")] == [BOB, rt.account("Charlie")]
    assert staking(rt).nominations(BOB) == (rt.account("Dave"),)
    fails(rt, "Staking.NotController", "Eve", "Staking", "kick", {"who": ["Bob"]})


def test_chill(rt: Runtime) -> None:
    make_validator(rt, "Bob", 100 * UNIT)
    receipt = rt.dispatch("Bob", "Staking", "chill", {})
    assert receipt.event("Chilled")["stash"] == BOB
    assert not staking(rt).is_validator(BOB)
    assert not rt.dispatch("Bob", "Staking", "chill", {}).events_named("Staking.Chilled")  # idle: no event
    fails(rt, "Staking.NotController", "Charlie", "Staking", "chill", {})


def test_chill_other(rt: Runtime) -> None:
    bond(rt, "Bob", 100 * UNIT)
    rt.dispatch("Bob", "Staking", "nominate", {"targets": ["Alice"]})
    fails(rt, "Staking.CannotChillOther", "Charlie", "Staking", "chill_other", {"stash": "Bob"})
    configs(rt, chill_threshold={"Set": 50}, max_nominator_count={"Set": 1}, min_nominator_bond={"Set": 200 * UNIT})
    rt.dispatch("Charlie", "Staking", "chill_other", {"stash": "Bob"})  # 50% of 1 < 1 nominator, 100 < 200
    assert staking(rt).nominations(BOB) is None
    fails(rt, "Staking.NotStash", "Charlie", "Staking", "chill_other", {"stash": "Dave"})


def test_governance_knobs(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "Bob", "Staking", "set_validator_count", {"new": 5})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 5})
    rt.dispatch("root", "Staking", "increase_validator_count", {"additional": 3})
    rt.dispatch("root", "Staking", "scale_validator_count", {"factor": 50})
    assert rt.query("Staking", "ValidatorCount").value == 12
    fails(rt, "Staking.TooManyValidators", "root", "Staking", "set_validator_count", {"new": 1001})
    fails(rt, "Staking.TooManyValidators", "root", "Staking", "increase_validator_count", {"additional": 990})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 600})
    fails(rt, "Staking.TooManyValidators", "root", "Staking", "scale_validator_count", {"factor": 100})
    rt.dispatch("root", "Staking", "set_invulnerables", {"invulnerables": ["Bob"]})
    assert rt.query("Staking", "Invulnerables").value == [BOB]
    fails(rt, "BadOrigin", "Bob", "Staking", "set_min_commission", {"new": 5})
    rt.dispatch("slash_cancel", "Staking", "set_min_commission", {"new": 7})
    make_validator(rt, "Bob", 100 * UNIT, commission=7)
    rt.dispatch("root", "Staking", "set_min_commission", {"new": 9})
    rt.dispatch("Eve", "Staking", "force_apply_min_commission", {"validator_stash": "Bob"})
    assert rt.query("Staking", "Validators", ["Bob"]).value["commission"] == 9
    fails(rt, "Staking.NotStash", "Eve", "Staking", "force_apply_min_commission", {"validator_stash": "Eve"})
    fails(rt, "BadOrigin", "Bob", "Staking", "set_staking_configs", NOOP)


def test_update_payee_errors(rt: Runtime) -> None:
    fails(rt, "Staking.NotController", "Eve", "Staking", "update_payee", {"controller": "Bob"})
    bond(rt, "Bob", 100 * UNIT, payee="Stash")
    fails(rt, "Staking.NotController", "Eve", "Staking", "update_payee", {"controller": "Bob"})
    bond(rt, "Charlie", 100 * UNIT, payee="Controller")
    rt.dispatch("Eve", "Staking", "update_payee", {"controller": "Charlie"})
    assert rt.query("Staking", "Payee", ["Charlie"]).value == {"Account": rt.account("Charlie")}
