"""The report's figures (matplotlib, Agg), drawn to rules a reader can trust.

Categories (arms, roles) are bars, never points joined by lines; bar axes start at zero; every bar
of a mean carries its confidence interval as an error bar, and an arm without an interval (one run)
says so on the bar; every axis names its unit; titles state what the figure shows. Lines are only
for quantities over time (stake per block). More than eight series of one kind are shown as the
eight largest plus one "others" line, so no two series share a colour.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from simulations.analysis.columns import NOT_RECORDED, Measure  # noqa: E402

BAR = "#4C72B0"
TOP_K = 8
SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]  # 8 distinct; "others" is grey
OTHERS = "#7f7f7f"


def wrap(label: Any, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(str(label), width, break_long_words=True, break_on_hyphens=False)) or str(label)


def _height(n_arms: int) -> float:
    return max(2.2, 0.42 * n_arms + 1.2)


def _empty(ax: Any, title: str, why: str = NOT_RECORDED) -> None:
    ax.set_title(wrap(title, 60), fontsize=10)
    ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#a33")
    ax.set_xticks([])
    ax.set_yticks([])


def bars_with_intervals(ax: Any, arms: Sequence[Any], summary: pd.DataFrame | None, m: Measure | None, title: str, show_labels: bool = True) -> None:
    """Horizontal bars of each arm's mean of ``m`` with its interval; arms top to bottom in order."""
    if m is None or summary is None:
        _empty(ax, title)
        return
    rows = summary[summary.metric == m.column].set_index("arm")
    y = list(range(len(arms)))
    means, errs, notes = [], [], []
    for a in arms:
        r = rows.loc[a] if a in rows.index else None
        mean = math.nan if r is None else r["mean"] / m.scale
        low = math.nan if r is None else r["ci_low"] / m.scale
        high = math.nan if r is None else r["ci_high"] / m.scale
        means.append(0.0 if math.isnan(mean) else mean)
        errs.append(None if math.isnan(low) else (max(0.0, mean - low), max(0.0, high - mean)))
        note = []
        if r is None or r["n"] == 0:
            note.append("no data")
        elif math.isnan(low):
            note.append(f"n={int(r['n'])}: no interval")
        elif "constant" in r.index and bool(r["constant"]):
            # no bar and no error bar would read as missing data: say the value and that it never varied
            note.append(f"{mean:,.4g} in all {int(r['n'])} runs" if mean else f"0 in all {int(r['n'])} runs")
        censored = 0 if r is None or "runs_censored" not in r.index or pd.isna(r["runs_censored"]) else int(r["runs_censored"])
        if censored:
            note.append(f"{censored}/{int(r['runs'])} runs censored")
        notes.append("; ".join(note))
    ax.barh(y, means, color=BAR, height=0.6)
    with_ci = [(yi, mn, e) for yi, mn, e in zip(y, means, errs) if e is not None]
    if with_ci:
        ax.errorbar([mn for _, mn, _ in with_ci], [yi for yi, _, _ in with_ci], xerr=[[e[0] for _, _, e in with_ci], [e[1] for _, _, e in with_ci]],
                    fmt="none", ecolor="black", capsize=3, lw=1)
    ax.set_yticks(y, [wrap(a) for a in arms] if show_labels else [""] * len(arms), fontsize=8)
    ax.invert_yaxis()
    ends = [mn + (e[1] if e else 0.0) for mn, e in zip(means, errs)]
    right = max(ends + [0.0]) or 1.0
    ax.set_xlim(0, right * PAD)
    # inside: the solid part of the bar, left of its error bar
    solid = [max(0.0, mn - (e[0] if e else 0.0)) for mn, e in zip(means, errs)]
    placed = [(ax.text(0, yi, wrap(note, 34), va="center", fontsize=7), inside, end) for yi, end, inside, note in zip(y, ends, solid, notes) if note]
    ax._bar_notes = placed  # type: ignore[attr-defined]  # fit_notes places them once the layout is known
    ax._bar_right = right  # type: ignore[attr-defined]
    ax.set_xlabel(wrap(m.axis, 50), fontsize=9)
    ax.set_title(wrap(title, 60), fontsize=10)
    ax.grid(axis="x", alpha=0.3)


