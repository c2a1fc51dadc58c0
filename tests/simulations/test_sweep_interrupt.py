"""SIGTERM ends a sweep with a word: how far it got, the command that finishes it, an
``interrupted`` status in the store, and the completed runs in ``--out``; ``resume --out`` writes
what the uninterrupted sweep writes; the ``reproduce:`` line carries every option given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from simulations.store import RunStore

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
TASKS = 12
SWEEP = ["sweep", str(TINY), "--runs", "6", "--workers", "1", "--no-progress", "--per-round"]  # 2 rules x 6 runs


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from simulations.cli import main; main()", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def words(text: str) -> str:
    return " ".join(text.split())


def test_sigterm_says_interrupted_stores_it_writes_the_completed_runs_and_resume_out_finishes(tmp_path) -> None:
    full_db, full_csv = str(tmp_path / "full.db"), str(tmp_path / "full.csv")
    out, _ = (p := cli(*SWEEP, "--store", full_db, "--out", full_csv)).communicate(timeout=600)
    assert p.returncode == 0, out
    assert f"reproduce: tangle-sim sweep {TINY} --runs 6 --store {full_db} --out {full_csv} --per-round --workers 1" in words(out)

    db, csv, marker = str(tmp_path / "runs.db"), str(tmp_path / "part.csv"), tmp_path / "parked"
    proc = cli(*SWEEP, "--store", db, "--out", csv, env={"TANGLE_SIM_HOLD_SWEEP": f"stored:5:{marker}"})
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), proc.communicate()[0] if proc.poll() is not None else "never parked"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, out
    text = words(out)
    assert f"interrupted: 5 of {TASKS} tasks done; resume with `tangle-sim resume 1 --store sqlite:///{db} --out {csv}`" in text, out
    assert f"--out: the 5 completed runs written to {csv}" in text
    assert RunStore(db).run(1).status == "interrupted"  # stored by the sweep itself, before any report reaps it
    part = Path(csv).read_text().splitlines()
    assert len(part) == 1 + 5 and part == Path(full_csv).read_text().splitlines()[:6]  # the first 5 tasks, as the full sweep wrote them

    resumed = str(tmp_path / "resumed.csv")
    out, _ = (p := cli("resume", "1", "--store", db, "--out", resumed, "--no-progress")).communicate(timeout=600)
    assert p.returncode == 0 and f"results written to {resumed}" in words(out), out
    assert Path(resumed).read_bytes() == Path(full_csv).read_bytes()
    assert RunStore(db).run(1).status == "completed"


def test_resume_out_of_a_run_is_refused(tmp_path) -> None:
    db = str(tmp_path / "runs.db")
    RunStore(db).create_run(kind="run", scenario_name="s", scenario_path="p", scenario_text="t", overrides={}, seed=1, command="c",
                            owner="", arms=[{"label": "a", "rule": "eigenlayer", "seed": 1}])
    out, _ = (p := cli("resume", "1", "--store", db, "--out", str(tmp_path / "x.csv"), "--no-progress")).communicate(timeout=120)
    assert p.returncode == 2 and "--out is for sweeps; run 1 is a run" in words(out), out


def test_the_reproduce_commands_carry_every_option_given() -> None:
    from simulations.commands import sweep_command
    from simulations.runner import reproduce_command

    assert sweep_command("s.yaml", ["never"], ["length.rounds=2,3"], 4, ["eigenlayer"], "x.db", out="o.parquet", per_round=True, allow_long=True,
                         workers=2, dask="local") == ("tangle-sim sweep s.yaml --policy never --param length.rounds=2,3 --runs 4 --rule eigenlayer "
                                                      "--store x.db --out o.parquet --per-round --allow-long --workers 2 --dask local")
    assert sweep_command("s.yaml", [], [], 4, [], "x.db") == "tangle-sim sweep s.yaml --runs 4 --store x.db"
    assert reproduce_command("s.yaml", 3, {}, None, "x.db", allow_long=True) == "tangle-sim run s.yaml --seed 3 --allow-long --store x.db"
