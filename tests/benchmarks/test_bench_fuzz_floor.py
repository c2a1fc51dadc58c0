"""bench_fuzz --floor: the whole engine is measured like the layers it is compared with.

It used to be timed once, first and cold, while the layers were the best of 3 alternated runs: on a
loaded machine it read about twice the replayed layers and overstated what drawing and the loop
cost. Now it is one of the alternated layers (the same campaign again: the same steps), and the
header names the interpreter (its build alone moves every figure). No timing is asserted here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_fuzz  # noqa: E402


def test_floor_alternates_the_whole_engine_with_the_layers(capsys: pytest.CaptureFixture[str]) -> None:
    bench_fuzz.floor(300)
    lines = capsys.readouterr().out.splitlines()
    header, rows = lines[0], lines[1:]
    assert "best of 3 alternated" in header
    assert f"CPython {sys.version.split()[0]}" in header or sys.implementation.name != "cpython"
    assert sys.executable in header
    labels = [re.split(r"\s{2,}", row.strip())[0] for row in rows]
    assert labels == ["the whole engine (drawing included)", "the runtime alone (dispatch, blocks)", "Executor, no invariants",
                      "Executor, every invariant", "... and coverage, live ids"]
    for row in rows:  # every layer ran the recorded steps: a figure per step and a rate
        assert re.search(r"\d+ us  \([\d,]+ steps/s\)$", row), row


def test_the_interpreter_line_names_the_running_python() -> None:
    text = bench_fuzz.interpreter()
    assert sys.executable in text and sys.version.split()[0] in text
