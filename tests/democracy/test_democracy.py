"""pallet_democracy: the behaviour upstream's democracy tests pin (stable2407), with the testnet's
origins (Council thresholds) and short periods for the mechanics (constants overridden)."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from pallets.democracy import task_name
from pallets.democracy.types import Tally, VoteThreshold, approved
from tests.democracy.dem_helpers import UNIT, aye, c, inline, lookup, motion, nay, proposal_hash, runtime, set_balance

A, B, C, D, E, F = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
DEPOSIT = 1_000 * UNIT
LOCK = b"democrac"


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Democracy", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def dem(rt: Runtime, who: str, fn: str, **args: object):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, "Democracy", fn, args)


def info(rt: Runtime, ref: int):  # type: ignore[no-untyped-def]
    return rt.query("Democracy", "ReferendumInfoOf", [ref]).raw


def locked(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].locked(LOCK, rt.account(who))


def reserved(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].reserved_balance(rt.account(who))


def test_vote_threshold_should_work() -> None:
    assert not approved(VoteThreshold.SuperMajorityApprove, Tally(60, 50, 110), 210)
    assert approved(VoteThreshold.SuperMajorityApprove, Tally(100, 50, 150), 210)
    assert approved(VoteThreshold.SuperMajorityAgainst, Tally(1, 0, 1), 10**30)  # one aye, no nays
    assert not approved(VoteThreshold.SimpleMajority, Tally(0, 0, 0), 100)  # zero turnout never passes
    assert not approved(VoteThreshold.SimpleMajority, Tally(5, 5, 10), 100)


def test_public_proposal_is_tabled_voted_baked_and_enacted() -> None:
    rt = runtime()
    call = set_balance("//Target", 42 * UNIT)
    fails(rt, "Democracy.ValueLow", "Alice", "propose", proposal=inline(call), value=DEPOSIT - 1)
    r = dem(rt, "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    assert r.triggered_events[-1].matches("Proposed", proposal_index=0, deposit=DEPOSIT) and reserved(rt, "Alice") == DEPOSIT
    dem(rt, "Bob", "second", proposal=0)
    fails(rt, "Democracy.ProposalMissing", "Bob", "second", proposal=5)
    assert rt.query("Democracy", "DepositOf", [0]).raw == ((A, B), DEPOSIT)
    rt.run_to_block(10)  # LaunchPeriod: tabled, deposits returned
    assert rt.events_named("Democracy.Tabled")[-1]["proposal_index"] == 0 and reserved(rt, "Alice") == reserved(rt, "Bob") == 0
    assert rt.events_named("Democracy.Started")[-1].matches("Started", ref_index=0, threshold=VoteThreshold.SuperMajorityApprove)
    assert info(rt, 0).value.end == 18 and info(rt, 0).value.delay == 3
    dem(rt, "Charlie", "vote", ref_index=0, vote=aye(500_000 * UNIT, "Locked1x"))
    assert locked(rt, "Charlie") == 500_000 * UNIT
    rt.run_to_block(18)  # baked at the end block; scheduled for 18 + 3
    assert rt.events_named("Democracy.Passed")[-1]["ref_index"] == 0
    assert info(rt, 0).name == "Finished" and info(rt, 0).value.approved
    assert rt.query("Scheduler", "Lookup", ["0x" + task_name(0).hex()]).raw == (21, 0)
    rt.run_to_block(20)
    assert rt.free_balance(rt.account("//Target")) == 0
    rt.run_to_block(21)
    assert rt.free_balance(rt.account("//Target")) == 42 * UNIT
    assert rt.events_named("Scheduler.Dispatched")[-1].matches("Dispatched", task=(21, 0), id=task_name(0), result=None)


def test_simple_failing_and_low_turnout() -> None:
    rt = runtime()
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//Target", UNIT)), value=DEPOSIT)
    rt.run_to_block(10)
    dem(rt, "Bob", "vote", ref_index=0, vote=aye(10 * UNIT))  # a tiny turnout cannot beat SuperMajorityApprove
    dem(rt, "Charlie", "vote", ref_index=0, vote=nay(5 * UNIT))
    rt.run_to_block(18)
    assert rt.events_named("Democracy.NotPassed")[-1]["ref_index"] == 0 and not info(rt, 0).value.approved
    assert rt.query("Democracy", "LowestUnbaked").raw == 1


def test_runners_up_and_swap_remove() -> None:
    """The best-backed public proposal is tabled first (ties to the later one)."""
    rt = runtime()
    for i in range(3):
        dem(rt, "Alice", "propose", proposal=inline(set_balance(f"//T{i}", UNIT)), value=DEPOSIT * (2 if i == 1 else 1))
    rt.run_to_block(10)
    assert rt.events_named("Democracy.Tabled")[-1]["proposal_index"] == 1
    assert [p[0] for p in rt.query("Democracy", "PublicProps").raw] == [0, 2]
    rt.run_to_block(20)  # next launch: external first (none), then public: tie 0 vs 2 -> the later entry
    assert rt.events_named("Democracy.Tabled")[-1]["proposal_index"] == 2


def test_external_origins_and_fast_track_rules() -> None:
    rt = runtime()
    call = set_balance("//Ext", 9 * UNIT)
    h = proposal_hash(call)
    fails(rt, "BadOrigin", "root", "external_propose", proposal=inline(call))
    assert motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 2)["result"] == "BadOrigin"  # 2/5 < 1/2
    assert motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)["result"] is None
    assert motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)["result"] == "Democracy.DuplicateProposal"
    # SuperMajorityApprove externals cannot be fast-tracked
    assert motion(rt, c("Democracy", "fast_track", proposal_hash=h, voting_period=4, delay=0), 4)["result"] == "Democracy.NotSimpleMajority"
    assert motion(rt, c("Democracy", "external_propose_majority", proposal=inline(call)), 3)["result"] == "BadOrigin"  # needs 3/4
    assert motion(rt, c("Democracy", "external_propose_majority", proposal=inline(call)), 4)["result"] is None
    assert rt.query("Democracy", "NextExternal").raw[1] == VoteThreshold.SimpleMajority
    ft = lambda vp: c("Democracy", "fast_track", proposal_hash=h, voting_period=vp, delay=0)  # noqa: E731
    assert motion(rt, ft(4), 3)["result"] == "BadOrigin"  # 3/5 < 2/3
    assert motion(rt, ft(3), 4)["result"] == "BadOrigin"  # shorter than FastTrackVotingPeriod: unanimous only
    assert motion(rt, c("Democracy", "fast_track", proposal_hash="0x" + "00" * 32, voting_period=4, delay=0), 4)["result"] == "Democracy.InvalidHash"
    assert motion(rt, ft(0), 5)["result"] == "Democracy.VotingPeriodLow"
    ev = motion(rt, ft(4), 4)
    assert ev["result"] is None and rt.query("Democracy", "NextExternal").raw is None
    assert info(rt, 0).value.end == rt.block_number + 4 and info(rt, 0).value.threshold == VoteThreshold.SimpleMajority


def test_instant_referendum_works_and_needs_votes() -> None:
    """instant_referendum_works / instant_next_block_referendum_backed: voting_period 1, delay 0."""
    for voted in (True, False):
        rt = runtime()
        call = set_balance("//Now", 5 * UNIT)
        motion(rt, c("Democracy", "external_propose_default", proposal=inline(call)), 5)
        f = rt.block_number
        assert motion(rt, c("Democracy", "fast_track", proposal_hash=proposal_hash(call), voting_period=1, delay=0), 5)["result"] is None
        if voted:
            dem(rt, "Ferdie", "vote", ref_index=0, vote=aye(UNIT))
        rt.run_to_block(f + 2)
        assert (rt.free_balance(rt.account("//Now")) == 5 * UNIT) is voted  # zero turnout fails


def test_external_launches_at_the_boundary_when_not_fast_tracked() -> None:
    rt = runtime()
    call = set_balance("//Ext", UNIT)
    motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)
    rt.run_to_block(10)
    assert [e.name for e in rt.events_named("Democracy.ExternalTabled")] and rt.query("Democracy", "LastTabledWasExternal").raw
    assert info(rt, 0).value.threshold == VoteThreshold.SuperMajorityApprove


def test_veto_external_works() -> None:
    rt = runtime()
    call = set_balance("//Ext", UNIT)
    h = proposal_hash(call)
    motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)
    veto = c("Democracy", "veto_external", proposal_hash=h)
    assert motion(rt, veto, 3)["result"] == "BadOrigin"  # a motion is not a member
    r = rt.dispatch("Bob", "Council", "execute", {"proposal": veto, "length_bound": 10_000})
    assert r.triggered_events[-1]["result"] is None
    ev = rt.events_named("Democracy.Vetoed")[-1]
    assert ev["who"] == B and ev["until"] == rt.block_number + 6
    assert rt.query("Democracy", "NextExternal").raw is None
    # cooling off: the same hash cannot be proposed again until `until`
    assert motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)["result"] == "Democracy.ProposalBlacklisted"
    rt.advance_blocks(6)
    motion(rt, c("Democracy", "external_propose", proposal=inline(call)), 3)
    r = rt.dispatch("Bob", "Council", "execute", {"proposal": veto, "length_bound": 10_000})
    assert r.triggered_events[-1]["result"] == "Democracy.AlreadyVetoed"
    r = rt.dispatch("Charlie", "Council", "execute", {"proposal": veto, "length_bound": 10_000})
    assert r.triggered_events[-1]["result"] is None


def test_blacklisting_and_cancel_proposal_slash_deposits() -> None:
    rt = runtime()
    call = set_balance("//X", UNIT)
    dem(rt, "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    dem(rt, "Bob", "second", proposal=0)
    treasury = rt.free_balance("5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z")
    free_a = rt.free_balance(A)
    fails(rt, "BadOrigin", "Alice", "blacklist", proposal_hash=proposal_hash(call), maybe_ref_index=None)
    dem(rt, "root", "blacklist", proposal_hash=proposal_hash(call), maybe_ref_index=None)
    assert rt.query("Democracy", "PublicProps").raw == () and reserved(rt, "Alice") == 0 and rt.free_balance(A) == free_a
    assert rt.free_balance("5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z") == treasury + 2 * DEPOSIT
    fails(rt, "Democracy.ProposalBlacklisted", "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    other = set_balance("//Y", UNIT)
    dem(rt, "Alice", "propose", proposal=inline(other), value=DEPOSIT)
    assert motion(rt, c("Democracy", "cancel_proposal", prop_index=1), 4)["result"] == "BadOrigin"
    assert motion(rt, c("Democracy", "cancel_proposal", prop_index=1), 5)["result"] is None
    assert rt.query("Democracy", "PublicProps").raw == () and reserved(rt, "Alice") == 0


def test_cancel_referendum_and_emergency_cancel() -> None:
    rt = runtime()
    call = set_balance("//X", UNIT)
    dem(rt, "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    rt.run_to_block(10)
    fails(rt, "BadOrigin", "root", "emergency_cancel", ref_index=0)  # Root cannot
    assert motion(rt, c("Democracy", "emergency_cancel", ref_index=0), 3)["result"] == "BadOrigin"
    assert motion(rt, c("Democracy", "emergency_cancel", ref_index=0), 4)["result"] is None
    assert info(rt, 0) is None and rt.query("Democracy", "Cancellations", [proposal_hash(call)]).raw
    # once per proposal hash, ever
    dem(rt, "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    rt.run_to_block(20)
    assert motion(rt, c("Democracy", "emergency_cancel", ref_index=1), 4)["result"] == "Democracy.AlreadyCanceled"
    fails(rt, "BadOrigin", "Alice", "cancel_referendum", ref_index=1)
    dem(rt, "root", "cancel_referendum", ref_index=1)
    assert info(rt, 1) is None


def test_voting_rules_split_and_overvoting() -> None:
    rt = runtime()
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//X", UNIT)), value=DEPOSIT)
    fails(rt, "Democracy.ReferendumInvalid", "Bob", "vote", ref_index=0, vote=aye(UNIT))
    rt.run_to_block(10)
    fails(rt, "Democracy.InsufficientFunds", "Bob", "vote", ref_index=0, vote=aye(10**30))
    dem(rt, "Bob", "vote", ref_index=0, vote={"Split": {"aye": 10 * UNIT, "nay": 20 * UNIT}})
    assert info(rt, 0).value.tally == Tally(UNIT, 2 * UNIT, 30 * UNIT)
    dem(rt, "Bob", "vote", ref_index=0, vote=aye(10 * UNIT, "Locked2x"))  # re-voting replaces
    assert info(rt, 0).value.tally == Tally(20 * UNIT, 0, 10 * UNIT)
    dem(rt, "Bob", "remove_vote", index=0)
    assert info(rt, 0).value.tally == Tally(0, 0, 0)
    fails(rt, "Democracy.NotVoter", "Bob", "remove_vote", index=0)


def test_delegation_is_counted_and_cannot_be_self() -> None:
    rt = runtime()
    fails(rt, "Democracy.Nonsense", "Bob", "delegate", to="Bob", conviction="Locked1x", balance=UNIT)
    dem(rt, "Bob", "delegate", to="Charlie", conviction="Locked2x", balance=10 * UNIT)
    assert locked(rt, "Bob") == 10 * UNIT
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//X", UNIT)), value=DEPOSIT)
    rt.run_to_block(10)
    fails(rt, "Democracy.AlreadyDelegating", "Bob", "vote", ref_index=0, vote=aye(UNIT))
    dem(rt, "Charlie", "vote", ref_index=0, vote=aye(5 * UNIT, "Locked1x"))
    assert info(rt, 0).value.tally == Tally(25 * UNIT, 0, 15 * UNIT)
    dem(rt, "Bob", "undelegate")
    assert info(rt, 0).value.tally == Tally(5 * UNIT, 0, 5 * UNIT)
    fails(rt, "Democracy.NotDelegating", "Bob", "undelegate")
    # the delegation's conviction lock outlives it: prior = (now + 2 * VoteLockingPeriod, 10)
    dem(rt, "Bob", "unlock", target="Bob")
    assert locked(rt, "Bob") == 10 * UNIT
    rt.advance_blocks(10)
    dem(rt, "Bob", "unlock", target="Bob")
    assert locked(rt, "Bob") == 0
    # a voter with votes cannot delegate
    fails(rt, "Democracy.VotesExist", "Charlie", "delegate", to="Bob", conviction="None", balance=UNIT)


def test_conviction_locks_after_a_win() -> None:
    """lock_voting_should_work: the winner's lock stays VoteLockingPeriod x lock periods after the end."""
    rt = runtime()
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//X", UNIT)), value=DEPOSIT)
    rt.run_to_block(10)
    dem(rt, "Bob", "vote", ref_index=0, vote=aye(600_000 * UNIT, "Locked2x"))  # 2 periods: 10 blocks
    dem(rt, "Charlie", "vote", ref_index=0, vote=nay(20 * UNIT, "Locked6x"))  # the losing side
    dem(rt, "Dave", "vote", ref_index=0, vote=aye(30 * UNIT))  # no conviction
    rt.run_to_block(18)
    assert info(rt, 0).value.approved
    fails(rt, "Democracy.NoPermission", "Eve", "remove_other_vote", target="Bob", index=0)
    dem(rt, "Eve", "remove_other_vote", target="Charlie", index=0)  # losers keep no lock
    dem(rt, "Eve", "remove_other_vote", target="Dave", index=0)
    for who in ("Charlie", "Dave"):
        dem(rt, "Eve", "unlock", target=who)
        assert locked(rt, who) == 0
    dem(rt, "Bob", "remove_vote", index=0)
    dem(rt, "Bob", "unlock", target="Bob")
    assert locked(rt, "Bob") == 600_000 * UNIT
    rt.run_to_block(27)
    dem(rt, "Bob", "unlock", target="Bob")
    assert locked(rt, "Bob") == 600_000 * UNIT
    rt.run_to_block(28)  # end 18 + 2 * 5
    dem(rt, "Bob", "unlock", target="Bob")
    assert locked(rt, "Bob") == 0


