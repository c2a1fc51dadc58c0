from __future__ import annotations

from runtime import UNIT, DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS, pallet_account

BOB = DEV_ACCOUNTS["Bob"]
TREASURY = pallet_account(b"py/trsry")


def test_fees_are_off_by_default(rt: Runtime) -> None:
    before = rt.free_balance(BOB)
    rt.dispatch("Bob", "System", "remark", {"remark": "hi"})
    assert rt.free_balance(BOB) == before


def test_with_fees_a_failed_call_still_pays_and_nothing_else_changes() -> None:
    rt = Runtime(GenesisConfig.dev(transaction_fees=True))
    issuance = rt.pallets["Balances"].total_issuance()
    ok = rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": UNIT})
    assert ok.total_fee_amount > 0
    after_ok = rt.free_balance(BOB)
    failed = rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30}, raise_error=False)
    assert not failed.is_success and failed.total_fee_amount > 0
    assert rt.free_balance(BOB) == after_ok - failed.total_fee_amount
    assert [e.name for e in failed.triggered_events] == ["Balances.Withdraw", "Balances.Deposit"]
    assert rt.free_balance(TREASURY) == ok.total_fee_amount + failed.total_fee_amount
    assert rt.pallets["Balances"].total_issuance() == issuance  # fees move to the treasury, nothing is lost
