"""Reports of stored runs and sweeps: matplotlib figures (PNG) and one self-contained HTML page.

Figures: stake per operator over time (one panel per arm), the slash timeline (proposal, the veto
window up to the last veto block, veto or application), the distribution of delegator losses
(across delegators for a run, across Monte Carlo runs for a sweep), and veto policy / rule vs
losses. Values are exact ints in the store; they become floats (TNT) only here, for plotting.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from simulations.store import RunStore  # noqa: E402

UNIT = 10**18


def metrics_frame(store: RunStore, arm_ids: list[int]) -> pd.DataFrame:
    rows = [{"arm_id": m.arm_id, "round": m.round, "block": m.block, "entity": m.entity, "role": m.role, "metric": m.metric, "asset": m.asset,
             "value": m.value} for m in store.metrics(arm_ids)]
    return pd.DataFrame(rows, columns=["arm_id", "round", "block", "entity", "role", "metric", "asset", "value"])


def sweep_frame(store: RunStore, run_id: int) -> pd.DataFrame:
    """The sweep's DataFrame rebuilt from the store (same columns as :func:`simulations.sweep.to_frame`)."""
    rows = []
    for arm in store.arms(run_id):
        s = json.loads(arm.summary_json or "{}")
        if not s:
            continue
        counts = s["slashes"]
        row = {**json.loads(arm.params_json), "rule": arm.rule, "run_index": arm.run_index, "seed": arm.seed, "proposed": sum(counts.values()),
               "vetoed": counts.get("vetoed", 0), "applied": counts.get("applied", 0), "late_vetoes": s["vetoes_late"], "window_mean": s["window_blocks_mean"],
               "state_root": arm.state_root}
        for key, value in s["losses"].items():
            role, asset = key.split(":")
            row[f"loss_{role}_{asset}"] = value
        rows.append(row)
    frame = pd.DataFrame(rows)
    for col in frame.columns:
        if col.startswith("loss_"):
            frame[col] = frame[col].fillna(0).astype(object).map(int)
    return frame


def _png(fig: Any, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = buf.getvalue()
    path.write_bytes(data)
    return base64.b64encode(data).decode()


def _tnt(v: Any) -> float:
    return int(v) / UNIT


# ---------------------------------------------------------------------------------------- figures
STAKE_SERIES = (("operator", "stake"), ("validator", "bonded"), ("pool", "active"))


def fig_stake(store: RunStore, arms: list[Any], metrics: pd.DataFrame) -> Any:
    """One panel per arm: operators' self-stake, validators' bonded TNT and LST pools' active stake."""
    n = len(arms)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.4 * rows), squeeze=False, sharey=True)
    mask = pd.Series(False, index=metrics.index)
    for role, metric in STAKE_SERIES:
        mask |= (metrics.role == role) & (metrics.metric == metric)
    stake = metrics[mask]
    for i, arm in enumerate(arms):
        ax = axes[i // cols][i % cols]
        data = stake[stake.arm_id == arm.id]
        for (role, entity), grp in data.groupby(["role", "entity"]):
            ax.plot(grp.block, [_tnt(v) for v in grp.value], label=f"{entity} ({role})", marker=".")
        ax.set_title(arm.label, fontsize=9)
        ax.set_xlabel("block")
        ax.grid(alpha=0.3)
        if i == 0 and len(data):
            ax.legend(fontsize=7)
    axes[0][0].set_ylabel("stake (TNT)")
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle("Stake per operator (self-stake), validator (bonded) and pool (active) over time")
    fig.tight_layout()
    return fig


def fig_timeline(store: RunStore, arms: list[Any]) -> Any:
    fig, ax = plt.subplots(figsize=(10, 0.6 * len(arms) + 1.5))
    labels = []
    for y, arm in enumerate(arms):
        labels.append(arm.label)
        for s in store.slashes(arm.id):
            if s.proposed_block is None:
                continue
            if s.last_veto_block is not None:
                ax.plot([s.proposed_block, s.last_veto_block], [y, y], color="0.75", lw=4, solid_capstyle="butt", zorder=1)
            ax.scatter([s.proposed_block], [y], marker="o", color="tab:blue", zorder=2, s=20, label="proposed")
            if s.status == "vetoed" and s.veto_block is not None:
                ax.scatter([s.veto_block], [y], marker="x", color="tab:green", zorder=3, s=40, label="vetoed")
            elif s.status == "applied" and s.applied_block is not None:
                ax.scatter([s.applied_block], [y], marker="v", color="tab:red", zorder=3, s=40, label="applied")
            elif s.status in ("rejected", "dropped", "failed"):
                ax.scatter([s.proposed_block], [y], marker="s", color="tab:gray", zorder=3, s=30, label=s.status)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("block (grey bar: the veto window, proposal to the last block a veto can land)")
    handles, names = ax.get_legend_handles_labels()
    uniq = dict(zip(names, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Slashes proposed / vetoed / applied")
    ax.grid(axis="x", alpha=0.3)
    return fig


def fig_delegator_losses_run(store: RunStore, arms: list[Any]) -> Any:
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(arms)), 3.5))
    data, labels = [], []
    for arm in arms:
        losses = [_tnt(r.loss) for r in store.losses([arm.id]) if r.role in ("delegator", "pool_member") and r.asset == "TNT"]
        data.append(losses or [0.0])
        labels.append(arm.label)
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(labels) + 1), labels, rotation=20, fontsize=8)
    ax.set_ylabel("loss per delegator / pool member (TNT)")
    ax.set_title("Delegator losses (distribution across delegators and LST pool members)")
    ax.grid(axis="y", alpha=0.3)
    return fig


