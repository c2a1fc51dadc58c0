"""Run a scenario: every slash-veto rule as an arm, round by round, committing each round to the
run store; resume an interrupted run; the one-line command that reproduces a run.

Determinism: an arm is a pure function of (scenario, rule, seed): the runtime is deterministic,
agents and governance draw from per-actor streams, and dicts are walked in scenario order. So a
resumed arm is re-played from the seed up to its last committed round, checked against the stored
state root and call count of that round, and continued from there.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from simulations.lab.loop import Simulation
from simulations.lab.measures import Metric
from simulations.lab.outcomes import Prices, entity_losses, outcomes
from simulations.lab.what_if import branch_difference, what_if_context
from simulations.scenario import HARD_MAX_BLOCKS, Scenario, validate_document
from simulations.store import RoundCommit, RunStore
from simulations.yamlerrors import load_document

Sink = Callable[[RoundCommit], None]


@dataclass
class ArmSpec:
    label: str
    rule: str
    seed: int
    branch: str | None = None  # None | "veto" | "no_veto"
    params: dict[str, Any] = field(default_factory=dict)
    run_index: int = 0


@dataclass
class ArmResult:
    label: str
    rule: str
    branch: str | None
    seed: int
    state_root: str
    summary: dict[str, Any]
    losses: list[Metric]
    slashes: list[dict[str, Any]]
    final_metrics: list[Metric]
    calls: int
    loss_values: dict[tuple[str, str, str], tuple[int, Any]] = field(default_factory=dict)  # what-if branches: (entity, role, asset) -> (base, exact value)


class ResumeMismatch(RuntimeError):
    """Re-playing an arm did not reproduce what the store says it committed."""


class Recorder:
    """Turns a simulation's rounds into :class:`RoundCommit` objects for a sink (the store, or a
    list in a sweep worker). ``skip_until``: rounds up to it were committed before (resume)."""

    def __init__(self, sink: Sink | None, skip_until: int = -1, expect: tuple[str, int] | None = None, with_calls: bool = True) -> None:
        self.sink = sink
        self.skip_until = skip_until
        self.expect = expect  # (state root, call count) at skip_until
        self.with_calls = with_calls
        self.calls_committed = 0
        self.genesis_written = False

    def commit(self, sim: Simulation, r: int) -> None:
        rt = sim.rt
        lines: list[str] = []
        records = rt.log_records() if self.with_calls else []
        if self.with_calls:
            if not self.genesis_written:
                lines.append(json.dumps({"kind": "genesis", "format": 1, "genesis": rt.genesis.model_dump(mode="json")}))
            lines += [json.dumps(rec.to_json()) for rec in records[self.calls_committed:]]
        total = 1 + len(records) if self.with_calls else 0  # the genesis line, then one line per call or contract record
        slashes = sim.queue.take_changed()
        if r <= self.skip_until:
            if r == self.skip_until and self.expect is not None and (rt.state_root(), total) != self.expect:
                raise ResumeMismatch(f"round {r}: replay gave root {rt.state_root()[:18]}… with {total} log entries, the store has {self.expect[0][:18]}… with {self.expect[1]}")
        elif self.sink is not None:
            self.sink(RoundCommit(r, rt.block_number, rt.state_root(), sim.metrics(), slashes, lines, total))
        self.genesis_written = True
        self.calls_committed = len(records)


def summarize(sim: Simulation, state_root: str | None = None) -> dict[str, Any]:
    """Counts, losses by role and asset, and how much time governance had."""
    recs = sim.queue.records
    by_status: dict[str, int] = {}
    for r in recs:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    proposed = [r for r in recs if r.proposed_block is not None and r.timing is not None]
    windows = [r.veto_window_blocks for r in proposed]
    losses: dict[str, int] = {}
    for m in sim.losses():
        key = f"{m.role}:{m.asset}"
        losses[key] = losses.get(key, 0) + m.value
    return {
        "rule": sim.rule,
        "seed": sim.seed,
        "block": sim.rt.block_number,
        "round": sim.clock.round_of(sim.rt.block_number),
        "state_root": state_root or sim.rt.state_root(),
        "slashes": by_status,
        "vetoes_decided": sum(1 for r in recs if r.decision in ("veto", "veto_late")),
        "vetoes_late": sum(1 for r in recs if r.decision == "veto_late"),
        "window_blocks_min": min(windows) if windows else None,
        "window_blocks_max": max(windows) if windows else None,
        "window_blocks_mean": (sum(windows) / len(windows)) if windows else None,
        "losses": losses,
        "counters": dict(sorted(sim.state.counters.items())),
        "failures": dict(sorted(sim.state.failures.items())),
        "calls": len(sim.rt.call_log),
        "outcomes": outcomes(sim),
    }


def result_of(sim: Simulation, arm: ArmSpec) -> ArmResult:
    sim.scan_events()
    root = sim.rt.state_root()  # hashing the whole state: once per arm
    return ArmResult(arm.label, arm.rule, arm.branch, arm.seed, root, summarize(sim, root), sim.losses(),
                     [r.row() for r in sim.queue.records], sim.metrics(), len(sim.rt.call_log),
                     entity_losses(sim, Prices(sim.sc)) if arm.branch is not None else {})


def play(sc: Scenario, arm: ArmSpec, recorder: Recorder | None = None, on_round: Callable[[int], None] | None = None) -> ArmResult:
    """Run one (non-branch) arm from genesis to the end of the scenario (and, by default, on until
    its slash queue is drained: :meth:`Simulation.rounds`)."""
    sim = Simulation(sc, arm.rule, arm.seed)
    recorder = recorder or Recorder(None)
    for r in sim.rounds():
        recorder.commit(sim, r)
        if on_round:
            on_round(r)
    return result_of(sim, arm)


def play_branches(sc: Scenario, rule: str, seed: int, at_slash: int, recorders: dict[str, Recorder], on_round: Callable[[int], None] | None = None,
                  skip: tuple[str, ...] = ()) -> dict[str, ArmResult]:
    """What-if: run to the ``at_slash``-th proposed slash, fork (``rt.snapshot`` + a deep copy of the
    Python state), and run a ``veto`` and a ``no_veto`` branch from there to the end."""
    sim = Simulation(sc, rule, seed)
    sim.state.fork_at = at_slash
    fork_round = None
    played = -1
    for r in sim.rounds():
        played = r
        for rec in recorders.values():
            rec.commit(sim, r)
            if on_round:
                on_round(r)
    if sim.state.fork_ready:
        fork_round = played + 1
    results: dict[str, ArmResult] = {}
    saved = sim.fork() if fork_round is not None else None
    for branch in ("veto", "no_veto"):
        arm = ArmSpec(f"{rule}/{branch}", rule, seed, branch=branch)
        if branch in skip:
            continue
        if saved is None:  # the slash was never proposed: both branches are the plain run
            results[branch] = result_of(sim, arm)
            results[branch].summary["fork"] = None
            continue
        sim.restore(saved)
        sim.decide_fork(branch == "veto")
        for r in sim.rounds(fork_round):  # type: ignore[arg-type]
            recorders[branch].commit(sim, r)
            if on_round:
                on_round(r)
        results[branch] = result_of(sim, arm)
        rec = sim.queue.records[at_slash]
        results[branch].summary["fork"] = {"slash_id": at_slash, "round": fork_round, "block": rec.proposed_block, "offender": rec.offender, "percent": rec.percent}
    return results


# ---------------------------------------------------------------------------------------- commands
def reproduce_command(path: str, seed: int, overrides: dict[str, Any], rules: list[str] | None, store: str | None = None,
                      allow_long: bool = False) -> str:
    parts = ["tangle-sim", "run", path, "--seed", str(seed)] + (["--allow-long"] if allow_long else [])
    for key, value in sorted(overrides.items()):
        parts += ["--param", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    for rule in rules or []:
        parts += ["--rule", rule]
    if store:
        parts += ["--store", store]
    return shlex.join(parts)


def plan_arms(sc: Scenario, seed: int, rules: list[str]) -> list[ArmSpec]:
    arms = [ArmSpec(rule, rule, seed) for rule in rules]
    if sc.branches is not None:
        arms += [ArmSpec(f"{sc.branches.rule}/{b}", sc.branches.rule, seed, branch=b) for b in ("veto", "no_veto")]
    return arms


def load_for_run(path: str | Path, overrides: dict[str, Any], seed: int | None, text: str | None = None, max_blocks: int | None = None,
                 flags: dict[str, str] | None = None) -> tuple[Scenario, str]:
    """The validated scenario (with ``seed`` applied) and the file text stored with the run.
    ``max_blocks``: the longest run accepted (default ``scenario.MAX_BLOCKS``); ``flags``: who set
    an override, for its errors (default ``--param KEY``; ``seed`` is ``--seed``)."""
    doc = load_document(path, text)
    data_overrides = dict(overrides)
    if seed is not None:
        data_overrides["seed"] = seed
    sc = validate_document(doc, data_overrides, max_blocks, flags={**({"seed": "--seed"} if seed is not None else {}), **(flags or {})})
    raw = text if text is not None else doc.text  # the bytes load_document checked, not a second read
    return sc, raw


def execute_run(store: RunStore, run_id: int, sc: Scenario, progress: Any = None) -> dict[str, ArmResult]:
    """Play every pending or unfinished arm of a stored run, committing per round."""
    arms = store.arms(run_id)
    results: dict[str, ArmResult] = {}
    total_rounds = Simulation.rounds_of(sc)
    task = progress.add_task("rounds", total=total_rounds * len(arms)) if progress is not None else None

    drained = [0]

    def tick(r: int) -> None:
        if progress is not None:
            if r >= total_rounds:  # a drain round (end.pending: drain) beyond the planned ones: the total grows with it
                drained[0] += 1
                progress.update(task, total=total_rounds * len(arms) + drained[0], description="rounds (+ drain)")
            progress.advance(task)

    hold_after = int(os.environ.get("TANGLE_SIM_HOLD_AFTER_COMMITS", "0") or 0)
    commits = [0]

    def committed() -> None:
        """Test hook: ``TANGLE_SIM_HOLD_AFTER_COMMITS=N`` parks the process after its N-th round
        commit (for up to a minute) so a test can kill it at a known point."""
        commits[0] += 1
        if hold_after and commits[0] == hold_after:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.05)

    def sink_for(arm_id: int) -> Sink:
        def sink(c: RoundCommit) -> None:
            store.commit_round(arm_id, c)
            committed()

        return sink

    def recorder_for(arm_row: Any) -> Recorder:
        cps = store.checkpoints(arm_row.id)
        if arm_row.last_round >= 0:
            store.rollback_arm_to(arm_row.id, arm_row.last_round)
            last = cps[-1]
            expect = (last.state_root, last.calls)
        else:
            expect = None
        store.start_arm(arm_row.id)
        return Recorder(sink_for(arm_row.id), skip_until=arm_row.last_round, expect=expect)

    run = store.run(run_id)
    arm_overrides: dict[str, dict[str, Any]] = json.loads(run.info_json or "{}").get("arm_overrides", {})
    plain = [a for a in arms if a.branch is None]
    for arm_row in plain:
        if arm_row.status == "completed":
            if progress is not None:
                progress.advance(task, total_rounds)
            continue
        spec = ArmSpec(arm_row.label, arm_row.rule, arm_row.seed)
        arm_sc = sc
        if arm_row.label in arm_overrides:  # a declared arm: the stored scenario under its own policy and parameters
            merged = {**json.loads(run.overrides_json or "{}"), **arm_overrides[arm_row.label]}
            suffix = Path(run.scenario_path).suffix or ".yaml"
            arm_sc, _ = load_for_run(f"stored-run-{run_id}{suffix}", merged, run.seed, text=run.scenario_text, max_blocks=HARD_MAX_BLOCKS)
        res = play(arm_sc, spec, recorder_for(arm_row), tick)
        store.finish_arm(arm_row.id, losses=res.losses, summary=res.summary, slashes=res.slashes)
        results[spec.label] = res
    branch_rows = {a.branch: a for a in arms if a.branch is not None}
    if branch_rows and sc.branches is not None:
        todo = [b for b, row in branch_rows.items() if row.status != "completed"]
        if todo:
            recorders = {b: (recorder_for(row) if b in todo else Recorder(None)) for b, row in branch_rows.items()}
            out = play_branches(sc, sc.branches.rule, branch_rows["veto"].seed, sc.branches.at_slash, recorders, tick,
                                skip=tuple(b for b in branch_rows if b not in todo))
            for b, res in out.items():
                store.finish_arm(branch_rows[b].id, losses=res.losses, summary=res.summary, slashes=res.slashes)
                results[res.label] = res
            if len(out) == 2:
                diff = branch_difference(out)
                run = store.run(run_id)
                info = json.loads(run.info_json)
                info["branch_difference"] = diff
                info["what_if"] = what_if_context(sc, out)
                store.set_run_status(run_id, "running", info)
    store.set_run_status(run_id, "completed")
    return results
