"""Cache misses per transfer at 10^3 and 10^6 accounts, counted (not timed) with valgrind's
callgrind cache simulator, and per structure a transfer touches. Prints numbers, asserts nothing.

Run: python benchmarks/bench_misses.py [N ...]   (default: 1000 1000000; about 5 minutes at 10^6)
Needs valgrind with its headers (valgrind/callgrind.h) and a C compiler: a 5-line library
switches the simulator on after the accounts are loaded and counts only the measured loops.

Why count: on a shared 2-core VM a timed ratio moves by +-0.1 from run to run, and a timer cannot
say which structure the time went to. The simulated caches are this machine's (D1 48 KiB 12-way,
LL = the 32 MiB L3, 16-way; ``--ll BYTES`` to change). The simulator has no TLB: at 10^6 accounts
on 4 KiB pages nearly every last-level miss is also a TLB miss, which it does not count.

Columns, per transfer (or per pair of accounts for the per-structure rows): instructions, D1
misses, last-level read misses (LLr: a random line of the big maps) and write misses (LLw: the
first write to a line not in cache, which is also how a reference-count increment of a cold
object shows, and fresh memory the run keeps: new records, events, the call log).
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODES = ("empty", "acc_get", "acc_get_free", "to_origin+normalize", "transfer")
WHAT = {
    "empty": "loop over the pairs alone",
    "acc_get": "System.Account._d.get of both accounts",
    "acc_get_free": "... and each record's free",
    "to_origin+normalize": "to_origin(sender), normalize_account(dest)",
    "transfer": "dispatch Balances.transfer_keep_alive",
}
CHUNK = 1_000  # calls per block, as bench_scale.py transfers
WARM, MEASURED = 2, 2  # blocks per mode (the simulated caches start cold)
_LIB_C = """#include <valgrind/callgrind.h>
void cg_start(void){ CALLGRIND_START_INSTRUMENTATION; }
void cg_toggle(void){ CALLGRIND_TOGGLE_COLLECT; }
void cg_zero(void){ CALLGRIND_ZERO_STATS; }
void cg_dump(void){ CALLGRIND_DUMP_STATS; }
"""


def child(n: int, addr_file: str, lib: str) -> None:
    """Runs under valgrind: loads n funded accounts, then per mode warms up and measures."""
    from runtime import UNIT, Runtime
    from runtime.accounts import normalize_account
    from runtime.origin import to_origin
    from pallets.system.types import AccountInfo

    cg = ctypes.CDLL(lib)
    with open(addr_file, "rb") as f:
        accts = pickle.load(f)
    rt = Runtime.dev()
    acc = rt.pallets["System"].storage.Account
    acc.load((a, AccountInfo(providers=1, free=1_000 * UNIT)) for a in accts)
    for a in accts:  # as bench_scale.py: accounts enter through genesis or derive_account, both normalise
        normalize_account(a)
    gc.collect()
    gc.freeze()
    rng = random.Random(n)
    cg.cg_start()

    def block(mode: str, measure: bool) -> None:
        pairs = [(rng.choice(accts), {"dest": rng.choice(accts), "value": UNIT}) for _ in range(CHUNK)]
        dispatch, get = rt.dispatch, acc._d.get
        if measure:
            cg.cg_toggle()
        if mode == "transfer":
            for who, params in pairs:
                dispatch(who, "Balances", "transfer_keep_alive", params)
        elif mode == "to_origin+normalize":
            for who, params in pairs:
                to_origin(who)
                normalize_account(params["dest"])
        elif mode == "acc_get_free":
            for who, params in pairs:
                get(who).free
                get(params["dest"]).free
        elif mode == "acc_get":
            for who, params in pairs:
                get(who)
                get(params["dest"])
        else:
            for who, params in pairs:
                params["dest"]
        if measure:
            cg.cg_toggle()
        rt.advance_blocks(1)

    for mode in MODES:
        for _ in range(WARM):
            block(mode, False)
        cg.cg_zero()
        for _ in range(MEASURED):
            block(mode, True)
        cg.cg_dump()


def _totals(path: str) -> dict[str, int]:
    events: list[str] = []
    totals: list[int] = []
    with open(path) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                totals = [int(x) for x in line.split()[1:]]
    return dict(zip(events, totals + [0] * (len(events) - len(totals))))


def main(argv: list[str]) -> None:
    ll = 32 << 20
    if "--ll" in argv:
        i = argv.index("--ll")
        ll = int(argv[i + 1])
        del argv[i : i + 2]
    sizes = [int(a) for a in argv] or [1_000, 1_000_000]
    from benchmarks.bench_scale import addresses

    work = tempfile.mkdtemp(prefix="bench_misses_")
    lib = os.path.join(work, "libcg.so")
    with open(os.path.join(work, "cg.c"), "w") as f:
        f.write(_LIB_C)
    try:
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", lib, os.path.join(work, "cg.c")], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"bench_misses needs a C compiler and valgrind's headers (valgrind/callgrind.h): {exc}") from None
    print(f"callgrind cache simulation: D1 48 KiB 12-way, LL {ll >> 20} MiB 16-way, 64 B lines; {MEASURED} blocks of {CHUNK:,} per row")
    print(f"{'accounts':>10}  {'row':<22} {'Ir':>8} {'D1 miss':>8} {'LLr':>6} {'LLw':>6}   what")
    for n in sizes:
        addr_file = os.path.join(work, f"addr{n}.pkl")
        with open(addr_file, "wb") as f:
            pickle.dump(addresses(n), f)
        out = os.path.join(work, f"cg{n}")
        cmd = ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--D1=49152,12,64", "--I1=32768,8,64", f"--LL={ll},16,64",
               "--instr-atstart=no", "--collect-atstart=no", f"--callgrind-out-file={out}.%p",
               os.path.realpath(sys.executable), os.path.abspath(__file__), "--child", str(n), addr_file, lib]
        run = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})
        if run.returncode:
            raise SystemExit(f"valgrind failed ({run.returncode}):\n{run.stderr[-2000:]}")
        dumps = sorted((f for f in os.listdir(work) if f.startswith(f"cg{n}.") and f.count(".") == 2), key=lambda f: int(f.rsplit(".", 1)[1]))
        for mode, dump in zip(MODES, dumps):
            t = _totals(os.path.join(work, dump))
            per = MEASURED * CHUNK
            print(f"{n:>10,}  {mode:<22} {t.get('Ir', 0) / per:>8,.0f} {(t.get('D1mr', 0) + t.get('D1mw', 0)) / per:>8.1f}"
                  f" {t.get('DLmr', 0) / per:>6.2f} {t.get('DLmw', 0) / per:>6.2f}   {WHAT[mode]}")
    print(f"(callgrind files in {work})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main(sys.argv[1:])
