"""Errors a new user met as tracebacks or misplaced lines: each is one line naming the field (and
the flag that set it), exit 2, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from simulations.cli import app

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
runner = CliRunner()


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and text.startswith("error:"), result.output
    return text


def variant(tmp_path: Path, old: str, new: str) -> str:
    text = TINY.read_text()
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new))
    return str(path)


# ---------------------------------------------------------------------------------------- D1: callable policies
@pytest.mark.parametrize("ref,expect", [
    ("nosuch_mod:fn", "cannot import 'nosuch_mod'"),
    ("os:getcwd", "os:getcwd cannot be called with one argument (a simulations.governance.SlashView): its signature is getcwd()"),
    ("simulations.governance:nosuch", "'simulations.governance' has no callable 'nosuch'"),
])
def test_a_bad_callable_policy_is_refused_when_it_loads(tmp_path, ref: str, expect: str) -> None:
    db = tmp_path / "runs.db"
    text = fails("sweep", str(TINY), "--policy", f"{{kind: callable, ref: '{ref}'}}", "--runs", "1", "--workers", "1", "--store", str(db))
    assert f"error: --policy: not a veto policy: callable.ref: {expect}" in text
    assert not db.exists()
    path = variant(tmp_path, "policy: {kind: veto_disputed}", f"policy: {{kind: callable, ref: '{ref}'}}")
    text = fails("run", path, "--store", str(db), "--no-progress")
    assert f"s.yaml:24:28: governance.policy.ref: Value error, {expect}" in text and text.count("error:") == 1
    assert not db.exists()


def test_a_good_callable_policy_still_loads() -> None:
    from simulations.governance import check_callable, veto_small_disputed

    assert check_callable("simulations.governance:veto_small_disputed") is veto_small_disputed


# ---------------------------------------------------------------------------------------- D2: constants / extensions
def test_an_unknown_constant_in_the_file_is_one_line_and_nothing_is_stored(tmp_path) -> None:
    db = tmp_path / "runs.db"
    path = variant(tmp_path, "  session_length: 2\n", "  session_length: 2\n  constants:\n    MultiAssetDelegation: {NoSuchConst: 1}\n")
    text = fails("run", path, "--store", str(db), "--no-progress")
    assert text.count("error:") == 1 and "NoSuchConst" in text and "s.yaml" in text
    assert not db.exists()


@pytest.mark.parametrize("param,expect", [
    ("constants.NoPallet.X=1", "error: --param constants.NoPallet.X: parameters.constants.NoPallet"),
    ("extensions.request_expiry_blocks=-5", "error: --param extensions.request_expiry_blocks: parameters.extensions.request_expiry_blocks"),
])
def test_a_constant_or_extension_the_runtime_refuses_names_its_param(tmp_path, param: str, expect: str) -> None:
    db = tmp_path / "runs.db"
    text = fails("run", str(TINY), "--param", param, "--store", str(db), "--no-progress")
    assert expect in text and text.count("error:") == 1
    assert not db.exists()
    text = fails("sweep", str(TINY), "--param", param.replace("=", "=2,"), "--runs", "1", "--workers", "1", "--store", str(db))
    assert expect.split(":")[1] in text  # the swept --param, named the same way
    assert not db.exists()


def test_a_runtime_value_error_anywhere_in_a_command_is_one_line(capsys) -> None:
    from runtime.codec import ParamError
    from simulations.cli import _sim_errors

    def boom() -> None:
        raise ParamError("constants.MultiAssetDelegation.LeaveOperatorsDelay", "must be an integer from 0 to 4294967295")

    with pytest.raises(typer.Exit) as exit_:
        _sim_errors(boom)
    out = capsys.readouterr().out
    assert exit_.value.exit_code == 2
    assert " ".join(out.split()) == "error: constants.MultiAssetDelegation.LeaveOperatorsDelay: must be an integer from 0 to 4294967295"


# ---------------------------------------------------------------------------------------- D3: policy ranges
@pytest.mark.parametrize("policy,expect", [
    ("random:2", "--policy: not a veto policy: random.p: Input should be less than or equal to 1 (allowed: 0.0 to 1.0) (got 2.0)"),
    ("{kind: veto_under, percent: 500}", "--policy: not a veto policy: veto_under.percent: Input should be less than or equal to 100 (allowed: 1 to 100) (got 500)"),
    ("{kind: any_of, policies: [{kind: veto_under, percent: 0}]}", "any_of.policies[0].percent: Input should be greater than or equal to 1 (allowed: 1 to 100) (got 0)"),
    ("{kind: nosuch}", "--policy: not a veto policy: policy: unknown kind 'nosuch'; kinds: always, any_of, callable, never, random, veto_disputed, veto_under"),
])
def test_a_policy_out_of_range_names_the_field_and_the_range(tmp_path, policy: str, expect: str) -> None:
    text = fails("sweep", str(TINY), "--policy", policy, "--runs", "1", "--workers", "1", "--store", str(tmp_path / "runs.db"))
    assert expect in text and "GovernanceSpec" not in text


# ---------------------------------------------------------------------------------------- D6: flags
@pytest.mark.parametrize("args,expect", [
    (["--seed", "-5"], "error: --seed: a seed is an unsigned 64-bit integer, from 0 to 18446744073709551615 (got -5)"),
    (["--param", "nosuch=1"], "error: --param nosuch: unknown field (got 1)"),
    (["--param", "length.rounds=abc"], "error: --param length.rounds: Input should be a valid integer"),
])
def test_a_flag_error_names_the_flag_not_a_line_of_the_file(tmp_path, args: list[str], expect: str) -> None:
    text = fails("run", str(TINY), *args, "--store", str(tmp_path / "runs.db"), "--no-progress")
    assert text.startswith(expect) and "tiny.yaml" not in text


def test_a_file_error_still_names_its_line(tmp_path) -> None:
    path = variant(tmp_path, "seed: 11", "seed: -11")
    assert fails("run", path, "--store", str(tmp_path / "runs.db"), "--no-progress").startswith(f"error: {path}:3:1: seed:")


# ---------------------------------------------------------------------------------------- D8: stores
@pytest.mark.parametrize("command", [["report", "1"], ["export", "1"], ["resume", "1"], ["discard", "1"], ["report"], ["resume"]])
def test_a_store_that_does_not_exist_is_named_not_created(tmp_path, command: list[str]) -> None:
    db = tmp_path / "nonexist.db"
    text = fails(*command, "--store", str(db))
    assert f"error: no run store at '{db}': the file does not exist" in text
    assert not db.exists()


def test_a_database_without_runs_is_not_a_store(tmp_path) -> None:
    import sqlite3

    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("create table t (x)").connection.commit()
    assert "is not a run store: it has no 'runs' table" in fails("report", "1", "--store", str(db))


def test_an_error_in_a_declared_arm_names_the_arm_not_a_flag(tmp_path) -> None:
    path = variant(tmp_path, "rules: [tangle_services, eigenlayer]",
                   "rules: [tangle_services, eigenlayer]\narms:\n  - {name: wide, rule: eigenlayer, params: {eigenlayer.veto_window_blocks: -1}}")
    for args in (["run", path, "--no-progress"], ["sweep", path, "--runs", "1", "--workers", "1"]):
        text = fails(*args, "--store", str(tmp_path / "runs.db"))
        assert text.startswith("error: wide in the scenario's arms: params.parameters.eigenlayer.veto_window_blocks:") and "--param" not in text
    assert not (tmp_path / "runs.db").exists()
