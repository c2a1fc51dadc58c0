"""What two users checking the lab against the spec found misleading, pinned: a veto path is never
credited with vetoes it did not make (the slashes a rule models in Python take the shortcut, and the
tables say so), ``run`` shows the veto-path outcome and says when a path cannot land in time, a
loss with no price reads "no data" (never a bare nan), ``--param`` indexes lists, and the
``mass-exit`` finding states the compressed constant it hangs on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from runtime import Runtime
from simulations.cli import app
from simulations.lab.governors import fastest_landing
from simulations.lab.loop import Simulation
from simulations.lab.outcomes import governance_outcome, outcomes, run_row
from simulations.lab.summary import governance_table
from simulations.runner import load_for_run

ROOT = Path(__file__).resolve().parents[2]
SLASH_VETO = str(ROOT / "simulations" / "scenarios" / "slash-veto.yaml")
MASS_EXIT = str(ROOT / "simulations" / "scenarios" / "mass-exit.yaml")
README = ROOT / "simulations" / "README.md"
SHORT = {"length.rounds": 8, "branches": None}


def simulate(path: str, rule: str, overrides: dict[str, Any]) -> Simulation:
    sc, _ = load_for_run(path, overrides, None)
    sim = Simulation(sc, rule)
    for _ in sim.rounds():
        pass
    return sim


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, " ".join(result.output.split())


# ---------------------------------------------------------------------------------------- A1
def test_fastest_landing_per_path_is_the_specs_table() -> None:
    """governance.md §13.2 on the testnet's 6 s periods: sudo 0, instant fast-track 2, fast-track
    28,801, standard referendum 144,001 blocks; a council motion never."""
    rt = Runtime.dev(seed=0)
    assert fastest_landing("sudo", rt)[0] == fastest_landing("multisig_dispute", rt)[0] == 0
    assert fastest_landing("referendum_instant", rt)[0] == 2
    assert fastest_landing("referendum_fast_track", rt)[0] == 28_801
    assert fastest_landing("referendum_fast_track", rt, 100)[0] == 101
    assert fastest_landing("referendum_standard", rt)[0] == 144_001
    blocks, why = fastest_landing("council_motion", rt)
    assert blocks is None and "BadOrigin" in why


def test_a_path_is_not_credited_with_vetoes_of_slashes_the_rule_models_in_python() -> None:
    """substrate_staking keeps only staking offences in a pallet's queue; slash-veto.yaml's slashes are
    all services slashes, so a council motion (which can cancel nothing) governs none of them: their
    vetoes took the shortcut and are counted there, not under council_motion."""
    sim = simulate(SLASH_VETO, "substrate_staking", {"governance.path": "council_motion", **SHORT})
    vetoed = [r for r in sim.queue.records if r.status == "vetoed"]
    assert vetoed and not any(r.native for r in sim.queue.records)
    gov = governance_outcome(sim)
    assert gov["path"] == "council_motion" and gov["wanted"] == gov["landed"] == 0
    cut = gov["shortcut"]
    assert cut["wanted"] == cut["landed"] == len(vetoed) and cut["targets"] == ["services"]
    # the table: the path's own row says no veto wanted; a second row names the path that vetoed
    frame = pd.DataFrame([{"arm": "substrate_staking", "rule": "substrate_staking", **run_row(outcomes(sim))}])
    table = governance_table(frame).to_dict("records")
    assert [r["path"] for r in table] == ["council_motion", "shortcut, not council_motion: services slashes modelled in Python by substrate_staking"]
    assert (table[0]["wanted"], table[1]["wanted"], table[1]["landed"]) == (0, len(vetoed), len(vetoed))
    from simulations.lab.gov_report import render

    markdown = render(governance_table(frame)).splitlines()
    assert markdown[2].startswith("| substrate_staking | no veto wanted |")
    assert markdown[3].startswith("| substrate_staking (shortcut, not council_motion: services slashes modelled in Python by substrate_staking) | 100.0% [")


def test_the_native_rule_has_nothing_on_the_shortcut() -> None:
    sim = simulate(SLASH_VETO, "tangle_services", {"governance.path": "sudo", **SHORT})
    gov = governance_outcome(sim)
    assert gov["wanted"] > 0 and gov["shortcut"]["wanted"] == 0
    assert gov["wanted"] == sum(1 for r in sim.queue.records if r.decision in ("veto", "veto_late", "veto_failed"))


def test_run_prints_which_path_vetoed(tmp_path) -> None:
    code, out = cli("run", SLASH_VETO, "--rule", "substrate_staking", "-p", "governance.path=council_motion", "-p", "length.rounds=8",
                    "-p", "branches=null", "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    assert "veto paths: did the vetoes governance wanted land in time?" in out
    assert "│ substrate_staking │ council_motion │ no veto wanted │ 0 │ 0 │ 0→0 │" in out
    # the row of the vetoes that took the shortcut, with the slashes it vetoed (on one line at 250 columns)
    assert "│ substrate_staking │ shortcut, not council_motion: services slashes modelled in Python by substrate_staking │ 100.0%" in out
    assert "shortcut, not <path>: the arm's vetoes of slashes its rule models in Python" in out  # the caption says what the row is
    assert "note (substrate_staking): governance.path=council_motion acts only on slashes substrate_staking keeps in a pallet's queue" in out


def test_run_says_a_path_does_not_apply_under_a_modelled_rule(tmp_path) -> None:
    code, out = cli("run", SLASH_VETO, "--rule", "eigenlayer", "-p", "governance.path=sudo", "-p", "length.rounds=8",
                    "-p", "branches=null", "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    assert re.search(r"note \(eigenlayer\): governance.path=sudo does not apply under eigenlayer, which models every slash in Python: "
                     r"its \d+ vetoes took the shortcut", out), out


# ---------------------------------------------------------------------------------------- B5
def test_run_shows_the_open_veto_processes_and_the_clock_mismatch(tmp_path) -> None:
    """The console used to print only `late 0`; the processes were open (a fast-track needs 28,801
    blocks, the compressed slash applies 70 blocks after its proposal)."""
    code, out = cli("run", SLASH_VETO, "--rule", "tangle_services", "-p", "governance.path=referendum_fast_track", "-p", "length.rounds=8",
                    "-p", "branches=null", "-p", "end.max_drain_rounds=2", "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    row = re.search(r"│ tangle_services │ referendum_fast_track │ ([^│]+)│ (\d+) │ (\d+) │ (\d+)→(\d+) │", out)
    assert row is not None, out
    assert int(row.group(4)) > 0 and int(row.group(5)) > 0  # open at the horizon and still open when the run stopped
    assert ("no veto through referendum_fast_track can land before its slash applies: the fastest executes 28,801 blocks after the proposal "
            "(Democracy FastTrackVotingPeriod 28,800 + 1 block to enact; the governance pallets keep the testnet's periods), these slashes "
            "apply at most 70 blocks after theirs (rounds of 10 blocks here, 1,200 on the testnet") in out


def test_no_clock_note_when_the_path_can_land(tmp_path) -> None:
    code, out = cli("run", SLASH_VETO, "--rule", "tangle_services", "-p", "governance.path=sudo", "-p", "length.rounds=8",
                    "-p", "branches=null", "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    assert "│ tangle_services │ sudo │" in out and "no veto through" not in out and "note (" not in out


# ---------------------------------------------------------------------------------------- W5
UNPRICED = """
name: unpriced
seed: 1
length: {rounds: 8}
parameters: {session_length: 10, slash_defer_duration: 2}
genesis:
  assets: [{id: 1, symbol: USDC, decimals: 6}]
  blueprints: [{id: audit, owner: alice}]
  operators:
    - {id: dave, bond: 1_000 TNT, blueprints: [audit], behaviour: {kind: faulty, p: 1.0, slash_percent: 10}}
  services: [{blueprint: audit, owner: eve, operators: [dave]}]
  delegators:
    - {id: ferdie, delegations: [{operator: dave, asset: USDC, amount: 10_000 USDC}]}
