"""What ``tangle-sim run`` / ``resume`` / ``discard`` do (the typer wrappers live in cli.py)."""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path
from typing import Any, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from simulations.runner import ArmResult, execute_run, load_for_run, plan_arms, reproduce_command
from simulations.scenario import parse_param_value
from simulations.store import RunStore
from simulations.workers import owner_alive, process_identity
from simulations.yamlerrors import ScenarioError

UNIT = 10**18
MAX_SWEEP_TASKS = 1_000_000  # a sweep plans one stored arm per task before it starts


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["slash_defer_duration=14", "governance.reaction_blocks=3"]`` -> overrides."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ScenarioError("--param", [f"--param {item!r}: expected key=value"])
        out[key.strip()] = parse_param_value(value.strip())
    return out


def progress_bar(console: Console, enabled: bool = True) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, disable=not enabled, transient=False)


def tnt(amount: int) -> str:
    return f"{amount / UNIT:,.2f}"


def max_blocks(allow_long: bool) -> int:
    """The longest run accepted: ``scenario.MAX_BLOCKS``, or the u32 block number's limit with --allow-long."""
    from simulations.scenario import HARD_MAX_BLOCKS, MAX_BLOCKS

    return HARD_MAX_BLOCKS if allow_long else MAX_BLOCKS


def start_run(store: RunStore | str, path: str, overrides: dict[str, Any], seed: int | None, rules: list[str] | None, store_arg: str | None,
              allow_long: bool = False) -> tuple[int, Any, str]:
    """Validate, create the run and its arms in the store (a URL: opened, and so created, only
    once everything is valid); returns (run id, scenario, command)."""
    sc, text = load_for_run(path, overrides, seed, max_blocks=max_blocks(allow_long))
    chosen = rules or list(sc.rules)
    unknown = [r for r in chosen if r not in ("tangle_services", "substrate_staking", "symbiotic", "eigenlayer")]
    if unknown:
        raise ScenarioError("--rule", [f"--rule: unknown rule(s) {unknown}"])
    command = reproduce_command(path, sc.seed, overrides, rules, store_arg, allow_long)
    info: dict[str, Any] = {"rules": chosen}
    if sc.arms and not rules:
        # the scenario's declared arms (each its own policy and parameters), not the bare rules
        # with the scenario's default policy: that would answer a question nobody asked
        planned, arm_overrides = declared_run_arms(sc, path, overrides, text, allow_long)
        info = {"rules": sorted({a.rule for a in planned}), "arm_overrides": arm_overrides}
    else:
        planned = plan_arms(sc, sc.seed, chosen)
        check_runtime(sc, path, overrides, sorted({a.rule for a in planned}))
        if rules and sc.branches is not None and sc.branches.rule not in rules:
            # the what-if fork (veto / no veto of one slash) is of its own rule: --rule eigenlayer alone does not ask for it
            planned = [a for a in planned if a.branch is None]
    if isinstance(store, str):
        store = RunStore(store)
    run_id = store.create_run(kind="run", scenario_name=sc.name, scenario_path=str(path), scenario_text=text, overrides=overrides,
                              seed=sc.seed, command=command, info=info, owner=process_identity(),
                              arms=[{"label": a.label, "rule": a.rule, "branch": a.branch, "seed": a.seed} for a in planned])
    return run_id, sc, command


def arm_flags(arm: Any, declared: bool) -> dict[str, str]:
    """Who set each of an arm's overrides, for its errors: the scenario's ``arms:`` entry, or the
    command line (``--policy``; a parameter's default is ``--param KEY``)."""
    if not declared:
        return {"governance.policy": "--policy"}
    where = f"{arm.name} in the scenario's arms:"
    return {**{k: f"{where} params.{k}" for k, _ in arm.params}, "governance.policy": f"{where} policy"}


def check_runtime(sc: Any, path: str, overrides: dict[str, Any], rules: list[str]) -> None:
    """The runtime accepts the scenario's constants and extensions under each of ``rules``
    (:func:`simulations.lab.world.check_runtime_config`), else a ScenarioError naming the field and
    who set it: ``--param KEY`` when an override did, else the file."""
    from simulations.lab.world import CONSTANT_SOURCES, RuntimeConfigError, check_runtime_config

    try:
        check_runtime_config(sc, rules)
    except RuntimeConfigError as exc:
        lines = []
        for problem in exc.problems:
            field = problem.split(":", 1)[0]
            source = CONSTANT_SOURCES.get(field)  # set through a parameters field (slash_defer_duration), unless constants: sets it
            if source is not None and not _in_constants(sc, field):
                problem = f"{source} (the runtime's {field.removeprefix('constants.')}):" + problem.split(":", 1)[1]
                field = source
            keys = [k for k in overrides if _related(k.removeprefix("parameters."), field)]
            named = f"parameters.{problem}" if problem.startswith(("constants.", "extensions.")) or source is not None else problem
            lines.append(f"--param {keys[0]}: {named}" if keys else f"{path}: {named}")
        raise ScenarioError(path, lines) from None


