"""Scenario files: validation errors name the bad field and its line (YAML and TOML)."""

from __future__ import annotations

import pytest

from runtime.genesis import UNIT
from simulations.scenario import load_scenario, parse_param_value
from simulations.yamlerrors import ScenarioError

GOOD = """\
name: t
seed: 3
length: {rounds: 5}
genesis:
  assets:
    - {id: 7, symbol: USDC, decimals: 6}
  blueprints: [{id: bp}]
  operators:
    - id: op1
      bond: 100 TNT
      blueprints: [bp]
  delegators:
    - id: d
      count: 3
      delegations:
        - {operator: op1, asset: USDC, amount: 2.5 USDC, blueprints: [bp]}
governance:
  policy: {kind: any_of, policies: [{kind: veto_under, percent: 10}, {kind: veto_disputed}]}
"""


def load(tmp_path, text: str, name: str = "s.yaml", **overrides):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text)
    return load_scenario(path, overrides or None)


def errors(tmp_path, text: str, name: str = "s.yaml") -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as exc:
        load(tmp_path, text, name)
    return exc.value.problems


def test_a_good_scenario_converts_amounts_exactly(tmp_path) -> None:
    sc = load(tmp_path, GOOD)
    assert sc.genesis.operators[0].bond == 100 * UNIT
    assert sc.genesis.delegators[0].delegations[0].amount == 2_500_000
    assert [i for i, _ in sc.delegator_ids()] == ["d-1", "d-2", "d-3"]
    assert sc.governance.policy.kind == "any_of"
    assert sc.total_blocks() == 5 * sc.parameters.session_length


def test_errors_name_field_and_line(tmp_path) -> None:
    bad = GOOD.replace("bond: 100 TNT", "bond: lots").replace("percent: 10}", "percent: 300}")
    problems = errors(tmp_path, bad)
    assert any(p.startswith(f"{tmp_path}/s.yaml:10:7: genesis.operators[0].bond:") for p in problems), problems
    assert any(":18:" in p and "governance.policy.policies[0].percent" in p and "less than or equal to 100" in p for p in problems), problems


def test_unknown_field_and_missing_field(tmp_path) -> None:
    bad = GOOD.replace("      count: 3\n", "      count: 3\n      colour: red\n").replace("length: {rounds: 5}\n", "")
    problems = errors(tmp_path, bad)
    assert any(":14:7: genesis.delegators[0].colour: unknown field" in p for p in problems), problems
    assert any(p.endswith("length: Field required") and ":1:1:" in p for p in problems), problems


def test_cross_references_point_at_the_referencing_line(tmp_path) -> None:
    problems = errors(tmp_path, GOOD.replace("{operator: op1, asset: USDC", "{operator: op9, asset: USDC"))
    assert problems == [f"{tmp_path}/s.yaml:16:12: genesis.delegators[0].delegations[0].operator: unknown operator 'op9'"]


def test_floats_are_refused_for_amounts(tmp_path) -> None:
    problems = errors(tmp_path, GOOD.replace("bond: 100 TNT", "bond: 100.5"))
    assert any("genesis.operators[0].bond" in p and "floats are not allowed" in p for p in problems)
    problems = errors(tmp_path, GOOD.replace("amount: 2.5 USDC", "amount: 2.0000001 USDC"))
    assert any("more decimals than USDC" in p for p in problems)


def test_yaml_syntax_error_and_duplicate_key_have_lines(tmp_path) -> None:
    assert errors(tmp_path, "name: t\nseed: [1,\n")[0].startswith(f"{tmp_path}/s.yaml:3:")
    dup = errors(tmp_path, "name: t\nseed: 1\nseed: 2\n")
    assert dup[0].startswith(f"{tmp_path}/s.yaml:3:1:") and "duplicate key 'seed' (first at line 2)" in dup[0]


