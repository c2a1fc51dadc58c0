"""A sweep killed with SIGKILL at any moment keeps every result it committed, leaves no worker
behind, is reported as partial (never stuck at "running"), and ``tangle-sim resume`` finishes it
to exactly the rows an uninterrupted sweep stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulations.export import run_tables
from simulations.store import RunStore
from simulations.workers import children_of, pid_alive

ROOT = Path(__file__).resolve().parents[2]
TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
TASKS = 12
SWEEP = ["sweep", str(TINY), "--runs", "6", "--workers", "2", "--no-progress", "--per-round"]  # 2 rules x 6 runs


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from simulations.cli import main; main()", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    return out


def snapshot(url: str) -> dict[str, list[dict]]:
    """Every row of sweep 1 except database ids and who ran it."""
    tables = run_tables(RunStore(url), 1)
    tables.pop("runs")
    drop = {"id", "arm_id", "run_id"}
    return {name: [{k: v for k, v in row.items() if k not in drop} for row in frame.to_dict("records")] for name, frame in tables.items()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, list[dict]]:
    db = tmp_path_factory.mktemp("reference") / "runs.db"
    finish(cli(*SWEEP, "--store", str(db)))
    snap = snapshot(str(db))
    assert len(snap["arms"]) == TASKS and all(a["status"] == "completed" for a in snap["arms"])
    rounds = sorted({m["round"] for m in snap["metrics"]})  # --per-round rows: the 3 rounds, then any drained ones
    assert rounds[:3] == [0, 1, 2] and rounds == list(range(len(rounds)))
    return snap


def kill_at(store: str, stage: str, n: int, tmp_path: Path) -> list[int]:
    """Start the sweep, let it park at ``stage:n``, SIGKILL it; returns the pids of its workers."""
    marker = tmp_path / f"parked-{stage}-{n}"
    proc = cli(*SWEEP, "--store", store, env={"TANGLE_SIM_HOLD_SWEEP": f"{stage}:{n}:{marker}"})
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists() and proc.poll() is None, proc.communicate()[0] if proc.poll() is not None else "never parked"
        workers = children_of(proc.pid)
        assert len(workers) == 2, workers
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return workers


def wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if pid_alive(p)]


@pytest.mark.parametrize("stage,n,kept", [("started", 0, 0), ("stored", 5, 5), ("saving", 8, 7)], ids=["early", "mid-way", "while-saving"])
def test_a_killed_sweep_leaves_nothing_running_and_resumes_to_the_same_rows(tmp_path, reference, stage: str, n: int, kept: int) -> None:
    db = str(tmp_path / "runs.db")
    workers = kill_at(db, stage, n, tmp_path)
    assert wait_gone(workers) == [], "pool workers outlived the killed sweep"
    store = RunStore(db)
    assert store.run(1).status == "running" and store.progress(1) == (kept, TASKS) and store.check_consistency(1) == []
    # report notices the dead owner and says the sweep is partial
    report = cli("report", "1", "--store", db, "--out", str(tmp_path / "rep"))
    out, _ = report.communicate(timeout=300)
    if kept:
        assert report.returncode == 0 and f"partial sweep: {kept} of {TASKS} tasks completed (status interrupted)" in " ".join(out.split()), out
        assert "PARTIAL" in out
    else:
        assert report.returncode == 2 and "has no completed task yet (status interrupted)" in " ".join(out.split()), out
    assert RunStore(db).run(1).status == "interrupted"
    out = finish(cli("resume", "--store", db, "--no-progress", "--workers", "2"))
    assert f"resuming sweep 1 (tiny): {kept} of {TASKS} tasks stored, {TASKS - kept} to run" in " ".join(out.split()), out
    assert RunStore(db).run(1).status == "completed" and RunStore(db).progress(1) == (TASKS, TASKS)
    assert snapshot(db) == reference


def test_killed_while_saving_on_postgres_resumes_to_the_same_rows(pg_url: str, tmp_path, reference) -> None:
    workers = kill_at(pg_url, "saving", 3, tmp_path)
    assert wait_gone(workers) == []
    assert RunStore(pg_url).progress(1) == (2, TASKS)  # the third result's transaction died with its connection
    finish(cli("resume", "--store", pg_url, "--no-progress", "--workers", "2"))
    assert snapshot(pg_url) == reference


def test_resume_refuses_a_sweep_whose_owner_is_alive(tmp_path) -> None:
    from simulations.workers import process_identity

    db = str(tmp_path / "runs.db")
    store = RunStore(db)
    store.create_run(kind="sweep", scenario_name="s", scenario_path="p", scenario_text="t", overrides={}, seed=1, command="c",
                     owner=process_identity(), arms=[{"label": "a", "rule": "eigenlayer", "seed": 1}])
    out, _ = (p := cli("resume", "--store", db, "--no-progress")).communicate(timeout=120)
    assert p.returncode == 2 and f"sweep 1 is still running in process {process_identity()}" in " ".join(out.split()), out
    assert RunStore(db).run(1).status == "running"


def test_a_killed_dask_sweep_leaves_no_worker_and_resumes_to_the_same_rows(tmp_path, reference) -> None:
    """On a Dask LocalCluster the worker processes belong to the sweep too: SIGKILL the parent
    mid-way and every one of them (and the semaphore tracker, nannies' helpers...) is gone; the
    resumed sweep (on the process pool this time) stores exactly the uninterrupted rows."""
    db = str(tmp_path / "runs.db")
    marker = tmp_path / "parked"
    proc = cli(*SWEEP, "--dask", "local", "--store", db, env={"TANGLE_SIM_HOLD_SWEEP": f"stored:4:{marker}"})
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists() and proc.poll() is None, proc.communicate()[0] if proc.poll() is not None else "never parked"
        descendants = children_of(proc.pid)
        assert len(descendants) >= 2, descendants  # at least the two Dask worker processes
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert wait_gone(descendants) == [], "Dask worker processes outlived the killed sweep"
    assert RunStore(db).progress(1) == (4, TASKS)
    out = finish(cli("resume", "--store", db, "--no-progress", "--workers", "2"))
    assert f"resuming sweep 1 (tiny): 4 of {TASKS} tasks stored, {TASKS - 4} to run" in " ".join(out.split()), out
    assert snapshot(db) == reference
