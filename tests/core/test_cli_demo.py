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
    assert "OperatorSlashed: Charlie loses 100 TNT" in out  # exact amounts, the one formatter of the timelines
    assert "DelegatorSlashed: Ferdie loses 3,000 USDC" in out  # 10% of the 30,000 USDC behind Charlie
    assert "│   999,900 │" in out and ".0000" not in out  # Eve's free TNT: 100 + 50 paid, 50 refunded
    assert "Dave delegates it to Bob" in out and "Operator stakes at block 9,402" in out
    assert "1 request expired and was refunded" in out
    assert "Services.ServiceRequestNotFound" in out
    # the event timeline shows amounts as exact tokens of their asset, not raw base units
    flat = " ".join(out.split())
    assert "amount=20,000 USDC" in flat and "amount=100 TNT" in flat and "refunded=50 TNT" in flat
    assert "100000000000000000000" not in flat and "20000000000" not in flat
    replayed = runner.invoke(app, ["replay", str(log)])
    assert replayed.exit_code == 0, replayed.output
    assert "state root matches the log" in replayed.output


def test_replay_of_a_malformed_log_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "genesis", "genesis": {}}\n{"kind": "call", "block": 1}\n')
    result = CliRunner().invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2
    assert "line 2: call entry lacks" in result.output


def test_demo_amounts_are_exact_decimals_never_rounded() -> None:
    """The demo's tables use the blueprint timelines' formatter: dust is shown, not rounded away
    (4 decimals showed 1 base unit over 1 TNT as ``1.0000``)."""
    from blueprints.amounts import format_units
    from simulations.demo import tnt, usdc

    assert tnt(10**18 + 1) == "1.000000000000000001" and tnt(999_900 * 10**18) == "999,900"
    assert usdc(27_000 * 10**6 + 1) == "27,000.000001" and usdc(1_500_000) == "1.5"
    assert format_units(20_000 * 10**6, 6, "USDC") == "20,000 USDC"
    assert format_units(7, 0, "X") == "7 X"


def test_the_timeline_units_follow_the_chains_asset_metadata() -> None:
    from runtime import GenesisConfig, Runtime
    from simulations.demo import asset_units

    rt = Runtime(GenesisConfig.dev(assets=[{"id": 7, "owner": "Alice", "name": "Wrapped Ether", "symbol": "WETH", "decimals": 18,
                                            "min_balance": 1, "balances": {"Bob": 10}}]))
    assert asset_units(rt) == {0: ("TNT", 18), 7: ("WETH", 18)}
    rt.dispatch("Alice", "Assets", "set_metadata", {"id": 7, "name": b"Ether", "symbol": b"ETH", "decimals": 9})
    assert asset_units(rt)[7] == ("ETH", 9)