def _in_constants(sc: Any, field: str) -> bool:
    """Whether the scenario's ``parameters.constants`` itself sets ``field`` (``constants.P.C``)."""
    _, pallet, name = field.split(".", 2)
    return name in (sc.parameters.constants.get(pallet) or {})


def _related(key: str, field: str) -> bool:
    """Whether override ``key`` set ``field`` (or a part of it, or the whole of it)."""
    return key == field or key.startswith(field + ".") or field.startswith(key + ".")


def declared_run_arms(sc: Any, path: str, overrides: dict[str, Any], text: str, allow_long: bool) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """The scenario's ``arms:`` as run arms (one seed each) and each arm's overrides, every arm's
    scenario validated before anything is stored. An arm's own parameters win over ``--param``,
    as in a sweep. The scenario's ``branches`` (if any) are played too."""
    from simulations.lab.arms import ArmError, declared_arms
    from simulations.runner import ArmSpec

    try:
        arms = declared_arms(sc)
    except ArmError as exc:
        raise ScenarioError("arms", [str(exc)]) from None
    arm_overrides: dict[str, dict[str, Any]] = {}
    planned = []
    for arm in arms:
        merged = {**overrides, **arm.overrides()}
        arm_sc, _ = load_for_run(path, merged, sc.seed, text=text, max_blocks=max_blocks(allow_long), flags=arm_flags(arm, declared=True))
        check_runtime(arm_sc, path, overrides, [arm.rule])
        _probe(arm_sc, f"arm {arm.name}: ")
        arm_overrides[arm.name] = arm.overrides()
        planned.append(ArmSpec(arm.name, arm.rule, sc.seed))
    planned += [a for a in plan_arms(sc, sc.seed, []) if a.branch is not None]
    return planned, arm_overrides


def stored_scenario(store: RunStore, run_id: int) -> Any:
    """The scenario exactly as it was when the run started (the stored text, not today's file)."""
    run = store.run(run_id)
    overrides = json.loads(run.overrides_json)
    suffix = Path(run.scenario_path).suffix or ".yaml"
    sc, _ = load_for_run(f"stored-run-{run_id}{suffix}", overrides, run.seed, text=run.scenario_text, max_blocks=max_blocks(True))  # accepted when it started
    return sc


def run_and_report(console: Console, store: RunStore, run_id: int, sc: Any, command: str, show_progress: bool = True) -> dict[str, ArmResult]:
    console.print(f"[dim]reproduce:[/dim] {command}")
    with _interruption(console, store, run_id, None, "arms"):
        with progress_bar(console, show_progress) as progress:
            results = execute_run(store, run_id, sc, progress)
    print_summary(console, store, run_id)
    console.print(f"run {run_id} stored in {store.url}; report: tangle-sim report {run_id}" + (f" --store {store.url}" if store.url else ""))
    console.print(f"[dim]reproduce:[/dim] {command}")
    return results


