"""What an example takes from the ones before it instead of redoing it (simulations/stateful/core.py,
selection.py): the class's invariant set, the primed ledger of the starting world, the live state
the world's events gave ``fuzz_any_call``, and the seeded steps' generator. Each must behave as if
the example had done the work itself, and nothing an example changes may reach the next."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from simulations.fuzz.values import LiveState, register_keyless
from simulations.stateful import RuntimeMachine, world
from simulations.stateful.core import _new_events, forget_worlds
from simulations.stateful.invariants import token_conservation
from simulations.stateful.selection import SeededChoices, compile_strategy

FAST = settings(max_examples=5, stateful_step_count=5, deadline=None, derandomize=True, database=None)


class Plain(RuntimeMachine):
    rule_weights = {"nothing": 400}

    @rule()
    def nothing(self) -> None:
        pass


def _check(machine: RuntimeMachine) -> None:
    machine.check_invariants(FAST, lambda s: None, Counter())


def _live_contents(live: LiveState) -> tuple[Any, ...]:
    return ({name: list(pool) for name, pool in live.by_field.items()}, list(live.accounts), list(live.ints))


def test_a_reseeded_generator_draws_what_a_fresh_one_would() -> None:
    drawer = compile_strategy(st.one_of(st.integers(0, 10**24), st.integers(3, 9), st.booleans(), st.sampled_from("abc")))
    shared = random.Random()
    for seed in range(200):
        new = SeededChoices(seed)
        fresh = [drawer(new, None) for _ in range(5)]
        # the shared generator has drawn other seeds' values before: re-seeding must forget them
        reseeded = SeededChoices(seed, None, shared)
        assert [drawer(reseeded, None) for _ in range(5)] == fresh
    # a small range draws what random.Random(seed).randint did (the kit's examples stay the same)
    for seed in range(50):
        assert SeededChoices(seed, None, shared).draw_integer(0, 100) == random.Random(seed).randint(0, 100)


def test_every_example_counts_its_own_invariant_runs_and_changed_checks_get_their_own_set() -> None:
    forget_worlds()
    first = Plain()
    _check(first)
    assert all(first.invariant_set.runs.values())
    first.teardown()
    second = Plain()
    assert set(second.invariant_set.runs) == set(first.invariant_set.runs) and not any(second.invariant_set.runs.values())
    assert second.invariant_set.invariants is not first.invariant_set.invariants
    second.teardown()

    class OnlyTokens(Plain):
        checks = [token_conservation]

    only = OnlyTokens()
    assert list(only.invariant_set.runs) == ["token_conservation"]
    only.teardown()
    OnlyTokens.checks = [token_conservation, *RuntimeMachine.checks[1:3]]
    changed = OnlyTokens()
    assert len(changed.invariant_set.runs) == 3  # the class's checks changed: a new set, not the cached one
    changed.teardown()


def test_the_primed_ledger_is_copied_into_each_example_and_what_one_example_notes_stays_there() -> None:
    forget_worlds()
    built = Plain()
    _check(built)  # the first check of the starting world: full, and it primes the class's ledger
    primed_cursors = dict(built.ledger.cursors)
    built.teardown()

    second = Plain()
    _check(second)
    assert second.checks_run == 1 and second.ledger.cursors == primed_cursors
    second.ledger.notes.append("seen by the second example only")
    second.ledger.cursors["token_conservation"] = -1
    second.teardown()

    third = Plain()
    _check(third)
    assert third.ledger.notes == [] and third.ledger.cursors == primed_cursors
    third.teardown()


def test_a_ledger_that_does_not_pickle_is_deep_copied() -> None:
    """A user's invariant may remember anything (here a lambda, which pickle refuses)."""
    forget_worlds()

    def remembers_a_function(rt: Any, ledger: Any) -> None:
        ledger.extra.setdefault("fn", lambda: "kept")
        ledger.extra.setdefault("seen", []).append(rt.block_number)

    class Remembering(Plain):
        checks = [*RuntimeMachine.checks, remembers_a_function]

    built = Remembering()
    _check(built)
    built.teardown()
    later = [Remembering() for _ in range(2)]
    for machine in later:
        _check(machine)
        assert machine.ledger.extra["fn"]() == "kept"
    later[0].ledger.extra["seen"].append(-1)
    assert -1 not in later[1].ledger.extra["seen"]  # copies, not one shared list
    for machine in later:
        machine.teardown()


def test_a_restored_example_starts_from_the_live_state_of_the_whole_event_log() -> None:
    forget_worlds()
    built = Plain()
    from_world = _live_contents(built.live_state())
    built.teardown()

    restored = Plain()
    live = restored.live_state()
    reference = LiveState(world.ACCOUNTS)  # what observing every event since genesis gives
    register_keyless(restored.rt)
    reference.observe(_new_events(restored.rt, 0, 0))
    assert _live_contents(live) == _live_contents(reference) == from_world
    # this example's own events reach its live state, and only its own
    restored.run_step(lambda self: self.call("Alice", "Balances", "transfer_keep_alive", {"dest": world.FRESH_ACCOUNTS[1], "value": 10**18}), {})
    assert world.FRESH_ACCOUNTS[1] in restored.live_state().by_field["to"]
    restored.live_state().by_field["to"].append("not from any event")
    restored.teardown()

    again = Plain()
    assert _live_contents(again.live_state()) == from_world
    again.teardown()
