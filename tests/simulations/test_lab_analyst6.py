"""What a governance analyst found wrong in the lab (user 6's report): the veto-path share over the
resolved vetoes (pending ones are censored), a veto whose slash already applied classified late at
once, the what-if fork that never vetoed, the value at risk in the HTML, ranked arms whose vetoes
took the shortcut, the instant referendum with the default agents, and policy errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulations.lab.summary import governance_cells, governance_table, wilson

ROOT = Path(__file__).resolve().parents[2]
SLASH_VETO = str(ROOT / "simulations" / "scenarios" / "slash-veto.yaml")


def gov_frame(landed: list[int], pending: list[int], late: list[int] | None = None, path: str = "sudo") -> pd.DataFrame:
    late = late or [0] * len(landed)
    return pd.DataFrame([{"arm": "a", "gov_path": path, "gov_wanted": l + p + t, "gov_landed": l, "gov_late": t, "gov_failed": 0, "gov_pending": p,
                          "gov_lateness_max": math.nan, "gov_needed_window_max": math.nan, "gov_reasons": "{}"}
                         for l, p, t in zip(landed, pending, late)])


def test_pending_vetoes_are_censored_not_misses() -> None:
    """107 landed and 6 pending over 20 runs: every resolved veto landed, so the share is 100 %, over
    the 107 resolved (the old table said 94.7 % = 107/113)."""
    landed = [6] * 7 + [5] * 13
    pending = [1] * 6 + [0] * 14
    frame = gov_frame(landed, pending)
    assert sum(landed) == 107 and sum(pending) == 6
    (r,) = governance_table(frame).to_dict("records")
    assert r["resolved"] == 107 and r["share_landed"] == 1.0 and r["pending"] == 6
    low, high = wilson(20, 20)  # all landed: each run counts once
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((low, high))
    cell = governance_cells(r)["share"]
    assert cell.startswith("100.0% [") and "of 107 resolved" in cell and "94.7" not in cell


def test_all_pending_is_no_data_never_zero() -> None:
    (r,) = governance_table(gov_frame([0, 0], [3, 2])).to_dict("records")
    assert governance_cells(r)["share"] == "no data (all pending)"
    assert math.isnan(r["share_landed"]) and math.isnan(r["ci_low"])


def test_the_share_and_its_caption_read_the_same_in_console_html_and_markdown() -> None:
    from rich.console import Console

    from simulations.lab.gov_report import render
    from simulations.lab.summary import governance_console_table
    from simulations.report import _veto_paths

    frame = pd.concat([gov_frame([6, 5], [1, 0]), gov_frame([0], [2]).assign(arm="b")])
    table = governance_table(frame)
    console = Console(width=600, record=True)
    console.print(governance_console_table(table))
    terminal = " ".join(console.export_text().split())
    page, markdown = _veto_paths(frame), render(table)
    for r in table.to_dict("records"):
        share = governance_cells(r)["share"]
        assert share in terminal and share in page and share in markdown
    assert "no data (all pending)" in terminal and "of 11 resolved" in page
    assert "landed of resolved" in terminal and "pending ones are censored" in terminal
    assert "of the resolved vetoes" in page and "of the resolved" in markdown


def play(path: str, rule: str = "tangle_services", **extra: Any) -> Any:
    from simulations.lab.loop import Simulation
    from simulations.runner import load_for_run

    sc, _ = load_for_run(SLASH_VETO, {"governance.path": path, **extra}, 7)
    sim = Simulation(sc, rule, 7)
    for _ in sim.rounds():
        pass
    return sim


def test_a_veto_whose_slash_applied_is_late_at_once_and_the_drain_does_not_wait_for_it() -> None:
    """The user's run2: fast-track vetoes whose slashes applied at blocks 81/101 while their
    referenda run for 28,800 blocks were 'pending', and the drain ran its 200-round cap for them."""
    from simulations.lab.outcomes import governance_outcome

    sim = play("referendum_fast_track")
    recs = {r.slash_id: r for r in sim.queue.records}
    procs = sim.state.gov.processes
    assert procs
    for p in procs:
        if recs[p.slash_id].status == "applied" and p.outcome != "failed":
            assert p.outcome == "late" and p.late_at is not None and recs[p.slash_id].decision == "veto_late"
    late = [p for p in procs if p.late_at is not None]
    assert late, "some slash applied while its referendum was open"
    assert any(p.running for p in late)  # the chain does not know: the referendum is still running
    assert all(p.lateness is not None and p.lateness > 28_000 for p in late if p.stage == "referendum")  # enacts ~28,8xx if it passes
    assert not sim.state.gov.open_processes()
    assert sim.state.drained_rounds < sim.sc.end.max_drain_rounds  # the old code drained to the cap (200)
    gov = governance_outcome(sim)
    assert gov["pending"] == 0 and gov["late"] == len(late)
    assert any(r["failure"].startswith("slash applied at block") for r in gov["processes"] if r["outcome"] == "late")


def test_the_what_if_never_reports_a_saving_for_a_veto_that_did_not_land(tmp_path: Path) -> None:
    """run2: on referendum_fast_track the fork's veto branch had its slash applied (the referendum
    was still running), and the table said the veto 'saved 0.00 USD'."""
    from typer.testing import CliRunner

    from simulations.cli import app
    from simulations.lab.what_if import fork_veto_miss, veto_miss
    from simulations.report import write_report
    from simulations.store import RunStore

    assert veto_miss("vetoed", "veto", "", None, 1) is None
    assert "still open" in (veto_miss("applied", "veto", "", 101, 1) or "")
    db = tmp_path / "r.db"
    out = CliRunner().invoke(app, ["run", SLASH_VETO, "--rule", "tangle_services", "--param", "governance.path=referendum_fast_track",
                                   "--store", str(db), "--no-progress"], catch_exceptions=False, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "the veto did not land in the veto branch: fork slash 1 was applied at block" in text
    assert "saved by the veto" not in text and "veto late" in text
    store = RunStore(str(db))
    assert fork_veto_miss(store, 1) is not None
    write_report(store, 1, tmp_path / "rep")
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "the veto did not land in the veto branch" in page and "saved by the veto" not in page


def test_the_value_at_risk_at_the_horizon_is_in_the_run_table_and_the_html(tmp_path: Path) -> None:
    """rep1: 3 slashes worth 4,167 USD were pending at the horizon; the run table said 'pending 0'
    and the HTML had no such figure, listing the (post-drain) value at risk as 'exactly zero'."""
    import re

    from typer.testing import CliRunner

    from simulations.cli import app
    from simulations.report import write_report
    from simulations.store import RunStore

    db = tmp_path / "r.db"
    out = CliRunner().invoke(app, ["run", SLASH_VETO, "--rule", "tangle_services", "--store", str(db), "--no-progress"],
                             catch_exceptions=False, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    store = RunStore(str(db))
    (arm,) = [a for a in store.arms(1) if a.label == "tangle_services"]
    o = json.loads(arm.summary_json)["outcomes"]
    assert o["pending_at_horizon"] > 0 and o["pending_at_end"] == 0 and o["pending_at_horizon_value"] > 0
    value = f"{o['pending_at_horizon_value']:,.0f}"
    text = " ".join(out.output.split())  # the cell is on three lines: at the horizon, its value, → at the end
    assert re.search(rf"tangle_services \d+ \d+ \d+ \d+ {o['pending_at_horizon']} \d+ [\d.]+ [\d,]+ \+{value} → 0", text), text[:600]
    write_report(store, 1, tmp_path / "rep")
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "at risk at the horizon (USD) [CI]" in page and f"<td class='num'>{value} [n=1: no interval]</td>" in page
    zero = re.findall(r"Exactly zero in every run[^<]*", page)
    assert not any("value at risk in pending slashes" in z or "at the horizon" in z for z in zero)


def test_an_arm_whose_vetoes_took_the_shortcut_is_flagged_in_the_ranking(tmp_path: Path) -> None:
    """swF: substrate_staking/.../governance.path=referendum_fast_track ranked 'tied best' while all
    its vetoes took the shortcut (its rule models those slashes in Python)."""
    from typer.testing import CliRunner

    from simulations.cli import app
    from simulations.lab.summary import SHORTCUT_MARK, shortcut_arms
    from simulations.report import write_report
    from simulations.store import RunStore

    frame = pd.DataFrame([{"arm": "s", "gov_asked_path": "sudo", "gov_path": "shortcut", "gov_wanted": 3},
                          {"arm": "t", "gov_asked_path": "sudo", "gov_path": "sudo", "gov_wanted": 3, "gov_shortcut_wanted": 1},
                          {"arm": "u", "gov_asked_path": "sudo", "gov_path": "sudo", "gov_wanted": 2, "gov_shortcut_wanted": 0},
                          {"arm": "v", "gov_asked_path": "shortcut", "gov_path": "shortcut", "gov_wanted": 2}])
    cut = shortcut_arms(frame)
    assert set(cut) == {"s", "t"} and cut["s"].startswith("all its vetoes took the shortcut, not sudo") and cut["t"].startswith("1 of its 4")
    db = tmp_path / "s.db"
    out = CliRunner().invoke(app, ["sweep", SLASH_VETO, "--rule", "substrate_staking", "--rule", "tangle_services", "--param", "governance.path=sudo",
                                   "--runs", "2", "--workers", "1", "--store", str(db), "--no-progress"],
                             catch_exceptions=False, env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    head = text.split("veto paths:")[0]
    row = head[head.index("│ substrate_staking │"):].split("│")[:9]  # one value of the parameter: the arms are named by rule
    assert any(SHORTCUT_MARK in c for c in row), row
    assert f"{SHORTCUT_MARK}: the arm names a governance path but its vetoes took the shortcut" in head
    assert "all its vetoes took the shortcut, not sudo" in head
    write_report(RunStore(str(db)), 1, tmp_path / "rep")
    page = (tmp_path / "rep" / "report.html").read_text()
    ranking = page.split("<h2>Veto paths")[0]
    assert f"{SHORTCUT_MARK} (all its vetoes took the shortcut, not sudo" in ranking


def test_an_instant_referendum_that_no_default_agent_can_vote_in_says_why() -> None:
    """swCref: referendum_instant never landed, and the only reason shown was 'referendum not
    passed': the default holder reacts after reaction_blocks=15, the referendum lasts 1 block."""
    from simulations.lab.outcomes import outcomes, run_row
    from simulations.lab.summary import arm_governance_notes

    def notes(**extra: Any) -> tuple[dict[str, Any], list[str]]:
        sim = play("referendum_instant", **extra)
        o = outcomes(sim)
        frame = pd.DataFrame([{"arm": "a", "rule": "tangle_services", **run_row(o)}])
        return o["governance"], list(arm_governance_notes(frame))

    gov, said = notes()
    assert gov["wanted"] and gov["landed"] == 0 and any("referendum not passed" in k for k in gov["reasons"])
    (note,) = [n for n in said if "referendum_instant" in n]
    assert "voting period is 1 block" in note and "governance.reaction_blocks=15" in note and "hold no balance" in note
    assert "governance.reaction_blocks: 0" in note
    gov, said = notes(**{"governance.reaction_blocks": 0})
    assert gov["landed"] > 0 and not any("can pass with these agents" in n for n in said)


