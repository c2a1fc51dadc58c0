"""Per-arm summaries of a sweep's run frame, with confidence intervals, for people and notebooks.

The question the lab answers: *which veto policy and window lose the least to honest operators
while still punishing faulty ones, and how sure are we?* So the headline ranks arms by what honest
operators (and their delegators) lost to unjustified slashes (``honest_slashed_value``, in the
numeraire), next to how many faulty slashes escaped, the total loss and the censoring. Intervals
and paired differences come from :mod:`simulations.analysis.statistics` (Student t by default;
arms share seeds, so differences are paired on ``seed``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from simulations.analysis.statistics import arm_column_width, arm_label_lines, format_interval, rank_arms, summarize_arms

HEADLINE_METRICS = ("honest_slashed_value", "honest_slashed", "faulty_escaped", "late_vetoes", "loss_total_value", "pending_at_end")
DESCRIPTIONS = {
    "honest_slashed_value": "loss to unjustified slashes applied (numeraire)",
    "honest_slashed": "unjustified slashes applied (count)",
    "faulty_escaped": "justified slashes vetoed or dodged (count)",
    "late_vetoes": "vetoes that landed after the window (count)",
    "loss_total_value": "every loss, all roles and assets (numeraire)",
    "pending_at_end": "slashes still pending when the run stopped (count)",
}


def arm_summary(frame: pd.DataFrame, metrics: tuple[str, ...] | list[str] = HEADLINE_METRICS, *, baseline: str | None = None,
                confidence: float = 0.95, method: str = "t") -> pd.DataFrame:
    """One row per (arm, metric): n, mean, std, CI, (with ``baseline``) the paired difference, the
    runs censored; plus the arm's rule, policy and parameters."""
    summary = summarize_arms(frame, list(metrics), arm="arm", pair_on="seed", baseline=baseline, confidence=confidence, method=method)  # type: ignore[arg-type]
    attrs = arm_attributes(frame)
    out = summary.merge(attrs, on="arm", how="left")
    out.attrs.update(summary.attrs)
    return out