PAD = 1.08  # the value axis ends this far past the longest bar with its interval (room for the caps)
GAP = 4.0  # pixels between a bar (or its interval) and its note, and inside a bar from its base


def fit_notes(fig: Any) -> Any:
    """Place each bar's note ("25/50 runs censored", "0 in all 50 runs") and size the value axis to
    what the notes need, once the figure's layout is known (call it after ``tight_layout``).

    A note goes inside its bar (white, from the base) when it fits in the bar's solid part, else just
    past the bar's interval; the axis then ends where the outside notes end (at least ``PAD`` past the
    longest bar), not at a fixed ~2x the longest bar that left half of every panel empty (newuser9
    #11). Each pass can only widen the axis, which shrinks bars, so a note moves out at most once:
    the loop ends."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        notes = getattr(ax, "_bar_notes", None)
        if not notes:
            continue
        pixels = max(ax.get_window_extent(renderer).width, 1.0)
        right = ax._bar_right
        limit = right * PAD
        for _ in range(len(notes) + 1):
            per_pixel = limit / pixels
            need = right * PAD
            for text, solid, end in notes:
                width = text.get_window_extent(renderer).width
                if solid / per_pixel >= width + 2 * GAP:
                    continue
                # past the interval: end + (GAP + width) pixels must stay inside the axis
                share = (GAP * 2 + width) / pixels
                need = max(need, end / (1 - share) if share < 0.95 else end + limit)
            if need <= limit * 1.0001:
                break
            limit = need
        ax.set_xlim(0, limit)
        per_pixel = limit / pixels
        for text, solid, end in notes:
            width = text.get_window_extent(renderer).width
            if solid / per_pixel >= width + 2 * GAP:
                text.set_x(GAP * per_pixel)
                text.set_color("white")
            else:
                text.set_x(end + GAP * per_pixel)
                text.set_color("#a33")
    return fig


def fig_tradeoff(arms: Sequence[Any], summary: pd.DataFrame | None, honest: Measure | None, faulty: Measure | None, note: str) -> Any:
    fig, axes = plt.subplots(1, 2, figsize=(12, _height(len(arms))), squeeze=False)
    bars_with_intervals(axes[0][0], arms, summary, honest, "Honest operators slashed (unjustified slashes applied)")
    bars_with_intervals(axes[0][1], arms, summary, faulty, "Faulty operators escaped (justified slashes vetoed or dodged)", show_labels=False)
    fig.suptitle(wrap(f"The trade-off per arm: punishing honest operators vs letting faulty ones go (mean per run, {note})", 120), fontsize=11)
    fig.tight_layout()
    return fit_notes(fig)


def fig_measures(arms: Sequence[Any], summary: pd.DataFrame | None, measures: Sequence[Measure], title: str, note: str, empty_why: str = NOT_RECORDED) -> Any:
    """Small multiples: one panel per measure, bars per arm (same order in every panel)."""
    if not measures:
        fig, ax = plt.subplots(figsize=(8, 2.2))
        _empty(ax, title, empty_why)
        return fig
    cols = min(3, len(measures))
    rows = math.ceil(len(measures) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols + 2.5, _height(len(arms)) * rows), squeeze=False)
    for i, m in enumerate(measures):
        ax = axes[i // cols][i % cols]
        bars_with_intervals(ax, arms, summary, m, m.label, show_labels=i % cols == 0)
    for j in range(len(measures), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle(wrap(f"{title} (mean per run, {note})", 120), fontsize=11)
    fig.tight_layout()
    return fit_notes(fig)


ROW = 0.32  # vertical distance between two rows of one lane (a lane's own rows, in axis units)
LANE_GAP = 0.7  # between the last row of a lane and the first of the next


def _extent(s: Any, end: int | None) -> tuple[int, int]:
    """The blocks a slash's drawing spans: its proposal to the last thing drawn for it."""
    stops = [b for b in (s.last_veto_block, s.applied_block, s.veto_block, getattr(s, "resolved_block", None)) if b is not None]
    if s.status == "pending" and end is not None:
        stops.append(end)
    return s.proposed_block, max(stops + [s.proposed_block])


