"""MultiAssetDelegation slashing (SlashManager::slash_operator): who loses what, per asset, in both profiles."""

from __future__ import annotations

import pytest

from runtime import DispatchError
from runtime.accounts import pallet_account
from pallets.primitives.slashing import UnappliedSlash
from mad_helpers import BOB, CHARLIE, DAVE, EVE, MAD, TNT, UNIT, USDC, USDC_ID, asset_balance, delegate, delegator, deposit, fails, mad, make_rt, operator, pot, reserved

TREASURY = pallet_account(b"py/trsry")


def slash(rt, percent: int, blueprint_id: int = 1, who: str = BOB) -> list:  # type: ignore[no-untyped-def]
    """Apply a due slash the way the services pallet does (inside a transaction); returns its events."""
    n = len(rt.db.events)
    rt.db.begin()
    try:
        rt.pallets[MAD].slash_operator(UnappliedSlash(era=3, blueprint_id=blueprint_id, service_id=9, operator=who, slash_percent=percent))
    except DispatchError:
        rt.db.rollback()
        raise
    rt.db.commit()
    return list(rt.db.events[n:])


def supplies(rt) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return rt.pallets["Balances"].total_issuance(), rt.pallets["Assets"].fungibles.total_issuance(USDC_ID)


def scenario(profile: str):  # type: ignore[no-untyped-def]
    """Bob operates with 100 TNT; Charlie delegates 5,000 USDC for blueprint 1, Dave 20 TNT for All
    blueprints, Eve 40 TNT with the default empty selection."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    deposit(rt, "Charlie", USDC, 10_000)
    delegate(rt, "Charlie", "Bob", USDC, 5_000, {"Fixed": [1]})
    deposit(rt, "Dave", TNT, 20 * UNIT)
    delegate(rt, "Dave", "Bob", TNT, 20 * UNIT, "All")
    deposit(rt, "Eve", TNT, 40 * UNIT)
    delegate(rt, "Eve", "Bob", TNT, 40 * UNIT)
    rt.dispatch("Alice", "Balances", "transfer_allow_death", {"dest": TREASURY, "value": UNIT})  # the treasury exists
    return rt


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_slash_takes_the_percent_of_the_operator_and_exposed_delegations(profile: str) -> None:
    rt = scenario(profile)
    issuance, usdc_supply = supplies(rt)
    treasury_tnt, treasury_usdc = rt.free_balance(TREASURY), asset_balance(rt, TREASURY)
    pot_tnt, pot_usdc = rt.free_balance(pot(rt)), asset_balance(rt, pot(rt))
    events = slash(rt, 50)
    assert [e.spec.name for e in events if e.spec.pallet == MAD] == ["OperatorSlashed", "DelegatorSlashed", "DelegatorSlashed"]
    op_ev = next(e for e in events if e.matches("OperatorSlashed"))
    assert (op_ev["amount"], op_ev["service_id"], op_ev["blueprint_id"], op_ev["era"]) == (50 * UNIT, 9, 1, 3)
    slashed = {(e["delegator"], e["asset"].value): e["amount"] for e in events if e.matches("DelegatorSlashed")}
    assert slashed == {(CHARLIE, USDC_ID): 2_500, (DAVE, 0): 10 * UNIT}
    # operator: half the self-stake leaves its reserve for the treasury
    assert operator(rt, "Bob").stake == 50 * UNIT and reserved(rt, "Bob") == 50 * UNIT
    # delegations exposed to blueprint 1 lose half; Eve (no blueprint selected) is untouched
    assert delegator(rt, "Charlie").delegations[0].amount == 2_500
    assert delegator(rt, "Dave").delegations[0].amount == 10 * UNIT
    assert delegator(rt, "Eve").delegations[0].amount == 40 * UNIT
    assert delegator(rt, "Eve").deposits[0][1].amount == 40 * UNIT
    # custom assets leave the pallet account in both profiles
    assert asset_balance(rt, pot(rt)) == pot_usdc - 2_500 and asset_balance(rt, TREASURY) == treasury_usdc + 2_500
    if profile == "intended":
        # native TNT moves too, and deposits / operator bonds carry no residue
        assert rt.free_balance(TREASURY) == treasury_tnt + 60 * UNIT
        assert rt.free_balance(pot(rt)) == pot_tnt - 10 * UNIT
        assert delegator(rt, "Charlie").deposits[0][1].amount == 7_500
        assert delegator(rt, "Charlie").deposits[0][1].delegated_amount == 2_500
        assert {b.delegator: b.amount for b in operator(rt, "Bob").delegations} == {CHARLIE: 2_500, DAVE: 10 * UNIT, EVE: 40 * UNIT}
    else:
        # mad.native_slash_moves_nothing / mad.slash_leaves_residue
        assert rt.free_balance(TREASURY) == treasury_tnt + 50 * UNIT
        assert rt.free_balance(pot(rt)) == pot_tnt
        assert delegator(rt, "Charlie").deposits[0][1].amount == 10_000
        assert delegator(rt, "Charlie").deposits[0][1].delegated_amount == 5_000
        assert {b.delegator: b.amount for b in operator(rt, "Bob").delegations} == {CHARLIE: 5_000, DAVE: 20 * UNIT, EVE: 40 * UNIT}
    # slashed funds move, nothing is created or destroyed
    assert supplies(rt) == (issuance, usdc_supply)
    rt.db.check_immutable()


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_blueprint_not_selected_is_not_slashed(profile: str) -> None:
    rt = scenario(profile)
    events = slash(rt, 50, blueprint_id=2)
    assert {(e["delegator"]) for e in events if e.matches("DelegatorSlashed")} == {DAVE}  # only the All selection
    assert delegator(rt, "Charlie").delegations[0].amount == 5_000


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_multi_asset_delegator(profile: str) -> None:
    """Real: the first matching delegation is slashed once per (delegator, asset) entry (twice here)
    and the other not at all (mad.multi_asset_delegator_slashed_twice)."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    deposit(rt, "Charlie", USDC, 1_000)
    deposit(rt, "Charlie", TNT, 10 * UNIT)
    delegate(rt, "Charlie", "Bob", USDC, 1_000, "All")
    delegate(rt, "Charlie", "Bob", TNT, 10 * UNIT, "All")
    slash(rt, 50)
    amounts = [d.amount for d in delegator(rt, "Charlie").delegations]
    assert amounts == ([250, 10 * UNIT] if profile == "real" else [500, 5 * UNIT])


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_slash_of_an_offline_operator(profile: str) -> None:
    """Real: only Active operators can be slashed (mad.slash_requires_active_operator); intended cannot be escaped."""
    rt = scenario(profile)
    mad(rt, "Bob", "go_offline")
    if profile == "real":
        root = rt.state_root()
        with pytest.raises(DispatchError) as exc:
            slash(rt, 50)
        assert exc.value.matches("MultiAssetDelegation.NotActiveOperator") and rt.state_root() == root
    else:
        slash(rt, 50)
        assert operator(rt, "Bob").stake == 50 * UNIT


