"""Presentation findings of a new user's governance-lab pass (newuser9, findings 6, 7, 8, 11, 12):
one arm name everywhere, with the parameters every arm shares said in the captions; no number or
interval split across lines at 80 columns; a quantity shown once under one name; chart axes that do
not waste half the panel; unfinished runs named by their arm."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from rich.console import Console

from simulations import sweep as sw
from simulations.commands import print_sweep_summary
from simulations.report import runs_frame, write_report
from simulations.store import RunStore

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
TEXT = SCENARIO.read_text()


def _censored_sweep(path: Path, finished: int | None = None) -> tuple[RunStore, list[dict]]:
    """What ``tangle-sim sweep slash-veto.yaml --policy never --policy always --param end.pending=censor
    --rule tangle_services --runs 3`` stores (10 rounds), with only the first ``finished`` tasks done
    (the others pending, as after a SIGTERM)."""
    tasks = sw.plan(TEXT, ".yaml", {"length.rounds": 10}, {"end.pending": ["censor"]}, ["tangle_services"], 3, 7, policies=["never", "always"])
    store = RunStore(str(path))
    run_id = store.create_run(kind="sweep", scenario_name="slash-veto", scenario_path=str(SCENARIO), scenario_text=TEXT, overrides={}, seed=7,
                              command="tangle-sim sweep ...", info={"tasks": len(tasks)}, arms=sw.arm_rows(tasks))
    arm_of = {t.index: a.id for t, a in zip(tasks, store.arms(run_id))}
    done = tasks if finished is None else tasks[:finished]
    results = sw.execute_and_store(store, arm_of, done, workers=1)
    store.set_run_status(run_id, "completed" if finished is None else "running")
    return store, results


@pytest.fixture(scope="module")
def censored(tmp_path_factory) -> tuple[RunStore, list[dict], Path]:
    tmp = tmp_path_factory.mktemp("censored")
    store, results = _censored_sweep(tmp / "c.db")
    write_report(store, 1, tmp / "rep")
    return store, results, tmp / "rep"


def _console(frame: pd.DataFrame, width: int) -> str:
    buf = io.StringIO()
    print_sweep_summary(Console(file=buf, width=width, color_system=None), frame, ["end.pending"], {"TNT": 18}, None)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------- finding 7, 12: names
def test_console_html_csv_and_charts_name_the_arms_alike_and_say_what_every_arm_shares(censored) -> None:
    """newuser9 #7: console `tangle_services/always`, HTML `tangle_services/always/end.pending=censor`."""
    store, results, rep = censored
    console_names = set(sw.to_frame(results).arm)  # what the sweep printed and wrote to --out
    assert console_names == {"tangle_services/never", "tangle_services/always"}
    assert set(runs_frame(store, 1).arm) == console_names  # the report's frame, its tables and charts
    assert set(pd.read_csv(rep / "sweep.csv").arm) == console_names
    page = html.unescape((rep / "report.html").read_text()).replace("<wbr>", "")
    assert "end.pending=censor/" not in page and "/end.pending=censor" not in page
    assert "every arm ran with end.pending=censor" in page  # the constant is said once, in the captions
    text = " ".join(_console(sw.to_frame(results), 200).split())
    assert "every arm ran with end.pending=censor" in text


def test_two_arms_that_would_share_a_short_name_get_their_full_names(tmp_path) -> None:
    """Rows stored without the task's name (older stores) get it rebuilt from what differs; never two arms under one name."""
    from types import SimpleNamespace

    def row(i: int, rule: str, params: str) -> SimpleNamespace:
        return SimpleNamespace(id=i, rule=rule, params_json=params, task_json="")

    names = sw.display_names([row(1, "tangle_services", '{"policy": "never", "end.pending": "censor"}'),
                              row(2, "tangle_services", '{"policy": "stock", "end.pending": "censor"}')])
    assert names == {1: "tangle_services/never", 2: "tangle_services/stock"}
    task = '{"arm": "x"}'
    clash = sw.display_names([SimpleNamespace(id=1, rule="tangle_services", params_json='{"policy": "never"}', task_json=task),
                              SimpleNamespace(id=2, rule="tangle_services", params_json='{"policy": "stock"}', task_json=task)])
    assert clash == {1: "tangle_services/never", 2: "tangle_services/stock"}


