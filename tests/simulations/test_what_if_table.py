"""The run's what-if table never cuts a number (``1,983.477929…``): too wide for the console, it is
printed as several tables, each number whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from simulations.commands import print_summary
from simulations.store import RunStore

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
BIG = 1_983_477_929_048_064_412_688  # 1,983.477929048064412688 TNT


def _store(tmp_path: Path, valued: bool = False) -> RunStore:
    diff = [{"entity": f"holder-{i}", "role": "delegator", "asset": "TNT", "loss_no_veto": BIG + i, "loss_veto": BIG - 1_436_701_821_907_442_374,
             "saved_by_veto": 1_436_701_821_907_442_374 + i} for i in range(3)]
    diff.append({"entity": "mover", "role": "delegator", "asset": "TNT", "loss_no_veto": 5, "loss_veto": 15_690_529_804_500_000_005,
                 "saved_by_veto": -15_690_529_804_500_000_000})
    if valued:  # a run stored since the what-if table has a value column
        for row in diff:
            row.update(value_no_veto="3", value_veto="1", saved_value="2")
        diff.append({"entity": "loyal-1", "role": "delegator", "asset": "USDC", "loss_no_veto": 3_062_897_555, "loss_veto": 3_062_897_555,
                     "saved_by_veto": 0, "value_no_veto": "3062897555/1000000", "value_veto": "3062897555/1000000", "saved_value": "0"})
    store = RunStore(str(tmp_path / "runs.db"))
    store.create_run(kind="run", scenario_name="tiny", scenario_path=str(TINY), scenario_text=TINY.read_text(), overrides={}, seed=11,
                     command="c", info={"branch_difference": diff})
    return store


@pytest.mark.parametrize("width", [80, 100, 200])
def test_every_number_is_printed_whole(tmp_path, width: int) -> None:
    console = Console(width=width, record=True, color_system=None)
    print_summary(console, _store(tmp_path), 1)
    text = console.export_text()
    assert "…" not in text
    for number in ("1,983.477929048064412688", "1,983.47792904806441269", "1,982.041227226156970314", "1.436701821907442376",
                   "0.000000000000000005", "15.690529804500000005", "-15.6905298045"):
        assert number in text, number
    tables = text.count("what-if: the fork slash vetoed vs applied")
    assert tables == (1 if width == 200 else 3 if width == 80 else 2)
    assert all(len(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("width", [80, 100, 120, 130, 140, 150, 160, 200])
def test_with_the_value_column_every_number_is_still_whole(tmp_path, width: int) -> None:
    """At 140 columns the four number columns fitted only with their headers wrapped, and rich
    shrank the number columns instead, folding ``1,983.47792904806441268`` / ``8`` over two lines."""
    console = Console(width=width, record=True, color_system=None)
    print_summary(console, _store(tmp_path, valued=True), 1)
    text = console.export_text()
    for number in ("1,983.477929048064412688", "1,982.041227226156970314", "5,950.433787144193238072", "-15.6905298045", "8.00", "3,062,897,555"):  # tiny.yaml has no USDC: base units
        assert number in text, (width, number)
    assert all(len(line) <= width for line in text.splitlines())
    assert "all assets" in text


def test_a_moving_price_gets_a_usd_column_a_total_row_and_a_note(tmp_path) -> None:
    """The newcomer's run: the veto *costs* 7.8 TNT in tokens but *saves* about 140 USD (its extra
    losses land in rounds where TNT is cheaper). The table shows both, the totals, and why."""
    unit = 10**18
    diff = [{"entity": "mover", "role": "delegator", "asset": "TNT", "loss_no_veto": 100 * unit, "loss_veto": 115_690_000_000_000_000_000,
             "saved_by_veto": -15_690_000_000_000_000_000, "value_no_veto": "200", "value_veto": "1301/20", "saved_value": "2699/20"},
            {"entity": "op-bad", "role": "operator", "asset": "TNT", "loss_no_veto": 10 * unit, "loss_veto": 2 * unit, "saved_by_veto": 8 * unit,
             "value_no_veto": "20", "value_veto": "4", "saved_value": "16"},
            {"entity": "loyal-1", "role": "delegator", "asset": "USDC", "loss_no_veto": 5 * 10**6, "loss_veto": 0, "saved_by_veto": 5 * 10**6,
             "value_no_veto": "5", "value_veto": "0", "saved_value": "5"}]
    store = RunStore(str(tmp_path / "runs.db"))
    context = {"numeraire": "USD", "price_moves": {"TNT": [2.0, 1.52, 1.52, 2.0]}, "last_round": 30}
    store.create_run(kind="run", scenario_name="tiny", scenario_path=str(TINY), scenario_text=TINY.read_text(), overrides={}, seed=11,
                     command="c", info={"branch_difference": diff, "what_if": context})
    console = Console(width=200, record=True, color_system=None)
    print_summary(console, store, 1)
    text = console.export_text()
    assert "saved by the veto (USD)" in text
    mover = next(line for line in text.splitlines() if "mover" in line)
    assert "-15.69" in mover and "134.95" in mover
    total_tnt = next(line for line in text.splitlines() if "total" in line and "TNT" in line)
    assert "-7.69" in total_tnt and "150.95" in total_tnt  # tokens: the veto cost 7.69 TNT; USD: it saved 150.95
    everything = next(line for line in text.splitlines() if "total" in line and "all assets" in line)
    assert everything.rstrip(" │").endswith("155.95")  # 150.95 USD + 5 USDC at 1 USD
    assert "the USD total is the no_veto arm's loss minus the veto arm's" in text
    assert "Prices moved over rounds 0-30 (TNT 2 → 1.52 USD)" in text and "can differ in sign" in text


def test_no_note_when_no_price_moved(tmp_path) -> None:
    diff = [{"entity": "op-bad", "role": "operator", "asset": "TNT", "loss_no_veto": 10**18, "loss_veto": 0, "saved_by_veto": 10**18,
             "value_no_veto": "2", "value_veto": "0", "saved_value": "2"}]
    store = RunStore(str(tmp_path / "runs.db"))
    store.create_run(kind="run", scenario_name="tiny", scenario_path=str(TINY), scenario_text=TINY.read_text(), overrides={}, seed=11,
                     command="c", info={"branch_difference": diff, "what_if": {"numeraire": "USD", "price_moves": {}, "last_round": 9}})
    console = Console(width=200, record=True, color_system=None)
    print_summary(console, store, 1)
    text = console.export_text()
    assert "saved by the veto (USD)" in text and "Prices moved" not in text and "all assets" not in text
    assert next(line for line in text.splitlines() if "total" in line and "TNT" in line).rstrip(" │").endswith("2.00")


def test_a_stored_run_prints_a_what_if_total_equal_to_the_arm_tables_difference(tmp_path) -> None:
    """End to end (slash-veto.yaml: TNT falls 0.02 USD a round): the USD total under the what-if
    table is the arm table's ``/no_veto`` loss minus its ``/veto`` loss, and the note is there."""
    import json
    from fractions import Fraction

    from simulations.commands import start_run
    from simulations.runner import execute_run

    scenario = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
    store = RunStore(str(tmp_path / "runs.db"))
    run_id, sc, _ = start_run(store, str(scenario), {"length.rounds": 12}, None, ["tangle_services"], None)
    execute_run(store, run_id, sc)
    info = json.loads(store.run(run_id).info_json)
    assert info["what_if"]["numeraire"] == "USD" and info["what_if"]["price_moves"]["TNT"][0] == 2.0
    totals = {a.branch: Fraction(json.loads(a.summary_json)["outcomes"]["loss_total_value_exact"]) for a in store.arms(run_id) if a.branch}
    console = Console(width=200, record=True, color_system=None)
    print_summary(console, store, run_id)
    text = console.export_text()
    shown = {line.split()[0]: float(line.split()[-1].replace(",", "")) for line in text.splitlines() if line.startswith("tangle_services")}
    assert shown["tangle_services/no_veto"] - shown["tangle_services/veto"] == pytest.approx(float(totals["no_veto"] - totals["veto"]), abs=1)
    total_rows = [line for line in text.splitlines() if line.startswith("│ total")]
    everything = next((line for line in total_rows if "all assets" in line), total_rows[0])  # one asset: its own total row
    assert everything.rstrip(" │").endswith(f"{float(totals['no_veto'] - totals['veto']):,.2f}")
    assert "Prices moved over rounds 0-" in text and "(TNT 2 → " in text


def test_totals_leave_out_pool_accounts_and_carry_a_missing_price() -> None:
    """As in the arm table: a pool's bonded account loses what its members lose (counted once,
    in the members' rows); an asset without a price has no value total (never a zero)."""
    from fractions import Fraction

    from simulations.lab.what_if import totals

    rows = [{"entity": "pool:p", "role": "pool", "asset": "TNT", "loss_no_veto": 9, "loss_veto": 0, "saved_by_veto": 9, "saved_value": "9"},
            {"entity": "m", "role": "pool_member", "asset": "TNT", "loss_no_veto": 4, "loss_veto": 1, "saved_by_veto": 3, "saved_value": "7/2"},
            {"entity": "d", "role": "delegator", "asset": "XYZ", "loss_no_veto": 2, "loss_veto": 0, "saved_by_veto": 2, "saved_value": None}]
    tokens, value = totals(rows)
    assert tokens == {"TNT": {"loss_no_veto": 4, "loss_veto": 1, "saved_by_veto": 3}, "XYZ": {"loss_no_veto": 2, "loss_veto": 0, "saved_by_veto": 2}}
    assert value["TNT"] == Fraction(7, 2) and value["XYZ"] is None and value[""] is None
