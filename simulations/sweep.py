"""Monte Carlo parameter sweeps, in parallel processes (default: all cores) or on a Dask cluster.

A sweep is the cartesian product of ``--param key=v1,v2,...`` values, times the scenario's rules,
times ``--runs`` Monte Carlo runs. Run ``i`` uses seed ``run_seed(scenario seed, i)`` for every
parameter point and rule, so points are compared on the same random draws (common random numbers).
Each task is a pure function of (scenario text, overrides, rule, seed), executed by
:func:`run_task` in a worker; results come back as plain dicts and are committed to the run store
by the parent process as each one arrives (:func:`execute_and_store`; every task is an arm row
written before the sweep starts, so ``tangle-sim resume`` plays exactly the missing ones), and
are put in a pandas DataFrame in task order. The backend therefore cannot
change the numbers: process pool, Dask LocalCluster or a remote Dask scheduler give identical
frames.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

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
        from simulations.scenario import HARD_MAX_BLOCKS

        # the parent validated the length against the user's limit (--allow-long) before planning
        sc, _ = load_for_run(f"sweep{task.suffix}", dict(task.overrides), None, text=task.scenario_text, max_blocks=HARD_MAX_BLOCKS)
        _SCENARIO_CACHE[key] = sc
    return sc


def run_task(task: SweepTask, per_round: bool = False) -> dict[str, Any]:
    """Play one arm; return plain data (picklable, backend-independent). ``per_round``: also the
    metrics of every round (``commits``), for sweeps that store per-round rows."""
    from simulations.runner import ArmSpec, Recorder, play

    sc = _scenario(task)
    commits: list[Any] = []
    recorder = Recorder(commits.append, with_calls=False) if per_round else None
    res = play(sc, ArmSpec(task.rule, task.rule, task.seed, params=dict(task.point), run_index=task.run_index), recorder)
    out = {
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
    if per_round:
        out["commits"] = commits
    return out


# ---------------------------------------------------------------------------------------- backends
Result = dict[str, Any]


def iter_serial(tasks: list[SweepTask], per_round: bool = False) -> Iterator[Result]:
    for t in tasks:
        yield run_task(t, per_round)


def pool_size(workers: int | None, tasks: int) -> int:
    """The processes a sweep of ``tasks`` starts for ``--workers`` (None: every core): never more
    than the cores (each simulation is CPU-bound, so more only share them, at the memory of a
    runtime each; ``--workers 100000`` forked a process per task) nor than the tasks."""
    cores = os.cpu_count() or 1
    return max(1, min(workers or cores, cores, tasks))


def iter_processes(tasks: list[SweepTask], workers: int | None = None, per_round: bool = False) -> Iterator[Result]:
    """Results as they finish, from a pool of ``workers`` processes (default: every core) that
    die with this process (:mod:`simulations.workers`). Closing the generator early (an error or
    a kill signal in the consumer) kills the workers."""
    from simulations.workers import guarded_pool, submit_all

    if not tasks:
        return
    with guarded_pool(pool_size(workers, len(tasks))) as pool:
        futures = submit_all(pool, run_task, tasks, per_round)
        hold = _hold_hook()
        if hold:
            hold("started", 0)
        for fut in as_completed(futures):
            yield fut.result()


def iter_dask(tasks: list[SweepTask], address: str, workers: int | None = None, per_round: bool = False) -> Iterator[Result]:
    """On a Dask cluster: ``address`` is ``local`` (a LocalCluster of ``workers`` single-threaded
    worker processes, default every core) or a scheduler address such as ``tcp://10.0.0.5:8786``."""
    from distributed import Client, LocalCluster, as_completed as dask_completed

    if not tasks:
        return
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = client.map(run_task, tasks, per_round=per_round, pure=False)
        for fut in dask_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def iter_results(tasks: list[SweepTask], workers: int | None = None, dask: str | None = None, per_round: bool = False) -> Iterator[Result]:
    """Each task's result as soon as it is computed (any order): serial when ``workers == 1``,
    Dask when ``dask`` names a cluster, else a process pool."""
    if dask:
        return iter_dask(tasks, dask, workers, per_round)
    if workers == 1:
        return iter_serial(tasks, per_round)
    return iter_processes(tasks, workers, per_round)


