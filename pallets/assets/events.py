from runtime.events import EventSet
from runtime.primitives import U8, U32, U128, AccountId, Bool, Bytes

A = U128


class Event(EventSet, pallet="Assets"):
    Created = (0, {"asset_id": A, "creator": AccountId, "owner": AccountId})
    Issued = (1, {"asset_id": A, "owner": AccountId, "amount": U128})
    Transferred = (2, {"asset_id": A, "from": AccountId, "to": AccountId, "amount": U128})
    Burned = (3, {"asset_id": A, "owner": AccountId, "balance": U128})
    TeamChanged = (4, {"asset_id": A, "issuer": AccountId, "admin": AccountId, "freezer": AccountId})
    OwnerChanged = (5, {"asset_id": A, "owner": AccountId})
    Frozen = (6, {"asset_id": A, "who": AccountId})
    Thawed = (7, {"asset_id": A, "who": AccountId})
    AssetFrozen = (8, {"asset_id": A})
    AssetThawed = (9, {"asset_id": A})
    AccountsDestroyed = (10, {"asset_id": A, "accounts_destroyed": U32, "accounts_remaining": U32})
    ApprovalsDestroyed = (11, {"asset_id": A, "approvals_destroyed": U32, "approvals_remaining": U32})
    DestructionStarted = (12, {"asset_id": A})
    Destroyed = (13, {"asset_id": A})
    ForceCreated = (14, {"asset_id": A, "owner": AccountId})
    MetadataSet = (15, {"asset_id": A, "name": Bytes, "symbol": Bytes, "decimals": U8, "is_frozen": Bool})
    MetadataCleared = (16, {"asset_id": A})
    ApprovedTransfer = (17, {"asset_id": A, "source": AccountId, "delegate": AccountId, "amount": U128})
    ApprovalCancelled = (18, {"asset_id": A, "owner": AccountId, "delegate": AccountId})
    TransferredApproved = (19, {"asset_id": A, "owner": AccountId, "delegate": AccountId, "destination": AccountId, "amount": U128})
    AssetStatusChanged = (20, {"asset_id": A})
    AssetMinBalanceChanged = (21, {"asset_id": A, "new_min_balance": U128})
    Touched = (22, {"asset_id": A, "who": AccountId, "depositor": AccountId})
    Blocked = (23, {"asset_id": A, "who": AccountId})
