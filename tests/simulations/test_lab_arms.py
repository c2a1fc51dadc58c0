"""Arms: policy x rule x parameters, parameters only where they matter, identical arms once, common seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulations import sweep as sw
from simulations.cli import app
from simulations.lab.arms import ArmError, affects, declared_arms, grid_arms, resolve_policy
from simulations.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
TEXT = SCENARIO.read_text()
RULES = ["tangle_services", "substrate_staking", "symbiotic", "eigenlayer"]


def stock():  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIO)


def test_parameters_apply_only_to_the_rules_they_move() -> None:
    assert affects("slash_defer_duration", "tangle_services") and not affects("slash_defer_duration", "eigenlayer")
    assert affects("eigenlayer.veto_window_blocks", "eigenlayer") and not affects("parameters.eigenlayer.veto_window_blocks", "symbiotic")
    assert affects("staking_slash_defer_duration", "substrate_staking") and not affects("staking_slash_defer_duration", "tangle_services")
    assert affects("governance.reaction_blocks", "eigenlayer") and affects("length.rounds", "symbiotic")
    grid = {"slash_defer_duration": [3, 7, 14], "eigenlayer.veto_window_blocks": [12, 30], "governance.reaction_blocks": [15]}
    arms, combos = grid_arms(stock(), RULES, grid, ["never", "stock"])
    assert combos == 2 * 4 * 3 * 2
    # per policy: 3 Tangle + 2 EigenLayer + 1 staking + 1 Symbiotic
    assert len(arms) == 2 * 7 and len({a.key() for a in arms}) == len(arms)
    by_name = {a.name: a for a in arms}
    assert "symbiotic/never" in by_name and "eigenlayer/stock/eigenlayer.veto_window_blocks=30" in by_name
    sym = by_name["symbiotic/never"].overrides()
    assert sym["governance.reaction_blocks"] == 15 and not any("slash_defer" in k or "eigenlayer" in k for k in sym)
    assert sym["governance.policy"] == {"kind": "never"}
    assert by_name["tangle_services/stock/slash_defer_duration=14"].point() == {"policy": "stock", "slash_defer_duration": 14, "governance.reaction_blocks": 15}


def test_policies_by_name_shorthand_or_mapping_and_clear_errors() -> None:
    sc = stock()
    assert resolve_policy(sc, "veto_under:5")[1] == '{"kind": "veto_under", "percent": 5}'
    assert resolve_policy(sc, "random:0.25")[1] == '{"kind": "random", "p": 0.25}'
    assert resolve_policy(sc, "{kind: veto_disputed}")[1] == '{"kind": "veto_disputed"}'
    assert resolve_policy(sc, "stock")[1] == resolve_policy(sc, "scenario")[1]  # the stock policy is the scenario's own
    with pytest.raises(ArmError, match=r"unknown policy 'lenient'.*'disputed_only'"):
        resolve_policy(sc, "lenient")
    with pytest.raises(ArmError, match="veto_under takes a number"):
        resolve_policy(sc, "veto_under:lots")
    with pytest.raises(ArmError, match="not a veto policy"):
        resolve_policy(sc, "{kind: veto_under, percent: 300}")
    with pytest.raises(ArmError, match="use one"):
        grid_arms(sc, RULES, {"governance.policy.percent": [5]}, ["never"])


def test_identical_arms_run_once_and_every_arm_shares_the_seeds() -> None:
    tasks = sw.plan(TEXT, ".yaml", {"length.rounds": 6}, {"slash_defer_duration": [3, 9]}, ["tangle_services", "symbiotic"], 3, 7,
                    policies=["never", "always"])
    arms = sorted({t.arm for t in tasks})
    assert arms == ["symbiotic/always", "symbiotic/never", "tangle_services/always/slash_defer_duration=3", "tangle_services/always/slash_defer_duration=9",
                    "tangle_services/never/slash_defer_duration=3", "tangle_services/never/slash_defer_duration=9"]
    assert len(tasks) == 6 * 3
    seeds = {}
    for t in tasks:
        seeds.setdefault(t.run_index, set()).add(t.seed)
    assert all(len(s) == 1 for s in seeds.values()) and len({next(iter(s)) for s in seeds.values()}) == 3
    frame = sw.to_frame(sw.run_serial(tasks))
    assert set(frame.columns) >= {"arm", "seed", "run_index", "pending_at_end", "policy", "honest_slashed", "faulty_escaped"}
    # the policy arm really changes the outcome (common seeds: the same faults and accusations in every arm)
    never = frame[frame.arm == "symbiotic/never"].set_index("seed")
    always = frame[frame.arm == "symbiotic/always"].set_index("seed")
    assert (never.justified == always.justified).all() and (never.unjustified == always.unjustified).all()
    assert (always.applied == 0).all() and (never.vetoed == 0).all() and (always.faulty_escaped == always.justified).all()
    # the defer applies to the Tangle arms: a longer window gives governance more blocks
    t3 = frame[frame.arm == "tangle_services/never/slash_defer_duration=3"].window_mean.mean()
    t9 = frame[frame.arm == "tangle_services/never/slash_defer_duration=9"].window_mean.mean()
    assert t3 < t9


def test_arms_declared_in_the_scenario(tmp_path) -> None:
    text = TEXT + """\
