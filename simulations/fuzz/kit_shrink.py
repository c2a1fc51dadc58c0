"""Shrink a failure of the Hypothesis kit at the level of calls, with the fuzz engine's shrinker.

Hypothesis shrinks a state machine's failure by re-running it from its rule choices: hundreds of
examples, each up to ``stateful_step_count`` steps of rule drawing, dispatch and every invariant.
The docs example's planted bug took 337 s to shrink that way (world construction per example was
~0.7 s of each re-run; the rest was steps: a shrink attempt that no longer fails runs to full
length, and the shrinker steers rule choices toward the first rule in Hypothesis's order, a
whole-era time step). What the user gets at the end is a call log.

So the kit can shrink the call log instead: the failing example's calls (after the machine's
setup) become a fuzz program (calls at their blocks, time steps in between), which
:func:`simulations.fuzz.shrink.shrink` delta-debugs from a snapshot of the machine's starting
world with the machine's own invariants, each candidate costing one snapshot restore and its calls.
A failure that the calls alone do not reproduce (a rule's own assertion about what it expected)
returns None, and the caller falls back to Hypothesis's shrinking.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime import Runtime
from runtime.calllog import write_log
from simulations.fuzz.checks import InvariantSet
from simulations.fuzz.program import Executor, Failure, Step
from simulations.fuzz.shrink import shrink


def program_of(calls: list[Any], start_block: int, end_block: int) -> list[Step]:
    """Call records made after a world's setup (which ended in ``start_block``) as a program: a time
    step before each call in a later block, and one to ``end_block`` at the end (hooks may be what
    failed)."""
    program: list[Step] = []
    block = start_block
    for record in calls:
        data = record.to_json()
        if data["block"] > block:
            program.append(["wait", data["block"] - block])
            block = data["block"]
        program.append(["call", data["origin"], data["call_module"], data["call_function"], data["call_params"]])
    if end_block > block:
        program.append(["wait", end_block - block])
    return program


class SnapshotWorld:
    """A starting runtime (restored from ``snapshot`` before every run) and the invariants to check:
    what :func:`simulations.fuzz.shrink.shrink` needs of a world."""

    def __init__(self, rt: Runtime, snapshot: Any, invariants: list[Any], full_every: int = 64) -> None:
        self.rt = rt
        self.snapshot = snapshot
        self.invariants = invariants
        self.full_every = full_every

    def execute(self, program: list[Step], derived: Any = None) -> tuple[Executor, Failure | None]:
        self.rt.restore(self.snapshot)
        ex = Executor(self.rt, InvariantSet(self.invariants), self.full_every)
        return ex, ex.run_all(program, derived=derived)


@dataclass
class ShrunkFailure:
    failure: Failure
    original: int
    shrunk: list[Step]
    seconds: float
    log: Path

    def message(self) -> str:
        calls = sum(1 for s in self.shrunk if s[0] == "call")
        return (f"{self.failure.kind} {self.failure.what} fails: {self.failure.message}\n"
                f"(shrunk from {self.original} steps to {len(self.shrunk)}: {calls} calls, in {self.seconds:.1f} s; "
                f"the minimal call log is {self.log})")


def shrink_kit_failure(world: SnapshotWorld, program: list[Step], log_path: Path, checks: Any, budget: float = 60.0,
                       max_candidates: int = 2_000, runtime: Any = None) -> ShrunkFailure | None:
    """Shrink ``program`` (a failing example's calls) and write the minimal call log to ``log_path``;
    None when the program does not fail on its own (then nothing is written). The candidate budget
    is what normally ends a shrink that does not reach its fixpoint (the same on any machine);
    ``budget`` seconds is a backstop. ``runtime``: the log's runtime line (a machine's own
    ``make_runtime``, :func:`simulations.stateful.core.runtime_record`)."""
    started = time.monotonic()
    _, failure = world.execute(program)
    if failure is None:
        return None
    best = shrink(world, program[:failure.step + 1], failure.key, deadline=started + budget, max_candidates=max_candidates)
    _, final = world.execute(best)
    if final is None or final.key != failure.key:  # pragma: no cover - shrink keeps only candidates that fail so
        return None
    from simulations.fuzz.engine import log_parts

    records, tail = log_parts(world, best, final)  # a failing call the call records cannot show rides as a step line
    write_log(world.rt, log_path, checks=checks, runtime=runtime, records=records, tail=tail)
    return ShrunkFailure(final, len(program), best, time.monotonic() - started, log_path)
