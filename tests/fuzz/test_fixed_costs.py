"""The runtime's fixed-cost shortcuts change nothing a fuzz campaign sees (issue 16): a seeded
campaign on a runtime that crosses idle blocks at once ends every run in the same block, state root,
event count and call log as the same campaign stepping every block, with the same outcome and
events (and their blocks) at every step; and failed calls leave nothing for the cycle collector."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import simulations.fuzz.engine as engine
import simulations.fuzz.program as program
from simulations.fuzz import FuzzConfig, run_worker


def _campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, skip: bool, steps: int = 1_500) -> tuple[list[Any], list[Any], int]:
    ends: list[Any] = []
    outcomes: list[Any] = []
    built = [0]
    build = engine.build_runtime

    def build_runtime(cfg: FuzzConfig) -> Any:
        rt = build(cfg)
        rt.skip_idle_blocks = skip
        init = rt._initialize_block

        def counting(n: int) -> None:
            built[0] += 1
            init(n)

        rt._initialize_block = counting
        return rt

    reset = engine.World.reset

    def recording_reset(self: engine.World) -> Any:
        rt = self.rt
        ends.append((rt.block_number, rt.state_root(), len(rt.event_log) + len(rt.db.events), [r.outcome for r in rt.call_log]))
        return reset(self)

    run = program.Executor.run

    def recording_run(self: program.Executor, step: list) -> str:
        out = run(self, step)
        outcomes.append((step[0], step[1] if step[0] == "wait" else step[3], out, [(e.block, e.phase, repr(e)) for e in self.last_events]))
        return out

    monkeypatch.setattr(engine, "build_runtime", build_runtime)
    monkeypatch.setattr(engine.World, "reset", recording_reset)
    monkeypatch.setattr(program.Executor, "run", recording_run)
    run_worker(FuzzConfig(seed=11, steps=steps, run_length=150, out=tmp_path, stop_on_failure=False, shrink_time=1))
    monkeypatch.undo()
    return ends, outcomes, built[0]


def test_crossing_idle_blocks_changes_no_fuzz_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stepped = _campaign(tmp_path / "a", monkeypatch, skip=False)
    skipped = _campaign(tmp_path / "b", monkeypatch, skip=True)
    assert skipped[1] == stepped[1]  # every step's outcome and events (with their blocks)
    assert skipped[0] == stepped[0]  # every run's final block, root, event count and call outcomes
    assert len(stepped[0]) >= 10 and sum(1 for kind, *_ in stepped[1] if kind == "wait") >= 100
    assert skipped[2] * 2 < stepped[2], (skipped[2], stepped[2])  # and it did cross blocks


def test_a_fuzz_campaign_leaves_little_for_the_cycle_collector(tmp_path: Path) -> None:
    # a failed call's traceback once made a reference cycle per failed call (most fuzz calls fail):
    # about 12,000 objects per 1,000 steps for the collector; building the world makes its own
    # few thousand, the same for any campaign length, so two lengths are compared
    def garbage(steps: int) -> int:
        gc.collect()
        was = gc.isenabled()
        gc.disable()
        try:
            run_worker(FuzzConfig(seed=3, steps=steps, out=tmp_path, stop_on_failure=False, shrink_time=1))
            return gc.collect()
        finally:
            if was:
                gc.enable()

    short, long = garbage(500), garbage(1_500)
    assert long - short < 1_500, (short, long)
