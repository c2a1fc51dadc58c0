"""MultiAssetDelegation deposits and withdrawals: native and custom assets, locks, EVM origins, delays."""

from __future__ import annotations

import pytest

from runtime.accounts import account_to_evm, evm_to_account
from mad_helpers import BOB, CHARLIE, MAD, TNT, UNIT, USDC, USDC_ID, asset_balance, delegate, delegator, deposit, fails, mad, make_rt, names, pot

@pytest.fixture
def rt():  # type: ignore[no-untyped-def]
    return make_rt()


def test_deposit_native_moves_tnt_into_the_pallet_account(rt) -> None:  # type: ignore[no-untyped-def]
    free = rt.free_balance(CHARLIE)
    receipt = deposit(rt, "Charlie", TNT, 50 * UNIT)
    assert names(receipt) == ["Deposited"]
    assert receipt.event("Deposited")["amount"] == 50 * UNIT
    assert rt.free_balance(CHARLIE) == free - 50 * UNIT
    assert rt.free_balance(pot(rt)) == 50 * UNIT
    asset, dep = delegator(rt, "Charlie").deposits[0]
    assert asset.is_native
    assert (dep.amount, dep.delegated_amount, dep.locks) == (50 * UNIT, 0, None)
    deposit(rt, "Charlie", TNT, 5 * UNIT)  # deposits add up
    assert delegator(rt, "Charlie").deposits[0][1].amount == 55 * UNIT


def test_deposit_custom_asset_goes_through_fungibles(rt) -> None:  # type: ignore[no-untyped-def]
    before = asset_balance(rt, "Charlie")
    deposit(rt, "Charlie", USDC, 1_000)
    assert asset_balance(rt, "Charlie") == before - 1_000
    assert asset_balance(rt, pot(rt)) == 1_000
    info = rt.pallets[MAD].get_user_deposit_with_locks(CHARLIE, delegator(rt, "Charlie").deposits[0][0])
    assert info.unlocked_amount == 1_000 and info.amount_with_locks == ()


def test_deposit_errors(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.BondTooLow", "Charlie", "deposit", asset=TNT, amount=0, evm_address=None, lock_multiplier=None)
    fails(rt, "Arithmetic.Underflow", "Charlie", "deposit", asset=USDC, amount=10**30, evm_address=None, lock_multiplier=None)
    fails(rt, "Token.FundsUnavailable", "Charlie", "deposit", asset=TNT, amount=10**30, evm_address=None, lock_multiplier=None)
    fails(rt, "Token.UnknownAsset", "Charlie", "deposit", asset={"Custom": 99}, amount=10, evm_address=None, lock_multiplier=None)
    fails(rt, "BadOrigin", "root", "deposit", asset=TNT, amount=UNIT, evm_address=None, lock_multiplier=None)


def test_evm_address_origin_rules(rt) -> None:  # type: ignore[no-untyped-def]
    erc20 = {"Erc20": "0x" + "11" * 20}
    evm = "0x" + "ab" * 20
    mapped = evm_to_account(evm)
    # Erc20 without an EVM address: NotAuthorized; from anyone but the pallet account: BadOrigin
    fails(rt, "MultiAssetDelegation.NotAuthorized", "Charlie", "deposit", asset=erc20, amount=100, evm_address=None, lock_multiplier=None)
    fails(rt, "BadOrigin", "Charlie", "deposit", asset=erc20, amount=100, evm_address=evm, lock_multiplier=None)
    # the precompile dispatches as the pallet account for the mapped depositor (accounting only: no EVM)
    receipt = mad(rt, pot(rt), "deposit", asset=erc20, amount=100, evm_address=evm, lock_multiplier=None)
    assert receipt.event("Deposited")["who"] == mapped
    assert delegator(rt, mapped).deposits[0][1].amount == 100
    # Custom with an EVM address: the caller must be that address's account
    fails(rt, "BadOrigin", "Charlie", "deposit", asset=TNT, amount=UNIT, evm_address=account_to_evm(CHARLIE), lock_multiplier=None)
    fails(rt, "BadOrigin", "Charlie", "execute_withdraw", evm_address=evm)
    fails(rt, "MultiAssetDelegation.NoWithdrawRequests", pot(rt), "execute_withdraw", evm_address=evm)


def test_locked_deposit_cannot_be_withdrawn_until_expiry(rt) -> None:  # type: ignore[no-untyped-def]
    deposit(rt, "Charlie", TNT, 10 * UNIT, lock="OneMonth")
    dep = delegator(rt, "Charlie").deposits[0][1]
    assert dep.locks[0].amount == 10 * UNIT and dep.locks[0].expiry_block == rt.block_number + 432_000
    deposit(rt, "Charlie", TNT, 4 * UNIT)
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_withdraw", asset=TNT, amount=5 * UNIT)
    mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=4 * UNIT)
    rt.run_to_block(432_002)
    mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=10 * UNIT)  # the lock has expired
    assert delegator(rt, "Charlie").deposits[0][1].amount == 0


