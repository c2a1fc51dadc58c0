"""What a figure means: intervals a measure can take, ties that name no winner, and what was
pending at the horizon before a drain resolved it (new-user pass 3, items A2-A4)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simulations.analysis.statistics import (format_interval, newcombe_paired, newcombe_unpaired, rank_arms, render_summary, summarize_arms,
                                             wilson)


def _frame(values: dict[str, list[float]], metric: str = "faulty_escaped", **extra: list[float]) -> pd.DataFrame:
    rows = []
    for arm, vs in values.items():
        for seed, v in enumerate(vs):
            rows.append({"arm": arm, "seed": seed, metric: v, **{k: e[seed] for k, e in extra.items()}})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ A2
def test_a_zero_one_measure_gets_the_wilson_interval_of_the_veto_table_never_above_one() -> None:
    from simulations.lab import summary as lab_summary

    assert lab_summary.wilson is wilson  # one implementation for the veto table and the per-arm shares
    frame = _frame({"shortcut": [1] * 11 + [0], "instant": [1, 1] + [0] * 10})
    s = summarize_arms(frame, ["faulty_escaped"]).set_index("arm")
    # a Student t interval here is 0.92 [0.73, 1.10]: above what a 0/1 measure can average
    assert (s.loc["shortcut", "ci_low"], s.loc["shortcut", "ci_high"]) == pytest.approx(wilson(11, 12))
    assert s.loc["shortcut", "ci_high"] <= 1 and s.loc["shortcut", "method"] == "wilson"
    assert (s.loc["instant", "ci_low"], s.loc["instant", "ci_high"]) == pytest.approx(wilson(2, 12))
    assert s.loc["instant", "ci_low"] > 0 and not s.loc["instant", "clipped"]  # no "0.000*": the score interval is honest at 0
    assert s.attrs["methods"] == {"faulty_escaped": "wilson"}
    # 2 of 30 (the report's referendum_instant): Wilson [1.8 %, 21.3 %]
    low, high = wilson(2, 30)
    assert round(low, 3) == 0.018 and round(high, 3) == 0.213
    text = " ".join(render_summary(s.reset_index(), width=160).split())
    assert "Wilson score" in text and "Student t" not in text


def test_only_counts_that_are_all_zero_or_one_are_shares() -> None:
    frame = _frame({"a": [0, 1, 2, 0], "b": [1, 0, 0, 0]}, loss_total_value=[0.0, 1.0, 0.0, 1.0], late_vetoes=[0, 0, 0, 0])
    s = summarize_arms(frame, ["faulty_escaped", "loss_total_value", "late_vetoes"])
    by = {(r.arm, r.metric): r for r in s.itertuples()}
    assert by["a", "faulty_escaped"].method == "t"  # a 2 in one run: a count, not a share
    assert by["a", "loss_total_value"].method == "t"  # an amount that happens to be 0 or 1 is still an amount
    assert by["a", "late_vetoes"].constant and by["a", "late_vetoes"].method == "t"  # all zeros: "0 (all runs)", as before
    declared = summarize_arms(_frame({"a": [0.2, 0.9, 1.0, 1.0]}, metric="landed_share"), ["landed_share"])
    assert declared.iloc[0].ci_high == 1.0 and declared.iloc[0].clipped_high  # a share's t interval is cut at 1, and says so
    assert format_interval(0.775, 0.3, 1.0, clipped_high=True).endswith("1.00*]")


def test_paired_differences_of_shares_use_newcombes_score_interval_and_say_so() -> None:
    # perfectly concordant pairs: the paired interval is far narrower than the unpaired one
    d, low, high = newcombe_paired(10, 0, 0, 10)
    _, ulow, uhigh = newcombe_unpaired(10, 20, 10, 20)
    assert d == 0 and -0.12 < low < 0 < high < 0.12 and ulow < -0.25 and uhigh > 0.25
    # every pair discordant one way: the difference is 1, its interval stays within [-1, 1]
    d, low, high = newcombe_paired(0, 12, 0, 0)
    assert d == 1 and 0.6 < low < 1 and high == 1.0
    # seeds where the baseline escaped are seeds where the arm did too (common random numbers): the pairs are correlated
    frame = _frame({"never": [1] * 6 + [0] * 6, "shortcut": [1] * 9 + [0] * 3})
    s = summarize_arms(frame, ["faulty_escaped"], baseline="never").set_index("arm")
    r = s.loc["shortcut"]
    assert r.diff_method == "newcombe paired" and r.n_pairs == 12
    assert (r.diff_mean, r.diff_ci_low, r.diff_ci_high) == pytest.approx(newcombe_paired(6, 3, 0, 3))
    unpaired = summarize_arms(frame, ["faulty_escaped"], baseline="never", paired=False).set_index("arm").loc["shortcut"]
    assert unpaired.diff_method == "newcombe" and (unpaired.diff_ci_low, unpaired.diff_ci_high) == pytest.approx(newcombe_unpaired(9, 12, 6, 12)[1:])
    assert unpaired.diff_ci_high - unpaired.diff_ci_low > r.diff_ci_high - r.diff_ci_low  # pairing narrows it
    assert -1 <= r.diff_ci_low and r.diff_ci_high <= 1
    text = " ".join(render_summary(s.reset_index(), width=200).split())
    assert "Newcombe's paired score interval" in text
    money = summarize_arms(_frame({"x": [3.0, 5.0, 9.0], "y": [1.0, 2.0, 4.0]}, metric="loss_total_value"), ["loss_total_value"], baseline="x")
    assert money.attrs["diff_methods"] == {"loss_total_value": "paired t"}


def test_the_headline_names_each_columns_method_and_what_the_star_means() -> None:
    from rich.console import Console

    from simulations.lab.summary import headline, headline_table

    rows = []
    for seed in range(20):
        for arm, honest in (("stock", [0] * 17 + [2000.0, 3000.0, 2900.0]), ("never", [5000.0 + 10 * seed] * 20)):
            rows.append({"arm": arm, "seed": seed, "honest_slashed_value": honest[seed], "honest_slashed": int(honest[seed] > 0),
                         "faulty_escaped": int(arm == "never" or seed % 3 == 0), "late_vetoes": 0, "loss_total_value": honest[seed] + 1.0,
                         "pending_at_end": 0, "numeraire": "USD"})
    frame = pd.DataFrame(rows)
    h = headline(frame)
    assert h.attrs["methods"]["faulty_escaped"] == "wilson" and h.attrs["methods"]["honest_slashed_value"] == "t"
    console = Console(width=240, record=True)
    console.print(headline_table(frame, width=240))
    text = " ".join(console.export_text().split())
    assert "Wilson score (per-run values all 0 or 1: a share of runs) for faulty escaped" in text
    assert "Student t for honest loss (USD), total loss" in text
    assert "0*," in text and "reached below 0, which the measure cannot take, and is clipped at 0" in text
    assert "1.000 [0.839, 1.000]" in text  # never: 20 of 20 escaped, Wilson (a t interval would be "1 (all runs)")


# ------------------------------------------------------------------------------------------ A3
def test_when_every_arm_ties_no_arm_is_best() -> None:
    from rich.console import Console

    from simulations.lab.summary import headline_table

    frame = _frame({"shortcut": [0.0] * 5, "council": [0.0] * 5, "sudo": [0.0] * 5}, metric="honest_slashed_value",
                   faulty_escaped=[1, 1, 0, 1, 1], loss_total_value=[0.0, 9.0, 867.0, 900.0, 5.0], pending_at_end=[0] * 5,
                   late_vetoes=[0] * 5, honest_slashed=[0] * 5)
    frame["numeraire"] = "USD"
    ranked = rank_arms(frame, "honest_slashed_value", direction="lower")
    assert ranked.attrs["tie"] and ranked.attrs["best"] is None
    assert (ranked["rank"] == 1).all() and ranked["verdict"].str.startswith("tie").all()
    console = Console(width=220, record=True)
    console.print(headline_table(frame, width=220))
    text = console.export_text()
    verdicts = [line.split("│")[-3].strip() for line in text.splitlines() if line.startswith("│")]  # the vs-best column
    assert verdicts == ["tie", "tie", "tie"]  # not "best" for the first declared arm and "n.s." for the others
    assert "every arm has the same mean honest loss (USD), 0, so the measure does not tell them apart and no arm is best" in " ".join(text.split())


def test_arms_that_tie_exactly_share_their_rank() -> None:
    frame = _frame({"defer7": [0.0, 9000.0, 9000.0, 0.0, 9000.0], "defer14": [0.0, 0.0, 2000.0, 0.0, 2735.0],
                    "defer28": [2000.0, 0.0, 0.0, 2735.0, 0.0], "never": [9000.0] * 5}, metric="honest_slashed_value")
    ranked = rank_arms(frame, "honest_slashed_value", direction="lower").set_index("arm")
    assert ranked.loc["defer14", "rank"] == ranked.loc["defer28", "rank"] == 1
    assert ranked.loc["defer14", "verdict"].startswith("tied best") and ranked.loc["defer28", "verdict"].startswith("tied best")
    assert ranked.loc["defer7", "rank"] == 3 and ranked.loc["never", "rank"] == 4
    assert ranked.attrs["tied_best"] == ["defer14", "defer28"] and not ranked.attrs["tie"]
    ranked = rank_arms(frame.replace({"defer7": "never2"}), "honest_slashed_value", direction="higher").set_index("arm")
    assert ranked.loc["never", "rank"] == 1 and ranked.loc["never", "verdict"] == "best"


# ------------------------------------------------------------------------------------------ A4
def _drained_frame(**over: object) -> pd.DataFrame:
    rows = []
    for arm, pend_h, drained in (("never", [1] * 19 + [0], [8] * 10 + [3] * 9 + [0]), ("always", [1] * 14 + [0] * 6, [2] * 14 + [0] * 6)):
        for seed in range(20):
            rows.append({"arm": arm, "seed": seed, "honest_slashed_value": 100.0 * (seed % 3) * (arm == "never"), "honest_slashed": seed % 3,
                         "faulty_escaped": 2 * (arm == "always"), "late_vetoes": 0, "loss_total_value": 50.0 + seed, "pending_at_end": 0,
                         "pending_value": 0.0, "pending_at_horizon": pend_h[seed], "pending_at_horizon_value": 1000.0 * pend_h[seed],
                         "drained_rounds": drained[seed], "numeraire": "USD"})
    frame = pd.DataFrame(rows)
    for k, v in over.items():
        if v is None:
            frame = frame.drop(columns=[k])
        else:
            frame[k] = v
    return frame


def _text(frame: pd.DataFrame) -> str:
    from rich.console import Console

    from simulations.lab.summary import headline_table

    console = Console(width=240, record=True)
    console.print(headline_table(frame, width=240))
    return " ".join(console.export_text().split())


def test_the_headline_shows_what_was_pending_at_the_horizon_and_the_drain() -> None:
    text = _text(_drained_frame())
    assert "19→0/20" in text and "14→0/20" in text  # not "0/20": 19 runs had slashes pending at the horizon
    assert "always 14/20 runs, 2.0 / 2; never 19/20 runs, 5.6 / 8" in text
    assert "at risk: what the slashes pending at the horizon would have taken then" in text
    assert "950 [" in text  # never: 19 of 20 runs with 1,000 USD at risk at the horizon
    # runs stored before the horizon count existed: unknown, never a silent 0
    old = _text(_drained_frame(pending_at_horizon=None, pending_at_horizon_value=None))
    assert "?→0/20" in old and "the horizon count was not recorded" in old and "at risk" not in old
    # no drain (censor mode, or nothing pending): the end is the horizon, and the value still at risk is beside the loss
    censor = _text(_drained_frame(pending_at_horizon=None, pending_at_horizon_value=None, drained_rounds=0,
                                  pending_at_end=[1, 0] * 20, pending_value=[2000.0, 0.0] * 20))
    assert "10→10/20" in censor and "1,000 [" in censor and "would take (USD), not counted in the losses" in censor


def test_the_veto_table_shows_open_processes_at_the_horizon_and_the_drain() -> None:
    from simulations.lab.summary import governance_cells, governance_console_table

    r = {"wanted": 26, "share_landed": 0.0, "ci_low": 0.0, "ci_high": 0.13, "runs": 30, "pending": 0, "runs_censored": 0,
         "pending_at_horizon": 26, "runs_pending_at_horizon": 26, "runs_drained": 26, "drained_rounds_mean": 75.4, "drained_rounds_max": 93,
         "lateness_median": math.nan, "lateness_max": math.nan, "why_not": "", "arm": "referendum_standard", "late": 26, "failed": 0}
    cell = governance_cells(r)["pending"]
    assert cell == "26 (26 runs) at the horizon; drained 26 runs, mean 75.4 / max 93 extra rounds; 0 (0 runs) after"
    old = governance_cells({**r, "pending_at_horizon": math.nan, "runs_pending_at_horizon": math.nan})["pending"]
    assert old.startswith("not recorded at the horizon")
    from rich.console import Console

    gov = pd.DataFrame([r])
    console = Console(width=200, record=True)
    console.print(governance_console_table(gov))
    text = " ".join(console.export_text().split())
    assert "26→0" in text and "referendum_standard 26/30 runs, 75.4 / 93" in text


SMALL_PATH = None


def test_the_loop_records_the_horizon_before_the_drain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.simulations.test_lab_outcomes import run

    censored = run(tmp_path, rules=["tangle_services"], pending="censor").runs.iloc[0]
    drained = run(tmp_path, rules=["tangle_services"]).runs.iloc[0]
    assert censored.pending_at_horizon == censored.pending_at_end == 2
    assert censored.pending_at_horizon_value == pytest.approx(censored.pending_value)
    # the drain resolved both slashes, but at the horizon they were pending, with the same value at risk
    assert drained.pending_at_end == 0 and drained.drained_rounds >= 6
    assert drained.pending_at_horizon == 2 and drained.pending_at_horizon_value == pytest.approx(censored.pending_value)
    assert drained.gov_open_at_horizon == 0  # the shortcut path has no veto processes
    again = run(tmp_path, rules=["tangle_services"]).runs.iloc[0]
    assert again.state_root == drained.state_root  # taking the snapshot changes no state


def test_the_html_report_names_no_best_arm_when_arms_tie() -> None:
    from simulations.analysis.columns import catalogue
    from simulations.report import headline as html_headline

    frame = _frame({"shortcut": [0.0] * 6, "council": [0.0] * 6}, metric="honest_slashed_value", honest_slashed=[0] * 6,
                   faulty_escaped=[1, 1, 0, 1, 1, 1], loss_total_value=[0.0, 9.0, 867.0, 900.0, 5.0, 1.0], pending_at_end=[0] * 6)
    frame["numeraire"] = "USD"
    table, ranking, summary, how = html_headline(frame, catalogue(frame), ["shortcut", "council"])
    assert "(best)" not in table and "class='best'" not in table and 'class="best"' not in table
    assert table.count("(tie)") == 2 and "not separated" not in table
    assert "they tie on it and none is best" in how
    assert "Wilson score intervals for faulty operators' slashes escaped" in how  # the method actually used, named


def test_the_html_reports_error_bars_name_wilson_where_the_bars_are_wilsons() -> None:
    """The figures' caption said "t interval" over the Wilson bars of a 0/1 measure."""
    from simulations.analysis.columns import catalogue
    from simulations.report import _summary_metrics, error_bars
    from simulations.report import headline as html_headline

    frame = _frame({"shortcut": [0.0] * 6, "council": [0.0] * 6}, metric="honest_slashed_value", honest_slashed=[0] * 6,
                   faulty_escaped=[1, 1, 0, 1, 1, 1], loss_total_value=[0.0, 9.0, 867.0, 900.0, 5.0, 1.0], pending_at_end=[0] * 6)
    frame["numeraire"] = "USD"
    cat = catalogue(frame)
    _table, _ranking, summary, _how = html_headline(frame, cat, ["shortcut", "council"])
    note = error_bars(summary, _summary_metrics(frame, cat), "n = 6 runs per arm")
    assert note.startswith("error bars: 95% t interval of the mean (Wilson score interval for faulty operators' slashes escaped")
    money = frame.assign(faulty_escaped=[2, 1, 0, 1, 3, 1] * 2)  # not a share: t everywhere, and said so
    assert "Wilson" not in error_bars(html_headline(money, catalogue(money), ["shortcut", "council"])[2], _summary_metrics(money, catalogue(money)), "n")