def test_metadata_needs_a_preimage_and_moves_with_the_proposal() -> None:
    rt = runtime()
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//X", UNIT)), value=DEPOSIT)
    meta = "0x" + b"metadata".hex()
    from pallets.primitives.dispatch import blake2_256

    mh = "0x" + blake2_256(b"metadata").hex()
    fails(rt, "Democracy.PreimageNotExist", "Alice", "set_metadata", owner={"Proposal": 0}, maybe_hash=mh)
    rt.dispatch("Alice", "Preimage", "note_preimage", {"bytes": meta})
    fails(rt, "Democracy.NoPermission", "Bob", "set_metadata", owner={"Proposal": 0}, maybe_hash=mh)
    dem(rt, "Alice", "set_metadata", owner={"Proposal": 0}, maybe_hash=mh)
    rt.run_to_block(10)
    ev = rt.events_named("Democracy.MetadataTransferred")[-1]
    assert ev["prev_owner"].name == "Proposal" and ev["owner"].name == "Referendum"
    fails(rt, "Democracy.NoPermission", "Alice", "set_metadata", owner={"Referendum": 0}, maybe_hash=None)  # still ongoing


def test_lookup_proposal_needs_its_preimage_at_enactment() -> None:
    rt = runtime()
    call = c("Utility", "batch_all", calls=[set_balance(f"//L{i}", UNIT) for i in range(3)])
    bounded, data = lookup(call)
    motion(rt, c("Democracy", "external_propose_default", proposal=bounded), 5)
    motion(rt, c("Democracy", "fast_track", proposal_hash=bounded["Lookup"]["hash"], voting_period=1, delay=0), 5)
    dem(rt, "Ferdie", "vote", ref_index=0, vote=aye(UNIT))
    rt.run_to_block(rt.block_number + 2)
    assert rt.events_named("Scheduler.CallUnavailable") and rt.free_balance(rt.account("//L0")) == 0
    # with the preimage noted in time it is enacted
    rt2 = runtime()
    rt2.dispatch("Ferdie", "Preimage", "note_preimage", {"bytes": data})
    motion(rt2, c("Democracy", "external_propose_default", proposal=bounded), 5)
    motion(rt2, c("Democracy", "fast_track", proposal_hash=bounded["Lookup"]["hash"], voting_period=1, delay=0), 5)
    dem(rt2, "Ferdie", "vote", ref_index=0, vote=aye(UNIT))
    rt2.run_to_block(rt2.block_number + 2)
    assert rt2.free_balance(rt2.account("//L2")) == UNIT


