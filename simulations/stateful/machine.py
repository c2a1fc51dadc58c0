"""``RuntimeMachine``: a Hypothesis state machine whose rules are real calls on every pallet.

It is composed of rule mixins (one module per pallet family) on top of
:class:`~simulations.stateful.core.MachineCore`, which dispatches every call through
``rt.dispatch`` (failed calls must leave the state root unchanged), checks every invariant after
each step, and saves the (shrunk) call log of a failing run with its one-line replay command.

Subclass it to add rules and invariants for your own blueprint (see docs/stateful.md)::

    class MyMachine(RuntimeMachine):
        checks = RuntimeMachine.checks + [my_invariant]

        @rule(who=RuntimeMachine.accounts)
        def remark(self, who):
            self.call(who, "System", "remark", {"remark": "0x00"})
"""

from __future__ import annotations

from simulations.stateful import bundles
from simulations.stateful.core import MachineCore, failure_dir, save_failure
from simulations.stateful.rules_bad_input import BadInputRules
from simulations.stateful.rules_delegation import DelegationRules
from simulations.stateful.rules_lst import LstRules
from simulations.stateful.rules_rewards import RewardsRules
from simulations.stateful.rules_services import ServicesRules
from simulations.stateful.rules_staking import StakingRules
from simulations.stateful.rules_time import TimeRules
from simulations.stateful.rules_tokens import TokenRules


class RuntimeMachine(TokenRules, DelegationRules, StakingRules, LstRules, ServicesRules, RewardsRules, TimeRules, BadInputRules, MachineCore):
    """Random call sequences over the whole runtime with every invariant checked after each step."""

    accounts = bundles.accounts
    assets = bundles.assets
    operators = bundles.operators
    stakers = bundles.stakers
    blueprints = bundles.blueprints
    requests = bundles.requests
    services = bundles.services
    job_calls = bundles.job_calls
    pools = bundles.pools
    unapplied_slashes = bundles.unapplied_slashes
    vaults = bundles.vaults

    rule_weights = {
        # time: deferred things (unstakes, withdrawals, slashes, expiries, eras) need it to pass
        "advance_blocks": 3, "advance_rounds": 5, "advance_era": 2,
        # services: the way to running services, job calls and slashes
        "transfer": 2, "set_instance_limit": 3,
        "deploy_service": 4, "terminate": 2, "request": 2, "approve": 2, "call_job": 2, "submit_result": 3, "slash": 4, "dispute": 2, "dispute_queued": 4, "wait_for_unapplied_slash": 3, "let_request_expire": 3,
        # delegation: stake to slash and to unstake
        "deposit_and_delegate": 4, "schedule_delegator_unstake": 3, "execute_delegator_unstake": 2, "schedule_withdraw": 2,
        "execute_withdraw": 2, "delegate_nomination": 2, "operator_leave": 2, "overdraw": 2, "wait_and_execute": 3,
        # staking and pools
        "bond": 2, "join_pool": 2, "unbond_from_pool": 2, "wait_and_withdraw_from_pool": 2, "wait_and_withdraw_unbonded": 2,
        "report_offence": 2, "wait_for_deferred_slash": 2,
        # the whole call surface with well-typed random arguments
        "fuzz_any_call": 4,
    }


__all__ = ["RuntimeMachine", "save_failure", "failure_dir"]