governance: {policy: {kind: never}}
rules: [tangle_services]
"""


def test_run_says_no_data_for_a_loss_without_a_price(tmp_path) -> None:
    path = tmp_path / "unpriced.yaml"
    path.write_text(UNPRICED)
    code, out = cli("run", str(path), "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    assert not re.search(r"\bnan\b", out, re.IGNORECASE), out
    assert "no data" in out and "loss 'no data': the run lost assets that have no price in the scenario (USDC)" in out


# ---------------------------------------------------------------------------------------- B1
def test_param_indexes_a_list_entry() -> None:
    sc, _ = load_for_run(SLASH_VETO, {"genesis.operators.1.behaviour.p": 0.9, "genesis.delegators[0].count": 2}, None)
    assert [o.id for o in sc.genesis.operators] == ["op-good", "op-bad"]
    assert sc.genesis.operators[1].behaviour.p == 0.9 and sc.genesis.operators[0].behaviour.kind == "honest"
    assert sc.genesis.operators[1].behaviour.kind == "faulty" and sc.genesis.delegators[0].count == 2


@pytest.mark.parametrize("param,message", [
    ("genesis.operators.2.behaviour.p=0.1", "error: --param genesis.operators.2.behaviour.p: genesis.operators has 2 entries (0 to 1): no entry 2"),
    ("genesis.operators.x.behaviour.p=0.1", "error: --param genesis.operators.x.behaviour.p: genesis.operators is a list: index it by number (0 to 1), not 'x'"),
    ("genesis.operators.-1.bond=1", "error: --param genesis.operators.-1.bond: genesis.operators is a list: index it by number (0 to 1), not '-1'"),
    ("genesis.operators.1.behaviour.p=2", "error: --param genesis.operators.1.behaviour.p: genesis.operators[1].behaviour.p: Input should be less than or equal to 1"),
])
def test_a_bad_list_override_is_one_line_naming_the_flag(tmp_path, param: str, message: str) -> None:
    db = tmp_path / "r.db"
    result = CliRunner().invoke(app, ["run", SLASH_VETO, "-p", param, "--store", str(db), "--no-progress"], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert not db.exists()


def test_a_sweep_over_one_list_entry(tmp_path) -> None:
    tiny = ROOT / "tests" / "simulations" / "data" / "tiny.yaml"
    code, out = cli("sweep", str(tiny), "--rule", "tangle_services", "--param", "genesis.operators.0.behaviour.p=0.0,1.0", "--runs", "2",
                    "--workers", "1", "--store", str(tmp_path / "s.db"), "--no-progress")
    assert code == 0, out
    assert "genesis.operators.0.behaviour.p=0.0" in out and "genesis.operators.0.behaviour.p=1.0" in out


# ---------------------------------------------------------------------------------------- A2
def test_the_mass_exit_finding_hangs_on_the_compressed_leave_delay_as_the_readme_says() -> None:
    text = " ".join(README.read_text().split())
    claim = text[text.index("* `mass-exit`:"):text.index("* `lst-validator-exit`:")]
    assert "`LeaveOperatorsDelay` to 3 rounds" in claim and "(`SlashDropped`: 1 slash applied, 3 escaped)" in claim
    assert "At 4 rounds or more, and the testnet's value is 10" in claim and "all 4 slashes applied, none escaped" in claim

    def statuses(delay: int) -> tuple[list[str], int]:
        sim = simulate(MASS_EXIT, "tangle_services", {"constants.MultiAssetDelegation.LeaveOperatorsDelay": delay})
        return [r.status for r in sim.queue.records], outcomes(sim)["faulty_escaped"]

    assert statuses(3) == (["dropped", "dropped", "dropped", "applied"], 3)
    for delay in (4, 10):
        assert statuses(delay) == (["applied"] * 4, 0)


def test_the_sweep_says_it_too(tmp_path) -> None:
    """The sweep's veto-path table is followed by the same notes, once per note with its arms."""
    code, out = cli("sweep", SLASH_VETO, "--rule", "tangle_services", "--rule", "substrate_staking",
                    "--param", "governance.path=referendum_fast_track,sudo", "--param", "length.rounds=6", "--param", "branches=null",
                    "--param", "end.max_drain_rounds=1", "--runs", "1", "--workers", "1", "--store", str(tmp_path / "s.db"), "--no-progress")
    assert code == 0, out
    notes = re.findall(r"note \(([^)]*)\): (no veto through \S+|governance.path=\S+ acts only)", out)
    assert ("tangle_services/governance.path=referendum_fast_track", "no veto through referendum_fast_track") in notes
    assert {arms for arms, _ in notes if "governance.path=sudo acts only" in _} == {"substrate_staking/governance.path=sudo"}
    assert not any("tangle_services/governance.path=sudo" in arms for arms, _ in notes)


