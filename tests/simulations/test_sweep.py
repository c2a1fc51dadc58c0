"""Sweeps: the grid, common random numbers, and identical numbers on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulations import sweep as sw
from simulations.store import RunStore

SCENARIO = Path(__file__).resolve().parents[2] / "simulations" / "scenarios" / "slash-veto.yaml"
TEXT = SCENARIO.read_text()
BASE = {"length.rounds": 10}


def tasks(runs: int = 3) -> list[sw.SweepTask]:
    return sw.plan(TEXT, ".yaml", BASE, {"slash_defer_duration": [2, 7]}, ["tangle_services", "eigenlayer"], runs, 7)


def test_grid_parsing_and_planning() -> None:
    assert sw.parse_grid(["slash_defer_duration=7,14,28", "governance.reaction_blocks=5"]) == {"slash_defer_duration": [7, 14, 28], "governance.reaction_blocks": [5]}
    with pytest.raises(ValueError, match="key=value"):
        sw.parse_grid(["nonsense"])
    plan = tasks()
    # slash_defer_duration only moves the Tangle rule: 2 Tangle arms + 1 EigenLayer arm (not 2 identical ones), 3 runs each
    assert len(plan) == 3 * 3 and [t.index for t in plan] == list(range(9))
    assert sorted({t.arm for t in plan}) == ["eigenlayer", "tangle_services/slash_defer_duration=2", "tangle_services/slash_defer_duration=7"]
    # run i has the same seed in every arm (common random numbers)
    assert len({(t.run_index, t.seed) for t in plan}) == 3


def test_process_and_dask_backends_give_identical_frames() -> None:
    plan = tasks()
    serial = sw.to_frame(sw.run_serial(plan))
    processes = sw.to_frame(sw.run_processes(plan, workers=2))
    dask = sw.to_frame(sw.run_dask(plan, "local", workers=2))
    assert serial.equals(processes) and serial.equals(dask)
    # and the parameter matters: a shorter defer gives governance a shorter window under the Tangle rule
    tangle = serial[serial.rule == "tangle_services"]
    assert tangle[tangle.slash_defer_duration == 2].window_mean.mean() < tangle[tangle.slash_defer_duration == 7].window_mean.mean()
    assert set(serial.columns) >= {"arm", "slash_defer_duration", "rule", "run_index", "seed", "vetoed", "applied", "pending_at_end",
                                   "loss_delegator_TNT_base", "loss_delegator_TNT", "loss_delegator_value", "state_root"}
    assert all(isinstance(v, int) for v in serial.loss_delegator_TNT_base) and serial.loss_delegator_TNT_base.dtype == object
    assert list(serial.loss_delegator_TNT) == [v / 10**18 for v in serial.loss_delegator_TNT_base]


def test_results_go_to_the_store(tmp_path) -> None:
    results = sw.run_serial(tasks(1))
    store = RunStore(str(tmp_path / "s.db"))
    run_id = store.create_run(kind="sweep", scenario_name="slash-veto", scenario_path=str(SCENARIO), scenario_text=TEXT, overrides={}, seed=7, command="c")
    arm_ids = sw.store_results(store, run_id, results)
    assert len(arm_ids) == 3 and store.check_consistency(run_id) == []
    arms = store.arms(run_id)
    assert all(a.status == "completed" for a in arms) and {a.rule for a in arms} == {"tangle_services", "eigenlayer"}
    losses = store.losses(arm_ids)
    by_arm = {}
    for row in losses:
        by_arm[row.arm_id] = by_arm.get(row.arm_id, 0) + (row.loss if row.role == "delegator" and row.asset == "TNT" else 0)
    frame = sw.to_frame(results)
    assert [by_arm.get(i, 0) for i in arm_ids] == list(frame.loss_delegator_TNT_base)


def test_a_dask_scheduler_address_works_too() -> None:
    from distributed import LocalCluster

    plan = tasks(1)[:2]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = sw.to_frame(sw.run_dask(plan, cluster.scheduler_address))
    assert cluster.scheduler_address.startswith("tcp://")
    assert remote.equals(sw.to_frame(sw.run_serial(plan)))
