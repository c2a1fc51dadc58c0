"""The run store on a real PostgreSQL server and on SQLite: the same rows, exactly.

PostgreSQL checks what SQLite lets through: INTEGER is 32 bits, BIGINT is signed 64, VARCHAR(n)
enforces n. Seeds are unsigned 64-bit and amounts u128, so the store keeps them as decimal text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulations import sweep as sw
from simulations.cli import app
from simulations.export import export_run, run_tables
from simulations.report import sweep_frame
from simulations.store import Metric, RoundCommit, RunStore

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
U64_MAX = (1 << 64) - 1
U128_MAX = (1 << 128) - 1
runner = CliRunner()


def test_wide_integers_and_long_text_round_trip(store_url: str) -> None:
    store = RunStore(store_url)
    seeds = [0, (1 << 31), 3_000_000_000, (1 << 63) - 1, 1 << 63, U64_MAX]
    long_label = "tangle_services " + json.dumps({f"parameter_{i}": i for i in range(30)}) + " #0"
    assert len(long_label) > 300
    run_id = store.create_run(kind="sweep", scenario_name="n" * 500, scenario_path="p", scenario_text="t", overrides={}, seed=U64_MAX, command="c",
                              arms=[{"label": long_label, "rule": "tangle_services", "seed": s, "run_index": i} for i, s in enumerate(seeds)])
    arms = store.arms(run_id)
    assert [a.seed for a in arms] == seeds and all(isinstance(a.seed, int) for a in arms)
    assert store.run(run_id).seed == U64_MAX and arms[0].label == long_label and store.run(run_id).scenario_name == "n" * 500
    big_block = (1 << 40)  # past a 32-bit INTEGER
    store.store_finished_arm(arms[0].id, commits=[RoundCommit(1 << 35, big_block, "0xroot", [Metric("e" * 300, "operator", "stake", "TNT", U128_MAX)], [], [], 0)],
                             losses=[Metric("d", "delegator", "loss", "TNT", U128_MAX - 1)], summary={"total": U128_MAX},
                             slashes=[{"slash_id": 0, "rule": "tangle_services", "target": "services", "offender": "op", "percent": 10,
                                       "fault_block": big_block, "status": "applied", "amount": U128_MAX}])
    (metric,) = list(store.metrics([arms[0].id]))
    assert (metric.value, metric.block, metric.round) == (U128_MAX, big_block, 1 << 35)
    assert store.losses([arms[0].id])[0].loss == U128_MAX - 1 and store.slashes(arms[0].id)[0].amount == U128_MAX
    assert json.loads(store.arm(arms[0].id).summary_json)["total"] == U128_MAX
    assert store.progress(run_id) == (1, len(seeds)) and store.check_consistency(run_id) == []


def test_a_failed_save_writes_nothing(store_url: str) -> None:
    """A task's result is one transaction: if it fails half way, the arm stays pending and empty."""
    store = RunStore(store_url)
    run_id = store.create_run(kind="sweep", scenario_name="s", scenario_path="p", scenario_text="t", overrides={}, seed=1, command="c",
                              arms=[{"label": "a", "rule": "eigenlayer", "seed": 1}])
    (arm,) = store.arms(run_id)

    class Boom(Exception):
        pass

    def explode() -> None:
        raise Boom()

    with pytest.raises(Boom):
        store.store_finished_arm(arm.id, commits=[RoundCommit(0, 2, "0xa", [Metric("op", "operator", "stake", "TNT", 5)], [], [], 0)],
                                 losses=[Metric("d", "delegator", "loss", "TNT", 1)], summary={"x": 1}, slashes=[], hold=explode)
    assert store.arm(arm.id).status == "pending" and list(store.metrics([arm.id])) == [] and store.losses([arm.id]) == []
    assert store.progress(run_id) == (0, 1)


