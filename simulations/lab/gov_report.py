"""Per veto path: the share of the vetoes governance wanted that landed before the slash applied.

    PYTHONPATH=$PWD python3 -m simulations.lab.gov_report simulations/scenarios/governance-timing.yaml --runs 200

Runs the scenario's arms (its ``arms:`` list, or ``--param governance.path=sudo,referendum_instant``
as ``tangle-sim sweep`` takes it) on common seeds, in worker processes, and prints
:func:`simulations.lab.summary.governance_table`: share landed with its Wilson interval and the
number of vetoes and runs, how many were late / failed (and why) / still pending at the horizon
and, when the runs were drained past it (``end.pending: drain``), how long they went on and what was
still pending after (censored), and the lateness and the window each path would have needed. Nothing is stored (the
same arms through ``tangle-sim sweep`` are stored and resumable); ``--out`` writes the run frame.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from simulations.lab.arms import ArmError, declared_arms, grid_arms
from simulations.lab.frames import run_frame
from simulations.lab.summary import governance_cells, governance_table


def run(scenario: str, runs: int, params: list[str], workers: int | None) -> pd.DataFrame:
    """The run frame of the scenario's arms (or the ``--param`` grid) over ``runs`` common seeds."""
    from simulations import sweep as sw
    from simulations.runner import load_for_run

    grid = sw.parse_grid(params)
    sc, text = load_for_run(scenario, {}, None)
    if sc.arms and not params:
        arms = declared_arms(sc)
    else:
        arms, _ = grid_arms(sc, list(sc.rules), grid)
    for arm in arms:
        load_for_run(scenario, arm.overrides(), None, text=text)
    tasks = sw.plan(text, Path(scenario).suffix or ".yaml", {}, grid, list(sc.rules), runs, sc.seed, arms=arms)
    results = sw.run_serial(tasks) if workers == 1 else sw.run_processes(tasks, workers)
    return run_frame(results)


def _bounded(r: dict) -> str:
    """Late vetoes whose lateness is only a lower bound (their slash applied while the process was
    open and the run stopped before it ended): the figure is at least this, never "only 3 blocks late"."""
    n = r.get("late_bounded") or 0
    return f" (≥: {n} of {r['late']} are lower bounds, the process still open when the run stopped)" if n else ""


def _blocks(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    return f"{int(value):,} ({value * 6 / 3600:.1f} h)"


def render(table: pd.DataFrame) -> str:
    """The table as Markdown (README-ready): one line per path."""
    conf = int(round(table.attrs.get("confidence", 0.95) * 100))
    lines = [f"| path | landed before the slash, of the resolved ({conf}% CI; pending censored) | vetoes wanted | late | failed | pending: at horizon, drain, after | lateness median / max (blocks, 6 s) | window needed, max | why not |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        cells = governance_cells(r)  # the lateness here also in hours (README tables)
        arm = f"{r['arm']} ({r['path']})" if r.get("split") else r["arm"]
        lines.append(f"| {arm} | {cells['share']} | {cells['vetoes']} | {r['late']} | {r['failed']} | {cells['pending']} "
                     f"| {_blocks(r['lateness_median'])} / {_blocks(r['lateness_max'])}{_bounded(r)} | {_blocks(r['needed_window_max'])} | {cells['why_not']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m simulations.lab.gov_report", description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--param", action="append", default=[], help="KEY=V1,V2 (as tangle-sim sweep); default: the scenario's arms")
    ap.add_argument("--workers", type=int, default=None, help="processes (default: every core; 1 = in this process)")
    ap.add_argument("--out", default=None, help="write the run frame (.csv or .parquet)")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.runs > 100_000:
        print("--runs must be between 1 and 100,000", file=sys.stderr)
        return 2
    try:
        frame = run(args.scenario, args.runs, args.param, args.workers)
    except (ArmError, ValueError) as exc:
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    if args.out:
        out: Any = Path(args.out)
        frame.to_parquet(out) if out.suffix == ".parquet" else frame.to_csv(out, index=False)
    print(render(governance_table(frame)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
