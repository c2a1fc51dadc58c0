"""Per-arm statistics: intervals that cover what they claim, paired differences, exact big integers."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np
import pandas as pd
import pytest

from simulations.analysis.statistics import format_interval, rank_arms, render_summary, summarize_arms, t_quantile


def test_t_quantile_matches_the_printed_tables() -> None:
    table = {1: 12.7062, 2: 4.3027, 3: 3.1824, 5: 2.5706, 10: 2.2281, 30: 2.0423, 100: 1.9840, 5000: 1.9604}
    for df, value in table.items():
        assert t_quantile(0.975, df) == pytest.approx(value, abs=1e-4), df
    assert t_quantile(0.995, 4) == pytest.approx(4.6041, abs=1e-4)
    assert t_quantile(0.95, 20) == pytest.approx(1.7247, abs=1e-4)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)


def test_t_interval_by_hand() -> None:
    frame = pd.DataFrame({"arm": ["a"] * 4, "seed": range(4), "x": [1, 2, 3, 4]})
    row = summarize_arms(frame, ["x"]).iloc[0]
    half = 3.182446305 * math.sqrt(5 / 3) / 2
    assert (row.n, row["mean"], row.method, row.confidence) == (4, 2.5, "t", 0.95)
    assert row["std"] == pytest.approx(math.sqrt(5 / 3))
    assert (row.ci_low, row.ci_high) == pytest.approx((2.5 - half, 2.5 + half))


def _many_samples(n: int, datasets: int, draw) -> pd.DataFrame:
    rng = np.random.default_rng(20261206)
    values = draw(rng, (datasets, n))
    return pd.DataFrame({"arm": np.repeat(np.arange(datasets), n), "seed": np.tile(np.arange(n), datasets), "x": values.ravel()})


def test_t_intervals_cover_the_true_mean_about_95_percent_of_the_time() -> None:
    frame = _many_samples(10, 1000, lambda rng, shape: rng.normal(5.0, 2.0, shape))
    s = summarize_arms(frame, ["x"])
    coverage = ((s.ci_low <= 5.0) & (5.0 <= s.ci_high)).mean()
    assert len(s) == 1000 and 0.93 <= coverage <= 0.97
    # and at 80 % the intervals are narrower and cover less
    s80 = summarize_arms(frame, ["x"], confidence=0.8)
    assert 0.77 <= ((s80.ci_low <= 5.0) & (5.0 <= s80.ci_high)).mean() <= 0.83
    assert ((s80.ci_high - s80.ci_low) < (s.ci_high - s.ci_low)).all()


def test_bootstrap_intervals_cover_a_skewed_distribution() -> None:
    # integer losses: Poisson counts, true mean 3
    frame = _many_samples(40, 1000, lambda rng, shape: rng.poisson(3.0, shape))
    frame["x"] = frame["x"].astype(object).map(int)
    s = summarize_arms(frame, ["x"], method="bootstrap", resamples=1000)
    coverage = ((s.ci_low <= 3.0) & (3.0 <= s.ci_high)).mean()
    assert set(s.method) == {"bootstrap"} and 0.92 <= coverage <= 0.97


def _crn_frame(shuffle: bool = False) -> pd.DataFrame:
    """Common random numbers: the seed's draw dominates; arm B adds 1 to arm A, plus a little noise."""
    rng = random.Random(5)
    rows = []
    for seed in range(40):
        shared = rng.gauss(100, 30)
        rows.append({"arm": "A", "seed": seed, "x": shared + rng.gauss(0, 0.5)})
        rows.append({"arm": "B", "seed": seed, "x": shared + 1 + rng.gauss(0, 0.5)})
    if shuffle:
        rng.shuffle(rows)
    return pd.DataFrame(rows)


