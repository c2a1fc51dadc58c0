"""pallet_utility: the behaviour upstream's utility/src/tests.rs pins (stable2407), on the testnet calls."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from pallets.primitives.derivation import derivative_account_id
from tests.utility.gov_helpers import UNIT, c, failing_transfer, free, names, remark, transfer

ALICE, BOB, CHARLIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie"))


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> DispatchError:
    root = rt.state_root()
    n = len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Utility", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n
    return exc.value


def test_batch_with_signed_works(rt: Runtime) -> None:
    before = free(rt, "Charlie")
    r = rt.dispatch("Alice", "Utility", "batch", {"calls": [transfer("Charlie", 5 * UNIT), transfer("Charlie", 6 * UNIT)]})
    assert free(rt, "Charlie") == before + 11 * UNIT
    assert names(r.triggered_events).count("Utility.ItemCompleted") == 2
    assert names(r.triggered_events)[-1] == "Utility.BatchCompleted"


def test_batch_with_root_works(rt: Runtime) -> None:
    r = rt.dispatch("root", "Utility", "batch", {"calls": [c("Balances", "force_set_balance", who="Charlie", new_free=7 * UNIT), c("Balances", "force_set_balance", who="Dave", new_free=9 * UNIT)]})
    assert free(rt, "Charlie") == 7 * UNIT and free(rt, "Dave") == 9 * UNIT
    assert names(r.triggered_events)[-1] == "Utility.BatchCompleted"


def test_batch_early_exit_works(rt: Runtime) -> None:
    """The first failing item stops the batch; the items before it stay, it and later ones do not."""
    before = free(rt, "Charlie")
    r = rt.dispatch("Alice", "Utility", "batch", {"calls": [transfer("Charlie", 5 * UNIT), failing_transfer("Charlie"), transfer("Charlie", 6 * UNIT)]})
    assert r.is_success
    assert free(rt, "Charlie") == before + 5 * UNIT
    ev = r.triggered_events
    assert names(ev)[-2:] == ["Utility.ItemCompleted", "Utility.BatchInterrupted"]
    assert ev[-1]["index"] == 1 and ev[-1]["error"] == "Token.FundsUnavailable"
    assert "Utility.BatchCompleted" not in names(ev)


def test_batch_signed_origin_cannot_run_root_items(rt: Runtime) -> None:
    r = rt.dispatch("Alice", "Utility", "batch", {"calls": [remark(), c("Balances", "force_set_balance", who="Charlie", new_free=7 * UNIT)]})
    assert r.triggered_events[-1].matches("BatchInterrupted", index=1, error="BadOrigin")
    assert free(rt, "Charlie") != 7 * UNIT


def test_batch_all_works(rt: Runtime) -> None:
    before = free(rt, "Charlie")
    r = rt.dispatch("Alice", "Utility", "batch_all", {"calls": [transfer("Charlie", 5 * UNIT), transfer("Charlie", 6 * UNIT)]})
    assert free(rt, "Charlie") == before + 11 * UNIT
    assert names(r.triggered_events).count("Utility.ItemCompleted") == 2 and names(r.triggered_events)[-1] == "Utility.BatchCompleted"


def test_batch_all_revert(rt: Runtime) -> None:
    """A failing item fails the whole call with its own error: the earlier transfers and every event go."""
    fails(rt, "Token.FundsUnavailable", "Alice", "batch_all", calls=[transfer("Charlie", 5 * UNIT), remark(), failing_transfer("Charlie")])


def test_batch_all_does_not_nest(rt: Runtime) -> None:
    inner = c("Utility", "batch_all", calls=[transfer("Charlie", UNIT), transfer("Charlie", UNIT)])
    fails(rt, "System.CallFiltered", "Alice", "batch_all", calls=[inner])
    # the filter persists through other wrappers: batch_all(batch(batch_all(..))) runs, the inner batch stops
    before = free(rt, "Charlie")
    r = rt.dispatch("Alice", "Utility", "batch_all", {"calls": [c("Utility", "batch", calls=[inner])]})
    assert any(e.matches("BatchInterrupted", index=0, error="System.CallFiltered") for e in r.triggered_events)
    assert free(rt, "Charlie") == before
    # Root bypasses the filter
    rt.dispatch("root", "Utility", "batch_all", {"calls": [c("Utility", "batch_all", calls=[c("Balances", "force_set_balance", who="Charlie", new_free=3 * UNIT)])]})
    assert free(rt, "Charlie") == 3 * UNIT


def test_nested_batch_all_failure_inside_batch_rolls_back_only_that_item(rt: Runtime) -> None:
    before = free(rt, "Charlie")
    inner = c("Utility", "batch_all", calls=[transfer("Charlie", 4 * UNIT), failing_transfer("Charlie")])
    r = rt.dispatch("Alice", "Utility", "batch", {"calls": [transfer("Charlie", UNIT), inner, transfer("Charlie", UNIT)]})
    assert free(rt, "Charlie") == before + UNIT
    assert r.triggered_events[-1].matches("BatchInterrupted", index=1, error="Token.FundsUnavailable")
    # the nested batch_all's own ItemCompleted (for its first transfer) was rolled back with it
    assert names(r.triggered_events).count("Utility.ItemCompleted") == 1


def test_force_batch_works(rt: Runtime) -> None:
    before = free(rt, "Charlie")
    r = rt.dispatch("Alice", "Utility", "force_batch", {"calls": [transfer("Charlie", 5 * UNIT), failing_transfer("Charlie"), transfer("Charlie", 6 * UNIT)]})
    assert free(rt, "Charlie") == before + 11 * UNIT
    tail = [e for e in r.triggered_events if e.module_id == "Utility"]
    assert names(tail) == ["Utility.ItemCompleted", "Utility.ItemFailed", "Utility.ItemCompleted", "Utility.BatchCompletedWithErrors"]
    assert tail[1]["error"] == "Token.FundsUnavailable"
    r = rt.dispatch("Alice", "Utility", "force_batch", {"calls": [remark()]})
    assert names(r.triggered_events)[-1] == "Utility.BatchCompleted"


def test_batch_limit(rt: Runtime) -> None:
    limit = rt.constants("Utility").batched_calls_limit
    assert limit == 10_922
    for name in ("batch", "batch_all", "force_batch"):
        fails(rt, "Utility.TooManyCalls", "Alice", name, calls=[remark()] * (limit + 1))


def test_none_origin_does_not_work(rt: Runtime) -> None:
    for name in ("batch", "batch_all", "force_batch"):
        fails(rt, "BadOrigin", "none", name, calls=[])


def test_as_derivative_works(rt: Runtime) -> None:
    sub = derivative_account_id(ALICE, 0)
    assert sub != derivative_account_id(ALICE, 1) and sub != derivative_account_id(BOB, 0)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": sub, "value": 10 * UNIT})
    fails(rt, "Token.FundsUnavailable", "Alice", "as_derivative", index=0, call=transfer("Charlie", 20 * UNIT))
    before = free(rt, "Charlie")
    rt.dispatch("Alice", "Utility", "as_derivative", {"index": 0, "call": transfer("Charlie", 4 * UNIT)})
    assert free(rt, "Charlie") == before + 4 * UNIT and rt.free_balance(sub) == 6 * UNIT
    # Bob's derivative 0 is another account with no funds
    fails(rt, "Token.FundsUnavailable", "Bob", "as_derivative", index=0, call=transfer("Charlie", UNIT))
    fails(rt, "BadOrigin", "root", "as_derivative", index=0, call=remark())


def test_dispatch_as_root_only_and_reports_the_result(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "Alice", "dispatch_as", as_origin={"system": {"Signed": "Bob"}}, call=transfer("Charlie", UNIT))
    before = free(rt, "Charlie")
    r = rt.dispatch("root", "Utility", "dispatch_as", {"as_origin": {"system": {"Signed": "Bob"}}, "call": transfer("Charlie", UNIT)})
    assert free(rt, "Charlie") == before + UNIT
    assert r.triggered_events[-1].matches("DispatchedAs", result=None)
    r = rt.dispatch("root", "Utility", "dispatch_as", {"as_origin": {"system": {"Signed": "Bob"}}, "call": failing_transfer()})
    assert r.is_success and r.triggered_events[-1].matches("DispatchedAs", result="Token.FundsUnavailable")


def test_batch_works_with_council_origin(rt: Runtime) -> None:
    """A council origin (here built by dispatch_as) batches calls gated by Root-or-more-than-half-Council."""
    call = c("Utility", "batch", calls=[c("Services", "update_default_heartbeat_interval", interval=77)])
    rt.dispatch("root", "Utility", "dispatch_as", {"as_origin": {"Council": {"Members": [3, 5]}}, "call": call})
    assert rt.query("Services", "DefaultHeartbeatInterval").value == 77
    r = rt.dispatch("root", "Utility", "dispatch_as", {"as_origin": {"Council": {"Members": [2, 5]}}, "call": c("Utility", "batch_all", calls=[c("Services", "update_default_heartbeat_interval", interval=5)])})
    assert r.triggered_events[-1].matches("DispatchedAs", result="BadOrigin")
    assert rt.query("Services", "DefaultHeartbeatInterval").value == 77


def test_with_weight_works(rt: Runtime) -> None:
    w = {"ref_time": 1, "proof_size": 1}
    fails(rt, "BadOrigin", "Alice", "with_weight", call=remark(), weight=w)
    rt.dispatch("root", "Utility", "with_weight", {"call": c("Balances", "force_set_balance", who="Charlie", new_free=2 * UNIT), "weight": w})
    assert free(rt, "Charlie") == 2 * UNIT
    fails(rt, "BadOrigin", "root", "with_weight", call=remark(), weight=w)  # remark_with_event needs a signer


def test_bad_nested_input_names_the_field(rt: Runtime) -> None:
    root = rt.state_root()
    with pytest.raises(ValueError, match=r"calls\[1\]|calls.*unknown call"):
        rt.dispatch("Alice", "Utility", "batch", {"calls": [remark(), c("Nope", "nothing")]})
    with pytest.raises(ValueError, match="value"):
        rt.dispatch("Alice", "Utility", "batch", {"calls": [c("Balances", "transfer_keep_alive", dest="Bob", value=-1)]})
    assert rt.state_root() == root


def test_deeply_nested_batches_fail_cleanly(rt: Runtime) -> None:
    call = remark()
    for _ in range(3000):
        call = c("Utility", "batch", calls=[call])
    root = rt.state_root()
    with pytest.raises(ValueError):
        rt.dispatch("Alice", "Utility", "batch", {"calls": [call]})
    assert rt.state_root() == root
