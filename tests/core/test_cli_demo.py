"""The README's demo command: the narrated run, its tables, and its replayable call log."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulations.cli import app


def test_demo_tells_the_restaking_story_and_its_log_replays(tmp_path: Path) -> None:
    runner = CliRunner()
    log = tmp_path / "demo.jsonl"
    result = runner.invoke(app, ["demo", "--log", str(log)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Bob approves with 20% exposure" in out
    assert "OperatorSlashed: Charlie loses 100.0000 TNT" in out
    assert "DelegatorSlashed: Ferdie loses 3,000.00 USDC" in out  # 10% of the 30,000 USDC behind Charlie
    assert "Dave delegates it to Bob" in out and "Operator stakes at block 9,402" in out
    assert "1 request expired and was refunded" in out
    assert "Services.ServiceRequestNotFound" in out
    replayed = runner.invoke(app, ["replay", str(log)])
    assert replayed.exit_code == 0, replayed.output
    assert "state root matches the log" in replayed.output


def test_replay_of_a_malformed_log_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "genesis", "genesis": {}}\n{"kind": "call", "block": 1}\n')
    result = CliRunner().invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2
    assert "line 2: call entry lacks" in result.output
