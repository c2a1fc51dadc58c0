"""The report of a stored run or sweep: one self-contained HTML page a council member can read.

It answers the lab's question, "which arm loses the least to honest operators while still punishing
faulty ones, and how sure are we?": a headline table ranking arms with confidence intervals and
paired differences to the best arm, the honest-slashed vs faulty-escaped trade-off, losses by role
and asset in the numeraire, what was still pending when runs ended, and the slash timeline with
the veto windows. Figures are embedded as base64 PNG (also written next to the page).

The page is generic over what the store recorded (:mod:`simulations.analysis.columns`): an outcome
this run did not record is named as such, never drawn as zero. A sweep whose tasks are not all
stored is reported as partial. Values are exact ints in the store; they become floats only here.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import math
from pathlib import Path
from typing import Any, Iterable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from simulations.analysis import figures  # noqa: E402
from simulations.analysis.columns import NOT_RECORDED, Catalogue, Measure, catalogue  # noqa: E402
from simulations.analysis.statistics import format_interval, rank_arms, summarize_arms  # noqa: E402
from simulations.lab.pairing import common_seeds  # noqa: E402
from simulations.lab.summary import shared_sentence  # noqa: E402
from simulations.scenario import scenario_decimals  # noqa: E402
from simulations.store import RunStore, SlashRow  # noqa: E402

UNIT = 10**18
CONFIDENCE = 0.95


# ---------------------------------------------------------------------------------------- data
def metrics_frame(store: RunStore, arm_ids: list[int]) -> pd.DataFrame:
    rows = [{"arm_id": m.arm_id, "round": m.round, "block": m.block, "entity": m.entity, "role": m.role, "metric": m.metric, "asset": m.asset,
             "value": m.value} for m in store.metrics(arm_ids)]
    return pd.DataFrame(rows, columns=["arm_id", "round", "block", "entity", "role", "metric", "asset", "value"])


def arm_names(arms: list[Any], kind: str) -> dict[int, str]:
    """Per stored arm row (by id), the arm it belongs to. A sweep stores each run as ``<rule>
    <point JSON> #<run>``; its arm is named as the sweep's console names it
    (:func:`simulations.sweep.display_names`: only what differs between arms), so the console, this
    report, its charts and its CSV agree; a run's arms keep their labels."""
    if kind != "sweep":
        return {a.id: str(a.label) for a in arms}
    from simulations.sweep import display_names

    return display_names(arms)


def slashes_by_arm(store: RunStore, arm_ids: Iterable[int]) -> dict[int, list[SlashRow]]:
    from sqlalchemy import select

    ids = list(arm_ids)
    out: dict[int, list[SlashRow]] = {i: [] for i in ids}
    with store.session() as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in s.scalars(select(SlashRow).where(SlashRow.arm_id.in_(chunk)).order_by(SlashRow.arm_id, SlashRow.slash_id)):
                out[row.arm_id].append(row)
    return out


def _outcome_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The outcome columns of a newer store (ground truth, censoring, numeraire), if this code knows them."""
    outcome = summary.get("outcomes")
    if not outcome:
        return {}
    try:
        from simulations.lab.outcomes import run_row  # present once the lab records outcomes
    except ImportError:
        return {}
    return run_row(outcome)


def runs_frame(store: RunStore, run_id: int) -> pd.DataFrame:
    """One row per stored run of an arm: ``arm``, rule, run index, seed, parameters and every outcome recorded.

    ``pending_at_end`` is counted from the stored slash rows (status ``pending``) when the summary
    does not record it, so a run that ended with open slashes never reads as "no loss".
    """
    run = store.run(run_id)
    arms = [a for a in store.arms(run_id) if a.summary_json and a.summary_json != "{}"]
    slashes = slashes_by_arm(store, [a.id for a in arms])
    rows = []
    loss_keys = sorted({k for a in arms for k in json.loads(a.summary_json).get("losses", {})})
    names = arm_names(store.arms(run_id), run.kind)  # over every arm row, finished or not: the names do not change as a sweep resumes
    for arm in arms:
        s = json.loads(arm.summary_json)
        counts = s.get("slashes", {})
        row: dict[str, Any] = {**json.loads(arm.params_json or "{}"), "rule": arm.rule, "branch": arm.branch, "run_index": arm.run_index, "seed": arm.seed,
                               "proposed": sum(counts.values()), "vetoed": counts.get("vetoed", 0), "applied": counts.get("applied", 0),
                               "late_vetoes": s.get("vetoes_late", 0), "window_mean": s.get("window_blocks_mean"), "state_root": arm.state_root}
        losses = s.get("losses", {})
        for key in loss_keys:  # the summary lists every loss; a key absent in one run is a loss of 0 there
            role, asset = key.split(":")
            row[f"loss_{role}_{asset}"] = int(losses.get(key, 0))
        row.update(_outcome_row(s))
        if "pending_at_end" not in row:
            row["pending_at_end"] = sum(1 for x in slashes[arm.id] if x.status == "pending")
        row["arm"] = names[arm.id]
        row["arm_id"] = arm.id
        row["last_block"] = arm.last_block
        rows.append(row)
    frame = pd.DataFrame(rows)
    for key in loss_keys:  # exact Python ints (object dtype), whatever their size
        role, asset = key.split(":")
        col = f"loss_{role}_{asset}"
        frame[col] = pd.Series([r[col] for r in rows], index=frame.index, dtype=object)
    return frame


sweep_frame = runs_frame  # the name commands.py and notebooks used before


def planned_tasks(run: Any, arms: list[Any]) -> int:
    """How many runs the sweep meant to store: ``info["tasks"]`` when the sweep recorded it, else
    the arms it created (a sweep that creates its arms up front lists unfinished ones too)."""
    info = json.loads(run.info_json or "{}")
    if isinstance(info.get("tasks"), int):
        return max(info["tasks"], len(arms))
    return len(arms)


# ---------------------------------------------------------------------------------------- html
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1180px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
th{background:#f0f0f0;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;max-width:100%}td:not(.num){min-width:6em}
img{max-width:100%;margin:0.5em 0}figure{margin:1em 0}figcaption{font-size:13px;color:#444}
.warn{background:#fff3cd;border:1px solid #e0c36c;padding:0.6em 1em}.missing{color:#a33}.best{background:#e8f4e8}.total{font-weight:600;border-top:2px solid #888}
code{background:#f5f5f5;padding:1px 4px;word-break:break-all}
""".strip()


