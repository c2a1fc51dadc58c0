"""The fuzz engine: random call sequences at the runtime's own speed, every invariant checked.

One worker's campaign is a loop of *runs*. A run restores the world (a snapshot of the runtime the
campaign fuzzes, taken once) and executes up to ``run_length`` steps: calls drawn straight from the
runtime's call specs (:mod:`simulations.fuzz.values`), a share of deliberately malformed calls
(:mod:`simulations.fuzz.hostile`) and time steps (blocks, sessions, eras, and jumps to the next
scheduled thing: a request's expiry, a slash's window). Each run enables a random subset of calls and
origins (swarm testing: a run that never sends ``undelegate`` lets delegations pile up). A run that
reached a new coverage feature is kept in the corpus; later runs start from a mutated corpus entry
half the time. The first failure is shrunk (:mod:`simulations.fuzz.shrink`) and saved as a call log
that ``tangle-sim replay`` re-checks.
"""

from __future__ import annotations

import copy
import inspect
import os
import pickle
import random
import sys
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from runtime import Runtime
from runtime.calllog import Checks, RuntimeSource, write_log
from runtime.factories import factory_path, load_factory, source_of
from simulations.fuzz import hostile
from simulations.fuzz.checks import Invariant, InvariantSet
from simulations.fuzz.corpus import MAX_ENTRIES_LOADED, Corpus, mutate
from simulations.fuzz.coverage import Coverage
from simulations.fuzz.program import Executor, Failure, Step, dumps, failing_step_record
from simulations.fuzz.recipes import RECIPES
from simulations.fuzz.values import LiveState, keyless, params_generator, register_keyless
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger

#: root calls that rewrite balances by decree: they break custody on purpose (see the stateful kit)
DECREES: frozenset[tuple[str, str]] = frozenset({
    ("Balances", "force_unreserve"), ("Balances", "force_set_balance"), ("Balances", "force_adjust_total_issuance"),
    ("System", "set_storage"), ("System", "kill_storage"), ("System", "kill_prefix"),  # raw state surgery (an empty prefix kills everything)
})
PALLET_WEIGHTS: dict[str, float] = {
    "Services": 4, "MultiAssetDelegation": 4, "Staking": 2, "Lst": 2, "Rewards": 1.5, "Assets": 1, "Balances": 1.5,
    "System": 0.2, "Sudo": 0.5,
}
#: calls on the way to deep states (a slash needs a service, which needs a request and approvals)
CALL_WEIGHTS: dict[str, float] = {
    "Services.request": 6, "Services.approve": 8, "Services.call": 4, "Services.submit_result": 4, "Services.slash": 8,
    "Services.dispute": 6, "Services.register": 3, "Services.terminate": 2, "Services.set_instance_limit": 3,
    "MultiAssetDelegation.delegate": 4, "MultiAssetDelegation.deposit": 4, "MultiAssetDelegation.schedule_delegator_unstake": 4,
    "MultiAssetDelegation.execute_delegator_unstake": 4, "MultiAssetDelegation.join_operators": 3,
    "MultiAssetDelegation.schedule_withdraw": 3, "MultiAssetDelegation.execute_withdraw": 3, "MultiAssetDelegation.schedule_leave_operators": 2,
    "MultiAssetDelegation.execute_leave_operators": 2, "MultiAssetDelegation.delegate_nomination": 2,
    "Staking.bond": 3, "Staking.unbond": 3, "Staking.withdraw_unbonded": 3, "Lst.join": 3, "Lst.unbond": 4, "Lst.withdraw_unbonded": 4,
    "Assets.burn": 2, "Assets.mint": 2, "Balances.transfer_allow_death": 3, "Balances.transfer_keep_alive": 2,
    "Staking.report_offence": 3,
}
ORIGINS: tuple[tuple[str, float], ...] = (("signed", 0.86), ("root", 0.08), ("council", 0.03), ("slash_cancel", 0.02), ("none", 0.01))
#: seconds between a worker's merges of its coverage into the corpus's coverage.json (while it adds entries)
COVERAGE_SAVE_EVERY = 2.0
ROLE_FIELDS = ("owner", "operator", "who", "delegator", "stash", "depositor", "member", "caller", "account", "offender")


