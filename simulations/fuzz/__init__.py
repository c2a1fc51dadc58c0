"""A native call-sequence fuzzer for the runtime (``tangle-sim fuzz``): calls drawn straight from the
runtime's call specs, time, bad input, swarm testing, incremental invariants, coverage with an
on-disk corpus, delta-debugging shrinking to a call log that ``tangle-sim replay`` re-checks, and one
process per core. No Hypothesis in the loop.

    from simulations.fuzz import FuzzConfig, fuzz
    result = fuzz(FuzzConfig(seed=1, steps=50_000, workers=2))
    result.failures           # each with its shrunk program and saved log
"""

from simulations.fuzz.engine import FuzzConfig, FoundFailure, WorkerResult, World, run_worker
from simulations.fuzz.workers import CampaignResult, fuzz

__all__ = ["FuzzConfig", "FoundFailure", "WorkerResult", "World", "run_worker", "fuzz", "CampaignResult"]
