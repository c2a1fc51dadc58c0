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

The calls each path is made of come from :mod:`simulations.lab.gov_calls`, which the lab's veto
paths (``governance.path``) use too; the lab adds the agents (turnout, reaction delays, votes) and
the distribution over runs (``python3 -m simulations.lab.gov_report``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runtime import UNIT, GenesisConfig, Runtime  # noqa: E402
from runtime.accounts import DEV_ACCOUNTS  # noqa: E402
from pallets.primitives.bounded import inline  # noqa: E402
from simulations.lab import gov_calls as gc  # noqa: E402

COUNCIL = ["Alice", "Bob", "Charlie", "Dave", "Eve"]


def runtime() -> Runtime:
    """A dev chain (6 s time base, Democracy's testnet periods) whose Council is the five dev accounts."""
    rt = Runtime(GenesisConfig.dev())
    rt.dispatch("root", "Council", "set_members", {"new_members": [DEV_ACCOUNTS[n] for n in COUNCIL], "prime": None, "old_count": 0})
    return rt


def motion(rt: Runtime, call: dict, ayes: int) -> object:
    return gc.council_motion(rt, COUNCIL, call, ayes, closer="Ferdie")


def aye(balance: int, conviction: str = "None") -> dict:
    return gc.standard_vote(True, balance, conviction)

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
    rt = runtime()
    era_start = gc.staking_offence(rt, TEN_PERCENT, at_era_end=report_at_era_end)
    return rt, era_start


CANCEL = gc.cancel_deferred_slash(12, [0])


def start(rt: Runtime, path: str) -> None:
    if path == "sudo":
        rt.dispatch("Alice", "Sudo", "sudo", {"call": CANCEL})
    elif path == "council motion (direct)":
        motion(rt, CANCEL, 5)
    elif path in ("democracy fast-track", "democracy instant"):
        # the lab's referendum_fast_track / referendum_instant paths, all councillors at once
        instant = path == "democracy instant"
        for call, num, den in (gc.external_motion(CANCEL, instant), gc.fast_track_motion(CANCEL, 1 if instant else 28_800, instant)):
            motion(rt, call, gc.at_least(len(COUNCIL), num, den))
        rt.dispatch("Ferdie", "Democracy", "vote", {"ref_index": 0, "vote": aye(UNIT)})
    elif path == "democracy standard (public)":
        rt.dispatch("Alice", "Democracy", "propose", {"proposal": inline(CANCEL), "value": 1_000 * UNIT})
    elif path == "democracy external (no fast-track)":
        motion(rt, gc.c("Democracy", "external_propose", proposal=inline(CANCEL)), 3)
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