def test_slash_of_a_non_operator() -> None:
    rt = scenario("intended")
    with pytest.raises(DispatchError) as exc:
        slash(rt, 50, who=CHARLIE)
    assert exc.value.matches("MultiAssetDelegation.NotAnOperator")


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_pending_unstake_after_a_slash(profile: str) -> None:
    """Real: a pending unstake bigger than the slashed delegation fails InsufficientBalance until
    cancelled (residue). Intended: pending requests shrink with the delegation and execute."""
    rt = scenario(profile)
    mad(rt, "Dave", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=20 * UNIT)
    slash(rt, 50)
    rt.advance_sessions(5)
    if profile == "real":
        fails(rt, "MultiAssetDelegation.InsufficientBalance", "Dave", "execute_delegator_unstake")
        return
    receipt = mad(rt, "Dave", "execute_delegator_unstake")
    assert receipt.event("DelegatorUnstakeExecuted")["amount"] == 10 * UNIT
    assert delegator(rt, "Dave").delegations == ()
    mad(rt, "Dave", "schedule_withdraw", asset=TNT, amount=10 * UNIT)  # what is left is withdrawable


def test_operator_unstake_larger_than_the_slashed_stake() -> None:
    rt = scenario("intended")
    mad(rt, "Bob", "schedule_operator_unstake", unstake_amount=90 * UNIT)
    slash(rt, 50)
    rt.advance_sessions(5)
    fails(rt, "MultiAssetDelegation.UnstakeAmountTooLarge", "Bob", "execute_operator_unstake")


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_a_nomination_slash_takes_the_bonded_tnt_under_intended_and_is_accounting_only_under_real(profile: str) -> None:
    """Intended: the restaked TNT is bonded in Staking, so the slash takes it there (ledger and
    balance, to the Treasury). Real: the chain's branch is a TODO stub (spec §1.11 4d): accounting
    only, ledger, balance and lock untouched. (Intended once emitted DelegatorSlashed and took nothing.)"""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=100 * UNIT)
    rt.dispatch("Dave", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    mad(rt, "Dave", "delegate_nomination", operator=BOB, amount=40 * UNIT, blueprint_selection="All")
    treasury = rt.pallets["Balances"].treasury_account()
    free, issuance, pot = rt.free_balance(DAVE), rt.pallets["Balances"].total_issuance(), rt.free_balance(treasury)
    slash(rt, 50)
    assert delegator(rt, "Dave").delegations[0].amount == 20 * UNIT
    ledger = rt.pallets["Staking"].storage.Ledger.get(DAVE)
    taken = 0 if profile == "real" else 20 * UNIT
    assert (ledger.active, ledger.total) == (100 * UNIT - taken, 100 * UNIT - taken)
    assert rt.free_balance(DAVE) == free - taken and rt.free_balance(treasury) == pot + 50 * UNIT + taken  # + half of Bob's bond
    assert rt.pallets["Balances"].total_issuance() == issuance
    slashed = [e.attributes for e in rt.events_named("Staking.Slashed")]
    assert slashed == ([] if profile == "real" else [{"staker": DAVE, "amount": taken}])
    lock = rt.pallets["Balances"].locked(b"delegate", DAVE)
    bond = operator(rt, "Bob").delegations[0].amount
    assert (lock, bond) == ((40 * UNIT, 40 * UNIT) if profile == "real" else (20 * UNIT, 20 * UNIT))
    # what stays bonded still covers what stays restaked: Dave can unbond down to it, not below
    if profile == "intended":
        rt.dispatch("Dave", "Staking", "unbond", {"value": 60 * UNIT})
        assert rt.pallets["Staking"].storage.Ledger.get(DAVE).active == 20 * UNIT


def test_full_slash_removes_emptied_delegations_under_intended() -> None:
    rt = scenario("intended")
    slash(rt, 100)
    assert operator(rt, "Bob").stake == 0
    assert delegator(rt, "Dave").delegations == () and delegator(rt, "Charlie").delegations == ()
    assert {b.delegator for b in operator(rt, "Bob").delegations} == {EVE}
    assert operator(rt, "Bob").delegation_count == 1
