from dataclasses import dataclass

from runtime.genesis import UNIT


@dataclass(frozen=True)
class DemocracyConstants:
    """The testnet's Democracy configuration in the simulator's time base: 6 s blocks (1,200-block
    sessions, 3 sessions an era), T:prim ``LAUNCH_PERIOD`` etc. The metadata file comes from the 1 s
    ``manual-seal`` build, whose block-denominated values are 6x larger for the same hours
    (VotingPeriod 604,800 there = 7 days)."""

    LaunchPeriod: int = 7_200  # 12 h
    VotingPeriod: int = 100_800  # 7 days
    FastTrackVotingPeriod: int = 28_800  # 48 h
    EnactmentPeriod: int = 43_200  # 3 days
    VoteLockingPeriod: int = 43_200  # 3 days
    CooloffPeriod: int = 43_200  # 3 days
    MinimumDeposit: int = 1_000 * UNIT
    InstantAllowed: bool = True
    MaxVotes: int = 100
    MaxProposals: int = 100
    MaxDeposits: int = 100
    MaxBlacklisted: int = 100
