"""A blueprint: metadata, jobs (typed params/results and a pricing model), registration and
request parameter types, its service manager contract, the master manager revision it is pinned
to, binary sources and the membership models it supports. Shapes of
``tangle_primitives::services::{service, jobs, types}`` with the testnet bounds."""

from __future__ import annotations

from runtime.codec import Bounded, ScaleEnum, struct
from runtime.primitives import U32, U64, U128, H160, BoundedText

from pallets.services.types.field import FieldType
from pallets.services.types.sources import BlueprintSource

MAX_METADATA = 1024
MAX_FIELDS = 256
MAX_JOBS = 1024


@struct
class ServiceMetadata:
    name: BoundedText(MAX_METADATA)
    description: BoundedText(MAX_METADATA) | None = None
    author: BoundedText(MAX_METADATA) | None = None
    category: BoundedText(MAX_METADATA) | None = None
    code_repository: BoundedText(MAX_METADATA) | None = None
    logo: BoundedText(MAX_METADATA) | None = None
    website: BoundedText(MAX_METADATA) | None = None
    license: BoundedText(MAX_METADATA) | None = None


@struct
class JobMetadata:
    name: BoundedText(MAX_METADATA)
    description: BoundedText(MAX_METADATA) | None = None


@struct(name="PricingModel::PayOnce")
class PayOnce:
    amount: U128


@struct(name="PricingModel::Subscription")
class Subscription:
    rate_per_interval: U128
    interval: U32
    maybe_end: U32 | None = None


@struct(name="PricingModel::EventDriven")
class EventDriven:
    reward_per_event: U128


class PricingModel(ScaleEnum):
    """Per-job pricing (``PricingModel<u32, u128>``); the default is ``PayOnce{amount: 0}``.

    On chain only the request payment rule reads it (``validate_payment_amount``); the simulator's
    intended profile also bills ``Subscription`` jobs per interval (see ``payments.py``)."""

    PayOnce: PayOnce
    Subscription: Subscription
    EventDriven: EventDriven


FREE = PricingModel.PayOnce(PayOnce(0))


@struct(name="PricingModel::Subscription")
class SubscriptionU64:
    rate_per_interval: U128
    interval: U64
    maybe_end: U64 | None = None


class PricingModelU64(ScaleEnum):
    """``PricingModel<u64, u128>``: the same model with u64 block numbers (the ``RewardDistributed`` event's field)."""

    PayOnce: PayOnce
    Subscription: SubscriptionU64
    EventDriven: EventDriven

    @staticmethod
    def of(model: PricingModel) -> "PricingModelU64":
        if model.name == "Subscription":
            v = model.value
            return PricingModelU64.Subscription(SubscriptionU64(v.rate_per_interval, v.interval, v.maybe_end))
        return PricingModelU64(model.name, model.value)


@struct
class JobDefinition:
    metadata: JobMetadata
    params: Bounded(FieldType, MAX_FIELDS) = ()
    result: Bounded(FieldType, MAX_FIELDS) = ()
    pricing_model: PricingModel = FREE


class BlueprintServiceManager(ScaleEnum):
    """The blueprint's service manager (BSM) contract address."""

    Evm: H160


class MasterBlueprintServiceManagerRevision(ScaleEnum):
    """``Latest`` (pinned to the current latest revision at creation) or ``Specific(n)``."""

    Latest: None
    Specific: U32


class MembershipModelType(ScaleEnum):
    Fixed: None
    Dynamic: None


@struct
class ServiceBlueprint:
    metadata: ServiceMetadata
    jobs: Bounded(JobDefinition, MAX_JOBS) = ()
    registration_params: Bounded(FieldType, MAX_FIELDS) = ()
    request_params: Bounded(FieldType, MAX_FIELDS) = ()
    manager: BlueprintServiceManager = BlueprintServiceManager.Evm("0x" + "00" * 20)
    master_manager_revision: MasterBlueprintServiceManagerRevision = MasterBlueprintServiceManagerRevision.Latest
    sources: Bounded(BlueprintSource, MAX_FIELDS) = ()
    supported_membership_models: Bounded(MembershipModelType, 2) = (MembershipModelType.Fixed,)

    @property
    def manager_address(self) -> str:
        return self.manager.value
