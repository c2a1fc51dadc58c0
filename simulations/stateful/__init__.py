"""The property-based stress kit: a Hypothesis state machine over the whole runtime, reusable
invariants and strategies, failure logs you can replay (``tangle-sim replay``)."""

from simulations.stateful.invariants import ALL_INVARIANTS, Ledger, operator_state_machine, state_is_immutable, token_conservation
from simulations.stateful.machine import RuntimeMachine, save_failure

__all__ = ["RuntimeMachine", "Ledger", "ALL_INVARIANTS", "token_conservation", "operator_state_machine", "state_is_immutable", "save_failure"]
