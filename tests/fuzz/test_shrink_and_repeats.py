"""Shrinking the same on any machine and one report per bug (new-user report 10, finding 14): the
shrinker merges adjacent time steps when the merged program still fails, and with --keep-going the
same invariant failing again is a count under its first failure, not another shrunk log."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from simulations.fuzz import FuzzConfig, World, run_worker
from simulations.fuzz.coverage import Coverage
from simulations.fuzz.engine import FoundFailure, WorkerResult
from simulations.fuzz.shrink import shrink
from simulations.fuzz.workers import CampaignResult
from simulations.stateful.invariants import ALL_INVARIANTS

sys.path.insert(0, str(Path(__file__).parent))

#: the block the planted time bug waits for: 30 blocks after the kit's world starts
_START: list[int] = []


def thirty_blocks_pass(rt: Any, ledger: Any) -> None:
    """A planted 'bug' that only time reaches: the chain is 30 blocks past the start."""
    if not _START:
        _START.append(rt.block_number)
    assert rt.block_number < _START[0] + 30, f"block {rt.block_number}"


def test_adjacent_waits_are_merged_when_the_merged_program_still_fails() -> None:
    world = World(FuzzConfig(invariants=[thirty_blocks_pass]))
    program = [["wait", 10], ["call", "Alice", "System", "remark", {"remark": "0x00"}], ["wait", 20]]
    _, failure = world.execute(program)
    assert failure is not None and failure.key == ("invariant", "thirty_blocks_pass")
    best = shrink(world, program, failure.key, deadline=time.monotonic() + 60, max_candidates=400)
    assert best == [["wait", 30]], best  # was [["wait", 10], ["wait", 20]]: the remark went, the waits stayed apart
    _, again = world.execute(best)
    assert again is not None and again.key == failure.key


def test_keep_going_counts_the_same_invariant_under_its_first_failure(tmp_path: Path) -> None:
    cfg = FuzzConfig(seed=2, steps=4_000, runtime="worlds:squaring_world", invariants=[*ALL_INVARIANTS, "worlds:results_are_squares"],
                     out=tmp_path, stop_on_failure=False, shrink_candidates=150, run_length=100)
    result = run_worker(cfg)
    keys = [(f.kind, f.what) for f in result.failures]
    assert len(keys) == len(set(keys)), keys  # one failure per distinct check
    [squares] = [f for f in result.failures if f.what == "results_are_squares"]
    assert squares.repeats >= 2, squares.repeats  # found again and again: counted, not saved again
    assert sorted(p.name for p in tmp_path.glob("*results_are_squares*.jsonl")) == [
        "fuzz-invariant-results_are_squares.jsonl", "fuzz-invariant-results_are_squares.program.jsonl"]


def _found(what: str, log: str, repeats: int = 0) -> FoundFailure:
    return FoundFailure("invariant", what, "m", [], [], Path(log), None, 0.0, 0.0, 1, repeats=repeats)


def test_a_campaign_folds_another_workers_find_of_the_same_check_into_the_first() -> None:
    result = CampaignResult(FuzzConfig(workers=2))
    result.workers = [WorkerResult(1, 10, 1, 1.0, Coverage(), [_found("a", "w1-a.jsonl", repeats=3)], 0, {}),
                      WorkerResult(0, 10, 1, 1.0, Coverage(), [_found("a", "w0-a.jsonl", repeats=1), _found("b", "w0-b.jsonl")], 0, {})]
    folded = result.failures
    assert [(f.what, f.repeats, str(f.log), [str(p) for p in f.other_logs]) for f in folded] == [
        ("a", 1 + 1 + 3, "w0-a.jsonl", ["w1-a.jsonl"]), ("b", 0, "w0-b.jsonl", [])]
    assert result.failures[0].repeats == 5 and [w.failures[0].repeats for w in result.workers] == [3, 1]  # reading twice folds once; workers untouched
    assert result.saved == 3
