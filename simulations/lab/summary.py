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

from simulations.analysis.statistics import (DIFF_WORDS, fitted_table, format_interval, format_number, methods_by_name, methods_sentence,
                                             rank_arms, summarize_arms, wilson)

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


BOOKKEEPING = frozenset({"arm", "rule", "policy", "branch", "arm_id", "last_block"})  # per-arm columns that are not parameters


def constant_parameters(frame: pd.DataFrame) -> dict[str, tuple[Any, list[str]]]:
    """The parameters set to one value for every arm they apply to (``--param end.pending=censor``,
    a single value): arm names show only what differs between arms
    (:func:`simulations.sweep.display_names`), so the captions name these instead. Per parameter:
    its value and, when only some arms have it (a rule that ignores it, as eigenlayer ignores
    slash_defer_duration), the rules of the arms that do (empty: every arm)."""
    if frame.empty or "arm" not in frame.columns:
        return {}
    attrs = arm_attributes(frame)
    out: dict[str, tuple[Any, list[str]]] = {}
    for col in attrs.columns:
        if col in BOOKKEEPING:
            continue
        values = attrs[col]
        present = values.notna()
        if present.any() and values[present].astype(str).nunique() == 1:
            v = values[present].iloc[0]
            v = v.item() if hasattr(v, "item") else v
            if isinstance(v, float) and v.is_integer():  # an int column with gaps (arms it does not apply to) reads as float
                v = int(v)
            rules = [] if present.all() or "rule" not in attrs.columns else sorted({str(r) for r in attrs.loc[present, "rule"]})
            out[str(col)] = (v, rules)
    return out


def shared_sentence(frame: pd.DataFrame) -> str:
    """``every arm ran with k=v, ...`` (see :func:`constant_parameters`; ``k=v (rule arms only)`` for
    one that applies to some rules only), or ``""``."""
    shared = constant_parameters(frame)
    if not shared:
        return ""
    parts = [f"{k}={v}" + (f" ({', '.join(rules)} arms only: the other rules ignore it)" if rules else "") for k, (v, rules) in sorted(shared.items())]
    return "every arm ran with " + ", ".join(parts) + " (set alike for all, so not part of the arm names)"


def _is_attribute(col: str) -> bool:
    return col == "policy" or not any(col.startswith(p) for p in ("loss_", "honest_", "faulty_", "pending", "late_", "proposed", "justified",
                                                                      "unjustified", "applied", "vetoed", "drained", "resolution", "gov_"))


def _numeraire(frame: pd.DataFrame) -> str:
    return str(frame["numeraire"].iloc[0]) if "numeraire" in frame and len(frame) else "numeraire"


def ranking_metric(frame: pd.DataFrame, cat: Any = None) -> tuple[str, str]:
    """(column, label) the headline ranks by: the value honest operators and their delegators lost
    when every run has it, else the number of honest operators' slashes (some runs lost assets with
    no price: averaging the priced runs alone would rank a selection of runs, not the arms).
    ``cat``: the frame's :func:`~simulations.analysis.columns.catalogue`, if already made."""
    from simulations.analysis.columns import catalogue

    m, _why = (cat if cat is not None else catalogue(frame)).primary()
    if m.column == "honest_slashed_value":
        return m.column, f"honest loss ({_numeraire(frame)})"
    if m.column == "honest_slashed":
        return m.column, "honest slashes"
    return m.column, m.label


def ranking_title(frame: pd.DataFrame) -> str:
    """What the headline ranks by, for a table title."""
    metric, _ = ranking_metric(frame)
    return {"honest_slashed_value": "honest operators' loss", "honest_slashed": "honest operators' slashes (no value: unpriced assets)"}.get(metric, metric)


