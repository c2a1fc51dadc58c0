"""Which outcome a runs frame records, in which unit: the report asks here instead of assuming.

Runs frames (one row per run of an arm) come from several generations of the lab: older stores hold
``loss_<role>_<asset>`` as exact ints in base units; newer ones hold ``*_base`` ints, the same name
without ``_base`` in whole tokens, ``*_value`` in the scenario's numeraire, and the ground-truth and
censoring counts (``honest_slashed``, ``faulty_escaped``, ``pending_at_end``...). A figure or a table
cell whose column is absent says "not recorded by this run" instead of drawing a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

NOT_RECORDED = "not recorded by this run"
ROLE_ORDER = ("operator", "delegator", "validator", "nominator", "pool_member", "pool", "requester", "other")


@dataclass(frozen=True)
class Measure:
    """One column people compare: its label, unit and which end is better."""

    column: str
    label: str
    unit: str
    better: str = "lower"  # lower | higher
    scale: float = 1.0  # divide the column by this for display (base units -> tokens)

    @property
    def axis(self) -> str:
        return f"{self.label} ({self.unit})"


@dataclass
class Catalogue:
    """What a runs frame holds, discovered from its columns."""

    numeraire: str | None
    honest: Measure | None
    honest_count: Measure | None
    faulty: Measure | None
    pending: Measure | None
    pending_value: Measure | None
    total_loss: Measure | None
    role_losses: list[Measure] = field(default_factory=list)  # per role in the numeraire
    asset_losses: list[Measure] = field(default_factory=list)  # per (role, asset) in whole tokens
    missing: list[str] = field(default_factory=list)  # what the report would show but this run did not record
    applied: Measure | None = None  # slashes applied per run (a count every store records)
    unpriced: str | None = None  # why values in the numeraire are left out (some runs hold assets without a price)

    def primary(self) -> tuple[Measure, str]:
        """The headline ranking measure, and a sentence saying why that one."""
        if self.honest is not None:
            return self.honest, "arms ranked by what honest operators (and their delegators) lost to unjustified slashes (lower is better)"
        if self.honest_count is not None:
            why = "arms ranked by the number of honest operators' slashes applied (lower is better)"
            if self.unpriced:
                why += f"; not by their value: {self.unpriced}"
            return self.honest_count, why
        fallback = self.total_loss or (self.asset_losses[0] if self.asset_losses else None)
        if fallback is None and self.applied is not None:
            return self.applied, (f"ground truth (honest operators slashed) is {NOT_RECORDED} and no run recorded a loss: "
                                  "arms listed by the number of slashes applied")
        if fallback is None:
            raise ValueError("the runs frame records no outcome to rank arms by")
        return fallback, (f"ground truth (honest operators slashed) is {NOT_RECORDED}: arms ranked by {fallback.label} instead, "
                          "which mixes deserved and undeserved slashes (lower is not necessarily better)")


def _first(frame: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def catalogue(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None) -> Catalogue:
    """Discover the measures a runs frame records (``decimals``: per asset symbol, for base units)."""
    decimals = dict(decimals or {"TNT": 18})
    numeraire = None
    if "numeraire" in frame.columns and frame["numeraire"].notna().any():
        numeraire = str(frame["numeraire"].dropna().iloc[0])
    cur = numeraire or "numeraire"
    missing: list[str] = []

    # a value in the numeraire is missing (NaN) in a run whose losses include an asset without a price:
    # averaging the other runs would compare a selection of runs, so such a measure is left out whole
    value_cols = [c for c in frame.columns if str(c).endswith("_value")]
    unpriced_runs = int(frame[value_cols].isna().any(axis=1).sum()) if value_cols else 0
    unpriced = (f"{unpriced_runs} of {len(frame)} runs lost assets that have no price in the scenario (set prices: to compare values)"
                if unpriced_runs else None)

    def measure(col: str | None, label: str, unit: str, what: str, better: str = "lower") -> Measure | None:
        if col is None:
            missing.append(what)
            return None
        if unpriced and col.endswith("_value") and frame[col].isna().any():
            missing.append(f"{what}: {unpriced}")
            return None
        return Measure(col, label, unit, better)

    honest = measure(_first(frame, "honest_slashed_value"), "value taken from honest operators and their delegators", f"{cur} per run",
                     "value of honest operators' slashes")
    honest_count = measure(_first(frame, "honest_slashed"), "honest operators' slashes applied", "count per run", "honest operators slashed (ground truth)")
    faulty = measure(_first(frame, "faulty_escaped"), "faulty operators' slashes escaped", "count per run", "faulty operators escaped (ground truth)")
    pending = measure(_first(frame, "pending_at_end"), "slashes still pending at the end", "count per run", "slashes pending at the end")
    pending_value = measure(_first(frame, "pending_value", "value_at_risk"), "value at risk in pending slashes", f"{cur} per run", "value at risk in pending slashes")
    total = measure(_first(frame, "loss_total_value"), "total loss, all roles and assets", f"{cur} per run", "total loss in one numeraire")

    role_losses = []
    for col in frame.columns:
        m = re.fullmatch(r"loss_(.+)_value", str(col))
        if m and col != "loss_total_value" and not frame[col].isna().any():
            role_losses.append(Measure(col, f"{m.group(1)} loss", f"{cur} per run"))
    if not role_losses:
        missing.append("losses per role in one numeraire (" + (unpriced or "no prices") + ")")
    asset_losses = []
    for col in frame.columns:
        m = re.fullmatch(r"loss_(.+)_([A-Za-z0-9]+)", str(col))
        if not m or col.endswith("_value") or col.endswith("_base"):
            continue
        role, asset = m.groups()
        if f"{col}_base" in frame.columns:  # newer frames: this column is already whole tokens
            asset_losses.append(Measure(col, f"{role} loss in {asset}", f"{asset} per run"))
        else:  # older frames: exact ints in base units
            asset_losses.append(Measure(col, f"{role} loss in {asset}", f"{asset} per run", scale=float(10 ** decimals.get(asset, 0))))
    asset_losses.sort(key=lambda m: (_role_rank(m.column), m.column))
    role_losses.sort(key=lambda m: (_role_rank(m.column), m.column))
    applied = Measure("applied", "slashes applied", "count per run") if "applied" in frame.columns else None
    return Catalogue(numeraire, honest, honest_count, faulty, pending, pending_value, total, role_losses, asset_losses, missing, applied, unpriced)


# outcome columns that count or measure something that cannot be negative: a mean's interval is
# clipped at 0 for them (the true mean lies in [0, inf), so intersecting a valid interval with that
# range keeps its coverage; a t interval below 0 only says the normal approximation is poor)
_NONNEGATIVE = re.compile(
    r"loss_.+|.+_(value|base|count|blocks|rounds)|honest_slashed.*|faulty_escaped.*|pending.*|value_at_risk|applied|vetoed|rejected|dropped|failed"
    r"|late_vetoes.*|vetoes_.*|window_.*|time_to_.*|calls|requests_.*|landed.*|enacted.*|started.*")


def lower_bound(column: str) -> float | None:
    """The smallest value ``column`` can take (0 for the lab's counts, losses and durations), or None."""
    return 0.0 if _NONNEGATIVE.fullmatch(str(column)) else None


# columns that hold a share (0..1) per run: a mean's interval is clipped at 1 for them as well
_SHARE = re.compile(r"share_.*|.*_share|.*_(rate|ratio|fraction)")


def upper_bound(column: str) -> float | None:
    """The largest value ``column`` can take (1 for shares), or None."""
    return 1.0 if _SHARE.fullmatch(str(column)) else None


def _role_rank(column: str) -> int:
    for i, role in enumerate(ROLE_ORDER):
        if column.startswith(f"loss_{role}_"):
            return i
    return len(ROLE_ORDER)

