"""Block / round / era arithmetic of the simulated chain, for predicting deadlines.

Session ``s`` (= MultiAssetDelegation round) starts at block ``s * L + 1`` (the Session pallet
rotates in ``on_initialize`` of blocks ``n`` with ``(n - 1) % L == 0``). Without forcing, staking
era ``e`` becomes active when session ``e * SessionsPerEra`` starts. The runner checks these
predictions against the runtime (``rt.current_round`` / ``rt.current_era``) in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    session_length: int
    sessions_per_era: int

    def round_of(self, block: int) -> int:
        """The round (session index) in force during ``block`` (after its on_initialize)."""
        return max(block - 1, 0) // self.session_length

    def first_block_of_round(self, r: int) -> int:
        return r * self.session_length + 1

    def last_block_of_round(self, r: int) -> int:
        return (r + 1) * self.session_length

    def era_of(self, block: int) -> int:
        """The active staking era during ``block`` (no forcing)."""
        return self.round_of(block) // self.sessions_per_era

    def first_block_of_era(self, e: int) -> int:
        return self.first_block_of_round(e * self.sessions_per_era)

    @property
    def era_length(self) -> int:
        return self.session_length * self.sessions_per_era
