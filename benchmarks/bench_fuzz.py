"""The fuzz engine's speed and reach. Prints numbers (no assertions).

Run: python benchmarks/bench_fuzz.py [--steps N] [--workers W] [--timers] [--profile] [--floor] [--bugs] [--memory STEPS] [--digest SEED ...]

* checked steps/s on one core with every invariant on (incremental, full check every 64 steps and
  at the end of each run), and on W workers;
* where the time of one core goes (dispatch, time steps, invariants, the state root, the engine):
  --timers (exclusive CPU time per part, unprofiled, the timers' own cost on its own row) or --profile
  (cProfile, which inflates small functions);
* with --floor: the same steps (seed 1) run five ways, CPU time per step, best of 3 alternated: the
  whole engine (the campaign again, drawing included), the runtime alone (dispatch and blocks,
  nothing else), through the Executor without invariants, with every invariant, and with coverage
  and live ids too: what each layer adds on top of the runtime, and the rate no engine change can
  beat;
* every speed line names the interpreter: its build alone moves the figures (compare on one);
* with --bugs: time to find and time to shrink each seeded bug (tests/support/seeded_bugs.py), seed 0, and
  the shrunk length;
* with --memory STEPS: the peak RSS of one worker over a STEPS-step campaign, sampled as it runs;
* with --digest SEED [SEED ...]: a digest of what a one-worker campaign of --steps steps did for each
  seed (every step, its outcome, every run's final state root and event log, the coverage features,
  the corpus, the invariant run counts): a change meant only to make the engine faster must leave
  it the same (run it before and after; ``profile:seed`` picks the profile, e.g. ``real:7``).
Targets (issue 16): >= 20,000 checked steps/s per core; every seeded bug found in <= 30 s and
shrunk in <= 10 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from simulations.fuzz import FuzzConfig, fuzz, run_worker  # noqa: E402


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def interpreter() -> str:
    """The Python running the benchmark: its build moves every figure here (on this project's
    machine pyenv's default build, without PGO/LTO, ran a campaign ~1.2x slower than Debian's
    optimised python3.11 on the same code), so figures are compared on one interpreter only."""
    import platform

    return f"{platform.python_implementation()} {platform.python_version()} at {sys.executable}"


def speed(steps: int, workers: int) -> None:
    with TemporaryDirectory() as out:
        cfg = FuzzConfig(seed=1, steps=steps, out=Path(out), stop_on_failure=False, shrink_time=1)
        t, cpu = time.perf_counter(), time.process_time()
        one = run_worker(cfg)
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        # CPU seconds as well as wall: on a shared machine the wall clock counts other people's work
        print(f"1 core: {one.steps:,} checked steps in {wall:.1f} s = {one.steps / wall:,.0f} steps/s "
              f"({one.steps / cpu:,.0f} per CPU second; {one.runs} runs, {len(one.coverage.features):,} features, "
              f"{len(one.failures)} failures; target 20,000/s; {interpreter()})")
        runs = sorted(one.invariant_runs.items(), key=lambda kv: -kv[1])
        print("  invariant runs per step: " + ", ".join(f"{n} {c / one.steps:.2f}" for n, c in runs[:6]))
        if workers > 1:
            cfg.workers = workers
            result = fuzz(cfg)
            print(f"{workers} workers: {result.steps:,} steps in {result.seconds:.1f} s = {result.steps / result.seconds:,.0f} steps/s")


#: where one core's time goes: (label, function name, a part of its file's path); cumulative times,
#: so "Executor.run" contains the next five rows and "invariants" contains the state_is_immutable root
PARTS = (
    ("Executor.run: a step and its checks", "run", "fuzz/program.py"),
    ("  the runtime's dispatch", "dispatch", "runtime/runtime.py"),
    ("  blocks built by time steps (hooks)", "advance_blocks", "runtime/runtime.py"),
    ("  invariants", "check", "fuzz/checks.py"),
    ("  what a step touched and wrote", "touched", "fuzz/checks.py"),
    ("  ... (its written keys)", "step_writes", "fuzz/checks.py"),
    ("  lifecycle transitions (coverage)", "state_transitions", "fuzz/coverage.py"),
    ("state roots (rollback checks, state_is_immutable)", "state_root", "runtime/runtime.py"),
    ("drawing steps", "step", "fuzz/engine.py"),
    ("coverage features", "observe", "fuzz/coverage.py"),
    ("live ids and accounts", "observe", "fuzz/values.py"),
    ("building the world (once)", "__init__", "fuzz/engine.py"),
)


def profile(steps: int) -> None:
    import cProfile
    import pstats

    with TemporaryDirectory() as out:
        prof = cProfile.Profile()
        prof.enable()
        run_worker(FuzzConfig(seed=1, steps=steps, out=Path(out), stop_on_failure=False, shrink_time=1))
        prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]

    def cum(name: str, where: str) -> float:
        return sum(v[3] for (file, _line, fn), v in stats.items() if fn == name and where in file)

    total = cum("run_worker", "fuzz/engine.py")
    n_calls = sum(v[1] for v in stats.values())
    print(f"where one core's time goes ({steps:,} steps under cProfile, {total:.1f} s; {n_calls / steps:,.0f} Python and builtin "
          "function calls per step, world build included; cumulative, nested rows indented):")
    for label, name, where in PARTS:
        t = cum(name, where)
        print(f"  {label:52s} {t:6.2f} s {100 * t / total:5.1f} %")


def timers(steps: int) -> None:
    """Where one core's time goes without a profiler (cProfile's per-call cost inflates the many
    small functions of invariants and drawing): CPU time inside each part, by wrapping its entry.
    Each row is exclusive: a wrapped part's time less the wrapped parts it called (the executor's
    row is its own work around the dispatch, the hooks and the checks), and less what the timers
    themselves cost (two CPU clock reads and the bookkeeping per wrapped call, measured on a
    function that does nothing and reported on its own row), so the rows and the rest add up."""
    import pytest

    import runtime.runtime as rt_module
    import runtime.storage as storage
    import simulations.fuzz.coverage as coverage
    import simulations.fuzz.engine as engine
    import simulations.fuzz.program as program
    import simulations.fuzz.values as values
    from simulations.fuzz.checks import InvariantSet

    spent: dict[str, float] = {}  # exclusive CPU time per part
    calls: dict[str, int] = {}
    nested: dict[str, int] = {}  # wrapped calls made from inside each part (their wrappers' cost is in its time)
    stack: list[list[float]] = []  # per active wrapped call: [time inside wrapped callees, how many]
    clock = time.process_time
    mp = pytest.MonkeyPatch()

    def timed(owner: object, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            frame = [0.0, 0]
            stack.append(frame)
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = clock() - t
                stack.pop()
                spent[label] = spent.get(label, 0.0) + elapsed - frame[0]
                calls[label] = calls.get(label, 0) + 1
                nested[label] = nested.get(label, 0) + int(frame[1])
                if stack:
                    stack[-1][0] += elapsed
                    stack[-1][1] += 1
        mp.setattr(owner, name, wrapper)

    def counted(owner: object, name: str, label: str) -> None:
        """Count calls only (load-independent: how many blocks the time steps built)."""
        fn = getattr(owner, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls[label] = calls.get(label, 0) + 1
            return fn(*args, **kwargs)
        mp.setattr(owner, name, wrapper)

    parts = [(rt_module.Runtime, "dispatch", "the runtime's dispatch"), (rt_module.Runtime, "advance_blocks", "blocks built by time steps (hooks)"),
             (InvariantSet, "check", "invariants (full)"), (InvariantSet, "check_step", "invariants (incremental)"), (storage.Storage, "state_root", "state roots"),
             (engine.Generator, "step", "drawing steps"),
             (program.Executor, "run", "the executor's own work per step"), (program.Executor, "_call", "... checking a call (lengths, roots, receipt)"),
             (InvariantSet, "plan", "what a step touched (plan)"), (program, "writes_of", "the keys a step wrote"), (program, "state_transitions", "lifecycle transitions"),
             (coverage.Coverage, "observe", "coverage features"), (values.LiveState, "observe", "live ids and accounts"),
             (engine.World, "reset", "a run's start: restoring the snapshot"), (engine.World, "primed_ledger", "a run's start: the primed ledger"),
             (values.LiveState, "copy", "a run's start: live ids"), (engine.Generator, "new_swarm", "a run's start: the swarm"),
             (engine.World, "__init__", "building the world (once)")]
    try:
        for owner, name, label in parts:
            timed(owner, name, label)
        counted(rt_module.Runtime, "_initialize_block", "blocks initialized")
        counted(rt_module.Runtime, "_skip_to", "idle-block jumps")
        with TemporaryDirectory() as out:
            t = clock()
            run_worker(FuzzConfig(seed=1, steps=steps, out=Path(out), stop_on_failure=False, shrink_time=1))
            total = clock() - t
        # a wrapper's cost outside its own window (what its caller's time holds): a wrapped
        # function that does nothing, called 20,000 times from a wrapped loop, less the same loop bare
        timing = [(label, spent.pop(label, 0.0), calls.pop(label, 0)) for _o, _n, label in parts]
        nothing = type("Nothing", (), {"it": staticmethod(lambda: None)})
        bare = type("Loop", (), {"go": staticmethod(lambda: [nothing.it() for _ in range(20_000)])})
        t = clock()
        bare.go()
        bare_time = clock() - t
        timed(nothing, "it", "nothing")
        timed(bare, "go", "loop")
        bare.go()
        per_wrap = max(0.0, (spent["loop"] - bare_time) / 20_000)
    finally:
        mp.undo()
    print(f"where one core's time goes ({steps:,} steps, {total:.2f} CPU s, {steps / total:,.0f} steps per CPU second; "
          "exclusive CPU time of each part, the timers' cost taken out):")
    accounted = 0.0
    for label, t_label, n in timing:
        own = t_label - nested.get(label, 0) * per_wrap
        accounted += own
        print(f"  {label:46s} {own:6.2f} s {100 * own / total:5.1f} %  ({n:,} calls)")
    wrapped = sum(n for _label, _t, n in timing)
    overhead = wrapped * per_wrap
    rest = total - accounted - overhead
    print(f"  {'the timers themselves':46s} {overhead:6.2f} s {100 * overhead / total:5.1f} %  ({wrapped:,} wrapped calls x {per_wrap * 1e6:.2f} us)")
    print(f"  {'the campaign loop and the rest':46s} {rest:6.2f} s {100 * rest / total:5.1f} %")
    waits = next(n for label, _t, n in timing if label == "blocks built by time steps (hooks)")
    print(f"  time steps: {waits:,}, blocks initialized: {calls.get('blocks initialized', 0):,}, "
          f"idle-block jumps: {calls.get('idle-block jumps', 0):,} (counts do not depend on the machine's load)")


def floor(steps: int) -> None:
    """The runtime's own cost on the engine's steps, and what each engine layer adds to it (see the module docstring)."""
    import simulations.fuzz.engine as engine
    import simulations.fuzz.program as program
    from simulations.fuzz.checks import InvariantSet
    from simulations.fuzz.coverage import Coverage
    from simulations.fuzz.hostile import expand

    runs: list[list[list]] = []
    reset, run = engine.World.reset, program.Executor.run

    def recording_reset(self: engine.World) -> object:
        runs.append([])
        return reset(self)

    def recording_run(self: program.Executor, step: list) -> str:
        runs[-1].append(step)
        return run(self, step)

    out = TemporaryDirectory()  # open while the whole engine runs again below (it writes nothing there: no failure)
    cfg = FuzzConfig(seed=1, steps=steps, out=Path(out.name), stop_on_failure=False, shrink_time=1)
    world = engine.World(cfg)
    engine.World.reset, program.Executor.run = recording_reset, recording_run  # type: ignore[method-assign]
    try:
        run_worker(cfg, world=world)  # records the steps (and warms every per-process memo the layers share)
    finally:
        engine.World.reset, program.Executor.run = reset, run  # type: ignore[method-assign]
    n = sum(map(len, runs))

    def whole() -> None:
        run_worker(cfg, world=world)  # the same campaign again: the same steps drawn

    def bare() -> None:
        for prog in runs:
            rt = world.reset()
            for step in prog:
                if step[0] == "wait":
                    rt.advance_blocks(step[1])
                    continue
                call = expand(step) if step[0] == "bad" else step
                try:
                    rt.dispatch(call[1], call[2], call[3], call[4], raise_error=False)
                except Exception:  # refused input and invalid transactions: what the Executor checks
                    pass

    def executor(fns: list, observe: bool = False) -> Callable[[], None]:
        def go() -> None:
            invariants = InvariantSet(fns)
            coverage = Coverage()
            for prog in runs:
                ledger = world.primed_ledger(invariants)
                ex = program.Executor(world.reset(), invariants, cfg.full_every, ledger=ledger)
                ex.transitions = True
                live = world.base_live.copy()
                if ledger is None:
                    ex.check(None, -1)
                for step in prog:
                    outcome = ex.run(step)
                    if observe:
                        if ex.last_events:
                            live.observe(ex.last_events)
                        coverage.observe(step, outcome, ex.last_events, ex.last_transitions)
                ex.check(None, len(prog) - 1)
        return go

    # the whole engine is one of the alternated layers: measured once, first and cold, it read ~2x
    # the replayed layers on a loaded machine and overstated what drawing and the loop cost
    layers = [("the whole engine (drawing included)", whole), ("the runtime alone (dispatch, blocks)", bare),
              ("Executor, no invariants", executor([])), ("Executor, every invariant", executor(world.invariant_fns)),
              ("... and coverage, live ids", executor(world.invariant_fns, True))]
    best = {label: float("inf") for label, _ in layers}
    try:
        for _ in range(3):  # alternated, best of 3: a shared machine's load only ever adds
            for label, fn in layers:
                cpu = time.process_time()
                fn()
                best[label] = min(best[label], time.process_time() - cpu)
    finally:
        out.cleanup()
    print(f"where a step's time goes ({n:,} steps of seed 1, CPU time per step, best of 3 alternated; target 20,000/s = 50 us; {interpreter()}):")
    for label, _ in layers:
        print(f"  {label:44s} {best[label] / n * 1e6:6.0f} us  ({n / best[label]:,.0f} steps/s)")


def bugs() -> None:
    import pytest

    from runtime.calllog import replay
    from seeded_bugs import BUGS

    print(f"{'seeded bug':36s} {'found after':>12s} {'steps':>7s} {'shrink':>8s} {'steps':>9s}  replay")
    for name, (patch, _match) in sorted(BUGS.items()):
        mp = pytest.MonkeyPatch()
        patch(mp)
        try:
            with TemporaryDirectory() as out:
                r = run_worker(FuzzConfig(seed=0, steps=200_000, time_limit=60, out=Path(out), shrink_time=10))
                if not r.failures:
                    print(f"{name:36s} not found in {r.steps:,} steps ({r.seconds:.0f} s)")
                    continue
                f = r.failures[0]
                rechecked = replay(f.log).violation is not None
                print(f"{name:36s} {f.found_after:10.1f} s {f.steps_before:7,d} {f.shrink_seconds:6.1f} s "
                      f"{len(f.program):4d} -> {len(f.shrunk):d}  {'fails the invariant' if rechecked else 'PASSES'}")
        finally:
            mp.undo()


def memory(steps: int) -> None:
    samples: list[tuple[int, float]] = []

    def progress(info: dict) -> None:
        if not samples or info["steps"] - samples[-1][0] >= steps // 20:
            samples.append((info["steps"], rss_mb()))

    with TemporaryDirectory() as out:
        start = rss_mb()
        run_worker(FuzzConfig(seed=2, steps=steps, out=Path(out), stop_on_failure=False, shrink_time=1, corpus=Path(out) / "corpus"),
                   progress=progress)
    print(f"memory over {steps:,} steps (one worker, with a corpus): start {start:.0f} MB, "
          + ", ".join(f"{s:,}: {m:.0f} MB" for s, m in samples[:: max(1, len(samples) // 8)]) + f"; peak {max(m for _, m in samples):.0f} MB")


def digest(seed: int, steps: int, profile: str = "intended") -> dict[str, object]:
    """What a one-worker campaign did, as short hashes (see the module docstring)."""
    import hashlib
    import json

    import pytest

    import simulations.fuzz.engine as engine
    import simulations.fuzz.program as program

    hashes = {name: hashlib.sha256() for name in ("programs", "outcomes", "roots", "events")}
    worlds: list[engine.World] = []
    mp = pytest.MonkeyPatch()
    init, reset, run = engine.World.__init__, engine.World.reset, program.Executor.run

    def ends(world: engine.World) -> None:  # a run's end: its state root and every event it deposited
        rt = world.rt
        hashes["roots"].update(rt.state_root().encode())
        for ev in list(rt.event_log) + list(rt.db.events):
            hashes["events"].update(repr((ev.spec.qualified, ev.block, ev.extrinsic_idx, ev.phase, ev.values)).encode())

    def recording_init(self: engine.World, cfg: FuzzConfig) -> None:
        init(self, cfg)
        worlds.append(self)

    def recording_reset(self: engine.World) -> object:
        ends(self)
        return reset(self)

    def recording_run(self: program.Executor, step: list) -> str:
        hashes["programs"].update(program.dumps([step]).encode())
        outcome = run(self, step)
        hashes["outcomes"].update(outcome.encode())
        return outcome

    mp.setattr(engine.World, "__init__", recording_init)
    mp.setattr(engine.World, "reset", recording_reset)
    mp.setattr(program.Executor, "run", recording_run)
    try:
        with TemporaryDirectory() as out:
            corpus = Path(out) / "corpus"
            r = run_worker(FuzzConfig(seed=seed, steps=steps, out=Path(out), stop_on_failure=False, shrink_time=1, corpus=corpus, profile=profile))
            ends(worlds[0])
            entries = sorted(p.name for p in (corpus / "entries").glob("*.jsonl"))
    finally:
        mp.undo()

    def short(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    return {"profile": profile, "seed": seed, "steps": r.steps, "runs": r.runs, **{k: h.hexdigest()[:16] for k, h in hashes.items()},
            "features": short("\n".join(sorted(r.coverage.features))), "corpus": short("\n".join(entries)), "corpus_entries": len(entries),
            "invariant_runs": short(json.dumps(r.invariant_runs, sort_keys=True)), "failures": [f.summary()[:100] for f in r.failures]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bugs", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--timers", action="store_true", help="where the time goes, unprofiled (CPU time per part)")
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--floor", action="store_true", help="the runtime's own cost on the same steps, and what each engine layer adds")
    parser.add_argument("--digest", nargs="+", metavar="[PROFILE:]SEED", help="print what a campaign of --steps steps did (hashes) and stop")
    args = parser.parse_args()
    if args.digest:
        import json

        for item in args.digest:
            chain_profile, _, seed = item.rpartition(":")
            print(json.dumps(digest(int(seed), args.steps, chain_profile or "intended")))
        return
    speed(args.steps, args.workers)
    if args.timers:
        timers(args.steps)
    if args.profile:
        profile(args.steps)
    if args.floor:
        floor(args.steps)
    if args.bugs:
        bugs()
    if args.memory:
        memory(args.memory)


if __name__ == "__main__":
    main()
