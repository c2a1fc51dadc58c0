"""bench_vs_radcad's timed tangle-sim runs make no clock calls of their own (the radCAD side, timed
once per run, makes none): the per-era breakdown comes from separate runs that pass ``parts``, and
both kinds of run end in the same state."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_vs_radcad  # noqa: E402


def test_a_timed_run_reads_no_clock_and_a_breakdown_run_gives_the_same_balances(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float] = []
    real = bench_vs_radcad.time.thread_time
    monkeypatch.setattr(bench_vs_radcad.time, "thread_time", lambda: (calls.append(0.0), real())[1])
    plain = bench_vs_radcad.tangle_run(1, 12, 1)
    assert calls == []
    parts: dict[str, float] = {}
    broken_down = bench_vs_radcad.tangle_run(1, 12, 1, parts)
    assert len(calls) >= 2 * 12  # each era's advance, and the slashes where there are some
    assert broken_down == plain
    assert parts["slashes"] == sum(len(bench_vs_radcad.slashes(1, e + 1)) for e in range(12)) == 12
    assert parts["advance"] > 0
