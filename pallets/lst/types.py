"""tangle-lst types with the real type and field names (pallets/tangle-lst/src/types)."""

from __future__ import annotations

from typing import Annotated

from runtime.codec import BytesCodec, ScaleEnum, struct
from runtime.primitives import U32, U64, U128, AccountId, Perbill

from pallets.staking.types import ConfigOpPerbill, ConfigOpU32, ConfigOpU128  # noqa: F401  (re-exported)

PoolId = U32
FIXED_U128_ONE = 10**18  # FixedU128 accuracy (RewardCounter)
Name = Annotated[bytes, BytesCodec("BoundedVec<u8>", 50)]
Icon = Annotated[bytes, BytesCodec("BoundedVec<u8>", 500)]


class PoolState(ScaleEnum):
    Open: None
    Blocked: None
    Destroying: None


class CommissionClaimPermission(ScaleEnum):
    Permissionless: None
    Account: AccountId


class ClaimPermission(ScaleEnum):
    """Members' permission for others to bond/withdraw on their behalf (nothing sets it in LST)."""

    Permissioned: None
    PermissionlessCompound: None
    PermissionlessWithdraw: None
    PermissionlessAll: None

    def can_bond_extra(self) -> bool:
        return self.name in ("PermissionlessAll", "PermissionlessCompound")


class BondExtra(ScaleEnum):
    FreeBalance: U128


class ConfigOpAccountId(ScaleEnum):
    __scale_name__ = "ConfigOp<AccountId32>"
    Noop: None
    Set: AccountId
    Remove: None


@struct
class PoolRoles:
    depositor: AccountId
    root: AccountId | None
    nominator: AccountId | None
    bouncer: AccountId | None


@struct
class PoolMetadata:
    name: Name | None = None  # type: ignore[valid-type]
    icon: Icon | None = None  # type: ignore[valid-type]


@struct
class CommissionChangeRate:
    max_increase: Perbill
    min_delay: U64


@struct
class Commission:
    current: tuple[Perbill, AccountId] | None = None
    max: Perbill | None = None
    change_rate: CommissionChangeRate | None = None
    throttle_from: U64 | None = None
    claim_permission: CommissionClaimPermission | None = None


@struct
class BondedPoolInner:
    commission: Commission
    roles: PoolRoles
    state: PoolState
    metadata: PoolMetadata


@struct
class RewardPool:
    last_recorded_reward_counter: U128  # FixedU128 inner value (x 10**18)
    last_recorded_total_payouts: U128
    total_rewards_claimed: U128
    total_commission_pending: U128
    total_commission_claimed: U128


EMPTY_REWARD_POOL = RewardPool(0, 0, 0, 0, 0)


@struct
class UnbondPool:
    points: U128
    balance: U128


EMPTY_UNBOND_POOL = UnbondPool(0, 0)


@struct
class SubPools:
    """``with_era`` is a BoundedBTreeMap<EraIndex, UnbondPool>: here (era, pool) pairs sorted by era."""

    no_era: UnbondPool
    with_era: tuple[tuple[U32, UnbondPool], ...] = ()

    def get(self, era: int) -> UnbondPool | None:
        for e, pool in self.with_era:
            if e == era:
                return pool
        return None


EMPTY_SUB_POOLS = SubPools(EMPTY_UNBOND_POOL, ())


@struct
class PoolMember:
    """``unbonding_eras``: BoundedBTreeMap<EraIndex, (PoolId, points)>, as (era, (pool, points)) pairs
    sorted by era. Under the intended profile one era may hold one entry per pool (see
    :mod:`pallets.lst.unbonding`), a documented deviation from the map's one-entry-per-era shape."""

    unbonding_eras: tuple[tuple[U32, tuple[U32, U128]], ...] = ()

    def unbonding_points(self) -> int:
        return sum(points for _, (_, points) in self.unbonding_eras)