def test_paired_differences_see_what_unpaired_ones_cannot() -> None:
    frame = _crn_frame()
    paired = summarize_arms(frame, ["x"], baseline="A").set_index("arm")
    unpaired = summarize_arms(frame, ["x"], baseline="A", paired=False).set_index("arm")
    b, u = paired.loc["B"], unpaired.loc["B"]
    assert b.diff_ci_low > 0 and b.diff_ci_low < 1 < b.diff_ci_high  # separates, and covers the true +1
    assert u.diff_ci_low < 0 < u.diff_ci_high  # the two arms' own spread hides it
    assert (b.diff_ci_high - b.diff_ci_low) * 10 < u.diff_ci_high - u.diff_ci_low
    assert b.diff_mean == pytest.approx(u.diff_mean) and b.n_pairs == 40 and u.n_pairs == 0
    assert paired.loc["A"].note == "baseline" and math.isnan(paired.loc["A"].diff_mean)
    # the bootstrap agrees on the verdict
    boot = summarize_arms(frame, ["x"], baseline="A", method="bootstrap").set_index("arm").loc["B"]
    assert boot.diff_ci_low > 0 and boot.diff_ci_high == pytest.approx(b.diff_ci_high, rel=0.1)


def test_pairs_are_matched_by_seed_not_by_row_order() -> None:
    ordered = summarize_arms(_crn_frame(), ["x"], baseline="A").set_index("arm").loc["B"]
    shuffled = summarize_arms(_crn_frame(shuffle=True), ["x"], baseline="A").set_index("arm").loc["B"]
    assert ordered.diff_mean == pytest.approx(shuffled.diff_mean) and ordered.diff_ci_low == pytest.approx(shuffled.diff_ci_low)
    frame = _crn_frame()
    frame = frame[~((frame.arm == "B") & (frame.seed < 5))]  # B lost 5 runs: only 35 pairs remain
    assert summarize_arms(frame, ["x"], baseline="A").set_index("arm").loc["B"].n_pairs == 35
    with pytest.raises(ValueError, match="ambiguous"):
        summarize_arms(pd.concat([_crn_frame(), _crn_frame().head(1)]), ["x"], baseline="A")
    with pytest.raises(ValueError, match="baseline arm 'C'"):
        summarize_arms(_crn_frame(), ["x"], baseline="C")


def test_bootstrap_is_reproducible_with_a_seed_and_per_arm() -> None:
    frame = _crn_frame()
    one = summarize_arms(frame, ["x"], method="bootstrap", seed=3, baseline="A")
    again = summarize_arms(frame, ["x"], method="bootstrap", seed=3, baseline="A")
    other = summarize_arms(frame, ["x"], method="bootstrap", seed=4, baseline="A")
    assert one.equals(again)
    assert not np.allclose(one.ci_low, other.ci_low)
    # adding an arm does not move the other arms' intervals
    extra = pd.concat([frame, pd.DataFrame({"arm": ["C"] * 3, "seed": [0, 1, 2], "x": [1.0, 2.0, 3.0]})])
    with_c = summarize_arms(extra, ["x"], method="bootstrap", seed=3, baseline="A")
    assert with_c[with_c.arm != "C"].reset_index(drop=True)[["ci_low", "ci_high", "diff_ci_low"]].equals(one[["ci_low", "ci_high", "diff_ci_low"]])


def test_one_run_has_no_interval_and_says_so() -> None:
    frame = pd.DataFrame({"arm": ["solo", "pair", "pair", "none"], "seed": [0, 0, 1, 0], "x": [7, 1, 3, None]})
    s = summarize_arms(frame, ["x"], method="bootstrap").set_index("arm")
    solo = s.loc["solo"]
    assert solo.n == 1 and solo["mean"] == 7.0
    assert math.isnan(solo.ci_low) and math.isnan(solo.ci_high) and math.isnan(solo["std"]) and "n=1" in solo.note
    assert s.loc["none"].n == 0 and s.loc["none"].n_missing == 1 and math.isnan(s.loc["none"]["mean"])
    assert s.loc["pair"].ci_low <= 2 <= s.loc["pair"].ci_high
    assert format_interval(solo["mean"], solo.ci_low, solo.ci_high, solo.note) == "7 [n=1: no interval]"
    text = render_summary(s.reset_index())
    assert "n=1: no interval" in text and "no data" in text
    ranked = rank_arms(frame, "x", direction="lower")
    assert ranked.set_index("arm").loc["solo"].verdict.startswith("undetermined")


