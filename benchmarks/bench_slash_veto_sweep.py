"""Slash-veto sweep throughput: simulations per second of the stock scenario, simulation only (no
store). Prints numbers (no assertions).

Run: python benchmarks/bench_slash_veto_sweep.py [runs per arm] [workers]

The grid is 3 policies x 4 rules x 3 values of each rule's veto window: 972 combinations, of which
36 distinct arms run (a parameter only moves the rule it belongs to). Each arm runs the scenario's
24 rounds and then drains its slash queue.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from simulations import sweep as sw

SCENARIO = Path(__file__).resolve().parents[1] / "simulations" / "scenarios" / "slash-veto.yaml"
GRID = {"slash_defer_duration": [3, 7, 14], "staking_slash_defer_duration": [0, 1, 2], "symbiotic.veto_blocks": [10, 30, 50],
        "eigenlayer.veto_window_blocks": [12, 30, 60]}
POLICIES = ["never", "stock", "always"]
RULES = ["tangle_services", "substrate_staking", "symbiotic", "eigenlayer"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    tasks = sw.plan(SCENARIO.read_text(), ".yaml", {}, GRID, RULES, runs, 7, policies=POLICIES)
    arms = len({t.arm for t in tasks})
    started = time.perf_counter()
    results = sw.run_serial(tasks) if workers == 1 else sw.run_processes(tasks, workers)
    elapsed = time.perf_counter() - started
    drained = sum(r["summary"]["outcomes"]["drained_rounds"] for r in results) / len(results)
    print(f"{len(tasks)} simulations ({arms} arms x {runs} runs) on {workers} worker(s): {elapsed:.1f} s, {len(tasks) / elapsed:.1f} simulations/s; "
          f"mean drained rounds per run {drained:.1f}")


if __name__ == "__main__":
    main()
