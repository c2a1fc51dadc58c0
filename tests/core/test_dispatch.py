"""Dispatch: receipts, atomicity, bad input."""

from __future__ import annotations

import pytest

from typing import Any

from runtime import UNIT, DispatchError, GenesisConfig, ParamError, Runtime, UnknownCall
from runtime.accounts import DEV_ACCOUNTS
from runtime.errors import ErrorSet
from runtime.events import EventSet
from runtime.origin import Origin, ensure_signed
from runtime.pallet import Pallet, call
from runtime.primitives import U64, U128, AccountId
from runtime.storage import PalletStorage, StorageValue

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


def test_receipt_mirrors_substrate_interface(rt: Runtime) -> None:
    receipt = rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 5 * UNIT})
    assert receipt.is_success and receipt.error_message is None
    assert receipt.block_number == 1 and receipt.extrinsic_idx == 0
    (event,) = receipt.triggered_events
    assert event.value["module_id"] == "Balances" and event.value["event_id"] == "Transfer"
    assert event.value["attributes"] == {"from": ALICE, "to": BOB, "amount": 5 * UNIT}
    second = rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 1})
    assert second.extrinsic_idx == 1


def test_failed_call_changes_nothing_and_names_the_error(rt: Runtime) -> None:
    root = rt.state_root()
    events = list(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30})
    assert exc.value.qualified_name == "Token.FundsUnavailable"
    assert exc.value.receipt.error_message["name"] == "FundsUnavailable"
    assert not exc.value.receipt.is_success and exc.value.receipt.triggered_events == []
    assert rt.state_root() == root
    assert rt.events == events
    assert rt.call_log[-1].outcome == "Token.FundsUnavailable"


class SpillStorage(PalletStorage, prefix="Spill"):
    Count = StorageValue(U64, default=0)


class SpillEvents(EventSet, pallet="Spill"):
    Spilled = {"amount": U128}


class SpillErrors(ErrorSet, pallet="Spill"):
    TooLate = 0


class Spill(Pallet):
    """A test pallet whose call writes everywhere it can (its own storage, an event, a TNT transfer,
    an asset transfer) and then fails: the dispatcher alone decides what survives."""

    name = "Spill"
    index = 250
    Storage = SpillStorage
    Event = SpillEvents
    Error = SpillErrors
    currency: Any = None
    fungibles: Any = None

    @call(0)
    def spill(self, origin: Origin, dest: AccountId, amount: U128, fail: bool) -> None:
        who = ensure_signed(origin)
        self.storage.Count.put(self.storage.Count.value() + 1)
        self.deposit_event(SpillEvents.Spilled(amount))
        self.currency.transfer(who, dest, amount, keep_alive=True)
        self.fungibles.transfer(1, who, dest, amount, keep_alive=True)
        if fail:
            raise SpillErrors.TooLate


@pytest.fixture
def spill_rt() -> Runtime:
    rt = Runtime(GenesisConfig.dev(assets=[{"id": 1, "min_balance": 1, "balances": {"Bob": 10**9}}]), extra_pallets=[Spill])
    spill = rt.pallets["Spill"]
    spill.currency, spill.fungibles = rt.pallets["Balances"], rt.pallets["Assets"].fungibles
    return rt


def test_failure_after_writes_is_rolled_back(spill_rt: Runtime, rolls_back) -> None:  # type: ignore[no-untyped-def]
    """The call wrote its own storage, an event, a TNT and an asset transfer, then failed."""
    rt = spill_rt
    charlie = DEV_ACCOUNTS["Charlie"]
    free, asset = rt.free_balance(charlie), rt.query("Assets", "Account", [1, "Charlie"]).value
    writes = rolls_back(rt, "Bob", "Spill", "spill", {"dest": "Charlie", "amount": 1000, "fail": True}, "Spill.TooLate")
    assert {(item.prefix, item.name) for item, _, _ in writes} >= {("Spill", "Count"), ("System", "Account"), ("Assets", "Account")}
    assert rt.free_balance(charlie) == free and rt.query("Assets", "Account", [1, "Charlie"]).value == asset
    receipt = rt.dispatch("Bob", "Spill", "spill", {"dest": "Charlie", "amount": 1000, "fail": False})  # the control: it does write
    assert receipt.event("Spilled")["amount"] == 1000 and rt.free_balance(charlie) == free + 1000