def timeline_rows(slashes: Sequence[Any], end: int | None) -> list[int | None]:
    """Each slash's row in its lane: the first row free when its proposal comes (interval packing), so
    two windows that overlap in time never share a row and a lane has as many rows as the most
    windows open at once; ``None`` for a slash that was never proposed (not drawn)."""
    spans = sorted((_extent(s, end), i) for i, s in enumerate(slashes) if s.proposed_block is not None)
    rows: list[int | None] = [None] * len(slashes)
    busy_until: list[int] = []
    for (start, stop), i in spans:
        row = next((r for r, until in enumerate(busy_until) if until < start), len(busy_until))
        if row == len(busy_until):
            busy_until.append(stop)
        else:
            busy_until[row] = stop
        rows[i] = row
    return rows


def fig_timeline(lanes: Sequence[tuple[str, list[Any], int | None]], title: str, horizons: Sequence[int | None] | None = None) -> Any:
    """One lane per arm: proposal, the veto window (grey), and what became of each slash, each slash
    on its own row wherever windows overlap (:func:`timeline_rows`).

    ``lanes``: (label, slash rows, last block of the run). A slash still pending at the end is an
    open marker at the run's end with an arrow: its fate is unknown, not "no loss". ``horizons``
    (per lane, optional): the scenario's last block, a dashed tick (after it a drained run only
    resolves what was pending); a late veto (``decision == "veto_late"``) gets a ring.
    """
    rows_of = [timeline_rows(slashes, end) for _, slashes, end in lanes]
    deepest = [max((r for r in rows if r is not None), default=0) for rows in rows_of]  # a lane's last row
    tops, y = [], 0.0
    for last in deepest:
        tops.append(y)
        y += ROW * (last + 1) + LANE_GAP
    span = y - LANE_GAP + ROW
    fig, ax = plt.subplots(figsize=(11, 0.42 * span + 2.6))  # a row about 0.13 in: a window (6 pt) and its markers
    proposed = "proposed (filled: the offender misbehaved; hollow: a false accusation)"
    seen: dict[str, Any] = {}

    def mark(x: float, y: float, label: str, **kw: Any) -> None:
        h = ax.scatter([x], [y], label=label if label not in seen else None, **kw)
        seen.setdefault(label, h)

    def tick(x: float, top: float, bottom: float, label: str, **kw: Any) -> None:
        ax.plot([x, x], [top - ROW / 2, bottom + ROW / 2], zorder=2, label=label if label not in seen else None, **kw)
        seen.setdefault(label, True)

    ends = [end for _, _, end in lanes if end is not None]
    far = list(ends)
    centres = []
    horizons = list(horizons) if horizons is not None else [None] * len(lanes)
    for top, last, rows, (label, slashes, end), horizon in zip(tops, deepest, rows_of, lanes, horizons):
        bottom = top + ROW * last
        centres.append((top + bottom) / 2)
        for s, row in zip(slashes, rows):
            if row is None:
                continue
            y = top + row * ROW
            far += [b for b in (s.last_veto_block, s.applied_block, s.veto_block) if b is not None]
            justified = bool(getattr(s, "justified", 1))
            if s.last_veto_block is not None:
                ax.plot([s.proposed_block, s.last_veto_block], [y, y], color="0.78", lw=6, solid_capstyle="butt", zorder=1,
                        label="veto window (proposal to the last block a veto can land)" if "window" not in seen else None)
                seen.setdefault("window", True)
            mark(s.proposed_block, y, proposed, marker="o", s=28, zorder=2, edgecolors="tab:blue",
                 facecolors="tab:blue" if justified else "white")
            if s.status == "vetoed" and s.veto_block is not None:
                mark(s.veto_block, y, "vetoed", marker="x", color="tab:green", s=45, zorder=3)
            elif s.status == "applied" and s.applied_block is not None:
                mark(s.applied_block, y, "applied", marker="v", color="tab:red", s=45, zorder=3)
            elif s.status == "pending":
                x = end if end is not None else (s.last_veto_block or s.proposed_block)
                mark(x, y, "still pending when the run ended", marker=">", facecolors="white", edgecolors="tab:orange", s=60, zorder=3, linewidths=1.5)
            elif s.status in ("rejected", "dropped", "failed", "late_veto"):
                mark(s.resolved_block or s.proposed_block, y, f"{s.status}", marker="s", color="tab:gray", s=30, zorder=3)
            if getattr(s, "decision", None) == "veto_late":
                x = s.applied_block or getattr(s, "resolved_block", None) or s.proposed_block
                mark(x, y, "late veto (landed after the window: the slash applied)", s=130, facecolors="none", edgecolors="tab:purple",
                     linewidths=1.4, zorder=4)
        if end is not None:
            tick(end, top, bottom, "end of the run", color="black", lw=1.2)
        if horizon is not None:
            tick(horizon, top, bottom, "horizon (the scenario's last block)", color="tab:purple", lw=1.2, ls="--")
    ax.set_yticks(centres, [wrap(label, 40) for label, _, _ in lanes], fontsize=8)
    ax.set_ylim(span - ROW / 2 + 0.15, -ROW / 2 - 0.15)  # inverted: the first lane on top
    ax.set_xlim(0, max(far + [1]) * 1.03)
    ax.set_xlabel("block (one block = one step of the simulated chain)")
    ax.set_title(wrap(title, 90), fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    height = fig.get_size_inches()[1]
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=3, frameon=True)
    fig.tight_layout(rect=(0, min(0.5, 0.9 / height), 1, 1))  # room below the axis label for the legend
    return fig