def headline(frame: pd.DataFrame, *, confidence: float = 0.95, method: str = "t") -> pd.DataFrame:
    """One row per arm, best first by :func:`ranking_metric` (``attrs["ranked_by"]``; paired
    comparison with the best arm: ``verdict``), with faulty escapes, total loss and censoring
    alongside, each with its interval. A measure some runs lack (no price) is NaN for every arm;
    ``attrs["unpriced"]`` says why (None when every run was priced). Only the seeds every arm
    completed are compared (a partial sweep's other runs would compare different draws):
    ``attrs["common_seeds"]``, ``attrs["left_out"]``; ValueError when no seed is common."""
    from simulations.analysis.columns import catalogue
    from simulations.lab.pairing import common_seeds

    common = common_seeds(frame)
    if not common.comparable:
        raise ValueError(common.sentence())
    frame = common.frame  # a partial sweep: only the seeds every arm completed are compared
    cat = catalogue(frame)
    metric, label = ranking_metric(frame, cat)
    ranked = rank_arms(frame, metric, direction="lower", arm="arm", pair_on="seed", confidence=confidence, method=method)  # type: ignore[arg-type]
    side = [m for m in ("faulty_escaped", "loss_total_value", "late_vetoes") if m in frame.columns]
    horizon = at_horizon(frame)
    if horizon.attrs["value_column"] is not None:
        side.append(horizon.attrs["value_column"])
    others = summarize_arms(frame, side, arm="arm", pair_on="seed", confidence=confidence, method=method)  # type: ignore[arg-type]
    wide = others.pivot(index="arm", columns="metric", values=["mean", "ci_low", "ci_high", "clipped", "clipped_high", "constant", "n_missing"])
    rows = []
    for r in ranked.to_dict("records"):
        a = r["arm"]
        row: dict[str, Any] = {"rank": r["rank"], "arm": a, "n": r["n"], "runs": r.get("runs", r["n"]), metric: r["mean"], f"{metric}_ci_low": r["ci_low"],
                               f"{metric}_ci_high": r["ci_high"], f"{metric}_clipped": bool(r.get("clipped", False)),
                               f"{metric}_clipped_high": bool(r.get("clipped_high", False)),
                               f"{metric}_constant": bool(r.get("constant", False)), "verdict": r["verdict"]}
        for m in ("faulty_escaped", "loss_total_value", "late_vetoes", "at_risk_value"):
            col = horizon.attrs["value_column"] if m == "at_risk_value" else m
            unknown = col is None or col not in side or frame[col].isna().any()  # a total some runs could not price is no total
            row[m] = math.nan if unknown else wide.loc[a, ("mean", col)]
            row[f"{m}_ci_low"] = math.nan if unknown else wide.loc[a, ("ci_low", col)]
            row[f"{m}_ci_high"] = math.nan if unknown else wide.loc[a, ("ci_high", col)]
            row[f"{m}_clipped"] = False if unknown else bool(wide.loc[a, ("clipped", col)])
            row[f"{m}_clipped_high"] = False if unknown else bool(wide.loc[a, ("clipped_high", col)])
            row[f"{m}_constant"] = False if unknown else bool(wide.loc[a, ("constant", col)])
        row["runs_censored"] = r.get("runs_censored", 0)
        row.update(horizon.loc[a].to_dict())
        rows.append(row)
    out = pd.DataFrame(rows)
    methods = {**others.attrs.get("methods", {}), **ranked.attrs.get("methods", {})}
    methods["at_risk_value"] = methods.get(str(horizon.attrs["value_column"]), method)
    out.attrs.update({"confidence": confidence, "method": method, "best": ranked.attrs.get("best"), "comparison": ranked.attrs.get("comparison"),
                      "tie": ranked.attrs.get("tie", False), "tied_best": ranked.attrs.get("tied_best", []), "methods": methods,
                      "diff_method": ranked.attrs.get("diff_method"), "ranked_by": metric, "ranked_label": label, "unpriced": cat.unpriced,
                      "common_seeds": common.seeds, "left_out": common.left_out, "stored": common.stored, "pairing": common.sentence(),
                      **{f"horizon_{k}": v for k, v in horizon.attrs.items()}})
    return out


def at_horizon(frame: pd.DataFrame) -> pd.DataFrame:
    """Per arm: what was still pending at the horizon (the scenario's last round) and what the drain did.

    With ``end.pending: drain`` (the default) a run goes on after the horizon, with no new faults,
    until nothing is pending, so ``pending_at_end`` is 0 after the drain: that is not "nothing was
    pending at the horizon". Columns: ``runs_pending_at_horizon`` (runs with a slash open at the
    horizon; NaN when the runs did not record it: stored before ``pending_at_horizon`` existed and
    drained), ``runs_drained`` and the extra rounds of the drained runs (``drained_rounds_mean`` /
    ``_max``; NaN without a drain). ``attrs["value_column"]``: the per-run value at risk at the
    horizon (``pending_at_horizon_value``; ``pending_value`` when no run drained, as then the
    horizon is the end), or None."""
    drained = pd.to_numeric(frame["drained_rounds"], errors="coerce") if "drained_rounds" in frame.columns else None
    never_drained = drained is None or not (drained > 0).any()
    if "pending_at_horizon" in frame.columns and not frame["pending_at_horizon"].isna().any():
        count_col: str | None = "pending_at_horizon"
    else:
        count_col = "pending_at_end" if never_drained and "pending_at_end" in frame.columns else None
    if "pending_at_horizon_value" in frame.columns and not frame["pending_at_horizon_value"].isna().all():
        value_col: str | None = "pending_at_horizon_value"
    else:
        value_col = "pending_value" if never_drained and "pending_value" in frame.columns else None
    rows = {}
    for a, g in frame.groupby("arm", sort=False):
        row: dict[str, Any] = {"runs_pending_at_horizon": int((pd.to_numeric(g[count_col], errors="coerce") > 0).sum()) if count_col else math.nan}
        d = pd.to_numeric(g["drained_rounds"], errors="coerce") if drained is not None else None
        went_on = d[d > 0] if d is not None else None
        row["runs_drained"] = int(len(went_on)) if went_on is not None else math.nan
        row["drained_rounds_mean"] = float(went_on.mean()) if went_on is not None and len(went_on) else math.nan
        row["drained_rounds_max"] = int(went_on.max()) if went_on is not None and len(went_on) else math.nan
        rows[a] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.attrs.update({"value_column": value_col, "count_column": count_col, "drained": not never_drained})
    return out


