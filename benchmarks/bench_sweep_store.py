"""Sweep throughput end to end: ``tangle-sim sweep`` of a small scenario, simulated on a process
pool and stored (SQLite, or PostgreSQL with --store URL). Prints numbers (no assertions).

Run: python benchmarks/bench_sweep_store.py [--runs 100] [--workers 2] [--store URL] [--scenario PATH] [--repeat 3]

Wall-clock time of the whole command (imports, planning, simulating, storing, summary): since
sweeps commit each task as it finishes (issue 14), storing overlaps simulating, so only the
end-to-end time compares fairly with a version that stored everything at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100, help="Monte Carlo runs per rule")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--store", default=None, help="a SQLAlchemy URL (default: a fresh SQLite file per repeat)")
    ap.add_argument("--scenario", default=str(ROOT / "tests" / "simulations" / "data" / "tiny.yaml"))
    ap.add_argument("--rules", default="tangle_services,eigenlayer")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rules = args.rules.split(",")
    n = args.runs * len(rules)
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            store = args.store or str(Path(tmp) / "runs.db")
            cmd = [sys.executable, "-m", "simulations.cli", "sweep", args.scenario, "--runs", str(args.runs), "--workers", str(args.workers),
                   "--store", store, "--no-progress"] + [a for r in rules for a in ("--rule", r)]
            started = time.perf_counter()
            out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True).stdout
            wall = time.perf_counter() - started
            m = re.search(r"(\d+) simulations in ([\d.]+)s", " ".join(out.split()))
            inner = f"; the command's own timer {m.group(2)} s" if m else ""
            print(f"repeat {i + 1}: {n} runs in {wall:.2f} s wall = {n / wall:.1f} runs/s end to end{inner}")


if __name__ == "__main__":
    main()
