"""A campaign's closing figures mean what they say (new-user report 10): ``--time`` alone is the
limit, not the 100,000-step default (finding 6); the summary says which limit stopped the campaign;
the rate is over the fuzzing time, shrinking's time apart (finding 11)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simulations.cli import app
from simulations.fuzz import FuzzConfig
from simulations.fuzz.coverage import Coverage
from simulations.fuzz.engine import WorkerResult
from simulations.fuzz.workers import CampaignResult

sys.path.insert(0, str(Path(__file__).parent))


def _words(text: str) -> str:
    return " ".join(text.split())  # rich wraps at the runner's 80 columns


def test_time_alone_is_the_limit_and_the_summary_names_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import simulations.fuzz.workers as workers

    seen: list[FuzzConfig] = []
    real = workers.fuzz

    def spy(cfg: FuzzConfig, *args: Any, **kwargs: Any) -> CampaignResult:
        seen.append(cfg)
        return real(cfg, *args, **kwargs)

    monkeypatch.setattr(workers, "fuzz", spy)
    out = CliRunner().invoke(app, ["fuzz", "--time", "0.5", "--workers", "1", "--out", str(tmp_path), "--no-report"])
    assert out.exit_code == 0, out.output
    assert seen[0].steps is None and seen[0].time_limit == 0.5  # no step cap under the time
    assert "stopped by the time limit: --time 0.5 s" in _words(out.output)
    # --help says the default does not cap a --time campaign
    assert "no step limit when --time is given" in _words(CliRunner().invoke(app, ["fuzz", "--help"], env={"COLUMNS": "200"}).output)


def test_the_summary_names_the_step_limit_and_whether_it_was_the_default(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["fuzz", "--steps", "50", "--time", "600", "--workers", "1", "--out", str(tmp_path), "--no-report"])
    assert out.exit_code == 0, out.output
    assert "stopped by the step limit: --steps 50" in _words(out.output) and "the default" not in out.output


def test_a_time_limited_api_campaign_runs_past_any_step_count() -> None:
    from simulations.fuzz import run_worker

    result = run_worker(FuzzConfig(steps=None, time_limit=0.3, run_length=20))
    assert result.steps > 0 and result.seconds >= 0.3
    with pytest.raises(ValueError, match="steps: a number when there is no time_limit"):
        FuzzConfig(steps=None)


def test_the_rate_is_over_the_fuzzing_time_and_shrinking_is_apart() -> None:
    from simulations.fuzz.cli import steps_line

    cfg = FuzzConfig(seed=3, workers=1)
    result = CampaignResult(cfg, seconds=10.2)
    result.workers.append(WorkerResult(0, 1_000, 5, 10.0, Coverage(), [], 0, {}, failure_seconds=8.0))
    line = steps_line(result)
    # 1,000 steps over the 2 s of fuzzing, not over the 10 s that include 8 s of shrinking
    assert line.startswith("1,000 steps in 2.0 s of fuzzing (500 steps/s, 1 worker, seed 3)"), line
    assert line.endswith("10.2 s in all")


def test_a_found_failure_reports_its_shrinking_time_apart(tmp_path: Path) -> None:
    found = CliRunner().invoke(app, ["fuzz", "--runtime", "worlds:squaring_world", "--invariant", "worlds:results_are_squares", "--steps", "20000",
                                     "--seed", "2", "--workers", "1", "--out", str(tmp_path), "--shrink-candidates", "300", "--no-report"])
    assert found.exit_code == 1, found.output[-2000:]
    text = _words(found.output)
    m = re.search(r"([\d,]+) steps in ([\d.]+) s of fuzzing \(([\d,]+) steps/s, 1 worker, seed 2\); ([\d.]+) s shrinking and saving 1 failure; "
                  r"([\d.]+) s in all", text)
    assert m is not None, text[:800]
    steps, fuzzing, rate, shrinking, total = (float(g.replace(",", "")) for g in m.groups())
    # (a shrink of a short program can print 0.0 s: what matters is that it is apart from the fuzzing and the sum holds)
    assert shrinking >= 0 and fuzzing + shrinking <= total + 0.2
    assert "stopped by the first failure" in text


def test_an_interrupted_time_campaign_says_how_to_go_on_with_the_time_left(tmp_path: Path) -> None:
    from simulations.fuzz.cli import interrupted_line

    result = CampaignResult(FuzzConfig(steps=None, time_limit=600, workers=1), seconds=200.0, interrupted=True)
    result.workers.append(WorkerResult(0, 5_000, 25, 200.0, Coverage(), [], 0, {}))
    line = interrupted_line(result, tmp_path)
    assert line.startswith("stopped by Ctrl-C after 5,000 steps (200 of 600 s)") and f"--corpus {tmp_path} --time 400" in line, line
