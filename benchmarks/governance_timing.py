"""Which governance path can cancel a deferred staking slash before it applies? (issue 15's finding)

Not a benchmark: an analysis script that drives the real calls (Sudo, Council motions, Democracy,
Scheduler, Staking) in the simulator's 6 s time base (1,200-block sessions, 3 sessions an era,
Democracy LaunchPeriod 7,200 / VotingPeriod 100,800 / FastTrackVotingPeriod 28,800 /
EnactmentPeriod 43,200 blocks). A slash reported in era E applies at the first block of era E+11.

For each path it measures, by running it, the block at which ``Staking.cancel_deferred_slash``
executes (or that it never does), for an offence reported at the first and at the last block of
era E and governance starting ``delay`` blocks after the report. It then prints, per path, whether
the veto lands and the longest reaction delay that still lands, checked at that delay and one more.

    PYTHONPATH=$PWD python3 benchmarks/governance_timing.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime import UNIT, Runtime  # noqa: E402
from tests.democracy.dem_helpers import aye, c, inline, motion, proposal_hash, runtime  # noqa: E402

ERA = 3_600
TEN_PERCENT = 100_000_000


@dataclass
class Outcome:
    path: str
    report_block: int
    start_block: int
    cancel_block: int | None  # when cancel_deferred_slash ran successfully
    applied_block: int  # first block of era E + 11
    slashed: bool

    @property
    def landed(self) -> bool:
        return self.cancel_block is not None and not self.slashed


def setup(report_at_era_end: bool) -> tuple[Runtime, int]:
    """Bob validates (Charlie nominates); the offence is reported in era 1, at its first or last block."""
    rt = runtime(short=False)
    rt.dispatch("Bob", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Bob", "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}})
    rt.dispatch("Charlie", "Staking", "bond", {"value": 300 * UNIT, "payee": "Staked"})
    rt.dispatch("Charlie", "Staking", "nominate", {"targets": ["Bob"]})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(1)
    era_start = rt.block_number
    if report_at_era_end:
        rt.run_to_block(era_start + ERA - 1)
    assert rt.current_era == 1
    rt.dispatch("root", "Staking", "report_offence", {"validator": "Bob", "slash_fraction": TEN_PERCENT})
    return rt, era_start


CANCEL = c("Staking", "cancel_deferred_slash", era=12, slash_indices=[0])


def start(rt: Runtime, path: str) -> None:
    if path == "sudo":
        rt.dispatch("Alice", "Sudo", "sudo", {"call": CANCEL})
    elif path == "council motion (direct)":
        motion(rt, CANCEL, 5)
    elif path == "democracy fast-track":
        motion(rt, c("Democracy", "external_propose_majority", proposal=inline(CANCEL)), 4)
        motion(rt, c("Democracy", "fast_track", proposal_hash=proposal_hash(CANCEL), voting_period=28_800, delay=0), 4)
        rt.dispatch("Ferdie", "Democracy", "vote", {"ref_index": 0, "vote": aye(UNIT)})
    elif path == "democracy instant":
        motion(rt, c("Democracy", "external_propose_default", proposal=inline(CANCEL)), 5)
        motion(rt, c("Democracy", "fast_track", proposal_hash=proposal_hash(CANCEL), voting_period=1, delay=0), 5)
        rt.dispatch("Ferdie", "Democracy", "vote", {"ref_index": 0, "vote": aye(UNIT)})
    elif path == "democracy standard (public)":
        rt.dispatch("Alice", "Democracy", "propose", {"proposal": inline(CANCEL), "value": 1_000 * UNIT})
    elif path == "democracy external (no fast-track)":
        motion(rt, c("Democracy", "external_propose", proposal=inline(CANCEL)), 3)
    else:  # pragma: no cover
        raise ValueError(path)


def run(path: str, report_at_era_end: bool, delay: int) -> Outcome:
    rt, _ = setup(report_at_era_end)
    report = rt.block_number
    rt.advance_blocks(delay)
    begin = rt.block_number
    start(rt, path)
    voted = False
    while rt.current_era < 12:
        # the public/external referendum starts at a LaunchPeriod boundary: everyone votes aye then
        info = rt.query("Democracy", "ReferendumInfoOf", [0]).raw
        if not voted and info is not None and info.name == "Ongoing":
            for who in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"):
                rt.dispatch(who, "Democracy", "vote", {"ref_index": 0, "vote": aye(500_000 * UNIT, "Locked6x")})
            voted = True
        rt.advance_blocks(min(600, max(1, ERA - 1)))
    applied = next(e.block for e in rt.events_named("Staking.EraPaid") if e["era_index"] == 11)  # era 12's first block
    cancel = None
    for e in rt.all_events():
        if e.name in ("Sudo.Sudid", "Council.Executed", "Scheduler.Dispatched"):
            ok = e.get("sudo_result", e.get("result")) is None
            if ok and (e.name != "Council.Executed" or path == "council motion (direct)"):
                cancel = e.block
    slashed = bool(rt.events_named("Staking.Slashed"))
    return Outcome(path, report, begin, cancel, applied, slashed)


def main() -> None:
    paths = ["sudo", "council motion (direct)", "democracy instant", "democracy fast-track",
             "democracy external (no fast-track)", "democracy standard (public)"]
    print("path | report at | window (blocks) | start delay | cancel executed at (+blocks after report) | slash applied at | landed")
    for path in paths:
        for at_end in (False, True):
            o = run(path, at_end, 0)
            window = o.applied_block - o.report_block
            after = "never" if o.cancel_block is None else f"+{o.cancel_block - o.report_block}"
            print(f"{path} | era {'end' if at_end else 'start'} | {window} | 0 | {after} | +{window} | {o.landed}")
    # the fast-track's reaction budget: it must start by A - 28,802 (enacted at F + 28,801 <= A - 1),
    # checked at the edge and one block past it
    for at_end in (False, True):
        first = run("democracy fast-track", at_end, 0)
        budget = first.applied_block - first.report_block - 28_802
        ok = run("democracy fast-track", at_end, budget)
        late = run("democracy fast-track", at_end, budget + 1)
        print(f"fast-track, report at era {'end' if at_end else 'start'}: window {ok.applied_block - ok.report_block} blocks; "
              f"started {budget} blocks ({budget * 6 / 3600:.2f} h) after the report: landed={ok.landed}; "
              f"{budget + 1} blocks: landed={late.landed}")


if __name__ == "__main__":
    main()
