"""Process-level performance settings the simulator applies for itself.

Large simulations keep millions of immutable objects alive (storage values, events, the call log).
With CPython's default garbage-collector thresholds (700, 10, 10) the collector then runs full
passes over that heap every few tens of thousands of calls and finds nothing to free: it halved
delegate throughput at 100,000 delegations. The simulator's values hold no reference cycles, so
collecting less often costs almost no memory. ``tune_gc`` raises the thresholds once, and only if
they are still CPython's defaults (a program that chose its own keeps them);
``TANGLE_SIM_DEFAULT_GC=1`` turns it off.
"""

from __future__ import annotations

import gc
import os

CPYTHON_DEFAULT = (700, 10, 10)
SIMULATOR_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> bool:
    """Raise the GC thresholds for simulation workloads; returns True if it changed them."""
    if os.environ.get("TANGLE_SIM_DEFAULT_GC") == "1":
        return False
    if gc.get_threshold() != CPYTHON_DEFAULT:
        return False
    gc.set_threshold(*SIMULATOR_THRESHOLDS)
    return True