def drain_sentence(h: pd.DataFrame) -> str:
    """The drain in words, per arm (empty when no run drained): how many runs went on past the
    horizon and for how many rounds, so "0 pending" after it is not read as "none at the horizon"."""
    if not h.attrs.get("horizon_drained"):
        return ""
    parts = [f"{r['arm']} {r['runs_drained']:.0f}/{r['runs']} runs, {format_number(r['drained_rounds_mean'], 1)} / {r['drained_rounds_max']:,.0f}"
             for r in h.to_dict("records") if r["runs_drained"]]
    return ("drained (end.pending: drain): runs with something pending at the horizon went on, with no new faults, until nothing was (or end.max_drain_rounds passed); "
            "runs drained, mean / max extra rounds: " + "; ".join(parts))


def headline_table(frame: pd.DataFrame, *, confidence: float = 0.95, method: str = "t", title: str | None = None, width: int | None = None) -> Any:
    """The headline as a rich Table (:func:`~simulations.analysis.statistics.fitted_table` at
    ``width``, the console's: a row per arm, or a block per arm when that does not fit; no number,
    interval or arm-name piece split across lines; arm names break after ``/``, ``.`` or ``=``). The caption names the
    interval method of each column, what ``*`` and a tie mean, and what was pending at the horizon
    (before a drain) as well as when the runs stopped."""
    from rich.text import Text

    h = headline(frame, confidence=confidence, method=method)
    metric, label, unpriced = h.attrs["ranked_by"], h.attrs["ranked_label"], h.attrs["unpriced"]
    numeraire = _numeraire(frame)
    ranked_by = ("honest operators' loss to unjustified slashes, their delegators' included" if metric == "honest_slashed_value"
                 else "the number of honest operators' slashes applied" if metric == "honest_slashed" else label)
    seeds = ("common seeds" if not h.attrs["left_out"] else
             f"on the {h.attrs['common_seeds']} seeds every arm completed (paired; {h.attrs['left_out']} of {h.attrs['stored']} stored runs left out)")
    at_risk = h.attrs["horizon_value_column"] is not None and bool((h["at_risk_value"].fillna(0) > 0).any())
    # vetoes decided too late change nothing, so arms that differ only in them tie on every loss: the
    # column says why (newuser11: under a 12-block window and 15 blocks of governance, "always veto"
    # read like "never veto" with nothing on screen to tell them apart)
    late = bool((h["late_vetoes"].fillna(0) > 0).any())
    cols = (metric, "faulty_escaped", "loss_total_value") + (("at_risk_value",) if at_risk else ()) + (("late_vetoes",) if late else ())
    names = {metric: label, "faulty_escaped": "faulty escaped", "loss_total_value": "total loss", "at_risk_value": "at risk", "late_vetoes": "late vetoes"}
    intervals = methods_sentence(methods_by_name(h.attrs["methods"], cols, method, names))
    diff_words = DIFF_WORDS.get(str(h.attrs.get("diff_method")), "paired Student t on the per-seed differences")
    caption = (f"mean [{confidence:.0%} CI] over n runs per arm, {seeds}; intervals: {intervals}; arms "
               f"ranked by {ranked_by} ({numeraire if metric.endswith('_value') else 'count per run'}); vs best: 'worse' if the "
               f"difference with the best arm ({diff_words}) excludes 0, 'n.s.' if not")
    if h.attrs.get("tie"):
        caption += (f"; tie: every arm has the same mean {label}, {format_number(float(h[metric].iloc[0]))}, so the measure does not tell "
                    "them apart and no arm is best: compare the other columns")
    elif h.attrs.get("tied_best"):
        caption += "; tie: the arm shares the best mean with another (exact tie, same rank)"
    if any(n > 1 for n in h["rank"].value_counts()) and not h.attrs.get("tie"):
        caption += "; (tie): the same mean as another arm below the best (exact tie, same rank)"
    caption += "; escaped: justified slashes vetoed or dodged"
    count_col = h.attrs["horizon_count_column"]
    caption += ("; pending: runs with slashes pending at the horizon (the scenario's last round) → runs with slashes still pending when "
                "the run stopped (after any drain: only these make a figure not final) / runs" + ("" if count_col else "; ?: the horizon count was not recorded by these runs"))
    drain = drain_sentence(h)
    if drain:
        caption += "; " + drain
    if at_risk:
        caption += (f"; at risk: what the slashes pending at the horizon would have taken then ({numeraire}; the drain then resolved them)"
                    if h.attrs["horizon_drained"] else f"; at risk: what the slashes still pending when the run stopped would take ({numeraire}), "
                    "not counted in the losses")
    if late:
        caption += ("; late vetoes: vetoes governance decided that landed after the slash's veto window, so they changed nothing "
                    "(per run): an arm whose vetoes all come late ends like one that never vetoes")
    if unpriced:
        caption += f"; not ranked by value, total loss 'no data': {unpriced}"
    if any(h[f"{m}_clipped"].any() or h[f"{m}_clipped_high"].any() for m in cols):
        caption += ("; *: the t interval reached below 0, which the measure cannot take, and is clipped at 0: the runs are few or "
                    "skewed (most of them 0), so that interval is approximate; more runs narrow it")
    if any(h[f"{m}_constant"].any() for m in cols):
        caption += ("; (all runs): every run gave this value, so there is no spread to estimate an interval from (exact if the rules "
                    "fix it, else more runs may vary)")
    if (h["runs_censored"] > 0).any():
        caption += "; †: some of the arm's runs stopped with slashes pending, so its figures are not final (a 0 may only mean 'not yet')"
    shared = shared_sentence(frame)
    if shared:
        caption += "; " + shared
    cut = shortcut_arms(frame)
    if cut:
        caption += (f"; {SHORTCUT_MARK}: the arm names a governance path but its vetoes took the shortcut, not that path: "
                    + "; ".join(f"{a}: {why}" for a, why in cut.items()))
    shared_rank = h["rank"].value_counts().to_dict()  # arms tied below the best share a rank too
    headers = [label, "faulty escaped", f"total loss ({numeraire})"] + ([f"at risk ({numeraire})"] if at_risk else []) + (["late vetoes"] if late else [])
    rows: list[tuple[Any, str, list[str], str, str]] = []  # arm, n, value cells, vs best, pending
    for r in h.to_dict("records"):
        at_h = r["runs_pending_at_horizon"]
        verdict = (_short_verdict(str(r["verdict"])) + (" (tie)" if shared_rank.get(r["rank"], 0) > 1 and not str(r["verdict"]).startswith("tie") else "")
                   + ("†" if r["runs_censored"] else "") + (SHORTCUT_MARK if r["arm"] in cut else ""))
        values = [format_interval(r[m], r[f"{m}_ci_low"], r[f"{m}_ci_high"], clipped=bool(r[f"{m}_clipped"]), constant=bool(r[f"{m}_constant"]),
                                  clipped_high=bool(r[f"{m}_clipped_high"])) for m in cols]
        rows.append((r["arm"], str(r["n"]), values, verdict, f"{'?' if pd.isna(at_h) else int(at_h)}→{r['runs_censored']}/{r['runs']}"))
    columns = [("n", "right")] + [(hd, "right") for hd in headers] + [("vs best", "left"), ("pending", "right")]
    # widen the measures first (a mean beside its interval), then the arm names
    return fitted_table([r[0] for r in rows], columns, [[r[1], *r[2], r[3], r[4]] for r in rows], title=title, caption=Text(caption), width=width,
                        grow=list(range(1, 1 + len(headers))), value_header=f"mean [{confidence:.0%} CI] or value")


