"""A vote nested 10^5 deep (found by the real-profile fuzz campaign): a clear error naming the field,
in bounded time and size, nothing changed (the message used to ``repr()`` the value: RecursionError)."""

from __future__ import annotations

import pytest

from runtime import Runtime


def test_a_deeply_nested_vote_is_refused_by_name() -> None:
    rt = Runtime.dev()
    deep: dict = {}
    inner = deep
    for _ in range(100_000):
        inner["aye"] = {}
        inner = inner["aye"]
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(ValueError) as exc:
        rt.dispatch("Bob", "Democracy", "vote", {"ref_index": 0, "vote": {"Standard": {"vote": deep, "balance": 0}}})
    message = str(exc.value)
    assert message.startswith("Democracy.vote.vote") and "aye" in message and len(message) < 1_000
    assert rt.state_root() == root and len(rt.events) == n