def test_a_sweep_of_1000_runs_stores_identically_to_postgres_and_sqlite(pg_url: str, tmp_path) -> None:
    text = TINY.read_text()
    tasks = sw.plan(text, ".yaml", {}, {}, ["tangle_services", "eigenlayer"], 500, 11)
    assert len(tasks) == 1000 and max(t.seed for t in tasks) >= 1 << 62  # 63-bit seeds (what crashed the INTEGER column)
    stores = {"postgresql": RunStore(pg_url), "sqlite": RunStore(str(tmp_path / "s.db"))}
    ids = {}
    for name, store in stores.items():
        ids[name] = store.create_run(kind="sweep", scenario_name="tiny", scenario_path=str(TINY), scenario_text=text, overrides={}, seed=11, command="c",
                                     info={"grid": {}}, arms=sw.arm_rows(tasks))
    arm_of = {name: {t.index: a.id for t, a in zip(tasks, stores[name].arms(ids[name]))} for name in stores}
    # the sweep itself (2 worker processes) commits each result to PostgreSQL as it arrives ...
    results = sw.execute_and_store(stores["postgresql"], arm_of["postgresql"], tasks, workers=2)
    # ... and the same results go to SQLite through the same per-task save
    for r in results:
        sw.store_result(stores["sqlite"], arm_of["sqlite"][r["index"]], r)

    def dump(name: str) -> dict:
        store, run_id = stores[name], ids[name]
        tables = run_tables(store, run_id)
        drop = {"id", "arm_id", "run_id"}
        return {table: [{k: v for k, v in row.items() if k not in drop} for row in frame.to_dict("records")] for table, frame in tables.items()}

    pg, lite = dump("postgresql"), dump("sqlite")
    assert len(pg["arms"]) == 1000 and all(a["status"] == "completed" for a in pg["arms"])
    assert sum(1 for s in pg["slashes"]) > 100 and sum(1 for loss in pg["losses"] if loss["loss"]) > 50  # the runs did something
    for table in pg:
        assert pg[table] == lite[table], table
    frames = {name: sweep_frame(stores[name], ids[name]) for name in stores}
    assert frames["postgresql"].equals(frames["sqlite"])
    # what the store gives back is what the workers computed (on the columns both frames carry)
    stored, computed = frames["postgresql"], sw.to_frame(results)
    shared = sorted(set(stored.columns) & set(computed.columns))
    assert {"rule", "seed", "run_index"} <= set(shared) and len(shared) >= 8, shared
    order = ["rule", "run_index", "seed"]
    assert stored[shared].sort_values(order).reset_index(drop=True).astype(str).equals(
        computed[shared].sort_values(order).reset_index(drop=True).astype(str))
    assert stores["postgresql"].check_consistency(ids["postgresql"]) == [] and stores["postgresql"].progress(ids["postgresql"]) == (1000, 1000)


def test_per_round_rows_and_parquet_export(store_url: str, tmp_path) -> None:
    db = store_url
    result = runner.invoke(app, ["sweep", str(TINY), "--runs", "2", "--rule", "eigenlayer", "--workers", "1", "--per-round", "--store", db,
                                 "--out", str(tmp_path / "frame.parquet"), "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    store = RunStore(db)
    arms = store.arms(1)
    rounds = {a.id: sorted({m.round for m in store.metrics([a.id])}) for a in arms}
    assert all(r[:3] == [0, 1, 2] and r == list(range(len(r))) for r in rounds.values()), rounds
    assert store.check_consistency(1) == []
    files = export_run(store, 1, tmp_path / "pq", "parquet")
    assert {f.name for f in files} == {f"{t}.parquet" for t in ("run", "arms", "metrics", "slashes", "losses", "checkpoints", "outcomes")}
    metrics = pd.read_parquet(tmp_path / "pq" / "metrics.parquet")
    stake = [int(v) for v in metrics[metrics.metric == "stake"].value]
    assert stake and max(stake) == 5_000 * 10**18  # exact: a decimal, not a float
    exported_seeds = [int(s) for s in pd.read_parquet(tmp_path / "pq" / "arms.parquet").seed]
    assert exported_seeds == [a.seed for a in arms]
    frame = pd.read_parquet(tmp_path / "frame.parquet")
    assert [int(v) for v in frame.loss_operator_TNT] == list(sweep_frame(store, 1).loss_operator_TNT)
    out = runner.invoke(app, ["export", "1", "--store", db, "--out", str(tmp_path / "csv")], catch_exceptions=False)
    assert out.exit_code == 0 and "losses.csv" in out.output
    csv = pd.read_csv(tmp_path / "csv" / "metrics.csv", dtype={"value": str})
    assert [int(v) for v in csv.value] == [m.value for m in store.metrics([a.id for a in arms])]


@pytest.mark.parametrize("seed", [3_000_000_000, U64_MAX])
def test_cli_seeds_up_to_u64_run_and_are_stored_exactly(store_url: str, seed: int) -> None:
    result = runner.invoke(app, ["run", str(TINY), "--seed", str(seed), "--rule", "eigenlayer", "--store", store_url, "--no-progress"])
    assert result.exit_code == 0, result.output
    store = RunStore(store_url)
    (run,) = store.runs()
    (arm,) = store.arms(run.id)
    assert run.seed == seed and arm.seed == seed and run.status == "completed"
    assert f"--seed {seed}" in run.command


@pytest.mark.parametrize("seed", [str(1 << 64), str(1 << 200), "-1"])
def test_cli_seeds_outside_u64_are_refused(store_url: str, seed: str) -> None:
    result = runner.invoke(app, ["run", str(TINY), "--seed", seed, "--rule", "eigenlayer", "--store", store_url, "--no-progress"])
    assert result.exit_code == 2, result.output
    assert "seed" in result.output and "18446744073709551615" in " ".join(result.output.split())
    assert RunStore(store_url).runs() == []