def fig_policy_vs_losses_run(store: RunStore, arms: list[Any]) -> Any:
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(arms)), 3.5))
    ops, dels, vetoed = [], [], []
    for arm in arms:
        s = json.loads(arm.summary_json or "{}")
        losses = s.get("losses", {})
        ops.append(_tnt(losses.get("operator:TNT", 0)))
        dels.append(_tnt(losses.get("delegator:TNT", 0)) + _tnt(losses.get("pool:TNT", 0)))
        vetoed.append(s.get("slashes", {}).get("vetoed", 0))
    x = range(len(arms))
    ax.bar([i - 0.2 for i in x], ops, width=0.4, label="operators")
    ax.bar([i + 0.2 for i in x], dels, width=0.4, label="delegators + pools")
    for i, v in enumerate(vetoed):
        ax.annotate(f"{v} vetoed", (i, max(ops[i], dels[i])), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(x), [a.label for a in arms], rotation=20, fontsize=8)
    ax.set_ylabel("TNT slashed")
    ax.set_title("Veto rule and policy vs losses")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig


def fig_sweep_losses(frame: pd.DataFrame, keys: list[str]) -> Any:
    groups = list(frame.groupby(keys + ["rule"], sort=True)) if keys else list(frame.groupby(["rule"], sort=True))
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(groups)), 3.8))
    col = "loss_delegator_TNT" if "loss_delegator_TNT" in frame else None
    data = [[_tnt(v) for v in (grp[col] if col else [0])] for _, grp in groups]
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(groups) + 1), [" ".join(str(k) for k in (key if isinstance(key, tuple) else (key,))) for key, _ in groups], rotation=30, fontsize=7, ha="right")
    ax.set_ylabel("delegators' total loss per run (TNT)")
    ax.set_title("Delegator losses across Monte Carlo runs")
    ax.grid(axis="y", alpha=0.3)
    return fig


def fig_sweep_policy(frame: pd.DataFrame, keys: list[str]) -> Any:
    fig, ax = plt.subplots(figsize=(7, 3.8))
    x_key = keys[0] if keys else None
    for rule, grp in frame.groupby("rule", sort=True):
        if x_key is not None:
            means = grp.groupby(x_key)["loss_delegator_TNT" if "loss_delegator_TNT" in grp else "applied"].apply(lambda s: sum(_tnt(v) for v in s) / len(s))
            ax.plot([str(i) for i in means.index], means.values, marker="o", label=rule)
        else:
            ax.bar([rule], [sum(_tnt(v) for v in grp.get("loss_delegator_TNT", [0])) / max(len(grp), 1)], label=rule)
    ax.set_xlabel(x_key or "rule")
    ax.set_ylabel("mean delegator loss per run (TNT)")
    ax.set_title("Veto rule / parameter vs losses")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