SHORTCUT_MARK = "‡"


def shortcut_arms(frame: pd.DataFrame) -> dict[Any, str]:
    """Arms that asked for a governance path (``governance.path``) but whose vetoes, all or some,
    took the shortcut (their rule models those slashes in Python, out of the path's reach): a
    ranking must not credit the path with them. Per arm, the footnote saying so."""
    if "gov_asked_path" not in frame.columns or "gov_path" not in frame.columns:
        return {}
    out: dict[Any, str] = {}
    for arm, g in frame.groupby("arm", sort=False):
        asked = str(g["gov_asked_path"].iloc[0] or "shortcut")
        if asked == "shortcut":
            continue
        on_path = 0 if (g["gov_path"] == "shortcut").all() else int(pd.to_numeric(g["gov_wanted"]).fillna(0).sum())
        if (g["gov_path"] == "shortcut").all():
            cut = int(pd.to_numeric(g["gov_wanted"]).fillna(0).sum())
        else:
            cut = int(pd.to_numeric(g.get("gov_shortcut_wanted", pd.Series(dtype=float))).fillna(0).sum())
        if not cut:
            continue
        what = "all its" if not on_path else f"{cut} of its {cut + on_path}"
        out[arm] = f"{what} vetoes took the shortcut, not {asked} (its rule models those slashes in Python)"
    return out


def _short_verdict(verdict: str) -> str:
    if verdict.startswith("tie"):
        return "tie"
    if verdict.startswith("worse"):
        return "worse"
    if verdict.startswith("not separated"):
        return "n.s."
    if verdict.startswith("undetermined"):
        return "n/a"
    return verdict


# ---------------------------------------------------------------------------------------- veto paths
# ``wilson`` (imported above) is the one Wilson score interval: the veto table's shares and the
# per-arm 0/1 measures (:func:`simulations.analysis.statistics.summarize_arms`) both use it
def effective_vetoes(wanted: list[int], landed: list[int]) -> float:
    """How many independent trials the pooled vetoes are worth: ``wanted / deff`` with Kish's design
    effect of the runs as clusters (the ratio estimator's between-run variance over the binomial one),
    kept between the number of runs that wanted a veto and the number of vetoes. When every veto
    landed (or none did) nothing shows the vetoes are independent, so each run counts once."""
    pairs = [(w, l) for w, l in zip(wanted, landed) if w > 0]
    total = sum(w for w, _ in pairs)
    runs = len(pairs)
    if total == 0:
        return 0.0
    share = sum(l for _, l in pairs) / total
    binomial = share * (1 - share) / total
    if runs < 2 or binomial == 0:
        return float(runs)
    clustered = runs / (runs - 1) * sum((l - share * w) ** 2 for w, l in pairs) / total ** 2
    return float(min(total, max(runs, total * binomial / clustered if clustered > 0 else total)))


