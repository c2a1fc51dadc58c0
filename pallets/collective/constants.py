from dataclasses import dataclass


@dataclass(frozen=True)
class CollectiveConstants:
    """The testnet Council's configuration in the simulator's 6 s time base (T:lib.rs
    ``CouncilMotionDuration = 5 * DAYS``; the 1 s metadata build has 432,000 for the same 5 days)."""

    MotionDuration: int = 72_000
    MaxProposals: int = 100
    MaxMembers: int = 100
    MaxProposalWeight: int = 1_000_000_000_000  # ref_time: 50 % of a block
