from dataclasses import dataclass

from runtime.primitives import U32, U64


@dataclass(frozen=True)
class CollectiveConstants:
    """The testnet Council's configuration in the simulator's 6 s time base (T:lib.rs
    ``CouncilMotionDuration = 5 * DAYS``; the 1 s metadata build has 432,000 for the same 5 days)."""

    MotionDuration: U64 = 72_000
    MaxProposals: U32 = 100
    MaxMembers: U32 = 100
    MaxProposalWeight: U64 = 1_000_000_000_000  # ref_time: 50 % of a block
