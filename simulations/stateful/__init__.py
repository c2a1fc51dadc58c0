"""The property-based stress kit: a Hypothesis state machine over the whole runtime, reusable
invariants and strategies, failure logs you can replay (``tangle-sim replay``).

    from simulations.stateful import RuntimeMachine, ALL_INVARIANTS, Ledger
    from simulations.stateful import strategies

See docs/stateful.md.
"""

from simulations.stateful.invariants import (
    ALL_INVARIANTS, Ledger, asset_conservation, delegation_books_balance, instance_limits_respected, no_service_from_expired_request,
    operator_state_machine, slashes_respect_windows_and_disputes, staking_slashes_wait_for_their_era, state_is_immutable, token_conservation,
)
from simulations.stateful.machine import RuntimeMachine, failure_dir, save_failure

__all__ = [
    "RuntimeMachine", "Ledger", "ALL_INVARIANTS", "save_failure", "failure_dir", "token_conservation", "asset_conservation",
    "operator_state_machine", "delegation_books_balance", "instance_limits_respected", "no_service_from_expired_request",
    "slashes_respect_windows_and_disputes", "staking_slashes_wait_for_their_era", "state_is_immutable",
]
