"""``tangle-sim fuzz`` refuses settings no campaign can run with, naming the option (new-user findings
B2 and D5: ``--run-length 0`` spun for ever, ``--workers 0`` ran two workers, ``--steps -5`` exited 0,
``--invariant os:getcwd`` and ``--corpus /dev/null`` were tracebacks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulations.cli import app
from simulations.fuzz import FuzzConfig


@pytest.mark.parametrize(("args", "says"), [
    (["--run-length", "0"], "--run-length: 1 to 1,000,000 steps, got 0"),
    (["--workers", "0"], "--workers: 1 to 1,024 processes, got 0"),
    (["--steps", "-5"], "--steps: at least 1, got -5"),
    (["--time", "-1"], "--time: a positive number of seconds, got -1.0"),
    (["--seed", "-1"], "--seed: an unsigned 64-bit integer, got -1"),
    (["--seed", str(2**64)], "--seed: an unsigned 64-bit integer"),
    (["--shrink-time", "-1"], "--shrink-time: 0 or more seconds, got -1.0"),
    (["--shrink-candidates", "0"], "--shrink-candidates: at least 1 candidate, got 0"),
    (["--invariant", "os:getcwd"], "invariant 'os:getcwd' must take (rt, ledger)"),
    (["--corpus", "/dev/null"], "--corpus: a directory (made if missing), got '/dev/null'"),
])
def test_a_bad_option_is_one_line_naming_it_and_exit_2(args: list[str], says: str, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["fuzz", "--steps", "10", "--out", str(tmp_path), *args])
    assert out.exit_code == 2, out.output
    assert says in " ".join(out.output.split()) and "Traceback" not in out.output


def test_the_python_api_refuses_them_too() -> None:
    with pytest.raises(ValueError, match="run_length: 1 to 1,000,000 steps, got 0"):
        FuzzConfig(run_length=0)
    with pytest.raises(ValueError, match="bad_share: a share between 0 and 1, got 2"):
        FuzzConfig(bad_share=2)
