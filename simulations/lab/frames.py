"""pandas DataFrames of runs: one row per run (a sweep's table), and for one run its per-round
metrics, its slashes with their labels and timings, and its losses per role and asset.

Amounts: ``*_base`` columns are exact ints in base units (dtype object: u128 does not fit int64);
the same name without ``_base`` is a float in whole tokens; ``*_value`` is a float in the
scenario's numeraire (``numeraire`` column). Counts are ints, and a run that ended with slashes
still pending says so in ``pending_at_end`` (and ``pending_value``), never as a zero loss.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import pandas as pd

from simulations.lab.outcomes import run_row

BASE_SUFFIX = "_base"


def _object_ints(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if col.endswith(BASE_SUFFIX):
            frame[col] = pd.Series([0 if v is None or (isinstance(v, float) and v != v) else int(v) for v in frame[col]], index=frame.index, dtype=object)
    return frame


def run_frame(results: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per run: ``arm``, ``rule``, the arm's policy and parameters, ``run_index``, ``seed``,
    the ground-truth counts, censoring, and losses per role and asset."""
    rows = []
    for r in results:
        s = r["summary"]
        row: dict[str, Any] = {"arm": r.get("arm") or r["rule"], "rule": r["rule"], **r["point"], "run_index": int(r["run_index"]), "seed": int(r["seed"]),
                               "window_mean": s["window_blocks_mean"], **run_row(s["outcomes"]), "state_root": r["state_root"]}
        rows.append(row)
    return _object_ints(pd.DataFrame(rows))


def slashes_frame(slashes: list[dict[str, Any]], decimals: dict[str, int], arm: str) -> pd.DataFrame:
    """One row per proposed (or detected) slash: who, how much, the label, the timings in blocks,
    the outcome and what it took per asset."""
    rows = []
    for s in slashes:
        amounts = {k: int(v) for k, v in json.loads(s.get("amounts_json") or "{}").items()}
        row = {"arm": arm, **{k: v for k, v in s.items() if k not in ("amounts_json", "amount")}, "justified": bool(s["justified"]),
               "disputed": bool(s["disputed"])}
        row["resolution_blocks"] = (s["closed_block"] - s["proposed_block"]) if s.get("closed_block") is not None and s.get("proposed_block") is not None else None
        for sym, dec in decimals.items():
            row[f"taken_{sym}_base"] = amounts.get(sym, 0)
            row[f"taken_{sym}"] = amounts.get(sym, 0) / 10 ** dec
        rows.append(row)
    return _object_ints(pd.DataFrame(rows))


def losses_frame(outcome: dict[str, Any], arm: str) -> pd.DataFrame:
    """One row per (role, asset): ``loss_base`` (int), ``loss`` (whole tokens), ``loss_value`` (numeraire)."""
    rows = [{"arm": arm, "role": r["role"], "asset": r["asset"], "loss_base": r["base"], "loss": r["tokens"], "loss_value": r["value"],
             "numeraire": outcome["numeraire"], "in_total": r["in_total"]} for r in outcome["losses_by_role"]]
    return _object_ints(pd.DataFrame(rows))


def rounds_frame(commits: list[Any], decimals: dict[str, int], arm: str) -> pd.DataFrame:
    """Per-round metrics (long format): round, block, entity, role, metric, asset, ``value_base``
    (exact int; a count where the asset is ``-``) and ``value`` in whole tokens."""
    rows = []
    for c in commits:
        for m in c.metrics:
            dec = decimals.get(m.asset)
            rows.append({"arm": arm, "round": c.round, "block": c.block, "entity": m.entity, "role": m.role, "metric": m.metric, "asset": m.asset,
                         "value_base": m.value, "value": (m.value / 10 ** dec) if dec is not None else float(m.value)})
    return _object_ints(pd.DataFrame(rows, columns=["arm", "round", "block", "entity", "role", "metric", "asset", "value_base", "value"]))
