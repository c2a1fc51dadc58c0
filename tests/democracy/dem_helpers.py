"""Shared helpers for the Democracy tests: a council of the five dev accounts, motions, proposals."""

from __future__ import annotations

from typing import Any

from runtime import GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from pallets.primitives.bounded import inline, lookup
from pallets.primitives.dispatch import hash_of_call
from tests.collective.test_council import W, length
from tests.utility.gov_helpers import UNIT, c

COUNCIL = ["Alice", "Bob", "Charlie", "Dave", "Eve"]
SHORT = {"LaunchPeriod": 10, "VotingPeriod": 8, "FastTrackVotingPeriod": 4, "EnactmentPeriod": 3, "VoteLockingPeriod": 5, "CooloffPeriod": 6}


def runtime(short: bool = True, **overrides: Any) -> Runtime:
    """A dev chain with a five-member Council; ``short`` shrinks Democracy's periods for mechanics tests."""
    constants = {"Democracy": dict(SHORT)} if short else {}
    rt = Runtime(GenesisConfig.dev(constants=constants, **overrides))
    rt.dispatch("root", "Council", "set_members", {"new_members": [DEV_ACCOUNTS[n] for n in COUNCIL], "prime": None, "old_count": 0})
    return rt


def motion(rt: Runtime, call: dict, ayes: int) -> Any:
    """A council motion carrying ``call``, approved by the first ``ayes`` members and closed at once."""
    index = rt.query("Council", "ProposalCount").raw
    if ayes < 2:
        return rt.dispatch(COUNCIL[0], "Council", "propose", {"threshold": 1, "proposal": call, "length_bound": length(call)})
    rt.dispatch(COUNCIL[0], "Council", "propose", {"threshold": ayes, "proposal": call, "length_bound": length(call)})
    h = "0x" + hash_of_call(call).hex()
    for who in COUNCIL[:ayes]:
        rt.dispatch(who, "Council", "vote", {"proposal": h, "index": index, "approve": True})
    r = rt.dispatch("Ferdie", "Council", "close", {"proposal_hash": h, "index": index, "proposal_weight_bound": W, "length_bound": length(call)})
    return r.triggered_events[-1]


def set_balance(who: str, amount: int) -> dict:
    return c("Balances", "force_set_balance", who=who, new_free=amount)


def proposal_hash(call: dict) -> str:
    return "0x" + hash_of_call(call).hex()


def aye(balance: int, conviction: str = "None") -> dict:
    return {"Standard": {"vote": {"aye": True, "conviction": conviction}, "balance": balance}}


def nay(balance: int, conviction: str = "None") -> dict:
    return {"Standard": {"vote": {"aye": False, "conviction": conviction}, "balance": balance}}


__all__ = ["UNIT", "c", "inline", "lookup"]