def governance_table(frame: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """One row per arm: of the vetoes governance wanted, the share that landed before the slash
    applied among those that resolved (landed, late or failed: a pending one is censored, so it is left
    out of the share, ``resolved``; NaN when none resolved) (Wilson interval at the vetoes' effective number, :func:`effective_vetoes`: the vetoes of one
    run share its governors and its seed, so they are not independent trials), how many were late, failed
    (with why) or still pending at the horizon (``pending_at_horizon``, before any drain) and when the
    runs stopped (``pending``: censored, neither landed nor late, shown apart), the drain
    (``runs_drained``, ``drained_rounds_mean`` / ``_max``), the lateness of the late ones (blocks past the window: per run its largest; median and
    max over runs) and the window each would have needed (largest per run)."""
    if "gov_wanted" not in frame.columns:
        raise ValueError("this frame has no governance columns (runs stored before veto paths existed)")
    rows = []
    for arm, g in frame.groupby("arm", sort=False):
        wanted, landed = int(g["gov_wanted"].sum()), int(g["gov_landed"].sum())
        # pending vetoes are censored (the run stopped before they resolved): the share is over the
        # resolved ones, so stopping earlier does not read as vetoes that missed
        per_run = (g["gov_landed"] + g["gov_late"] + g["gov_failed"]).astype(int)
        resolved = int(per_run.sum())
        low, high = _share_interval(per_run.tolist(), g["gov_landed"].astype(int).tolist(), confidence)
        late = g["gov_lateness_max"].dropna()
        needed = g["gov_needed_window_max"].dropna()
        reasons: dict[str, int] = {}
        for text in g["gov_reasons"]:
            for k, v in json.loads(text).items():
                reasons[k] = reasons.get(k, 0) + v
        rows.append({"arm": arm, "path": g["gov_path"].iloc[0], "split": False, "runs": len(g), "wanted": wanted, "landed": landed,
                     "resolved": resolved, "share_landed": landed / resolved if resolved else math.nan, "ci_low": low, "ci_high": high,
                     "late": int(g["gov_late"].sum()), "failed": int(g["gov_failed"].sum()), "pending": int(g["gov_pending"].sum()),
                     "late_bounded": int(pd.to_numeric(g["gov_late_bounded"]).fillna(0).sum()) if "gov_late_bounded" in g.columns else 0,
                     "runs_censored": int((g["gov_pending"] > 0).sum()),
                     **_gov_horizon(g),
                     "lateness_median": float(late.median()) if len(late) else math.nan, "lateness_max": float(late.max()) if len(late) else math.nan,
                     "needed_window_median": float(needed.median()) if len(needed) else math.nan,
                     "needed_window_max": float(needed.max()) if len(needed) else math.nan,
                     "why_not": "; ".join(f"{k} ×{v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))})
        split = _shortcut_split(arm, g, confidence)
        if split is not None:
            rows.append(split)
    out = pd.DataFrame(rows)
    out.attrs["confidence"] = confidence
    return out


def _shortcut_split(arm: Any, g: pd.DataFrame, confidence: float) -> dict[str, Any] | None:
    """The row of an arm's vetoes that took the shortcut although it asked for another path: the
    slashes its rule models in Python (not in a pallet's queue) are out of the path's reach, so their
    vetoes land ``reaction_blocks`` after the proposal, not through the path. None when there are none."""
    if "gov_shortcut_wanted" not in g.columns or (g["gov_path"] == "shortcut").all():
        return None
    cut = pd.to_numeric(g["gov_shortcut_wanted"], errors="coerce").fillna(0).astype(int)
    if not cut.sum():
        return None
    landed = pd.to_numeric(g["gov_shortcut_landed"]).fillna(0).astype(int)
    wanted = int(cut.sum())
    per_run = cut - pd.to_numeric(g["gov_shortcut_pending"]).fillna(0).astype(int)  # resolved: pending ones are censored
    resolved = int(per_run.sum())
    low, high = _share_interval(per_run.tolist(), landed.tolist(), confidence)
    reasons: dict[str, int] = {}
    for text in g["gov_shortcut_reasons"].fillna("{}"):
        for k, v in json.loads(text).items():
            reasons[k] = reasons.get(k, 0) + v
    targets = sorted({t for text in g["gov_shortcut_targets"].fillna("") for t in str(text).split(",") if t})
    rule = f" by {g['rule'].iloc[0]}" if "rule" in g.columns else ""
    pending = int(pd.to_numeric(g["gov_shortcut_pending"]).fillna(0).sum())
    return {"arm": arm, "path": f"shortcut, not {g['gov_path'].iloc[0]}: {' and '.join(targets)} slashes modelled in Python{rule}",
            "split": True, "runs": len(g), "wanted": wanted, "landed": int(landed.sum()),
            "resolved": resolved, "share_landed": int(landed.sum()) / resolved if resolved else math.nan, "ci_low": low, "ci_high": high,
            "late": int(pd.to_numeric(g["gov_shortcut_late"]).fillna(0).sum()), "failed": int(pd.to_numeric(g["gov_shortcut_failed"]).fillna(0).sum()),
            "pending": pending, "runs_censored": int((pd.to_numeric(g["gov_shortcut_pending"]).fillna(0) > 0).sum()),
            "pending_at_horizon": None, "runs_pending_at_horizon": None, "runs_drained": 0, "drained_rounds_mean": math.nan,
            "drained_rounds_max": math.nan, "lateness_median": math.nan, "lateness_max": math.nan, "needed_window_median": math.nan,
            "needed_window_max": math.nan, "why_not": "; ".join(f"{k} ×{v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))}


def _share_interval(resolved: list[int], landed: list[int], confidence: float) -> tuple[float, float]:
    """Wilson interval of the share landed among the resolved vetoes (landed, late or failed), at
    their effective number (:func:`effective_vetoes`); NaN when none resolved (all pending: no data)."""
    total = sum(resolved)
    if total == 0:
        return math.nan, math.nan
    n_eff = effective_vetoes(resolved, landed)
    return wilson(sum(landed) / total * n_eff, n_eff, confidence)


def _gov_horizon(g: pd.DataFrame) -> dict[str, Any]:
    """One arm's veto processes still open at the horizon (NaN: not recorded by runs stored before
    ``gov_open_at_horizon``) and its drained runs (how many, mean / max extra rounds)."""
    out: dict[str, Any] = {"pending_at_horizon": math.nan, "runs_pending_at_horizon": math.nan}
    if "gov_open_at_horizon" in g.columns and not g["gov_open_at_horizon"].isna().any():
        opened = pd.to_numeric(g["gov_open_at_horizon"])
        out = {"pending_at_horizon": int(opened.sum()), "runs_pending_at_horizon": int((opened > 0).sum())}
    d = pd.to_numeric(g["drained_rounds"], errors="coerce") if "drained_rounds" in g.columns else pd.Series(dtype=float)
    went_on = d[d > 0]
    out.update({"runs_drained": int(len(went_on)), "drained_rounds_mean": float(went_on.mean()) if len(went_on) else math.nan,
                "drained_rounds_max": int(went_on.max()) if len(went_on) else math.nan})
    return out


def governance_cells(r: dict[str, Any]) -> dict[str, str]:
    """The words every rendering of a :func:`governance_table` row shows (terminal, HTML report,
    Markdown), so the three never disagree: the share landed with its interval, the vetoes wanted
    (runs), pending (censored runs), the lateness of the late ones (median / max blocks) and why not."""
    return {
        "share": _share_cell(r),
        "vetoes": f"{r['wanted']} in {r['runs']} run" + ("" if r["runs"] == 1 else "s"),
        "pending": _gov_pending(r),
        "lateness": "-" if math.isnan(r["lateness_median"]) else (f"{r['lateness_median']:,.0f} / {r['lateness_max']:,.0f}"
                                                                  + (f" (≥: {r['late_bounded']} lower bounds)" if r.get("late_bounded") else "")),
        "why_not": r["why_not"] or "-",
    }


def _share_cell(r: dict[str, Any]) -> str:
    """The share landed among the resolved vetoes with its interval and the count it is over
    ("of 107 resolved"); pending ones are censored, so when none resolved there is no share."""
    if r["wanted"] == 0:
        return "no veto wanted"
    resolved = r.get("resolved")
    if resolved is None or (isinstance(resolved, float) and math.isnan(resolved)):  # a row made before resolved was counted
        resolved = r["wanted"] - r["pending"]
    if not resolved:
        return "no data (all pending)"
    return f"{r['share_landed']:.1%} [{r['ci_low']:.1%}, {r['ci_high']:.1%}] of {int(resolved)} resolved"


def _gov_pending(r: dict[str, Any]) -> str:
    """Pending veto processes at the horizon, then (if runs were drained past it) after the drain:
    "0" after a drain is not "nothing was pending at the horizon"."""
    after = f"{r['pending']} ({r['runs_censored']} runs)"
    at_h = r.get("pending_at_horizon", math.nan)
    horizon = "not recorded" if at_h is None or (isinstance(at_h, float) and math.isnan(at_h)) else f"{int(at_h)} ({int(r['runs_pending_at_horizon'])} runs)"
    drained = r.get("runs_drained", 0) or 0
    if not drained:
        return horizon if horizon != "not recorded" else after
    return (f"{horizon} at the horizon; drained {drained} runs, mean {r['drained_rounds_mean']:,.1f} / max {r['drained_rounds_max']:,.0f} "
            f"extra rounds; {after} after")


def _pending_arrow(r: dict[str, Any]) -> str:
    if r.get("split"):  # shortcut vetoes of modelled slashes: no process open at the horizon to count
        return str(r["pending"])
    at_h = r.get("pending_at_horizon", math.nan)
    return f"{'?' if at_h is None or (isinstance(at_h, float) and math.isnan(at_h)) else int(at_h)}→{r['pending']}"


def governance_console_table(gov: pd.DataFrame, *, title: str | None = None, width: int | None = None) -> Any:
    """:func:`governance_table` for the terminal (what ``tangle-sim sweep`` prints under the
    headline when an arm vetoes through a real governance path): share landed with its interval and
    counts, late / failed / still pending (censored), and how late the late ones were. ``width``:
    the console's (:func:`~simulations.analysis.statistics.fitted_table`: no number or interval
    split across lines)."""
    from rich.text import Text

    conf = gov.attrs.get("confidence", 0.95)
    caption = (f"of the vetoes governance wanted that resolved (landed, late or failed; pending ones are censored, left out of the share "
               f"and shown apart under pend.): landed before the slash applied [{conf:.0%} Wilson CI, at the vetoes' effective number: "
               "a run's vetoes share its governors, so they count as fewer independent trials, at least one per run]; "
               "no data (all pending): none resolved; late: enacted after it, or the slash applied while the process was still open "
               "(then it can only be late, or fail: a process that fails before the run stops is counted failed; ≥: lateness a lower bound); "
               "failed: the process did not pass or its call failed (why not); pend.: processes open at the horizon (the scenario's last "
               "round, ? if not recorded) → still open when the run stopped (censored, neither landed nor late); "
               "lateness: blocks past the last useful block, median / max over runs (6 s blocks)")
    drained = [f"{r['arm']} {r['runs_drained']}/{r['runs']} runs, {r['drained_rounds_mean']:,.1f} / {r['drained_rounds_max']:,.0f}"
               for r in gov.to_dict("records") if r.get("runs_drained")]
    if drained:
        caption += ("; drained (end.pending: drain): runs with something pending at the horizon went on, with no new faults, until nothing "
                    "was (or end.max_drain_rounds passed); runs drained, mean / max extra rounds: " + "; ".join(drained))
    if "split" in gov.columns and gov["split"].eq(True).any():
        caption += ("; shortcut, not <path>: the arm's vetoes of slashes its rule models in Python (no pallet queue for the path to act "
                    "on), which landed governance.reaction_blocks after the proposal whatever the path")
    columns = [("veto path", "left"), ("landed of resolved [CI]", "right"), ("late", "right"), ("failed", "right"), ("pend.", "right"),
               ("lateness", "right"), ("why not", "left")]
    rows = []
    for r in gov.to_dict("records"):
        cells = governance_cells(r)
        share = cells["share"] + ("" if r["wanted"] == 0 else f" ({cells['vetoes']})")
        rows.append([str(r.get("path", "")), share, str(r["late"]), str(r["failed"]), _pending_arrow(r), cells["lateness"], cells["why_not"]])
    # the share beside its interval first, then the lateness and why not; the path (words) wraps in what is left
    return fitted_table(list(gov["arm"]), columns, rows, title=title, caption=Text(caption), width=width, grow=[1, 5, 6, 0])


TESTNET_ROUND_BLOCKS = 1_200  # the testnet's BABE EpochDuration (a session, a MultiAssetDelegation round), 6 s blocks


def governance_notes(rule: str, gov: dict[str, Any], round_blocks: int | None = None) -> list[str]:
    """What an arm's veto-path outcome (:func:`simulations.lab.outcomes.governance_outcome`) needs said
    beside the tables: vetoes that took the shortcut although another path was asked for (the rule
    models those slashes in Python), a path that can never land a veto, and a path whose fastest
    landing comes after the slash applies (the governance pallets keep the testnet's periods while
    the scenario's rounds may be compressed to ``round_blocks``)."""
    path = gov.get("path", "shortcut")
    asked = gov.get("asked_path") or "shortcut"
    if path == "shortcut":  # the rule models every slash in Python: the path asked for had nothing to act on
        if asked == "shortcut" or not gov.get("wanted"):
            return []
        return [f"governance.path={asked} does not apply under {rule}, which models every slash in Python: its {gov['wanted']} vetoes "
                f"took the shortcut (governance.reaction_blocks after the proposal)"]
    notes = []
    cut = gov.get("shortcut") or {}
    if cut.get("wanted"):
        notes.append(f"governance.path={path} acts only on slashes {rule} keeps in a pallet's queue; the {cut['wanted']} vetoes "
                     f"of {' and '.join(cut['targets'])} slashes, which {rule} models in Python, took the shortcut "
                     f"(governance.reaction_blocks after the proposal), not {path}: {cut['landed']} landed, {cut['late']} late")
    iv = gov.get("instant_voters")
    if path == "referendum_instant" and iv is not None and gov.get("wanted") and not iv["voters"] and not iv["councillors"]:
        who = (f"the default token holder reacts governance.reaction_blocks={iv['reaction_blocks']} blocks later" if iv.get("default_voters")
               else "no token holder in governance.voters can act at once (reaction 0 blocks) with a balance")
        seats = "the default councillors hold no balance" if iv.get("default_council") else "no councillor in governance.council holds a balance"
        notes.append(f"no veto through referendum_instant can pass with these agents: an instant referendum's voting period is 1 block "
                     f"(votes count only in the block the council fast-tracks it), but {who}, and {seats} to vote aye as it closes "
                     "the fast-track, so every referendum ends 'not passed'. This is the agents, not the chain (an instant fast-track lands "
                     "2 blocks after it starts when a voter acts at once): set governance.reaction_blocks: 0, or governance.voters with "
                     "reaction {kind: fixed, blocks: 0} and a balance, or a balance for governance.council")
    elif (path == "referendum_instant" and iv is None and gov.get("wanted") and not gov.get("landed")
          and any("referendum not passed" in k for k in gov.get("reasons") or {})):  # runs stored before the agents were recorded
        notes.append("no veto through referendum_instant landed and its referenda ended 'not passed': an instant referendum's voting "
                     "period is 1 block, so only a voter acting in the block the council fast-tracks it counts; with the default agents "
                     "nobody can (the holder reacts after governance.reaction_blocks, the councillors hold no balance). Set "
                     "governance.reaction_blocks: 0, or governance.voters with reaction {kind: fixed, blocks: 0} and a balance, or a "
                     "balance for governance.council (these runs did not record their agents, so check yours)")
    fastest, window = gov.get("fastest_landing_blocks", 0), gov.get("window_blocks_max")
    basis = gov.get("fastest_landing_basis", "")
    if not gov.get("wanted"):
        return notes
    if fastest is None:
        notes.append(f"no veto through {path} can land: {basis}")
    elif window is not None and fastest > window:
        clock = (f"rounds of {round_blocks:,} blocks here, {TESTNET_ROUND_BLOCKS:,} on the testnet" if round_blocks is not None
                 else "the scenario's round clock")
        notes.append(f"no veto through {path} can land before its slash applies: the fastest executes {fastest:,} blocks after the "
                     f"proposal ({basis}; the governance pallets keep the testnet's periods), these slashes apply at most {window + 1:,} "
                     f"blocks after theirs ({clock}: the slash clock is compressed, the governance clock is not; docs/scenarios.md)")
    return notes


def governance_note_lines(frame: pd.DataFrame) -> list[str]:
    """:func:`arm_governance_notes` as the lines the console and the HTML report print, each with
    the arms it is about: ``note (arm, arm): ...``."""
    return [f"note ({', '.join(str(a) for a in arms)}): {note}" for note, arms in arm_governance_notes(frame).items()]


def arm_governance_notes(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """:func:`governance_notes` for every arm of a runs frame (its runs pooled: vetoes summed, the
    largest window), each note once with the arms it is about. Runs stored before these columns get none."""
    out: dict[str, list[Any]] = {}
    if "gov_fastest_landing_basis" not in frame.columns:
        return out
    for arm, g in frame.groupby("arm", sort=False):
        if g["gov_fastest_landing_basis"].isna().any():
            continue
        fastest = pd.to_numeric(g["gov_fastest_landing_blocks"]).iloc[0]
        window = pd.to_numeric(g["gov_window_blocks_max"]).dropna()
        cut = {"wanted": 0, "landed": 0, "late": 0, "targets": []}
        if "gov_shortcut_wanted" in g.columns:
            cut = {k: int(pd.to_numeric(g[f"gov_shortcut_{k}"]).fillna(0).sum()) for k in ("wanted", "landed", "late")}
            cut["targets"] = sorted({t for text in g["gov_shortcut_targets"].fillna("") for t in str(text).split(",") if t})
        gov = {"path": g["gov_path"].iloc[0], "asked_path": g["gov_asked_path"].iloc[0], "wanted": int(g["gov_wanted"].sum()), "shortcut": cut,
               "fastest_landing_blocks": None if math.isnan(fastest) else int(fastest), "fastest_landing_basis": g["gov_fastest_landing_basis"].iloc[0],
               "window_blocks_max": int(window.max()) if len(window) else None, "landed": int(pd.to_numeric(g["gov_landed"]).sum()),
               "reasons": {k: v for text in g["gov_reasons"].fillna("{}") for k, v in json.loads(text).items()}}
        if "gov_instant_voters" in g.columns and not pd.isna(g["gov_instant_voters"].iloc[0]):
            gov["instant_voters"] = {k: int(g[f"gov_instant_{k}"].iloc[0]) for k in ("voters", "councillors", "reaction_blocks", "default_voters",
                                                                                      "default_council")}
        rule = str(g["rule"].iloc[0]) if "rule" in g.columns else "this rule"
        for note in governance_notes(rule, gov, int(pd.to_numeric(g["gov_round_blocks"]).iloc[0])):
            out.setdefault(note, []).append(arm)
    return out