def test_a_partial_sweep_names_its_unfinished_runs_by_arm(tmp_path) -> None:
    """newuser9 #12: '260 arm(s) did not finish: tangle_services {"policy": "never"} #70, ...'."""
    store, _ = _censored_sweep(tmp_path / "p.db", finished=3)
    write_report(store, 1, tmp_path / "rep")
    page = html.unescape((tmp_path / "rep" / "report.html").read_text()).replace("<wbr>", "")
    assert '{"policy"' not in page and "#1" not in page
    assert "3 run(s) did not finish: tangle_services/always: 2 (runs 1 to 2); tangle_services/never: 1 (run 2)" in page


# ---------------------------------------------------------------------------------------- finding 8: one quantity once
def _outcome_rows(page: str) -> list[tuple[str, str, str]]:
    """(arm, measure, mean [CI]) rows of the "Every outcome per arm" table."""
    table = page[page.index("Every outcome per arm"):]
    table = table[:table.index("</table>")]
    return [tuple(re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row))  # type: ignore[misc]
            for row in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in row]


def test_a_censored_sweep_shows_its_value_at_risk_once(censored) -> None:
    """newuser9 #8: 'value at risk at the end (...)' and 'value at risk in slashes still pending at
    the end (after any drain)' both 3,119 [2,546, 3,692]: with no run drained the horizon is the end,
    so pending_at_horizon_value and pending_value are one quantity (equal up to float rounding)."""
    store, _, rep = censored
    frame = runs_frame(store, 1)
    assert (frame["drained_rounds"] == 0).all() and (frame["pending_value"] > 0).any()
    assert ((frame["pending_at_horizon_value"] - frame["pending_value"]).abs() < 1e-6).all()
    page = html.unescape((rep / "report.html").read_text()).replace("<wbr>", "")
    risk = [r for r in _outcome_rows(page) if r[1].startswith("value at risk")]
    assert len(risk) == 2 and len({r[0] for r in risk}) == 2  # one row per arm, not two
    assert "no run went on past it" in risk[0][1]


def test_a_drained_sweep_keeps_both_values_at_risk_under_names_that_differ() -> None:
    """After a drain the horizon's value at risk and what the drain left are two quantities: both
    shown, each named for its moment, the end's saying when they coincide."""
    from simulations.analysis.columns import catalogue
    from simulations.report import _summary_metrics

    rows = [{"arm": a, "seed": s, "honest_slashed_value": 1.0, "faulty_escaped": 0, "pending_at_end": int(s == 1), "pending_value": 50.0 * (s == 1),
             "pending_at_horizon": 1, "pending_at_horizon_value": 100.0, "drained_rounds": 3, "numeraire": "USD", "loss_total_value": 2.0}
            for a in ("x", "y") for s in (1, 2)]
    frame = pd.DataFrame(rows)
    labels = {m.column: m.label for m in _summary_metrics(frame, catalogue(frame))}
    assert labels["pending_at_horizon_value"].startswith("value at risk at the horizon")
    assert labels["pending_value"].startswith("value at risk at the end, after the drain")
    assert "equal to the horizon's in a run that was not drained" in labels["pending_value"]


# ---------------------------------------------------------------------------------------- finding 6: never split a number
def _whole_cells(text: str, cells: list[str]) -> list[str]:
    """The units (a number, an interval, a parenthesised note) of ``cells`` that no line of ``text`` holds whole."""
    lines = text.splitlines()
    units = [u for c in cells for u in re.findall(r"\[[^\]]*\]|\([^)]*\)|\S+", c)]  # "12,293", "[11,350, 13,236]", "(all runs)", words
    return [u for u in units if not any(u in line for line in lines)]


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
def test_the_sweep_headline_never_splits_a_number_or_an_interval(censored, width: int) -> None:
    """newuser9 #6: at 80 columns `12,293 [11,35` / `0,` / `13,236]`: a reader takes 11,35 for a value."""
    from simulations.analysis.statistics import format_interval
    from simulations.lab.summary import headline

    _, results, _ = censored
    frame = sw.to_frame(results)
    h = headline(frame)
    cells = [format_interval(r[m], r[f"{m}_ci_low"], r[f"{m}_ci_high"], clipped=bool(r[f"{m}_clipped"]), constant=bool(r[f"{m}_constant"]),
                             clipped_high=bool(r[f"{m}_clipped_high"]))
             for r in h.to_dict("records") for m in ("honest_slashed_value", "faulty_escaped", "loss_total_value", "at_risk_value")]
    assert any("[" in c for c in cells)  # intervals to keep whole
    text = _console(frame, width)
    table = text[:text.index("mean [95% CI] over n runs")]
    assert max(len(line) for line in table.splitlines()) <= width
    assert not _whole_cells(table, cells), table
    arms = sorted(set(frame.arm))  # broken only after "/", never inside a word; whole in the 80-column blocks
    assert not _whole_cells(table, arms if width == 80 else [p for a in arms for p in re.split(r"(?<=/)", a)]), table
    if width <= 80:  # too narrow for a row per arm: a block per arm, a line per measure
        assert "┃ what" in table and "│ n " in table