def _in_order(tasks: list[SweepTask], results: Iterable[Result], progress: Callable[[], None] | None) -> list[Result]:
    position = {t.index: i for i, t in enumerate(tasks)}
    out: list[Result | None] = [None] * len(tasks)
    for r in results:
        out[position[r["index"]]] = r
        if progress:
            progress()
    return out  # type: ignore[return-value]


def run_serial(tasks: list[SweepTask], progress: Callable[[], None] | None = None) -> list[Result]:
    return _in_order(tasks, iter_serial(tasks), progress)


def run_processes(tasks: list[SweepTask], workers: int | None = None, progress: Callable[[], None] | None = None) -> list[Result]:
    """A process pool with ``workers`` processes (default: every core); results in task order."""
    return _in_order(tasks, iter_processes(tasks, workers), progress)


def run_dask(tasks: list[SweepTask], address: str, workers: int | None = None, progress: Callable[[], None] | None = None) -> list[Result]:
    return _in_order(tasks, iter_dask(tasks, address, workers), progress)


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
    arm_ids = store.add_arms(run_id, [{"label": arm_label(r["rule"], r["point"], r["run_index"]), "rule": r["rule"],
                                       "params": r["point"], "seed": r["seed"], "run_index": r["run_index"]} for r in results])
    for arm_id, r in zip(arm_ids, results):
        store_result(store, arm_id, r)
    return arm_ids


# ---------------------------------------------------------------------------------------- durability
def arm_label(rule: str, point: Any, run_index: int) -> str:
    """The store's label of one task (its row key): ``rule {point JSON} #run``. Not for people:
    :func:`display_names` is what every table, chart, CSV and message shows."""
    return f"{rule} {json.dumps(dict(point), sort_keys=True, default=str)} #{run_index}"


def full_arm_name(rule: str, point: dict[str, Any]) -> str:
    """``rule/policy/key=value...`` over every parameter of the point, constant ones included."""
    point = dict(point)
    policy = point.pop("policy", None)
    return "/".join([str(rule)] + ([str(policy)] if policy is not None else []) + [f"{k}={v}" for k, v in sorted(point.items())])


def display_names(arms: Iterable[Any]) -> dict[int, str]:
    """Per stored arm row (by id): the name of the arm it is a run of, as the sweep printed it
    (:attr:`simulations.lab.arms.Arm.name`, kept in the task): only what differs between arms,
    a parameter set alike for every arm is not part of it (:func:`simulations.lab.summary.
    constant_parameters` names those in the captions). Rows stored before tasks kept the name get it
    rebuilt the same way from their parameters. Whenever two different arms (rule, parameters)
    would share a name, those arms get their full ``rule/policy/key=value`` name instead: the
    console, the HTML report, the charts and the CSV all use this one mapping, and it is never
    ambiguous."""
    rows = list(arms)
    points = {a.id: json.loads(a.params_json or "{}") for a in rows}
    values: dict[str, set[str]] = {}
    for p in points.values():
        for k, v in p.items():
            values.setdefault(k, set()).add(json.dumps(v, sort_keys=True, default=str))
    varied = {k for k, vs in values.items() if len(vs) > 1 or k == "policy"}
    names: dict[int, str] = {}
    for a in rows:
        task = json.loads(a.task_json) if a.task_json else {}
        names[a.id] = task.get("arm") or full_arm_name(a.rule, {k: v for k, v in points[a.id].items() if k in varied})
    identity: dict[str, set[str]] = {}
    for a in rows:
        identity.setdefault(names[a.id], set()).add(json.dumps([a.rule, points[a.id]], sort_keys=True, default=str))
    return {a.id: full_arm_name(a.rule, points[a.id]) if len(identity[names[a.id]]) > 1 else names[a.id] for a in rows}


