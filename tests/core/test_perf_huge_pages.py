"""``runtime.perf.huge_pages``: the heap moves onto 2 MiB pages where Linux offers them (a TLB
miss per random read of a million-account state is what it saves), and nothing a user reads changes."""

from __future__ import annotations

import os
import sys

import pytest

from runtime import UNIT, Runtime
from runtime.perf import huge_pages


def _anon_huge_kib() -> int:
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1])
    return 0


def _thp_available() -> bool:
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


def test_huge_pages_changes_no_state() -> None:
    rt = Runtime.dev()
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT})
    root, events = rt.state_root(), [repr(e) for e in rt.db.events]
    moved = huge_pages()
    assert isinstance(moved, int) and moved >= 0 and moved % (2 << 20) == 0
    assert rt.state_root() == root and [repr(e) for e in rt.db.events] == events
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": UNIT})
    assert rt.state_root() != root


@pytest.mark.skipif(not sys.platform.startswith("linux") or not os.path.exists("/proc/self/smaps_rollup") or not _thp_available(),
                    reason="transparent huge pages: Linux with THP not 'never'")
def test_huge_pages_backs_a_large_heap_with_huge_pages() -> None:
    ballast = [(i, i + 1) for i in range(400_000)]  # ~40 MB of tuples in Python's arenas
    moved = huge_pages()
    if moved == 0:
        pytest.skip("the kernel refused MADV_COLLAPSE (older than 6.1, or no huge page free)")
    assert _anon_huge_kib() * 1024 >= 2 << 20
    assert ballast[123_456] == (123_456, 123_457)
