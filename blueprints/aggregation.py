"""How a manager turns several operators' results for one call into one accepted result.

The chain itself never compares results (v1 stores the last one; v2 only counts them). A manager
that wants "k operators agree" must do it in ``on_job_result``; these policies are that decision,
kept separate from the bookkeeping so authors can pick one per job or write their own.
``decide`` receives each distinct result with how many operators submitted it first (an operator
counts once, for its first submission: equivocation cannot buy a quorum).
"""

from __future__ import annotations

from typing import Any, Sequence


class Aggregation:
    """Base policy: implement :meth:`required` (a counting policy: the first result that many
    operators agree on wins) or override :meth:`decide` for anything else."""

    def decide(self, tallies: Sequence[tuple[Any, int]], operators: int) -> Any | None:
        """The accepted result among ``tallies`` ((result, count) in first-seen order), or None
        while undecided. ``operators`` is the size of the service's operator set."""
        need = self.required(operators)
        for result, count in tallies:
            if count >= need:
                return result
        return None

    def required(self, operators: int) -> int:
        """How many matching results this policy needs for ``operators`` operators (for display and for v2's
        ``getRequiredResultCount``)."""
        raise NotImplementedError


class FirstResult(Aggregation):
    """v1's behaviour: the first result is the result."""

    def decide(self, tallies: Sequence[tuple[Any, int]], operators: int) -> Any | None:
        return tallies[0][0] if tallies else None

    def required(self, operators: int) -> int:
        return 1

    def __repr__(self) -> str:
        return "FirstResult()"


class Quorum(Aggregation):
    """Accept a result once ``k`` operators submitted it (IncredibleSquaring's ``consensus_square``)."""

    def __init__(self, k: int) -> None:
        if k < 1:
            raise ValueError("a quorum needs at least one result")
        self.k = k

    def required(self, operators: int) -> int:
        return self.k

    def __repr__(self) -> str:
        return f"Quorum({self.k})"


class Threshold(Aggregation):
    """Accept a result once at least ``percent`` % of the service's operators submitted it
    (a count-based signature threshold, like v2's default 6,700 bps)."""

    def __init__(self, percent: int) -> None:
        if not (0 < percent <= 100):
            raise ValueError("percent must be in (0, 100]")
        self.percent = percent

    def required(self, operators: int) -> int:
        return max(1, -(-self.percent * operators // 100))

    def __repr__(self) -> str:
        return f"Threshold({self.percent}%)"


class Majority(Aggregation):
    """Accept a result once more than half of the service's operators submitted it (Rocket Pool's
    oracle DAO consensus)."""

    def required(self, operators: int) -> int:
        return operators // 2 + 1

    def __repr__(self) -> str:
        return "Majority()"
