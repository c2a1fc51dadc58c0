"""MultiAssetDelegation delegations: delegate, the unstake flow, limits, blueprint selections."""

from __future__ import annotations

import pytest

from runtime.accounts import derive_account
from mad_helpers import BOB, CHARLIE, DAVE, MAD, TNT, UNIT, USDC, delegate, delegator, deposit, fails, leaves_with_a_delegation, mad, make_rt, names, operator

FIXED1 = {"Fixed": [1]}


@pytest.fixture
def rt():  # type: ignore[no-untyped-def]
    rt = make_rt()
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", TNT, 100 * UNIT)
    deposit(rt, "Charlie", USDC, 10_000)
    return rt


def test_delegate_records_both_sides(rt) -> None:  # type: ignore[no-untyped-def]
    receipt = delegate(rt, "Charlie", "Bob", TNT, 30 * UNIT, FIXED1)
    assert names(receipt) == ["Delegated"]
    ev = receipt.event("Delegated")
    assert (ev["who"], ev["operator"], ev["amount"]) == (CHARLIE, BOB, 30 * UNIT)
    d = delegator(rt, "Charlie")
    assert [(x.operator, x.amount, x.blueprint_selection.value, x.is_nomination) for x in d.delegations] == [(BOB, 30 * UNIT, (1,), False)]
    assert d.deposits[0][1].delegated_amount == 30 * UNIT
    op = operator(rt, "Bob")
    assert op.delegation_count == 1 and [(b.delegator, b.amount) for b in op.delegations] == [(CHARLIE, 30 * UNIT)]
    info = rt.pallets[MAD]
    assert info.get_total_delegation_by_asset(BOB, d.deposits[0][0]) == 30 * UNIT
    assert info.get_delegators_for_operator(BOB) == [(CHARLIE, 30 * UNIT, d.deposits[0][0])]


def test_repeat_delegation_merges_and_keeps_the_first_selection(rt) -> None:  # type: ignore[no-untyped-def]
    delegate(rt, "Charlie", "Bob", TNT, 10 * UNIT, FIXED1)
    delegate(rt, "Charlie", "Bob", TNT, 5 * UNIT, "All")
    d = delegator(rt, "Charlie").delegations
    assert len(d) == 1 and d[0].amount == 15 * UNIT and d[0].blueprint_selection.value == (1,)
    assert operator(rt, "Bob").delegation_count == 1
    delegate(rt, "Charlie", "Bob", USDC, 100)
    assert operator(rt, "Bob").delegation_count == 2


