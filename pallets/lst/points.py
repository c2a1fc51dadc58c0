"""Point arithmetic of the pools (U256 in the chain, exact Python ints here; floor division).

A pool's *points* are the total issuance of its token; its *balance* is the bonded account's
active stake, read live from staking (so a slash of the active stake moves the price at once).
Unbonding sub-pools use the same two formulas with their own (balance, points).
"""

from __future__ import annotations

import dataclasses

from pallets.lst.types import EMPTY_UNBOND_POOL, SubPools, UnbondPool

MAX_U128 = (1 << 128) - 1


def balance_to_point(current_balance: int, current_points: int, new_funds: int) -> int:
    """Points issued for ``new_funds``: 1:1 for an empty pool, ``P * x / A`` otherwise
    (``x * P`` if the pool was slashed to zero balance)."""
    if current_points == 0:
        return new_funds
    if current_balance == 0:
        return min(new_funds * current_points, MAX_U128)
    return current_points * new_funds // current_balance


def point_to_balance(current_balance: int, current_points: int, points: int) -> int:
    """Balance owed for ``points``: ``A * p / P`` (0 when anything is 0)."""
    if current_balance == 0 or current_points == 0 or points == 0:
        return 0
    return current_balance * points // current_points


def unbond_pool_issue(pool: UnbondPool, new_funds: int) -> tuple[UnbondPool, int]:
    """Add ``new_funds`` to an unbonding sub-pool; returns the new pool and the points issued."""
    points = balance_to_point(pool.balance, pool.points, new_funds)
    return UnbondPool(pool.points + points, pool.balance + new_funds), points


def unbond_pool_dissolve(pool: UnbondPool, points: int) -> tuple[UnbondPool, int]:
    """Take ``points`` out of a sub-pool; returns the new pool and the balance they are worth."""
    balance = point_to_balance(pool.balance, pool.points, points)
    return UnbondPool(max(pool.points - points, 0), max(pool.balance - balance, 0)), balance


def maybe_merge_pools(sub_pools: SubPools, current_era: int, window: int) -> SubPools:
    """Fold every era sub-pool with era ``<= current_era - window`` into ``no_era``."""
    if current_era < window:
        return sub_pools
    newest_to_remove = current_era - window
    keep = []
    no_era = sub_pools.no_era
    for era, pool in sub_pools.with_era:
        if era > newest_to_remove:
            keep.append((era, pool))
        else:
            no_era = UnbondPool(no_era.points + pool.points, no_era.balance + pool.balance)
    if len(keep) == len(sub_pools.with_era):
        return sub_pools
    return SubPools(no_era, tuple(keep))


def set_era_pool(sub_pools: SubPools, era: int, pool: UnbondPool | None) -> SubPools:
    """``with_era[era] = pool`` (``None`` removes it), keeping eras sorted."""
    rest = [(e, p) for e, p in sub_pools.with_era if e != era]
    if pool is not None:
        rest.append((era, pool))
        rest.sort(key=lambda x: x[0])
    return dataclasses.replace(sub_pools, with_era=tuple(rest))


__all__ = ["EMPTY_UNBOND_POOL", "balance_to_point", "point_to_balance", "unbond_pool_issue", "unbond_pool_dissolve", "maybe_merge_pools", "set_era_pool"]
