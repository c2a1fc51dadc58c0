from dataclasses import dataclass

from runtime.genesis import UNIT
from runtime.primitives import U32, U64, U128


@dataclass(frozen=True)
class DemocracyConstants:
    """The testnet's Democracy configuration in the simulator's time base: 6 s blocks (1,200-block
    sessions, 3 sessions an era), T:prim ``LAUNCH_PERIOD`` etc. The metadata file comes from the 1 s
    ``manual-seal`` build, whose block-denominated values are 6x larger for the same hours
    (VotingPeriod 604,800 there = 7 days)."""

    LaunchPeriod: U64 = 7_200  # 12 h
    VotingPeriod: U64 = 100_800  # 7 days
    FastTrackVotingPeriod: U64 = 28_800  # 48 h
    EnactmentPeriod: U64 = 43_200  # 3 days
    VoteLockingPeriod: U64 = 43_200  # 3 days
    CooloffPeriod: U64 = 43_200  # 3 days
    MinimumDeposit: U128 = 1_000 * UNIT
    InstantAllowed: bool = True
    MaxVotes: U32 = 100
    MaxProposals: U32 = 100
    MaxDeposits: U32 = 100
    MaxBlacklisted: U32 = 100
