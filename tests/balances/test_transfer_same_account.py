"""A transfer to the sender itself (the same account, however the address object was made) passes
the checks and then changes nothing: no write, no ``Transfer`` event, as ``fungible::Mutate::transfer``
returns early when ``source == dest``. ``Currency.transfer`` compares the two addresses only when
both read the same record object (or no record): the text of a random address is a cache miss at
10^6 accounts. These tests pin that an equal address given as a different ``str`` object is still
the same account, and that two accounts sharing one record object are still two accounts."""

from __future__ import annotations

import pytest

from runtime import UNIT, DispatchError, Runtime
from pallets.system.types import AccountInfo
from runtime.accounts import DEV_ACCOUNTS, derive_account

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


def _copy(address: str) -> str:
    """An equal address that is a different str object (as decoding a request or a file gives)."""
    other = "".join(list(address))
    assert other == address and other is not address
    return other


def test_transfer_to_an_equal_but_distinct_address_object_changes_nothing(rt: Runtime) -> None:
    rt.advance_blocks(1)
    before_root, before = rt.state_root(), rt.pallets["System"].storage.Account.get(ALICE)
    receipt = rt.dispatch(ALICE, "Balances", "transfer_keep_alive", {"dest": _copy(ALICE), "value": 5 * UNIT})
    assert [e.name for e in receipt.triggered_events if e.name.startswith("Balances.")] == []
    assert rt.pallets["System"].storage.Account.get(ALICE) == before
    assert rt.state_root() == before_root  # the nonce lives outside the root (System.Nonces)


def test_currency_transfer_to_itself_checks_first_then_writes_nothing(rt: Runtime) -> None:
    balances = rt.pallets["Balances"]
    acct = derive_account("same-account-test")
    rt.db.begin()
    with pytest.raises(DispatchError) as exc:  # the checks run before the same-account return, as on chain
        balances.transfer(acct, _copy(acct), UNIT, keep_alive=False)
    rt.db.rollback()
    assert exc.value.qualified_name == "Token.FundsUnavailable"
    free = balances.free_balance(ALICE)
    n_events = len(rt.db.events)
    balances.transfer(ALICE, _copy(ALICE), free // 2, keep_alive=True)
    assert balances.free_balance(ALICE) == free and len(rt.db.events) == n_events


def test_transfer_between_two_accounts_still_moves_the_amount(rt: Runtime) -> None:
    balances = rt.pallets["Balances"]
    a, b = balances.free_balance(ALICE), balances.free_balance(BOB)
    receipt = rt.dispatch(ALICE, "Balances", "transfer_keep_alive", {"dest": _copy(BOB), "value": 3 * UNIT})
    assert [e.name for e in receipt.triggered_events if e.name.startswith("Balances.")] == ["Balances.Transfer"]
    assert (balances.free_balance(ALICE), balances.free_balance(BOB)) == (a - 3 * UNIT, b + 3 * UNIT)


def test_two_accounts_loaded_with_one_record_object_are_still_two_accounts(rt: Runtime) -> None:
    """A genesis or a migration may load many accounts with the same immutable record object: the
    two reads then give the same object, and only the addresses tell the accounts apart."""
    a, b = derive_account("shared-record-a"), derive_account("shared-record-b")
    shared = AccountInfo(providers=1, free=100 * UNIT)
    accounts = rt.pallets["System"].storage.Account
    accounts.load([(a, shared), (b, shared)])
    assert accounts.get(a) is accounts.get(b)
    receipt = rt.dispatch(a, "Balances", "transfer_keep_alive", {"dest": b, "value": 30 * UNIT})
    assert [e.name for e in receipt.triggered_events if e.name.startswith("Balances.")] == ["Balances.Transfer"]
    assert (accounts.get(a).free, accounts.get(b).free) == (70 * UNIT, 130 * UNIT)
    assert rt.state_root() == rt.db.state_root_from_scratch()