def test_delegate_errors_in_check_order(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Charlie", "delegate", operator=DAVE, asset=TNT, amount=0, blueprint_selection="All")
    mad(rt, "Bob", "go_offline")
    fails(rt, "MultiAssetDelegation.NotActiveOperator", "Charlie", "delegate", operator=BOB, asset=TNT, amount=0, blueprint_selection="All")
    mad(rt, "Bob", "go_online")
    fails(rt, "MultiAssetDelegation.InvalidAmount", "Dave", "delegate", operator=BOB, asset=TNT, amount=0, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "delegate", operator=BOB, asset=TNT, amount=1, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "delegate", operator=BOB, asset={"Custom": 99}, amount=1, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "delegate", operator=BOB, asset=TNT, amount=100 * UNIT + 1, blueprint_selection="All")


def test_delegator_max_delegations() -> None:
    rt = make_rt(constants={MAD: {"MaxDelegations": 3}})
    deposit(rt, "Charlie", TNT, 100 * UNIT)
    ops = [derive_account(f"op{i}") for i in range(4)]
    for op in ops:
        rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": op, "value": 10 * UNIT})
        mad(rt, op, "join_operators", bond_amount=UNIT)
    for op in ops[:3]:
        delegate(rt, "Charlie", op, TNT, UNIT)
    fails(rt, "MultiAssetDelegation.MaxDelegationsExceeded", "Charlie", "delegate", operator=ops[3], asset=TNT, amount=UNIT, blueprint_selection="All")


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_operator_full_of_delegations_and_top_ups(profile: str) -> None:
    """Real refuses even a top-up of an existing entry once the operator holds MaxDelegations entries."""
    rt = make_rt(profile, constants={MAD: {"MaxDelegations": 2}})
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    for who in ("Charlie", "Dave", "Eve"):
        deposit(rt, who, TNT, 10 * UNIT)
    delegate(rt, "Charlie", "Bob", TNT, UNIT)
    delegate(rt, "Dave", "Bob", TNT, UNIT)
    fails(rt, "MultiAssetDelegation.MaxDelegationsExceeded", "Eve", "delegate", operator=BOB, asset=TNT, amount=UNIT, blueprint_selection="All")
    if profile == "real":
        fails(rt, "MultiAssetDelegation.MaxDelegationsExceeded", "Charlie", "delegate", operator=BOB, asset=TNT, amount=UNIT, blueprint_selection="All")
    else:
        delegate(rt, "Charlie", "Bob", TNT, UNIT)
        assert operator(rt, "Bob").delegations[0].amount == 2 * UNIT


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_delegated_event_count(profile: str) -> None:
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", TNT, 10 * UNIT)
    receipt = delegate(rt, "Charlie", "Bob", TNT, UNIT)
    assert names(receipt) == ["Delegated"] * (2 if profile == "real" else 1)


def test_unstake_flow(rt) -> None:  # type: ignore[no-untyped-def]
    delegate(rt, "Charlie", "Bob", TNT, 30 * UNIT)
    fails(rt, "MultiAssetDelegation.InvalidAmount", "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=0)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=1)
    fails(rt, "MultiAssetDelegation.NoActiveDelegation", "Charlie", "schedule_delegator_unstake", operator=BOB, asset=USDC, amount=1)
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=31 * UNIT)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "execute_delegator_unstake")
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Charlie", "execute_delegator_unstake")
    receipt = mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=20 * UNIT)
    assert receipt.event("DelegatorUnstakeScheduled")["when"] == 5
    # pending requests count against what can still be scheduled
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=11 * UNIT)
    # the stake still counts until execution
    assert operator(rt, "Bob").delegations[0].amount == 30 * UNIT
    rt.advance_sessions(4)
    fails(rt, "MultiAssetDelegation.BondLessNotReady", "Charlie", "execute_delegator_unstake")
    rt.advance_sessions(1)
    receipt = mad(rt, "Charlie", "execute_delegator_unstake")
    assert receipt.event("DelegatorUnstakeExecuted")["amount"] == 20 * UNIT
    d = delegator(rt, "Charlie")
    assert d.delegations[0].amount == 10 * UNIT and d.deposits[0][1].delegated_amount == 10 * UNIT
    assert d.deposits[0][1].amount == 100 * UNIT  # the tokens stay deposited
    assert operator(rt, "Bob").delegations[0].amount == 10 * UNIT
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=10 * UNIT)
    rt.advance_sessions(5)
    mad(rt, "Charlie", "execute_delegator_unstake")
    assert delegator(rt, "Charlie").delegations == ()
    assert operator(rt, "Bob").delegation_count == 0 and operator(rt, "Bob").delegations == ()
    mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=100 * UNIT)  # all withdrawable again


def test_execute_aggregates_per_operator_and_asset(rt) -> None:  # type: ignore[no-untyped-def]
    delegate(rt, "Charlie", "Bob", TNT, 30 * UNIT)
    delegate(rt, "Charlie", "Bob", USDC, 1_000)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=5 * UNIT)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=6 * UNIT)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=USDC, amount=400)
    rt.advance_sessions(5)
    receipt = mad(rt, "Charlie", "execute_delegator_unstake")
    assert [(e["asset"].value, e["amount"]) for e in receipt.events_named("DelegatorUnstakeExecuted")] == [(0, 11 * UNIT), (7, 400)]


