"""Honest outcomes: censoring vs draining, ground truth (false accusations), every loss in one numeraire,
units, and the lab's one-way layout."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from simulations.lab.api import run_scenario
from simulations.scenario import load_scenario
from simulations.yamlerrors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]

SMALL = """\
name: small
seed: 4
length: {rounds: 6}
parameters:
  session_length: 10
  slash_defer_duration: 10
  detection_blocks: 1
  symbiotic: {epoch_blocks: 60, veto_blocks: 30}
genesis:
  assets:
    - {id: 7, symbol: USDC, decimals: 6}
  blueprints:
    - {id: bp, owner: bp-owner}
  operators:
    - {id: op-good, bond: 1_000 TNT, blueprints: [bp]}
    - {id: op-bad, bond: 2_000 TNT, blueprints: [bp]}
  services:
    - {blueprint: bp, owner: dapp, operators: [op-good, op-bad]}
  delegators:
    - id: d-good
      delegations:
        - {operator: op-good, amount: 500 TNT}
        - {operator: op-good, asset: USDC, amount: 3_000 USDC}
    - id: d-bad
      delegations:
        - {operator: op-bad, amount: 800 TNT}
faults:
  - {offender: op-bad, round: 2, slash_percent: 20}
  - {offender: op-good, round: 2, slash_percent: 10, disputed: true, justified: false}
governance:
  policy: {kind: never}
  reaction_blocks: 3
prices:
  numeraire: USD
  assets: {TNT: [2.0, 2.0, 2.0, 1.0], USDC: 1.0}
