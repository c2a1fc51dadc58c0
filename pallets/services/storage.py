"""Services storage: the 26 real items (real names, keys and query kinds) and the extension items.

Real items keep the chain's layout: ``ServiceStatus[(blueprint, service)] = ()``,
``UnappliedSlashes[(era, index)]``, ``JobCalls[(service, call)]``... Extension items are indexes
(so hot paths never scan a big map) and the state of the simulator's extensions; they are declared
``extension=True`` and do not exist on chain.
"""

from __future__ import annotations

from runtime.primitives import U8, U32, U64, H160, AccountId, Bool, Bytes, FixedBytes, Text
from runtime.storage import PalletStorage, StorageDoubleMap, StorageMap, StorageNMap, StorageValue

from pallets.primitives.slashing import UnappliedSlash
from pallets.services.types.blueprint import ServiceBlueprint
from pallets.services.types.jobs import JobCall, JobCallResult, JobPayment, JobSubscriptionBilling
from pallets.services.types.operator import OperatorPreferences, OperatorProfile
from pallets.services.types.qos import EMPTY_STATS, HeartbeatStats
from pallets.services.types.service import Service, ServiceRequest, StagingServicePayment

Unit = tuple[()]


class ServicesStorage(PalletStorage, prefix="Services"):
    SlashingEnabled = StorageValue(Bool, default=False)
    NextBlueprintId = StorageValue(U64, default=0)
    NextServiceRequestId = StorageValue(U64, default=0)
    NextInstanceId = StorageValue(U64, default=0)
    NextJobCallId = StorageValue(U64, default=0)
    NextUnappliedSlashIndex = StorageValue(U32, default=0)
    Blueprints = StorageMap(U64, tuple[AccountId, ServiceBlueprint])
    ServiceStatus = StorageDoubleMap(U64, U64, Unit)
    DefaultHeartbeatInterval = StorageValue(U64, default=0)
    DefaultHeartbeatThreshold = StorageValue(U8, default=0)
    DefaultSlashingWindow = StorageValue(U64, default=0)
    ServiceHeartbeats = StorageDoubleMap(U64, U64, tuple[U64, Bytes], default=(0, b""))
    ServiceOperatorHeartbeats = StorageNMap((U64, U64, AccountId), HeartbeatStats, default=EMPTY_STATS)
    Operators = StorageDoubleMap(U64, AccountId, OperatorPreferences)
    ServiceRequests = StorageMap(U64, ServiceRequest)
    Instances = StorageMap(U64, Service)
    UserServices = StorageMap(AccountId, frozenset[U64], default=frozenset())
    JobCalls = StorageDoubleMap(U64, U64, JobCall)
    JobResults = StorageDoubleMap(U64, U64, JobCallResult)
    UnappliedSlashes = StorageDoubleMap(U32, U32, UnappliedSlash)
    MasterBlueprintServiceManagerRevisions = StorageValue(tuple[H160, ...], default=())
    OperatorsProfile = StorageMap(AccountId, OperatorProfile)
    StagingServicePayments = StorageMap(U64, StagingServicePayment)
    JobSubscriptionBillings = StorageNMap((U64, U8, AccountId), JobSubscriptionBilling)
    JobPayments = StorageDoubleMap(U64, U64, JobPayment)
    UserSubscriptionCount = StorageMap(AccountId, U32, default=0)

    # ---- simulator: indexes and extension state (not on chain)
    # operator keys per blueprint (register's DuplicateKey check without scanning Operators)
    RegisteredKeys = StorageDoubleMap(U64, FixedBytes(65), AccountId, extension=True)
    # unapplied slash indices per era, in recording order (so on_initialize never scans UnappliedSlashes)
    SlashQueue = StorageMap(U32, tuple[U32, ...], extension=True)
    # request expiry (request_expiry): the block each pending request expires at, and per block the
    # requests expiring then (a counted queue: O(1) to add, O(expiring) to process)
    ServiceRequestExpiresAt = StorageMap(U64, U64, extension=True)
    RequestExpiryCount = StorageMap(U64, U32, default=0, extension=True)
    RequestExpiryQueue = StorageDoubleMap(U64, U32, U64, extension=True)
    # instance limits (instance_limits): the operator's cap per blueprint, and its committed
    # instances there (active services it runs + pending requests it approved)
    OperatorInstanceLimits = StorageDoubleMap(U64, AccountId, U32, extension=True)
    OperatorInstanceCount = StorageDoubleMap(U64, AccountId, U32, default=0, extension=True)
    # intended subscription billing: (service, job, subscriber) keys due at a block
    SubscriptionBillingQueue = StorageMap(U64, tuple[tuple[U64, U8, AccountId], ...], extension=True)
    # the storage of the Python service managers ("contracts"), journaled like chain state:
    # (contract address, key) -> any immutable value (not queryable through rt.query)
    ContractStorage = StorageDoubleMap(H160, Text, Bytes, extension=True)
