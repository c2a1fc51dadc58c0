"""Native restaking: delegate_nomination and its unstake flow, the delegate lock, CheckNominatedRestaked."""

from __future__ import annotations

import dataclasses

import pytest

from runtime import DispatchError
from runtime.errors import InvalidTransaction
from mad_helpers import BOB, DAVE, EVE, MAD, UNIT, USDC, delegate, delegator, deposit, fails, mad, make_rt, names, operator

LOCK = b"delegate"


def bonded_rt(profile: str = "intended"):  # type: ignore[no-untyped-def]
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    mad(rt, "Charlie", "join_operators", bond_amount=10 * UNIT)
    rt.dispatch("Dave", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    return rt


def nominate(rt, who: str, op: str, amount: int, selection=None):  # type: ignore[no-untyped-def]
    return mad(rt, who, "delegate_nomination", operator=op, amount=amount, blueprint_selection=selection or {"Fixed": [1]})


def locked(rt, who: str) -> int:  # type: ignore[no-untyped-def]
    return rt.pallets["Balances"].locked(LOCK, rt.account(who))


def test_delegate_nomination_locks_without_moving_tokens() -> None:
    rt = bonded_rt()
    free = rt.free_balance(DAVE)
    receipt = nominate(rt, "Dave", "Bob", 40 * UNIT)
    assert names(receipt) == ["NominationDelegated"]
    assert rt.free_balance(DAVE) == free
    assert locked(rt, "Dave") == 40 * UNIT
    d = delegator(rt, "Dave")
    assert [(x.operator, x.amount, x.asset.value, x.is_nomination) for x in d.delegations] == [(BOB, 40 * UNIT, 0, True)]
    assert d.deposits == ()
    assert [(b.delegator, b.amount) for b in operator(rt, "Bob").delegations] == [(DAVE, 40 * UNIT)]
    nominate(rt, "Dave", "Bob", 30 * UNIT)  # merges
    assert delegator(rt, "Dave").delegations[0].amount == 70 * UNIT
    assert operator(rt, "Bob").delegation_count == 1


def test_real_emits_nomination_delegated_twice() -> None:
    rt = bonded_rt("real")
    assert names(nominate(rt, "Dave", "Bob", UNIT)) == ["NominationDelegated", "NominationDelegated"]


def test_delegate_nomination_errors() -> None:
    rt = bonded_rt()
    fails(rt, "MultiAssetDelegation.InvalidAmount", "Dave", "delegate_nomination", operator=EVE, amount=0, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Dave", "delegate_nomination", operator=EVE, amount=UNIT, blueprint_selection="All")
    mad(rt, "Bob", "go_offline")
    fails(rt, "MultiAssetDelegation.NotActiveOperator", "Dave", "delegate_nomination", operator=BOB, amount=UNIT, blueprint_selection="All")
    mad(rt, "Bob", "go_online")
    fails(rt, "MultiAssetDelegation.NotNominator", "Eve", "delegate_nomination", operator=BOB, amount=UNIT, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Dave", "delegate_nomination", operator=BOB, amount=101 * UNIT, blueprint_selection="All")
    nominate(rt, "Dave", "Bob", 60 * UNIT)
    # across operators the restaked total may not exceed the active stake
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Dave", "delegate_nomination", operator=rt.account("Charlie"), amount=41 * UNIT, blueprint_selection="All")
    nominate(rt, "Dave", "Charlie", 40 * UNIT)


def test_nomination_unstake_flow() -> None:
    rt = bonded_rt()
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "schedule_nomination_unstake", operator=BOB, amount=UNIT, blueprint_selection="All")
    nominate(rt, "Dave", "Bob", 50 * UNIT)
    fails(rt, "MultiAssetDelegation.InvalidAmount", "Dave", "schedule_nomination_unstake", operator=BOB, amount=0, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Dave", "schedule_nomination_unstake", operator=EVE, amount=UNIT, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.NoActiveDelegation", "Dave", "schedule_nomination_unstake", operator=rt.account("Charlie"), amount=UNIT, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Dave", "schedule_nomination_unstake", operator=BOB, amount=51 * UNIT, blueprint_selection="All")
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Dave", "execute_nomination_unstake", operator=BOB)
    receipt = mad(rt, "Dave", "schedule_nomination_unstake", operator=BOB, amount=20 * UNIT, blueprint_selection="All")
    assert receipt.event("NominationUnstakeScheduled")["when"] == 5
    nominate(rt, "Dave", "Bob", 30 * UNIT)  # concurrent: 80 delegated, one request pending
    assert delegator(rt, "Dave").delegations[0].amount == 80 * UNIT
    rt.advance_sessions(4)
    fails(rt, "MultiAssetDelegation.BondLessNotReady", "Dave", "execute_nomination_unstake", operator=BOB)
    rt.advance_sessions(1)
    receipt = mad(rt, "Dave", "execute_nomination_unstake", operator=BOB)
    assert receipt.event("NominationUnstakeExecuted")["amount"] == 20 * UNIT
    assert delegator(rt, "Dave").delegations[0].amount == 60 * UNIT
    assert operator(rt, "Bob").delegations[0].amount == 60 * UNIT
    assert locked(rt, "Dave") == 60 * UNIT
    mad(rt, "Dave", "schedule_nomination_unstake", operator=BOB, amount=60 * UNIT, blueprint_selection="All")
    rt.advance_sessions(5)
    mad(rt, "Dave", "execute_nomination_unstake", operator=BOB)
    assert delegator(rt, "Dave").delegations == () and locked(rt, "Dave") == 0
    assert operator(rt, "Bob").delegations == () and operator(rt, "Bob").delegation_count == 0


def test_cancel_nomination_unstake() -> None:
    rt = bonded_rt()
    fails(rt, "MultiAssetDelegation.NotDelegator", "Dave", "cancel_nomination_unstake", operator=BOB)
    nominate(rt, "Dave", "Bob", 50 * UNIT)
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Dave", "cancel_nomination_unstake", operator=BOB)
    mad(rt, "Dave", "schedule_nomination_unstake", operator=BOB, amount=20 * UNIT, blueprint_selection="All")
    receipt = mad(rt, "Dave", "cancel_nomination_unstake", operator=BOB)
    assert receipt.event("NominationUnstakeCancelled")["amount"] == 20 * UNIT
    rt.advance_sessions(5)
    fails(rt, "MultiAssetDelegation.NoBondLessRequest", "Dave", "execute_nomination_unstake", operator=BOB)


def test_nomination_asset_must_be_native() -> None:
    """AssetNotWhitelisted is defensive (a nomination delegation is always Custom(0)): crafted state."""
    rt = bonded_rt()
    nominate(rt, "Dave", "Bob", 10 * UNIT)
    items = rt.pallets[MAD].storage.Delegators
    meta = items.get(DAVE)
    bad = dataclasses.replace(meta.delegations[0], asset=meta.delegations[0].asset.Custom(7))
    rt.db.begin()
    items.insert(DAVE, dataclasses.replace(meta, delegations=(bad,)))
    rt.db.commit()
    fails(rt, "MultiAssetDelegation.AssetNotWhitelisted", "Dave", "schedule_nomination_unstake", operator=BOB, amount=UNIT, blueprint_selection="All")


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_delegate_lock_over_two_operators(profile: str) -> None:
    """Real: one lock overwritten with the amount of the delegation just touched (mad.nomination_lock_overwritten)."""
    rt = bonded_rt(profile)
    nominate(rt, "Dave", "Bob", 50 * UNIT)
    nominate(rt, "Dave", "Charlie", 10 * UNIT)
    assert locked(rt, "Dave") == (10 * UNIT if profile == "real" else 60 * UNIT)
    mad(rt, "Dave", "schedule_nomination_unstake", operator=rt.account("Charlie"), amount=10 * UNIT, blueprint_selection="All")
    rt.advance_sessions(5)
    mad(rt, "Dave", "execute_nomination_unstake", operator=rt.account("Charlie"))
    assert locked(rt, "Dave") == (0 if profile == "real" else 50 * UNIT)


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_execute_delegator_unstake_and_nomination_requests(profile: str) -> None:
    """Real: a matured nomination request makes execute_delegator_unstake fail NoActiveDelegation
    unless a regular Custom(0) delegation to that operator exists (mad.execute_unstake_includes_nomination)."""
    rt = bonded_rt(profile)
    nominate(rt, "Dave", "Bob", 50 * UNIT)
    deposit(rt, "Dave", USDC, 100)
    delegate(rt, "Dave", "Bob", USDC, 100)
    mad(rt, "Dave", "schedule_nomination_unstake", operator=BOB, amount=20 * UNIT, blueprint_selection="All")
    mad(rt, "Dave", "schedule_delegator_unstake", operator=BOB, asset=USDC, amount=40)
    rt.advance_sessions(5)
    if profile == "real":
        fails(rt, "MultiAssetDelegation.NoActiveDelegation", "Dave", "execute_delegator_unstake")
    else:
        mad(rt, "Dave", "execute_delegator_unstake")
        assert [r.is_nomination for r in delegator(rt, "Dave").delegator_unstake_requests] == [True]
        mad(rt, "Dave", "execute_nomination_unstake", operator=BOB)
        assert delegator(rt, "Dave").delegations[0].amount == 30 * UNIT


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_check_nominated_restaked(profile: str) -> None:
    rt = bonded_rt(profile)
    nominate(rt, "Dave", "Bob", 40 * UNIT)
    root = rt.state_root()
    with pytest.raises(InvalidTransaction) as exc:
        rt.dispatch("Dave", "Staking", "unbond", {"value": 61 * UNIT})  # would uncover restaked stake
    assert exc.value.custom == 1 and rt.state_root() == root
    if profile == "real":  # leaving exactly the restaked amount is refused too (mad.full_unbond_rejected)
        with pytest.raises(InvalidTransaction):
            rt.dispatch("Dave", "Staking", "unbond", {"value": 60 * UNIT})
        rt.dispatch("Dave", "Staking", "unbond", {"value": 59 * UNIT})
    else:
        rt.dispatch("Dave", "Staking", "unbond", {"value": 60 * UNIT})
    # a staker with nothing restaked: real never allows a full unbond, intended does
    rt.dispatch("Eve", "Staking", "bond", {"value": 10 * UNIT, "payee": "Staked"})
    if profile == "real":
        with pytest.raises(InvalidTransaction):
            rt.dispatch("Eve", "Staking", "unbond", {"value": 10 * UNIT})
    else:
        rt.dispatch("Eve", "Staking", "unbond", {"value": 10 * UNIT})


def test_check_nominated_restaked_looks_inside_batches_and_proxies() -> None:
    """The extension inspects Utility.batch/batch_all/force_batch and Proxy.proxy (checked directly:
    this runtime has no Utility or Proxy pallet)."""
    from types import SimpleNamespace

    from pallets.multi_asset_delegation import CheckNominatedRestaked
    from runtime.calls import RuntimeCall
    from runtime.origin import Origin

    rt = bonded_rt()
    nominate(rt, "Dave", "Bob", 40 * UNIT)
    check = CheckNominatedRestaked(rt.pallets[MAD])
    bad, ok = RuntimeCall("Staking", "unbond", (61 * UNIT,)), RuntimeCall("Staking", "unbond", (10 * UNIT,))
    batch = SimpleNamespace(pallet="Utility", name="batch_all")
    check(Origin.signed(DAVE), batch, ((ok,),))
    with pytest.raises(InvalidTransaction):
        check(Origin.signed(DAVE), batch, ((ok, bad),))
    proxy = SimpleNamespace(pallet="Proxy", name="proxy")
    with pytest.raises(InvalidTransaction):
        check(Origin.signed(EVE), proxy, (DAVE, None, bad))  # Eve proxies for Dave: Dave's stake is checked
    check(Origin.signed(DAVE), proxy, (EVE, None, bad))  # Eve has no ledger: allowed


def test_nomination_without_staking_pallet_fails_not_nominator() -> None:
    rt = make_rt()
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    rt.pallets[MAD].staking = None
    with pytest.raises(DispatchError) as exc:
        mad(rt, "Dave", "delegate_nomination", operator=BOB, amount=UNIT, blueprint_selection="All")
    assert exc.value.matches("MultiAssetDelegation.NotNominator")
