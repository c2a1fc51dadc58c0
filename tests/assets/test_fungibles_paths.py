"""The fungibles interface other pallets use (MAD deposits, Services payments, Lst pool tokens), error
path by error path, in the order the real code checks: ``fungibles::Mutate``'s defaults over
pallet_assets' ``can_decrease`` / ``can_increase`` / ``decrease_balance`` / ``increase_balance``
(substrate/frame/assets/src/functions.rs, impl_fungibles.rs)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS

ALICE, BOB, EVE, FERDIE = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Eve"], DEV_ACCOUNTS["Ferdie"]
FRESH = "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc"  # no native balance: no provider reference


@pytest.fixture
def usd(rt: Runtime) -> Runtime:
    """Asset 1: min_balance 100, Bob holds 10,000 of a supply of 10,000."""
    rt.dispatch("root", "Assets", "force_create", {"id": 1, "owner": "Alice", "is_sufficient": False, "min_balance": 100})
    rt.dispatch("Alice", "Assets", "mint", {"id": 1, "beneficiary": "Bob", "amount": 10_000})
    return rt


def fails(rt: Runtime, name: str, op: Callable[[], Any]) -> None:
    root, events = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.db.transactional(op)
    assert exc.value.qualified_name == name
    assert rt.state_root() == root and len(rt.events) == events


def bal(rt: Runtime, who: str) -> int:
    return rt.pallets["Assets"].fungibles.balance(1, who)


def test_transfer_more_than_the_supply_underflows_before_funds_are_checked(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    usd.dispatch("Bob", "Assets", "transfer", {"id": 1, "target": "Eve", "amount": 1_000})
    # Eve holds 1,000: 10,001 exceeds the supply (Underflow), 5,000 only her balance (FundsUnavailable)
    fails(usd, "Arithmetic.Underflow", lambda: f.transfer(1, EVE, ALICE, 10_001, keep_alive=False))
    fails(usd, "Token.FundsUnavailable", lambda: f.transfer(1, EVE, ALICE, 5_000, keep_alive=False))
    # even an account with nothing: the supply check comes first
    fails(usd, "Arithmetic.Underflow", lambda: f.transfer(1, FERDIE, ALICE, 10_001, keep_alive=False))
    fails(usd, "Token.FundsUnavailable", lambda: f.transfer(1, FERDIE, ALICE, 1, keep_alive=False))
    # the extrinsic goes through prep_debit instead: the pallet's own BalanceLow
    with pytest.raises(DispatchError, match="Assets.BalanceLow"):
        usd.dispatch("Eve", "Assets", "transfer", {"id": 1, "target": "Alice", "amount": 10_001})


def test_transfer_withdraw_consequences(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    fails(usd, "Token.UnknownAsset", lambda: f.transfer(9, BOB, EVE, 1, keep_alive=False))
    # keep-alive leaving less than min_balance: ReducedToZero with keep_nonzero -> NotExpendable
    fails(usd, "Token.NotExpendable", lambda: f.transfer(1, BOB, EVE, 9_950, keep_alive=True))
    usd.dispatch("Alice", "Assets", "freeze", {"id": 1, "who": "Bob"})
    fails(usd, "Token.Frozen", lambda: f.transfer(1, BOB, EVE, 1_000, keep_alive=False))
    # a frozen asset is Frozen before the account is looked at; more than the supply still Underflow
    usd.dispatch("Alice", "Assets", "thaw", {"id": 1, "who": "Bob"})
    usd.dispatch("Alice", "Assets", "freeze_asset", {"id": 1})
    fails(usd, "Token.Frozen", lambda: f.transfer(1, FERDIE, EVE, 1_000, keep_alive=False))
    fails(usd, "Arithmetic.Underflow", lambda: f.transfer(1, BOB, EVE, 20_000, keep_alive=False))
    usd.dispatch("Alice", "Assets", "thaw_asset", {"id": 1})
    usd.dispatch("Alice", "Assets", "start_destroy", {"id": 1})
    fails(usd, "Token.UnknownAsset", lambda: f.transfer(1, BOB, EVE, 1_000, keep_alive=False))


def test_transfer_deposit_consequences(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    fails(usd, "Token.BelowMinimum", lambda: f.transfer(1, BOB, EVE, 99, keep_alive=False))
    fails(usd, "Token.CannotCreate", lambda: f.transfer(1, BOB, FRESH, 1_000, keep_alive=False))
    usd.dispatch("Bob", "Assets", "transfer", {"id": 1, "target": "Eve", "amount": 1_000})
    usd.dispatch("Alice", "Assets", "block", {"id": 1, "who": "Eve"})
    fails(usd, "Token.Blocked", lambda: f.transfer(1, BOB, EVE, 1_000, keep_alive=False))
    # a blocked account cannot send either (AccountStatus::is_frozen covers Blocked)
    fails(usd, "Token.Frozen", lambda: f.transfer(1, EVE, BOB, 500, keep_alive=False))


def test_transfer_success_and_dust(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    usd.db.transactional(lambda: f.transfer(1, BOB, EVE, 9_950, keep_alive=False))  # Bob's 50 go along
    assert bal(usd, BOB) == 0 and bal(usd, EVE) == 10_000
    usd.db.transactional(lambda: f.transfer(1, EVE, BOB, 9_000, keep_alive=True))
    assert bal(usd, BOB) == 9_000 and bal(usd, EVE) == 1_000
    assert usd.pallets["Assets"].fungibles.total_issuance(1) == 10_000


def test_the_real_trait_transfer_destroys_the_dust_it_takes_along() -> None:
    """fungibles::Mutate::transfer debits amount + dust (prep_debit) but credits only the amount; the
    supply (untouched by Unbalanced::decrease_balance) keeps counting the dust."""
    from runtime import GenesisConfig
    from simulations.stateful.invariants import Ledger, asset_conservation

    rt = Runtime(GenesisConfig.dev(profile="real"))
    rt.dispatch("root", "Assets", "force_create", {"id": 1, "owner": "Alice", "is_sufficient": False, "min_balance": 100})
    rt.dispatch("Alice", "Assets", "mint", {"id": 1, "beneficiary": "Bob", "amount": 10_000})
    ledger = Ledger()
    asset_conservation(rt, ledger)
    f = rt.pallets["Assets"].fungibles
    rt.db.transactional(lambda: f.transfer(1, BOB, EVE, 9_950, keep_alive=False))
    assert bal(rt, BOB) == 0 and bal(rt, EVE) == 9_950  # Bob's 50 went nowhere
    assert f.total_issuance(1) == 10_000
    assert rt.events[-1].name == "Assets.Transferred" and rt.events[-1]["amount"] == 9_950
    assert rt.pallets["Assets"].storage.DustDestroyed.get(1) == 50  # (extension) what the invariant accounts with
    asset_conservation(rt, ledger)  # supply = balances + the destroyed dust, exactly
    rt.db.transactional(lambda: f.transfer(1, EVE, BOB, 9_000, keep_alive=True))  # keep-alive: no dust
    assert bal(rt, EVE) == 950 and bal(rt, BOB) == 9_000
    asset_conservation(rt, ledger)
    rt.pallets["Assets"].storage.Account.remove((1, EVE))  # ... a whole account vanishing is not dust
    with pytest.raises(AssertionError, match="destroyed as dust"):
        asset_conservation(rt, ledger)


def test_mint_into_paths(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    fails(usd, "Token.UnknownAsset", lambda: f.mint_into(9, EVE, 1_000))
    fails(usd, "Arithmetic.Overflow", lambda: f.mint_into(1, EVE, (1 << 128) - 10_000))  # issuance first
    fails(usd, "Token.BelowMinimum", lambda: f.mint_into(1, EVE, 99))
    fails(usd, "Token.CannotCreate", lambda: f.mint_into(1, FRESH, 1_000))
    usd.dispatch("Alice", "Assets", "freeze_asset", {"id": 1})
    # can_increase passes for a frozen asset; increase_balance then requires Live
    fails(usd, "Assets.AssetNotLive", lambda: f.mint_into(1, EVE, 1_000))
    usd.dispatch("Alice", "Assets", "thaw_asset", {"id": 1})
    usd.db.transactional(lambda: f.mint_into(1, EVE, 1_000))
    assert bal(usd, EVE) == 1_000 and f.total_issuance(1) == 11_000


def test_burn_from_paths(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    # reducible_balance is 0 for an unknown asset or a missing account: FundsUnavailable, not Unknown
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(9, BOB, 1))
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(1, EVE, 1))
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(1, BOB, 10_001))
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(1, BOB, 9_901, keep_alive=True))
    usd.dispatch("Alice", "Assets", "freeze", {"id": 1, "who": "Bob"})
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(1, BOB, 1))  # frozen account: reducible 0
    usd.dispatch("Alice", "Assets", "thaw", {"id": 1, "who": "Bob"})
    usd.dispatch("Alice", "Assets", "freeze_asset", {"id": 1})
    fails(usd, "Token.FundsUnavailable", lambda: f.burn_from(1, BOB, 1))  # asset not Live: reducible 0
    usd.dispatch("Alice", "Assets", "thaw_asset", {"id": 1})
    assert usd.db.transactional(lambda: f.burn_from(1, BOB, 9_950)) == 10_000  # the 50 dust burns along
    assert bal(usd, BOB) == 0 and f.total_issuance(1) == 0


def test_reducible_balance_never_exceeds_supply_and_zero_for_frozen(usd: Runtime) -> None:
    f = usd.pallets["Assets"].fungibles
    assert f.reducible_balance(1, BOB, keep_alive=False) == 10_000
    assert f.reducible_balance(1, BOB, keep_alive=True) == 9_900
    usd.dispatch("Alice", "Assets", "freeze", {"id": 1, "who": "Bob"})
    assert f.reducible_balance(1, BOB, keep_alive=False) == 0
    assert f.reducible_balance(9, BOB, keep_alive=False) == 0