arms:
  - {name: lenient-tangle, policy: always, rule: tangle_services, params: {slash_defer_duration: 3}}
  - {name: strict-eigen, policy: never, rule: eigenlayer, params: {slash_defer_duration: 3}}
  - {name: strict-eigen-again, policy: {kind: never}, rule: eigenlayer}
  - {name: own-policy, rule: symbiotic}
"""
    path = tmp_path / "arms.yaml"
    path.write_text(text)
    arms = declared_arms(load_scenario(path))
    # the EigenLayer arm ignores the Tangle parameter, so its second declaration is the same arm
    assert [a.name for a in arms] == ["lenient-tangle", "strict-eigen", "own-policy"]
    assert arms[1].params == () and arms[0].params == (("parameters.slash_defer_duration", 3),) and arms[2].policy is None
    path.write_text(text.replace("policy: always", "policy: lenient"))
    with pytest.raises(Exception, match=r"arms\[0\].policy: unknown policy 'lenient'"):
        load_scenario(path)


def test_the_sweep_command_takes_a_policy_grid(tmp_path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "s.db")
    bad = runner.invoke(app, ["sweep", str(SCENARIO), "--policy", "lenient", "--runs", "1", "--store", db, "--no-progress"])
    assert bad.exit_code == 2 and "unknown policy 'lenient'" in bad.output
    # every arm's overrides are validated together before anything runs
    clash = runner.invoke(app, ["sweep", str(SCENARIO), "--param", "staking_slash_defer_duration=1,3", "--rule", "substrate_staking", "--runs", "1",
                                "--store", db, "--no-progress"])
    assert clash.exit_code == 2 and "SlashDeferDuration < BondingDuration" in " ".join(clash.output.split())
    together = runner.invoke(app, ["sweep", str(SCENARIO), "--param", "staking_slash_defer_duration=4", "--param", "staking_bonding_duration=5",
                                   "--param", "length.rounds=6", "--rule", "substrate_staking", "--runs", "1", "--workers", "1", "--store", db, "--no-progress"])
    assert together.exit_code == 0, together.output
    csv = tmp_path / "out.csv"
    ok = runner.invoke(app, ["sweep", str(SCENARIO), "--policy", "never", "--policy", "always", "--rule", "symbiotic", "--rule", "eigenlayer",
                             "--param", "eigenlayer.veto_window_blocks=12,40", "--param", "length.rounds=6", "--runs", "2", "--workers", "1",
                             "--store", db, "--out", str(csv), "--no-progress"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    text = " ".join(ok.output.split())
    assert "12 simulations (6 arms x 2 runs, common seeds; 2 of 8 combinations were identical to another and run once)" in text
    assert "arms ranked by honest operators' loss" in text and "(USD)" in text and "escaped" in text and "95% CI" in text and "pending" in text and "→" in text  # pending at the horizon → at the end
    assert "symbiotic/never" in text and "symbiotic/always" in text
    import pandas as pd

    frame = pd.read_csv(csv)
    assert len(frame) == 12 and set(frame.arm) == {"symbiotic/never", "symbiotic/always"} | {
        f"eigenlayer/{p}/eigenlayer.veto_window_blocks={w}" for p in ("never", "always") for w in (12, 40)}


def test_run_plays_the_declared_arms_with_their_own_policy_and_parameters(tmp_path) -> None:
    """`tangle-sim run` on a scenario with ``arms:`` plays those arms (once each, the scenario's seed),
    not the bare rules under the scenario's default policy; each arm equals a direct play of the
    scenario with that arm's overrides, and resuming re-derives the same per-arm scenario."""
    import json

    from simulations.commands import execute_run, start_run, stored_scenario
    from simulations.runner import ArmSpec, load_for_run, play
    from simulations.store import RunStore

    text = TEXT + """\
arms:
  - {name: veto-all, policy: always, rule: tangle_services, params: {length.rounds: 6}}
  - {name: veto-none, policy: never, rule: tangle_services, params: {length.rounds: 6}}
"""
    path = tmp_path / "declared.yaml"
    path.write_text(text)
    store = RunStore(str(tmp_path / "r.db"))
    run_id, sc, _ = start_run(store, str(path), {}, None, None, None)
    plain = [a.label for a in store.arms(run_id) if a.branch is None]
    assert plain == ["veto-all", "veto-none"]  # the scenario's what-if branches are played as well
    results = execute_run(store, run_id, stored_scenario(store, run_id))
    assert {"veto-all", "veto-none"} <= set(results)
    for name, policy in (("veto-all", "always"), ("veto-none", "never")):
        direct_sc, _ = load_for_run(str(path), {"length.rounds": 6, "governance.policy": {"kind": policy}}, None)
        direct = play(direct_sc, ArmSpec(name, "tangle_services", sc.seed))
        assert results[name].state_root == direct.state_root
    vetoed = {n: r.summary["slashes"].get("vetoed", 0) for n, r in results.items()}
    assert vetoed["veto-none"] == 0 and results["veto-all"].summary["vetoes_decided"] > 0
    assert results["veto-all"].state_root != results["veto-none"].state_root
    info = json.loads(store.run(run_id).info_json)
    assert info["arm_overrides"]["veto-none"]["governance.policy"] == {"kind": "never"}
    # --rule still runs the bare rules (the scenario's own policy)
    run2, _, _ = start_run(store, str(path), {"length.rounds": 6}, None, ["eigenlayer"], None)
    assert [a.label for a in store.arms(run2) if a.branch is None] == ["eigenlayer"]
    # an arm whose overrides do not validate is refused before anything is stored
    path.write_text(text + "  - {name: broken, rule: substrate_staking, params: {staking_slash_defer_duration: 500}}\n")
    before = len(store.runs())
    with pytest.raises(Exception, match="SlashDeferDuration"):
        start_run(store, str(path), {}, None, None, None)
    assert len(store.runs()) == before


def test_two_inline_policies_of_one_kind_are_two_arms_with_two_names(tmp_path) -> None:
    """Two ``--policy '{kind: veto_under, percent: N}'`` were both named ``veto_under``: the sweep
    ran 12 simulations and summarised them as one arm, n = 6 (session 29)."""
    arms, _ = grid_arms(stock(), ["tangle_services"], {}, ["{kind: veto_under, percent: 10}", "{kind: veto_under, percent: 90}"])
    assert [a.name for a in arms] == ["tangle_services/veto_under(percent=10)", "tangle_services/veto_under(percent=90)"]
    runner = CliRunner()
    csv = tmp_path / "out.csv"
    ok = runner.invoke(app, ["sweep", str(SCENARIO), "--rule", "tangle_services", "--policy", "{kind: veto_under, percent: 10}",
                             "--policy", "{kind: veto_under, percent: 90}", "--runs", "3", "--workers", "1", "--store", str(tmp_path / "s.db"),
                             "--out", str(csv), "--no-progress"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    import pandas as pd

    frame = pd.read_csv(csv)
    assert frame.groupby("arm").size().to_dict() == {"tangle_services/veto_under(percent=10)": 3, "tangle_services/veto_under(percent=90)": 3}
    text = " ".join(ok.output.split())
    assert "veto_under(percent=10)" in text and "veto_under(percent=90)" in text


def test_declared_arms_may_not_share_a_name(tmp_path) -> None:
    path = tmp_path / "arms.yaml"
    path.write_text(TEXT + """\
arms:
  - {name: mine, policy: always, rule: tangle_services}
  - {name: mine, policy: never, rule: tangle_services}
""")
    with pytest.raises(ArmError, match="two different arms are both named 'mine'"):
        declared_arms(load_scenario(path))
