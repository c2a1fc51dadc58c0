"""The stress kit's speed. Prints numbers (no assertions).

Run: python benchmarks/bench_stateful.py [--examples N] [--steps K] [--profile] [--no-docs] [--floor] [--repeat N]
     python benchmarks/bench_stateful.py --versus WORKTREE [--pairs N]   (before/after, alternated)
Targets: 200 examples x 50 steps with every invariant on in under 2 minutes in CI (issue 5); the
kit >= 2,000 steps/s and the docs example's planted bug shrunk in <= 10 s (issue 16).

Prints the wall time of the CI-budget run, the steps (rules run) per second, the calls it made,
where the time went (rules and calls, invariants, Hypothesis itself), the exhaustion stress (1,000
requests with their approvals against instance limits, each outcome checked against the model), and
the docs example (docs/stateful.md's SquaringMachine with its manager's check removed) run through
``run_machine``: time to find the bug, and time to shrink it by its calls, with the shrunk length.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import Counter

from hypothesis import settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from simulations.stateful import RuntimeMachine, world
from simulations.stateful.determinism import freeze_constant_pool
from simulations.stateful.exhaustion import requests_then_approvals, run_exhaustion


class TimedMachine(RuntimeMachine):
    """Counts examples, calls and invariant time (each invariant timed, its read set kept, so the
    checks stay incremental as in the kit)."""

    stats: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    per_check: Counter[str] = Counter()

    def __init__(self) -> None:
        TimedMachine.stats["examples"] += 1
        super().__init__()
        self.invariant_set.invariants = [(name, _timed(name, fn), *rest) for name, fn, *rest in self.invariant_set.invariants]

    @invariant()
    def runtime_invariants(self) -> None:  # runs once per example's start and after every step
        TimedMachine.stats["checks"] += 1
        super().runtime_invariants()

    def teardown(self) -> None:
        super().teardown()
        TimedMachine.stats["invariant checks"] += sum(self.invariant_set.runs.values())

    def call(self, origin, module, function, params):  # type: ignore[no-untyped-def]
        TimedMachine.stats["calls"] += 1
        t = time.perf_counter()
        try:
            return super().call(origin, module, function, params)
        finally:
            TimedMachine.seconds["calls"] += time.perf_counter() - t

    def advance(self, fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            super().advance(fn)
        finally:
            TimedMachine.seconds["time"] += time.perf_counter() - t


def _timed(name, check):  # type: ignore[no-untyped-def]
    def timed(rt, ledger):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            check(rt, ledger)
        finally:
            TimedMachine.seconds["invariants"] += time.perf_counter() - t
            TimedMachine.per_check[name] += time.perf_counter() - t
    return timed


def machine_run(examples: int, steps: int) -> float:
    freeze_constant_pool()
    t, cpu = time.perf_counter(), time.process_time()
    run_state_machine_as_test(TimedMachine, settings=settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                                              derandomize=True, database=None))
    TimedMachine.seconds["cpu"] += time.process_time() - cpu
    return time.perf_counter() - t


class CountingMachine(RuntimeMachine):
    """The machine as a user runs it, with only a step counter added (the timed run's wrappers cost
    a few percent of a step)."""

    steps = 0

    def run_step(self, fn, kwargs):  # type: ignore[no-untyped-def]
        CountingMachine.steps += 1
        return super().run_step(fn, kwargs)


def plain_run(examples: int, steps: int) -> tuple[float, float]:
    """Steps per second of wall time and of CPU time of an uninstrumented run."""
    freeze_constant_pool()
    CountingMachine.steps = 0
    t, cpu = time.perf_counter(), time.process_time()
    run_state_machine_as_test(CountingMachine, settings=settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                                                 derandomize=True, database=None))
    return CountingMachine.steps / (time.perf_counter() - t), CountingMachine.steps / (time.process_time() - cpu)


def versus(other: str, pairs: int, examples: int, steps: int) -> None:
    """Alternate uninstrumented runs of this tree's kit and ``other``'s (a worktree at the commit to
    compare with), each in a fresh process (warmed by 10 examples), ``pairs`` times, switching which
    goes first: medians and ranges per CPU-second and per wall second, and the per-pair ratio. On a
    shared machine the CPU-second rate moves less than the wall rate, and the ratio of a pair run
    back to back less than either."""
    import os
    import statistics
    import subprocess
    import sys
    from pathlib import Path

    here, there = str(Path(__file__).resolve().parents[1]), str(Path(other).resolve())
    rates: dict[str, list[tuple[float, float]]] = {here: [], there: []}
    for i in range(pairs):
        for tree in (here, there) if i % 2 == 0 else (there, here):
            # this script, importing the kit from ``tree`` (PYTHONPATH comes before the installed package)
            out = subprocess.run([sys.executable, __file__, "--one-run", "--examples", str(examples), "--steps", str(steps)], cwd=tree,
                                 env={**os.environ, "PYTHONPATH": tree}, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"the run in {tree} failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
            wall, cpu = map(float, out.stdout.split()[-2:])
            rates[tree].append((wall, cpu))
            print(f"  pair {i + 1}: {'this tree' if tree == here else other}: {cpu:,.0f} steps per CPU-second, {wall:,.0f} per wall second", flush=True)
    med = statistics.median
    for tree, name in ((there, other), (here, "this tree")):
        cpus, walls = [c for _, c in rates[tree]], [w for w, _ in rates[tree]]
        print(f"{name}: median {med(cpus):,.0f} steps per CPU-second (range {min(cpus):,.0f}-{max(cpus):,.0f}), "
              f"{med(walls):,.0f} per wall second (range {min(walls):,.0f}-{max(walls):,.0f}); {pairs} runs of {examples} x {steps}")
    ratios = [a[1] / b[1] for a, b in zip(rates[here], rates[there])]
    print(f"this tree / {other}, per pair (CPU-seconds): median {med(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")


def hypothesis_floor(examples: int, steps: int, slots: int, own_selection: bool = True, per_cpu_second: bool = False) -> tuple[float, float]:
    """Steps/s of a bare RuleBasedStateMachine with ``slots`` rules whose bodies do nothing (one
    integer argument each, one invariant that does nothing): what Hypothesis's stateful loop costs by
    itself on this machine, with its own rule selection and with the kit's (:class:`RuleDraw`)."""
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, rule

    from simulations.stateful.selection import RuleDraw

    ran = Counter()

    def make() -> type:
        class Bare(RuleBasedStateMachine):
            @invariant()
            def nothing(self) -> None:
                pass

        def body(i: int):  # type: ignore[no-untyped-def]
            @rule(x=st.integers(0, 7))
            def r(self, x):  # type: ignore[no-untyped-def]
                ran["steps"] += 1
            r.__name__ = f"r{i}"
            return r
        for i in range(slots):
            setattr(Bare, f"r{i}", body(i))
        return Bare

    out = [float("nan")]
    for kit_selection in ((False, True) if own_selection else (True,)):
        machine = make()
        if kit_selection:
            draw = RuleDraw(machine.setup_state().rules)
            original_init = machine.__init__

            def init(self, _draw=draw, _init=original_init):  # type: ignore[no-untyped-def]
                _init(self)
                self._rules_strategy = _draw.for_machine(self)
            machine.__init__ = init  # type: ignore[method-assign]
        ran.clear()
        t, cpu = time.perf_counter(), time.process_time()
        run_state_machine_as_test(machine, settings=settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                                                             derandomize=True, database=None))
        out.append(ran["steps"] / (time.process_time() - cpu if per_cpu_second else time.perf_counter() - t))
    return out[-2], out[-1]


