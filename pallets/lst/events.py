from runtime.events import EventSet
from runtime.primitives import U32, AccountId, Balance, Bool, Perbill

from pallets.lst.types import CommissionChangeRate, CommissionClaimPermission, PoolState


class Event(EventSet, pallet="Lst"):
    Created = (0, {"depositor": AccountId, "pool_id": U32})
    Bonded = (1, {"member": AccountId, "pool_id": U32, "bonded": Balance, "joined": Bool})
    PaidOut = (2, {"member": AccountId, "pool_id": U32, "payout": Balance})
    Unbonded = (3, {"member": AccountId, "pool_id": U32, "balance": Balance, "points": Balance, "era": U32})
    Withdrawn = (4, {"member": AccountId, "pool_id": U32, "balance": Balance, "points": Balance})
    Destroyed = (5, {"pool_id": U32})
    StateChanged = (6, {"pool_id": U32, "new_state": PoolState})
    MemberRemoved = (7, {"pool_id": U32, "member": AccountId})
    RolesUpdated = (8, {"root": AccountId | None, "bouncer": AccountId | None, "nominator": AccountId | None})
    PoolSlashed = (9, {"pool_id": U32, "balance": Balance})
    UnbondingPoolSlashed = (10, {"pool_id": U32, "era": U32, "balance": Balance})
    PoolCommissionUpdated = (11, {"pool_id": U32, "current": tuple[Perbill, AccountId] | None})
    PoolMaxCommissionUpdated = (12, {"pool_id": U32, "max_commission": Perbill})
    PoolCommissionChangeRateUpdated = (13, {"pool_id": U32, "change_rate": CommissionChangeRate})
    PoolCommissionClaimPermissionUpdated = (14, {"pool_id": U32, "permission": CommissionClaimPermission | None})
    PoolCommissionClaimed = (15, {"pool_id": U32, "commission": Balance})
    MinBalanceDeficitAdjusted = (16, {"pool_id": U32, "amount": Balance})
    MinBalanceExcessAdjusted = (17, {"pool_id": U32, "amount": Balance})
    LastPoolIdUpdated = (18, {"pool_id": U32})