def test_real_constants_in_the_six_second_time_base() -> None:
    rt = runtime(short=False)
    k = rt.constants("Democracy")
    assert (k.LaunchPeriod, k.VotingPeriod, k.FastTrackVotingPeriod, k.EnactmentPeriod) == (7_200, 100_800, 28_800, 43_200)
    assert rt.constants("Council").MotionDuration == 72_000


def _scenario() -> Runtime:
    rt = runtime()
    dem(rt, "Alice", "propose", proposal=inline(set_balance("//X", UNIT)), value=DEPOSIT)
    rt.dispatch("Bob", "Proxy", "add_proxy", {"delegate": "Charlie", "proxy_type": "Governance", "delay": 0})
    rt.run_to_block(10)
    rt.dispatch("Charlie", "Proxy", "proxy", {"real": "Bob", "force_proxy_type": None, "call": c("Democracy", "vote", ref_index=0, vote=aye(700_000 * UNIT, "Locked1x"))})
    dem(rt, "Dave", "delegate", to="Bob", conviction="Locked3x", balance=5 * UNIT)
    rt.dispatch("root", "Scheduler", "schedule", {"when": 30, "maybe_periodic": [2, 3], "priority": 1, "call": set_balance("//P", UNIT)})
    rt.run_to_block(40)
    return rt


