"""MultiAssetDelegation events (26) with their real field names and metadata indices."""

from runtime.events import EventSet
from runtime.primitives import U32, U64, U128, AccountId, Bytes, H160

from pallets.primitives.assets import Asset


class Event(EventSet, pallet="MultiAssetDelegation"):
    OperatorJoined = (0, {"who": AccountId})
    OperatorLeavingScheduled = (1, {"who": AccountId})
    OperatorLeaveCancelled = (2, {"who": AccountId})
    OperatorLeaveExecuted = (3, {"who": AccountId})
    OperatorBondMore = (4, {"who": AccountId, "additional_bond": U128})
    OperatorBondLessScheduled = (5, {"who": AccountId, "unstake_amount": U128})
    OperatorBondLessExecuted = (6, {"who": AccountId})
    OperatorBondLessCancelled = (7, {"who": AccountId})
    OperatorWentOffline = (8, {"who": AccountId})
    OperatorWentOnline = (9, {"who": AccountId})
    Deposited = (10, {"who": AccountId, "amount": U128, "asset": Asset})
    ScheduledWithdraw = (11, {"who": AccountId, "amount": U128, "asset": Asset, "when": U32})
    ExecutedWithdraw = (12, {"who": AccountId})
    CancelledWithdraw = (13, {"who": AccountId, "asset": Asset, "amount": U128})
    Delegated = (14, {"who": AccountId, "operator": AccountId, "amount": U128, "asset": Asset})
    DelegatorUnstakeScheduled = (15, {"who": AccountId, "operator": AccountId, "asset": Asset, "amount": U128, "when": U32})
    DelegatorUnstakeExecuted = (16, {"who": AccountId, "operator": AccountId, "asset": Asset, "amount": U128})
    DelegatorUnstakeCancelled = (17, {"who": AccountId, "operator": AccountId, "asset": Asset, "amount": U128})
    OperatorSlashed = (18, {"operator": AccountId, "amount": U128, "service_id": U64, "blueprint_id": U64, "era": U32})
    DelegatorSlashed = (19, {"delegator": AccountId, "amount": U128, "asset": Asset, "service_id": U64, "blueprint_id": U64, "era": U32})
    NominatedSlash = (20, {"delegator": AccountId, "operator": AccountId, "amount": U128, "service_id": U64, "blueprint_id": U64, "era": U32})
    EvmReverted = (21, {"from": H160, "to": H160, "data": Bytes, "reason": Bytes})
    NominationDelegated = (22, {"who": AccountId, "operator": AccountId, "amount": U128})
    NominationUnstakeScheduled = (23, {"who": AccountId, "operator": AccountId, "amount": U128, "when": U32})
    NominationUnstakeExecuted = (24, {"who": AccountId, "operator": AccountId, "amount": U128})
    NominationUnstakeCancelled = (25, {"who": AccountId, "operator": AccountId, "amount": U128})
