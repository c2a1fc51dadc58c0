"""The Council (pallet_collective Instance1): the behaviour upstream's collective/src/tests.rs pins
(stable2407, with Tangle's PrimeDefaultVote), and council-gated calls carried by real motions."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS, account_bytes
from runtime.calls import RuntimeCallCodec
from pallets.primitives.dispatch import hash_of_call, scale_call
from tests.utility.gov_helpers import c, remark

A, B, C, D, E = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve"))
MEMBERS = [A, B, C, D, E]
W = {"ref_time": 10**12, "proof_size": 10**6}
GATED = c("Services", "update_default_heartbeat_interval", interval=42)  # Root or more than half of the Council
MOTION = 72_000


def length(call: dict) -> int:
    return len(scale_call(RuntimeCallCodec().decode(call, "c")))


@pytest.fixture
def rt() -> Runtime:
    rt = Runtime.dev()
    rt.dispatch("root", "Council", "set_members", {"new_members": MEMBERS, "prime": None, "old_count": 0})
    return rt


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Council", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def propose(rt: Runtime, who: str, call: dict, threshold: int = 3):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, "Council", "propose", {"threshold": threshold, "proposal": call, "length_bound": length(call)})


def vote(rt: Runtime, who: str, call: dict, index: int, approve: bool = True):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, "Council", "vote", {"proposal": "0x" + hash_of_call(call).hex(), "index": index, "approve": approve})


def close(rt: Runtime, call: dict, index: int, who: str = "Ferdie"):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, "Council", "close", {"proposal_hash": "0x" + hash_of_call(call).hex(), "index": index, "proposal_weight_bound": W, "length_bound": length(call)})


def interval(rt: Runtime) -> int:
    return rt.query("Services", "DefaultHeartbeatInterval").value


def test_members_are_sorted_and_prime_must_be_member(rt: Runtime) -> None:
    assert list(rt.query("Council", "Members").raw) == sorted(MEMBERS, key=account_bytes)
    fails(rt, "Council.PrimeAccountNotMember", "root", "set_members", new_members=[A, B], prime=C, old_count=5)
    fails(rt, "BadOrigin", "Alice", "set_members", new_members=[A], prime=None, old_count=5)
    rt.dispatch("root", "Council", "set_members", {"new_members": [C, A], "prime": A, "old_count": 5})
    assert rt.query("Council", "Prime").raw == A and set(rt.query("Council", "Members").raw) == {A, C}


def test_motion_carries_a_council_gated_call_end_to_end(rt: Runtime) -> None:
    """propose -> vote -> close -> dispatched with Members(3, 5), which passes Root-or->1/2-Council."""
    assert interval(rt) != 42
    r = propose(rt, "Alice", GATED)
    h = hash_of_call(GATED)
    assert r.triggered_events[-1].matches("Proposed", account=A, proposal_index=0, proposal_hash=h, threshold=3)
    vote(rt, "Alice", GATED, 0)
    vote(rt, "Bob", GATED, 0)
    fails(rt, "Council.TooEarly", "Ferdie", "close", proposal_hash="0x" + h.hex(), index=0, proposal_weight_bound=W, length_bound=length(GATED))
    r = vote(rt, "Charlie", GATED, 0)
    assert r.triggered_events[-1].matches("Voted", account=C, voted=True, yes=3, no=0)
    r = close(rt, GATED, 0)
    names = [e.name for e in r.triggered_events]
    assert names == ["Council.Closed", "Council.Approved", "Services.DefaultHeartbeatIntervalUpdated", "Council.Executed"]
    assert r.triggered_events[-1]["result"] is None and interval(rt) == 42
    assert rt.query("Council", "Proposals").raw == () and rt.query("Council", "Voting", ["0x" + h.hex()]).raw is None
    # and Rewards' VaultMetadataOrigin the same way, through a batch
    meta = c("Utility", "batch_all", calls=[c("Rewards", "set_vault_metadata", vault_id=1, name="0x4e616d65", logo="0x6c6f676f")])
    propose(rt, "Bob", meta)
    for who in ("Alice", "Bob", "Dave"):
        vote(rt, who, meta, 1)
    r = close(rt, meta, 1)
    assert r.triggered_events[-1]["result"] is None
    assert rt.query("Rewards", "VaultMetadataStore", [1]).value is not None


def test_motions_approval_with_lower_voting_threshold_gives_a_weaker_origin(rt: Runtime) -> None:
    """Threshold 2 closes with 2 ayes, but Members(2, 5) is not more than half: BadOrigin."""
    propose(rt, "Alice", GATED, threshold=2)
    vote(rt, "Alice", GATED, 0)
    vote(rt, "Bob", GATED, 0)
    r = close(rt, GATED, 0)
    assert r.triggered_events[-1].matches("Executed", result="BadOrigin") and interval(rt) != 42


def test_threshold_below_two_executes_at_once_with_one_member(rt: Runtime) -> None:
    r = propose(rt, "Alice", GATED, threshold=1)
    assert [e.name for e in r.triggered_events] == ["Council.Executed"]
    assert r.triggered_events[-1]["result"] == "BadOrigin"  # Members(1, 5)
    assert rt.query("Council", "ProposalCount").raw == 0
    solo = Runtime.dev()
    solo.dispatch("root", "Council", "set_members", {"new_members": [A], "prime": None, "old_count": 0})
    propose(solo, "Alice", GATED, threshold=1)
    assert interval(solo) == 42  # Members(1, 1) is more than half


def test_execute_dispatches_as_member(rt: Runtime) -> None:
    fails(rt, "Council.NotMember", "Ferdie", "execute", proposal=GATED, length_bound=length(GATED))
    fails(rt, "Council.WrongProposalLength", "Alice", "execute", proposal=GATED, length_bound=length(GATED) - 1)
    r = rt.dispatch("Alice", "Council", "execute", {"proposal": GATED, "length_bound": length(GATED)})
    assert r.triggered_events[-1].matches("MemberExecuted", proposal_hash=hash_of_call(GATED), result="BadOrigin")


def test_propose_checks(rt: Runtime) -> None:
    fails(rt, "Council.NotMember", "Ferdie", "propose", threshold=3, proposal=GATED, length_bound=length(GATED))
    fails(rt, "Council.WrongProposalLength", "Alice", "propose", threshold=3, proposal=GATED, length_bound=length(GATED) - 1)
    propose(rt, "Alice", GATED)
    fails(rt, "Council.DuplicateProposal", "Bob", "propose", threshold=3, proposal=GATED, length_bound=length(GATED))
    votes = rt.query("Council", "Voting", ["0x" + hash_of_call(GATED).hex()]).raw
    assert votes.ayes == () and votes.end == rt.block_number + MOTION  # the proposer has not voted


def test_limit_active_proposals(rt: Runtime) -> None:
    for i in range(100):
        propose(rt, "Alice", remark(str(i).encode()))
    fails(rt, "Council.TooManyProposals", "Alice", "propose", threshold=3, proposal=remark(b"x"), length_bound=1000)


def test_voting_rules(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    h = "0x" + hash_of_call(GATED).hex()
    fails(rt, "Council.WrongIndex", "Bob", "vote", proposal=h, index=1, approve=True)
    fails(rt, "Council.ProposalMissing", "Bob", "vote", proposal="0x" + "00" * 32, index=0, approve=True)
    fails(rt, "Council.NotMember", "Ferdie", "vote", proposal=h, index=0, approve=True)
    vote(rt, "Bob", GATED, 0)
    fails(rt, "Council.DuplicateVote", "Bob", "vote", proposal=h, index=0, approve=True)
    r = vote(rt, "Bob", GATED, 0, approve=False)  # switching moves the vote
    assert r.triggered_events[-1].matches("Voted", yes=0, no=1)


def test_early_disapproval_ignores_bounds(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    for who in ("Alice", "Bob", "Charlie"):
        vote(rt, who, GATED, 0, approve=False)
    h = "0x" + hash_of_call(GATED).hex()
    r = rt.dispatch("Ferdie", "Council", "close", {"proposal_hash": h, "index": 0, "proposal_weight_bound": {"ref_time": 0, "proof_size": 0}, "length_bound": 0})
    assert [e.name for e in r.triggered_events] == ["Council.Closed", "Council.Disapproved"]
    assert r.triggered_events[0].matches("Closed", yes=0, no=3)


def test_approval_checks_bounds(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    for who in ("Alice", "Bob", "Charlie"):
        vote(rt, who, GATED, 0)
    h = "0x" + hash_of_call(GATED).hex()
    fails(rt, "Council.WrongProposalLength", "Ferdie", "close", proposal_hash=h, index=0, proposal_weight_bound=W, length_bound=length(GATED) - 1)
    fails(rt, "Council.WrongProposalWeight", "Ferdie", "close", proposal_hash=h, index=0, proposal_weight_bound={"ref_time": 0, "proof_size": 0}, length_bound=length(GATED))


def test_motion_with_no_votes_closes_with_disapproval(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    rt.advance_blocks(MOTION)
    r = close(rt, GATED, 0)
    assert r.triggered_events[0].matches("Closed", yes=0, no=5) and r.triggered_events[-1].name == "Council.Disapproved"


def test_close_with_prime_works(rt: Runtime) -> None:
    """After MotionDuration, abstentions follow the prime: a prime who voted nay (or did not vote)
    makes them nays; a prime who voted aye makes them ayes."""
    rt.dispatch("root", "Council", "set_members", {"new_members": MEMBERS, "prime": C, "old_count": 5})
    propose(rt, "Alice", GATED)
    vote(rt, "Alice", GATED, 0)
    vote(rt, "Bob", GATED, 0, approve=False)
    rt.advance_blocks(MOTION)
    r = close(rt, GATED, 0)
    assert r.triggered_events[0].matches("Closed", yes=1, no=4) and interval(rt) != 42


def test_close_with_voting_prime_works(rt: Runtime) -> None:
    rt.dispatch("root", "Council", "set_members", {"new_members": MEMBERS, "prime": C, "old_count": 5})
    propose(rt, "Alice", GATED)
    vote(rt, "Charlie", GATED, 0)
    vote(rt, "Bob", GATED, 0, approve=False)
    rt.advance_blocks(MOTION - 1)
    fails(rt, "Council.TooEarly", "Ferdie", "close", proposal_hash="0x" + hash_of_call(GATED).hex(), index=0, proposal_weight_bound=W, length_bound=length(GATED))
    rt.advance_blocks(1)
    r = close(rt, GATED, 0)
    assert r.triggered_events[0].matches("Closed", yes=4, no=1)
    assert r.triggered_events[-1]["result"] is None and interval(rt) == 42  # Members(4, 5)


def test_removal_of_old_voters_votes_works_with_set_members(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    vote(rt, "Bob", GATED, 0)
    vote(rt, "Dave", GATED, 0, approve=False)
    rt.dispatch("root", "Council", "set_members", {"new_members": [A, C, D], "prime": None, "old_count": 5})
    votes = rt.query("Council", "Voting", ["0x" + hash_of_call(GATED).hex()]).raw
    assert votes.ayes == () and votes.nays == (D,)


def test_disapprove_proposal_works(rt: Runtime) -> None:
    propose(rt, "Alice", GATED)
    h = "0x" + hash_of_call(GATED).hex()
    fails(rt, "BadOrigin", "Alice", "disapprove_proposal", proposal_hash=h)
    r = rt.dispatch("root", "Council", "disapprove_proposal", {"proposal_hash": h})
    assert r.triggered_events[-1].name == "Council.Disapproved" and rt.query("Council", "Proposals").raw == ()
    # reproposing a disapproved motion works, with the next index
    r = propose(rt, "Alice", GATED)
    assert r.triggered_events[-1]["proposal_index"] == 1


def test_collective_origin_does_not_satisfy_root(rt: Runtime) -> None:
    """Staking's AdminOrigin is Root only: even a unanimous Council cannot cancel a slash."""
    call = c("Staking", "cancel_deferred_slash", era=11, slash_indices=[0])
    propose(rt, "Alice", call, threshold=5)
    for who in ("Alice", "Bob", "Charlie", "Dave", "Eve"):
        vote(rt, who, call, 0)
    assert close(rt, call, 0).triggered_events[-1]["result"] == "BadOrigin"
