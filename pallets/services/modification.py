"""Request modification (simulator extension ``request_modification``; the real pallet has none).

``modify_request(request_id, permitted_callers, request_args, asset_security_requirements, ttl)``:
the requester replaces the terms of a request that has not started yet. Checks: the request
exists (``ServiceRequestNotFound``), the caller owns it (``BadOrigin``), the requirements are valid
and finalised as in ``request`` (native TNT appended...), the arguments type-check, the bounds
hold, and the blueprint's manager accepts the new terms (``on_request`` again, same request id:
``InvalidRequestInput``). Then every operator is back to ``Pending``: operators who approved must
approve again (their instance-limit commitments are released), and operators who rejected may
reconsider the new terms. Operators, membership model, payment and expiry block are unchanged.
"""

from __future__ import annotations

from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import AccountId, CompactU64

from pallets.primitives.assets import NATIVE
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.primitives.extensions import require_extension
from pallets.services.manager import RequestParams
from pallets.services.types.field import Field
from pallets.services.types.security import ApprovalState, AssetSecurityRequirement
from pallets.services.types.service import ServiceRequest


class ModificationCalls:
    @call(extension=True)
    def modify_request(self, origin: Origin, request_id: CompactU64, permitted_callers: tuple[AccountId, ...], request_args: tuple[Field, ...],
                       asset_security_requirements: tuple[AssetSecurityRequirement, ...], ttl: CompactU64) -> None:
        who = ensure_signed(origin)
        require_extension(self.ctx.extensions.request_modification, "request_modification")
        s = self.storage
        request = s.ServiceRequests.get(request_id)
        if request is None:
            raise Error.ServiceRequestNotFound()
        if request.owner != who:
            raise BadOrigin()
        self._validate_requirements(asset_security_requirements)
        _, blueprint = self._blueprint(request.blueprint)
        self._type_check(blueprint.request_params, request_args)
        requirements = self._finalize_requirements(asset_security_requirements)
        self._check_request_bounds(permitted_callers, request_args)
        payment = s.StagingServicePayments.get(request_id)
        operators = request.operators()
        params = RequestParams(request_id, who, tuple(s.Operators.get((request.blueprint, op)) for op in operators), operators, request_args,
                               permitted_callers, ttl, payment.asset if payment else NATIVE, payment.amount if payment else 0)
        self._hook(self._manager(blueprint), "on_request", (request.blueprint, params), Error.InvalidRequestInput, Error.OnRequestFailure)
        if self.ctx.extensions.instance_limits:
            for op, state in request.operators_with_approval_state:
                if state.name == "Approved":
                    self._commit(request.blueprint, op, -1)
        pending = ApprovalState.Pending
        s.ServiceRequests.insert(request_id, ServiceRequest(request.blueprint, who, requirements, ttl, request_args, permitted_callers,
                                                            tuple((op, pending) for op in operators), request.membership_model))
        self.deposit_event(Event.ServiceRequestModified(who, request_id, request.blueprint, operators, requirements))