def fig_stake(panels: Sequence[tuple[str, pd.DataFrame]], title: str, unit: str) -> Any:
    """Stake over time, one panel per arm; the ``TOP_K`` largest entities each a colour, the rest summed as "others".

    ``panels``: (arm label, frame with block, entity, value-in-tokens).
    """
    n = len(panels)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False, sharey=True)
    everything = pd.concat([p for _, p in panels]) if panels else pd.DataFrame(columns=["block", "entity", "value"])
    top = list(everything.groupby("entity")["value"].max().sort_values(ascending=False, kind="stable").index[:TOP_K]) if len(everything) else []
    colour = {e: SERIES[i] for i, e in enumerate(top)}
    for i, (label, data) in enumerate(panels):
        ax = axes[i // cols][i % cols]
        for entity in top:
            grp = data[data.entity == entity]
            if len(grp):
                ax.plot(grp.block, grp.value, color=colour[entity], label=entity, lw=1.4)
        rest = data[~data.entity.isin(top)]
        if len(rest):
            summed = rest.groupby("block")["value"].sum()
            ax.plot(summed.index, summed.values, color=OTHERS, ls="--", lw=1.4, label=f"others ({rest.entity.nunique()}, summed)")
        ax.set_title(wrap(label, 45), fontsize=9)
        ax.set_xlabel("block")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.grid(alpha=0.3)
        if i % cols == 0:
            ax.set_ylabel(f"stake ({unit})")
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis("off")
    handles, names = [], []
    for ax in axes.flat:
        for h, nm in zip(*ax.get_legend_handles_labels()):
            if nm not in names:
                handles.append(h)
                names.append(nm)
    if handles:
        fig.legend(handles, names, fontsize=8, loc="lower center", ncol=min(5, len(names)), bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
