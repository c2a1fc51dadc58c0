"""The report: what it shows (headline with intervals, censoring, partial sweeps, what was not
recorded), the figure rules, and the page in real headless Chromium with no console error."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.lines import Line2D
from rich.console import Console

from simulations import sweep as sw
from simulations.analysis import figures
from simulations.analysis.columns import NOT_RECORDED, Measure, catalogue
from simulations.analysis.statistics import summarize_arms
from simulations.commands import cli_run
from simulations.report import runs_frame, write_report
from simulations.store import RunStore
from tests.simulations.browser_helpers import find_chromium, open_page

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
TEXT = SCENARIO.read_text()
GRID = {"slash_defer_duration": [2, 28]}  # 28 rounds outlast the 10-round runs: slashes stay pending
RULES = ["tangle_services", "eigenlayer"]
RUNS = 3
BASE = {"length.rounds": 10, "end.pending": "censor"}  # stop at round 10 and report what is still pending
ARMS = {"tangle_services/slash_defer_duration=2", "tangle_services/slash_defer_duration=28", "eigenlayer"}  # the defer only matters to tangle_services


def _sweep_store(path: Path, keep: int | None = None) -> RunStore:
    tasks = sw.plan(TEXT, ".yaml", BASE, GRID, RULES, RUNS, 7)
    results = sw.run_serial(tasks)
    store = RunStore(str(path))
    run_id = store.create_run(kind="sweep", scenario_name="slash-veto", scenario_path=str(SCENARIO), scenario_text=TEXT, overrides=BASE,
                              seed=7, command="tangle-sim sweep simulations/scenarios/slash-veto.yaml ...",
                              info={"grid": GRID, "runs": RUNS, "rules": RULES, "tasks": len(tasks)})
    sw.store_results(store, run_id, results[:keep] if keep else results)
    store.set_run_status(run_id, "completed" if keep is None else "running")
    return store


@pytest.fixture(scope="module")
def sweep_store(tmp_path_factory) -> RunStore:
    return _sweep_store(tmp_path_factory.mktemp("sweep") / "s.db")


@pytest.fixture(scope="module")
def run_store(tmp_path_factory) -> RunStore:
    path = tmp_path_factory.mktemp("run") / "r.db"
    cli_run(Console(file=open(os.devnull, "w")), str(SCENARIO), None, ["length.rounds=10"], [], str(path), progress=False)
    return RunStore(str(path))


# ---------------------------------------------------------------------------------------- content
def test_sweep_report_ranks_arms_with_intervals_and_shows_what_is_pending(sweep_store, tmp_path) -> None:
    files = write_report(sweep_store, 1, tmp_path)
    page = (tmp_path / "report.html").read_text()
    frame = runs_frame(sweep_store, 1)
    assert len(frame) == 9 and set(frame.arm) == ARMS
    base = "loss_delegator_TNT_base" if "loss_delegator_TNT_base" in frame else "loss_delegator_TNT"
    assert all(isinstance(v, int) for v in frame[base])  # exact ints, not floats
    # the Tangle rule with a 28-round defer ends every 10-round run with its slashes pending: said, not hidden
    tangle28 = frame[frame.arm == "tangle_services/slash_defer_duration=28"]
    assert (tangle28.pending_at_end > 0).all() and (tangle28.applied == 0).all()
    assert "3 of 3 runs ended with slashes pending, so its outcome is not final" in page
    assert "Which arm loses the least to honest operators" in page and "95% Student t intervals" in page and "paired on seed" in page
    assert page.count("data:image/png;base64,") == sum(1 for f in files if f.suffix == ".png") >= 3
    assert "All 9 planned runs are stored." in page
    assert (tmp_path / "pending_at_end.png").exists() and "no slash was pending" not in page
    assert "Veto paths:" not in page  # the default origin shortcut has no governance process to report
    # a value every run gave (the 28-round arm applies nothing) reads "(all runs)", and the page says what that means
    assert "0 (all runs)" in page and "every run gave this value" in page
    cat = catalogue(frame)
    if cat.missing:  # an older store: every outcome it lacks is named
        assert "Not recorded by this run" in page and all(html.escape(m) in page for m in cat.missing)


def test_a_partial_sweep_is_reported_as_partial(tmp_path) -> None:
    store = _sweep_store(tmp_path / "p.db", keep=5)
    write_report(store, 1, tmp_path / "rep")
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "PARTIAL: 5 of 9 planned runs are stored" in page and "the sweep is running, not completed" in page


def test_a_single_run_says_it_has_no_intervals(run_store, tmp_path) -> None:
    write_report(run_store, 1, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "n=1: no interval" in page and "a single run per arm: no interval" in page and (tmp_path / "stake_per_operator.png").exists()
    # drained runs end with nothing pending: a sentence says so instead of a panel of zero bars
    assert (runs_frame(run_store, 1).pending_at_end == 0).all()
    assert "None: no slash was pending at the end of any of the" in page and not (tmp_path / "pending_at_end.png").exists()


# ---------------------------------------------------------------------------------------- figure rules
def _summary(n_arms: int) -> tuple[list[str], pd.DataFrame]:
    arms = [f"arm number {i} with a long descriptive name {{'slash_defer_duration': {i}}}" for i in range(n_arms)]
    frame = pd.DataFrame([{"arm": a, "seed": s, "x": (i + 1) * 10**18 + s * 10**17, "y": s % 2, "pending_at_end": s % 2}
                          for i, a in enumerate(arms) for s in range(4)] + [{"arm": "alone", "seed": 0, "x": 10**18, "y": 1, "pending_at_end": 0}])
    frame["x"] = frame["x"].astype(object)
    return arms + ["alone"], summarize_arms(frame, ["x", "y"])


def _bar_axes_follow_the_rules(fig) -> None:  # type: ignore[no-untyped-def]
    drawn = [ax for ax in fig.axes if ax.patches]
    assert drawn
    for ax in drawn:
        assert ax.get_xlim()[0] == 0  # bars start at zero
        assert "(" in ax.get_xlabel() and ax.get_xlabel().rstrip().endswith(")")  # a unit on the value axis
        assert ax.get_title()
        joined = [ln for ln in ax.lines if isinstance(ln, Line2D) and ln.get_linestyle() not in ("None", "", " ") and len(ln.get_xdata()) > 1]
        assert joined == []  # no line joins categories


def test_bar_figures_start_at_zero_carry_units_and_intervals() -> None:
    arms, summary = _summary(12)
    m = [Measure("x", "loss", "TNT per run", scale=1e18), Measure("y", "slashes", "count per run")]
    fig = figures.fig_measures(arms, summary, m, "Loss per arm", "95% CI")
    _bar_axes_follow_the_rules(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == 13 and ax.collections  # 13 bars, and error bars drawn
    texts = [t.get_text() for t in ax.texts]
    assert any("n=1: no interval" in t for t in texts) and any("2/4 runs censored" in t for t in texts)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[:12] == arms[:12]  # arm names whole (wrapped, never cut)
    plt.close(fig)
    fig = figures.fig_tradeoff(arms, summary, m[0], None, "95% CI")
    _bar_axes_follow_the_rules(fig)
    assert any(NOT_RECORDED in t.get_text() for ax in fig.axes for t in ax.texts)
    plt.close(fig)


def test_twenty_operators_get_distinct_colours_or_others() -> None:
    rows = [{"block": b, "entity": f"op-{i:02d}", "value": float(100 + i)} for i in range(20) for b in (0, 10, 20)]
    fig = figures.fig_stake([("arm", pd.DataFrame(rows))], "Stake over time", "TNT")
    ax = fig.axes[0]
    colours = [ln.get_color() for ln in ax.lines]
    labels = [ln.get_label() for ln in ax.lines]
    assert len(ax.lines) == figures.TOP_K + 1 and len(set(colours)) == len(colours)
    assert labels[:figures.TOP_K] == [f"op-{i:02d}" for i in range(19, 19 - figures.TOP_K, -1)]  # the largest by stake
    assert labels[-1] == "others (12, summed)" and ax.get_ylim()[0] == 0 and "TNT" in ax.get_ylabel()
    plt.close(fig)


# ---------------------------------------------------------------------------------------- in a real browser
def _need_chromium() -> None:
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI to render the report (apt-get install chromium; see .ci/run)")
        pytest.skip("no Chromium here (CI installs it)")


def test_the_browser_check_catches_a_broken_page(tmp_path) -> None:
    _need_chromium()
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html><head><link rel='icon' href='data:,'></head><body><h1>x</h1>"
                    "<img alt='broken' src='data:image/png;base64,AAAA'><script>console.error('boom'); undefinedFunction();</script></body></html>")
    report = open_page(page)
    assert any("boom" in e for e in report.errors) and any("undefinedFunction" in e for e in report.errors)
    assert report.images == [{"alt": "broken", "complete": True, "naturalWidth": 0, "naturalHeight": 0}]


@pytest.mark.parametrize("kind", ["sweep", "run"])
def test_report_opens_in_headless_chromium_without_errors(kind: str, sweep_store, run_store, tmp_path) -> None:
    _need_chromium()
    store = sweep_store if kind == "sweep" else run_store
    files = write_report(store, 1, tmp_path)
    pngs = [f for f in files if f.suffix == ".png"]
    report = open_page(tmp_path / "report.html")
    assert report.errors == []
    assert report.scroll_width <= 1280  # nothing wider than the window (tables wrap or scroll inside the page)
    assert len(report.images) == len(pngs) >= 3
    assert all(img["complete"] and img["naturalWidth"] > 100 and img["naturalHeight"] > 50 for img in report.images), report.images
    assert "Which arm loses the least to honest operators" in report.text and "Slash timeline with veto windows" in report.text
    assert report.screenshot.startswith(b"\x89PNG") and len(report.screenshot) > 50_000
    (tmp_path / "screenshot.png").write_bytes(report.screenshot)
    keep = os.environ.get("TANGLE_SIM_SCREENSHOTS")  # a directory: keep the screenshots to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "screenshot.png", Path(keep) / f"report-{kind}.png")
        shutil.copy(tmp_path / "report.html", Path(keep) / f"report-{kind}.html")
    assert json.dumps(report.images)  # plain data


def test_console_summary_of_an_older_store_shows_intervals_at_80_columns(sweep_store) -> None:
    import io

    from simulations.commands import print_sweep_summary

    frame = runs_frame(sweep_store, 1)
    legacy = frame[[c for c in frame.columns if not c.startswith(("honest_", "faulty_", "loss_")) or c in ("loss_delegator_TNT_base",)]]
    legacy = legacy.rename(columns={"loss_delegator_TNT_base": "loss_delegator_TNT"}).drop(columns="arm")  # as an older store had it
    buf = io.StringIO()
    print_sweep_summary(Console(file=buf, width=80, color_system=None), legacy, ["slash_defer_duration"], {"TNT": 18})
    text = buf.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80 and "…" not in text
    assert "runs per arm" in text and "[" in text and "delegator" in text and "TNT per" in text and "3/3" in text  # intervals, tokens, censoring
    assert "not recorded by this run" in text
