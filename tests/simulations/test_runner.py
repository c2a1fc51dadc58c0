"""The runner: deterministic per seed, replayable call logs, native vs modelled rules, what-if branches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.calllog import replay
from simulations.runner import ArmSpec, Recorder, branch_difference, play, play_branches
from simulations.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "simulations" / "scenarios"
SHORT = {"length.rounds": 14}


def scenario(**overrides):  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIOS / "slash-veto.yaml", {**SHORT, **overrides})


@pytest.mark.parametrize("rule", ["tangle_services", "eigenlayer"])
def test_two_runs_give_the_same_root_and_metrics(rule: str) -> None:
    sc = scenario()
    a, b = [], []
    ra = play(sc, ArmSpec(rule, rule, sc.seed), Recorder(a.append))
    rb = play(sc, ArmSpec(rule, rule, sc.seed), Recorder(b.append))
    assert ra.state_root == rb.state_root
    assert [(c.round, c.state_root, c.metrics, c.calls) for c in a] == [(c.round, c.state_root, c.metrics, c.calls) for c in b]
    assert ra.summary == rb.summary and ra.slashes == rb.slashes
    other = play(sc, ArmSpec(rule, rule, sc.seed + 1))
    assert other.state_root != ra.state_root  # the seed matters


def test_the_recorded_call_log_replays_to_the_same_root() -> None:
    sc = scenario()
    commits = []
    res = play(sc, ArmSpec("tangle_services", "tangle_services", sc.seed), Recorder(commits.append))
    lines = [line for c in commits for line in c.calls]
    assert lines[0].startswith('{"kind": "genesis"') and len(lines) == commits[-1].total_calls
    lines.append(json.dumps({"kind": "end", "block": commits[-1].block, "state_root": commits[-1].state_root}))
    result = replay(lines)
    assert result.ok and result.runtime.state_root() == res.state_root


def test_native_tangle_rule_uses_services_slash_and_dispute() -> None:
    sc = scenario()
    commits = []
    res = play(sc, ArmSpec("tangle_services", "tangle_services", sc.seed), Recorder(commits.append))
    calls = [line for c in commits for line in c.calls]
    assert any('"call_function": "dispute"' in c and '"outcome": "ok"' in c for c in calls)
    applied = [s for s in res.slashes if s["status"] == "applied"]
    vetoed = [s for s in res.slashes if s["status"] == "vetoed"]
    assert applied and vetoed
    for s in applied:  # applied exactly when round (proposal round + 7) starts (intended profile)
        assert s["applied_block"] == s["execute_block"] == ((s["proposed_block"] - 1) // 10 + 7) * 10 + 1
        assert s["amount"] > 0
    for s in vetoed:
        assert s["proposed_block"] <= s["veto_block"] <= s["last_veto_block"]
        assert s["veto_block"] == s["proposed_block"] + sc.governance.reaction_blocks
    # a Python-modelled rule vetoes without any Services.dispute call
    commits2 = []
    play(sc, ArmSpec("symbiotic", "symbiotic", sc.seed), Recorder(commits2.append))
    assert not any('"call_function": "dispute"' in line for c in commits2 for line in c.calls)


def test_a_short_veto_window_makes_governance_late() -> None:
    sc = scenario(**{"parameters.eigenlayer.veto_window_blocks": 5, "governance.reaction_blocks": 15})
    res = play(sc, ArmSpec("eigenlayer", "eigenlayer", sc.seed))
    assert res.summary["vetoes_late"] > 0 and res.summary["slashes"].get("vetoed", 0) == 0
    relaxed = play(sc.model_copy(update={"governance": sc.governance.model_copy(update={"reaction_blocks": 2})}), ArmSpec("eigenlayer", "eigenlayer", sc.seed))
    assert relaxed.summary["vetoes_late"] == 0 and relaxed.summary["slashes"].get("vetoed", 0) > 0
    assert relaxed.summary["losses"]["operator:TNT"] < res.summary["losses"]["operator:TNT"]


def test_adding_an_actor_does_not_reshuffle_the_others() -> None:
    base = scenario(**{"governance.policy": {"kind": "random", "p": 0.5}})
    data = base.model_dump()
    data["genesis"]["delegators"].append({"id": "newcomer", "delegations": [{"operator": "op-good", "amount": 10**18}]})
    from simulations.scenario import Scenario

    bigger = Scenario.model_validate(data)
    a = play(base, ArmSpec("symbiotic", "symbiotic", base.seed))
    b = play(bigger, ArmSpec("symbiotic", "symbiotic", base.seed))
    key = lambda s: (s["offender"], s["fault_block"], s["percent"], s["disputed"], s["decision"])  # noqa: E731
    assert [key(s) for s in a.slashes] == [key(s) for s in b.slashes]
    assert a.state_root != b.state_root


def test_what_if_branches_fork_at_the_pending_slash() -> None:
    sc = scenario()
    at = sc.branches.at_slash
    rec = {"veto": [], "no_veto": []}
    out = play_branches(sc, "tangle_services", sc.seed, at, {b: Recorder(rec[b].append) for b in rec})
    veto, keep = out["veto"], out["no_veto"]
    assert veto.slashes[at]["status"] == "vetoed" and keep.slashes[at]["status"] == "applied"
    fork_round = veto.summary["fork"]["round"]
    # identical up to the fork, different after
    assert [c.state_root for c in rec["veto"][:fork_round]] == [c.state_root for c in rec["no_veto"][:fork_round]]
    assert veto.state_root != keep.state_root
    diff = {(d["entity"], d["asset"]): d for d in branch_difference(out)}
    assert diff[("op-bad", "TNT")]["saved_by_veto"] > 0
    assert diff[("op-bad", "TNT")]["loss_no_veto"] - diff[("op-bad", "TNT")]["loss_veto"] == diff[("op-bad", "TNT")]["saved_by_veto"]
    # the no-veto branch is the plain run when governance would not have vetoed
    plain = play(sc, ArmSpec("tangle_services", "tangle_services", sc.seed))
    policy_vetoes = plain.slashes[at]["decision"] == "veto"
    assert (plain.state_root == veto.state_root) if policy_vetoes else (plain.state_root == keep.state_root)


def _branch_values(sc):  # type: ignore[no-untyped-def]
    from fractions import Fraction

    from simulations.lab.what_if import totals

    out = play_branches(sc, "tangle_services", sc.seed, sc.branches.at_slash, {b: Recorder(None) for b in ("veto", "no_veto")})
    rows = branch_difference(out)
    tokens, value = totals(rows)
    arm_total = {b: Fraction(out[b].summary["outcomes"]["loss_total_value_exact"]) for b in out}
    return out, rows, tokens, value, arm_total


def test_the_what_if_values_reconcile_exactly_with_the_arm_table_under_a_moving_price() -> None:
    """slash-veto.yaml's TNT falls 0.02 USD a round: the arm table's loss (every loss at its round's
    price) of no_veto minus veto is the what-if table's saved USD total, exactly; each row's saved
    value is its no-veto value minus its veto value, and the rows add up to each arm's total."""
    from fractions import Fraction

    sc = scenario()
    out, rows, tokens, value, arm_total = _branch_values(sc)
    assert value[""] == arm_total["no_veto"] - arm_total["veto"] != 0
    for b in ("veto", "no_veto"):
        assert sum(Fraction(r[f"value_{b}"]) for r in rows if r["role"] != "pool") == arm_total[b]
        assert out[b].summary["outcomes"]["loss_total_value"] == float(arm_total[b])  # the float is the exact total, rounded once
        by_role = out[b].summary["outcomes"]["losses_by_role"]
        assert sum(Fraction(r["value_exact"]) for r in by_role if r["in_total"]) == arm_total[b]
    for r in rows:
        assert Fraction(r["saved_value"]) == Fraction(r["value_no_veto"]) - Fraction(r["value_veto"])
    from simulations.lab.what_if import what_if_context

    context = what_if_context(sc, out)
    last = context["last_round"]
    assert context["numeraire"] == "USD" and context["price_moves"] == {"TNT": [2.0, sc.prices.assets["TNT"][last], sc.prices.assets["TNT"][last], 2.0]}
    # the price moved, so the USD saved is not the tokens saved at any one price
    assert value["TNT"] not in {Fraction(tokens["TNT"]["saved_by_veto"], 10**18) * Fraction(repr(p)) for p in sc.prices.assets["TNT"]}


def test_under_a_constant_price_the_usd_saved_is_the_tokens_saved_times_the_price() -> None:
    from fractions import Fraction

    from simulations.lab.what_if import what_if_context

    sc = scenario(**{"prices.assets.TNT": 2.0})
    out, rows, tokens, value, arm_total = _branch_values(sc)
    assert what_if_context(sc, out)["price_moves"] == {}  # no note
    assert value["TNT"] == Fraction(tokens["TNT"]["saved_by_veto"], 10**18) * 2
    assert value[""] == arm_total["no_veto"] - arm_total["veto"]
    for r in rows:
        if r["asset"] == "TNT" and r["role"] != "pool_member":
            assert Fraction(r["saved_value"]) == Fraction(r["saved_by_veto"], 10**18) * 2