POLICY_MODULE = '''
def bad_later(view):
    """Fine on the sample slash (proposed at block 1), raises on a real one."""
    if view.proposed_block > 1:
        raise RuntimeError("boom " + "x" * 5000)
    return False
'''


@pytest.mark.parametrize("command", [["run"], ["sweep", "--runs", "2", "--workers", "1"], ["sweep", "--runs", "2", "--workers", "2"]])
def test_a_callable_policy_that_raises_is_one_line_exit_2_and_nothing_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                          command: list[str]) -> None:
    """cb.db: `--policy {kind: callable, ref: os:system}` gave a 139-line traceback, exit 1, and an
    interrupted sweep with 8 pending tasks left in the store."""
    import sqlite3

    from typer.testing import CliRunner

    from simulations.cli import app

    (tmp_path / "user_policies_a6.py").write_text(POLICY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + ":" + str(ROOT))
    # refused on the sample slash, before a store exists
    db = tmp_path / "a.db"
    policy = ["--policy", "{kind: callable, ref: 'os:system'}"] if command[0] == "sweep" else ["--param", "governance.policy={kind: callable, ref: 'os:system'}"]
    out = CliRunner().invoke(app, [command[0], SLASH_VETO, "--rule", "tangle_services", *policy, *command[1:], "--store", str(db), "--no-progress"])
    assert out.exit_code == 2, out.output
    lines = [ln for ln in out.output.splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and "callable(os:system) raised TypeError" in lines[0] and "Traceback" not in out.output
    assert not db.exists()
    # raises on a real slash only: the run is discarded, one line, exit 2
    db = tmp_path / "b.db"
    ref = "{kind: callable, ref: 'user_policies_a6:bad_later'}"
    policy = ["--policy", ref] if command[0] == "sweep" else ["--param", f"governance.policy={ref}"]
    out = CliRunner().invoke(app, [command[0], SLASH_VETO, "--rule", "tangle_services", *policy, *command[1:], "--store", str(db), "--no-progress"])
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and "interrupted" not in out.output
    (line,) = [ln for ln in out.output.splitlines() if ln.startswith("error")]
    assert "callable(user_policies_a6:bad_later) raised RuntimeError: boom" in line and "deciding slash" in line and "discarded" in line
    assert len(line) < 700
    con = sqlite3.connect(db)
    assert con.execute("select status from runs").fetchall() == [("discarded",)]
    assert con.execute("select count(*) from arms").fetchone() == (0,) and con.execute("select count(*) from slashes").fetchone() == (0,)


@pytest.mark.parametrize("command", [["run"], ["sweep", "--runs", "1", "--workers", "1"]])
def test_an_overflowing_parameter_names_the_param_not_the_files_constant(tmp_path: Path, command: list[str]) -> None:
    """`--param slash_defer_duration=99999999999999999999999` blamed
    `slash-veto.yaml: parameters.constants.Services.SlashDeferDuration`, a field the user never wrote."""
    from typer.testing import CliRunner

    from simulations.cli import app

    db = tmp_path / "o.db"
    out = CliRunner().invoke(app, [command[0], SLASH_VETO, "--rule", "tangle_services", "--param", "slash_defer_duration=99999999999999999999999",
                                   *command[1:], "--store", str(db), "--no-progress"], env={"COLUMNS": "400"})
    assert out.exit_code == 2 and not db.exists(), out.output
    (line,) = [ln for ln in out.output.splitlines() if ln.startswith("error")]
    assert line.startswith("error: --param slash_defer_duration: parameters.slash_defer_duration (the runtime's Services.SlashDeferDuration)")
    assert "slash-veto.yaml" not in line and "u32" in line


def test_error_lines_are_bounded_and_keep_the_field(tmp_path: Path) -> None:
    """A 100,000-character --param key was echoed whole; `bond: 1e400 TNT` gave a 742-character line."""
    from typer.testing import CliRunner

    from simulations.cli import MAX_ERROR_CHARS, app

    out = CliRunner().invoke(app, ["run", SLASH_VETO, "--param", "k" * 100_000 + "=1", "--store", str(tmp_path / "a.db")], env={"COLUMNS": "100000"})
    assert out.exit_code == 2
    (line,) = [ln for ln in out.output.splitlines() if ln.strip()]
    assert line.startswith("error: --param kkk") and "characters left out" in line and len(line) <= MAX_ERROR_CHARS + 20
    text = Path(SLASH_VETO).read_text()
    bond = text.index("bond:")
    end = text.index("\n", bond)
    bad = tmp_path / "bond.yaml"
    bad.write_text(text[:bond] + "bond: 1e400 TNT" + text[end:])
    out = CliRunner().invoke(app, ["run", str(bad), "--store", str(tmp_path / "b.db")], env={"COLUMNS": "100000"})
    assert out.exit_code == 2 and not (tmp_path / "b.db").exists()
    (line,) = [ln for ln in out.output.splitlines() if ln.strip()]
    assert "bond" in line and "1e400 TNT" in line and len(line) <= MAX_ERROR_CHARS + 20


def test_the_run_table_at_80_columns_breaks_no_word(tmp_path: Path) -> None:
    """`run` at 80 columns printed `appli/ed` and `tangle_service/s`."""
    from typer.testing import CliRunner

    from simulations.cli import app

    out = CliRunner().invoke(app, ["run", SLASH_VETO, "--store", str(tmp_path / "r.db"), "--no-progress"], env={"COLUMNS": "80"},
                             catch_exceptions=False)
    assert out.exit_code == 0, out.output
    table = out.output[out.output.index("run 1: slash-veto"):out.output.index("vetoed, applied: slashes by outcome")]
    lines = table.splitlines()
    assert all(len(ln) <= 80 for ln in lines)
    header = next(ln for ln in lines if ln.startswith("arm"))
    assert header.split() == ["arm", "vetoed", "applied", "honest", "escaped", "pending", "late", "window", "loss"]
    firsts = [ln.split()[0] for ln in lines[lines.index(header) + 2:] if ln[:1].strip()]
    for rule in ("tangle_services", "substrate_staking", "symbiotic", "eigenlayer"):
        assert any(f in (rule, rule + "/") for f in firsts), (rule, firsts)


def test_arms_tied_below_the_best_say_so_in_the_terminal() -> None:
    """swCref: three arms shared 4,703 below the best; the terminal marked each just 'worse' (the HTML gave all rank 3)."""
    from rich.console import Console

    from simulations.lab.summary import headline_table

    rows = []
    for arm, loss in (("best", 0.0), ("tied-a", 500.0), ("tied-b", 500.0), ("last", 900.0)):
        for seed in range(10):
            rows.append({"arm": arm, "seed": seed, "honest_slashed_value": loss + 10.0 * seed, "honest_slashed": 1, "faulty_escaped": 0, "late_vetoes": 0,
                         "loss_total_value": 50.0, "pending_at_end": 0, "pending_value": 0.0, "numeraire": "USD"})
    console = Console(width=240, record=True)
    console.print(headline_table(pd.DataFrame(rows), width=240))
    text = console.export_text()
    lines = {ln.split("│")[1].strip(): ln for ln in text.splitlines() if ln.startswith("│")}
    assert "worse (tie)" in lines["tied-a"] and "worse (tie)" in lines["tied-b"]
    assert "(tie)" not in lines["last"] and "(tie)" not in lines["best"]
    assert "(tie): the same mean as another arm below the best" in " ".join(text.split())


def test_the_stake_plot_is_drawn_as_steps() -> None:
    """rep1: straight lines between per-round samples drew a slash as a decline over 10 blocks."""
    from simulations.analysis import figures
    from simulations.report import _as_steps

    data = pd.DataFrame({"block": [10, 20, 30], "entity": ["op", "op", "op"], "value": [5000.0, 3000.0, 3000.0]})
    fig = _as_steps(figures.fig_stake([("arm", data)], "stake", "TNT"))
    lines = [ln for ax in fig.axes for ln in ax.get_lines()]
    assert lines and all(ln.get_drawstyle() == "steps-post" for ln in lines)
    x, y = lines[0].get_xydata()[:, 0], lines[0].get_xydata()[:, 1]
    assert list(x) == [10, 20, 30] and list(y) == [5000.0, 3000.0, 3000.0]  # the samples themselves are unchanged


def test_a_report_on_a_stored_run_imports_no_policy_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario naming a callable policy imports its module when it loads to run (a bad ref is
    refused before anything is stored); reading a stored run for a report must not run that
    module's import-time code (a shared store is data, not code)."""
    import sys

    from typer.testing import CliRunner

    from simulations.cli import app
    from simulations.report import write_report
    from simulations.store import RunStore

    marker = tmp_path / "imported.txt"
    (tmp_path / "noisy_policy_a6.py").write_text(f"open({str(marker)!r}, 'a').write('x')\n\ndef keep(view):\n    return False\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    db = tmp_path / "n.db"
    out = CliRunner().invoke(app, ["run", SLASH_VETO, "--rule", "eigenlayer", "--param", "governance.policy={kind: callable, ref: 'noisy_policy_a6:keep'}",
                                   "--store", str(db), "--no-progress"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert marker.exists()  # imported to run
    marker.unlink()
    sys.modules.pop("noisy_policy_a6", None)
    write_report(RunStore(str(db)), 1, tmp_path / "rep")
    assert (tmp_path / "rep" / "report.html").exists() and not marker.exists()


def test_the_timeline_marks_the_horizon_and_late_vetoes() -> None:
    """rep1: no horizon mark (only the end of the drain) and no marker for eigenlayer's 6 late vetoes."""
    from types import SimpleNamespace

    from simulations.analysis import figures

    def slash(decision: str, applied: int) -> Any:
        return SimpleNamespace(proposed_block=10, last_veto_block=20, applied_block=applied, veto_block=None, status="applied", justified=1,
                               resolved_block=applied, decision=decision)

    lanes = [("a", [slash("veto_late", 21), slash("keep", 21)], 300), ("b", [slash("keep", 21)], 250)]
    fig = figures.fig_timeline(lanes, "t", [240, None])
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "horizon (the scenario's last block)" in labels and "late veto (landed after the window: the slash applied)" in labels
    ax = fig.axes[0]
    horizon = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(horizon) == 1 and list(horizon[0].get_xdata()) == [240, 240]  # lane b's horizon is unknown: no mark
    rings = [c for c in ax.collections if c.get_label().startswith("late veto")]
    assert len(rings) == 1 and list(rings[0].get_offsets()[0]) == [21, 0]  # lane a's first row


def test_overlapping_veto_windows_never_share_a_timeline_row() -> None:
    """rep1 (session 29, by eye): slashes were put on three rows by their index, so a lane's windows
    ran into one another (tangle_services: three windows drawn as one bar from block 13 to 190)."""
    from types import SimpleNamespace

    from simulations.analysis import figures

    def slash(proposed: int, last: int, status: str = "applied") -> Any:
        return SimpleNamespace(proposed_block=proposed, last_veto_block=last, applied_block=last + 1 if status == "applied" else None,
                               veto_block=None, status=status, justified=1, resolved_block=None, decision="keep")

    # four windows open at once around block 60, then one after they all closed
    slashes = [slash(10, 100), slash(20, 70), slash(50, 90), slash(55, 200), slash(120, 150), slash(75, 110)]
    rows = figures.timeline_rows(slashes, 300)
    extents = [(s.proposed_block, s.applied_block) for s in slashes]
    for i in range(len(slashes)):
        for j in range(i):
            overlap = extents[i][0] <= extents[j][1] and extents[j][0] <= extents[i][1]
            assert not (overlap and rows[i] == rows[j]), (i, j, rows)
    assert max(rows) == 3  # as many rows as windows open at once (4), no more
    assert rows[4] != rows[3]  # 120 falls inside slash 3's window (55..201)
    lanes = [("a", slashes, 300), ("b", [slash(10, 20)], 300)]
    fig = figures.fig_timeline(lanes, "t")
    ax = fig.axes[0]
    windows = [ln for ln in ax.get_lines() if ln.get_color() == "0.78"]
    ys = [ln.get_ydata()[0] for ln in windows]
    assert len(set(ys[:6])) == 4 and ys[6] > max(ys[:6])  # lane b below all of lane a's rows
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["a", "b"]


def test_the_tradeoff_plot_breaks_arm_labels_only_after_separators() -> None:
    """repB: `…end.pending=cens` / `or/governance.path=sudo`: labels broken mid-word, lines touching."""
    from simulations.analysis import figures
    from simulations.report import _arm_ticks

    arms = [f"tangle_services/stock/end.pending=censor/governance.path={p}" for p in ("sudo", "multisig_dispute", "referendum_instant")]
    summary = pd.DataFrame([{"arm": a, "metric": m, "n": 20, "mean": 1.0, "ci_low": 0.5, "ci_high": 1.5, "note": ""}
                            for a in arms for m in ("honest_slashed", "faulty_escaped")])
    from simulations.analysis.columns import Measure

    before = figures.fig_tradeoff(arms, summary, Measure("honest_slashed", "honest", "count"), Measure("faulty_escaped", "faulty", "count"), "n")
    height = before.get_size_inches()[1]
    fig = _arm_ticks(before, arms)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [t.replace("\n", "") for t in ticks] == arms
    for t in ticks:
        for line in t.split("\n")[:-1]:
            assert line[-1] in "/.=", t  # every break after a separator, never inside a word
    assert fig.get_size_inches()[1] > height  # taller: three-line labels of three arms do not touch


def test_the_instant_note_also_reads_runs_stored_before_the_agents_were_recorded() -> None:
    """swCref was stored before gov_instant_*: its referendum_instant arm still gets the note."""
    from simulations.lab.summary import arm_governance_notes

    row = {"arm": "inst", "rule": "tangle_services", "gov_path": "referendum_instant", "gov_asked_path": "referendum_instant", "gov_wanted": 5,
           "gov_landed": 0, "gov_reasons": json.dumps({"failed: referendum not passed": 4, "failed: Democracy.InvalidHash": 1}),
           "gov_fastest_landing_blocks": 2.0, "gov_fastest_landing_basis": "an instant fast-track", "gov_window_blocks_max": 70.0,
           "gov_round_blocks": 10}
    (note,) = arm_governance_notes(pd.DataFrame([row]))
    assert note.startswith("no veto through referendum_instant landed") and "governance.reaction_blocks: 0" in note
    assert not arm_governance_notes(pd.DataFrame([{**row, "gov_landed": 2}]))


def test_a_late_veto_whose_process_then_fails_is_counted_failed() -> None:
    """Late at the slash's application means "cannot land in time"; if the process then fails on
    chain (a referendum not passed), its call never executes: it is a failure, not a late veto
    (governance-timing's instant arm read 127 'late' for motions that then missed unanimity)."""
    from simulations.lab.outcomes import governance_outcome

    sim = play("referendum_fast_track")
    gov = sim.state.gov
    proc = next(p for p in gov.processes if p.late_at is not None and p.running)
    applied_at = proc.late_at
    before = governance_outcome(sim)
    proc.enact_block = None  # what the board does when the referendum ends not approved: no enactment, then _fail
    gov._fail(sim, proc, "referendum not passed")
    assert proc.outcome == "failed" and not proc.running and proc.lateness is None and proc.late_at is None
    assert proc.failure == f"referendum not passed (its slash had applied at block {applied_at}, while the process was open)"
    assert sim.queue.records[[r.slash_id for r in sim.queue.records].index(proc.slash_id)].decision == "veto_failed"
    after = governance_outcome(sim)
    assert (after["late"], after["failed"]) == (before["late"] - 1, before["failed"] + 1)
    assert after["reasons"].get("failed: referendum not passed", 0) == before["reasons"].get("failed: referendum not passed", 0) + 1


def test_the_markdown_table_marks_lower_bound_lateness() -> None:
    """governance-timing's instant arm read "3 (0.0 h) / 3 (0.0 h)" for 127 vetoes whose lateness was
    only a lower bound (their motions still open when the runs stopped): the table says so."""
    from simulations.lab.gov_report import render

    frame = gov_frame([0, 1], [0, 0], late=[2, 1], path="referendum_instant")
    frame["gov_late_bounded"] = [2, 0]
    frame["gov_lateness_max"] = [3.0, 40.0]
    row = render(governance_table(frame)).splitlines()[2]
    assert "(≥: 2 of 3 are lower bounds, the process still open when the run stopped)" in row, row
    frame["gov_late_bounded"] = [0, 0]
    assert "≥" not in render(governance_table(frame)).splitlines()[2]