def test_huge_integers_are_exact() -> None:
    big = 2**200
    frame = pd.DataFrame({"arm": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1], "x": [big + 1, big + 3, big + 2, big + 6]})
    frame["x"] = frame["x"].astype(object)
    s = summarize_arms(frame, ["x"], baseline="a").set_index("arm")
    # floats would lose every offset (2**200 + 3 == 2**200 as a float) and call the spread 0
    assert s.loc["a"]["mean"] == float(big + 2) and s.loc["a"]["std"] == pytest.approx(math.sqrt(2))
    assert s.loc["b"].diff_mean == 2.0 and s.loc["b"]["std"] == pytest.approx(math.sqrt(8))
    tokens = pd.DataFrame({"arm": ["a"] * 3, "seed": range(3), "x": [10**30 * 10**18 + k for k in (0, 1, 2)]})
    assert summarize_arms(tokens, ["x"]).iloc[0]["std"] == pytest.approx(1.0)


def test_censored_runs_are_counted_per_arm() -> None:
    frame = pd.DataFrame({"arm": ["a", "a", "a", "b"], "seed": [0, 1, 2, 0], "x": [0, 0, 0, 5], "pending_at_end": [0, 2, 1, 0]})
    s = summarize_arms(frame, ["x"]).set_index("arm")
    assert s.loc["a"].runs_censored == 2 and s.loc["b"].runs_censored == 0
    assert "runs_censored" not in summarize_arms(frame.drop(columns="pending_at_end"), ["x"]).columns
    assert "2/3" in render_summary(s.reset_index())


def test_bad_input_is_named() -> None:
    frame = pd.DataFrame({"arm": ["a", "a"], "seed": [0, 1], "x": [1, "lots"]})
    with pytest.raises(TypeError, match="metric 'x'.*'lots'"):
        summarize_arms(frame, ["x"])
    with pytest.raises(KeyError, match="nope"):
        summarize_arms(frame, ["nope"])
    with pytest.raises(ValueError, match="confidence"):
        summarize_arms(frame, ["seed"], confidence=95)


def test_ranking_marks_which_arms_separate_from_the_best() -> None:
    frame = _crn_frame()
    rng = random.Random(9)
    shared = {s: x for s, x in zip(frame[frame.arm == "A"].seed, frame[frame.arm == "A"].x)}
    frame = pd.concat([frame, pd.DataFrame([{"arm": "A'", "seed": s, "x": x + rng.gauss(0, 0.5)} for s, x in shared.items()])])
    lower = rank_arms(frame, "x", direction="lower")
    assert list(lower.arm)[-1] == "B" and lower.attrs["comparison"] == "paired on seed"
    by = lower.set_index("arm")
    assert by.loc["B"].separated is True and by.loc["B"].verdict.startswith("worse")
    other = [a for a in ("A", "A'") if by.loc[a].verdict != "best"][0]
    assert by.loc[other].separated is False and by.loc[other].verdict == "not separated from best"
    higher = rank_arms(frame, "x", direction="higher")
    assert higher.iloc[0].arm == "B" and higher.iloc[0].verdict == "best" and list(higher["rank"]) == [1, 2, 3]
    # without a pairing column the comparison falls back to interval overlap, which cannot separate B
    unpaired = rank_arms(frame.drop(columns="seed"), "x", direction="lower")
    assert unpaired.attrs["comparison"].startswith("interval overlap") and not unpaired.separated.fillna(False).any()


def test_console_table_keeps_arm_names_whole_at_80_columns() -> None:
    names = ['tangle_services {"slash_defer_duration": 28, "governance.reaction_blocks": 30} veto_under', "eigenlayer", "substrate_staking always"]
    frame = pd.DataFrame([{"arm": a, "seed": s, "loss_delegator_TNT": (s + i) * 10**18, "applied": s % 3, "pending_at_end": s % 2}
                          for i, a in enumerate(names) for s in range(6)])
    text = render_summary(summarize_arms(frame, ["loss_delegator_TNT", "applied"], baseline="eigenlayer"), width=80,
                          scale={"loss_delegator_TNT": 1e18}, units={"loss_delegator_TNT": "TNT"})
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in text
    first_column = "".join(line.split("│")[1] for line in lines if line.startswith("│"))
    for name in names:
        assert "".join(name.split()) in "".join(first_column.split())
    assert "2.5 [" in text or "2.50 [" in text  # a mean shown with its interval, in tokens
    assert "baseline" in text and "3/6" in text