def docs_example_shrink() -> None:
    """docs/stateful.md's machine with the planted bug, through run_machine (the pytest fixture)."""
    import os
    import re
    import sys
    from pathlib import Path
    from tempfile import TemporaryDirectory

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from simulations.stateful.plugin import run_with_profile
    from tests.stateful.test_docs_stateful import example

    ns = example()
    ns["SquaresOnly"].validate_result = lambda self, *args: None  # the planted bug: the manager checks nothing
    with TemporaryDirectory() as out:
        os.environ["TANGLE_SIM_FAILURE_DIR"] = out
        t = time.perf_counter()
        try:
            run_with_profile(ns["SquaringMachine"], max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, database=None)
        except AssertionError as exc:
            wall = time.perf_counter() - t
            m = re.search(r"shrunk from (\d+) steps to (\d+): (\d+) calls, in ([\d.]+) s", str(exc))
            if m:
                shrink = float(m.group(4))
                print(f"docs example: found and shrunk in {wall:.1f} s (finding {wall - shrink:.1f} s, shrinking {shrink:.1f} s: "
                      f"{m.group(1)} steps -> {m.group(2)}, {m.group(3)} calls; target <= 10 s)")
            else:
                print(f"docs example: failed in {wall:.1f} s, shrunk by Hypothesis: {str(exc)[:200]}")
        else:
            print("docs example: the planted bug was NOT found")


