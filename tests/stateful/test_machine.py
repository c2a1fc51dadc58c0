"""The runtime state machine itself, run with a bounded, fixed-seed profile in CI."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from simulations.stateful import RuntimeMachine


def test_runtime_machine_holds_every_invariant() -> None:
    run_state_machine_as_test(RuntimeMachine, settings=settings(max_examples=60, stateful_step_count=30, deadline=None, derandomize=True))
