"""A service request (pending approvals), a service instance, and a staged request payment."""

from __future__ import annotations

from runtime.codec import Bounded, ScaleEnum, struct
from runtime.primitives import U64, U128, H160, AccountId

from pallets.primitives.assets import Asset
from pallets.services.types.field import Field
from pallets.services.types.membership import MembershipModel
from pallets.services.types.security import ApprovalState, AssetSecurityCommitment, AssetSecurityRequirement

MAX_FIELDS = 256
MAX_ASSETS_PER_SERVICE = 64
MAX_PERMITTED_CALLERS = 256
MAX_OPERATORS_PER_SERVICE = 1024


class Account(ScaleEnum):
    """``Account<AccountId>``: where a staged payment is refunded (a Substrate account or an EVM address)."""

    Id: AccountId
    Address: H160


@struct
class ServiceRequest:
    """A pending request. ``ttl`` is the service's lifetime in blocks (stored and forwarded only);
    operators keep the order the requester listed them in."""

    blueprint: U64
    owner: AccountId
    security_requirements: Bounded(AssetSecurityRequirement, MAX_ASSETS_PER_SERVICE)
    ttl: U64
    args: Bounded(Field, MAX_FIELDS)
    permitted_callers: Bounded(AccountId, MAX_PERMITTED_CALLERS)
    operators_with_approval_state: Bounded(tuple[AccountId, ApprovalState], MAX_OPERATORS_PER_SERVICE)
    membership_model: MembershipModel

    def approved_count(self) -> int:
        return sum(1 for _, state in self.operators_with_approval_state if state.name == "Approved")

    def is_approved(self) -> bool:
        """Approved operators >= ``min_operators`` (Fixed and Dynamic alike; ``max`` is ignored)."""
        return self.approved_count() >= self.membership_model.value.min_operators

    def is_pending(self) -> bool:
        return any(state.name == "Pending" for _, state in self.operators_with_approval_state)

    def is_rejected(self) -> bool:
        return any(state.name == "Rejected" for _, state in self.operators_with_approval_state)

    def state_of(self, operator: str) -> ApprovalState | None:
        for op, state in self.operators_with_approval_state:
            if op == operator:
                return state
        return None

    def operators(self) -> tuple[str, ...]:
        return tuple(op for op, _ in self.operators_with_approval_state)

    def with_state(self, operator: str, state: ApprovalState) -> "ServiceRequest":
        """A copy with ``operator``'s approval state replaced."""
        ops = tuple((op, state) if op == operator else (op, s) for op, s in self.operators_with_approval_state)
        return ServiceRequest(self.blueprint, self.owner, self.security_requirements, self.ttl, self.args, self.permitted_callers, ops, self.membership_model)


@struct
class Service:
    """An active service instance. ``operator_security_commitments`` lists its operators (request
    order, approved ones only; dynamic joiners appended) with their per-asset exposure."""

    id: U64
    blueprint: U64
    owner: AccountId
    args: Bounded(Field, MAX_FIELDS)
    operator_security_commitments: Bounded(tuple[AccountId, Bounded(AssetSecurityCommitment, MAX_ASSETS_PER_SERVICE)], MAX_OPERATORS_PER_SERVICE)
    security_requirements: Bounded(AssetSecurityRequirement, MAX_ASSETS_PER_SERVICE)
    permitted_callers: Bounded(AccountId, MAX_PERMITTED_CALLERS)
    ttl: U64
    membership_model: MembershipModel

    def operators(self) -> tuple[str, ...]:
        return tuple(op for op, _ in self.operator_security_commitments)

    def has_operator(self, who: str) -> bool:
        for op, _ in self.operator_security_commitments:
            if op == who:
                return True
        return False


@struct
class StagingServicePayment:
    """A request's up-front payment, held by the pallet until the service starts (then forwarded to
    the master manager) or the request is rejected/expires (then refunded to ``refund_to``)."""

    request_id: U64
    refund_to: Account
    asset: Asset
    amount: U128
