"""The engine's fast paths do what the plain forms they replace did (issue 16, speed work): a
campaign on them runs the same steps, outcomes, invariants and coverage as on the plain forms.

* the executor's per-step plan (:meth:`InvariantSet.plan`, :meth:`InvariantSet.check_step`,
  :func:`writes_of`) selects and runs the invariants :meth:`InvariantSet.check` does from
  :func:`touched_and_written`;
* the coverage features built once per call, outcome and event kind are the strings built per step;
* the draws by ``rng._randbelow`` are the draws ``random.choice`` / ``random.randint`` make;
* a run's live state copied from the world's is the live state observed from the world's events;
* the primed ledger copied by unpickling is an independent copy, and one a pickle cannot carry is
  deep-copied;
* a worker handed the campaign's World runs what a worker building its own runs.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import simulations.fuzz.engine as engine
import simulations.fuzz.program as program
from simulations.fuzz import FuzzConfig, World, run_worker
from simulations.fuzz.checks import KEYED_ITEMS, InvariantSet, _keyed_hit, touched_and_written
from simulations.fuzz.coverage import Coverage
from simulations.fuzz.values import LiveState
from simulations.stateful.invariants import Ledger


def _campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: Any = run_worker, steps: int = 1_200,
              seed: int = 4) -> tuple[list[Any], dict[str, int], set[str]]:
    """Every step of a campaign (its JSON, outcome, block, event count and lifecycle transitions),
    how often each invariant ran, and the coverage features."""
    trace: list[Any] = []
    run = program.Executor.run

    def recording_run(self: program.Executor, step: list) -> str:
        out = run(self, step)
        trace.append((program.dumps([step]), out, self.rt.block_number, len(self.last_events), sorted(self.last_transitions)))
        return out

    monkeypatch.setattr(program.Executor, "run", recording_run)
    r = runner(FuzzConfig(seed=seed, steps=steps, out=tmp_path, stop_on_failure=False, shrink_time=1))
    monkeypatch.undo()
    return trace, r.invariant_runs, r.coverage.features


def test_the_step_plan_runs_what_the_plain_incremental_check_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _campaign(tmp_path / "fast", monkeypatch)
    plain_checks = [0]

    def plain_writes(journal: list, items: tuple) -> dict:
        return touched_and_written(journal, (), KEYED_ITEMS)[1]  # every KEYED_ITEMS item's written keys

    def plain_check_step(self: InvariantSet, rt: Any, ledger: Ledger, step_plan: Any, writes: dict) -> None:
        plain_checks[0] += 1
        self.check(rt, ledger, set(step_plan.touched), final=False, writes=writes)

    monkeypatch.setattr(program, "writes_of", plain_writes)
    monkeypatch.setattr(InvariantSet, "check_step", plain_check_step)
    plain = _campaign(tmp_path / "plain", monkeypatch)
    assert plain[0] == fast[0]  # every step, outcome, block, event count and lifecycle transition
    assert plain[1] == fast[1]  # every invariant ran as often
    assert plain[2] == fast[2]
    assert plain_checks[0] > 100 and sum(plain[1].values()) > 1_000, (plain_checks, plain[1])


def test_the_plan_touches_and_selects_what_touched_and_written_and_affected_do(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(FuzzConfig())
    rt = world.reset()
    inv = InvariantSet(world.invariant_fns)
    ex = program.Executor(rt, inv)
    ex.check(None, -1)
    compared = [0, 0]
    plan = InvariantSet.plan

    def comparing_plan(self: InvariantSet, things: Any) -> Any:
        got = plan(self, things)
        self._plans.clear()  # the executor looks a plan up before calling plan(): every step calls it here
        journal, events = rt.db.journal, ex.last_events  # the step's, still open (plan runs before the step's commit)
        touched, writes = touched_and_written(journal, events, KEYED_ITEMS)
        assert got.touched == touched
        assert program.writes_of(journal, got.keyed_items) == writes
        extra = [i for i in got.keyed_only if _keyed_hit(rt, self.invariants[i][3], got.touched, writes)]
        assert sorted(got.plain + extra) == self.affected(rt, set(touched), writes)
        compared[0] += 1
        compared[1] += bool(extra)
        return got

    monkeypatch.setattr(InvariantSet, "plan", comparing_plan)
    gen = engine.Generator(world, random.Random(3))
    live = world.base_live.copy()
    for _ in range(500):
        try:
            ex.run(gen.step(rt, live))
        except program.Failure:
            break
        live.observe(ex.last_events)
    assert compared[0] >= 400 and compared[1] > 0, compared  # and some steps met a per-key read


class _Event:
    def __init__(self, spec: Any) -> None:
        self.spec = spec


def test_coverage_features_are_the_strings_built_per_step() -> None:
    class Spec:
        def __init__(self, pallet: str, name: str) -> None:
            self.pallet, self.name, self.qualified = pallet, name, f"{pallet}.{name}"

    a, b, a_twin = Spec("Balances", "Transfer"), Spec("System", "ExtrinsicFailed"), Spec("Balances", "Transfer")
    cov = Coverage()
    steps = [(["call", "Alice", "Balances", "transfer_allow_death", {}], "ok", [a, a, b, a_twin, a]),
             (["call", "Bob", "Staking", "bond", {}], "Staking.AlreadyBonded", [b]),
             (["call", "Bob", "Staking", "bond", {}], "refused", []),
             (["bad", "Bob", "Staking", "bond", {}], "refused", []),
             (["wait", 3], "waited", [b, a])]
    expected: set[str] = set()
    for step, outcome, specs in steps:
        new = cov.observe(step, outcome, [_Event(s) for s in specs], ["state:x:a>b"] if step[0] == "wait" else ())
        before = set(expected)
        if step[0] == "call":
            expected.add(f"call:{step[2]}.{step[3]}:{outcome}")
        elif step[0] == "bad":
            expected.add(f"bad:{step[2]}.{step[3]}:{outcome}")
        if step[0] == "wait":
            expected.add("state:x:a>b")
        previous = None
        for s in specs:
            expected.add("event:" + s.qualified)
            if previous is not None and previous != s.qualified:
                expected.add(f"pair:{previous}>{s.qualified}")
            previous = s.qualified
        assert new == len(expected - before)
    assert cov.features == expected
    assert "pair:Balances.Transfer>Balances.Transfer" not in cov.features  # two specs, one kind: no pair
    assert cov.calls == {"Balances.transfer_allow_death": 1, "Staking.bond": 2}
    assert cov.successes == {"Balances.transfer_allow_death": 1} and cov.errors == {"Staking.AlreadyBonded": 1}


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_randbelow_draws_what_choice_and_randint_draw(seed: int) -> None:
    # the generators index with rng._randbelow(n) where random.choice / randint(0, n - 1) would: the
    # same single draw in CPython's random module; if a Python release changes either, this fails
    # (and campaigns' digests would change with it)
    plain, fast = random.Random(seed), random.Random(seed)
    pools = [list(range(n)) for n in (1, 2, 3, 5, 24, 1000)] + [[0, 1, 2**64 - 1, 2**128]]
    for i in range(3_000):
        pool = pools[i % len(pools)]
        assert plain.choice(pool) == pool[fast._randbelow(len(pool))]
        hi = (7, 12, 2**32 - 1, 2**128)[i % 4]
        assert plain.randint(0, hi) == fast._randbelow(hi + 1)
        assert plain.randint(-5, hi) == -5 + fast._randbelow(hi + 6)
    assert plain.random() == fast.random()


def test_a_runs_live_state_is_the_worlds_events_observed_and_copies_are_independent() -> None:
    world = World(FuzzConfig())
    observed = LiveState()
    observed.observe(world.base_events)
    copy = world.base_live.copy()
    for name in ("by_field", "accounts"):
        assert {k: list(v) for k, v in getattr(copy, name).items()} == {k: list(v) for k, v in getattr(observed, name).items()} \
            if name == "by_field" else getattr(copy, name) == getattr(observed, name)
    assert list(copy.ints) == list(observed.ints) and copy.ints.maxlen == observed.ints.maxlen
    assert all(pool.maxlen == observed.by_field[k].maxlen for k, pool in copy.by_field.items())
    copy.accounts.append("x")
    next(iter(copy.by_field.values())).append("y")
    copy.ints.append(12345)
    again = world.base_live.copy()
    assert "x" not in again.accounts and 12345 not in again.ints
    assert all("y" not in pool for pool in again.by_field.values())


def test_the_primed_ledger_copy_is_independent_and_falls_back_to_deepcopy() -> None:
    world = World(FuzzConfig())
    inv = InvariantSet(world.invariant_fns)
    first = world.primed_ledger(inv)
    assert world._primed_blob is not None  # the built-in invariants keep plain data
    assert first == world._primed
    first.cursors["x"] = 1
    first.extra.setdefault("native_held", 0)
    first.extra["native_held"] += 1
    second = world.primed_ledger(inv)
    assert "x" not in second.cursors and second == world._primed and second is not world._primed

    def keeps_a_lambda(rt: Any, ledger: Ledger) -> None:
        ledger.extra["fn"] = lambda: None  # a pickle cannot carry it

    user = InvariantSet([*world.invariant_fns, keeps_a_lambda])
    got = world.primed_ledger(user)
    assert world._primed_blob is None and callable(got.extra["fn"]) and got is not world._primed


def test_a_worker_handed_the_campaigns_world_runs_what_one_building_its_own_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _campaign(tmp_path / "a", monkeypatch, steps=600, seed=9)
    worlds: list[World] = []

    def with_world(cfg: FuzzConfig) -> Any:
        world = World(cfg)
        world.reset()
        worlds.append(world)
        return run_worker(cfg, world=world)

    handed = _campaign(tmp_path / "b", monkeypatch, with_world, steps=600, seed=9)
    assert handed == built
    assert worlds[0].rt.block_number > 1  # the handed world is the one that ran