def arm_attributes(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns that define each arm (rule, policy, parameters): constant within an arm."""
    per_run = {"run_index", "seed", "state_root", "window_mean", "numeraire"}
    first = frame.groupby("arm", sort=False).first().reset_index()
    keep = ["arm", "rule"] + [c for c in frame.columns if c not in per_run and c not in ("arm", "rule") and _is_attribute(c)]
    return first[[c for c in keep if c in first.columns]]


def _is_attribute(col: str) -> bool:
    return col == "policy" or not any(col.startswith(p) for p in ("loss_", "honest_", "faulty_", "pending", "late_", "proposed", "justified",
                                                                      "unjustified", "applied", "vetoed", "drained", "resolution", "gov_"))


def headline(frame: pd.DataFrame, *, confidence: float = 0.95, method: str = "t") -> pd.DataFrame:
    """One row per arm, best first by ``honest_slashed_value`` (paired comparison with the best arm:
    ``verdict``), with faulty escapes, total loss and censoring alongside, each with its interval."""
    ranked = rank_arms(frame, "honest_slashed_value", direction="lower", arm="arm", pair_on="seed", confidence=confidence, method=method)  # type: ignore[arg-type]
    others = summarize_arms(frame, ["faulty_escaped", "loss_total_value", "late_vetoes"], arm="arm", pair_on="seed", confidence=confidence, method=method)  # type: ignore[arg-type]
    wide = others.pivot(index="arm", columns="metric", values=["mean", "ci_low", "ci_high", "clipped", "constant"])
    rows = []
    for r in ranked.to_dict("records"):
        a = r["arm"]
        row: dict[str, Any] = {"rank": r["rank"], "arm": a, "n": r["n"], "honest_slashed_value": r["mean"], "honest_slashed_value_ci_low": r["ci_low"],
                               "honest_slashed_value_ci_high": r["ci_high"], "honest_slashed_value_clipped": bool(r.get("clipped", False)),
                               "honest_slashed_value_constant": bool(r.get("constant", False)),
                               "verdict": r["verdict"]}
        for m in ("faulty_escaped", "loss_total_value", "late_vetoes"):
            row[m] = wide.loc[a, ("mean", m)]
            row[f"{m}_ci_low"] = wide.loc[a, ("ci_low", m)]
            row[f"{m}_ci_high"] = wide.loc[a, ("ci_high", m)]
            row[f"{m}_clipped"] = bool(wide.loc[a, ("clipped", m)])
            row[f"{m}_constant"] = bool(wide.loc[a, ("constant", m)])
        row["runs_censored"] = r.get("runs_censored", 0)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update({"confidence": confidence, "method": method, "best": ranked.attrs.get("best"), "comparison": ranked.attrs.get("comparison")})
    return out


def headline_table(frame: pd.DataFrame, *, confidence: float = 0.95, method: str = "t", title: str | None = None, width: int | None = None) -> Any:
    """The headline as a rich Table (arm names break after ``/``, ``.`` or ``=``, never cut;
    ``width``: the console's, to pack them into the arm column's share)."""
    from rich.table import Table
    from rich.text import Text

    h = headline(frame, confidence=confidence, method=method)
    numeraire = str(frame["numeraire"].iloc[0]) if "numeraire" in frame and len(frame) else "numeraire"
    caption = (f"mean [{confidence:.0%} CI, {'Student t' if method == 't' else 'bootstrap'}] over n runs per arm, common seeds; arms "
               f"ranked by honest operators' loss to unjustified slashes ({numeraire}); vs best: 'worse' if the paired difference with the "
               f"best arm excludes 0, 'n.s.' if not; escaped: justified slashes vetoed or dodged; cens.: runs that stopped with slashes pending")
    if any(h[f"{m}_clipped"].any() for m in ("honest_slashed_value", "faulty_escaped", "loss_total_value")):
        caption += "; *: interval clipped at 0, the least the measure can be (few or skewed runs)"
    if any(h[f"{m}_constant"].any() for m in ("honest_slashed_value", "faulty_escaped", "loss_total_value")):
        caption += ("; (all runs): every run gave this value, so there is no spread to estimate an interval from (exact if the rules "
                    "fix it, else more runs may vary)")
    # ratio 4 of 10 of what the borders (counted for 8 columns: 7 and a spare) and the fixed n (~3), vs best and cens. (5 each) leave
    labels, _ = arm_label_lines(h["arm"], width=arm_column_width(width, 8, 3 + 10, 4, 10, 14))
    table = Table(title=title, caption=Text(caption), expand=True)
    table.add_column("arm", overflow="fold", ratio=4, min_width=14)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column(f"honest loss ({numeraire})", justify="right", overflow="fold", ratio=2)
    table.add_column("faulty escaped", justify="right", overflow="fold", ratio=2)
    table.add_column(f"total loss ({numeraire})", justify="right", overflow="fold", ratio=2)
    table.add_column("vs best", overflow="fold", min_width=5)
    table.add_column("cens.", justify="right", overflow="fold", min_width=5)
    for r in h.to_dict("records"):
        cells = [labels[r["arm"]], str(r["n"])] + [
            format_interval(r[m], r[f"{m}_ci_low"], r[f"{m}_ci_high"], clipped=bool(r[f"{m}_clipped"]), constant=bool(r[f"{m}_constant"]))
            for m in ("honest_slashed_value", "faulty_escaped", "loss_total_value")] + [
                 _short_verdict(str(r["verdict"])), f"{r['runs_censored']}/{r['n']}"]
        table.add_row(*(Text(c) for c in cells))
    return table


def _short_verdict(verdict: str) -> str:
    if verdict.startswith("worse"):
        return "worse"
    if verdict.startswith("not separated"):
        return "n.s."
    if verdict.startswith("undetermined"):
        return "n/a"
    return verdict


# ---------------------------------------------------------------------------------------- veto paths
def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial share (NaN, NaN for n = 0): honest at 0 % and 100 %."""
    from statistics import NormalDist

    if n == 0:
        return math.nan, math.nan
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def governance_table(frame: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """One row per arm: of the vetoes governance wanted, the share that landed before the slash
    applied (Wilson interval over the vetoes, pooled across runs), how many were late, failed
    (with why) or still pending at the horizon (censored: neither landed nor late, shown
    apart), the lateness of the late ones (blocks past the window: per run its largest; median and
    max over runs) and the window each would have needed (largest per run)."""
    if "gov_wanted" not in frame.columns:
        raise ValueError("this frame has no governance columns (runs stored before veto paths existed)")
    rows = []
    for arm, g in frame.groupby("arm", sort=False):
        wanted, landed = int(g["gov_wanted"].sum()), int(g["gov_landed"].sum())
        low, high = wilson(landed, wanted, confidence)
        late = g["gov_lateness_max"].dropna()
        needed = g["gov_needed_window_max"].dropna()
        reasons: dict[str, int] = {}
        for text in g["gov_reasons"]:
            for k, v in json.loads(text).items():
                reasons[k] = reasons.get(k, 0) + v
        rows.append({"arm": arm, "path": g["gov_path"].iloc[0], "runs": len(g), "wanted": wanted, "landed": landed,
                     "share_landed": landed / wanted if wanted else math.nan, "ci_low": low, "ci_high": high,
                     "late": int(g["gov_late"].sum()), "failed": int(g["gov_failed"].sum()), "pending": int(g["gov_pending"].sum()),
                     "runs_censored": int((g["gov_pending"] > 0).sum()),
                     "lateness_median": float(late.median()) if len(late) else math.nan, "lateness_max": float(late.max()) if len(late) else math.nan,
                     "needed_window_median": float(needed.median()) if len(needed) else math.nan,
                     "needed_window_max": float(needed.max()) if len(needed) else math.nan,
                     "why_not": "; ".join(f"{k} ×{v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))})
    out = pd.DataFrame(rows)
    out.attrs["confidence"] = confidence
    return out


def governance_cells(r: dict[str, Any]) -> dict[str, str]:
    """The words every rendering of a :func:`governance_table` row shows (terminal, HTML report,
    Markdown), so the three never disagree: the share landed with its interval, the vetoes wanted
    (runs), pending (censored runs), the lateness of the late ones (median / max blocks) and why not."""
    return {
        "share": "no veto wanted" if r["wanted"] == 0 else f"{r['share_landed']:.1%} [{r['ci_low']:.1%}, {r['ci_high']:.1%}]",
        "vetoes": f"{r['wanted']} ({r['runs']})",
        "pending": f"{r['pending']} ({r['runs_censored']} runs)",
        "lateness": "-" if math.isnan(r["lateness_median"]) else f"{r['lateness_median']:,.0f} / {r['lateness_max']:,.0f}",
        "why_not": r["why_not"] or "-",
    }


def governance_console_table(gov: pd.DataFrame, *, title: str | None = None) -> Any:
    """:func:`governance_table` for the terminal (what ``tangle-sim sweep`` prints under the
    headline when an arm vetoes through a real governance path): share landed with its interval and
    counts, late / failed / still pending (censored), and how late the late ones were."""
    from rich.table import Table
    from rich.text import Text

    conf = gov.attrs.get("confidence", 0.95)
    caption = (f"of the vetoes governance wanted: landed before the slash applied [{conf:.0%} Wilson CI] (vetoes/runs); late: enacted after it; "
               "failed: the process did not pass or its call failed (why not); pending: still open when the run ended (censored, neither); "
               "lateness: blocks past the last useful block, median / max over runs (6 s blocks)")
    table = Table(title=title, caption=Text(caption), expand=True)
    labels, _ = arm_label_lines(gov["arm"])
    table.add_column("arm", overflow="fold", ratio=3, min_width=12)
    table.add_column("landed [CI]", justify="right", overflow="fold", ratio=2)
    table.add_column("late", justify="right", no_wrap=True)
    table.add_column("failed", justify="right", no_wrap=True)
    table.add_column("pend.", justify="right", no_wrap=True)
    table.add_column("lateness", justify="right", overflow="fold", ratio=2)
    table.add_column("why not", overflow="fold", ratio=3)
    for r in gov.to_dict("records"):
        cells = governance_cells(r)
        share = cells["share"] + ("" if r["wanted"] == 0 else f" ({r['wanted']}/{r['runs']})")
        table.add_row(*(Text(c) for c in (labels[r["arm"]], share, str(r["late"]), str(r["failed"]), f"{r['pending']}", cells["lateness"], cells["why_not"])))
    return table
