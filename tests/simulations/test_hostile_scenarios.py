"""Hostile scenario files through the CLI: each gets ``file[:line:col]: ...`` naming the problem and
exit code 2, never a traceback (CliRunner re-raises any exception) or a store entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulations.cli import app
from simulations.commands import max_blocks
from simulations.runner import load_for_run
from simulations.scenario import HARD_MAX_BLOCKS, MAX_BLOCKS
from simulations.yamlerrors import MAX_DEPTH, MAX_FILE_BYTES, ScenarioError

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
GOOD = TINY.read_text()
runner = CliRunner()

LAUGHS = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                   + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]) + "\nname: x\n"


def cli_error(tmp_path: Path, target: Path | str, *extra: str, command: str = "run") -> str:
    db = tmp_path / "store.db"
    args = [command, str(target), "--store", str(db), "--no-progress", *extra]
    result = runner.invoke(app, args, catch_exceptions=False)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, text
    assert "Traceback" not in text and text.startswith("error:"), text
    assert not db.exists() or "runs" not in db.read_bytes().decode("latin-1") or _no_runs(db), "a refused file must not create a run"
    return text


def _no_runs(db: Path) -> bool:
    import sqlite3

    with sqlite3.connect(db) as raw:
        return raw.execute("select count(*) from runs").fetchone()[0] == 0


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_binary_garbage_is_refused_with_its_position(tmp_path, command: str) -> None:
    garbage = bytes((i * 73 + 11) % 256 for i in range(4096))
    data = b"name: x\nseed: 1\n" + garbage
    path = write(tmp_path, "garbage.yaml", data)
    text = cli_error(tmp_path, path, command=command)
    nul = data.index(b"\x00")  # the first NUL byte, by line and column
    line, col = data[:nul].count(b"\n") + 1, nul - data[:nul].rfind(b"\n")
    assert f"{path}:{line}:{col}: a NUL byte: this is binary data, not a UTF-8 scenario file" in text, text


@pytest.mark.parametrize("encoding,needle", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16 or binary"), ("latin-1", "not UTF-8 (byte 0xe9)")])
def test_non_utf8_text_is_refused(tmp_path, encoding: str, needle: str) -> None:
    path = write(tmp_path, "enc.yaml", GOOD.replace("name: tiny", "name: café").encode(encoding))
    text = cli_error(tmp_path, path)
    assert f"{path}:" in text and needle in text, text
    if encoding == "latin-1":
        assert f"{path}:2:10: not UTF-8" in text, text  # line 2 (after the comment), the byte after 'caf'


def test_a_directory_and_a_device_are_refused(tmp_path) -> None:
    assert f"{tmp_path}: is a directory, not a scenario file" in cli_error(tmp_path, tmp_path)
    assert "/dev/zero: not a regular file" in cli_error(tmp_path, "/dev/zero")  # reading it would never end
    assert f"{tmp_path / 'nope.yaml'}: no such scenario file" in cli_error(tmp_path, tmp_path / "nope.yaml")


def test_files_over_the_size_limit_are_refused(tmp_path) -> None:
    path = write(tmp_path, "big.yaml", GOOD + "description: '" + "x" * MAX_FILE_BYTES + "'\n")
    assert f"over the {MAX_FILE_BYTES:,}-byte limit" in cli_error(tmp_path, path)


@pytest.mark.parametrize("suffix,text", [
    (".yaml", "name: x\nlength: " + "[" * 50_000 + "]" * 50_000 + "\n"),
    (".yaml", "name: x\nlength:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400))),
    (".toml", "name = 'x'\nlength = " + "[" * 50_000 + "]" * 50_000 + "\n"),
    (".toml", "name = 'x'\nlength = " + "{a = " * 50_000 + "1" + "}" * 50_000 + "\n"),
])
def test_deep_nesting_is_refused_before_recursion(tmp_path, suffix: str, text: str) -> None:
    path = write(tmp_path, f"deep{suffix}", text)
    out = cli_error(tmp_path, path)
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: nested more than {MAX_DEPTH} levels deep", out), out


def test_billion_laughs_and_recursive_aliases_are_refused(tmp_path) -> None:
    path = write(tmp_path, "laughs.yaml", LAUGHS)
    out = cli_error(tmp_path, path)
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: aliases expand this to more than 100,000 values", out), out
    path = write(tmp_path, "loop.yaml", "name: x\ngenesis: &g {operators: *g}\n")
    assert f"{path}:2:" in (out := cli_error(tmp_path, path)) and "recursive" in out, out
    # a few aliases are fine: the good scenario with an anchored bond still runs through validation
    anchored = GOOD.replace("bond: 5_000 TNT", "bond: &bond 5_000 TNT")
    sc, _ = load_for_run(write(tmp_path, "anchored.yaml", anchored), {}, None)
    assert sc.genesis.operators[0].bond == 5_000 * 10**18


@pytest.mark.parametrize("value,needle", [
    (str(1 << 200), "seed: the number is out of range (201 bits"),
    (str(1 << 64), "seed: Value error, a seed is an unsigned 64-bit integer, from 0 to 18446744073709551615"),
    ("-5", "seed: Value error, a seed is an unsigned 64-bit integer"),
])
def test_seeds_in_the_file_are_range_checked(tmp_path, value: str, needle: str) -> None:
    path = write(tmp_path, "seed.yaml", GOOD.replace("seed: 11", f"seed: {value}"))
    out = cli_error(tmp_path, path)
    assert f"{path}:3:1: {needle}" in out, out


def test_overflowing_numbers_are_refused(tmp_path) -> None:
    path = write(tmp_path, "amount.yaml", GOOD.replace("bond: 5_000 TNT", f"bond: {1 << 130}"))
    assert f"{path}:14:7: genesis.operators[0].bond: the number is out of range (131 bits; nothing in a scenario is wider than 128 bits)" in cli_error(tmp_path, path)
    path = write(tmp_path, "amount2.yaml", GOOD.replace("bond: 5_000 TNT", f"bond: '{1 << 129} TNT'"))
    assert f"{path}:14:7: genesis.operators[0].bond: Value error, " in (text := cli_error(tmp_path, path))
    assert "overflows a u128 balance (at most 340,282,366,920,938,463,463,374,607,431,768,211,455)" in text
    path = write(tmp_path, "p.yaml", GOOD.replace("p: 0.5", "p: 1e999"))
    assert f"{path}:16:" in (out := cli_error(tmp_path, path)) and "behaviour" in out and "less than or equal to 1" in out, out
    path = write(tmp_path, "pct.toml", 'name = "x"\nseed = 1\n[length]\nrounds = 99999999999999999999999999999999999999999999\n')
    assert f"{path}:4:1: length.rounds: the number is out of range" in cli_error(tmp_path, path)


def test_run_lengths_are_bounded_unless_confirmed(tmp_path) -> None:
    path = write(tmp_path, "long.yaml", GOOD.replace("length: {rounds: 3}", "length: {rounds: 1000000000000}"))
    out = cli_error(tmp_path, path)
    assert f"{path}:4:10: length.rounds: 1,000,000,000,000 rounds is 2,000,000,000,000 blocks, over the limit of {MAX_BLOCKS:,} (pass --allow-long" in out, out
    # even confirmed, a run cannot outgrow the runtime's u32 block number
    assert f"over the limit of {HARD_MAX_BLOCKS:,} (the runtime's block number is a u32)" in cli_error(tmp_path, path, "--allow-long")
    # the same bound through --param, and for a sweep
    assert "length.rounds: 60,000 rounds is 120,000 blocks" in cli_error(tmp_path, TINY, "--param", "length.rounds=60000")
    # a length in blocks is not restated as itself (newuser11: "432,000 blocks is 432,000 blocks")
    out = cli_error(tmp_path, TINY, "--param", "length={blocks: 432000}")
    assert "length.blocks: 432,000 blocks, over the limit of" in out and "blocks is" not in out, out
    assert "length.rounds: 60,000 rounds" in cli_error(tmp_path, TINY, "--param", "length.rounds=60000", command="sweep")
    # a sweep's number of simulations is bounded too (each is a stored arm, planned before it starts)
    assert "error: 2,000,000,000,000 simulations (--runs x policies x rules x parameter points) is over the limit of 1,000,000 per sweep" in cli_error(
        tmp_path, TINY, "--runs", "1000000000000", "--rule", "eigenlayer", "--param", "slash_defer_duration=1,2", command="sweep")
    # confirmed with the flag, a long (but u32) run is accepted
    sc, _ = load_for_run(TINY, {"length.rounds": 60_000}, None, max_blocks=max_blocks(True))
    assert sc.total_blocks() == 120_000
    with pytest.raises(ScenarioError):
        load_for_run(TINY, {"length.rounds": 60_000}, None, max_blocks=max_blocks(False))


def test_nul_characters_unhashable_keys_and_garbage_yaml(tmp_path) -> None:
    path = write(tmp_path, "nul.yaml", GOOD.replace("name: tiny", 'name: "ti\\0ny"'))
    assert f"{path}:2:1: name: a NUL character in a string is not allowed" in cli_error(tmp_path, path)
    path = write(tmp_path, "key.yaml", "name: x\n? [1, 2]\n: 3\n")
    assert f"{path}:2:3: invalid YAML: a mapping key must be a plain value, not a list" in cli_error(tmp_path, path)
    path = write(tmp_path, "two.yaml", "name: x\n---\nname: y\n")
    assert f"{path}:2:1: invalid YAML" in cli_error(tmp_path, path)
    path = write(tmp_path, "obj.yaml", "name: !!python/object/apply:os.system ['true']\n")
    assert f"{path}:1:7: invalid YAML" in cli_error(tmp_path, path)
    path = write(tmp_path, "list.yaml", "- 1\n- 2\n")
    assert f"{path}:1:1: a scenario must be a mapping of fields" in cli_error(tmp_path, path)


def test_a_file_with_thousands_of_bad_entries_prints_a_bounded_list(tmp_path) -> None:
    faults = "".join(f"  - {{offender: op, round: 0, slash_percent: {i % 200 + 101}}}\n" for i in range(1_000))
    path = write(tmp_path, "many.yaml", GOOD + "faults:\n" + faults)
    out = cli_error(tmp_path, path)
    assert out.count(f"{path}:") == 51 and "... and 1,950 more problems" in out, out[-300:]
    assert f"{path}:27:20: faults[0].round: Input should be greater than or equal to 1" in out


def test_workers_must_be_positive(tmp_path) -> None:
    assert "error: --workers must be at least 1" in cli_error(tmp_path, TINY, "--workers", "-1", command="sweep")


def test_a_fault_after_the_last_round_is_refused(tmp_path) -> None:
    """newuser11 finding 5: a fault at round 99 of a 3-round run was accepted and never injected, and
    the run reported a clean zero for it. (3 rounds of 2 blocks: rounds 0-2; round 2 is the last.)"""
    path = write(tmp_path, "late.yaml", GOOD + "faults:\n  - {offender: op, round: 99}\n")
    out = cli_error(tmp_path, path)
    assert f"{path}:27:20: faults[0].round: 99 is after the run's last round (2), so the fault would never happen" in out, out
    ok = write(tmp_path, "last.yaml", GOOD + "faults:\n  - {offender: op, round: 2}\n")
    from simulations.scenario import load_scenario

    assert load_scenario(ok).faults[0].round == 2


@pytest.mark.parametrize("amount", ["inf TNT", "nan TNT", "-inf TNT", "1e400000000 TNT", "１０ TNT", "１０ base", "1e9999 TNT"])
def test_amounts_that_are_not_finite_decimal_numbers_get_one_line_naming_the_field(tmp_path, amount: str) -> None:
    """newuser11 finding 7: 'inf TNT' and '1e400000000 TNT' crashed with Python tracebacks
    (OverflowError, decimal.Overflow); full-width digits were read as 10."""
    path = write(tmp_path, "amount.yaml", GOOD.replace("bond: 5_000 TNT", f"bond: '{amount}'"))
    out = cli_error(tmp_path, path)
    assert f"{path}:14:7: genesis.operators[0].bond: Value error, " in out and "Traceback" not in out, out
    assert "cannot read" in out or "whole numbers" in out or "overflows a u128" in out, out


def test_a_world_over_a_runtime_limit_fails_in_one_line_naming_the_field_and_stores_nothing(tmp_path) -> None:
    """newuser11 finding 6: a delegator group over the testnet's MaxDelegations (50 per operator)
    failed at setup with a 147-line traceback naming an address, and left an 'interrupted' run whose
    printed resume command could never finish. It is one line naming the scenario field and the
    constant to raise, exit 2, and the run is discarded."""
    from simulations.store import RunStore

    crowd = GOOD.replace("    - id: d\n", "    - id: d\n      count: 60\n")
    path = write(tmp_path, "crowd.yaml", crowd)
    result = runner.invoke(app, ["run", str(path), "--store", str(tmp_path / "c.db"), "--no-progress"])
    out = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output[-2000:]
    assert "genesis.delegators[0] (d-51).delegations[0]: MultiAssetDelegation.delegate" in out and "MaxDelegationsExceeded" in out
    assert "raise parameters.constants.MultiAssetDelegation.MaxDelegations" in out and "discarded" in out and "resume" not in out
    assert [r.status for r in RunStore(f"sqlite:///{tmp_path / 'c.db'}", create=False).runs()] in ([], ["discarded"])


def test_an_amount_that_overflows_only_with_the_setups_reserve_names_the_actor(tmp_path) -> None:
    """newuser11 finding 8: a delegation of 2^128 - 1 base units is a valid amount, but the setup adds
    its reserve to it: the error named an address and printed every balance (961 characters)."""
    path = write(tmp_path, "max.yaml", GOOD.replace("amount: 1_000 TNT", f"amount: '{(1 << 128) - 1} base'"))
    out = " ".join(cli_error(tmp_path, path).split())
    assert "genesis: 'd' would hold" in out and "over a u128 balance" in out and "Traceback" not in out, out
    assert len(out) < 600, out


@pytest.mark.parametrize("field, old, new, says", [
    ("genesis.operators[0] (op).bond", "bond: 5_000 TNT", "bond: 0 TNT", "an operator's bond must be at least"),
    ("genesis.delegators[0] (d).delegations[0]", "amount: 1_000 TNT", "amount: 0 TNT", "a delegation must be at least")])
def test_a_zero_bond_or_delegation_names_its_field_and_the_minimum(tmp_path, field: str, old: str, new: str, says: str) -> None:
    """newuser11 finding 6: "0 TNT" passed validation and failed at setup with a traceback."""
    path = write(tmp_path, "zero.yaml", GOOD.replace(old, new))
    result = runner.invoke(app, ["run", str(path), "--store", str(tmp_path / "z.db"), "--no-progress"])
    out = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output and f"{field}:" in out and says in out and "BondTooLow" in out, out
