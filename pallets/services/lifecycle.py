"""``terminate`` (7): the owner ends a service (spec §5.8).

Real (quirk ``services.terminate_clears_all_round_slashes``): the service's unapplied slashes of
the current and previous round are applied at once (no deferral, no dispute) and *every* unapplied
slash of those two rounds is deleted, other services' included. Intended: pending slashes are left
alone; they keep their deferral and dispute window and apply on schedule.
Not cleaned (as on chain): job calls, results, heartbeat data. Intended extra: the service's
subscription billings end and the operators' instance-limit commitments are released.
"""

from __future__ import annotations

import dataclasses

from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import CompactU64

from pallets.services.errors import Error
from pallets.services.events import Event


class LifecycleCalls:
    @call(7)
    def terminate(self, origin: Origin, service_id: CompactU64) -> None:
        who = ensure_signed(origin)
        s = self.storage
        service = s.Instances.get(service_id)
        if service is None:
            raise Error.ServiceNotFound()
        if service.owner != who:
            raise BadOrigin()
        if self.ctx.quirk("services.terminate_clears_all_round_slashes"):
            self._terminate_slashes(service_id)
        user = s.UserServices.get(who)
        if service_id not in user:
            raise Error.ServiceNotFound()
        s.UserServices.insert(who, user - {service_id})
        s.Instances.remove(service_id)
        blueprint_id = service.blueprint
        _, blueprint = self._blueprint(blueprint_id)
        self._hook(self._manager(blueprint), "on_service_termination", (blueprint_id, service_id, service.owner), Error.TerminationInterrupted)
        limits = self.ctx.extensions.instance_limits
        for op, _ in service.operator_security_commitments:
            profile = s.OperatorsProfile.get(op)
            if profile is None:
                raise Error.NotRegistered()
            s.OperatorsProfile.insert(op, dataclasses.replace(profile, services=profile.services - {service_id}))
            if limits:
                self._commit(blueprint_id, op, -1)
        s.ServiceStatus.remove((blueprint_id, service_id))
        if self._billing_enabled():
            self._end_subscriptions(service, blueprint)
        self.deposit_event(Event.ServiceTerminated(who, service_id, blueprint_id))
