"""Process-level performance settings the simulator applies for itself.

Large simulations keep millions of immutable objects alive (storage values, events, the call log).
With CPython's default garbage-collector thresholds (700, 10, 10) the collector then runs full
passes over that heap every few tens of thousands of calls and finds nothing to free: it halved
delegate throughput at 100,000 delegations. The simulator's values hold no reference cycles, so
collecting less often costs almost no memory. ``tune_gc`` raises the thresholds once, and only if
they are still CPython's defaults (a program that chose its own keeps them);
``TANGLE_SIM_DEFAULT_GC=1`` turns it off.
"""

from __future__ import annotations

import gc
import os

CPYTHON_DEFAULT = (700, 10, 10)
SIMULATOR_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> bool:
    """Raise the GC thresholds for simulation workloads; returns True if it changed them."""
    if os.environ.get("TANGLE_SIM_DEFAULT_GC") == "1":
        return False
    if gc.get_threshold() != CPYTHON_DEFAULT:
        return False
    gc.set_threshold(*SIMULATOR_THRESHOLDS)
    return True


#: ``madvise`` advice values (Linux): back a range with transparent huge pages, and (Linux >= 6.1)
#: do it now, synchronously, for the pages already there
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25
_HUGE = 2 << 20  # x86-64 / arm64 transparent huge page size


def huge_pages() -> int:
    """Move the process's anonymous heap (Python's object arenas, the big dict and set tables)
    onto 2 MiB transparent huge pages; returns the bytes collapsed (0 where unsupported).

    Why: a million accounts spread each transfer's reads (the SS58 set's slot, the account map's
    index slot and entry, the record, its ``free`` int) over a ~1 GB heap. With 4 KiB pages each is
    also a TLB miss, and on a virtual machine a TLB miss walks two page tables (guest and host):
    often dearer than the cache miss itself. With 2 MiB pages the TLB covers the whole heap.
    CPython asks for no huge pages and most systems only give them on request (THP "madvise"), so
    a long simulation can ask once its genesis is loaded (as it would ``gc.freeze()`` it): memory
    allocated later is covered where it falls in an advised mapping. Changes no value, order or
    result; costs about a second per GB and may round RSS up to whole 2 MiB pages.
    Linux only (``madvise`` through ctypes); elsewhere, or with THP disabled, it does nothing."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    collapsed = 0
    try:
        with open("/proc/self/maps") as maps:
            regions = [line.split() for line in maps]
    except OSError:
        return 0
    for fields in regions:
        perms = fields[1]
        name = fields[5] if len(fields) > 5 else ""
        if perms[:2] != "rw" or perms[3] != "p" or name not in ("", "[heap]"):
            continue  # only private anonymous memory: not files, the stack or shared mappings
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        lo, hi = (lo + _HUGE - 1) & ~(_HUGE - 1), hi & ~(_HUGE - 1)
        if hi <= lo:
            continue
        madvise(lo, hi - lo, _MADV_HUGEPAGE)
        if madvise(lo, hi - lo, _MADV_COLLAPSE) == 0:
            collapsed += hi - lo
    return collapsed
