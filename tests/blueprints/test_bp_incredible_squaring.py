"""incredible-squaring: quorum acceptance, input validation by the manager, a faulty operator slashed
through the deferred-slash path, and the demo's timeline."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from blueprints import BlueprintTestHarness, Faulty, Slow
from blueprints.examples.incredible_squaring import MAX_ROOT, build_blueprint, run_demo
from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS


def test_compiled_params_are_accepted_by_create_blueprint() -> None:
    rt = Runtime.dev()
    rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": build_blueprint().compile()})
    _, stored = rt.pallets["Services"].storage.Blueprints.get(0)
    assert [j.metadata.name for j in stored.jobs] == ["square"]
    assert stored.jobs[0].params == stored.jobs[0].result and stored.jobs[0].params[0].name == "Uint64"


def test_compiled_params_encode_against_the_real_metadata(metadata) -> None:  # type: ignore[no-untyped-def]
    from runtime.bridge.encoding import encode_runtime

    h = BlueprintTestHarness(build_blueprint(), behaviours={"Dave": Faulty(1.0)})
    h.call_job(0, 3)
    h.report_faults(10)
    report = encode_runtime(h.rt, metadata)  # create_blueprint, joins, registration, request, approvals, call, results, slash
    assert report.failures == [], [c.detail for c in report.failures[:3]]
    assert {c.function for c in report.calls} >= {"create_blueprint", "register", "request", "approve", "call", "submit_result", "slash"}


def test_quorum_of_two_accepts_the_square_even_when_one_operator_lies() -> None:
    h = BlueprintTestHarness(build_blueprint(), behaviours={"Bob": Faulty(1.0, seed=1), "Charlie": Slow(2)})
    out = h.call_job(0, 11)
    assert out.result == 121 and out.final and out.blocks == 2
    assert out.results["Bob"] != [121]
    assert [(f.account, f.kind) for f in h.manager.faults()] == [(DEV_ACCOUNTS["Bob"], "mismatch")]


def test_two_liars_cannot_make_a_quorum_unless_they_agree() -> None:
    h = BlueprintTestHarness(build_blueprint(), behaviours={"Bob": Faulty(1.0, seed=1), "Charlie": Faulty(1.0, seed=2)})
    out = h.call_job(0, 11)
    assert {v[0] for v in out.results.values()} >= {121} and len({v[0] for v in out.results.values()}) == 3
    assert not out.final and out.result is None  # three different answers: no quorum


def test_the_manager_refuses_inputs_whose_square_overflows() -> None:
    h = BlueprintTestHarness(build_blueprint())
    root = h.rt.state_root()
    with pytest.raises(DispatchError) as exc:
        h.call_job(0, MAX_ROOT + 1)
    assert exc.value.matches("InvalidJobCallInput") and h.rt.state_root() == root
    assert h.call_job(0, MAX_ROOT).result == MAX_ROOT**2


def test_demo_tells_the_whole_story_and_slashes_the_faulty_operator() -> None:
    out = io.StringIO()
    h = run_demo(Console(file=out, width=200), seed=7)
    text = out.getvalue()
    faults = h.manager.faults()
    assert faults and {f.account for f in faults} == {DEV_ACCOUNTS["Dave"]}
    # Dave was slashed 10% of his self-stake and his delegator 10% of the USDC delegated to him; the honest were not
    assert h.operator_stake("Dave") == 900 * 10**18 and h.delegated("Dave") == 9_000 * 10**6
    assert h.operator_stake("Bob") == h.operator_stake("Charlie") == 1_000 * 10**18
    for needle in ("requested a service", "called job 0 (square)", "answered call", "slash of 10% proposed against Dave",
                   "Dave lost 100 TNT of self-stake", "delegator Ferdie lost 1,000 USDC", "InvalidJobCallInput"):
        assert needle in text, needle