def print_summary(console: Console, store: RunStore, run_id: int) -> None:
    """The plain-text summary table: per arm, slashes by outcome and against the ground truth, what
    is still pending, governance's window, every loss in the numeraire."""
    arms = store.arms(run_id)
    numeraire = next((json.loads(a.summary_json or "{}").get("outcomes", {}).get("numeraire") for a in arms if a.summary_json), None) or "TNT"
    from rich import box

    table = Table(title=f"run {run_id}: {store.run(run_id).scenario_name}", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True, padding=0,
                  caption="vetoed, applied: slashes by outcome; honest: unjustified slashes applied; escaped: justified slashes vetoed or dodged; pending: open at the "
                          f"horizon (the last round, + value at risk then in {numeraire}) → still open when the run stopped (after any drain, + value at "
                          f"risk); late: vetoes that missed the window; window: mean blocks from a proposal to "
                          f"the last block a veto can land; loss: every role and asset, in {numeraire}")
    from simulations.analysis.statistics import arm_label_lines

    names = [a.label for a in arms]
    room = max(16, console.width - 62)  # what the eight number columns (~56 characters and gaps) leave
    labels, arm_width = arm_label_lines(names, width=min(max((len(n) for n in names), default=16), room))  # broken after / . =, never mid-word
    table.add_column("arm", overflow="fold", min_width=min(arm_width, 20))
    for col in ("vetoed", "applied", "honest", "escaped", "pending", "late", "window", "loss"):
        # numbers at their natural width, never folded; the arm column takes what is left (its names break after / . =)
        table.add_column(col, justify="right", no_wrap=True)
    unpriced: dict[str, list[str]] = {}  # arm -> assets it lost that have no price
    for arm in arms:
        s = json.loads(arm.summary_json or "{}")
        if not s:
            table.add_row(labels[arm.label], *["-"] * 8)
            continue
        counts = s.get("slashes", {})
        o = s.get("outcomes", {})
        window = s.get("window_blocks_mean")
        if o:
            unpriced[arm.label] = sorted({r["asset"] for r in o.get("losses_by_role", []) if r["base"] and _nan(r["value"])})
        pending = "-" if not o else _run_pending(o)
        table.add_row(labels[arm.label], str(counts.get("vetoed", 0)), str(counts.get("applied", 0)), str(o.get("honest_slashed", "-")),
                      str(o.get("faulty_escaped", "-")), pending, str(s.get("vetoes_late", 0)), "-" if window is None else f"{window:.1f}",
                      "-" if not o else ("unpriced" if unpriced.get(arm.label) and _nan(o["loss_total_value"]) else _value(o["loss_total_value"])))
    console.print(table)
    for label, assets in unpriced.items():
        if assets:
            console.print(f"{label}: loss 'no data': the run lost assets that have no price in the scenario ({', '.join(assets)}); set prices: to "
                          "compare values (the exact amounts are in tangle-sim export)", highlight=False)
    print_governance(console, arms)
    info = json.loads(store.run(run_id).info_json or "{}")
    diff = info.get("branch_difference")
    if diff:
        from simulations.lab.what_if import fork_veto_miss

        print_what_if(console, diff, store.run(run_id), fork_veto_miss(store, run_id))


def _run_pending(o: dict[str, Any]) -> str:
    """Slashes pending at the horizon (with the value they would have taken then) → still pending when
    the run stopped: after a drain the end is 0, which is not "nothing was at risk"."""
    end = f"{o['pending_at_end']}" + (f" +{_value(o['pending_value'])}" if o["pending_at_end"] else "")
    if o.get("pending_at_horizon") is None:  # stored before the horizon was recorded
        return end
    at_h = f"{o['pending_at_horizon']}" + (f"\n+{_value(o.get('pending_at_horizon_value'))}" if o["pending_at_horizon"] else "")
    return f"{at_h}\n→ {end}"  # on lines of their own: narrow enough for an 80-column terminal


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value(value: Any) -> str:
    """A value in the numeraire, never a bare nan (an asset without a price has no value)."""
    return "no data" if _nan(value) else f"{value:,.0f}"


def print_governance(console: Console, arms: list[Any]) -> None:
    """The veto-path table when an arm vetoes through a real governance path (what the sweep and the
    HTML report show: wanted, landed, late, failed, still pending at the horizon), and the notes a
    user needs beside it (vetoes that took the shortcut, a path that cannot land in time)."""
    import pandas as pd

    from simulations.lab.outcomes import run_row
    from simulations.lab.summary import governance_console_table, governance_table

    rows = []
    for arm in arms:
        o = json.loads(arm.summary_json or "{}").get("outcomes") or {}
        if o.get("governance") is not None:
            rows.append({"arm": arm.label, "rule": arm.rule, **run_row(o)})
    frame = pd.DataFrame(rows)
    if not frame.empty and (frame["gov_path"].fillna("shortcut") != "shortcut").any():
        console.print(governance_console_table(governance_table(frame), title="veto paths: did the vetoes governance wanted land in time?",
                                               width=console.width))
    print_governance_notes(console, frame)


def print_governance_notes(console: Console, frame: Any) -> None:
    """Each note on a veto path's reach and clock once, with the arms it is about."""
    from simulations.lab.summary import governance_note_lines

    if frame.empty:
        return
    for line in governance_note_lines(frame):
        console.print(line, highlight=False)