# ------------------------------------------------------------------ the HTML report says what the console says
def _report_page(tmp_path, *args: str) -> str:
    from simulations.report import write_report
    from simulations.store import RunStore

    code, out = cli("run", SLASH_VETO, *args, "-p", "length.rounds=8", "-p", "branches=null", "--store", str(tmp_path / "r.db"), "--no-progress")
    assert code == 0, out
    write_report(RunStore(str(tmp_path / "r.db")), 1, tmp_path / "report")
    return " ".join((tmp_path / "report" / "report.html").read_text().split())


def test_the_report_explains_the_shortcut_row_and_prints_the_path_note(tmp_path) -> None:
    page = _report_page(tmp_path, "--rule", "substrate_staking", "-p", "governance.path=council_motion")
    assert "shortcut, not council_motion: services slashes modelled in Python by substrate_staking" in page  # the row
    assert "shortcut, not &lt;path&gt;: the arm&#x27;s vetoes of slashes its rule models in Python" in page  # what the row is
    assert "note (substrate_staking): governance.path=council_motion acts only on slashes substrate_staking keeps in a pallet&#x27;s queue" in page


def test_the_report_prints_the_note_when_every_veto_took_the_shortcut(tmp_path) -> None:
    """The console prints no table for eigenlayer + sudo (no process ran) but says why; so does the report."""
    page = _report_page(tmp_path, "--rule", "eigenlayer", "-p", "governance.path=sudo")
    assert "Veto paths: did the vetoes" not in page
    assert re.search(r"note \(eigenlayer\): governance.path=sudo does not apply under eigenlayer, which models every slash in Python: "
                     r"its \d+ vetoes took the shortcut", page), page[-3000:]


def test_the_report_prints_the_clock_note(tmp_path) -> None:
    page = _report_page(tmp_path, "--rule", "tangle_services", "-p", "governance.path=referendum_fast_track", "-p", "end.max_drain_rounds=2")
    assert "no veto through referendum_fast_track can land before its slash applies: the fastest executes 28,801 blocks after the proposal" in page


def test_the_report_has_no_note_when_the_path_can_land(tmp_path) -> None:
    page = _report_page(tmp_path, "--rule", "tangle_services", "-p", "governance.path=sudo")
    assert "Veto paths: did the vetoes" in page and "note (" not in page