def test_rule_parameter_constraints(tmp_path) -> None:
    problems = errors(tmp_path, GOOD + "parameters:\n  symbiotic: {epoch_blocks: 10, veto_blocks: 10}\n")
    assert any(":20:3: parameters.symbiotic:" in p and "InvalidVetoDuration" in p for p in problems), problems
    problems = errors(tmp_path, GOOD + "parameters:\n  staking_slash_defer_duration: 5\n  staking_bonding_duration: 3\n")
    assert any(":19:1: parameters:" in p and "SlashDeferDuration < BondingDuration" in p for p in problems), problems


TOML = """\
name = "t"

[length]
rounds = 4

[[genesis.blueprints]]
id = "bp"

[[genesis.operators]]
id = "op1"
bond = "100 TNT"

[[genesis.operators]]
id = "op2"
bond = "100 TNT"

[genesis.operators.behaviour]
kind = "faulty"
p = 7

[governance.policy]
kind = "random"
p = 0.5
"""


def test_toml_scenarios_and_their_lines(tmp_path) -> None:
    sc = load(tmp_path, TOML.replace("p = 7", "p = 0.25"), "s.toml")
    assert sc.genesis.operators[1].behaviour.p == 0.25 and sc.governance.policy.p == 0.5
    problems = errors(tmp_path, TOML, "s.toml")
    assert problems == [f"{tmp_path}/s.toml:19:1: genesis.operators[1].behaviour.p: Input should be less than or equal to 1 (got 7)"]


def test_overrides_reach_parameters_and_are_validated(tmp_path) -> None:
    sc = load(tmp_path, GOOD, slash_defer_duration=14, **{"governance.reaction_blocks": 3})
    assert sc.parameters.slash_defer_duration == 14 and sc.governance.reaction_blocks == 3
    with pytest.raises(ScenarioError, match="parameters.slash_defer_duration"):
        load(tmp_path, GOOD, slash_defer_duration=-1)
    assert parse_param_value("14") == 14 and parse_param_value("0.5") == 0.5 and parse_param_value("x") == "x"


PRICED = GOOD + "prices:\n  numeraire: USD\n  assets:\n    TNT: [2.0, 1.5]\n    USDC: {usdc}\n"


@pytest.mark.parametrize("usdc, got", [(".nan", "(got nan)"), ("-1", "(got -1)"), (".inf", "(got inf)"), ("true", "(got True)"), ("'lots'", "(got 'lots')"), ("'nan'", "(got 'nan')"),
                                       ("{a: 1}", "")])
def test_a_bad_price_is_one_line_naming_the_field_and_what_is_accepted(tmp_path, usdc: str, got: str) -> None:
    """A price is ``float | list[float]``: a NaN used to fail both branches of the union, two lines
    (``Input should be a finite number`` and ``Input should be a valid list``)."""
    problems = errors(tmp_path, PRICED.replace("{usdc}", usdc))
    assert problems == [f"{tmp_path}/s.yaml:23:5: prices.assets.USDC: a price is a finite number >= 0, or a list of per-round prices "
                        f"(finite numbers >= 0)" + (f" {got}" if got else "")], problems


def test_a_bad_entry_of_a_price_path_is_named_by_its_index(tmp_path) -> None:
    problems = errors(tmp_path, PRICED.replace("{usdc}", "[1.0, .nan, 1.0]"))
    assert len(problems) == 1 and "prices.assets.USDC: entry 1 of the price path is nan; a price is a finite number >= 0" in problems[0], problems
    problems = errors(tmp_path, PRICED.replace("{usdc}", "[]"))
    assert len(problems) == 1 and "prices.assets.USDC: a price path needs at least one entry" in problems[0], problems


def test_good_prices_are_floats_and_paths(tmp_path) -> None:
    sc = load(tmp_path, PRICED.replace("{usdc}", "1"))
    assert sc.prices is not None and sc.prices.assets == {"TNT": [2.0, 1.5], "USDC": 1.0}
    sc = load(tmp_path, PRICED.replace("{usdc}", "'1e3'"))  # YAML 1.1 reads 1e3 (no dot) as a string; --param too
    assert sc.prices is not None and sc.prices.assets["USDC"] == 1000.0
    assert isinstance(sc.prices.assets["USDC"], float)