def print_what_if(console: Console, diff: list[dict[str, Any]], run: Any, missed: str | None = None) -> None:
    """The what-if table (:func:`simulations.lab.what_if.what_if_table`): each loss in exact whole
    tokens, never cut (``1,983.477929…`` is not a number), what the veto saved in the numeraire,
    total rows, and the notes that reconcile it with the arm table. When the numbers do not fit the
    console side by side, the table is printed as several, each with the labels and as many number
    columns as fit (at least one)."""
    from simulations.lab.what_if import what_if_table
    from simulations.scenario import scenario_decimals

    table = what_if_table(diff, json.loads(run.info_json or "{}").get("what_if") or {}, scenario_decimals(run), missed)
    labels, numbers = table.labels, table.cells

    def content(header: str, cells: list[str]) -> int:  # a header wraps at its spaces; a cell never breaks
        return max([len(w) for w in header.split()] + [len(c) for c in cells])

    def width(header: str, cells: list[str]) -> int:  # with its padding and border
        return content(header, cells) + 3

    label_cols = [(h, content(h, [lab[i] for lab in labels])) for i, h in enumerate(("entity", "role", "asset"))]
    label_width = sum(w + 3 for _, w in label_cols) + 1
    groups: list[list[tuple[str, str]]] = [[]]
    used = label_width
    for key, header in table.columns:
        w = width(header, numbers[key])
        if groups[-1] and used + w > console.width:
            groups.append([])
            used = label_width
        groups[-1].append((key, header))
        used += w
    for i, group in enumerate(groups):
        part = f" ({i + 1} of {len(groups)}: too wide for {console.width} columns side by side)" if len(groups) > 1 else ""
        t = Table(title=table.title + part)
        # every column as wide as its widest cell: the groups above leave room for them all, so rich
        # wraps only headers (left to itself it may shrink a number column and fold its digits);
        # on a console narrower than one number rich folds its digits, never an ellipsis
        widths = [content(header, numbers[key]) for key, header in group]
        slack = console.width - label_width - sum(w + 3 for w in widths)
        for j, (_, header) in enumerate(group):  # room to spare: a header on one line
            grow = max(0, min(len(header) - widths[j], slack))
            widths[j] += grow
            slack -= grow
        for col, w in label_cols:
            t.add_column(col, overflow="fold", width=w)
        for (key, header), w in zip(group, widths):
            t.add_column(header, justify="right", overflow="fold", width=w)
        for j, lab in enumerate(labels):
            t.add_row(*lab, *(numbers[key][j] for key, _ in group), end_section=j == table.body - 1)
        console.print(t)
    for i, note in enumerate(table.notes):
        console.print(Text(note, style="bold" if i == 0 and missed else ""), highlight=False)


# ---------------------------------------------------------------------------------------- CLI bodies
class CommandError(Exception):
    """A user error: printed without a traceback, exit code 2."""


