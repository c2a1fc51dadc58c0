"""The run store: exact integers, one transaction per round, consistency after a kill, resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.calllog import replay
from simulations.store import Metric, RoundCommit, RunStore

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "simulations" / "scenarios" / "slash-veto.yaml"


def make_run(store: RunStore) -> int:
    run_id = store.create_run(kind="run", scenario_name="t", scenario_path="t.yaml", scenario_text="", overrides={}, seed=1, command="x")
    store.add_arms(run_id, [{"label": "a", "rule": "symbiotic", "seed": 1}])
    return run_id


def test_u128_values_round_trip_exactly(tmp_path) -> None:
    store = RunStore(str(tmp_path / "s.db"))
    run_id = make_run(store)
    (arm,) = store.arms(run_id)
    big = (1 << 128) - 1
    store.commit_round(arm.id, RoundCommit(0, 10, "0xroot", [Metric("op", "operator", "stake", "TNT", big)], [], ["{}"], 1))
    (row,) = list(store.metrics([arm.id]))
    assert row.value == big and isinstance(row.value, int)
    with sqlite3.connect(tmp_path / "s.db") as raw:
        assert raw.execute("select value from metrics").fetchone()[0] == str(big)


def test_a_failing_round_commit_writes_nothing(tmp_path) -> None:
    store = RunStore(str(tmp_path / "s.db"))
    run_id = make_run(store)
    (arm,) = store.arms(run_id)
    store.commit_round(arm.id, RoundCommit(0, 10, "0xa", [Metric("op", "operator", "stake", "TNT", 1)], [], ["g"], 1))
    bad = RoundCommit(1, 20, "0xb", [Metric("op", "operator", "stake", "TNT", 2)], [{"slash_id": 0, "rule": "r", "target": "services", "offender": "op",
                       "percent": 5, "fault_block": 3, "status": "pending"}], ["c1"], 5)  # call count out of step
    with pytest.raises(ValueError, match="out of step"):
        store.commit_round(arm.id, bad)
    assert [m.value for m in store.metrics([arm.id])] == [1]
    assert store.slashes(arm.id) == [] and store.calls(arm.id) == ["g"]
    assert store.arm(arm.id).last_round == 0 and store.check_consistency(run_id) == []
    with pytest.raises(ValueError, match="already committed"):
        store.commit_round(arm.id, RoundCommit(0, 10, "0xa", [], [], [], 1))


def test_discard_removes_everything(tmp_path) -> None:
    store = RunStore(str(tmp_path / "s.db"))
    run_id = make_run(store)
    (arm,) = store.arms(run_id)
    store.commit_round(arm.id, RoundCommit(0, 10, "0xa", [Metric("op", "operator", "stake", "TNT", 1)], [], ["g"], 1))
    store.discard(run_id)
    assert store.arms(run_id) == [] and list(store.metrics([arm.id])) == [] and store.run(run_id).status == "discarded"


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from simulations.cli import main; main()", *args], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def committed_rounds(db: Path) -> int:
    try:
        with sqlite3.connect(db) as raw:
            return raw.execute("select count(*) from checkpoints").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_a_consistent_store_and_resumes(tmp_path, sig: int) -> None:
    db = tmp_path / "runs.db"
    args = ["run", str(SCENARIO), "--store", str(db), "--no-progress", "--param", "length.rounds=10", "--rule", "tangle_services", "--rule", "eigenlayer"]
    # an uninterrupted run first: the Tangle arm's rounds (10, then drained until its queue is empty) say where the 2nd arm starts
    fresh_db = tmp_path / "fresh.db"
    cli(*[a if a != str(db) else str(fresh_db) for a in args]).communicate(timeout=120)
    fresh = RunStore(str(fresh_db))
    first_arm_commits = next(a.last_round for a in fresh.arms(1) if a.label == "tangle_services") + 1
    assert first_arm_commits > 10  # drained past the last round
    hold = first_arm_commits + 3
    proc = cli(*args, env={"TANGLE_SIM_HOLD_AFTER_COMMITS": str(hold)})  # parks after its 3rd round commit inside the 2nd arm
    try:
        deadline = time.monotonic() + 60
        while committed_rounds(db) < hold and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[0]
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    store = RunStore(str(db))
    (run,) = store.runs()
    # SIGTERM: the run says so and stores "interrupted"; SIGKILL: "running" until a reader finds its owner dead
    assert run.status == ("interrupted" if sig == signal.SIGTERM else "running") and store.check_consistency(run.id) == []
    arms = {a.label: a for a in store.arms(run.id)}
    assert arms["tangle_services"].status == "completed" and arms["eigenlayer"].last_round == 2
    assert arms["eigenlayer"].status == "running" and store.losses([arms["eigenlayer"].id]) == []
    # what was committed replays to the checkpoint's root
    partial = replay(store.call_log(arms["eigenlayer"].id))
    assert partial.ok and partial.runtime.state_root() == arms["eigenlayer"].state_root
    # resume, then compare with an uninterrupted run of the same scenario
    out, _ = cli("resume", "--store", str(db), "--no-progress").communicate(timeout=120)
    assert "resuming run 1" in out, out
    resumed = {a.label: (a.status, a.state_root, a.last_round, a.summary_json) for a in RunStore(str(db)).arms(1)}
    assert resumed == {a.label: (a.status, a.state_root, a.last_round, a.summary_json) for a in fresh.arms(1)}
    assert RunStore(str(db)).run(1).status == "completed"
    for label in ("tangle_services", "eigenlayer"):
        a_id = next(a.id for a in RunStore(str(db)).arms(1) if a.label == label)
        f_id = next(a.id for a in fresh.arms(1) if a.label == label)
        assert RunStore(str(db)).calls(a_id) == fresh.calls(f_id)
        assert [(m.round, m.entity, m.metric, m.asset, m.value) for m in RunStore(str(db)).metrics([a_id])] == \
               [(m.round, m.entity, m.metric, m.asset, m.value) for m in fresh.metrics([f_id])]
    assert json.loads(fresh.arms(1)[0].summary_json)["slashes"]


def test_interrupted_what_if_branches_resume_to_the_same_result(tmp_path, monkeypatch) -> None:
    from simulations.commands import start_run
    from simulations.runner import execute_run

    def fresh(db: Path) -> tuple[RunStore, int, object]:
        store = RunStore(str(db))
        # the what-if fork is tangle_services's: it runs when that rule is chosen
        run_id, sc, _ = start_run(store, str(SCENARIO), {"length.rounds": 10}, None, ["eigenlayer", "tangle_services"], None)
        return store, run_id, sc

    class Interrupted(Exception):
        pass

    store, run_id, sc = fresh(tmp_path / "a.db")
    real_commit = RunStore.commit_round
    calls = {"n": 0}

    def flaky(self, arm_id, commit):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 32:  # eigenlayer's and tangle_services's 10 rounds, then inside the branches (prefix rounds count twice)
            raise Interrupted()
        return real_commit(self, arm_id, commit)

    monkeypatch.setattr(RunStore, "commit_round", flaky)
    with pytest.raises(Interrupted):
        execute_run(store, run_id, sc)
    monkeypatch.setattr(RunStore, "commit_round", real_commit)
    arms = {a.label: a for a in store.arms(run_id)}
    assert arms["eigenlayer"].status == arms["tangle_services"].status == "completed" and arms["tangle_services/veto"].status == "running"
    assert store.check_consistency(run_id) == []
    execute_run(store, run_id, sc)
    other, other_id, _ = fresh(tmp_path / "b.db")
    execute_run(other, other_id, sc)
    got = [(a.label, a.status, a.state_root, a.summary_json) for a in store.arms(run_id)]
    assert got == [(a.label, a.status, a.state_root, a.summary_json) for a in other.arms(other_id)]
    assert store.run(run_id).info_json == other.run(other_id).info_json and "branch_difference" in store.run(run_id).info_json


def test_a_discarded_run_keeps_no_results_and_cannot_be_reported_or_discarded_twice(tmp_path) -> None:
    from typer.testing import CliRunner

    from simulations.cli import app

    db = str(tmp_path / "s.db")
    store = RunStore(db)
    run_id = store.create_run(kind="run", scenario_name="t", scenario_path="t.yaml", scenario_text="", overrides={}, seed=1, command="x",
                              info={"branch_difference": [{"entity": "a", "role": "delegator", "asset": "TNT", "loss_no_veto": 1, "loss_veto": 0,
                                                           "saved_by_veto": 1}]})
    store.discard(run_id)
    assert store.run(run_id).info_json == "{}"  # the what-if rows went with the rest
    runner = CliRunner()
    report = runner.invoke(app, ["report", str(run_id), "--store", db, "--out", str(tmp_path / "r")])
    assert report.exit_code == 2 and "was discarded" in report.output and not (tmp_path / "r").exists()
    again = runner.invoke(app, ["discard", str(run_id), "--store", db])
    assert again.exit_code == 2 and "already discarded" in again.output


def test_parquet_keeps_small_integers_plain_and_big_ones_exact(tmp_path) -> None:
    import pandas as pd

    from simulations.export import write_frame

    frame = pd.DataFrame({"id": [1, 2], "percent": [10, 100], "disputed": [0, 1], "loss": [5, 3 * 10**30], "big": [1, 2**70]}, dtype=object)
    back = pd.read_parquet(write_frame(frame, tmp_path / "f.parquet"))
    assert [str(back[c].dtype) for c in ("id", "percent", "disputed")] == ["int64"] * 3  # pandas reads plain ints, not objects
    assert [int(v) for v in back.loss] == [5, 3 * 10**30] and [int(v) for v in back.big] == [1, 2**70]  # exact beyond 64 bits


def test_the_what_if_table_shows_every_asset_in_exact_whole_tokens(tmp_path) -> None:
    """USDC (6 decimals) was printed in base units beside TNT in tokens, under one unlabelled column."""
    from rich.console import Console

    from simulations.commands import print_summary

    scenario = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
    store = RunStore(str(tmp_path / "s.db"))
    rows = [{"entity": "loyal-1", "role": "delegator", "asset": "USDC", "loss_no_veto": 500 * 10**6, "loss_veto": 500 * 10**6, "saved_by_veto": 0},
            {"entity": "mover", "role": "delegator", "asset": "TNT", "loss_no_veto": 1_323_300_000_000_000_000_000, "loss_veto": 10**18 // 3,
             "saved_by_veto": 1}]
    run_id = store.create_run(kind="run", scenario_name="slash-veto", scenario_path=str(scenario), scenario_text=scenario.read_text(),
                              overrides={}, seed=7, command="x", info={"branch_difference": rows})
    console = Console(width=200, record=True)
    print_summary(console, store, run_id)
    text = console.export_text()
    usdc = next(line for line in text.splitlines() if "USDC" in line and "loyal-1" in line)
    assert "500" in usdc and "500,000,000" not in usdc
    mover = next(line for line in text.splitlines() if "mover" in line)
    assert "1,323.3" in mover and "0.333333333333333333" in mover and "0.000000000000000001" in mover  # exact, no float rounding
    assert "(tokens)" in text
