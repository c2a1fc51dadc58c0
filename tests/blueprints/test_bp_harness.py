"""The harness, the operators and the aggregating manager on a small blueprint."""

from __future__ import annotations

import pytest

from blueprints import (U64, Blueprint, BlueprintTestHarness, Faulty, Honest, JobContext, Majority, Malicious, NoResult, Offline, Quorum,
                        ServiceManager, Slow, Threshold)
from blueprints.harness import tnt_and_usdc
from runtime.accounts import DEV_ACCOUNTS


def squaring(aggregation=None) -> Blueprint:  # type: ignore[no-untyped-def]
    bp = Blueprint("squaring-under-test", manager=lambda: ServiceManager(aggregation or Quorum(2)), security=tnt_and_usdc())

    @bp.job(0)
    def square(x: U64) -> U64:
        return x * x

    return bp


def test_harness_deploys_through_real_calls_and_answers_a_job() -> None:
    h = BlueprintTestHarness(squaring(), operators=3)
    calls = [(r.spec.pallet, r.spec.name) for r in h.rt.call_log]
    assert calls[0] == ("Services", "create_blueprint")
    assert calls.count(("MultiAssetDelegation", "join_operators")) == 3 and calls.count(("Services", "approve")) == 3
    service = h.rt.pallets["Services"].storage.Instances.get(h.service_id)
    assert set(service.operators()) == {DEV_ACCOUNTS[n] for n in ("Bob", "Charlie", "Dave")}
    out = h.call_job(0, 12)
    assert out.result == 144 and out.final and out.blocks == 0
    assert out.results == {"Bob": [144], "Charlie": [144], "Dave": [144]}
    assert [e.spec.name for e in out.events if e.spec.pallet == "Services"] == ["JobCalled"] + ["JobResultSubmitted"] * 3
    assert h.rt.pallets["Services"].storage.JobResults.get((h.service_id, out.call_id)) is not None


def test_quorum_waits_for_slow_operators_and_offline_ones_never_answer() -> None:
    h = BlueprintTestHarness(squaring(Quorum(2)), behaviours={"Bob": Offline(), "Charlie": Slow(3)})
    out = h.call_job(0, 5)
    assert out.final and out.result == 25
    assert out.blocks == 3  # Dave answered at once, Charlie three blocks later made the quorum
    assert out.results == {"Dave": [25], "Charlie": [25]}
    assert h.manager.final_block(h.service_id, out.call_id) == h.rt.block_number


def test_an_answer_still_to_come_is_listed_as_pending_not_missing() -> None:
    """A new user's ``Slow(3)`` operator was neither in ``missing`` nor in the repr when the quorum
    was met before it answered: it is listed as pending (its answer is scheduled)."""
    h = BlueprintTestHarness(squaring(Quorum(2)), behaviours={"Bob": Offline(), "Dave": Slow(3)}, operators=4)
    out = h.call_job(0, 2)
    assert out.final and out.blocks == 0 and set(out.results) == {"Charlie", "Operator4"}
    assert out.pending == ["Dave"] and out.missing == ["Bob"]
    assert "no answer from Bob, answer still to come from Dave" in repr(out)
    h.advance(3)
    assert h.call_job(0, 3).pending == ["Dave"]


def test_without_a_quorum_the_call_is_not_final() -> None:
    h = BlueprintTestHarness(squaring(Quorum(3)), behaviours={"Bob": Offline()})
    out = h.call_job(0, 5)
    assert not out.final and out.result is None and len(out.results) == 2


def test_faulty_operator_is_recorded_as_a_mismatch_and_equivocation_is_caught() -> None:
    h = BlueprintTestHarness(squaring(Quorum(2)), behaviours={"Charlie": Faulty(1.0, seed=3), "Dave": Malicious()})
    out = h.call_job(0, 9)
    assert out.result == 81
    assert out.results["Charlie"] != [81] and out.results["Dave"][0] == 81 and out.results["Dave"][1] != 81
    kinds = {(f.operator, f.account, f.kind) for f in h.manager.faults()}
    assert kinds == {("Charlie", DEV_ACCOUNTS["Charlie"], "mismatch"), ("Dave", DEV_ACCOUNTS["Dave"], "equivocation")}


