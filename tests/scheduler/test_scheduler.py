"""pallet_scheduler: the behaviour upstream's scheduler/src/tests.rs pins (stable2407): tasks run in
the Scheduler's on_initialize of their block with their stored origin, each atomically."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.calls import RuntimeCallCodec
from pallets.primitives.dispatch import blake2_256, call_hash, encode_call
from runtime.origin import ROOT
from tests.utility.gov_helpers import UNIT, c, free, transfer

NAME = "0x" + "01" * 32


def set_balance(who: str, amount: int) -> dict:
    return c("Balances", "force_set_balance", who=who, new_free=amount)


def schedule(rt: Runtime, when: int, call: dict, periodic=None, priority: int = 127):  # type: ignore[no-untyped-def]
    return rt.dispatch("root", "Scheduler", "schedule", {"when": when, "maybe_periodic": periodic, "priority": priority, "call": call})


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Scheduler", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def dispatched(rt: Runtime, since: int = 0) -> list:
    return [e for e in rt.events_named("Scheduler.Dispatched", since)]


def test_basic_scheduling_works(rt: Runtime) -> None:
    r = schedule(rt, 4, set_balance("Charlie", 7 * UNIT))
    assert r.triggered_events[-1].matches("Scheduled", when=4, index=0)
    rt.run_to_block(3)
    assert free(rt, "Charlie") != 7 * UNIT
    rt.run_to_block(4)
    assert free(rt, "Charlie") == 7 * UNIT
    (ev,) = dispatched(rt)
    assert ev.block == 4 and ev.phase == "Initialization" and ev["task"] == (4, 0) and ev["result"] is None
    assert rt.query("Scheduler", "Agenda", [4]).raw == ()
    assert rt.query("Scheduler", "IncompleteSince").raw is None  # nothing left behind: no backlog walk


def test_should_check_origin_and_time(rt: Runtime) -> None:
    fails(rt, "BadOrigin", "Alice", "schedule", when=4, maybe_periodic=None, priority=0, call=set_balance("Charlie", 1))
    rt.run_to_block(3)
    fails(rt, "Scheduler.TargetBlockNumberInPast", "root", "schedule", when=3, maybe_periodic=None, priority=0, call=set_balance("Charlie", 1))


def test_schedule_after_works_and_after_zero(rt: Runtime) -> None:
    rt.run_to_block(2)
    rt.dispatch("root", "Scheduler", "schedule_after", {"after": 3, "maybe_periodic": None, "priority": 0, "call": set_balance("Charlie", 5 * UNIT)})
    rt.dispatch("root", "Scheduler", "schedule_after", {"after": 0, "maybe_periodic": None, "priority": 0, "call": set_balance("Dave", 5 * UNIT)})
    rt.run_to_block(3)
    assert free(rt, "Dave") == 5 * UNIT and free(rt, "Charlie") != 5 * UNIT
    rt.run_to_block(5)
    assert free(rt, "Charlie") != 5 * UNIT
    rt.run_to_block(6)  # now + after + 1
    assert free(rt, "Charlie") == 5 * UNIT


def test_signed_origin_task_runs_as_the_signer(rt: Runtime) -> None:
    """A task scheduled by Root through dispatch_as keeps the stored origin (here: Root); a call that
    needs a signer fails at enactment, reported in Dispatched, and changes nothing."""
    schedule(rt, 3, transfer("Dave", UNIT))
    before = free(rt, "Dave")
    rt.run_to_block(3)
    assert dispatched(rt)[-1]["result"] == "BadOrigin" and free(rt, "Dave") == before


def test_periodic_scheduling_works(rt: Runtime) -> None:
    # every 3 blocks from block 4, three times in all
    schedule(rt, 4, c("Balances", "force_adjust_total_issuance", direction="Increase", delta=1), periodic=[3, 3])
    rt.run_to_block(20)
    assert [e.block for e in dispatched(rt)] == [4, 7, 10]


def test_named_scheduling_and_cancel(rt: Runtime) -> None:
    args = {"id": NAME, "when": 5, "maybe_periodic": None, "priority": 0, "call": set_balance("Charlie", 9 * UNIT)}
    rt.dispatch("root", "Scheduler", "schedule_named", args)
    assert rt.query("Scheduler", "Lookup", [NAME]).raw == (5, 0)
    fails(rt, "Scheduler.FailedToSchedule", "root", "schedule_named", **args)
    r = rt.dispatch("root", "Scheduler", "cancel_named", {"id": NAME})
    assert r.triggered_events[-1].matches("Canceled", when=5, index=0)
    assert rt.query("Scheduler", "Lookup", [NAME]).raw is None and rt.query("Scheduler", "Agenda", [5]).raw == ()
    fails(rt, "Scheduler.NotFound", "root", "cancel_named", id=NAME)
    rt.run_to_block(6)
    assert free(rt, "Charlie") != 9 * UNIT and dispatched(rt) == []


def test_cancel_keeps_other_slots_and_trims(rt: Runtime) -> None:
    schedule(rt, 5, set_balance("Charlie", 1 * UNIT))
    schedule(rt, 5, set_balance("Dave", 2 * UNIT))
    fails(rt, "Scheduler.NotFound", "root", "cancel", when=5, index=7)
    fails(rt, "BadOrigin", "Alice", "cancel", when=5, index=0)
    rt.dispatch("root", "Scheduler", "cancel", {"when": 5, "index": 0})
    assert rt.query("Scheduler", "Agenda", [5]).raw[0] is None
    rt.dispatch("root", "Scheduler", "cancel", {"when": 5, "index": 1})
    assert rt.query("Scheduler", "Agenda", [5]).raw == ()  # the last task removes the agenda


def test_scheduler_respects_priority_ordering(rt: Runtime) -> None:
    schedule(rt, 4, set_balance("Charlie", 1 * UNIT), priority=100)
    schedule(rt, 4, set_balance("Charlie", 2 * UNIT), priority=5)
    rt.run_to_block(4)
    assert [e["task"] for e in dispatched(rt)] == [(4, 1), (4, 0)]
    assert free(rt, "Charlie") == 1 * UNIT  # the low-priority one ran last


def test_retry_scheduling_works(rt: Runtime) -> None:
    """A failing task with a retry config runs again ``period`` blocks later until it succeeds."""
    poor = rt.account("//Poor")
    call = c("Balances", "force_transfer", source=poor, dest="Dave", value=UNIT)
    schedule(rt, 4, call)
    rt.dispatch("root", "Scheduler", "set_retry", {"task": [4, 0], "retries": 3, "period": 2})
    assert rt.query("Scheduler", "Retries", [[4, 0]]).raw.remaining == 3
    fails(rt, "Scheduler.NotFound", "root", "set_retry", task=[4, 1], retries=3, period=2)
    rt.run_to_block(4)
    assert dispatched(rt)[-1]["result"] is not None
    assert rt.query("Scheduler", "Retries", [[6, 0]]).raw.remaining == 2
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": poor, "value": 10 * UNIT})
    before = free(rt, "Dave")
    rt.run_to_block(7)
    assert [e.block for e in dispatched(rt)] == [4, 6] and dispatched(rt)[-1]["result"] is None
    assert free(rt, "Dave") == before + UNIT
    assert rt.query_map("Scheduler", "Retries") == []


def test_retry_scheduling_expires(rt: Runtime) -> None:
    schedule(rt, 4, transfer("Dave", UNIT))  # Root cannot transfer: fails every time
    rt.dispatch("root", "Scheduler", "set_retry", {"task": [4, 0], "retries": 2, "period": 1})
    rt.run_to_block(12)
    assert [e.block for e in dispatched(rt)] == [4, 5, 6]


def test_cancel_retry(rt: Runtime) -> None:
    schedule(rt, 4, transfer("Dave", UNIT))
    rt.dispatch("root", "Scheduler", "set_retry", {"task": [4, 0], "retries": 2, "period": 1})
    r = rt.dispatch("root", "Scheduler", "cancel_retry", {"task": [4, 0]})
    assert r.triggered_events[-1].name == "Scheduler.RetryCancelled"
    rt.run_to_block(8)
    assert [e.block for e in dispatched(rt)] == [4]


def test_scheduling_with_preimages_and_unavailable_calls(rt: Runtime) -> None:
    """A long call is stored as a preimage lookup, requested while scheduled, dropped after."""
    long_call = c("Utility", "batch_all", calls=[set_balance(f"//Acct{i}", (i + 1) * UNIT) for i in range(3)])
    schedule(rt, 4, long_call)
    (task,) = rt.query("Scheduler", "Agenda", [4]).raw
    assert task.call.name == "Lookup"
    h = task.call.value.hash
    assert rt.pallets["Preimage"].is_requested(h)
    rt.run_to_block(4)
    assert free(rt, "//Acct2") == 3 * UNIT
    # a lookup whose preimage was never noted: CallUnavailable, left in its slot, never run
    from pallets.scheduler.types import Bounded, Lookup

    missing = Bounded.Lookup(Lookup(b"\x09" * 32, 40))
    rt.pallets["Scheduler"].do_schedule(6, None, 0, ROOT, missing)
    rt.run_to_block(7)
    assert rt.events_named("Scheduler.CallUnavailable")[-1]["task"] == (6, 0)
    assert rt.query("Scheduler", "Agenda", [6]).raw[0] is not None


def test_enactment_is_atomic_per_task(rt: Runtime) -> None:
    """A failing batch_all task rolls back all of its own items; the next task still runs."""
    rt.run_to_block(2)
    schedule(rt, 4, c("Utility", "batch_all", calls=[set_balance("Charlie", 3 * UNIT), transfer("Dave", UNIT)]))
    schedule(rt, 4, set_balance("Eve", 4 * UNIT))
    before = free(rt, "Charlie")
    rt.run_to_block(4)
    results = [e["result"] for e in dispatched(rt)]
    assert results == ["BadOrigin", None]
    assert free(rt, "Charlie") == before and free(rt, "Eve") == 4 * UNIT


def test_encoding_round_trip() -> None:
    rt = Runtime.dev()
    call = RuntimeCallCodec().decode(transfer("Bob", 5), "c")
    data = encode_call(call)
    assert blake2_256(data) == call_hash(call)
    assert rt.pallets["Scheduler"].peek(rt.pallets["Scheduler"].bound(call)) == call
