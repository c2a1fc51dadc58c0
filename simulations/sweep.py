"""Monte Carlo parameter sweeps, in parallel processes (default: all cores) or on a Dask cluster.

A sweep is the cartesian product of ``--param key=v1,v2,...`` values, times the scenario's rules,
times ``--runs`` Monte Carlo runs. Run ``i`` uses seed ``run_seed(scenario seed, i)`` for every
parameter point and rule, so points are compared on the same random draws (common random numbers).
Each task is a pure function of (scenario text, overrides, rule, seed), executed by
:func:`run_task` in a worker; results come back as plain dicts, are put in a pandas DataFrame in
task order, and are written to the run store by the parent process. The backend therefore cannot
change the numbers: process pool, Dask LocalCluster or a remote Dask scheduler give identical
frames.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pandas as pd

from simulations.rng import run_seed

_SCENARIO_CACHE: dict[str, Any] = {}


@dataclass(frozen=True)
class SweepTask:
    index: int
    scenario_text: str
    suffix: str
    overrides: tuple[tuple[str, Any], ...]  # base overrides + this arm's (its parameters and policy)
    point: tuple[tuple[str, Any], ...]  # frame columns: the arm's policy name and the parameters that apply to it
    rule: str
    run_index: int
    seed: int
    arm: str = ""  # the arm's name (simulations.lab.arms.Arm.name)


def parse_grid(items: Iterable[str]) -> dict[str, list[Any]]:
    """``["slash_defer_duration=7,14,28"]`` -> ``{"slash_defer_duration": [7, 14, 28]}``."""
    from simulations.scenario import parse_param_value

    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise ValueError(f"--param {item!r}: expected key=value[,value...]")
        grid[key.strip()] = [parse_param_value(v.strip()) for v in values.split(",")]
    return grid


def plan(scenario_text: str, suffix: str, base_overrides: dict[str, Any], grid: dict[str, list[Any]], rules: list[str], runs: int, base_seed: int,
         policies: list[str] | None = None, arms: list[Any] | None = None) -> list[SweepTask]:
    """Tasks for every arm × run. Arms are ``arms`` if given, else ``policies`` × ``rules`` × the
    ``grid``, each parameter applied only where it matters and identical arms once
    (:mod:`simulations.lab.arms`). Run ``i`` has the same seed in every arm (common random
    numbers); tasks go run by run, so a partial sweep has (nearly) the same runs in every arm."""
    from simulations.lab.arms import grid_arms

    if arms is None:
        sc = None
        if policies:
            from simulations.runner import load_for_run

            sc, _ = load_for_run(f"sweep{suffix}", dict(base_overrides), None, text=scenario_text)
        arms, _ = grid_arms(sc, rules, grid, policies)  # type: ignore[arg-type]
    tasks = []
    for i in range(runs):
        seed = run_seed(base_seed, i)
        for arm in arms:
            overrides = tuple(sorted({**base_overrides, **arm.overrides()}.items()))
            tasks.append(SweepTask(len(tasks), scenario_text, suffix, overrides, tuple(arm.point().items()), arm.rule, i, seed, arm.name))
    return tasks


def _scenario(task: SweepTask) -> Any:
    from simulations.runner import load_for_run

    key = hashlib.blake2b((task.scenario_text + task.suffix + json.dumps(task.overrides, default=str)).encode(), digest_size=16).hexdigest()
    sc = _SCENARIO_CACHE.get(key)
    if sc is None:
        sc, _ = load_for_run(f"sweep{task.suffix}", dict(task.overrides), None, text=task.scenario_text)
        _SCENARIO_CACHE[key] = sc
    return sc


def run_task(task: SweepTask) -> dict[str, Any]:
    """Play one arm; return plain data (picklable, backend-independent)."""
    from simulations.runner import ArmSpec, play

    sc = _scenario(task)
    res = play(sc, ArmSpec(task.rule, task.rule, task.seed, params=dict(task.point), run_index=task.run_index))
    return {
        "index": task.index,
        "arm": task.arm or task.rule,
        "point": dict(task.point),
        "rule": task.rule,
        "run_index": task.run_index,
        "seed": task.seed,
        "state_root": res.state_root,
        "summary": res.summary,
        "losses": [(m.entity, m.role, m.asset, m.value) for m in res.losses],
        "slashes": res.slashes,
        "final_metrics": [(m.entity, m.role, m.metric, m.asset, m.value) for m in res.final_metrics],
        "block": res.summary["block"],
    }


# ---------------------------------------------------------------------------------------- backends
def run_serial(tasks: list[SweepTask], progress: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    out = []
    for t in tasks:
        out.append(run_task(t))
        if progress:
            progress()
    return out


def run_processes(tasks: list[SweepTask], workers: int | None = None, progress: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """A process pool with ``workers`` processes (default: every core)."""
    workers = workers or os.cpu_count() or 1
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_task, t): t.index for t in tasks}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            if progress:
                progress()
    return results  # type: ignore[return-value]


def run_dask(tasks: list[SweepTask], address: str, workers: int | None = None, progress: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """On a Dask cluster: ``address`` is ``local`` (a LocalCluster of ``workers`` single-threaded
    worker processes, default every core) or a scheduler address such as ``tcp://10.0.0.5:8786``."""
    from distributed import Client, LocalCluster, as_completed as dask_completed

    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = client.map(run_task, tasks, pure=False)
        index = {f.key: t.index for f, t in zip(futures, tasks)}
        results: list[dict[str, Any] | None] = [None] * len(tasks)
        for fut in dask_completed(futures):
            results[index[fut.key]] = fut.result()
            if progress:
                progress()
        return results  # type: ignore[return-value]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------------------- results
def to_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per task: the point's parameters, rule, run, counts, governance window, losses (ints)."""
    from simulations.lab.frames import run_frame

    return run_frame(results)


def losses_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    """Long format: one row per (task, entity, asset) loss."""
    rows = [{**r["point"], "rule": r["rule"], "run_index": r["run_index"], "entity": e, "role": role, "asset": asset, "loss": value}
            for r in results for (e, role, asset, value) in r["losses"]]
    return pd.DataFrame(rows)


def store_results(store: Any, run_id: int, results: list[dict[str, Any]]) -> list[int]:
    """Write each task as a finished arm: its final-round metrics, slashes, losses and summary."""
    from simulations.store import Metric, RoundCommit

    arm_ids = store.add_arms(run_id, [{"label": f"{r['rule']} {json.dumps(r['point'], sort_keys=True)} #{r['run_index']}", "rule": r["rule"],
                                       "params": r["point"], "seed": r["seed"], "run_index": r["run_index"]} for r in results])
    for arm_id, r in zip(arm_ids, results):
        metrics = [Metric(*m) for m in r["final_metrics"]]
        commit = RoundCommit(round=r["summary"]["round"], block=r["summary"]["block"], state_root=r["state_root"], metrics=metrics, slashes=[], calls=[], total_calls=0)
        store.store_finished_arm(arm_id, commits=[commit], losses=[Metric(e, role, "loss", asset, v) for e, role, asset, v in r["losses"]],
                                 summary=r["summary"], slashes=r["slashes"])
    return arm_ids
