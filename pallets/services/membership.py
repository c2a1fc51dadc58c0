"""Dynamic membership: ``join_service`` (15) and ``leave_service`` (16) (spec §5.14, §5.15).

Only services requested with ``Dynamic{min, max}``: a registered operator joins with commitments
that match the service's requirements exactly (count < max, ``can_join`` not refusing), a member
leaves while the count stays above ``min`` (``can_leave`` not refusing).

Real (quirk ``services.join_leave_silent``): no events, ``OperatorsProfile.services`` is not
updated (so a leaving original member keeps the id in its profile, which blocks its exit from MAD
for good), and ``leave_service`` does not check the caller is a member. Intended: the profile
follows membership, ``OperatorJoinedService``/``OperatorLeftService`` are emitted (extension
events) and a non-member leaving gets ``NotAnOperator``. With ``instance_limits`` a join counts
against the joiner's limit (``MaxServicesPerOperatorExceeded``) and a leave releases it.
"""

from __future__ import annotations

import dataclasses

from runtime.accounts import display_name
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import U64

from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.types.operator import EMPTY_PROFILE
from pallets.services.types.security import AssetSecurityCommitment, validate_security


class MembershipCalls:
    @call(15)
    def join_service(self, origin: Origin, instance_id: U64, security_commitments: tuple[AssetSecurityCommitment, ...]) -> None:
        who = ensure_signed(origin)
        s = self.storage
        service = s.Instances.get(instance_id)
        if service is None:
            raise Error.ServiceNotFound()
        if service.has_operator(who):
            raise Error.AlreadyJoined()
        if not validate_security(service.security_requirements, security_commitments):
            raise Error.InvalidSecurityCommitments()
        _, blueprint = self._blueprint(service.blueprint)
        prefs = s.Operators.get((service.blueprint, who))
        if prefs is None:
            raise Error.NotRegistered(f"{display_name(who)} is not registered on blueprint {service.blueprint}")
        model = service.membership_model
        if model.name == "Fixed":
            raise Error.DynamicMembershipNotSupported(f"service {instance_id} has fixed membership: operators cannot join or leave it")
        n = len(service.operator_security_commitments)
        if model.value.max_operators is not None and n >= model.value.max_operators:
            raise Error.MaxOperatorsReached()
        limits = self.ctx.extensions.instance_limits
        if limits:
            self._check_capacity(service.blueprint, who)
        manager = self._manager(blueprint)
        self._hook(manager, "can_join", (service.blueprint, instance_id, who, prefs), Error.JoinRejected, Error.OnCanJoinFailure)
        if n + 1 > self.consts.MaxOperatorsPerService:
            raise Error.MaxOperatorsReached()
        s.Instances.insert(instance_id, dataclasses.replace(service, operator_security_commitments=service.operator_security_commitments + ((who, tuple(security_commitments)),)))
        self._tolerant_hook(manager, blueprint, "on_operator_joined", (service.blueprint, instance_id, who, prefs), Error.OnOperatorJoinFailure)
        if limits:
            self._commit(service.blueprint, who, 1)
        if not self.ctx.quirk("services.join_leave_silent"):
            profile = s.OperatorsProfile.get(who) or EMPTY_PROFILE
            if len(profile.services) >= self.consts.MaxServicesPerOperator:
                raise Error.MaxServicesPerOperatorExceeded()
            s.OperatorsProfile.insert(who, dataclasses.replace(profile, services=profile.services | {instance_id}))
            self.deposit_event(Event.OperatorJoinedService(who, instance_id, service.blueprint))

    @call(16)
    def leave_service(self, origin: Origin, instance_id: U64) -> None:
        who = ensure_signed(origin)
        s = self.storage
        service = s.Instances.get(instance_id)
        if service is None:
            raise Error.ServiceNotFound()
        _, blueprint = self._blueprint(service.blueprint)
        if (service.blueprint, who) not in s.Operators:
            raise Error.NotRegistered()
        silent = self.ctx.quirk("services.join_leave_silent")
        member = service.has_operator(who)
        if not member and not silent:
            raise Error.NotAnOperator(f"{display_name(who)} is not an operator of service {instance_id}")
        model = service.membership_model
        if model.name == "Fixed":
            raise Error.DynamicMembershipNotSupported(f"service {instance_id} has fixed membership: operators cannot join or leave it")
        if len(service.operator_security_commitments) <= model.value.min_operators:
            raise Error.TooFewOperators()
        manager = self._manager(blueprint)
        self._hook(manager, "can_leave", (service.blueprint, instance_id, who), Error.LeaveRejected, Error.OnCanLeaveFailure)
        s.Instances.insert(instance_id, dataclasses.replace(service, operator_security_commitments=tuple(
            (op, c) for op, c in service.operator_security_commitments if op != who)))
        self._tolerant_hook(manager, blueprint, "on_operator_left", (service.blueprint, instance_id, who), Error.OnOperatorLeaveFailure)
        if member and self.ctx.extensions.instance_limits:
            self._commit(service.blueprint, who, -1)
        if not silent:
            profile = s.OperatorsProfile.get(who)
            if profile is not None:
                s.OperatorsProfile.insert(who, dataclasses.replace(profile, services=profile.services - {instance_id}))
            self.deposit_event(Event.OperatorLeftService(who, instance_id, service.blueprint))