def test_lock_limit_is_max_delegations(rt) -> None:  # type: ignore[no-untyped-def]
    rt = make_rt(constants={MAD: {"MaxDelegations": 2}})
    deposit(rt, "Charlie", TNT, UNIT, lock="OneMonth")
    deposit(rt, "Charlie", TNT, UNIT, lock="TwoMonths")
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "deposit", asset=TNT, amount=UNIT, evm_address=None, lock_multiplier="SixMonths")


def test_withdraw_flow_waits_leave_delegators_delay(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotDelegator", "Charlie", "schedule_withdraw", asset=TNT, amount=UNIT)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Charlie", "execute_withdraw", evm_address=None)
    fails(rt, "MultiAssetDelegation.NotDelegator", "Charlie", "cancel_withdraw", asset=TNT, amount=UNIT)
    deposit(rt, "Charlie", TNT, 10 * UNIT)
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_withdraw", asset=USDC, amount=1)
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_withdraw", asset=TNT, amount=11 * UNIT)
    fails(rt, "MultiAssetDelegation.NoWithdrawRequests", "Charlie", "execute_withdraw", evm_address=None)
    receipt = mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=6 * UNIT)
    assert receipt.event("ScheduledWithdraw")["when"] == 10
    assert delegator(rt, "Charlie").deposits[0][1].amount == 4 * UNIT
    free = rt.free_balance(CHARLIE)
    rt.advance_sessions(9)
    receipt = mad(rt, "Charlie", "execute_withdraw", evm_address=None)  # not ready: Ok, nothing paid
    assert names(receipt) == ["ExecutedWithdraw"] and len(delegator(rt, "Charlie").withdraw_requests) == 1
    assert rt.free_balance(CHARLIE) == free
    rt.advance_sessions(1)
    mad(rt, "Charlie", "execute_withdraw", evm_address=None)
    assert rt.free_balance(CHARLIE) == free + 6 * UNIT
    assert delegator(rt, "Charlie").withdraw_requests == ()


def test_withdraw_of_delegated_amount_is_refused(rt) -> None:  # type: ignore[no-untyped-def]
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", USDC, 1_000)
    delegate(rt, "Charlie", "Bob", USDC, 800)
    fails(rt, "MultiAssetDelegation.InsufficientBalance", "Charlie", "schedule_withdraw", asset=USDC, amount=201)
    mad(rt, "Charlie", "schedule_withdraw", asset=USDC, amount=200)


def test_max_withdraw_requests(rt) -> None:  # type: ignore[no-untyped-def]
    deposit(rt, "Charlie", TNT, 10 * UNIT)
    for _ in range(5):
        mad(rt, "Charlie", "schedule_withdraw", asset=TNT, amount=UNIT)
    fails(rt, "MultiAssetDelegation.MaxWithdrawRequestsExceeded", "Charlie", "schedule_withdraw", asset=TNT, amount=UNIT)


def test_cancel_withdraw_restores_the_deposit(rt) -> None:  # type: ignore[no-untyped-def]
    deposit(rt, "Charlie", USDC, 1_000)
    mad(rt, "Charlie", "schedule_withdraw", asset=USDC, amount=300)
    fails(rt, "MultiAssetDelegation.NoMatchingwithdrawRequest", "Charlie", "cancel_withdraw", asset=USDC, amount=299)
    receipt = mad(rt, "Charlie", "cancel_withdraw", asset=USDC, amount=300)
    assert receipt.event("CancelledWithdraw")["amount"] == 300
    assert delegator(rt, "Charlie").deposits[0][1].amount == 1_000
    assert delegator(rt, "Charlie").withdraw_requests == ()


def test_failed_withdraw_transfer_keeps_the_request(rt) -> None:  # type: ignore[no-untyped-def]
    """A payout whose transfer fails stays in the list silently (here: the pallet account was drained)."""
    deposit(rt, "Charlie", USDC, 1_000)
    mad(rt, "Charlie", "schedule_withdraw", asset=USDC, amount=1_000)
    assets = rt.pallets["Assets"]
    rt.db.begin()
    assets.do_transfer(USDC_ID, pot(rt), BOB, 1_000, keep_alive=False)  # simulate a drained pot
    rt.db.commit()
    rt.advance_sessions(10)
    mad(rt, "Charlie", "execute_withdraw", evm_address=None)
    assert len(delegator(rt, "Charlie").withdraw_requests) == 1


def test_deposit_that_fails_on_the_lock_limit_is_rolled_back(rolls_back) -> None:  # type: ignore[no-untyped-def]
    """MultiAssetDelegation: the deposit moves the funds, then finds no room for another lock."""
    rt = make_rt(constants={MAD: {"MaxDelegations": 2}})
    deposit(rt, "Charlie", TNT, UNIT, lock="OneMonth")
    deposit(rt, "Charlie", TNT, UNIT, lock="TwoMonths")
    before = delegator(rt, "Charlie")
    rolls_back(rt, "Charlie", MAD, "deposit", {"asset": TNT, "amount": UNIT, "evm_address": None, "lock_multiplier": "SixMonths"}, "MultiAssetDelegation.InsufficientBalance")
    assert delegator(rt, "Charlie") == before
