"""The shrinker brings an integer down to its least failing value (binary search once halving
stops) and keeps job call ids consistent when it drops an earlier job call."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.shrink import shrink
from simulations.stateful import world as kit
from simulations.stateful.invariants import ALL_INVARIANTS, new_events

sys.path.insert(0, str(Path(__file__).parent))

BOB = kit.SETUP_OPERATORS[0]


def no_big_arguments(rt: Any, ledger: Any) -> None:
    """A planted 'bug' with a boundary: a job called with an argument of 2^32 or more."""
    for ev in new_events(rt, ledger, "no_big_arguments"):
        if ev.name == "Services.JobCalled":
            assert ev["args"][0].value < 2**32, f"argument {ev['args'][0].value} >= 2^32"


def _squaring_world(extra: Any) -> World:
    return World(FuzzConfig(runtime="worlds:squaring_world", invariants=[*ALL_INVARIANTS, extra]))


def test_an_integer_is_searched_down_to_its_least_failing_value() -> None:
    """Halving 2^64 - 1 stops at 2^33 - 1 (its half passes); the binary search finds 2^32."""
    world = _squaring_world(no_big_arguments)
    program = [["call", "Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 2**64 - 1}]}]]
    _, failure = world.execute(program)
    assert failure is not None and failure.key == ("invariant", "no_big_arguments")
    best = shrink(world, program, failure.key, deadline=time.monotonic() + 60, max_candidates=400)
    assert best == [["call", "Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 2**32}]}]]


def test_a_dropped_job_call_renumbers_the_later_ones_and_their_results_follow() -> None:
    """A job call on another service (the kit's service 0) took call id 0 of the one counter; once
    it is dropped the failing call gets 0, and the wrong result naming call 1 is rewritten to it, so
    the unrelated call goes. (Simplifying call_id 1 to 0 alone names no call of service 1 while the
    other call is there: both changes at once were needed, and the shrinker kept the unrelated call.)"""
    from worlds import results_are_squares

    world = _squaring_world(results_are_squares)
    program = [["call", "Eve", "Services", "call", {"service_id": 0, "job": 0, "args": [{"Uint8": 3}]}],
               ["call", "Eve", "Services", "call", {"service_id": 1, "job": 0, "args": [{"Uint64": 5}]}],
               ["call", BOB, "Services", "submit_result", {"service_id": 1, "call_id": 1, "result": [{"Uint64": 26}]}]]
    _, failure = world.execute(program)
    assert failure is not None and failure.key == ("invariant", "results_are_squares")
    best = shrink(world, program, failure.key, deadline=time.monotonic() + 60, max_candidates=400)
    assert [(s[3], s[4].get("call_id")) for s in best] == [("call", None), ("submit_result", 0)], best
    _, again = world.execute(best)  # the shrunk program reproduces on its own, no rewriting
    assert again is not None and again.key == failure.key


def test_a_drawn_non_ascii_character_is_tried_as_a_plain_letter() -> None:
    from simulations.fuzz.shrink import _simplifications

    params = {"args": [{"String": "\U0003e43bR"}, {"String": "\U0003e43b"}, {"String": "k"}]}
    assert {"args": [{"String": "\U0003e43bR"}, {"String": "a"}, {"String": "k"}]} in list(_simplifications(params))
    assert not any(c["args"][2] != {"String": "k"} for c in _simplifications(params) if len(c["args"]) == 3)  # 'k' is plain already