@dataclass
class FuzzConfig:
    """A campaign. ``runtime``: ``"module:function"`` returning the Runtime to fuzz (default: the
    stateful kit's world under ``profile``); ``invariants``: functions or ``"module:function"`` names."""

    seed: int = 0
    #: None: no step limit (then ``time_limit`` is the campaign's only limit)
    steps: int | None = 100_000
    time_limit: float | None = None
    workers: int = 1
    profile: str = "intended"
    runtime: str | None = None
    invariants: list[Any] = field(default_factory=lambda: list(ALL_INVARIANTS))
    #: state-aware calls ``fn(rng, rt, live) -> step or None``: the built-in recipes, plus a user's own
    generators: list[Any] = field(default_factory=lambda: list(RECIPES))
    recipe_share: float = 0.2
    run_length: int = 200
    bad_share: float = 0.04
    time_share: float = 0.12
    full_every: int = 64
    corpus: Path | None = None
    out: Path = Path("tangle-sim-fuzz")
    stop_on_failure: bool = True
    shrink_time: float = 10.0
    #: at most this many candidate runs while shrinking (None: only ``shrink_time`` bounds it); a
    #: budget in candidates rather than seconds shrinks the same way on a loaded machine
    shrink_candidates: int | None = None
    pallet_weights: dict[str, float] = field(default_factory=lambda: dict(PALLET_WEIGHTS))
    call_weights: dict[str, float] = field(default_factory=lambda: dict(CALL_WEIGHTS))

    def __post_init__(self) -> None:
        """Refuse settings no campaign can run with (a run of 0 steps would loop for ever), naming the field."""
        def need(ok: bool, name: str, what: str, value: Any) -> None:
            if not ok:
                raise ValueError(f"{name}: {what}, got {value!r}")

        whole = lambda v: type(v) is int  # noqa: E731
        need(whole(self.seed) and 0 <= self.seed < 2**64, "seed", "an unsigned 64-bit integer", self.seed)
        need(self.steps is None or (whole(self.steps) and self.steps >= 1), "steps", "at least 1", self.steps)
        need(self.time_limit is None or (isinstance(self.time_limit, (int, float)) and self.time_limit > 0), "time_limit", "a positive number of seconds", self.time_limit)
        need(self.steps is not None or self.time_limit is not None, "steps", "a number when there is no time_limit (a campaign needs a limit)", self.steps)
        need(whole(self.workers) and 1 <= self.workers <= 1024, "workers", "1 to 1,024 processes", self.workers)
        need(whole(self.run_length) and 1 <= self.run_length <= 1_000_000, "run_length", "1 to 1,000,000 steps", self.run_length)
        need(whole(self.full_every) and self.full_every >= 0, "full_every", "0 (never) or more steps", self.full_every)
        need(isinstance(self.shrink_time, (int, float)) and self.shrink_time >= 0, "shrink_time", "0 or more seconds", self.shrink_time)
        need(self.shrink_candidates is None or (whole(self.shrink_candidates) and self.shrink_candidates >= 1), "shrink_candidates",
             "at least 1 candidate", self.shrink_candidates)
        for name in ("recipe_share", "bad_share", "time_share"):
            value = getattr(self, name)
            need(isinstance(value, (int, float)) and 0 <= value <= 1, name, "a share between 0 and 1", value)
        if self.corpus is not None:
            corpus = Path(self.corpus)
            need(not corpus.exists() or corpus.is_dir(), "corpus", "a directory (made if missing)", str(corpus))


@dataclass
class FoundFailure:
    kind: str
    what: str
    message: str
    program: list[Step]
    shrunk: list[Step]
    log: Path | None
    program_file: Path | None
    found_after: float
    shrink_seconds: float
    steps_before: int
    #: the message of the unshrunk program when it differs from the shrunk one's (``message``, which
    #: is what ``tangle-sim replay`` of the saved log prints)
    found_message: str | None = None
    #: with ``stop_on_failure`` off, how many more times the same check (same kind and invariant, or
    #: call that panicked) failed again: counted here, neither shrunk nor saved again
    repeats: int = 0
    #: logs other workers saved for the same failure (:attr:`CampaignResult.failures` folds them here)
    other_logs: list[Path] = field(default_factory=list)
    #: the shrinker crashed (``Type: message``): ``shrunk`` is then the unshrunk program, saved as found
    shrink_error: str | None = None
    #: the log could not be written (``log`` is None); the program is in :attr:`shrunk`
    save_error: str | None = None

    def summary(self) -> str:
        return f"{self.kind} {self.what}: {self.message}"


@dataclass
class WorkerResult:
    worker: int
    steps: int
    runs: int
    seconds: float
    coverage: Coverage
    failures: list[FoundFailure]
    corpus_added: int
    invariant_runs: dict[str, int]
    #: of ``seconds``, the time spent shrinking and saving failures (not fuzzing: the rate leaves it out)
    failure_seconds: float = 0.0


