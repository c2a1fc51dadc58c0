"""Scheduler and Democracy say when their ``on_initialize`` next acts (``next_hook_block``), so the
runtime crosses idle blocks of a launch, voting or enactment period at once: a governance run that
skips them ends in exactly the state root and event log of the same run stepped block by block."""

from __future__ import annotations

import random

import pytest

from runtime import GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from tests.democracy.dem_helpers import COUNCIL, UNIT, aye, c, inline, motion, nay, proposal_hash, runtime


PERIODS = {"LaunchPeriod": 300, "VotingPeriod": 500, "FastTrackVotingPeriod": 100, "EnactmentPeriod": 200, "VoteLockingPeriod": 200, "CooloffPeriod": 200}


def _scenario(seed: int, skip: bool) -> Runtime:
    rng = random.Random(seed)
    rt = Runtime(GenesisConfig.dev(constants={"Democracy": PERIODS}))
    rt.dispatch("root", "Council", "set_members", {"new_members": [DEV_ACCOUNTS[n] for n in COUNCIL], "prime": None, "old_count": 0})
    rt.skip_idle_blocks = skip
    n = 0
    for step in range(14):
        r = rng.random()
        remark = c("System", "remark_with_event", remark="0x" + bytes([step]).hex())
        if r < 0.25:  # a public proposal, tabled at the next launch boundary
            rt.dispatch("Dave", "Democracy", "propose", {"proposal": inline(remark), "value": 1_000 * UNIT}, raise_error=False)
        elif r < 0.45:  # fast-tracked external
            if motion(rt, c("Democracy", "external_propose_majority", proposal=inline(remark)), 4).name == "Council.Executed":
                motion(rt, c("Democracy", "fast_track", proposal_hash=proposal_hash(remark), voting_period=rng.choice([1, 100, 150]), delay=rng.choice([0, 7])), 5)
        elif r < 0.6:  # a scheduler task, sometimes periodic
            rt.dispatch("root", "Scheduler", "schedule_after", {"after": rng.choice([0, 3, 250, 900]),
                                                               "maybe_periodic": rng.choice([None, (40, 3)]), "priority": 0, "call": remark})
        elif r < 0.7 and rt.query("Democracy", "ReferendumCount").raw:  # cancel the newest referendum
            rt.dispatch("root", "Democracy", "cancel_referendum", {"ref_index": rt.query("Democracy", "ReferendumCount").raw - 1}, raise_error=False)
        count = rt.query("Democracy", "ReferendumCount").raw
        for index in range(n, count):
            rt.dispatch("Eve", "Democracy", "vote", {"ref_index": index, "vote": aye(10 * UNIT) if rng.random() < 0.7 else nay(5 * UNIT)}, raise_error=False)
        n = count
        rt.advance_blocks(rng.choice([1, 2, 5, 99, 100, 101, 299, 300, 301, 777, 1_500]))
    return rt


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_skipping_governance_idle_blocks_gives_the_stepped_chain(seed: int) -> None:
    stepped = _scenario(seed, skip=False)
    skipped = _scenario(seed, skip=True)
    assert skipped.block_number == stepped.block_number
    assert skipped.state_root() == stepped.state_root()
    assert [repr(e) for e in skipped.all_events()] == [repr(e) for e in stepped.all_events()]
    names = {e.name for e in stepped.all_events()}
    assert {"Democracy.Started", "Scheduler.Dispatched"} <= names


def test_governance_pallets_declare_their_next_hook_block() -> None:
    rt = runtime(short=False)
    sched, dem = rt.pallets["Scheduler"], rt.pallets["Democracy"]
    launch = dem.consts.LaunchPeriod
    assert sched.next_hook_block(rt.block_number + 1) is None
    assert dem.next_hook_block(5) == launch and dem.next_hook_block(launch) == launch and dem.next_hook_block(launch + 1) == 2 * launch
    rt.dispatch("root", "Scheduler", "schedule", {"when": 5_000, "maybe_periodic": None, "priority": 0,
                                                  "call": c("System", "remark_with_event", remark="0x01")})
    assert sched.next_hook_block(10) == 5_000 and sched.next_hook_block(5_001) is None
    remark = c("System", "remark_with_event", remark="0x02")
    motion(rt, c("Democracy", "external_propose_majority", proposal=inline(remark)), 4)
    motion(rt, c("Democracy", "fast_track", proposal_hash=proposal_hash(remark), voting_period=28_800, delay=0), 4)
    end = rt.block_number + 28_800
    assert end > 4 * launch
    assert dem.next_hook_block(rt.block_number + 1) == launch  # the boundary comes first
    boundary = (end - 1) + (-(end - 1)) % launch
    assert dem.next_hook_block(end - 1) == min(end, boundary) and dem.next_hook_block(end) == end  # then the bake
    rt.dispatch("root", "Democracy", "cancel_referendum", {"ref_index": 0})
    assert dem.next_hook_block(rt.block_number + 1) == rt.block_number + 1  # LowestUnbaked moves on at the next block
    # the skipping runtime is not slowed down to stepping: every governance pallet can say
    assert all(getattr(p, "next_hook_block", None) is not None for p in rt._block_hook_pallets)
