"""The runtime state machine itself, with the loaded Hypothesis profile (``ci``: 200 examples x 50
steps, fixed seed; ``--hypothesis-profile=stress`` for long runs), on both runtime profiles."""

from __future__ import annotations

from typing import Any, Callable

from simulations.stateful import RuntimeMachine
from simulations.stateful.world import GENESIS


class RealProfileMachine(RuntimeMachine):
    """The same rules on the real profile: extension calls are filtered, quirks are on, and the
    invariants that a quirk legitimately breaks skip themselves."""

    genesis = {**GENESIS, "profile": "real"}


def test_runtime_machine_holds_every_invariant(run_machine: Callable[..., None]) -> None:
    run_machine(RuntimeMachine)


def test_real_profile_machine_holds_every_invariant(run_machine: Callable[..., Any]) -> None:
    run_machine(RealProfileMachine)