def test_intervals_of_losses_and_counts_stop_at_zero_and_say_so() -> None:
    """Three runs losing nothing and one losing 9 tokens: the t interval of the mean is about
    [-4.9, 9.4]; a loss cannot be negative, so the low bound is 0 (coverage is kept), the row says
    it was clipped and the table marks it. A metric that can be negative, and a difference
    between arms, keep their t bounds."""
    frame = pd.DataFrame({"arm": ["a"] * 4 + ["b"] * 4, "seed": [1, 2, 3, 4] * 2,
                          "loss_total_value": [0, 0, 0, 9, 1, 1, 2, 1], "net_gain": [0, 0, 0, 9, 1, 1, 2, 1]})
    summary = summarize_arms(frame, ["loss_total_value", "net_gain"], baseline="b")
    loss = summary[(summary.arm == "a") & (summary.metric == "loss_total_value")].iloc[0]
    gain = summary[(summary.arm == "a") & (summary.metric == "net_gain")].iloc[0]
    half = t_quantile(0.975, 3) * statistics.stdev([0, 0, 0, 9]) / 2
    assert gain.ci_low == pytest.approx(2.25 - half) and gain.ci_low < 0 and not gain.clipped
    assert loss.ci_low == 0.0 and loss.clipped and "clipped at 0" in loss.note
    assert loss.ci_high == pytest.approx(gain.ci_high)
    assert loss.diff_ci_low < 0  # a difference can be negative: never clipped
    b = summary[(summary.arm == "b") & (summary.metric == "loss_total_value")].iloc[0]
    assert not b.clipped and b.ci_low > 0
    # the caller can say what a metric's range is
    own = summarize_arms(frame, ["net_gain"], lower_bounds={"net_gain": 0})
    assert own[own.arm == "a"].iloc[0].ci_low == 0.0
    assert "[0.0*, " in format_interval(loss["mean"], loss.ci_low, loss.ci_high, loss.note, loss.clipped)
    text = render_summary(summary, width=160)
    assert "clipped at 0" in " ".join(text.split())


def test_a_value_every_run_gave_is_said_not_shown_as_a_zero_width_interval() -> None:
    """Twenty runs escaping nothing: a t (or bootstrap) interval of [0, 0] reads as certainty, which
    is only right when the rules fix the value. The row says ``constant`` and why, and tables show
    "0 (all runs)"; an arm with spread keeps its interval."""
    frame = pd.DataFrame({"arm": ["never"] * 20 + ["stock"] * 20, "seed": list(range(20)) * 2,
                          "faulty_escaped": [0] * 20 + [4, 3, 5, 4] * 5})
    for method in ("t", "bootstrap"):
        summary = summarize_arms(frame, ["faulty_escaped"], method=method)
        never, stock = (summary[summary.arm == a].iloc[0] for a in ("never", "stock"))
        assert never.constant and (never.ci_low, never.ci_high) == (0.0, 0.0) and "all 20 runs gave the same value" in never.note
        assert not stock.constant and stock.ci_low < 4 < stock.ci_high
        assert format_interval(never["mean"], never.ci_low, never.ci_high, never.note, never.clipped, never.constant) == "0 (all runs)"
        assert format_interval(stock["mean"], stock.ci_low, stock.ci_high, stock.note, stock.clipped, stock.constant).startswith("4.00 [")
    assert "0 (all runs)" in " ".join(render_summary(summary, width=160).split())


def test_arm_names_wrap_at_their_slashes_never_mid_word() -> None:
    arms = ["tangle_services/stock", "substrate_staking/never", "eigenlayer/never/eigenlayer.veto_window_blocks=12"]
    frame = pd.DataFrame({"arm": [a for a in arms for _ in range(3)], "seed": [0, 1, 2] * 3, "applied": [1, 2, 3] * 3})
    text = render_summary(summarize_arms(frame, ["applied"]), width=80)
    for name in arms:
        for segment in ("tangle_services/", "stock", "never/", "eigenlayer.", "veto_window_blocks=12"):
            assert segment in text, (segment, text)  # names break after "/", "." or "=", never inside a word
    assert "substrate_staking/never" in text  # short names stay on one line