def test_faulty_draws_are_seeded_per_operator() -> None:
    def wrong_calls(seed: int) -> list[tuple[str, int]]:
        h = BlueprintTestHarness(squaring(Majority()), behaviours=[Faulty(0.5, seed), Faulty(0.5, seed), Honest()])
        for x in range(20):
            h.call_job(0, x)
        return sorted((f.account, f.call_id) for f in h.manager.faults())

    first = wrong_calls(1)
    assert first == wrong_calls(1)  # reproducible
    by_op = {op: {c for o, c in first if o == op} for op in (DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"])}
    assert by_op[DEV_ACCOUNTS["Bob"]] != by_op[DEV_ACCOUNTS["Charlie"]]  # not in lockstep
    assert 0 < len(first) < 40


def test_threshold_counts_against_the_service_size() -> None:
    h = BlueprintTestHarness(squaring(Threshold(67)), operators=4, behaviours={"Operator4": Offline(), "Bob": Slow(1)})
    out = h.call_job(0, 3)  # ceil(0.67 * 4) = 3 matching results: Charlie, Dave now and Bob one block later
    assert out.final and out.blocks == 1


def test_handler_errors_are_loud_and_no_result_is_silent() -> None:
    bp = Blueprint("flaky", manager=lambda: ServiceManager(Quorum(1)))

    @bp.job(0)
    def only_bob(x: U64, ctx: JobContext) -> U64:
        if ctx.operator_name == "Charlie":
            raise NoResult()
        if ctx.operator_name == "Dave":
            raise ZeroDivisionError("boom")
        return x + ctx.call_id

    h = BlueprintTestHarness(bp)
    with pytest.raises(RuntimeError, match="Dave job 0 call 0: ZeroDivisionError: boom"):
        h.call_job(0, 1)
    assert len(h.network.errors) == 1  # type: ignore[union-attr]
    h.strict = False
    out = h.call_job(0, 1)
    assert out.results == {"Bob": [2]} and len(h.network.errors) == 2  # type: ignore[union-attr]


def test_heartbeats_are_signed_and_accepted_on_the_managers_interval() -> None:
    bp = Blueprint("beats", manager=lambda: ServiceManager(heartbeat_interval=5))

    @bp.job(0)
    def noop() -> None:
        return None

    h = BlueprintTestHarness(bp, behaviours={"Dave": Offline()})
    start = h.rt.block_number
    h.advance(12)
    beats = [e for e in h.rt.events_named("HeartbeatReceived") if e.block >= start]
    senders = {e["operator"] for e in beats}
    assert senders == {DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"]}
    assert all(a.ok for a in h.network.actions if a.kind == "heartbeat")  # type: ignore[union-attr]
    blocks = sorted({e.block for e in beats if e["operator"] == DEV_ACCOUNTS["Bob"]})
    assert all(b - a == 5 for a, b in zip(blocks, blocks[1:])) and len(blocks) >= 3


def test_reported_faults_are_slashed_after_the_defer_window() -> None:
    h = BlueprintTestHarness(squaring(Quorum(2)), behaviours={"Dave": Faulty(1.0)})
    h.call_job(0, 4)
    stake, delegated = h.operator_stake("Dave"), h.delegated("Dave")
    reports = h.report_faults(percent=10)
    assert [(f.kind, err) for f, err in reports] == [("mismatch", None)]
    assert h.report_faults(10) == []  # reported once
    pending = h.rt.pallets["Services"].storage.UnappliedSlashes
    assert len(list(pending.items())) == 1
    h.advance_rounds(h.slash_defer_rounds() - 1)
    assert h.operator_stake("Dave") == stake  # still inside the dispute window
    h.advance_rounds(1)
    assert h.operator_stake("Dave") == stake - stake // 10
    assert h.delegated("Dave") == delegated - delegated // 10
    assert h.operator_stake("Bob") == stake


def test_a_disputed_slash_never_applies_and_only_the_origins_may_slash_or_dispute() -> None:
    from runtime import DispatchError

    h = BlueprintTestHarness(squaring(Quorum(2)), behaviours={"Dave": Faulty(1.0)})
    h.call_job(0, 4)
    stake = h.operator_stake("Dave")
    with pytest.raises(DispatchError) as exc:  # Alice owns the blueprint, but the manager is the slashing origin
        h.dispatch("Alice", "Services", "slash", {"offender": "Dave", "service_id": h.service_id, "slash_percent": 10})
    assert exc.value.matches("BadOrigin")
    [(fault, err)] = h.report_faults(10)
    assert err is None
    ev = h.rt.events_named("UnappliedSlash")[-1]
    with pytest.raises(DispatchError):
        h.dispatch("Eve", "Services", "dispute", {"era": ev["era"], "index": ev["index"]})
    h.dispute(ev["era"], ev["index"])
    assert h.rt.events_named("SlashDiscarded")
    h.advance_rounds(h.slash_defer_rounds() + 1)
    assert h.operator_stake("Dave") == stake


def test_a_configured_slashing_origin_is_used() -> None:
    bp = Blueprint("owner-slashes", manager=lambda: ServiceManager(Quorum(2), slashing_origin="Alice"))

    @bp.job(0)
    def echo(x: U64) -> U64:
        return x

    h = BlueprintTestHarness(bp, behaviours={"Bob": Faulty(1.0)})
    h.call_job(0, 1)
    assert h.manager.slashing_account == DEV_ACCOUNTS["Alice"]
    assert [err for _, err in h.report_faults(5)] == [None]


def test_without_an_aggregating_manager_the_chain_keeps_the_last_result() -> None:
    bp = Blueprint("plain")  # the default manager: accept everything, no aggregation

    @bp.job(0)
    def who(ctx: JobContext) -> str:
        return ctx.operator_name

    h = BlueprintTestHarness(bp, behaviours={"Dave": Slow(2)})
    out = h.call_job(0)
    assert out.blocks == 2  # waited for every planned submission
    assert out.final and out.result == "Dave"  # JobResults is overwritten: last one wins
    assert out.results == {"Bob": ["Bob"], "Charlie": ["Charlie"], "Dave": ["Dave"]}


def test_registration_args_reach_the_managers_hook() -> None:
    from pallets.services.manager import Revert
    from runtime import DispatchError

    class RegionCheck(ServiceManager):
        def on_register(self, blueprint_id, operator, preferences, registration_args, value):  # type: ignore[no-untyped-def]
            if registration_args[0].value not in ("eu", "us"):
                raise Revert("unsupported region")
            return None

    bp = Blueprint("regions", manager=RegionCheck, registration_params=[str], membership=("Dynamic",))

    @bp.job(0)
    def ping() -> bool:
        return True

    h = BlueprintTestHarness(bp, registration_args={"Bob": ["eu"], "Charlie": ["us"], "Dave": ["eu"]})
    assert h.rt.pallets["Services"].storage.Instances.get(h.service_id).membership_model.name == "Dynamic"
    assert h.call_job(0).result is True
    with pytest.raises(DispatchError) as exc:
        BlueprintTestHarness(bp, registration_args={"Bob": ["eu"], "Charlie": ["mars"], "Dave": ["eu"]})
    assert exc.value.matches("InvalidRegistrationInput")