def test_the_demo_never_breaks_a_line_inside_its_list_of_events() -> None:
    """newuser9 #6: piped, the demo printed `→ Reserved,` and `OperatorJoined` at the left margin."""
    from simulations.demo import run_demo

    out = io.StringIO()
    run_demo(Console(file=out, width=80, color_system=None))
    lines = out.getvalue().splitlines()
    assert "      → Reserved, OperatorJoined" in lines
    for i, line in enumerate(lines):
        if line.rstrip().endswith(","):  # a list of events goes on, indented, under its arrow
            assert lines[i + 1].startswith("        ") and lines[i + 1].strip()[0].isupper(), lines[i:i + 2]
    assert all(len(line) <= 80 for line in lines[:40])


# ---------------------------------------------------------------------------------------- finding 11: chart axes
def _bars_summary(censored: int) -> tuple[list[str], pd.DataFrame]:
    arms = ["tangle_services/always", "tangle_services/stock", "tangle_services/never"]
    means = {"tangle_services/always": 0.0, "tangle_services/stock": 1629.0, "tangle_services/never": 4861.0}
    rows = [{"arm": a, "metric": "honest_slashed_value", "n": 200, "runs": 200, "mean": means[a], "ci_low": means[a] * 0.92, "ci_high": means[a] * 1.08,
             "note": "", "constant": means[a] == 0, "runs_censored": censored} for a in arms]
    return arms, pd.DataFrame(rows)


@pytest.mark.parametrize("censored", [0, 25])
def test_chart_value_axes_end_near_the_longest_bar_and_every_note_stays_in_its_panel(censored: int) -> None:
    """newuser9 #11: the escaped axis ran to ~17 for a longest bar of 9.17, USD to ~10,000 for 5,233
    (a fixed 1.9x for the labels): the bars used half the panel. Now a note goes inside its bar when
    it fits, else past the bar, and the axis ends where the notes need it to."""
    from simulations.analysis import figures
    from simulations.analysis.columns import Measure
    from simulations.report import _arm_ticks

    arms, summary = _bars_summary(censored)
    m = Measure("honest_slashed_value", "honest loss", "USD per run")
    fig = _arm_ticks(figures.fig_measures(arms, summary, [m], "Loss", "n = 200"), arms)
    ax = fig.axes[0]
    longest = 4861.0 * 1.08
    assert ax.get_xlim()[1] <= longest * 1.25, ax.get_xlim()  # was longest * 1.9 whenever a bar had a note
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    notes = [t for t in ax.texts if t.get_text()]
    assert any("0 in all 200 runs" in t.get_text() for t in notes)
    if censored:
        assert sum("25/200 runs censored" in t.get_text().replace("\n", " ") for t in notes) == 3
    for t in notes:
        b = t.get_window_extent(renderer)
        assert box.x0 - 1 <= b.x0 and b.x1 <= box.x1 + 1, t.get_text()  # inside its own panel, never in the next one
    plt.close(fig)


def test_the_pending_chart_of_a_censored_sweep_draws_the_value_at_risk(censored) -> None:
    """The value at risk shown once in the tables (#8) is still drawn in the pending chart, not 'no data'."""
    from simulations.analysis.columns import catalogue
    from simulations.report import _summary_metrics

    store, _, rep = censored
    frame = runs_frame(store, 1)
    columns = {m.column for m in _summary_metrics(frame, catalogue(frame))}
    assert "pending_value" not in columns and "pending_at_horizon_value" in columns
    assert (rep / "pending_at_end.png").exists()
    page = (rep / "report.html").read_text()
    assert "Slashes still pending when the runs ended (censored outcomes)" in page


