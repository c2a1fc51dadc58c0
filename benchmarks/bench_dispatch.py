"""Dispatch throughput, rollback cost and snapshot cost vs state size. Prints numbers (no assertions).

Run: python benchmarks/bench_dispatch.py
Targets (issue 2): >= 50,000 balance transfers/s through dispatch; snapshot of 100,000 accounts < 10 ms.
"""

from __future__ import annotations

import time

from runtime import Runtime
from pallets.system.types import AccountInfo


def rate(n: int, fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn(n)
    return n / (time.perf_counter() - started)


def transfers(n: int) -> float:
    rt = Runtime.dev()
    params = {"dest": "Bob", "value": 1}
    dispatch = rt.dispatch

    def go(k: int) -> None:
        for _ in range(k):
            dispatch("Alice", "Balances", "transfer_keep_alive", params)

    return rate(n, go)


def failed_transfers(n: int) -> float:
    rt = Runtime.dev()
    params = {"dest": "Bob", "value": 10**30}
    dispatch = rt.dispatch

    def go(k: int) -> None:
        for _ in range(k):
            dispatch("Alice", "Balances", "transfer_keep_alive", params, raise_error=False)

    return rate(n, go)


def snapshot_cost(accounts: int) -> tuple[float, float, float]:
    rt = Runtime.dev()
    rt.pallets["System"].storage.Account.load((f"acct{i:07d}", AccountInfo(providers=1, free=10**18 + i)) for i in range(accounts))
    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        snap = rt.snapshot()
    snap_ms = (time.perf_counter() - started) / runs * 1e3
    started = time.perf_counter()
    for _ in range(runs):
        rt.restore(snap)
    restore_ms = (time.perf_counter() - started) / runs * 1e3
    started = time.perf_counter()
    rt.state_root()
    root_ms = (time.perf_counter() - started) * 1e3
    return snap_ms, restore_ms, root_ms


def main() -> None:
    print(f"balance transfers through dispatch: {transfers(100_000):>10,.0f} /s   (target >= 50,000/s)")
    print(f"failed calls rolled back:           {failed_transfers(100_000):>10,.0f} /s")
    print("snapshot cost vs state size (ms):   accounts    snapshot    restore   state_root(cold)")
    for n in (1_000, 10_000, 100_000):
        snap, restore, root = snapshot_cost(n)
        print(f"                                    {n:>8,}   {snap:>8.2f}   {restore:>8.2f}   {root:>10.1f}")
    print("(target: snapshot of 100,000 accounts < 10 ms)")


if __name__ == "__main__":
    main()