def test_governance_state_is_immutable_and_deterministic() -> None:
    a, b = _scenario(), _scenario()
    a.db.check_immutable()
    assert a.state_root() == b.state_root()
    assert [e.to_json() for e in a.all_events()] == [e.to_json() for e in b.all_events()]
    assert a.free_balance(a.account("//X")) == UNIT  # the proxied Governance vote carried it


def test_governance_call_log_replays_to_the_same_root(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from runtime.calllog import replay

    rt = _scenario()
    motion(rt, c("Democracy", "external_propose_default", proposal=inline(set_balance("//Y", UNIT))), 5)
    rt.dispatch("Alice", "Utility", "batch", {"calls": [c("Multisig", "as_multi_threshold_1", other_signatories=["Bob"], call=c("System", "remark", remark="0x01"))]})
    path = tmp_path / "gov.jsonl"
    rt.export_log(path)
    result = replay(path)
    assert result.ok and result.runtime.state_root() == rt.state_root()


def test_slashed_deposits_reach_the_treasury_as_on_chain() -> None:
    """``T::Slash::on_unbalanced(T::Currency::slash_reserved(who, amount).0)`` per depositor:
    ``Balances.Slashed`` of the reserve, then the Treasury's ``OnUnbalanced`` (``Balances.Deposit``
    to its account, ``Treasury.Deposit``), per depositor and in that order; the issuance is unchanged
    (the two imbalances offset). The simulator used to repatriate the reserve
    (``ReserveRepatriated``): the same balances, events no real node emits."""
    from pallets.treasury import treasury_account

    rt = runtime()
    call = set_balance("//X", UNIT)
    dem(rt, "Alice", "propose", proposal=inline(call), value=DEPOSIT)
    dem(rt, "Bob", "second", proposal=0)
    issuance = rt.query("Balances", "TotalIssuance").raw
    treasury = rt.free_balance(treasury_account())
    receipt = rt.dispatch("root", "Democracy", "blacklist", {"proposal_hash": proposal_hash(call), "maybe_ref_index": None})
    money = [(e.name, dict(e.attributes)) for e in receipt.triggered_events if e.name.split(".")[0] in ("Balances", "Treasury")]
    tr = treasury_account()
    assert money == [
        ("Balances.Slashed", {"who": rt.account("Alice"), "amount": DEPOSIT}),
        ("Balances.Deposit", {"who": tr, "amount": DEPOSIT}),
        ("Balances.Endowed", {"account": tr, "free_balance": DEPOSIT}),  # the dev chain's Treasury starts empty
        ("Treasury.Deposit", {"value": DEPOSIT}),
        ("Balances.Slashed", {"who": rt.account("Bob"), "amount": DEPOSIT}),
        ("Balances.Deposit", {"who": tr, "amount": DEPOSIT}),
        ("Treasury.Deposit", {"value": DEPOSIT}),
    ]
    assert rt.query("Balances", "TotalIssuance").raw == issuance
    assert treasury == 0 and rt.free_balance(tr) == 2 * DEPOSIT and reserved(rt, "Alice") == reserved(rt, "Bob") == 0