# ---------------------------------------------------------------------------------------- pages
def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def run_rows(store: RunStore, run_id: int) -> list[dict[str, Any]]:
    rows = []
    for arm in store.arms(run_id):
        s = json.loads(arm.summary_json or "{}")
        counts = s.get("slashes", {})
        losses = s.get("losses", {})
        rows.append({"arm": arm.label, "status": arm.status, "rounds committed": arm.last_round + 1, "proposed": sum(counts.values()),
                     "vetoed": counts.get("vetoed", 0), "applied": counts.get("applied", 0), "late vetoes": s.get("vetoes_late", "-"),
                     "mean veto window (blocks)": "-" if s.get("window_blocks_mean") is None else f"{s['window_blocks_mean']:.1f}",
                     "operator loss (TNT)": f"{_tnt(losses.get('operator:TNT', 0)):,.2f}", "delegator loss (TNT)": f"{_tnt(losses.get('delegator:TNT', 0)):,.2f}",
                     "pool loss (TNT)": f"{_tnt(losses.get('pool:TNT', 0)):,.2f}", "state root": (arm.state_root or "")[:18]})
    return rows


CSS = "body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;font-size:13px;margin:1em 0}" \
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}img{max-width:100%;margin:1em 0}"


def write_report(store: RunStore, run_id: int, out_dir: str | Path, fmt: str = "html") -> list[Path]:
    """Write the figures (PNG) and, for ``html``/``both``, ``report.html``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run = store.run(run_id)
    arms = store.arms(run_id)
    images: list[tuple[str, str]] = []
    files: list[Path] = []

    def add(name: str, title: str, fig: Any) -> None:
        path = out / f"{name}.png"
        images.append((title, _png(fig, path)))
        files.append(path)

    tables = ""
    if run.kind == "sweep":
        frame = sweep_frame(store, run_id)
        info = json.loads(run.info_json or "{}")
        keys = sorted(info.get("grid", {}))
        add("delegator_losses", "Delegator losses across runs", fig_sweep_losses(frame, keys))
        add("policy_vs_losses", "Rule / parameter vs losses", fig_sweep_policy(frame, keys))
        grouped = frame.groupby(keys + ["rule"], sort=True) if keys else frame.groupby(["rule"], sort=True)
        rows = []
        for key, grp in grouped:
            key = key if isinstance(key, tuple) else (key,)
            dl = [_tnt(v) for v in grp.get("loss_delegator_TNT", [0] * len(grp))]
            rows.append({**dict(zip(keys + ["rule"], key)), "runs": len(grp), "mean vetoed": f"{grp.vetoed.mean():.2f}", "mean applied": f"{grp.applied.mean():.2f}",
                         "mean delegator loss (TNT)": f"{sum(dl) / len(dl):,.2f}", "max delegator loss (TNT)": f"{max(dl):,.2f}"})
        tables = "<h2>Summary</h2>" + _table(rows)
        csv = out / "sweep.csv"
        frame.to_csv(csv, index=False)
        files.append(csv)
    else:
        metrics = metrics_frame(store, [a.id for a in arms])
        add("stake_per_operator", "Stake per operator over time", fig_stake(store, arms, metrics))
        add("slash_timeline", "Slashes proposed / vetoed / applied", fig_timeline(store, arms))
        add("delegator_losses", "Delegator losses", fig_delegator_losses_run(store, arms))
        add("policy_vs_losses", "Rule and policy vs losses", fig_policy_vs_losses_run(store, arms))
        tables = "<h2>Summary</h2>" + _table(run_rows(store, run_id))
        diff = json.loads(run.info_json or "{}").get("branch_difference")
        if diff:
            tables += "<h2>What-if: the fork slash vetoed vs applied</h2>" + _table([
                {**d, **{k: (f"{_tnt(d[k]):,.4f}" if d["asset"] == "TNT" else f"{d[k]:,}") for k in ("loss_no_veto", "loss_veto", "saved_by_veto")}} for d in diff])
        for arm in arms:
            log = store.call_log(arm.id)
            if log:
                path = out / f"calls-arm{arm.id}.jsonl"
                path.write_text("\n".join(log) + "\n")
                files.append(path)
    if fmt in ("html", "both"):
        body = "".join(f"<h2>{html.escape(t)}</h2><img alt='{html.escape(t)}' src='data:image/png;base64,{b}'>" for t, b in images)
        page = (f"<!doctype html><html><head><meta charset='utf-8'><title>tangle-sim {run.kind} {run_id}: {html.escape(run.scenario_name)}</title>"
                f"<style>{CSS}</style></head><body><h1>tangle-sim {run.kind} {run_id}: {html.escape(run.scenario_name)}</h1>"
                f"<p>status: {html.escape(run.status)}; seed {run.seed}; reproduce: <code>{html.escape(run.command)}</code></p>{tables}{body}</body></html>")
        path = out / "report.html"
        path.write_text(page)
        files.append(path)
    return files  # the PNGs stay next to the page in every format (handy for slides)