def test_the_veto_path_table_never_splits_its_share_interval_at_80_columns() -> None:
    """The same at 80 columns in the veto-path table: `[30.1%` / `,` / `60.2%]`, `tangle_serv` / `ices/`."""
    import math

    from simulations.lab.summary import governance_cells, governance_console_table

    row = {"arm": "tangle_services/stock/governance.path=referendum_instant", "path": "referendum_instant", "split": False, "runs": 50, "wanted": 120,
           "landed": 54, "resolved": 107, "share_landed": 54 / 107, "ci_low": 0.301, "ci_high": 0.602, "late": 40, "failed": 13, "pending": 13,
           "late_bounded": 0, "runs_censored": 5, "pending_at_horizon": 20, "runs_pending_at_horizon": 12, "runs_drained": 0,
           "drained_rounds_mean": math.nan, "drained_rounds_max": math.nan, "lateness_median": 1234.0, "lateness_max": 12345.0,
           "needed_window_median": 1.0, "needed_window_max": 2.0, "why_not": "failed: referendum not passed ×13"}
    gov = pd.DataFrame([row, {**row, "arm": "tangle_services/never/governance.path=referendum_instant"}])
    gov.attrs["confidence"] = 0.95
    cells = governance_cells(row)
    for width in (80, 120, 200):
        buf = io.StringIO()
        Console(file=buf, width=width, color_system=None).print(governance_console_table(gov, title="veto paths", width=width))
        table = buf.getvalue()[:buf.getvalue().index("of the vetoes governance wanted")]
        assert max(len(line) for line in table.splitlines()) <= width
        assert not _whole_cells(table, [cells["share"], cells["lateness"], "20→13"]), table
        pieces = ["tangle_services/", "stock/", "never/", "governance.", "path=", "referendum_instant"]
        assert not _whole_cells(table, pieces), table


def test_the_summary_of_an_older_sweep_keeps_intervals_whole_and_names_arms_by_path() -> None:
    """An older store's summary (no headline columns) at 80 columns: `5,717 [5,419,` / `6,014]`, and
    arms named by the store's JSON label `tangle_services {"policy": "never"}`."""
    frame = pd.DataFrame([{"rule": "tangle_services", "policy": p, "seed": s, "run_index": s, "pending_at_end": 0, "applied": s % 4 + 1,
                           "loss_delegator_TNT": (5717 + 37 * (s % 7) * (i + 1)) * 10**18}
                          for i, p in enumerate(("never", "stock")) for s in range(30)])
    text = _console(frame.assign(**{"end.pending": "drain"}), 80)
    first = "".join(line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│"))  # the arm column, its lines joined
    assert '{"policy"' not in text and "tangle_services/never/end.pending=drain" in first and "tangle_services/stock/end.pending=drain" in first
    lines = text.splitlines()
    intervals = [m for line in lines for m in re.findall(r"\[[^\]]*\]", line)]
    assert intervals and not any(line.rstrip(" │").endswith(",") for line in lines if "[" in line), text
    assert all(line.count("[") == line.count("]") for line in lines if "│" in line), text


def test_a_summary_too_narrow_for_an_arm_column_puts_the_arm_above_its_metrics() -> None:
    """A long arm name beside a mean and a difference does not fit 80 columns: the arm gets a row of
    its own (in the metric column), marked "arm:" in words (bold is lost in a pipe), and every
    interval stays on one line."""
    from simulations.analysis.statistics import render_summary, summarize_arms

    names = ['tangle_services {"slash_defer_duration": 28, "governance.reaction_blocks": 30} veto_under', "eigenlayer"]
    frame = pd.DataFrame([{"arm": a, "seed": s, "loss": (s + i) * 1.5, "applied": s % 3, "pending_at_end": s % 2} for i, a in enumerate(names)
                          for s in range(6)])
    text = render_summary(summarize_arms(frame, ["loss", "applied"], baseline="eigenlayer"), width=80)
    lines = [line for line in text.splitlines() if line.startswith("│")]
    assert max(len(line) for line in text.splitlines()) <= 80 and "arm / metric" in text
    assert all(line.count("[") == line.count("]") for line in lines), text
    assert any(line.startswith("│ arm: eigenlayer ") and line.count("│") == 6 and "[" not in line for line in lines), text  # a row of its own
    assert lines[0].startswith("│ arm: tangle_services "), text
    assert not any(line.startswith("│ eigenlayer ") for line in lines), text  # never a bare name that reads like a metric


def test_a_single_value_that_only_some_rules_take_is_named_with_those_rules() -> None:
    """`--param slash_defer_duration=7 --rule tangle_services --rule eigenlayer`: neither arm's name
    shows the 7 (one value), so the caption says which arms ran with it."""
    from simulations.lab.summary import shared_sentence

    frame = pd.DataFrame([{"arm": "tangle_services", "rule": "tangle_services", "slash_defer_duration": 7, "end.pending": "censor", "seed": 1},
                          {"arm": "eigenlayer", "rule": "eigenlayer", "slash_defer_duration": None, "end.pending": "censor", "seed": 1}])
    assert shared_sentence(frame) == ("every arm ran with end.pending=censor, slash_defer_duration=7 (tangle_services arms only: the other rules "
                                      "ignore it) (set alike for all, so not part of the arm names)")