def load_invariants(items: Iterable[Any]) -> list[Invariant]:
    """The invariants, ``"module:function"`` names imported; each must take ``(rt, ledger)``."""
    out = []
    for item in items:
        fn = load_factory(item) if isinstance(item, str) else item
        if not callable(fn):
            raise TypeError(f"invariant {item!r} is not callable")
        try:
            inspect.signature(fn).bind(None, None)
        except TypeError:
            raise TypeError(f"invariant {item if isinstance(item, str) else getattr(fn, '__name__', fn)!r} must take (rt, ledger)") from None
        except ValueError:  # a builtin without a signature: its first call will say
            pass
        out.append(fn)
    return out


def build_runtime(cfg: FuzzConfig) -> Runtime:
    """The runtime the campaign fuzzes (before any fuzz step)."""
    if cfg.runtime:
        rt = load_factory(cfg.runtime)()
        if not isinstance(rt, Runtime):
            raise TypeError(f"--runtime {cfg.runtime} returned {type(rt).__name__}, not a Runtime")
        return rt
    from simulations.stateful import world

    return world.build_world({**world.GENESIS, "profile": cfg.profile})


class World:
    """The runtime being fuzzed, its starting snapshot, and what a saved log says about it."""

    def __init__(self, cfg: FuzzConfig) -> None:
        self.cfg = cfg
        self.rt = build_runtime(cfg)
        # fold the build's writes into the root before the snapshot: a snapshot carries the keys
        # written since the last root, and every run's first root would re-hash them all again
        self.rt.state_root()
        self.base = self.rt.snapshot()
        self.setup_records = len(self.rt.log_records())
        self.invariant_fns = load_invariants(cfg.invariants)
        self.base_events = list(self.rt.event_log) + list(self.rt.db.events)
        register_keyless(self.rt)
        #: what the world's own events name (every run starts from them; observed once)
        self.base_live = LiveState()
        self.base_live.observe(self.base_events)
        self._primed: Ledger | None = None
        self._primed_blob: bytes | None = None  # the primed ledger pickled, when a pickle copies it exactly
        self._primed_for: InvariantSet | None = None
        self.invariant_set = InvariantSet(self.invariant_fns)  # for execute(): shrinking runs many programs

    def primed_ledger(self, invariants: InvariantSet) -> Ledger | None:
        """A copy of what ``invariants`` remember after checking the start state (every run starts
        from the same snapshot, so the first check of every run would compute the same thing), or
        None when the start state fails them (each run then checks it and reports the failure)."""
        if self._primed_for is not invariants:
            self._primed_for = invariants
            self._primed = None
            rt = self.reset()
            ledger = Ledger()
            try:
                invariants.check(rt, ledger, None)
            except AssertionError:
                pass
            else:
                self._primed = ledger
                self._primed_blob = _pickled_copy_of(ledger)
        if self._primed is None:
            return None
        if self._primed_blob is not None:  # a copy at C speed (a deepcopy per run was ~1.5 % of a campaign)
            return pickle.loads(self._primed_blob)
        return copy.deepcopy(self._primed)

    def reset(self) -> Runtime:
        self.rt.restore(self.base)
        return self.rt

    def execute(self, program: list[Step], invariants: InvariantSet | None = None, derived: Any = None) -> tuple[Executor, Failure | None]:
        """Run ``program`` from the start; the first failure (including the end-of-run full check).
        ``derived``: see :meth:`Executor.run_all`."""
        inv = invariants or self.invariant_set
        ledger = self.primed_ledger(inv)
        rt = self.reset()
        ex = Executor(rt, inv, self.cfg.full_every, ledger=ledger)
        return ex, ex.run_all(program, prime=ledger is None, derived=derived)

    def save(self, program: list[Step], directory: Path, name: str, failure: Failure | None = None) -> tuple[Path, Path]:
        """Run ``program`` and write its call log (with the invariants and the runtime that rebuild
        it) and the program itself; returns both paths. ``failure``: the program's failure from a run
        just made on this world (see :func:`log_parts`)."""
        from simulations.stateful.core import new_log_path

        records, tail = log_parts(self, program, failure)
        path = new_log_path(directory, name)
        checks = Checks(tuple((p, source_of(fn)) for fn in self.invariant_fns if (p := factory_path(fn))),
                        f"{Ledger.__module__}:{Ledger.__qualname__}")
        source = None
        if self.cfg.runtime:
            module = self.cfg.runtime.partition(":")[0]
            fn = load_factory(self.cfg.runtime)
            source = RuntimeSource(self.cfg.runtime, source_of(fn) if module else None, self.setup_records)
        write_log(self.rt, path, checks=checks, runtime=source, records=records, tail=tail)
        program_file = path.with_name(path.stem + ".program.jsonl")
        program_file.write_text(dumps(program))
        return path, program_file


