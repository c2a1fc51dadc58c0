"""The runs arms can be compared on: the seeds every arm completed.

Arms are compared paired, run with seed s against run with seed s (common random numbers). A
partial sweep (interrupted, or still running) has finished different seeds in different arms; a
mean over arm A's 9 seeds next to one over arm B's 8 compares different draws, and the ranking can
flip. So every comparison first keeps the seeds that every compared arm completed, and says how
many seeds that is and how many stored runs it left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class CommonSeeds:
    """``frame`` restricted to the seeds every arm completed, and what that cost."""

    frame: pd.DataFrame
    seeds: int  # seeds every arm completed
    arms: int
    stored: int  # runs in the frame given
    left_out: int  # of those, runs on a seed some arm has not completed

    @property
    def comparable(self) -> bool:
        """Whether any seed is common to every arm (else no arm can be compared with another yet)."""
        return self.seeds > 0

    @property
    def complete(self) -> bool:
        return self.left_out == 0

    def sentence(self) -> str:
        """How the comparison was restricted, for a caption or a page."""
        if not self.comparable:
            return (f"the arms cannot be compared yet: no seed has a completed run in every one of the {self.arms} arms "
                    f"({self.stored} stored runs); resume the sweep to finish them")
        if self.complete:
            return f"paired on the {self.seeds} seeds every arm completed"
        return (f"paired on the {self.seeds} seed{'s' if self.seeds != 1 else ''} every arm completed; {self.left_out} of the "
                f"{self.stored} stored runs (seeds some arm has not finished) left out")


def common_seeds(frame: pd.DataFrame, arm: str = "arm", pair_on: str = "seed") -> CommonSeeds:
    """The rows of ``frame`` whose ``pair_on`` value every ``arm`` has (order kept). A frame
    without the pairing column is returned whole: it cannot be paired, and nothing is left out."""
    if frame.empty or arm not in frame.columns or pair_on not in frame.columns:
        arms = int(frame[arm].nunique()) if arm in frame.columns else 0
        return CommonSeeds(frame, int(frame[pair_on].nunique()) if pair_on in frame.columns else len(frame), arms, len(frame), 0)
    per_arm = frame.groupby(arm, sort=False)[pair_on].agg(lambda s: frozenset(s.tolist()))
    shared = frozenset.intersection(*per_arm.tolist()) if len(per_arm) else frozenset()
    keep = frame[pair_on].isin(shared)
    kept = frame[keep]
    return CommonSeeds(kept, len(shared), len(per_arm), len(frame), int((~keep).sum()))