def test_max_unstake_requests(rt) -> None:  # type: ignore[no-untyped-def]
    delegate(rt, "Charlie", "Bob", TNT, 30 * UNIT)
    for _ in range(5):
        mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=UNIT)
    fails(rt, "MultiAssetDelegation.MaxUnstakeRequestsExceeded", "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=UNIT)


def test_cancel_delegator_unstake(rt) -> None:  # type: ignore[no-untyped-def]
    delegate(rt, "Charlie", "Bob", TNT, 30 * UNIT)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=5 * UNIT)
    fails(rt, "MultiAssetDelegation.InvalidAmount", "Charlie", "cancel_delegator_unstake", operator=BOB, asset=TNT, amount=0)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "cancel_delegator_unstake", operator=BOB, asset=TNT, amount=1)
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Charlie", "cancel_delegator_unstake", operator=BOB, asset=TNT, amount=4 * UNIT)
    receipt = mad(rt, "Charlie", "cancel_delegator_unstake", operator=BOB, asset=TNT, amount=5 * UNIT)
    assert names(receipt) == ["DelegatorUnstakeCancelled"]
    assert delegator(rt, "Charlie").delegator_unstake_requests == ()
    assert operator(rt, "Bob").delegations[0].amount == 30 * UNIT
    rt.advance_sessions(5)
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Charlie", "execute_delegator_unstake")


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_delegators_after_the_operator_left(profile: str) -> None:
    """Real: delegations dangle and executing the unstake fails NotAnOperator (mad.leave_ignores_delegations).
    Intended (operator_exit_guard): the delegator unstakes and withdraws normally."""
    rt = make_rt(profile)
    leaves_with_a_delegation(rt, deposited=10 * UNIT, delegated=10 * UNIT)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=10 * UNIT)
    rt.advance_sessions(5)
    if profile == "real":
        fails(rt, "MultiAssetDelegation.NotAnOperator", "Charlie", "execute_delegator_unstake")
        fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_withdraw", asset=TNT, amount=10 * UNIT)
        return
    mad(rt, "Charlie", "execute_delegator_unstake")
    mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=10 * UNIT)
    free = rt.free_balance(CHARLIE)
    rt.advance_sessions(10)
    mad(rt, "Charlie", "execute_withdraw", evm_address=None)
    assert rt.free_balance(CHARLIE) == free + 10 * UNIT


def test_blueprint_selection_management(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "add_blueprint_id", blueprint_id=1)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "remove_blueprint_id", blueprint_id=1)
    mad(rt, "Charlie", "add_blueprint_id", blueprint_id=5)  # no delegations: nothing to do
    delegate(rt, "Charlie", "Bob", TNT, UNIT, FIXED1)
    delegate(rt, "Charlie", "Bob", USDC, 10, {"Fixed": [2]})
    receipt = mad(rt, "Charlie", "add_blueprint_id", blueprint_id=3)
    assert names(receipt) == []
    assert [d.blueprint_selection.value for d in delegator(rt, "Charlie").delegations] == [(1, 3), (2, 3)]
    fails(rt, "MultiAssetDelegation.DuplicateBlueprintId", "Charlie", "add_blueprint_id", blueprint_id=1)
    fails(rt, "MultiAssetDelegation.BlueprintIdNotFound", "Charlie", "remove_blueprint_id", blueprint_id=1)  # not in the second
    mad(rt, "Charlie", "remove_blueprint_id", blueprint_id=3)
    assert [d.blueprint_selection.value for d in delegator(rt, "Charlie").delegations] == [(1,), (2,)]
    deposit(rt, "Dave", TNT, 10 * UNIT)
    delegate(rt, "Dave", "Bob", TNT, UNIT, "All")
    fails(rt, "MultiAssetDelegation.NotInFixedMode", "Dave", "add_blueprint_id", blueprint_id=1)
    fails(rt, "MultiAssetDelegation.NotInFixedMode", "Dave", "remove_blueprint_id", blueprint_id=1)


def test_max_blueprints_in_a_selection() -> None:
    rt = make_rt(constants={MAD: {"MaxDelegatorBlueprints": 2}})
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", TNT, 10 * UNIT)
    delegate(rt, "Charlie", "Bob", TNT, UNIT, {"Fixed": [1, 2]})
    fails(rt, "MultiAssetDelegation.MaxBlueprintsExceeded", "Charlie", "add_blueprint_id", blueprint_id=3)


def test_overflow_risk_on_crafted_state(rt) -> None:  # type: ignore[no-untyped-def]
    """OverflowRisk guards u128 sums; reachable only from inconsistent state, so the state is crafted."""
    delegate(rt, "Charlie", "Bob", USDC, 100)
    items = rt.pallets[MAD].storage.Delegators
    meta = items.get(CHARLIE)
    huge = meta.delegations[0].with_amount((1 << 128) - 5)
    rt.db.begin()
    items.insert(CHARLIE, meta.with_delegations((huge,)))
    rt.db.commit()
    fails(rt, "MultiAssetDelegation.OverflowRisk", "Charlie", "delegate", operator=BOB, asset=USDC, amount=10, blueprint_selection="All")
