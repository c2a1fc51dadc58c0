"""Operators' answers to a request: ``approve`` (5) and ``reject`` (6), and the start of the
service once enough operators approved (spec §5.6, §5.7).

Approval checks the operator's commitments twice, as on chain: loosely (order-insensitive, with
named errors: MissingAssetCommitment, CommitmentBelowMinimum, NoOperatorStake...) and strictly
(same order and length as the requirements: InvalidSecurityCommitments). The service starts in
the approving call when approved operators >= ``min_operators``; still-pending operators are dropped.

Real vs intended (quirk ``services.rejection_not_final``):
* real: a rejected operator may approve later and an approved one may reject; the request stays
  after rejections; the first rejection refunds the payment even if the service later starts;
* intended: a rejection is final (approving afterwards is ``ApprovalNotRequested``) and only a
  pending operator may reject; the payment stays staged while the service can still start, and
  when the rejections leave fewer possible approvers than ``min_operators`` the request is removed
  and the payment refunded (extension event ``ServiceRequestClosed``).
"""

from __future__ import annotations

import dataclasses

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import CompactU64

from pallets.primitives.assets import NATIVE
from pallets.services.errors import Error
from pallets.services.events import Event

from pallets.services.types.security import ApprovalState, Approved, AssetSecurityCommitment, validate_security
from pallets.services.types.service import Service, ServiceRequest

REJECTED = ApprovalState.Rejected


