"""Services events: the 24 real ones with their metadata indices and field names, then the
simulator extensions' events (no index: they are not in the real metadata)."""

from runtime.events import EventSet
from runtime.primitives import U8, U32, U64, U128, H160, AccountId, Bytes, BoundedText, Percent, Text

from pallets.services.types.blueprint import PricingModelU64
from pallets.services.types.field import Field
from pallets.services.types.operator import OperatorPreferences
from pallets.services.types.security import AssetSecurityCommitment, AssetSecurityRequirement

_Accounts = tuple[AccountId, ...]
_Fields = tuple[Field, ...]
_Commitments = tuple[tuple[AccountId, tuple[AssetSecurityCommitment, ...]], ...]


class Event(EventSet, pallet="Services"):
    __extensions__ = frozenset({"ServiceRequestExpired", "ServiceRequestModified", "ServiceRequestClosed", "OperatorInstanceLimitSet",
                                "OperatorJoinedService", "OperatorLeftService", "SlashDropped",
                                "SubscriptionBillingSkipped"})  # simulator-only
    BlueprintCreated = (0, {"owner": AccountId, "blueprint_id": U64})
    PreRegistration = (1, {"operator": AccountId, "blueprint_id": U64})
    Registered = (2, {"provider": AccountId, "blueprint_id": U64, "preferences": OperatorPreferences, "registration_args": _Fields})
    Unregistered = (3, {"operator": AccountId, "blueprint_id": U64})
    ServiceRequested = (4, {"owner": AccountId, "request_id": U64, "blueprint_id": U64, "pending_approvals": _Accounts, "approved": _Accounts,
                            "security_requirements": tuple[AssetSecurityRequirement, ...]})
    ServiceRequestApproved = (5, {"operator": AccountId, "request_id": U64, "blueprint_id": U64, "pending_approvals": _Accounts, "approved": _Accounts})
    ServiceRequestRejected = (6, {"operator": AccountId, "request_id": U64, "blueprint_id": U64})
    ServiceInitiated = (7, {"owner": AccountId, "request_id": U64, "service_id": U64, "blueprint_id": U64, "operator_security_commitments": _Commitments})
    ServiceTerminated = (8, {"owner": AccountId, "service_id": U64, "blueprint_id": U64})
    JobCalled = (9, {"caller": AccountId, "service_id": U64, "call_id": U64, "job": U8, "args": _Fields})
    PayOncePaymentProcessed = (10, {"payer": AccountId, "service_id": U64, "call_id": U64, "job_index": U8, "amount": U128})
    SubscriptionBillingProcessed = (11, {"subscriber": AccountId, "service_id": U64, "job_index": U8, "amount": U128, "block_number": U64})
    RewardDistributed = (12, {"operator": AccountId, "service_id": U64, "amount": U128, "pricing_model": PricingModelU64})
    JobResultSubmitted = (13, {"operator": AccountId, "service_id": U64, "call_id": U64, "job": U8, "result": _Fields})
    EvmReverted = (14, {"from": H160, "to": H160, "data": Bytes, "reason": Bytes})
    UnappliedSlash = (15, {"index": U32, "operator": AccountId, "service_id": U64, "blueprint_id": U64, "slash_percent": Percent, "era": U32})
    SlashDiscarded = (16, {"index": U32, "operator": AccountId, "service_id": U64, "blueprint_id": U64, "slash_percent": Percent, "era": U32})
    MasterBlueprintServiceManagerRevised = (17, {"revision": U32, "address": H160})
    RequestForQuote = (18, {"requester": AccountId, "blueprint_id": U64})
    RpcAddressUpdated = (19, {"operator": AccountId, "blueprint_id": U64, "rpc_address": BoundedText(256)})
    HeartbeatReceived = (20, {"service_id": U64, "blueprint_id": U64, "operator": AccountId, "block_number": U64})
    DefaultHeartbeatThresholdUpdated = (21, {"threshold": U8})
    DefaultHeartbeatIntervalUpdated = (22, {"interval": U64})
    DefaultHeartbeatSlashingWindowUpdated = (23, {"window": U64})

    # ---- simulator extensions (not in the real metadata)
    # request_expiry: a pending request reached its expiry block; its staged payment was refunded
    ServiceRequestExpired = {"owner": AccountId, "request_id": U64, "blueprint_id": U64, "refunded": U128}
    # request_modification: the requester changed a pending request; every operator must decide again
    ServiceRequestModified = {"owner": AccountId, "request_id": U64, "blueprint_id": U64, "pending_approvals": _Accounts,
                              "security_requirements": tuple[AssetSecurityRequirement, ...]}
    # intended rejection: the rejections left too few operators to start the service; request removed, refunded
    ServiceRequestClosed = {"owner": AccountId, "request_id": U64, "blueprint_id": U64, "refunded": U128}
    # instance_limits
    OperatorInstanceLimitSet = {"operator": AccountId, "blueprint_id": U64, "limit": U32 | None}
    # intended dynamic membership (the real pallet emits nothing on join/leave)
    OperatorJoinedService = {"operator": AccountId, "service_id": U64, "blueprint_id": U64}
    OperatorLeftService = {"operator": AccountId, "service_id": U64, "blueprint_id": U64}
    # intended slashing: a due slash whose operator has left the delegation system can never apply
    SlashDropped = {"index": U32, "operator": AccountId, "service_id": U64, "blueprint_id": U64, "slash_percent": Percent, "era": U32}
    # intended subscription billing: an interval's charge failed (the subscriber could not pay it, or a
    # rate below the existential deposit could not open the empty Rewards pot); the interval is not
    # billed and no debt is kept, so the skip is recorded here rather than passing unseen
    SubscriptionBillingSkipped = {"subscriber": AccountId, "service_id": U64, "job_index": U8, "amount": U128, "block_number": U64, "error": Text}