def log_parts(world: Any, program: list[Step], failure: Failure | None = None) -> tuple[int | None, list[dict[str, Any]]]:
    """Run ``program`` on ``world`` (anything with ``execute`` and ``rt``) and say what its call log
    holds: ``(records, tail)`` for :func:`runtime.calllog.write_log`. A failure an invariant's
    re-check shows needs only the records; a failing call or malformed input is cut from them and
    carried as a ``step`` line replay runs with the engine's checks, so ``tangle-sim replay`` of
    the log fails while the bug is there (the call log alone passed: a panicking call never
    entered it). Leaves ``world.rt`` in the state after the whole program (the log's end line).
    ``failure``: the program's failure from a run the caller just made on ``world`` (which left
    ``world.rt`` at the program's end), so that run is not made again."""
    if failure is None:
        _, failure = world.execute(program)
    if failing_step_record(program, failure, 0) is None:
        return None, []  # the log's invariants re-check it, or a time step failed: no step line to carry
    _, before = world.execute(program[:failure.step])  # the records and the block before the failing step
    records, block = len(world.rt.log_records()), world.rt.block_number
    record = failing_step_record(program, failure, block) if before is None else None
    world.execute(program)
    return (records, [record]) if record is not None else (None, [])


class Generator:
    """Draws steps for one run: the swarm (enabled calls and origins) is chosen per run."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        cfg = world.cfg
        rt = world.rt
        calls = rt.supported_calls()
        self.calls: list[tuple[str, str, float, Callable[[random.Random, LiveState], dict[str, Any]], bool]] = []
        for pallet in sorted(calls):
            for name in calls[pallet]:
                spec = rt.call_spec(pallet, name)
                weight = cfg.call_weights.get(f"{pallet}.{name}", 1.0) * cfg.pallet_weights.get(pallet, 1.0)
                if weight <= 0:
                    continue
                nests = any(type(c).__name__ == "RuntimeCallCodec" for c in spec.codecs)
                self.calls.append((pallet, name, weight, params_generator(spec.arg_names, spec.codecs, pallet), nests))
        self.inner = [c for c in self.calls if not c[4] and (c[0], c[1]) not in DECREES]
        self.user = [load_factory(g) if isinstance(g, str) else g for g in cfg.generators]
        self.user_cum: list[float] = []
        self.recipe_share = cfg.recipe_share
        self._draw_for: dict[int, Any] = {}  # the LiveState whose draw_call draws this generator's calls
        self.new_swarm()

    def new_swarm(self) -> None:
        rng = self.rng
        enabled = [c for c in self.calls if rng.random() < 0.6] or self.calls
        self.enabled = enabled
        self.cum = _cumulative([c[2] for c in enabled])
        origins = [(o, w) for o, w in ORIGINS if o == "signed" or rng.random() < 0.6]
        self.origins = [o for o, _ in origins]
        self.origin_cum = _cumulative([w for _, w in origins])
        self.bad_share = self.world.cfg.bad_share * (2 if rng.random() < 0.25 else 1)
        if self.user:  # swarm over recipes too: each run favours a few
            self.user_cum = _cumulative([rng.choice((0.2, 1.0, 3.0)) for _ in self.user])
        self.time_share = self.world.cfg.time_share * rng.choice((0.5, 1, 1, 2))

    def draw_call(self, rng: random.Random, live: LiveState) -> dict[str, Any]:
        pallet, name, _, gen, _ = rng.choice(self.inner)
        return {"call_module": pallet, "call_function": name, "call_args": gen(rng, live)}

    def step(self, rt: Runtime, live: LiveState) -> Step:
        rng = self.rng
        r = rng.random()
        if r < self.time_share:
            return ["wait", self._blocks(rt)]
        if self.user and rng.random() < self.recipe_share:
            make = self.user[_pick(rng, self.user_cum)] if self.user_cum else rng.choice(self.user)
            try:
                made = make(rng, rt, live)
            except Exception:  # a recipe reads state; one that cannot read this runtime's draws nothing
                made = None
            if made is not None:
                return list(made)
        cum = self.cum  # _pick, inline (one draw)
        i = bisect_right(cum, rng.random() * cum[-1])
        pallet, name, _, gen, _ = self.enabled[i if i < len(cum) else len(cum) - 1]
        if live.draw_call is not self._draw_for.get(id(live)):
            self._draw_for = {id(live): (draw := lambda rng_: self.draw_call(rng_, live))}
            live.draw_call = draw
        params = gen(rng, live)
        origin = self._origin(live)
        if origin == "root" and (pallet, name) in DECREES:
            origin = rng.choice(live.accounts)
        if rng.random() < self.bad_share:
            origin, params = hostile.mutate(rng, origin, params)
            return ["bad", origin, pallet, name, params]
        return ["call", origin, pallet, name, params]

    def _origin(self, live: LiveState) -> Any:
        rng = self.rng
        kind = self.origins[_pick(rng, self.origin_cum)]
        if kind != "signed":
            return kind
        if rng.random() < 0.4:
            # live.pick(rng, rng.choice(ROLE_FIELDS)), one draw each (see simulations.fuzz.values on _randbelow)
            pool = live.by_field.get(ROLE_FIELDS[rng._randbelow(len(ROLE_FIELDS))])
            if pool:
                hit = pool[rng._randbelow(len(pool))]
                if type(hit) is str and len(hit) == 48 and not keyless(hit):
                    return hit
        return rng.choice(live.accounts)

    def _blocks(self, rt: Runtime) -> int:
        """A time step: a block, a few, the next session or era, or a jump to the next scheduled thing."""
        rng = self.rng
        session = rt.genesis.session_length
        to_session = rt.pallets["Session"].blocks_until_next_session() if "Session" in rt.pallets else session  # type: ignore[attr-defined]
        r = rng.random()
        if r < 0.3:
            return 1
        if r < 0.5:
            return rng.randint(2, 12)
        if r < 0.7:
            return to_session
        if r < 0.8:
            return to_session + session * (rt.genesis.sessions_per_era - 1)
        services = rt.pallets.get("Services")
        if r < 0.9 and services is not None:
            now = rt.block_number
            due = [b for b in services.storage.ServiceRequestExpiresAt.values() if b >= now]  # type: ignore[attr-defined]
            if due:
                return min(due) - now + rng.randint(0, 2)
        defer = getattr(getattr(services, "consts", None), "SlashDeferDuration", 2) if services is not None else 2
        return min(to_session + session * rng.randint(0, defer + 1), 400)


def _pickled_copy_of(ledger: Ledger) -> bytes | None:
    """``ledger`` pickled, if unpickling gives an equal ledger (plain data: what the built-in
    invariants keep); None (deepcopy it) when a user's invariant keeps something a pickle cannot
    carry or copies differently."""
    try:
        blob = pickle.dumps(ledger, pickle.HIGHEST_PROTOCOL)
        return blob if pickle.loads(blob) == ledger else None
    except Exception:  # unpicklable (a lambda, a runtime) or an equality that cannot compare
        return None


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, cum: list[float]) -> int:
    i = bisect_right(cum, rng.random() * cum[-1])
    return i if i < len(cum) else len(cum) - 1


def run_worker(cfg: FuzzConfig, worker: int = 0, steps: int | None = None, progress: Callable[[dict[str, Any]], None] | None = None,
               should_stop: Callable[[], bool] | None = None, world: World | None = None,
               entries: list[list[Step]] | None = None) -> WorkerResult:
    """One worker's campaign (deterministic given ``cfg.seed`` and ``worker``): up to ``steps`` steps.
    ``world``: a :class:`World` already built from ``cfg`` (the campaign's process builds one to fail
    fast, and forked workers inherit it), else one is built; every run restores its snapshot, so
    which process built it changes nothing. ``entries``: ``cfg.corpus``'s programs as
    :meth:`Corpus.load` read them (the CLI reads them once, to count the skipped ones, and the
    workers inherit them), else they are read here."""
    started = time.monotonic()
    quota = cfg.steps if steps is None else steps
    if quota is None:  # no step limit: the time limit stops the campaign
        quota = sys.maxsize
    rng = random.Random(f"tangle-sim-fuzz:{cfg.seed}:{worker}")
    if world is None or world.cfg is not cfg:
        world = World(cfg)
    invariants = InvariantSet(world.invariant_fns)
    gen = Generator(world, rng)
    coverage = Coverage()
    corpus = Corpus(cfg.corpus) if cfg.corpus else None
    if entries is None:
        entries = corpus.load() if corpus else []
    failures: list[FoundFailure] = []
    done = runs = added = 0
    failure_seconds = 0.0
    last_report = last_save = started
    added_saved = 0
    deadline = started + cfg.time_limit if cfg.time_limit else None
    while done < quota:
        if deadline is not None and time.monotonic() > deadline:
            break
        if should_stop is not None and should_stop():
            break
        runs += 1
        ledger = world.primed_ledger(invariants)
        rt = world.reset()
        ex = Executor(rt, invariants, cfg.full_every, ledger=ledger)
        ex.transitions = True
        live = world.base_live.copy()
        gen.new_swarm()
        seed_program = mutate(rng, entries) if entries and rng.random() < 0.5 else None
        length = min(cfg.run_length, quota - done)
        program: list[Step] = []
        new = 0
        failure: Failure | None = None
        try:
            if ledger is None:
                ex.check(None, -1)  # prime the invariants' memory on the start state (and fail on it)
            for i in range(length):
                step = seed_program[i] if seed_program is not None and i < len(seed_program) else gen.step(rt, live)
                program.append(step)
                outcome = ex.run(step)
                events = ex.last_events
                if events:
                    live.observe(events)
                new += coverage.observe(step, outcome, events, ex.last_transitions)
            ex.check(None, len(program) - 1)
        except Failure as exc:
            failure = exc
        done += len(program)
        if failure is not None:
            first = next((f for f in failures if (f.kind, f.what) == failure.key), None)
            if first is not None:  # the same check again (--keep-going): a count, not another shrink and log
                first.repeats += 1
            else:
                handling = time.monotonic()
                failures.append(_handle_failure(world, program, failure, cfg, handling - started, done))
                failure_seconds += time.monotonic() - handling
                if cfg.stop_on_failure:
                    break
        elif new and corpus is not None:
            if corpus.add(program):
                added += 1
                entries.append(program)
                if len(entries) > MAX_ENTRIES_LOADED:  # a bounded working set; the rest stays on disk
                    del entries[0]
        now = time.monotonic()
        if corpus is not None and added != added_saved and now - last_save >= COVERAGE_SAVE_EVERY:
            corpus.save_coverage(coverage)  # a SIGKILLed campaign's kept entries stay counted in coverage.json
            last_save, added_saved = now, added
        if progress is not None and now - last_report > 0.5:
            last_report = now
            progress({"worker": worker, "steps": done, "features": len(coverage.features), "corpus": len(entries), "failures": len(failures)})
    if corpus is not None:
        corpus.save_coverage(coverage)
    result = WorkerResult(worker, done, runs, time.monotonic() - started, coverage, failures, added, dict(invariants.runs), failure_seconds)
    if progress is not None:
        progress({"worker": worker, "steps": done, "features": len(coverage.features), "corpus": len(entries), "failures": len(failures),
                  "done": True})
    return result


def _handle_failure(world: World, program: list[Step], failure: Failure, cfg: FuzzConfig, found_after: float, steps: int) -> FoundFailure:
    from simulations.fuzz.shrink import shrink

    program = program[:failure.step + 1]
    t = time.monotonic()
    shrink_error = None
    try:
        shrunk = shrink(world, program, failure.key, deadline=time.monotonic() + cfg.shrink_time, max_candidates=cfg.shrink_candidates)
    except Exception as exc:  # a bug of the shrinker must not lose the failure: save it unshrunk and say why
        shrunk, shrink_error = program, f"{type(exc).__name__}: {exc}"
    shrink_seconds = time.monotonic() - t
    name = f"fuzz-{failure.kind}-{failure.what.split('.')[-1]}"
    save_error = None
    # report what the saved log shows: the shrunk program fails the same check, but its message
    # (amounts, accounts, the step) is the shrunk program's, which ``tangle-sim replay`` prints
    _, again = world.execute(shrunk)
    message = again.message if again is not None and again.key == failure.key else failure.message
    try:
        log, program_file = world.save(shrunk, Path(cfg.out), name, again)
    except OSError as exc:  # an --out that went away or filled up: the failure is still reported, with its program
        log = program_file = None
        save_error = f"saving it under {cfg.out} failed: {exc.strerror or exc}"
    return FoundFailure(failure.kind, failure.what, message, program, shrunk, log, program_file, found_after, shrink_seconds, steps,
                        found_message=failure.message if message != failure.message else None, shrink_error=shrink_error,
                        save_error=save_error)


def default_workers() -> int:
    return os.cpu_count() or 1