def _terminate_cleanly() -> None:
    """SIGTERM ends the process like Ctrl-C: the open store transaction rolls back, so the store
    keeps the last committed round (SIGKILL gives the same result through SQLite's journal)."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def cli_run(console: Console, scenario: str, seed: int | None, params: list[str], rules: list[str], store_url: str, progress: bool = True,
            allow_long: bool = False) -> int:
    _terminate_cleanly()
    overrides = parse_params(params)
    checked, _ = load_for_run(scenario, overrides, seed, max_blocks=max_blocks(allow_long))  # refuse a bad file before creating a store
    _probe(checked)  # a callable policy that cannot take a slash: refused before a store exists
    run_id, sc, command = start_run(store_url, scenario, overrides, seed, rules or None, store_url, allow_long)
    store = RunStore(store_url)
    with _policy_failure(store, run_id):
        run_and_report(console, store, run_id, sc, command, progress)
    return run_id


def _probe(sc: Any, where: str = "") -> None:
    from simulations.lab.policy_guard import PolicyError, probe_policies

    try:
        probe_policies(sc, where)
    except PolicyError as exc:
        raise CommandError(str(exc)) from None


@contextlib.contextmanager
def _policy_failure(store: RunStore, run_id: int, discard: bool = True) -> Iterator[None]:
    """A veto policy raised during the run, or the scenario's setup failed on the runtime (a
    delegator group over ``MaxDelegations``, a bond below the minimum): neither can be resumed into
    anything else (the same policy raises again on the same slash, the same setup fails again), so
    the new run is discarded (nothing of it kept) and the error is one line naming the policy and
    the slash, or the scenario field, exit 2. A resumed sweep (``discard=False``) keeps the runs it
    had stored and stays interrupted."""
    from simulations.lab.actors import SetupError
    from simulations.lab.policy_guard import PolicyError

    try:
        yield
    except (PolicyError, SetupError) as exc:
        if discard:
            store.discard(run_id)
            raise CommandError(f"{exc}; run {run_id} discarded (nothing stored)") from None
        store.set_run_status(run_id, "interrupted")
        raise CommandError(f"{exc}; run {run_id} left interrupted with the runs it had stored") from None


def _reaped(store: RunStore, run_id: int, force: bool = False) -> Any:
    """The run, marked ``interrupted`` if it says running but its owner process is dead (or is
    this process: an earlier attempt here failed; or ``force``: the owner is on another host)."""
    me = process_identity()
    return store.reap(run_id, lambda owner: False if force or owner == me else owner_alive(owner))


def cli_resume(console: Console, run_id: int | None, store_url: str, progress: bool = True, workers: int | None = None, force: bool = False,
               out: str | None = None) -> int:
    _terminate_cleanly()
    store = RunStore(store_url, create=False)
    run_id = run_id if run_id is not None else store.latest_run_id()
    if run_id is None:
        raise CommandError(f"no run in {store.url}")
    run = _reaped(store, run_id, force)
    if run.status == "discarded":
        raise CommandError(f"run {run_id} was discarded")
    if run.status == "running":
        raise CommandError(f"{run.kind} {run_id} is still running in process {run.owner}; stop it first (or wait for it; "
                           "--force if that process is on another host and known to be dead)")
    if run.kind == "sweep":
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1")
        return resume_sweep(console, store, run_id, progress, workers, out)
    if out:
        raise CommandError(f"--out is for sweeps; run {run_id} is a run (tangle-sim export {run_id} --store {store.url} writes its tables)")
    store.claim(run_id, process_identity())
    problems = store.check_consistency(run_id)
    if problems:
        raise CommandError("the store is inconsistent: " + "; ".join(problems))
    done = {a.label: a.last_round for a in store.arms(run_id)}
    console.print(f"resuming run {run_id} ({run.scenario_name}); committed rounds per arm: {done}")
    run_and_report(console, store, run_id, stored_scenario(store, run_id), run.command, progress)
    return run_id


def resume_sweep(console: Console, store: RunStore, run_id: int, progress: bool = True, workers: int | None = None, out: str | None = None) -> int:
    """Play the tasks of a sweep that have no stored result, committing each as it finishes;
    ``out``: then write every run of the sweep there (what ``sweep --out`` writes)."""
    from simulations import sweep as sw
    from simulations.report import sweep_frame

    run = store.run(run_id)
    info = json.loads(run.info_json or "{}")
    try:
        tasks, arm_of = sw.pending_tasks(store, run_id)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    done, total = store.progress(run_id)
    store.claim(run_id, process_identity())
    console.print(f"resuming sweep {run_id} ({run.scenario_name}): {done} of {total} tasks stored, {len(tasks)} to run")
    with _policy_failure(store, run_id, discard=False), _interruption(console, store, run_id, out):
        with progress_bar(console, progress) as bar:
            task = bar.add_task("simulations", total=len(tasks))
            sw.execute_and_store(store, arm_of, tasks, workers=workers, per_round=bool(info.get("per_round")), progress=lambda: bar.advance(task))
    store.set_run_status(run_id, "completed")
    from simulations.scenario import scenario_decimals

    print_sweep_summary(console, sweep_frame(store, run_id), sorted(info.get("grid", {})), scenario_decimals(run), store.progress(run_id))
    if out:
        write_sweep_out(store, run_id, out)
        console.print(f"results written to {out}")
    console.print(f"sweep {run_id} completed in {store.url}; report: tangle-sim report {run_id} --store {store.url}")
    return run_id


def cli_discard(console: Console, run_id: int, store_url: str) -> None:
    store = RunStore(store_url, create=False)
    if store.run(run_id).status == "discarded":
        raise CommandError(f"run {run_id} was already discarded (nothing of it is left but its id, which is never reused)")
    store.discard(run_id)
    console.print(f"run {run_id} discarded")


def cli_sweep(console: Console, scenario: str, params: list[str], runs: int, rules: list[str], workers: int | None, dask: str | None,
              store_url: str, out: str | None, progress: bool = True, policies: list[str] | None = None, per_round: bool = False,
              allow_long: bool = False) -> tuple[int, Any]:
    """Run the sweep (every arm on the same seeds), committing each result as it finishes; print the
    per-arm summary with confidence intervals; optionally write the DataFrame (CSV or Parquet)."""
    import time

    from simulations import sweep as sw
    from simulations.lab.arms import ArmError, declared_arms, grid_arms

    try:
        grid = sw.parse_grid(params)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if runs < 1:
        raise CommandError("--runs must be at least 1")
    if workers is not None and workers < 1:
        raise CommandError("--workers must be at least 1")
    # an upper bound before anything is planned (a hostile grid must not be materialised)
    planned = runs * max(len(rules), 1) * max(len(policies or []), 1) * math.prod(len(v) for v in grid.values())
    if planned > MAX_SWEEP_TASKS:
        raise CommandError(f"{planned:,} simulations (--runs x policies x rules x parameter points) is over the limit of {MAX_SWEEP_TASKS:,} per sweep")
    limit = max_blocks(allow_long)
    # ``seed`` is the sweep's base seed, not an arm parameter: every arm runs on the seeds derived
    # from it (common random numbers). It was once taken as a grid parameter and silently ignored.
    base: dict[str, Any] = {}
    if "seed" in grid:
        seeds = grid.pop("seed")
        if len(seeds) != 1:
            raise CommandError(f"--param seed={','.join(map(str, seeds))}: a sweep has one base seed (each run's seed derives from it, "
                               "the same in every arm); give one value, or run a sweep per base seed")
        base["seed"] = seeds[0]
    arm_params = [p for p in params if p.partition("=")[0].strip() != "seed"]
    sc, text = load_for_run(scenario, base, None, max_blocks=limit)
    chosen = rules or list(sc.rules)
    try:
        if sc.arms and not (arm_params or rules or policies):
            arms = declared_arms(sc)
            combos = len(sc.arms)
        else:
            arms, combos = grid_arms(sc, chosen, grid, policies)
    except ArmError as exc:
        raise CommandError(str(exc)) from None
    declared = bool(sc.arms and not (arm_params or rules or policies))
    for arm in arms:  # validate every arm's overrides (together, as they will run) before starting
        arm_sc, _ = load_for_run(scenario, arm.overrides(), None, text=text, max_blocks=limit, flags=arm_flags(arm, declared))
        check_runtime(arm_sc, scenario, {k: None for k in grid}, [arm.rule])
        _probe(arm_sc, f"arm {arm.name}: ")
    tasks = sw.plan(text, Path(scenario).suffix or ".yaml", {}, grid, chosen, runs, sc.seed, arms=arms)
    size = sw.pool_size(workers, len(tasks))
    backend = f"dask {dask}" if dask else ("serial" if workers == 1 else f"processes x{size}"
                                           + (f" (--workers {workers:,}: capped at the {os.cpu_count()} cores)" if workers and workers > size and size == (os.cpu_count() or 1) else ""))
    import shlex

    command = sweep_command(scenario, policies or [], params, runs, rules, store_url, out=out, per_round=per_round, allow_long=allow_long,
                            workers=workers, dask=dask)
    console.print(f"[dim]reproduce:[/dim] {command}", highlight=False, soft_wrap=True)
    console.print(f"{len(tasks)} simulations ({len(arms)} arms x {runs} runs, common seeds; {combos - len(arms)} of {combos} combinations "
                  f"were identical to another and run once) on {backend}")
    if len(tasks) > MAX_SWEEP_TASKS:
        raise CommandError(f"{len(tasks):,} simulations is over the limit of {MAX_SWEEP_TASKS:,} per sweep")
    _terminate_cleanly()
    store = RunStore(store_url)
    # the run and one pending arm per task in one transaction, before anything runs (resumable from here)
    run_id = store.create_run(kind="sweep", scenario_name=sc.name, scenario_path=scenario, scenario_text=text, overrides={}, seed=sc.seed,
                              command=command, info={"grid": grid, "runs": runs, "rules": chosen, "backend": backend, "tasks": len(tasks), "per_round": per_round},
                              arms=sw.arm_rows(tasks), owner=process_identity())
    arm_of = {t.index: a.id for t, a in zip(tasks, store.arms(run_id))}
    started = time.perf_counter()
    with _policy_failure(store, run_id), _interruption(console, store, run_id, out):
        with progress_bar(console, progress) as bar:
            task = bar.add_task("simulations", total=len(tasks))
            results = sw.execute_and_store(store, arm_of, tasks, workers=workers, dask=dask, per_round=per_round, progress=lambda: bar.advance(task))
    elapsed = time.perf_counter() - started
    frame = sw.to_frame(results)
    info = json.loads(store.run(run_id).info_json)
    info["seconds"] = round(elapsed, 3)
    store.set_run_status(run_id, "completed", info)
    print_sweep_summary(console, frame, list(grid), sc.decimals(), store.progress(run_id))
    if out:
        from simulations.export import write_frame

        write_frame(frame, out)
        console.print(f"results written to {out}")
    console.print(f"sweep {run_id}: {len(tasks)} simulations in {elapsed:.1f}s, stored in {store.url}; report: tangle-sim report {run_id} --store {store.url}")
    return run_id, frame


def _on_common_seeds(console: Console, frame: Any) -> Any:
    """The runs on the seeds every arm completed (arms are compared paired), saying what a
    partial sweep left out; None, after saying why, when no seed is common to every arm."""
    from simulations.lab.pairing import common_seeds

    common = common_seeds(frame)
    if not common.comparable:
        counts = frame.groupby("arm", sort=False).size()
        console.print(f"[yellow]{common.sentence()}[/yellow] (runs per arm: " + ", ".join(f"{a} {n}" for a, n in counts.items()) + ")",
                      highlight=False, soft_wrap=True)
        return None
    if not common.complete:
        console.print(f"[yellow]arms compared {common.sentence()}[/yellow]", highlight=False)
    return common.frame


def sweep_command(scenario: str, policies: list[str], params: list[str], runs: int, rules: list[str], store_url: str, *, out: str | None = None,
                  per_round: bool = False, allow_long: bool = False, workers: int | None = None, dask: str | None = None) -> str:
    """The ``tangle-sim sweep`` command that reproduces a sweep: every option that changes what is
    computed, stored or written (``--per-round``, ``--allow-long``, ``--out``), and the backend it
    ran on (``--workers``, ``--dask``: they change the speed, never a result)."""
    import shlex

    return shlex.join(["tangle-sim", "sweep", scenario] + [a for p in policies for a in ("--policy", p)]
                      + [a for p in params for a in ("--param", p)] + ["--runs", str(runs)] + [a for r in rules for a in ("--rule", r)]
                      + ["--store", store_url] + (["--out", out] if out else []) + (["--per-round"] if per_round else [])
                      + (["--allow-long"] if allow_long else []) + (["--workers", str(workers)] if workers is not None else [])
                      + (["--dask", dask] if dask else []))


@contextlib.contextmanager
def _interruption(console: Console, store: RunStore, run_id: int, out: str | None, unit: str = "tasks") -> Iterator[None]:
    """A sweep (or a run: ``unit="arms"``) stopped before its end (Ctrl-C, SIGTERM, a failed task)
    is stored as ``interrupted`` and says how far it got and how to finish it; with ``--out`` the
    completed runs are written there (the resume command rewrites the file with every run)."""
    import shlex

    from simulations.lab.actors import SetupError
    from simulations.lab.policy_guard import PolicyError

    try:
        yield
    except (PolicyError, SetupError):
        raise  # not resumable: the caller discards the run (:func:`_policy_failure`)
    except BaseException:
        done, total = store.progress(run_id)
        store.set_run_status(run_id, "interrupted")
        resume = shlex.join(["tangle-sim", "resume", str(run_id), "--store", store.url] + (["--out", out] if out else []))
        console.print(f"[yellow]interrupted:[/yellow] {done} of {total} {unit} done; resume with `{resume}`", highlight=False, soft_wrap=True)
        if out:
            if done:
                write_sweep_out(store, run_id, out)
                console.print(f"--out: the {done} completed runs written to {out} (partial; the resume command rewrites it with all {total})",
                              highlight=False, soft_wrap=True)
            else:
                console.print(f"--out: {out} not written (no task completed); the resume command writes it", highlight=False, soft_wrap=True)
        raise


def write_sweep_out(store: RunStore, run_id: int, out: str) -> None:
    """``--out``: every completed run of the sweep, in task order, as the sweep itself writes them."""
    from simulations import sweep as sw
    from simulations.export import write_frame

    write_frame(sw.to_frame(sw.stored_results(store, run_id)), out)


def print_sweep_summary(console: Console, frame: Any, keys: list[str], decimals: dict[str, int] | None = None,
                        progress: tuple[int, int] | None = None) -> None:
    """Per arm: mean and 95 % interval (t; Wilson for a share of runs) over the runs of the measures a council compares, and how
    many runs ended with slashes pending (see simulations.analysis). ``progress``: (completed,
    planned) tasks; a partial sweep says so before anything is summarised."""
    from simulations.analysis.columns import Measure, catalogue
    from simulations.analysis.statistics import format_summary, summarize_arms

    if progress is not None and progress[0] < progress[1]:
        console.print(f"[yellow]PARTIAL sweep: {progress[0]} of {progress[1]} tasks completed; the figures below cover those only[/yellow]", highlight=False)
    if frame.empty:
        console.print("[yellow]no finished runs to summarise[/yellow]")
        return
    if "arm" in frame and "honest_slashed_value" in frame:  # a frame with outcomes: the per-arm headline with intervals
        from simulations.lab.summary import governance_console_table, governance_table, headline_table, ranking_title

        paired = _on_common_seeds(console, frame)
        if paired is None:
            return
        # the headline restricts to the common seeds itself, and its caption says what it left out
        console.print(headline_table(frame, title="sweep: arms ranked by " + ranking_title(paired), width=console.width))
        if "gov_path" in paired and (paired["gov_path"].fillna("shortcut") != "shortcut").any():
            console.print(governance_console_table(governance_table(paired), title="veto paths: did the vetoes governance wanted land in time?",
                                                   width=console.width))
        print_governance_notes(console, paired)
        return
    frame = frame.copy()
    if "arm" not in frame.columns:  # a frame of an older sweep: its arms named as the sweep names them (rule/policy/key=value)
        from simulations.sweep import full_arm_name

        named = ["policy", *keys] if "policy" in frame.columns else keys  # the sweep names an arm's policy whenever it chose one
        frame["arm"] = [full_arm_name(row["rule"], {k: getattr(row[k], "item", lambda: row[k])() for k in named if k in row.index and not _nan(row[k])})
                        for _, row in frame.iterrows()]
    frame = _on_common_seeds(console, frame)
    if frame is None:
        return
    cat = catalogue(frame, decimals)
    measures = [m for m in (cat.honest or cat.honest_count, cat.faulty, cat.pending, cat.total_loss) if m is not None]
    measures += [m for m in cat.asset_losses if m.column.startswith(("loss_operator_", "loss_delegator_"))][: max(0, 4 - len(measures))]
    measures += [Measure(c, label, "count per run") for c, label in (("applied", "slashes applied"), ("vetoed", "slashes vetoed"))
                 if c in frame.columns][: max(0, 3 - len(measures))]
    if not measures:
        console.print("[yellow]the runs record no outcome to summarise[/yellow]")
        return
    summary = summarize_arms(frame, [m.column for m in measures])
    summary["metric"] = summary["metric"].map({m.column: m.label for m in measures})
    runs = frame.groupby("arm").size()
    console.print(format_summary(summary, title=f"sweep summary: {runs.min()}" + (f" to {runs.max()}" if runs.max() != runs.min() else "") + " runs per arm",
                                 scale={m.label: m.scale for m in measures}, units={m.label: m.unit for m in measures}, width=console.width))
    if cat.missing:
        console.print("[dim]not recorded by this run: " + "; ".join(cat.missing) + "[/dim]")


def cli_report(console: Console, run: str | None, store_url: str, out: str | None, fmt: str) -> list[Path]:
    from simulations.report import runs_frame, write_report
    from simulations.scenario import scenario_decimals

    store = RunStore(store_url, create=False)
    run_id = int(run) if run else store.latest_run_id()
    if run_id is None:
        raise CommandError(f"no run in {store.url}")
    row = _reaped(store, run_id)
    if row.status == "discarded":
        raise CommandError(f"run {run_id} was discarded: nothing of it is left to report")
    if fmt not in ("html", "png", "both"):
        raise CommandError("--format must be html, png or both")
    if row.kind == "sweep" and store.progress(run_id)[0] == 0:
        raise CommandError(f"sweep {run_id} has no completed task yet (status {row.status}); tangle-sim resume {run_id} --store {store.url} runs them")
    target = Path(out) if out else Path(f"tangle-sim-report-{run_id}")
    files = write_report(store, run_id, target, fmt)
    if row.kind == "sweep":
        info = json.loads(row.info_json or "{}")
        done, total = store.progress(run_id)
        if done < total:
            console.print(f"[yellow]partial sweep:[/yellow] {done} of {total} tasks completed (status {row.status}); "
                          f"tangle-sim resume {run_id} --store {store.url} finishes it", highlight=False)
        print_sweep_summary(console, runs_frame(store, run_id), sorted(info.get("grid", {})), scenario_decimals(row), (done, total))
    else:
        print_summary(console, store, run_id)
    for f in files:
        console.print(f"wrote {f}")
    return files


def cli_export(console: Console, run_id: int, store_url: str, out: str | None, fmt: str) -> list[Path]:
    from simulations.export import FORMATS, export_run

    if fmt not in FORMATS:
        raise CommandError(f"--format must be one of {', '.join(FORMATS)}")
    store = RunStore(store_url, create=False)
    files = export_run(store, run_id, out or f"tangle-sim-export-{run_id}", fmt)
    for f in files:
        console.print(f"wrote {f}")
    return files
