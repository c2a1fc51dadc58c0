"""A deterministic validator election (the simulator's stand-in for the multi-phase Phragmén
election provider).

Rules, chosen to be simple, reproducible and close to what NPoS yields for the usual cases:

1. Candidates are the stashes in ``Validators`` (not chilled) with a positive score.
2. A voter is a nominator with active stake ``>= MinimumActiveStake``; its *valid targets* are
   the distinct nominated stashes that are candidates (votes for non-validators are ignored, as
   the real snapshot only holds validators).
3. Score of a candidate = its own active stake + for every voter backing it,
   ``voter.active // len(voter's valid targets)``.
4. The ``desired`` candidates with the highest score win; equal scores are ordered by
   AccountId bytes (ascending), the order the chain's BTreeMaps use.
5. Exposures: each voter's active stake is split equally among its *elected* targets (integer
   division; the remainder goes to the first elected target in AccountId order), so exposures
   add up exactly to the stake behind the winners. Each exposure lists its nominators in
   AccountId order.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from runtime.accounts import account_bytes


class Support(NamedTuple):
    """One winner: its stash, total backing, own stake and ``(nominator, value)`` backers."""

    stash: str
    total: int
    own: int
    others: tuple[tuple[str, int], ...]


def elect(candidates: dict[str, int], voters: Iterable[tuple[str, int, tuple[str, ...]]], desired: int) -> list[Support]:
    """Run the election. ``candidates`` maps stash -> own active stake; ``voters`` yields
    ``(nominator, active, targets)``. Returns the winners in AccountId order."""
    score = dict(candidates)
    valid: list[tuple[str, int, tuple[str, ...]]] = []
    for who, active, targets in voters:
        if active <= 0:
            continue
        seen: list[str] = []
        for t in targets:
            if t in candidates and t not in seen:
                seen.append(t)
        if not seen:
            continue
        share = active // len(seen)
        for t in seen:
            score[t] += share
        valid.append((who, active, tuple(seen)))
    ranked = sorted((s for s in score.items() if s[1] > 0), key=lambda kv: (-kv[1], account_bytes(kv[0])))
    winners = {stash for stash, _ in ranked[: max(desired, 0)]}
    backers: dict[str, list[tuple[str, int]]] = {w: [] for w in winners}
    for who, active, targets in valid:
        elected = sorted((t for t in targets if t in winners), key=account_bytes)
        if not elected:
            continue
        share, rest = divmod(active, len(elected))
        for i, t in enumerate(elected):
            value = share + rest if i == 0 else share
            if value:
                backers[t].append((who, value))
    out = []
    for stash in sorted(winners, key=account_bytes):
        others = tuple(sorted(backers[stash], key=lambda b: account_bytes(b[0])))
        own = candidates[stash]
        out.append(Support(stash, own + sum(v for _, v in others), own, others))
    return out
