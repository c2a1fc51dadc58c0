"""The governance calls a veto path is made of, as compose_call's nested form, shared by the lab's
governance agents and ``benchmarks/governance_timing.py``.

A veto is ``Staking.cancel_deferred_slash`` (AdminOrigin = Root only) or ``Services.dispute``
(signed by the service's dispute origin). Root reaches the latter by impersonation
(``Sudo.sudo_as``, or ``Utility.dispatch_as(system(Signed(account)))`` inside an enacted
referendum). The Council's origins are ``Members(yes, seats)``; :func:`at_least` is the smallest
``yes`` that passes ``EnsureProportionAtLeast<num, den>`` (Democracy's external/fast-track/instant
origins), :func:`more_than_half` the smallest for ``EnsureProportionMoreThan<1, 2>``.
"""

from __future__ import annotations

from typing import Any

from runtime import Runtime
from runtime.calls import RuntimeCallCodec

from pallets.primitives.bounded import inline
from pallets.primitives.dispatch import encode_call, hash_of_call

WEIGHT_BOUND = {"ref_time": 10**12, "proof_size": 10**6}  # MaxProposalWeight: 50 % of a block
CONVICTIONS = ("None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x")


def c(module: str, function: str, **args: Any) -> dict[str, Any]:
    return {"call_module": module, "call_function": function, "call_args": args}


def cancel_deferred_slash(era: int, indices: list[int]) -> dict[str, Any]:
    return c("Staking", "cancel_deferred_slash", era=era, slash_indices=list(indices))


def dispute(era: int, index: int) -> dict[str, Any]:
    return c("Services", "dispute", era=era, index=index)


def as_signed(account: str, call: dict[str, Any]) -> dict[str, Any]:
    """``Utility.dispatch_as(system(Signed(account)), call)``: Root (an enacted referendum) acting as ``account``."""
    return c("Utility", "dispatch_as", as_origin={"system": {"Signed": account}}, call=call)


def length(call: dict[str, Any]) -> int:
    """The ``length_bound`` a motion carrying ``call`` needs."""
    return len(encode_call(RuntimeCallCodec().decode(call, "c")))


def call_hash(call: dict[str, Any]) -> str:
    return "0x" + hash_of_call(call).hex()


def at_least(seats: int, num: int, den: int) -> int:
    """Smallest ``yes`` with ``yes * den >= num * seats``."""
    return -(-num * seats // den)


def more_than_half(seats: int) -> int:
    return seats // 2 + 1


def standard_vote(aye: bool, balance: int, conviction: str = "None") -> dict[str, Any]:
    return {"Standard": {"vote": {"aye": aye, "conviction": conviction}, "balance": balance}}


def external_motion(call: dict[str, Any], instant: bool) -> tuple[dict[str, Any], int, int]:
    """The first motion of a fast-track: (the motion's call, its origin's num/den). Instant needs the
    unanimous ``external_propose_default`` (a fast-track's voting period below FastTrackVotingPeriod
    needs InstantOrigin, and the external must not be SuperMajorityApprove); fast-track uses
    ``external_propose_majority`` (3/4)."""
    if instant:
        return c("Democracy", "external_propose_default", proposal=inline(call)), 1, 1
    return c("Democracy", "external_propose_majority", proposal=inline(call)), 3, 4


def fast_track_motion(call: dict[str, Any], voting_period: int, instant: bool) -> tuple[dict[str, Any], int, int]:
    """The second motion: ``fast_track(hash, voting_period, delay 0)`` by FastTrackOrigin (2/3) or InstantOrigin (1/1)."""
    num, den = (1, 1) if instant else (2, 3)
    return c("Democracy", "fast_track", proposal_hash=call_hash(call), voting_period=voting_period, delay=0), num, den


def council_motion(rt: Runtime, members: list[str], call: dict[str, Any], ayes: int, closer: str | None = None) -> Any:
    """A motion carrying ``call``: the first member proposes with threshold ``ayes``, the first
    ``ayes`` members vote aye and ``closer`` (default the last of them) closes it at once. Returns the
    last event of the close (``Council.Executed`` / ``Disapproved``) or of a threshold-1 propose."""
    index = rt.query("Council", "ProposalCount").raw
    if ayes < 2:
        r = rt.dispatch(members[0], "Council", "propose", {"threshold": 1, "proposal": call, "length_bound": length(call)})
        return r.triggered_events[-1]
    rt.dispatch(members[0], "Council", "propose", {"threshold": ayes, "proposal": call, "length_bound": length(call)})
    h = call_hash(call)
    for who in members[:ayes]:
        rt.dispatch(who, "Council", "vote", {"proposal": h, "index": index, "approve": True})
    r = rt.dispatch(closer or members[ayes - 1], "Council", "close",
                    {"proposal_hash": h, "index": index, "proposal_weight_bound": WEIGHT_BOUND, "length_bound": length(call)})
    return r.triggered_events[-1]


def staking_offence(rt: Runtime, slash_fraction: int, at_era_end: bool = False) -> int:
    """The staking offence the veto-path analyses cancel: Bob validates with Charlie's nomination
    (100 and 300 TNT), the election runs into era 1, and root reports Bob's offence with
    ``slash_fraction`` (Perbill) at era 1's first block, or its last with ``at_era_end``.
    Returns era 1's first block. The slash is deferred to era 1 + SlashDeferDuration + 1."""
    unit = 10**18
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * unit, "payee": "Staked"})
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    rt.dispatch("Charlie", "Staking", "bond", {"value": 300 * unit, "payee": "Staked"})
    rt.dispatch("Charlie", "Staking", "nominate", {"targets": ["Bob"]})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(1)
    era_start = rt.block_number
    if at_era_end:
        rt.run_to_block(era_start + rt.genesis.session_length * rt.genesis.sessions_per_era - 1)
    if rt.current_era != 1:
        raise ValueError(f"the offence is reported in era 1; block {rt.block_number} is in era {rt.current_era}")
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": slash_fraction})
    return era_start