def _freeze(value: Any) -> Any:
    """JSON gives lists where the task had tuples: back to (hashable) tuples."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def task_to_json(task: SweepTask) -> str:
    """The task without its scenario text (the run row holds that), for the arm row: what a
    resume needs to play exactly this task again, whatever ``plan`` would do today."""
    fields = {f.name: getattr(task, f.name) for f in dataclasses.fields(task) if f.name != "scenario_text"}
    return json.dumps(fields, sort_keys=True)


def task_from_json(text: str, scenario_text: str) -> SweepTask:
    data = json.loads(text)
    names = {f.name for f in dataclasses.fields(SweepTask)}
    kwargs = {k: _freeze(v) for k, v in data.items() if k in names}
    return SweepTask(scenario_text=scenario_text, **kwargs)


def arm_rows(tasks: list[SweepTask]) -> list[dict[str, Any]]:
    """One pending arm per task (position = task order), carrying the task itself."""
    return [{"label": arm_label(t.rule, t.point, t.run_index), "rule": t.rule, "params": dict(t.point), "seed": t.seed,
             "run_index": t.run_index, "task": task_to_json(t)} for t in tasks]


def store_result(store: Any, arm_id: int, r: Result, hold: Callable[[], None] | None = None) -> None:
    """One finished task, in one transaction: its per-round metrics (if the worker recorded them)
    or its final-round metrics, slashes, losses and summary."""
    from simulations.store import Metric, RoundCommit

    commits = r.get("commits")
    if not commits:
        metrics = [Metric(*m) for m in r["final_metrics"]]
        commits = [RoundCommit(round=r["summary"]["round"], block=r["summary"]["block"], state_root=r["state_root"], metrics=metrics, slashes=[], calls=[], total_calls=0)]
    store.store_finished_arm(arm_id, commits=commits, losses=[Metric(e, role, "loss", asset, v) for e, role, asset, v in r["losses"]],
                             summary=r["summary"], slashes=r["slashes"], hold=hold)


def pending_tasks(store: Any, run_id: int) -> tuple[list[SweepTask], dict[int, int]]:
    """The tasks of a stored sweep that have no result yet, and ``{task index: arm id}``."""
    run = store.run(run_id)
    tasks, arm_of = [], {}
    for arm in store.arms(run_id):
        if arm.status == "completed":
            continue
        if not arm.task_json:
            raise ValueError(f"sweep {run_id}: arm {arm.id} has no stored task (written by an older tangle-sim); it cannot be resumed")
        task = task_from_json(arm.task_json, run.scenario_text)
        tasks.append(task)
        arm_of[task.index] = arm.id
    return tasks, arm_of


def stored_results(store: Any, run_id: int) -> list[Result]:
    """The results of a sweep's completed tasks as the store keeps them, in task order: what
    :func:`to_frame` needs, so ``--out`` of an interrupted or resumed sweep holds every stored run
    (identical to the frame of the uninterrupted sweep's own results)."""
    out = []
    arms = store.arms(run_id)
    names = display_names(arms)
    for arm in arms:
        if arm.status != "completed" or not arm.summary_json or arm.summary_json == "{}":
            continue
        summary = json.loads(arm.summary_json)
        task = json.loads(arm.task_json) if arm.task_json else {}
        out.append({"index": task.get("index", arm.position), "arm": names[arm.id], "point": dict(task["point"]) if "point" in task else json.loads(arm.params_json or "{}"),
                    "rule": arm.rule, "run_index": arm.run_index, "seed": arm.seed, "state_root": arm.state_root, "summary": summary,
                    "block": summary.get("block", arm.last_block)})
    out.sort(key=lambda r: r["index"])
    return out


def execute_and_store(store: Any, arm_of: dict[int, int], tasks: list[SweepTask], *, workers: int | None = None, dask: str | None = None,
                      per_round: bool = False, progress: Callable[[], None] | None = None) -> list[Result]:
    """Run ``tasks`` and commit each result to its arm as soon as it arrives (a kill loses at
    most the tasks in flight); returns the results in task order."""
    hold = _hold_hook()
    results: list[Result] = []
    stream = iter_results(tasks, workers, dask, per_round)
    with contextlib.closing(stream):  # leaving early (an error, a signal) closes the pool, which kills its workers
        for n, r in enumerate(stream, start=1):
            store_result(store, arm_of[r["index"]], r, hold=(lambda n=n: hold("saving", n)) if hold else None)
            results.append(r)
            if progress:
                progress()
            if hold:
                hold("stored", n)
    results.sort(key=lambda r: r["index"])
    return results


def _hold_hook() -> Callable[[str, int], None] | None:
    """Test hook: ``TANGLE_SIM_HOLD_SWEEP=stage:N:file`` parks the parent (up to a minute) at the
    N-th result, ``saving`` inside its store transaction or ``stored`` after it committed
    (``started:0`` once the process pool has its tasks), touching ``file`` so a test can kill it there."""
    spec = os.environ.get("TANGLE_SIM_HOLD_SWEEP", "")
    if not spec:
        return None
    stage, n, marker = spec.split(":", 2)

    def hold(at: str, k: int) -> None:
        if at == stage and k == int(n):
            Path(marker).write_text(str(os.getpid()))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.05)

    return hold
