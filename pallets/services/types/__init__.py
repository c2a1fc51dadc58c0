"""The services pallet's types, with the real names, shapes and SCALE variant indices
(``tangle_primitives::services``). Small modules by topic; everything is re-exported here so
blueprint code can write ``from pallets.services.types import FieldType, Field, ServiceBlueprint``.

* field.py       FieldType, Field, the value-matches-type rule and readable constructors
* typecheck.py   TypeCheckError and the type checker
* blueprint.py   ServiceBlueprint, ServiceMetadata, JobDefinition, JobMetadata, PricingModel,
                 BlueprintServiceManager, MasterBlueprintServiceManagerRevision, MembershipModelType
* sources.py     BlueprintSource and its fetchers
* operator.py    OperatorPreferences, OperatorProfile
* security.py    AssetSecurityRequirement/Commitment, ApprovalState, validate_security
* membership.py  MembershipModel
* service.py     ServiceRequest, Service, StagingServicePayment, Account
* jobs.py        JobCall, JobCallResult, JobSubscriptionBilling, JobPayment
* qos.py         HeartbeatStats
* pricing.py     PricingQuote, ResourcePricing (+ the quote hash operators sign)
"""

from pallets.primitives.assets import NATIVE, Asset
from pallets.primitives.slashing import UnappliedSlash
from pallets.services.types.blueprint import (
    FREE,
    BlueprintServiceManager,
    EventDriven,
    JobDefinition,
    JobMetadata,
    MasterBlueprintServiceManagerRevision,
    MembershipModelType,
    PayOnce,
    PricingModel,
    PricingModelU64,
    ServiceBlueprint,
    ServiceMetadata,
    Subscription,
)
from pallets.services.types.field import Field, FieldType, field_type_of, matches
from pallets.services.types.jobs import AssetU32, JobCall, JobCallResult, JobPayment, JobSubscriptionBilling
from pallets.services.types.membership import DynamicMembership, FixedMembership, MembershipModel, dynamic, fixed
from pallets.services.types.operator import EMPTY_PROFILE, OperatorPreferences, OperatorProfile
from pallets.services.types.pricing import PricingQuote, ResourcePricing, hash_pricing_quote
from pallets.services.types.qos import EMPTY_STATS, HeartbeatStats
from pallets.services.types.security import (
    ApprovalState,
    Approved,
    AssetSecurityCommitment,
    AssetSecurityRequirement,
    validate_security,
)
from pallets.services.types.service import Account, Service, ServiceRequest, StagingServicePayment
from pallets.services.types.sources import (
    Architecture,
    BlueprintBinary,
    BlueprintSource,
    GithubFetcher,
    ImageRegistryFetcher,
    NativeFetcher,
    OperatingSystem,
    TestFetcher,
    WasmFetcher,
    WasmRuntime,
    WasmSource,
)
from pallets.services.types.typecheck import ArgumentTypeMismatch, NotEnoughArguments, TypeCheckError, type_checker

__all__ = [
    "Account", "AssetU32", "ApprovalState", "Approved", "Architecture", "ArgumentTypeMismatch", "Asset", "AssetSecurityCommitment",
    "AssetSecurityRequirement", "BlueprintBinary", "BlueprintServiceManager", "BlueprintSource", "DynamicMembership",
    "EMPTY_PROFILE", "EMPTY_STATS", "EventDriven", "FREE", "Field", "FieldType", "FixedMembership", "GithubFetcher",
    "HeartbeatStats", "ImageRegistryFetcher", "JobCall", "JobCallResult", "JobDefinition", "JobMetadata", "JobPayment",
    "JobSubscriptionBilling", "MasterBlueprintServiceManagerRevision", "MembershipModel", "MembershipModelType", "NATIVE",
    "NativeFetcher", "NotEnoughArguments", "OperatingSystem", "OperatorPreferences", "OperatorProfile", "PayOnce",
    "PricingModel", "PricingModelU64", "PricingQuote", "ResourcePricing", "Service", "ServiceBlueprint", "ServiceMetadata", "ServiceRequest",
    "StagingServicePayment", "Subscription", "TestFetcher", "TypeCheckError", "UnappliedSlash", "WasmFetcher",
    "WasmRuntime", "WasmSource", "dynamic", "field_type_of", "fixed", "hash_pricing_quote", "matches", "type_checker",
    "validate_security",
]
