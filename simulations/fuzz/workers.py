"""A campaign on several cores: one process per worker, each with its own seed stream.

Worker ``i`` of a campaign with seed ``s`` draws from ``Random("tangle-sim-fuzz:s:i")`` and runs its
share of the steps (``steps // workers``, the first ones one more), so given ``(seed, workers)`` every
worker's run is reproducible; the corpus on disk is read at start and only added to, never re-read
during the campaign. Workers are daemon processes the kernel kills with their parent
(``prctl(PR_SET_PDEATHSIG)``, :mod:`simulations.workers`), with a watchdog thread besides, so none
outlives the campaign (even when the parent is killed with SIGKILL). The parent prints one progress line (steps/s,
coverage, corpus size, failures) and stops everyone at the first failure unless told to keep going.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from simulations.fuzz.coverage import Coverage
from simulations.fuzz.engine import FoundFailure, FuzzConfig, WorkerResult, World, run_worker
from simulations.workers import init_worker, process_start_time


@dataclass
class CampaignResult:
    config: FuzzConfig
    workers: list[WorkerResult] = field(default_factory=list)
    seconds: float = 0.0
    #: stopped by Ctrl-C (SIGINT): every worker finished the run it was in, so the figures, the
    #: failures and the corpus are those of the steps done
    interrupted: bool = False

    @property
    def steps(self) -> int:
        return sum(w.steps for w in self.workers)

    @property
    def failures(self) -> list[FoundFailure]:
        """One per distinct failure (kind and invariant, or call that panicked), the lowest worker's:
        another worker's find of the same check is folded into it as repeats, its log in
        ``other_logs`` (``--keep-going`` reported one bug ten times as ten failures)."""
        out: dict[tuple[str, str], FoundFailure] = {}
        for w in sorted(self.workers, key=lambda w: w.worker):
            for f in w.failures:
                first = out.get((f.kind, f.what))
                if first is None:
                    out[(f.kind, f.what)] = dataclasses.replace(f, other_logs=list(f.other_logs))
                else:
                    first.repeats += 1 + f.repeats
                    first.other_logs += [log for log in (f.log, *f.other_logs) if log is not None]
        return list(out.values())

    @property
    def saved(self) -> int:
        """Failures shrunk and saved, every worker's (each worker saves the first of each kind it finds)."""
        return sum(len(w.failures) for w in self.workers)

    @property
    def fuzz_seconds(self) -> float:
        """Seconds spent fuzzing: the longest worker's time less what it spent shrinking and saving
        failures (a rate over the whole time made a campaign that found a bug early look slow)."""
        return max((w.seconds - w.failure_seconds for w in self.workers), default=0.0)

    @property
    def shrink_seconds(self) -> float:
        """Seconds spent shrinking and saving failures, every worker's together."""
        return sum(w.failure_seconds for w in self.workers)

    @property
    def coverage(self) -> Coverage:
        out = Coverage()
        for w in self.workers:
            out.merge(w.coverage)
        return out


def _share(steps: int | None, workers: int, i: int) -> int | None:
    """Worker ``i``'s share of the campaign's steps (None: no step limit, every worker runs to the time limit)."""
    if steps is None:
        return None
    return steps // workers + (1 if i < steps % workers else 0)


def _worker_main(cfg: FuzzConfig, i: int, steps: int, out: Any, stop: Any, parent: int, parent_start: str | None = None,
                 world: World | None = None, entries: list[Any] | None = None) -> None:
    # the kernel kills this worker when the campaign's process dies (SIGKILL, SIGTERM's default
    # exit), and a watchdog thread does if it cannot: a result put on a queue nobody reads would
    # otherwise block this process at exit, for ever (new-user finding B1). SIGINT is the parent's.
    init_worker(parent, parent_start, parent)

    def orphaned() -> bool:
        return os.getppid() != parent or stop.is_set()

    def progress(info: dict[str, Any]) -> None:
        out.put(("progress", info))

    try:
        result = run_worker(cfg, i, steps, progress=progress, should_stop=orphaned, world=world, entries=entries)
        out.put(("result", result))
    except BaseException as exc:  # report, never hang the parent
        out.put(("error", (i, f"{type(exc).__name__}: {exc}")))


