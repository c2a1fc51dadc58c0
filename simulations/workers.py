"""Worker processes that never outlive the process that started them, and who owns a run.

A sweep's pool workers must not keep running (and holding the store open) when the parent is
killed with SIGKILL, which no ``finally`` or ``atexit`` sees. Two independent guards, installed by
the pool initializer in every worker:

* ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (Linux, via ctypes): the kernel kills the worker when its
  parent dies. Checked right after it is set, since the parent may already be gone.
* a daemon watchdog thread that polls whether the *owner* process (the pid that built the pool, with
  its start time so a recycled pid does not count) is still alive, and ``os._exit``s otherwise:
  covers systems without prctl and start methods where the worker's parent is not the owner
  (forkserver).

``process_identity()`` names a process as ``host:pid:start``; the store keeps it as a run's
``owner``, and :func:`owner_alive` tells a run left "running" by a dead process from a live one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import socket
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterator

PR_SET_PDEATHSIG = 1
WATCHDOG_SECONDS = 0.5


def process_start_time(pid: int) -> str | None:
    """The process start time in clock ticks since boot (field 22 of /proc/PID/stat), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # the command name (field 2) may contain spaces and parentheses: split after the last ')'
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def process_identity(pid: int | None = None) -> str:
    """``host:pid:start`` of a process (default: this one)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{process_start_time(pid) or '?'}"


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether ``pid`` runs (and, if ``start`` is known, is the same process, not a recycled pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if _is_zombie(pid):
        return False
    if start and start != "?":
        now = process_start_time(pid)
        if now is not None and now != start:
            return False
    return True


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return False
    rest = stat[stat.rfind(")") + 2:].split()
    return bool(rest) and rest[0] in ("Z", "X")


def owner_alive(owner: str) -> bool | None:
    """True / False for an owner on this host; None when it is on another host (cannot tell) or
    the identity is unreadable. An empty owner (a store from before owners were kept) is dead."""
    if not owner:
        return False
    host, _, rest = owner.rpartition(":")
    host, _, pid_text = host.rpartition(":")
    start = rest
    try:
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname():
        return None
    return pid_alive(pid, start)


# ---------------------------------------------------------------------------------------- workers
def _set_pdeathsig() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watchdog(owner_pid: int, owner_start: str | None) -> None:
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if not pid_alive(owner_pid, owner_start):
            os._exit(70)


def init_worker(owner_pid: int, owner_start: str | None, parent_pid: int) -> None:
    """Pool initializer: die with the parent (prctl), and with the owner (watchdog thread).
    SIGINT is left to the parent (Ctrl-C stops the sweep there, which then ends the workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _set_pdeathsig()
    if os.getppid() != parent_pid or not pid_alive(owner_pid, owner_start):
        os._exit(70)  # the parent died before prctl took effect
    threading.Thread(target=_watchdog, args=(owner_pid, owner_start), name="owner-watchdog", daemon=True).start()


@contextlib.contextmanager
def guarded_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process. Leaving the block normally waits for
    the workers; leaving it with an exception (Ctrl-C, SIGTERM turned into SystemExit, a failed
    task) cancels what is queued and kills the workers instead of letting them finish it."""
    me = os.getpid()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=init_worker, initargs=(me, process_start_time(me), me))
    try:
        yield pool
    except BaseException:
        kill_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and SIGKILL the pool's processes (they hold no state worth saving:
    results are stored by the parent)."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)


def submit_all(pool: ProcessPoolExecutor, fn: Callable[..., Any], items: list[Any], *args: Any) -> dict[Future, int]:
    """``{future: position}`` for ``fn(item, *args)`` over ``items``."""
    return {pool.submit(fn, item, *args): i for i, item in enumerate(items)}


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc walk), for tests and diagnostics."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read().decode("ascii", "replace")
            except OSError:
                continue
            rest = stat[stat.rfind(")") + 2:].split()
            if len(rest) > 1 and rest[0] not in ("Z", "X"):
                parents[int(entry)] = int(rest[1])
    out: list[int] = []
    frontier = [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out += kids
        frontier += kids
    return sorted(out)
