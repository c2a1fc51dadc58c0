"""Rules that move time: blocks, rounds (= sessions) and eras, running every hook on the way
(request expiry, deferred slashes, era payouts, reward accrual)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from simulations.stateful.rulebase import RuleMixin


class TimeRules(RuleMixin):
    """Advancing the chain (not calls: the call log records each call's block, so replay catches up)."""

    @rule(n=st.integers(min_value=1, max_value=12))
    def advance_blocks(self, n: int) -> None:
        self.advance(lambda: self.rt.advance_blocks(n))

    @rule(n=st.integers(min_value=1, max_value=3))
    def advance_rounds(self, n: int) -> None:
        self.advance(lambda: self.rt.advance_rounds(n))

    @rule()
    def advance_era(self) -> None:
        """Advance to the next staking era, or by one era's worth of rounds when no era can start
        (``rt.advance_eras`` waits forever if staking cannot elect anyone, e.g. every validator chilled)."""
        rt = self.rt

        def step() -> None:
            era = rt.current_era
            for _ in range(rt.genesis.sessions_per_era + 1):
                rt.advance_rounds(1)
                if rt.current_era > era:
                    return

        self.advance(step)
