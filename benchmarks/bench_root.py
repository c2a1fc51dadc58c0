"""A block's state root and transfers at 10^3 and 10^6 accounts, side by side (issue 18).

Prints numbers, asserts nothing. Both runtimes are built first and then measured in alternation
(block by block, chunk by chunk) in one process, so the machine's load falls on both alike; each
figure is a median over the rounds with its spread (min-max), in wall and CPU (process) time: on a
shared 2-core machine the CPU time is the steadier of the two.

Run: python benchmarks/bench_root.py [rounds]   (default 15)
Targets: a block's root (1,000 transfers) < 5 ms at 10^6 accounts; transfers at 10^6 >= 0.8 x the
rate at 10^3.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from typing import Any, Callable

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_scale import funded  # noqa: E402  (same accounts and genesis as bench_scale's root section)

from runtime import UNIT  # noqa: E402
from runtime.accounts import normalize_account  # noqa: E402

SIZES = (1_000, 1_000_000)


def both(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(xs: list[float], scale: float, unit: str) -> str:
    ys = sorted(x * scale for x in xs)
    return f"{statistics.median(ys):8.2f} {unit} ({ys[0]:.2f}-{ys[-1]:.2f})"


def main(rounds: int) -> None:
    setups = {}
    for n in SIZES:
        rt, accts = funded(n)
        for a in accts:  # accounts enter a simulation through genesis or derive_account, both normalise
            normalize_account(a)
        cold = both(rt.state_root)
        setups[n] = (rt, accts, random.Random(n))
        print(f"{n:>9,} accounts loaded; first (cold) root {cold[0]:.2f} s wall, {cold[1]:.2f} s CPU")
    gc.collect()
    gc.freeze()  # the loaded state is permanent: keep the collector from walking it (as a long run would)

    roots: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    singles: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    rates: dict[int, list[tuple[float, float]]] = {n: [] for n in SIZES}
    calls = 2_000
    for _ in range(rounds):
        for n in SIZES:
            rt, accts, rng = setups[n]
            # a block of 1,000 transfers between random funded accounts, then its root
            rt.advance_blocks(1)
            rt.state_root()
            for _ in range(1_000):
                rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": rng.choice(accts), "value": UNIT})
            roots[n].append(both(rt.state_root))
            rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": rng.choice(accts), "value": UNIT})
            singles[n].append(both(rt.state_root))
            # transfer throughput: random senders and receivers, blocks of 1,000 calls, no roots
            pairs = [(rng.choice(accts), {"dest": rng.choice(accts), "value": UNIT}) for _ in range(calls)]
            dispatch = rt.dispatch

            def run() -> None:
                for i, (who, params) in enumerate(pairs):
                    dispatch(who, "Balances", "transfer_keep_alive", params)
                    if i % 1_000 == 999:
                        rt.advance_blocks(1)

            wall, cpu = both(run)
            rates[n].append((calls / wall, calls / cpu))
            rt.state_root()
    gc.unfreeze()

    print(f"\n{rounds} alternated rounds; median (min-max)")
    print("accounts    block root (1,000 transfers)        root after 1 transfer            transfers/s")
    for kind, pick in (("wall", 0), ("CPU ", 1)):
        for n in SIZES:
            print(f"{n:>9,} {kind} {summary([r[pick] for r in roots[n]], 1e3, 'ms')}   {summary([r[pick] for r in singles[n]], 1e3, 'ms')}"
                  f"   {statistics.median(r[pick] for r in rates[n]):>9,.0f}")
    for kind, pick in (("wall", 0), ("CPU", 1)):
        ratios = [big[pick] / small[pick] for small, big in zip(rates[SIZES[0]], rates[SIZES[1]])]
        print(f"transfers at 10^6 / at 10^3 ({kind}, per round): median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
    print("(targets: block root < 5 ms at 10^6; transfers ratio >= 0.8)")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="A block's state root and transfers at 10^3 and 10^6 accounts. Prints numbers (no assertions).")
    parser.add_argument("rounds", nargs="?", type=int, default=15, help="alternated rounds per figure (default 15)")
    main(parser.parse_args().rounds)