def exhaustion_run() -> float:
    rt = world.build_world(services=False)
    ops = world.SETUP_OPERATORS
    steps = requests_then_approvals(1000, [(0,), (0, 1), (1, 2), (2,)])
    t = time.perf_counter()
    run_exhaustion(rt, 0, ops, {ops[0]: 300, ops[1]: 420, ops[2]: None}, steps)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print the top functions of the machine run")
    parser.add_argument("--no-docs", action="store_true", help="skip the docs example's find-and-shrink")
    parser.add_argument("--floor", action="store_true", help="also measure Hypothesis's floor: a bare machine with as many rule slots")
    parser.add_argument("--repeat", type=int, default=0,
                        help="N uninstrumented runs alternating with the floor (kit selection): medians and the ratio, which load moves least")
    parser.add_argument("--versus", metavar="WORKTREE",
                        help="alternate uninstrumented runs with the kit of another worktree (e.g. one at main), --pairs times")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)  # one warmed run: "wall cpu" steps/s (for --versus)
    args = parser.parse_args()
    if args.one_run:
        plain_run(10, args.steps)
        print(*plain_run(args.examples, args.steps))
        return
    if args.versus:
        versus(args.versus, args.pairs, args.examples, args.steps)
        return

    import inspect
    import statistics

    from hypothesis.stateful import RULE_MARKER

    slots = sum(1 for _, f in inspect.getmembers(RuntimeMachine) if hasattr(f, RULE_MARKER))
    if args.repeat:
        plain_run(10, args.steps)  # warm: the starting world, Hypothesis's constant pool
        walls, cpus, floors, ratios = [], [], [], []
        for _ in range(args.repeat):
            wall_rate, cpu_rate = plain_run(args.examples, args.steps)
            floor = hypothesis_floor(args.examples, args.steps, slots, own_selection=False, per_cpu_second=True)[1]
            walls.append(wall_rate)
            cpus.append(cpu_rate)
            floors.append(floor)
            ratios.append(cpu_rate / floor)
        med = statistics.median
        print(f"machine, uninstrumented, {args.repeat} runs of {args.examples} x {args.steps} alternating with the floor: median "
              f"{med(walls):,.0f} steps/s (spread {min(walls):,.0f}-{max(walls):,.0f}), {med(cpus):,.0f} steps per CPU-second; "
              f"floor {med(floors):,.0f} steps per CPU-second; machine/floor {med(ratios):.2f} (spread {min(ratios):.2f}-{max(ratios):.2f})")

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    wall = machine_run(args.examples, args.steps)
    if profiler:
        profiler.disable()
    s, sec = TimedMachine.stats, TimedMachine.seconds
    print(f"machine, instrumented (timers around every call and invariant; the first example builds the world): "
          f"{args.examples} examples x {args.steps} steps in {wall:.1f} s (target < 120 s)")
    print(f"  {s['examples']} examples run, {s['calls']:,} calls, {s['invariant checks']:,} invariant checks")
    rest = wall - sec["calls"] - sec["invariants"] - sec["time"]
    print(f"  calls {sec['calls']:.1f} s, blocks/rounds/eras {sec['time']:.1f} s, invariants {sec['invariants']:.1f} s, "
          f"Hypothesis (drawing rules and arguments) and the rest {rest:.1f} s")
    steps = s["checks"] - s["examples"]
    print(f"  {steps:,} steps = {steps / wall:,.0f} steps/s ({steps / sec['cpu']:,.0f} per CPU-second; the target of 2,000 is for the uninstrumented run, --repeat); {s['calls'] / wall:,.0f} calls/s overall; "
          f"{s['invariant checks'] / max(sec['invariants'], 1e-9):,.0f} invariant checks/s")
    slowest = ", ".join(f"{name} {t:.2f} s" for name, t in TimedMachine.per_check.most_common(4))  # type: ignore[attr-defined]
    print(f"  slowest invariants: {slowest}")
    if args.floor:
        own, kit = hypothesis_floor(args.examples, args.steps, slots)
        print(f"Hypothesis's floor (a bare machine, {slots} rule slots, bodies that do nothing): {own:,.0f} steps/s with its own rule "
              f"selection, {kit:,.0f} steps/s with the kit's (RuleDraw)")
    best = min(exhaustion_run() for _ in range(3))
    print(f"exhaustion: 1,000 requests + approvals against limits, every outcome checked: {best * 1000:.0f} ms (best of 3)")
    if not args.no_docs:
        docs_example_shrink()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
