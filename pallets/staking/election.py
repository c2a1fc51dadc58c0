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


_KEYS: dict[str, bytes] = {}


def sort_key(account: str) -> bytes:
    """AccountId bytes, cached without bound (runtime.accounts caches only 65,536 accounts, and an
    election over more voters would decode SS58 again at every era)."""
    key = _KEYS.get(account)
    if key is None:
        key = _KEYS[account] = account_bytes(account)
    return key


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
    valid: list[tuple[bytes, str, int, tuple[str, ...]]] = []
    for who, active, targets in voters:
        if active <= 0:
            continue
        seen = [t for t in dict.fromkeys(targets) if t in candidates]
        if not seen:
            continue
        share = active // len(seen)
        for t in seen:
            score[t] += share
        valid.append((sort_key(who), who, active, tuple(seen)))
    key = {c: sort_key(c) for c in candidates}
    ranked = sorted((s for s in score.items() if s[1] > 0), key=lambda kv: (-kv[1], key[kv[0]]))
    winners = sorted((stash for stash, _ in ranked[: max(desired, 0)]), key=key.__getitem__)
    rank = {w: i for i, w in enumerate(winners)}
    backers: dict[str, list[tuple[str, int]]] = {w: [] for w in winners}
    valid.sort()  # voters in AccountId order, so each winner's backers come out sorted
    for _, who, active, targets in valid:
        elected = [t for t in targets if t in rank]
        if len(elected) > 1:
            elected.sort(key=rank.__getitem__)
        if not elected:
            continue
        share, rest = divmod(active, len(elected))
        for i, t in enumerate(elected):
            value = share + rest if i == 0 else share
            if value:
                backers[t].append((who, value))
    out = []
    for stash in winners:
        others = tuple(backers[stash])
        own = candidates[stash]
        out.append(Support(stash, own + sum([v for _, v in others]), own, others))
    return out
