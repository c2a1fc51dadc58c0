"""Time cannot run past a u32 block number (Tangle's ``BlockNumber``): ``advance_blocks(2**40)`` and
``run_to_block(2**33)`` never returned (new-user finding B2); now they, and session or era counts that
would get there, are refused before any block is built, naming the call."""

from __future__ import annotations

import pytest

from runtime import Runtime


@pytest.mark.parametrize(("call", "arg", "says"), [
    ("advance_blocks", 2**40, "advance_blocks: block 1,099,511,627,777 is past the last block a u32 BlockNumber can number (4,294,967,295)"),
    ("run_to_block", 2**33, "advance_blocks: block 8,589,934,592 is past the last block"),
    ("run_to_block", "x", "run_to_block: target must be a block number (an integer), got str 'x'"),
    ("run_to_block", True, "run_to_block: target must be a block number"),
    ("run_to_block", 0, "run_to_block: target 0 is before the current block 1"),
    ("advance_sessions", 10**12, "advance_sessions: 1,000,000,000,000 would run past the last block"),
    ("advance_eras", 10**9, "advance_eras: 1,000,000,000 would run past the last block"),
    ("advance_eras", -1, "advance_eras: n must be a non-negative integer, got -1"),
    ("advance_sessions", 1.5, "advance_sessions: n must be a non-negative integer, got 1.5"),
])
def test_time_past_a_u32_block_is_refused_and_nothing_changes(call: str, arg: object, says: str) -> None:
    rt = Runtime.dev()
    root, block = rt.state_root(), rt.block_number
    with pytest.raises(ValueError) as info:
        getattr(rt, call)(arg)
    assert says in str(info.value)
    assert rt.state_root() == root and rt.block_number == block


def test_long_idle_runs_keep_a_bounded_block_hash_memo() -> None:
    """A million idle blocks remember a bounded number of block hashes (the memo grew by one
    entry per block: a run to block 4e9 ran out of memory)."""
    from runtime import GenesisConfig
    from runtime.runtime import _BLOCK_HASH_CACHE

    rt = Runtime(GenesisConfig.dev(session_length=10**7))
    rt.run_to_block(1_000_000)
    assert len(rt._block_hash_cache) <= _BLOCK_HASH_CACHE
    assert rt.block_hash(999_999) == Runtime(GenesisConfig.dev(session_length=10**7)).block_hash(999_999)