def fuzz(cfg: FuzzConfig, progress: Callable[[str], None] | None = None, world: World | None = None,
         entries: list[Any] | None = None) -> CampaignResult:
    """Run a campaign (``cfg.workers`` processes; 1 runs in this process). ``world``: one already
    built from ``cfg`` (forked workers inherit it instead of each building their own); ``entries``:
    the corpus's programs already loaded (likewise: 2,000 entries take ~3 s to read)."""
    started = time.monotonic()
    result = CampaignResult(cfg)
    if cfg.workers <= 1:
        def line(info: dict[str, Any]) -> None:
            if progress is not None:
                progress(_line(info["steps"], time.monotonic() - started, info["features"], info["corpus"], info["failures"]))
        with _first_interrupt_stops() as interrupted:
            result.workers.append(run_worker(cfg, 0, cfg.steps, progress=line, should_stop=lambda: interrupted[0], world=world, entries=entries))
        result.interrupted = interrupted[0]
        result.seconds = time.monotonic() - started
        return result
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    stop = ctx.Event()
    procs = []
    me = os.getpid()
    me_start = process_start_time(me)
    for i in range(cfg.workers):
        p = ctx.Process(target=_worker_main, args=(cfg, i, _share(cfg.steps, cfg.workers, i), out, stop, me, me_start, world, entries), daemon=True)
        p.start()
        procs.append(p)
    status: dict[int, dict[str, Any]] = {}
    pending = set(range(cfg.workers))
    errors: list[str] = []

    def handle(kind: str, payload: Any) -> None:
        if kind == "progress":
            status[payload["worker"]] = payload
            if progress is not None:
                steps = sum(s["steps"] for s in status.values())
                progress(_line(steps, time.monotonic() - started, max(s["features"] for s in status.values()),
                               max(s["corpus"] for s in status.values()), sum(s["failures"] for s in status.values())))
        elif kind == "result":
            result.workers.append(payload)
            pending.discard(payload.worker)
            if payload.failures and cfg.stop_on_failure:
                stop.set()
        else:
            errors.append(f"worker {payload[0]}: {payload[1]}")
            pending.discard(payload[0])
            stop.set()

    try:
        while pending:
            try:
                kind, payload = out.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in procs):
                    break
                continue
            except KeyboardInterrupt:
                if result.interrupted:  # a second Ctrl-C: stop waiting (the workers are stopped below)
                    raise
                result.interrupted = True  # the first: every worker ends the run it is in and reports
                stop.set()
                continue
            handle(kind, payload)
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join()
    # what the workers put on the queue just before they ended, then those that ended without a word
    # (killed, out of memory): their steps and any failure they found are lost, so the campaign
    # cannot say "no failure"
    while pending:
        try:
            handle(*out.get_nowait())
        except queue.Empty:
            break
    for i in sorted(pending):
        errors.append(f"worker {i} ended without a result (exit code {procs[i].exitcode})")
    if errors:
        raise RuntimeError("; ".join(errors))
    result.workers.sort(key=lambda w: w.worker)
    result.seconds = time.monotonic() - started
    return result


def _line(steps: int, seconds: float, features: int, corpus: int, failures: int) -> str:
    rate = steps / seconds if seconds > 0 else 0.0
    return f"{steps:,} steps  {rate:,.0f} steps/s  {features:,} features  corpus {corpus:,}  failures {failures}"


@contextlib.contextmanager
def _first_interrupt_stops() -> Iterator[list[bool]]:
    """In the main thread, the first Ctrl-C (SIGINT) sets the flag it yields instead of raising, so
    an in-process worker ends the run it is in and the campaign reports what it did; a second one
    raises as usual. Elsewhere (no signal handlers there) the flag is never set."""
    flag = [False]
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def first(signum: int, frame: Any) -> None:
        flag[0] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, first)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