def _esc(x: Any) -> str:
    return html.escape(str(x))


LONG_TOKEN = 24  # characters: a label this long with no space gets break opportunities


def _breakable(text: Any) -> str:
    """Escaped ``text`` whose long unspaced tokens (arm labels such as
    ``tangle_services/stock/governance.path=referendum_instant/slash_defer_duration=14``) may break
    after ``/`` and ``=`` (``<wbr>``), so a table fits the page instead of pushing its key columns
    off-screen; never inside a word."""
    out = []
    for word in str(text).split(" "):
        esc = _esc(word)
        if len(word) > LONG_TOKEN:
            esc = esc.replace("/", "/<wbr>").replace("=", "=<wbr>")
        out.append(esc)
    return " ".join(out)


def _table(header: list[str], rows: list[list[tuple[str, str]]], row_class: list[str] | None = None) -> str:
    """``rows``: cells as (text, css class); the text is escaped here."""
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = []
    for i, r in enumerate(rows):
        cls = f" class='{row_class[i]}'" if row_class and row_class[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td class='{c}'>{_esc(t) if c == 'num' else _breakable(t)}</td>" for t, c in r) + "</tr>")
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def _cell(summary: pd.DataFrame | None, arm: Any, m: Measure | None) -> tuple[str, str]:
    if m is None or summary is None:
        return NOT_RECORDED, "missing"
    r = summary[(summary.arm == arm) & (summary.metric == m.column)]
    if r.empty:
        return "no data", "missing"
    r = r.iloc[0]
    return format_interval(r["mean"] / m.scale, r["ci_low"] / m.scale, r["ci_high"] / m.scale, r["note"], bool(r.get("clipped", False)), bool(r.get("constant", False))), "num"


def _figure(title: str, b64: str, caption: str) -> str:
    return f"<figure><img alt='{_esc(title)}' src='data:image/png;base64,{b64}'><figcaption>{_esc(caption)}</figcaption></figure>"


def _png(fig: Any, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = buf.getvalue()
    path.write_bytes(data)
    return base64.b64encode(data).decode()


def _summary_metrics(frame: pd.DataFrame, cat: Catalogue) -> list[Measure]:
    pending_value = cat.pending_value
    at_risk = _at_risk_measure(frame, cat)
    if pending_value is not None and pending_value.column == "pending_value":
        if at_risk is not None and not _drained(frame):
            # no run went on past the horizon: what was pending there is what was pending at the end, one
            # quantity (pending_at_horizon_value and pending_value differ only in float rounding): shown once
            pending_value = None
        else:  # after a drain: what the drain left, not what was at risk at the horizon
            pending_value = Measure(pending_value.column, "value at risk at the end, after the drain (slashes the drain left pending; "
                                    "equal to the horizon's in a run that was not drained)", pending_value.unit)
    ms = [m for m in (cat.honest, cat.honest_count, cat.faulty, cat.pending, at_risk, pending_value, cat.total_loss)
          if m is not None]
    ms += cat.role_losses + cat.asset_losses
    for col, label in (("vetoed", "slashes vetoed"), ("applied", "slashes applied"), ("late_vetoes", "vetoes that landed too late")):
        if col in frame.columns:
            ms.append(Measure(col, label, "count per run"))
    if "window_mean" in frame.columns:
        ms.append(Measure("window_mean", "veto window", "blocks, mean over the run's slashes"))
    seen: set[str] = set()
    return [m for m in ms if not (m.column in seen or seen.add(m.column))]


AT_HORIZON = "value at risk at the horizon"


def _drained(frame: pd.DataFrame) -> bool:
    """Whether some run went on past the horizon (``end.pending: drain`` with something pending there)."""
    from simulations.lab.summary import at_horizon

    return bool(at_horizon(frame).attrs["drained"])


def _at_risk_measure(frame: pd.DataFrame, cat: Catalogue) -> Measure | None:
    """What the console's 'at risk' column shows: the value the slashes pending at the horizon (the
    scenario's last round, before any drain) would have taken then; None when the runs did not
    record it, or some could not price it."""
    from simulations.lab.summary import at_horizon

    h = at_horizon(frame)  # the console's choice: the horizon's value after a drain, else what was still pending at the end
    col = h.attrs["value_column"]
    if col is None or col not in frame.columns or frame[col].isna().any():
        return None
    label = (AT_HORIZON + " (slashes pending at the last round, before the drain)" if h.attrs["drained"]
             else "value at risk at the end (slashes still pending when the runs stopped, at the horizon: no run went on past it; "
                  "not in the losses)")
    return Measure(col, label, f"{cat.numeraire or 'numeraire'} per run")


def _arm_ticks(fig: Any, arms: list[Any]) -> Any:
    """Bar charts' arm labels broken after ``/``, ``.`` or ``=`` (never mid-word, as figures.wrap did:
    ``…end.pending=cens`` / ``or/…``), and the figure made tall enough that neighbouring labels do not touch."""
    from simulations.analysis.statistics import arm_label_lines

    if not arms:
        return fig
    labels, _ = arm_label_lines(arms, width=38)
    lines = max(labels[a].count("\n") + 1 for a in arms)
    for ax in fig.axes:
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        if len(ticks) == len(arms) and any(ticks):
            ax.set_yticks(ax.get_yticks(), [labels[a] for a in arms], fontsize=8)
    width, height = fig.get_size_inches()
    rows = max(1, round(height / max(0.42 * len(arms) + 1.2, 2.2)))  # panels stacked (fig_measures)
    need = rows * (0.24 * lines * len(arms) + 2.2)
    if need > height:
        fig.set_size_inches(width, need)
    import warnings

    with warnings.catch_warnings():  # very long labels: matplotlib keeps the layout it has (the PNG is cropped to fit anyway)
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    return figures.fit_notes(fig)  # the layout changed: the notes and the value axes again


def _as_steps(fig: Any) -> Any:
    """Every line of ``fig`` drawn as steps (each sample holds until the next): a stake sampled per
    round changes at a slash, it does not decline over the round's blocks as a straight line says."""
    for ax in fig.axes:
        for line in ax.get_lines():
            line.set_drawstyle("steps-post")
    return fig


def _split_zero(frame: pd.DataFrame, measures: list[Measure]) -> tuple[list[Measure], list[Measure]]:
    """(measures some run recorded as non-zero, measures that are exactly zero in every run)."""
    def zero(m: Measure) -> bool:
        return all(v == 0 for v in frame[m.column] if not (v is None or (isinstance(v, float) and math.isnan(v))))

    return [m for m in measures if not zero(m)], [m for m in measures if zero(m)]


def _zero_note(zero: list[Measure]) -> str:
    return (" Exactly zero in every run (not drawn): " + ", ".join(m.label for m in zero) + ".") if zero else ""


def _shares(measures: list[Any], *frames: pd.DataFrame) -> list[str]:
    """The labels of the ``measures`` whose intervals are Wilson's (every run gave 0 or 1), by the
    methods :func:`summarize_arms` / :func:`rank_arms` recorded in ``frames``' attrs."""
    methods: dict[str, str] = {}
    for f in frames:
        methods.update(f.attrs.get("methods", {}))
    return sorted({m.label for m in measures if methods.get(m.column) == "wilson"})


def error_bars(summary: pd.DataFrame, measures: list[Any], runs_note: str) -> str:
    """What the figures' error bars are: the summary's intervals, Student t, and Wilson's for a
    measure every run gave 0 or 1 for (a figure once said "t interval" over Wilson bars)."""
    return f"error bars: {_intervals(summary, measures)}, {runs_note}; 'censored': runs that ended with slashes still pending"


def _intervals(summary: pd.DataFrame, measures: list[Any]) -> str:
    """The summary's intervals in words: Student t, except Wilson's for a share of runs."""
    shares = _shares(measures, summary)
    return (f"{CONFIDENCE:.0%} t interval of the mean"
            + (f" (Wilson score interval for {', '.join(shares)}: every run gave 0 or 1, a share of runs)" if shares else ""))


def headline(frame: pd.DataFrame, cat: Catalogue, arms: list[Any]) -> tuple[str, pd.DataFrame, pd.DataFrame, str]:
    """The ranking table (HTML), the ranking, the per-arm summary and the sentence that says how."""
    primary, why = cat.primary()
    measures = _summary_metrics(frame, cat)
    summary = summarize_arms(frame, [m.column for m in measures], confidence=CONFIDENCE, method="t")
    ranking = rank_arms(frame, primary.column, direction=primary.better, confidence=CONFIDENCE)  # type: ignore[arg-type]
    header = ["rank", "arm", "runs", f"{primary.axis}: mean [{CONFIDENCE:.0%} CI]", "difference to the best arm [CI]", "verdict",
              (cat.faulty.axis if cat.faulty else "faulty operators escaped") + " [CI]",
              (cat.pending.axis if cat.pending else "slashes pending at the end") + " [CI]", "runs ended with slashes pending",
              (cat.total_loss.axis if cat.total_loss else "total loss in one numeraire") + " [CI]"]
    at_risk = _at_risk_measure(frame, cat)
    if at_risk is not None:  # the console's "at risk" column: the same figure, the same interval
        header.append(f"at risk {'at the horizon' if at_risk.label.startswith(AT_HORIZON) else 'at the end'} ({cat.numeraire or 'numeraire'}) [CI]")
    # vetoes that landed after the window change nothing: arms differing only in them tie on every loss (the console's "late vetoes" column)
    late = next((m for m in measures if m.column == "late_vetoes"), None)
    if late is not None and not (pd.to_numeric(frame["late_vetoes"], errors="coerce").fillna(0) > 0).any():
        late = None
    if late is not None:
        header.append("vetoes that landed too late, per run [CI]")
    from simulations.lab.summary import SHORTCUT_MARK, shortcut_arms

    cut = shortcut_arms(frame)
    rows, classes = [], []
    for r in ranking.to_dict("records"):
        a = r["arm"]
        tied = str(r["verdict"]).startswith("tie")  # an exact tie shares the rank: no "best" for one and "n.s." for its twin
        diff = "(tie)" if tied else "(best)" if r["verdict"] == "best" else format_interval(r["diff_vs_best"] / primary.scale, r["diff_ci_low"] / primary.scale,
                                                                         r["diff_ci_high"] / primary.scale, "fewer than 2 pairs")
        arm_rows = frame[frame.arm == a]
        censored = int((pd.to_numeric(arm_rows["pending_at_end"], errors="coerce") > 0).sum()) if "pending_at_end" in frame.columns else None
        verdict = r["verdict"]
        if a in cut:
            verdict += f" {SHORTCUT_MARK} ({cut[a]})"
        if censored:
            verdict += f"; {censored} of {len(arm_rows)} runs ended with slashes pending, so its outcome is not final"
        rows.append([("" if pd.isna(r["rank"]) else str(r["rank"]), "num"), (str(a), ""), (str(len(arm_rows)), "num"),
                     _cell(summary, a, primary), (diff, "num"), (verdict, "warn" if censored or a in cut else ""), _cell(summary, a, cat.faulty), _cell(summary, a, cat.pending),
                     (NOT_RECORDED, "missing") if censored is None else (f"{censored} of {len(arm_rows)}", "num"), _cell(summary, a, cat.total_loss)]
                    + ([_cell(summary, a, at_risk)] if at_risk is not None else []) + ([_cell(summary, a, late)] if late is not None else []))
        classes.append("best" if r["verdict"] == "best" or str(r["verdict"]).startswith("tied best") else "")
    shares = _shares(measures + [primary], summary, ranking)
    how = (f"{why}. Intervals: {CONFIDENCE:.0%} Student t intervals of the mean over each arm's runs"
           + (f", except Wilson score intervals for {', '.join(shares)} (every run gave 0 or 1: a share of runs)" if shares else "")
           + f"; differences to the best arm are {ranking.attrs['comparison']}"
           + (" (Newcombe's paired score interval for two shares)" if ranking.attrs.get("diff_method") == "newcombe paired" else "")
           + " (every arm runs on the same seeds, so the shared randomness cancels). "
           "An arm is 'worse than best' only when the interval of its difference excludes zero."
           + (" Every arm has the same mean on the ranking measure: they tie on it and none is best (compare the other columns)."
              if ranking.attrs.get("tie") else " Arms with exactly the same mean share their rank ('tied best')." if ranking.attrs.get("tied_best") else "")
           + (" *: the t interval reached below 0, which a count or loss cannot be, and is clipped at 0 (few or skewed runs: that interval "
              "is approximate)." if "clipped" in summary.columns and summary["clipped"].astype(bool).any() else "")
           + (" (all runs): every run gave this value, so there is no spread to estimate an interval from (exact if the rules fix it, "
              "else more runs may vary)." if "constant" in summary.columns and summary["constant"].astype(bool).any() else "")
           + (f" {SHORTCUT_MARK}: the arm names a governance path, but its vetoes took the shortcut, not that path (its rule models "
              "those slashes in Python): its rank says nothing about the path." if cut else "")
           + ((" At risk at the horizon: what the slashes pending at the scenario's last round would have taken then (before any drain "
               "resolved them), not counted in the losses." if at_risk.label.startswith(AT_HORIZON) else
               " At risk at the end: what the slashes still pending when the runs stopped would take, not counted in the losses.")
              if at_risk is not None else "")
           + (" Vetoes that landed too late: decided by governance after the slash's veto window closed, so they changed nothing; an "
              "arm whose vetoes all land late ends like one that never vetoes." if late is not None else ""))
    return _table(header, rows, classes), ranking, summary, how + _horizon_sentence(frame)


def _horizon_sentence(frame: pd.DataFrame) -> str:
    """What was pending at the horizon before a drain resolved it ("0 pending at the end" is not
    "nothing pending at the horizon"); empty when no run was drained."""
    from simulations.lab.summary import at_horizon

    h = at_horizon(frame)
    if not h.attrs["drained"]:
        return ""
    runs = frame.groupby("arm", sort=False).size()
    per_arm = "; ".join(f"{a}: {'?' if pd.isna(r['runs_pending_at_horizon']) else int(r['runs_pending_at_horizon'])} of {runs[a]} runs had slashes "
                        f"pending at the horizon, {int(r['runs_drained'])} drained (mean {r['drained_rounds_mean']:,.1f}, max "
                        f"{r['drained_rounds_max']:,.0f} extra rounds)" for a, r in h.iterrows() if r["runs_drained"])
    return (" Runs went on past the horizon with no new faults until nothing was pending or end.max_drain_rounds passed (end.pending: drain), so the counts of "
            f"runs ended with slashes pending are after that drain. {per_arm}.")


def _veto_paths(frame: pd.DataFrame) -> str:
    """When an arm vetoes through a real governance path: did the vetoes governance wanted land
    before the slash applied (share with its Wilson interval, counts), and why not, with the notes
    the console prints beside that table. Empty when there is neither."""
    from simulations.lab.summary import governance_cells, governance_note_lines, governance_table

    # the notes the console prints beside the table (a path that cannot land in time, vetoes that
    # took the shortcut because the rule models the slash in Python): also under the shortcut
    # alone, where the console prints them without a table
    notes = "".join(f"<p class='warn'>{_esc(line)}</p>" for line in (governance_note_lines(frame) if "gov_path" in frame.columns else []))
    if "gov_path" not in frame.columns or not (frame["gov_path"].fillna("shortcut") != "shortcut").any():
        return ("<h2>Veto paths</h2>" + notes) if notes else ""
    gov = governance_table(frame, confidence=CONFIDENCE)
    rows = []
    for r in gov.to_dict("records"):
        cells = governance_cells(r)
        rows.append([(str(r["arm"]), ""), (str(r["path"]), ""), (cells["share"], "missing" if r["wanted"] == 0 else "num"),
                     (cells["vetoes"], "num"), (str(r["late"]), "num"), (str(r["failed"]), "num"), (cells["pending"], "num"),
                     (cells["lateness"], "num"), (cells["why_not"], "")])
    header = ["arm", "veto path", f"landed before the slash, of the resolved vetoes (pending ones censored, shown apart) [{CONFIDENCE:.0%} Wilson CI, runs as clusters]", "vetoes wanted", "late", "failed",
              "pending at the end (censored)", "lateness of late ones, median / max (blocks)", "why not"]
    return ("<h2>Veto paths: did the vetoes governance wanted land before the slash applied?</h2><p>"
            + _esc("Each wanted veto went through the pallets' own calls (sudo, a council motion, a referendum enacted by the "
                   "scheduler, a multisig). Landed: executed before the slash applied; late: executed after it; failed: the "
                   "process did not pass or its call failed; pending: still open when the run ended, so neither: censored, left out of "
                   "the share landed (which is over the resolved vetoes: landed, late or failed) and counted apart; no data (all pending): "
                   "none resolved. A veto whose slash applied while its process was still open is late from then (it can no longer land; "
                   "≥: its lateness is a lower bound), unless the process then fails before the run stops: then it is counted failed.")
            + (_esc(" shortcut, not <path>: the arm's vetoes of slashes its rule models in Python (no pallet queue for the path to "
                    "act on), which landed governance.reaction_blocks after the proposal whatever the path.")
               if "split" in gov.columns and gov["split"].eq(True).any() else "") + "</p>"
            + _table(header, rows) + notes)


def unfinished_sentence(arms: list[Any], kind: str) -> str:
    """The stored rows that did not finish, by the arm's display name (:func:`arm_names`, as every
    table and chart names it, not the store's ``rule {JSON} #run`` label): per arm how many runs and
    which run indices; empty when every row finished."""
    names = arm_names(arms, kind)
    left: dict[str, list[int]] = {}
    for a in arms:
        if a.status != "completed":
            left.setdefault(names[a.id], []).append(int(a.run_index))
    if not left:
        return ""
    total = sum(len(v) for v in left.values())
    if kind != "sweep":
        return f"{total} arm(s) did not finish: " + ", ".join(left)

    def indices(runs: list[int]) -> str:
        runs = sorted(runs)
        if runs == list(range(runs[0], runs[-1] + 1)):
            return f"run {runs[0]}" if len(runs) == 1 else f"runs {runs[0]} to {runs[-1]}"
        return "runs " + ", ".join(map(str, runs[:5])) + (", ..." if len(runs) > 5 else "")

    return f"{total} run(s) did not finish: " + "; ".join(f"{name}: {len(runs)} ({indices(runs)})" for name, runs in left.items())


def _status(run: Any, arms: list[Any], frame: pd.DataFrame) -> str:
    planned = planned_tasks(run, arms)
    stored = len(frame)
    notes = []
    if run.status != "completed":
        notes.append(f"the {run.kind} is {run.status!s}, not completed")
    if stored < planned:
        notes.append(f"PARTIAL: {stored} of {planned} planned runs are stored; every number below summarises those {stored} only")
    unfinished = unfinished_sentence(arms, run.kind)
    if unfinished:
        notes.append(unfinished)
    if not notes:
        return f"<p>All {planned} planned runs are stored.</p>"
    return "<p class='warn'>" + "<br>".join(_esc(n) for n in notes) + "</p>"


def write_report(store: RunStore, run_id: int, out_dir: str | Path, fmt: str = "html") -> list[Path]:
    """Write the figures (PNG) and, for ``html``/``both``, ``report.html``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run = store.run(run_id)
    arms_rows = store.arms(run_id)
    frame = runs_frame(store, run_id)
    decimals = scenario_decimals(run)
    files: list[Path] = []
    sections: list[str] = []

    def add(name: str, title: str, fig: Any, caption: str) -> None:
        path = out / f"{name}.png"
        sections.append(f"<h2>{_esc(title)}</h2>" + _figure(title, _png(fig, path), caption))
        files.append(path)

    title = f"tangle-sim {run.kind} {run_id}: {run.scenario_name}"
    parts = [f"<h1>{_esc(title)}</h1>", _status(run, arms_rows, frame)]
    common = common_seeds(frame)
    if frame.empty:
        parts.append("<p class='warn'>No run of this " + _esc(run.kind) + " finished: nothing to summarise yet.</p>")
    elif not common.comparable:
        parts.append("<p class='warn'>" + _esc(common.sentence()[0].upper() + common.sentence()[1:]) + ".</p>")
        stored = frame
    else:
        stored, frame = frame, common.frame  # arms are compared on the seeds every arm completed (paired)
        if not common.complete:
            parts.append("<p class='warn'>" + _esc(f"Arms compared {common.sentence()}: every figure and table below covers those "
                                                   f"{len(frame)} runs only ({'sweep' if run.kind == 'sweep' else 'runs'}.csv holds all {len(stored)}).") + "</p>")
        cat = catalogue(frame, decimals)
        arms = list(pd.unique(frame.arm))
        table, ranking, summary, how = headline(frame, cat, arms)
        ranked = list(ranking.arm)
        per_arm = frame.groupby("arm").size()
        runs_note = f"n = {per_arm.min()}" + (f" to {per_arm.max()}" if per_arm.max() != per_arm.min() else "") + " runs per arm"
        shared = shared_sentence(frame)  # in every caption that names arms: their names show only what differs
        if shared:
            runs_note += "; " + shared
        measures = _summary_metrics(frame, cat)
        ci_note = error_bars(summary, measures, runs_note)
        if per_arm.max() < 2:
            ci_note = "a single run per arm: no interval (sweep with --runs for intervals)" + (f"; {shared}" if shared else "")
        parts.append("<h2>Which arm loses the least to honest operators while still punishing faulty ones?</h2>")
        parts.append(f"<p>{_esc(how)} {_esc(runs_note)}.</p>" + table)
        parts.append(_veto_paths(frame))
        if cat.missing:
            parts.append("<p class='missing'>Not recorded by this run: " + _esc("; ".join(cat.missing)) + ".</p>")
        if (cat.honest or cat.honest_count) is None and cat.faulty is None:
            sections.append(f"<h2>Honest operators slashed vs faulty operators escaped, per arm</h2><p class='missing'>{NOT_RECORDED}: "
                            "the slashes of this run carry no ground truth (justified or not), so neither side of the trade-off can be counted.</p>")
        else:
            add("tradeoff", "Honest operators slashed vs faulty operators escaped, per arm",
                _arm_ticks(figures.fig_tradeoff(ranked, summary, cat.honest or cat.honest_count, cat.faulty, ci_note), ranked),
                f"Left: what unjustified slashes took from honest operators and their delegators; right: justified slashes that were vetoed or dodged. Arms in ranking order; {ci_note}.")
        roles, zero_roles = _split_zero(frame, cat.role_losses)
        if cat.role_losses:
            how_added = ("all assets added at the scenario's prices" if not cat.unpriced
                         else "only the roles every run could value; the others lost assets that have no price")
            add("losses_by_role", f"Losses by role in {cat.numeraire or 'the numeraire'} ({how_added})",
                _arm_ticks(figures.fig_measures(ranked, summary, roles, f"Loss per role in {cat.numeraire or 'the numeraire'}", ci_note,
                                                "no role lost anything"), ranked),
                f"Each panel one role; every asset valued at its price in the round the loss happened. {ci_note}.{_zero_note(zero_roles)}")
        else:
            why = cat.unpriced or "no asset prices"
            sections.append(f"<h2>Losses by role in one numeraire</h2><p class='missing'>{NOT_RECORDED}: {_esc(why)}, so assets cannot be added up; "
                            "each asset is shown in its own unit below.</p>")
        assets, zero_assets = _split_zero(frame, cat.asset_losses)
        add("losses_by_asset", "Losses by role and asset, each asset in its own unit",
            _arm_ticks(figures.fig_measures(ranked, summary, assets, "Loss per role and asset (whole tokens)", ci_note, "no losses recorded"), ranked),
            f"Whole tokens of each asset (exact base units divided by the asset's decimals). {ci_note}.{_zero_note(zero_assets)}")
        # the value still pending at the end, as the summary holds it (shown once: see _summary_metrics)
        pend_value = next((m for m in measures if cat.pending_value is not None and m.column == cat.pending_value.column), None)
        if pend_value is None and cat.pending_value is not None and not _drained(frame):
            at_end = _at_risk_measure(frame, cat)  # the same quantity, under the catalogue's short label
            pend_value = None if at_end is None else dataclasses.replace(cat.pending_value, column=at_end.column)
        pend = [m for m in (cat.pending, pend_value) if m is not None]
        pending_shown, _ = _split_zero(frame, pend)
        if not pend:
            sections.append(f"<h2>Slashes still pending when the runs ended</h2><p class='missing'>{NOT_RECORDED}: "
                            "this store does not say which slashes were still open when a run ended.</p>")
        elif not pending_shown:  # an empty panel of zero bars reads like a drawing error
            sections.append(f"<h2>Slashes still pending when the runs ended</h2><p>None: no slash was pending at the end of any of the "
                            f"{len(frame)} stored runs, so every outcome above is final.</p>")
        else:
            add("pending_at_end", "Slashes still pending when the runs ended (censored outcomes)",
                figures.fig_measures(ranked, summary, pending_shown, "Still pending at the end of the run", ci_note),
                "A pending slash is neither a loss nor a reprieve: its outcome lies beyond the run. " + ci_note + ".")
        lanes, lanes_title = _lanes(store, run, frame, ranked)
        add("slash_timeline", "Slash timeline with veto windows", figures.fig_timeline(lanes, lanes_title, _horizons(store, run, lanes)),
            "Each lane one arm (for a sweep: its first stored run). Grey: the veto window, from the proposal to the last block a veto can land "
            "(windows that overlap in time each on their own row); black tick: end of the run; dashed purple tick: the horizon "
            "(the scenario's last block: after it a drained run only resolves what was pending); an open orange arrow: a slash still pending "
            "at the end; a purple ring: a late veto (it landed after the window, so the slash applied).")
        if run.kind != "sweep":
            stake = _stake_panels(store, arms_rows, decimals)
            if stake is not None:
                add("stake_per_operator", stake[0], _as_steps(figures.fig_stake(stake[1], stake[0], "TNT")),
                    f"The {figures.TOP_K} largest each in its own colour; any others summed as one dashed grey line. Drawn as steps: "
                    "stake is sampled once a round and holds until the next sample, so a slash is a drop at the round it shows in, "
                    "not a slope between samples.")
        parts.append("".join(sections))
        parts.append("<h2>Every outcome per arm</h2><p>" + _esc(f"Mean over runs with its {_intervals(summary, measures)} (*: a bound clipped at "
                                                                   "what the measure can be, 0 or, for a share, 1; (all runs): every run gave this "
                                                                   "value, no interval without spread); n: runs that recorded the value.") + "</p>")
        shown, zero = _split_zero(frame, measures)
        units = {m.column: m for m in shown}
        rows = []
        for r in summary.to_dict("records"):
            if r["metric"] not in units:
                continue
            m = units[r["metric"]]
            rows.append([(str(r["arm"]), ""), (m.axis, ""), (str(r["n"]), "num"),
                         (format_interval(r["mean"] / m.scale, r["ci_low"] / m.scale, r["ci_high"] / m.scale, r["note"], bool(r.get("clipped", False)), bool(r.get("constant", False))), "num")])
        parts.append(_table(["arm", "measure (unit)", "n", "mean [CI]"], rows) + (f"<p>{_esc(_zero_note(zero).strip())}</p>" if zero else ""))
        diff = json.loads(run.info_json or "{}").get("branch_difference")
        if diff:
            from simulations.lab.what_if import fork_veto_miss, what_if_table

            missed = fork_veto_miss(store, run.id)
            wt = what_if_table(diff, json.loads(run.info_json or "{}").get("what_if") or {}, decimals, missed)
            parts.append(f"<h2>{_esc(wt.title[0].upper() + wt.title[1:])}</h2>" + _table(
                ["entity", "role", "asset"] + [h for _, h in wt.columns],
                [[(lab[0], ""), (lab[1], ""), (lab[2], "")] + [(wt.cells[k][i], "num") for k, _ in wt.columns] for i, lab in enumerate(wt.labels)],
                ["" if i < wt.body else "total" for i in range(len(wt.labels))])
                + "".join(f"<p class='warn'>{_esc(n)}</p>" if i == 0 and missed else f"<p>{_esc(n)}</p>" for i, n in enumerate(wt.notes)))
    if not frame.empty:
        csv = out / ("sweep.csv" if run.kind == "sweep" else "runs.csv")
        stored.to_csv(csv, index=False)  # every stored run, including any a partial comparison left out
        files.append(csv)
    if run.kind != "sweep":
        for arm in arms_rows:
            log = store.call_log(arm.id)
            if log:
                path = out / f"calls-arm{arm.id}.jsonl"
                path.write_text("\n".join(log) + "\n")
                files.append(path)
    parts.append(f"<h2>Reproduce</h2><p>seed {_esc(run.seed)}; store {_esc(store.url)}</p><p><code>{_esc(run.command)}</code></p>")
    if fmt in ("html", "both"):
        page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
                f"<title>{_esc(title)}</title><link rel='icon' href='data:,'><style>{CSS}</style></head><body>{''.join(parts)}</body></html>")
        path = out / "report.html"
        path.write_text(page, encoding="utf-8")
        files.append(path)
    return files  # the PNGs stay next to the page in every format (handy for slides)


MAX_LANES = 40


def _horizons(store: RunStore, run: Any, lanes: list[tuple[str, list[Any], int | None]]) -> list[int | None]:
    """Per lane, the scenario's last block (the horizon), from the stored scenario (read without
    importing any policy); None where it is not known: an arm that changes the run's length or
    round clock, or a scenario the current schema no longer reads."""
    from simulations.scenario import load_scenario, without_policy_imports

    try:
        with without_policy_imports():
            suffix = Path(run.scenario_path or "s.yaml").suffix or ".yaml"
            horizon: int | None = load_scenario(f"stored{suffix}", json.loads(run.overrides_json or "{}"), text=run.scenario_text).total_blocks()
    except Exception:  # noqa: BLE001 - no mark rather than no report
        return [None] * len(lanes)
    clock_keys = ("length", "session_length", "sessions_per_era", "parameters.session_length", "parameters.sessions_per_era")
    rows = store.arms(run.id)
    names = arm_names(rows, run.kind)
    arms = {names[a.id]: a for a in rows}
    out = []
    for label, _, _ in lanes:
        arm = arms.get(label)
        params = json.loads(arm.params_json or "{}") if arm is not None else {}
        out.append(None if any(k.startswith(clock_keys) for k in params) else horizon)
    return out


def _lanes(store: RunStore, run: Any, frame: pd.DataFrame, ranked: list[Any]) -> tuple[list[tuple[str, list[Any], int | None]], str]:
    first = frame.sort_values("run_index", kind="stable").drop_duplicates("arm").set_index("arm")
    shown = ranked[:MAX_LANES]
    slashes = slashes_by_arm(store, [int(first.loc[a, "arm_id"]) for a in shown])
    lanes = [(str(a), slashes[int(first.loc[a, "arm_id"])], int(first.loc[a, "last_block"])) for a in shown]
    title = "Slashes proposed, vetoed, applied or still pending, with each veto window"
    if run.kind == "sweep":
        title += " (first stored run of each arm)"
    if len(ranked) > MAX_LANES:
        title += f"; the {MAX_LANES} best-ranked of {len(ranked)} arms"
    return lanes, title


STAKE_SERIES = (("operator", "stake", "operators' self-stake"), ("validator", "bonded", "validators' bonded stake"), ("pool", "active", "LST pools' active stake"))


def _stake_panels(store: RunStore, arms: list[Any], decimals: dict[str, int]) -> tuple[str, list[tuple[str, pd.DataFrame]]] | None:
    metrics = metrics_frame(store, [a.id for a in arms])
    if metrics.empty:
        return None
    parts, mask = [], pd.Series(False, index=metrics.index)
    for role, metric, words in STAKE_SERIES:
        sel = (metrics.role == role) & (metrics.metric == metric)
        if sel.any():
            parts.append(words)
            mask |= sel
    if not parts:
        return None
    stake = metrics[mask].copy()
    stake["value"] = [int(v) / 10 ** decimals.get(str(asset), 18) for v, asset in zip(stake.value, stake.asset)]
    stake["entity"] = [f"{e} ({r})" for e, r in zip(stake.entity, stake.role)]
    panels = [(str(a.label), stake[stake.arm_id == a.id][["block", "entity", "value"]]) for a in arms]
    return "Stake over time: " + ", ".join(parts) + " (TNT)", panels