def test_an_arm_missing_values_in_some_runs_is_not_ranked_on_the_rest() -> None:
    """The runs that have a value are a selection (e.g. the unpriced runs were the ones with big
    USDC slashes): ranking the arm by their mean would be selection bias, so it is left unranked."""
    frame = pd.DataFrame({"arm": ["a"] * 3 + ["b"] * 3 + ["c"] * 3, "seed": [1, 2, 3] * 3,
                          "x": [0.0, float("nan"), float("nan"), 5.0, 6.0, 7.0, 9.0, 9.0, 9.0]})
    ranked = rank_arms(frame, "x", direction="lower").set_index("arm")
    assert ranked.attrs["best"] == "b" and ranked.loc["b", "verdict"] == "best"
    assert pd.isna(ranked.loc["a", "rank"]) and ranked.loc["a", "verdict"].startswith("undetermined (2 of 3 runs have no value")
    assert ranked.loc["c", "constant"] and not ranked.loc["b", "constant"]  # (all runs) reaches the tables
    everywhere = frame.assign(x=[float("nan"), 1.0, 2.0] * 3)
    none = rank_arms(everywhere, "x", direction="lower")
    assert none.attrs["best"] is None and none["rank"].isna().all()


def test_the_terminal_headline_ranks_by_count_when_runs_are_unpriced_and_marks_censored_arms() -> None:
    from rich.console import Console

    from simulations.lab.summary import headline, headline_table

    base = {"faulty_escaped": 1, "late_vetoes": 0, "numeraire": "USD"}
    rows = []
    for seed in (1, 2, 3):
        rows.append({"arm": "stock", "seed": seed, "honest_slashed_value": [0.0, float("nan"), float("nan")][seed - 1], "honest_slashed": [0, 2, 3][seed - 1],
                     "loss_total_value": [10.0, float("nan"), float("nan")][seed - 1], "pending_at_end": 0, **base})
        rows.append({"arm": "never", "seed": seed, "honest_slashed_value": 50.0, "honest_slashed": 1, "loss_total_value": 60.0,
                     "pending_at_end": 1 if seed == 1 else 0, **base})
    frame = pd.DataFrame(rows)
    h = headline(frame).set_index("arm")
    assert h.attrs["ranked_by"] == "honest_slashed" and h.attrs["best"] == "never"  # stock's priced run (0) does not win
    assert h["loss_total_value"].isna().all()
    console = Console(width=200, record=True)
    console.print(headline_table(frame, width=200))
    text = " ".join(console.export_text().split())
    assert "ranked by the number of honest operators' slashes applied" in text and "2 of 6 runs lost assets that have no price" in text
    assert "1 (all runs)" in text and "[1, 1]" not in text  # a constant count says so, not a zero-width interval
    # faulty escaped is 1 in every run of both arms: a share of runs, so Wilson's interval (3 of 3), not "(all runs)"
    assert text.count("1.00 [0.44, 1.00]") == 2
    assert "best†" in text and "1/3" in text and "not final" in text


def test_an_exact_value_reads_as_itself() -> None:
    """A constant or single-run count is that run's exact value: "4 [n=1: no interval]", not "4.00"."""
    assert format_interval(4.0, float("nan"), float("nan"), "n=1: no interval") == "4 [n=1: no interval]"
    assert format_interval(15.0, 15.0, 15.0, constant=True) == "15 (all runs)"
    assert format_interval(2.5, float("nan"), float("nan")) == "2.50 [no interval]"  # a mean that is not whole keeps its digits


def test_the_honest_loss_says_it_includes_the_honest_operators_delegators() -> None:
    """The value measure adds the delegators' losses behind an honest operator; the labels say so."""
    from rich.console import Console

    from simulations.analysis.columns import catalogue
    from simulations.lab.summary import headline_table

    frame = pd.DataFrame([{"arm": a, "seed": s, "honest_slashed_value": v, "honest_slashed": 1, "faulty_escaped": 0, "late_vetoes": 0,
                           "loss_total_value": v, "pending_at_end": 0, "numeraire": "USD"} for a, v in (("x", 5.0), ("y", 9.0)) for s in (1, 2, 3)])
    assert "their delegators" in catalogue(frame).honest.label and "their delegators" in catalogue(frame).primary()[1]
    console = Console(width=200, record=True)
    console.print(headline_table(frame, width=200))
    assert "their delegators' included" in " ".join(console.export_text().split())