def test_the_html_report_says_what_was_pending_at_the_horizon_before_the_drain() -> None:
    from simulations.analysis.columns import catalogue
    from simulations.report import headline as html_headline

    frame = _drained_frame()
    _table, _ranking, _summary, how = html_headline(frame, catalogue(frame), ["never", "always"])
    assert "never: 19 of 20 runs had slashes pending at the horizon, 19 drained (mean 5.6, max 8 extra rounds)" in how
    assert "always: 14 of 20 runs had slashes pending at the horizon, 14 drained (mean 2.0, max 2 extra rounds)" in how
    undrained = _drained_frame(drained_rounds=0)
    assert "horizon" not in html_headline(undrained, catalogue(undrained), ["never", "always"])[3]


def test_late_vetoes_are_a_headline_column_when_an_arm_has_any() -> None:
    """newuser11 finding 1: governance slower than the window makes every veto of "always" late, so
    it ties "never" on every loss; the terminal headline had no late column and no word for it. It
    now shows the late vetoes per arm, with their interval, and the caption says what they mean; a
    sweep with none keeps its columns as they were."""
    from rich.console import Console

    from simulations.lab.summary import headline_table

    def frame(late_always: int) -> pd.DataFrame:
        rows = []
        for seed in range(10):
            for arm in ("eigenlayer/always", "eigenlayer/never"):
                rows.append({"arm": arm, "seed": seed, "honest_slashed_value": 100.0 + seed, "honest_slashed": 1, "faulty_escaped": 0,
                             "late_vetoes": (late_always + seed % 2) if arm == "eigenlayer/always" and late_always else 0,
                             "loss_total_value": 200.0 + seed, "pending_at_end": 0, "numeraire": "USD"})
        return pd.DataFrame(rows)

    console = Console(width=240, record=True)
    console.print(headline_table(frame(10), width=240))
    text = " ".join(console.export_text().split())
    assert "late vetoes" in text and "10.50 [" in text
    assert "landed after the slash's veto window, so they changed nothing" in text
    quiet = Console(width=240, record=True)
    quiet.print(headline_table(frame(0), width=240))
    assert "late vetoes" not in " ".join(quiet.export_text().split())
