"""The governance paths to Staking.cancel_deferred_slash (AdminOrigin = Root only), through real
calls in the 6 s time base (1,200-block sessions, 3-session eras, the testnet's Democracy periods):
a slash reported in era E is applied at the start of era E + 11 (here: reported in era 1, applied
at era 12's first block, ~39,600 blocks later).

* a fast-tracked referendum (external_propose_majority by 4/5, fast_track by 4/5 with the minimum
  FastTrackVotingPeriod of 28,800 blocks) started right after the report lands in time;
* an instant one (external_propose_default and fast_track by 5/5, voting period 1) lands in 2 blocks;
* a standard public proposal cannot: launch + 7-day vote + 3-day enactment is longer than the window,
  so the slash is applied while the referendum is still being voted on."""

from __future__ import annotations

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from simulations.lab import gov_calls as gc
from tests.democracy.dem_helpers import UNIT, aye, c, inline, motion, proposal_hash, runtime

BOB, CHARLIE = DEV_ACCOUNTS["Bob"], DEV_ACCOUNTS["Charlie"]
TEN_PERCENT = 100_000_000
CANCEL = c("Staking", "cancel_deferred_slash", era=12, slash_indices=[0])


def reported() -> Runtime:
    """Bob validates with Charlie's nomination; an offence of Bob is reported in era 1."""
    rt = runtime(short=False)
    gc.staking_offence(rt, TEN_PERCENT)
    assert len(rt.query("Staking", "UnappliedSlashes", [12]).raw) == 1
    return rt


def active(rt: Runtime, who: str) -> int:
    return rt.pallets["Staking"].storage.Ledger.get(who).active


def run_past_application(rt: Runtime) -> int:
    """Advance to the first block of era 12 (when the slash applies); returns that block."""
    while rt.current_era < 12:
        rt.advance_sessions(1)
    return rt.block_number


def test_fast_tracked_referendum_cancels_the_slash_in_time() -> None:
    rt = reported()
    report_block = rt.block_number
    assert motion(rt, c("Democracy", "external_propose_majority", proposal=inline(CANCEL)), 4)["result"] is None
    ft = c("Democracy", "fast_track", proposal_hash=proposal_hash(CANCEL), voting_period=28_800, delay=0)
    assert motion(rt, ft, 4)["result"] is None
    f = rt.block_number
    rt.dispatch("Ferdie", "Democracy", "vote", {"ref_index": 0, "vote": aye(10 * UNIT)})
    rt.run_to_block(f + 28_801)
    (done,) = rt.events_named("Scheduler.Dispatched")
    assert done.block == f + 28_801 and done["result"] is None
    assert rt.query("Staking", "UnappliedSlashes", [12]).raw == ()
    applied_at = run_past_application(rt)
    assert applied_at - report_block > 28_801
    assert not rt.events_named("Staking.Slashed")
    assert active(rt, BOB) == 100 * UNIT and active(rt, CHARLIE) == 300 * UNIT


def test_instant_referendum_cancels_the_slash_in_two_blocks() -> None:
    rt = reported()
    assert motion(rt, c("Democracy", "external_propose_default", proposal=inline(CANCEL)), 5)["result"] is None
    instant = c("Democracy", "fast_track", proposal_hash=proposal_hash(CANCEL), voting_period=1, delay=0)
    assert motion(rt, instant, 4)["result"] == "BadOrigin"  # a short voting period needs the whole Council
    assert motion(rt, instant, 5)["result"] is None
    f = rt.block_number
    rt.dispatch("Ferdie", "Democracy", "vote", {"ref_index": 0, "vote": aye(UNIT)})
    rt.run_to_block(f + 2)
    (done,) = rt.events_named("Scheduler.Dispatched")
    assert done.block == f + 2 and done["result"] is None
    assert rt.query("Staking", "UnappliedSlashes", [12]).raw == ()
    run_past_application(rt)
    assert not rt.events_named("Staking.Slashed") and active(rt, BOB) == 100 * UNIT


def test_standard_referendum_is_too_slow_and_the_slash_lands() -> None:
    rt = reported()
    rt.dispatch("Alice", "Democracy", "propose", {"proposal": inline(CANCEL), "value": 1_000 * UNIT})
    # the next LaunchPeriod boundary tables it; everyone votes aye at once
    rt.run_to_block((rt.block_number // 7_200 + 1) * 7_200)
    started = rt.events_named("Democracy.Started")[-1]
    for who in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"):
        rt.dispatch(who, "Democracy", "vote", {"ref_index": started["ref_index"], "vote": aye(500_000 * UNIT, "Locked6x")})
    status = rt.query("Democracy", "ReferendumInfoOf", [0]).raw.value
    applied_at = run_past_application(rt)
    assert applied_at < status.end  # still voting when the slash applies
    assert {e["staker"] for e in rt.events_named("Staking.Slashed")} == {BOB, CHARLIE}
    assert active(rt, BOB) == 90 * UNIT and active(rt, CHARLIE) == 270 * UNIT
    assert not rt.events_named("Scheduler.Dispatched")
