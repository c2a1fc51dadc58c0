"""bench_vs_radcad's command line: a usage line for --help and for bad arguments, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_vs_radcad  # noqa: E402


def test_defaults_and_numbers() -> None:
    assert bench_vs_radcad.parse_args([]) == (100, 10)
    assert bench_vs_radcad.parse_args(["7"]) == (7, 10)
    assert bench_vs_radcad.parse_args(["7", "3"]) == (7, 3)
    assert bench_vs_radcad.parse_args(["digest"]) is None


@pytest.mark.parametrize("argv", [["x"], ["0"], ["-5"], ["1", "2", "3"], ["digest", "x"], ["1e9"], ["9" * 5000]])
def test_bad_arguments_are_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench_vs_radcad.parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: bench_vs_radcad.py") and len(err) < 400


def test_help_prints_usage_without_traceback() -> None:
    for flag in ("--help", "-h"):
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_vs_radcad.py"), flag], capture_output=True, text=True, cwd=ROOT,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("usage: bench_vs_radcad.py") and "Traceback" not in out.stderr