def test_sudo_keeps_the_outer_call_and_rolls_back_the_inner_one(spill_rt: Runtime) -> None:
    """pallet_sudo: the inner call is its own transaction; its failure is reported in Sudid and the
    sudo call itself succeeds (nothing of the inner call survives)."""
    rt = spill_rt
    root, n = rt.state_root(), len(rt.events)
    inner = {"call_module": "Spill", "call_function": "spill", "call_args": {"dest": "Charlie", "amount": 1, "fail": True}}
    receipt = rt.dispatch("Alice", "Sudo", "sudo_as", {"who": "Bob", "call": inner})
    assert receipt.is_success
    assert [e.value["event_id"] for e in receipt.triggered_events] == ["SudoAsDone"]
    assert receipt.event("SudoAsDone")["sudo_result"] == "Spill.TooLate"
    assert rt.pallets["Spill"].storage.Count.value() == 0
    assert len(rt.events) == n + 1 and rt.state_root() == root


def test_raise_error_false_returns_the_failed_receipt(rt: Runtime) -> None:
    receipt = rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30}, raise_error=False)
    assert receipt.error_message == {"type": "Token", "name": "FundsUnavailable", "docs": ["Funds are unavailable."]}


def test_module_error_message_names_the_pallet(rt: Runtime) -> None:
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Bob", "Sudo", "remove_key", {})
    assert exc.value.error_message["type"] == "Module"
    assert exc.value.error_message["pallet"] == "Sudo" and exc.value.error_message["name"] == "RequireSudo"
    assert exc.value.matches("Sudo.RequireSudo") and exc.value.matches("RequireSudo")


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"dest": "Bob"}, "value", "missing argument"),
        ({"dest": "Bob", "value": 1, "extra": 2}, "extra", "unknown argument"),
        ({"dest": "Bob", "value": "100"}, "value", "expected an unsigned integer"),
        ({"dest": "Bob", "value": 1.5}, "value", "float"),
        ({"dest": "Bob", "value": -1}, "value", "must not be negative"),
        ({"dest": "Bob", "value": 2**128}, "value", "overflows u128"),
        ({"dest": "Nobody", "value": 1}, "dest", "unknown account"),
        ({"dest": 12, "value": 1}, "dest", "expected an account"),
    ],
)
def test_bad_params_name_the_field_and_change_nothing(rt: Runtime, params: dict, field: str, message: str) -> None:
    root, calls = rt.state_root(), len(rt.call_log)
    with pytest.raises(ParamError) as exc:
        rt.dispatch("Alice", "Balances", "transfer_keep_alive", params)
    assert exc.value.path.endswith(field)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert rt.state_root() == root and len(rt.call_log) == calls


def test_unknown_pallet_and_call(rt: Runtime) -> None:
    with pytest.raises(UnknownCall, match="unknown pallet 'Balance'"):
        rt.dispatch("Alice", "Balance", "transfer_keep_alive", {})
    with pytest.raises(UnknownCall, match="did you mean"):
        rt.dispatch("Alice", "Balances", "transfer_keepalive", {})


def test_bad_origin(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="origin"):
        rt.dispatch("Nobody", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 1})
    with pytest.raises(DispatchError, match="BadOrigin"):
        rt.dispatch("root", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 1})
    with pytest.raises(DispatchError, match="BadOrigin"):
        rt.dispatch("Alice", "Balances", "force_set_balance", {"who": "Bob", "new_free": 1})


def test_sudo_dispatches_as_root_and_reports_inner_failure(rt: Runtime) -> None:
    ok = rt.dispatch("Alice", "Sudo", "sudo", {"call": {"call_module": "Balances", "call_function": "force_set_balance", "call_args": {"who": "Eve", "new_free": 7 * UNIT}}})
    assert ok.event("Sudid")["sudo_result"] is None
    assert rt.free_balance(DEV_ACCOUNTS["Eve"]) == 7 * UNIT
    inner_fail = rt.dispatch("Alice", "Sudo", "sudo", {"call": {"call_module": "Balances", "call_function": "force_transfer", "call_args": {"source": "Bob", "dest": "Eve", "value": 10**30}}})
    assert inner_fail.event("Sudid")["sudo_result"] == "Token.FundsUnavailable"
    assert inner_fail.event("Sudid").value["attributes"]["sudo_result"] == {"Err": "Token.FundsUnavailable"}


def test_nonces_count_signed_calls_even_failed_ones_outside_the_root(rt: Runtime) -> None:
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 1})
    root = rt.state_root()
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30}, raise_error=False)
    assert rt.query("System", "Account", ["Bob"]).value["nonce"] == 2
    assert rt.state_root() == root


def test_supported_calls_lists_real_and_extension_calls(rt: Runtime) -> None:
    calls = rt.supported_calls()
    assert "transfer_keep_alive" in calls["Balances"]
    assert "force_create" in calls["Assets"]
    extensions = rt.supported_calls("extension")
    real = rt.supported_calls("real")
    for pallet, names in extensions.items():
        assert not set(names) & set(real.get(pallet, []))
