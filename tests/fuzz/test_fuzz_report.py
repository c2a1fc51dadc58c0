"""The fuzz campaign's closing report: the failure comes last under a rule of its own, the error
variants never reached are counts per pallet (the full list in OUT/coverage.txt, not one
~9,000-character line), and job calls are counted per service so an author sees their own."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from simulations.cli import app
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.coverage import Coverage, error_variants, full_report, report

sys.path.insert(0, str(Path(__file__).parent))


def test_never_reached_is_counts_per_pallet_wrapped_and_the_file_names_every_variant() -> None:
    rt = World(FuzzConfig()).reset()
    coverage = Coverage()
    coverage.errors["Balances.InsufficientBalance"] = 3
    text = report(coverage, rt, full="OUT/coverage.txt", width=80)
    variants = error_variants(rt)
    never = text[text.index("never reached:"):text.index("state transitions")]
    assert never.startswith(f"never reached: {len(variants) - 1} (Assets ") and "Balances " in never and "every name in OUT/coverage.txt" in " ".join(never.split())
    assert "Balances.InsufficientBalance" not in never and "Assets.BadWitness" not in never  # counts, not names
    assert all(len(line) <= 80 for line in never.splitlines())
    full = full_report(coverage, rt)
    listed = full[full.index("never reached (") :].splitlines()[1:]
    assert [line.strip() for line in listed] == [v for v in variants if v != "Balances.InsufficientBalance"]


def test_job_calls_are_counted_per_service_with_the_blueprint_named() -> None:
    world = World(FuzzConfig(runtime="worlds:squaring_world"))
    rt = world.reset()
    coverage = Coverage()
    coverage.observe(["call", "Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 3}]}], "ok", ())
    coverage.observe(["call", "Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 3}]}], "Services.InvalidJobCallInput", ())
    coverage.observe(["call", "Bob", "Services", "submit_result", {"service_id": 0, "call_id": 0, "result": []}], "ok", ())
    coverage.observe(["call", "Eve", "Services", "call", {"service_id": 77, "job": 0, "args": []}], "Services.ServiceNotFound", ())
    coverage.observe(["call", "Eve", "Services", "call", {"service_id": [1], "job": 0, "args": []}], "invalid", ())  # hostile: no id
    assert coverage.service_calls == {("Services.call", 1): 2, ("Services.submit_result", 0): 1, ("Services.call", 77): 1, ("Services.call", None): 1}
    assert coverage.to_json()["service_calls"]["Services.call 1"] == 2
    assert coverage.errors == {"Services.InvalidJobCallInput": 1, "Services.ServiceNotFound": 1}  # errors counted as before
    again = Coverage.from_json(coverage.to_json())
    again.merge(coverage)
    assert again.service_calls[("Services.call", 1)] == 4 and again.service_successes[("Services.call", 1)] == 2
    assert again.service_calls[("Services.call", None)] == 2
    text = report(coverage, rt)
    assert "service 1 (blueprint 1 'squaring')" in text and "call 2 (50.0 % ok)" in text
    assert "service 0 (blueprint 0 " in text and "submit_result 1 (100.0 % ok)" in text
    assert "services the campaign created (or no such id)" in text


def test_the_cli_prints_the_failure_last_under_a_rule_and_writes_the_full_coverage(tmp_path: Path) -> None:
    found = CliRunner().invoke(app, ["fuzz", "--runtime", "worlds:squaring_world", "--invariant", "worlds:results_are_squares", "--steps", "20000",
                                     "--seed", "2", "--workers", "1", "--out", str(tmp_path), "--shrink-time", "5"], env={"COLUMNS": "100"})
    assert found.exit_code == 1, found.output[-2000:]
    out = found.output
    lines = out.splitlines()
    assert max(len(line) for line in lines) < 200  # no ~9,000-character line
    rule = next(i for i, line in enumerate(lines) if "1 failure" in line and line.startswith("─"))
    assert rule > next(i for i, line in enumerate(lines) if line.startswith("never reached:"))
    tail = " ".join(" ".join(lines[rule:]).split())
    assert tail.startswith("─") and "invariant results_are_squares" in tail and "found after" in tail and "shrunk from" in tail
    assert tail.endswith(".jsonl") and f"tangle-sim replay {tmp_path}" in tail  # the replay command is the last thing printed
    assert "service 1 (blueprint 1 'squaring')" in out
    assert (tmp_path / "coverage.txt").read_text().count("\n  ") > 100  # every never-reached variant, one a line