class ApprovalCalls:
    @call(5)
    def approve(self, origin: Origin, request_id: CompactU64, security_commitments: tuple[AssetSecurityCommitment, ...]) -> None:
        who = ensure_signed(origin)
        request = self.storage.ServiceRequests.get(request_id)
        if request is None:
            raise Error.ServiceRequestNotFound()
        self._validate_commitments(who, request.security_requirements, security_commitments)
        self._do_approve(who, request_id, security_commitments)

    @call(6)
    def reject(self, origin: Origin, request_id: CompactU64) -> None:
        who = ensure_signed(origin)
        s = self.storage
        request = s.ServiceRequests.get(request_id)
        if request is None:
            raise Error.ServiceRequestNotFound()
        state = request.state_of(who)
        if state is None or state.name == "Rejected":
            raise Error.ApprovalNotRequested()
        real = self.ctx.quirk("services.rejection_not_final")
        if state.name == "Approved" and not real:
            raise Error.ApprovalNotRequested("an operator that approved cannot reject (intended)")
        request = self._set_state(request, who, REJECTED)
        blueprint_id = request.blueprint
        _, blueprint = self._blueprint(blueprint_id)
        prefs = s.Operators.get((blueprint_id, who))
        if prefs is None:
            raise Error.NotRegistered()
        self._hook(self._manager(blueprint), "on_reject", (blueprint_id, who, prefs, request_id), Error.RejectionInterrupted, Error.OnRejectFailure)
        self.deposit_event(Event.ServiceRequestRejected(who, request_id, blueprint_id))
        if real:
            self._refund_payment(request_id)
            s.ServiceRequests.insert(request_id, request)
            return
        possible = sum(1 for _, st in request.operators_with_approval_state if st.name != "Rejected")
        if possible < request.membership_model.value.min_operators:
            refunded = self._remove_request(request_id, request)
            self.deposit_event(Event.ServiceRequestClosed(request.owner, request_id, blueprint_id, refunded))
        else:
            s.ServiceRequests.insert(request_id, request)

    # ------------------------------------------------------------------ approval
    def _validate_commitments(self, operator: str, requirements: tuple, commitments: tuple) -> None:
        """``validate_operator_security_commitments`` (order-insensitive, named errors)."""
        if not self._is_operator_active(operator):
            raise Error.OperatorNotActive()
        for c in commitments:
            if c.asset.name == "Custom":
                if c.asset.value != 0 and not self.fungibles.asset_exists(c.asset.value):
                    raise Error.AssetNotFound()
            elif c.asset.value == "0x" + "00" * 20:
                raise Error.InvalidErc20Address()
        d = self.delegation
        for req in requirements:
            com = next((c for c in commitments if c.asset == req.asset), None)
            if com is None:
                raise Error.MissingAssetCommitment()
            if com.exposure_percent < req.min_exposure_percent:
                raise Error.CommitmentBelowMinimum()
            if com.exposure_percent > req.max_exposure_percent:
                raise Error.CommitmentAboveMaximum()
            stake = d.get_operator_stake(operator) if req.asset == NATIVE else d.get_total_delegation_by_asset(operator, req.asset)
            if stake <= 0:
                raise Error.NoOperatorStake()
        assets = {r.asset for r in requirements}
        for c in commitments:
            if c.asset not in assets:
                raise Error.UnexpectedAssetCommitment()

    def _do_approve(self, operator: str, request_id: int, commitments: tuple, initialize: bool = True) -> None:
        """``do_approve``: strict commitments, record the approval, hook, event, start when approved."""
        s = self.storage
        request = s.ServiceRequests.get(request_id)
        if request is None:
            raise Error.ServiceRequestNotFound()
        if not validate_security(request.security_requirements, commitments):
            raise Error.InvalidSecurityCommitments()
        self._validate_commitments(operator, request.security_requirements, commitments)
        state = request.state_of(operator)
        if state is None:
            raise Error.ApprovalNotRequested()
        if state.name == "Rejected" and not self.ctx.quirk("services.rejection_not_final"):
            raise Error.ApprovalNotRequested("the operator rejected this request (intended: rejections are final)")
        request = self._set_state(request, operator, ApprovalState.Approved(Approved(tuple(commitments))))
        blueprint_id = request.blueprint
        _, blueprint = self._blueprint(blueprint_id)
        prefs = s.Operators.get((blueprint_id, operator))
        if prefs is None:
            raise Error.NotRegistered()
        self._hook(self._manager(blueprint), "on_approve", (blueprint_id, operator, prefs, request_id, 0), Error.ApprovalInterrupted, Error.OnApproveFailure)
        approved = tuple(op for op, st in request.operators_with_approval_state if st.name == "Approved")
        pending = tuple(op for op, st in request.operators_with_approval_state if st.name == "Pending")
        self.deposit_event(Event.ServiceRequestApproved(operator, request_id, blueprint_id, pending, approved))
        if initialize and request.is_approved():
            self._initialize_service(request_id, request)
        else:
            s.ServiceRequests.insert(request_id, request)

    def _set_state(self, request: ServiceRequest, operator: str, state: ApprovalState) -> ServiceRequest:
        """Change one operator's approval state, keeping the instance-limit commitments in step."""
        if self.ctx.extensions.instance_limits:
            was = request.state_of(operator).name == "Approved"
            now = state.name == "Approved"
            if now and not was:
                self._check_capacity(request.blueprint, operator)
                self._commit(request.blueprint, operator, 1)
            elif was and not now:
                self._commit(request.blueprint, operator, -1)
        return request.with_state(operator, state)

    # ------------------------------------------------------------------ initialization
    def _initialize_service(self, request_id: int, request: ServiceRequest) -> int:
        """``initialize_approved_service``: the request becomes service ``NextInstanceId``."""
        s = self.storage
        s.ServiceRequests.remove(request_id)
        if self.ctx.extensions.request_expiry:
            s.ServiceRequestExpiresAt.remove(request_id)
        service_id = s.NextInstanceId.value()
        commitments = tuple((op, st.value.security_commitments) for op, st in request.operators_with_approval_state if st.name == "Approved")
        overflow_as_not_registered = self.ctx.quirk("services.profile_overflow_as_not_registered")
        max_services = self.consts.MaxServicesPerOperator
        for op, _ in commitments:
            profile = s.OperatorsProfile.get(op)
            if profile is None:
                raise Error.NotRegistered()
            if service_id not in profile.services:
                if len(profile.services) >= max_services:
                    raise Error.NotRegistered() if overflow_as_not_registered else Error.MaxServicesPerOperatorExceeded()
                s.OperatorsProfile.insert(op, dataclasses.replace(profile, services=profile.services | {service_id}))
        if len(commitments) > self.consts.MaxOperatorsPerService:
            raise Error.MaxServiceProvidersExceeded()
        service = Service(service_id, request.blueprint, request.owner, request.args, commitments, request.security_requirements,
                          request.permitted_callers, request.ttl, request.membership_model)
        s.Instances.insert(service_id, service)
        s.ServiceStatus.insert((request.blueprint, service_id), ())
        s.NextInstanceId.put(service_id + 1)
        user = s.UserServices.get(request.owner)
        if len(user) >= self.consts.MaxServicesPerUser:
            raise Error.MaxServicesPerUserExceeded()
        s.UserServices.insert(request.owner, user | {service_id})
        payment = s.StagingServicePayments.get(request_id)
        _, blueprint = self._blueprint(request.blueprint)
        if payment is not None:
            self._forward_payment(blueprint, payment)
            s.StagingServicePayments.remove(request_id)
        self._hook(self._manager(blueprint), "on_service_initialized",
                   (request.blueprint, request_id, service_id, request.owner, request.permitted_callers, request.ttl),
                   Error.ServiceInitializationInterrupted, Error.OnServiceInitHook)
        if self._billing_enabled():
            self._start_subscriptions(service, blueprint)
        self.deposit_event(Event.ServiceInitiated(request.owner, request_id, service_id, request.blueprint, commitments))
        return service_id