"""
UNIT = 10**18


def run(tmp_path, text: str = SMALL, **kw):  # type: ignore[no-untyped-def]
    path = tmp_path / "small.yaml"
    path.write_text(text)
    return run_scenario(path, **kw)


def test_a_defer_window_longer_than_the_run_is_reported_as_pending_with_its_value(tmp_path) -> None:
    # Tangle rule, 10-round deferral, 6-round run: both slashes (round 2) would apply in round 12
    censored = run(tmp_path, rules=["tangle_services"], pending="censor").runs.iloc[0]
    assert censored.pending_at_end == 2 and censored.applied == 0 and censored.drained_rounds == 0
    assert censored.pending_justified == 1 and censored.pending_unjustified == 1
    # value at risk: 20% of op-bad (2,000) and of d-bad (800) + 10% of op-good (1,000) and of d-good (500 TNT, 3,000 USDC)
    assert censored.pending_TNT_base == (400 + 160 + 100 + 50) * UNIT and censored.pending_USDC_base == 300 * 10**6
    assert censored.pending_value == pytest.approx(710 * 1.0 + 300 * 1.0)  # TNT's path ends at 1.0 (round 5 >= its last entry)
    assert censored.loss_total_value == 0 and censored.honest_slashed == 0  # nothing happened yet, but it is not hidden
    drained = run(tmp_path, rules=["tangle_services"]).runs.iloc[0]  # the default: drain
    assert drained.pending_at_end == 0 and drained.applied == 2 and drained.drained_rounds >= 6
    # what was at risk is exactly what the slashes took once drained
    assert drained.loss_operator_TNT_base + drained.loss_delegator_TNT_base == censored.pending_TNT_base
    assert drained.loss_delegator_USDC_base == censored.pending_USDC_base
    assert drained.honest_slashed == 1 and drained.honest_slashed_TNT_base == 150 * UNIT and drained.honest_slashed_USDC_base == 300 * 10**6


def test_a_false_accusation_moves_honest_slashed_with_the_policy_both_ways(tmp_path) -> None:
    out = {}
    for policy in ("never", "always", "veto_disputed"):
        res = run(tmp_path, rules=["symbiotic", "tangle_services"], policy=policy)
        out[policy] = {r.arm: r for r in res.runs.itertuples()}
        slashes = res.slashes[res.slashes.arm == "symbiotic"]
        assert sorted(zip(slashes.offender, slashes.justified)) == [("op-bad", True), ("op-good", False)]
    for rule in ("symbiotic", "tangle_services"):
        never, always, disputed = (out[p][rule] for p in ("never", "always", "veto_disputed"))
        # never vetoes: the honest operator is slashed, nobody escapes
        assert (never.honest_slashed, never.faulty_escaped, never.faulty_punished) == (1, 0, 1)
        assert never.honest_slashed_value > 0
        # vetoes everything: the honest operator is spared, the faulty one escapes
        assert (always.honest_slashed, always.faulty_escaped, always.faulty_escaped_vetoed, always.honest_spared) == (0, 1, 1, 1)
        assert always.honest_slashed_value == 0 and always.loss_total_value == 0
        # vetoes disputed evidence: here that is exactly the false accusation
        assert (disputed.honest_slashed, disputed.faulty_escaped, disputed.faulty_punished) == (0, 0, 1)
        assert never.pending_at_end == always.pending_at_end == disputed.pending_at_end == 0


def test_losses_add_up_across_assets_in_the_numeraire(tmp_path) -> None:
    res = run(tmp_path, rules=["symbiotic"], params={"symbiotic.veto_blocks": 5})  # applied in round 2, while TNT is still 2.0
    row = res.runs.iloc[0]
    losses = res.losses
    assert {(b - 1) // 10 for b in res.slashes.applied_block} == {2} and res.rounds["round"].max() >= 5  # the run goes on to TNT = 1.0
    # every role and asset is listed, zeros explicit; base units are exact ints
    assert {"operator", "delegator", "validator", "nominator", "pool_member", "requester"} <= set(losses.role)
    assert set(losses.asset) == {"TNT", "USDC"} and all(isinstance(v, int) for v in losses.loss_base)
    usdc = losses[(losses.role == "delegator") & (losses.asset == "USDC")].iloc[0]
    assert usdc.loss_base == 300 * 10**6 and usdc.loss == 300.0 and usdc.loss_value == 300.0
    # each loss is valued at the price of the round it happened in (TNT's path: 2, 2, 2, then 1 from round 3 on)
    path = [2.0, 2.0, 2.0, 1.0]
    expected = 0.0
    for s in res.slashes.itertuples():
        expected += s.taken_TNT * path[min((s.applied_block - 1) // 10, 3)] + s.taken_USDC * 1.0
    assert expected > 0
    tnt_tokens = losses[(losses.asset == "TNT") & losses.in_total].loss.sum()
    assert row.loss_total_value == pytest.approx(tnt_tokens * 2.0 + 300.0)  # valued when it happened, not at the end price
    assert row.loss_total_value == pytest.approx(expected)
    assert row.loss_total_value == pytest.approx(losses[losses.in_total].loss_value.sum())
    assert row.loss_total_value > row.loss_operator_value + row.loss_delegator_TNT * 1.0  # USDC counted too


def test_an_asset_without_a_price_is_refused_or_nan_never_zero(tmp_path) -> None:
    with pytest.raises(ScenarioError, match=r"prices.assets: no price for \['USDC'\]"):
        run(tmp_path, SMALL.replace("assets: {TNT: [2.0, 2.0, 2.0, 1.0], USDC: 1.0}", "assets: {TNT: 2.0}"), rules=["symbiotic"])
    no_prices = SMALL.split("prices:")[0]
    row = run(tmp_path, no_prices, rules=["symbiotic"]).runs.iloc[0]
    assert row.numeraire == "TNT" and row.loss_delegator_USDC_base == 300 * 10**6
    assert math.isnan(row.loss_total_value) and math.isnan(row.loss_delegator_value)


def test_a_bare_number_is_not_an_amount(tmp_path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text(SMALL.replace("bond: 1_000 TNT", "bond: 5000"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    (problem,) = exc.value.problems
    assert "genesis.operators[0].bond" in problem and "bare number (5000)" in problem and "accepted units: TNT, USDC" in problem and "'base'" in problem
    path.write_text(SMALL.replace("bond: 1_000 TNT", "bond: 5000 base"))
    assert load_scenario(path).genesis.operators[0].bond == 5000
    path.write_text(SMALL.replace("bond: 1_000 TNT", "bond: '5000'"))
    with pytest.raises(ScenarioError, match="has no unit"):
        load_scenario(path)


def test_the_stock_scenario_describes_its_own_numbers_and_accuses_the_honest_operator() -> None:
    sc = load_scenario(ROOT / "simulations" / "scenarios" / "slash-veto.yaml")
    bad = next(o for o in sc.genesis.operators if o.id == "op-bad").behaviour
    good = next(o for o in sc.genesis.operators if o.id == "op-good").behaviour
    assert f"p = {bad.p} per round" in sc.description and f"p = {good.falsely_accused_p} per round" in sc.description
    assert good.kind == "honest" and good.falsely_accused_p > 0
    assert sc.prices is not None and set(sc.prices.assets) == {"TNT", "USDC"} and {"never", "always", "stock"} <= set(sc.policies)


LAYERS = ["measures", "policy_guard", "gov_calls", "actors", "services", "world", "agents", "slash_queue", "governors", "loop", "outcomes", "what_if", "frames", "arms", "pairing",
          "summary", "api", "gov_report"]


def test_the_lab_imports_one_way() -> None:
    lab = ROOT / "simulations" / "lab"
    assert sorted(p.stem for p in lab.glob("*.py") if p.stem != "__init__") == sorted(LAYERS)
    for name in LAYERS:
        tree = ast.parse((lab / f"{name}.py").read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("simulations.lab."):
                imported.add(node.module.split(".")[2])
        later = {m for m in imported if LAYERS.index(m) >= LAYERS.index(name)}
        assert not later, f"simulations.lab.{name} imports {later}, which come later in the flow"
    # the old circle is gone
    for old in ("sim", "agents", "queue", "world", "services_setup"):
        assert not (ROOT / "simulations" / f"{old}.py").exists()
    # agents see only the narrow port: no runtime, no queue, no scenario
    from simulations.lab.agents import AgentPort
    from simulations.lab.loop import AgentView

    public = {n for n in dir(AgentView) if not n.startswith("_")}
    port = {n for n in dir(AgentPort) if not n.startswith("_")} | set(AgentPort.__annotations__)
    assert public <= port and not {"rt", "queue", "sc", "state"} & public


def test_exact_values_keep_the_written_price_and_survive_a_huge_one() -> None:
    from fractions import Fraction

    from simulations.lab.outcomes import Prices, value_float

    sc = load_scenario(ROOT / "simulations" / "scenarios" / "slash-veto.yaml")
    p = Prices(sc)
    assert p.exact_price("TNT", 1) == Fraction(99, 50) and p.exact_price("TNT", 10_000) == Fraction(38, 25)  # the path's last entry holds
    assert p.exact_value("TNT", 3 * 10**17, 1) == Fraction(297, 500)  # 0.3 TNT at 1.98: 0.594 exactly (floats give 0.5940000000000001)
    assert p.exact_value("nosuch", 5, 1) is None and math.isnan(value_float(None))
    assert value_float(Fraction(10**400)) == math.inf and value_float(-Fraction(10**400)) == -math.inf
