"""The services pallet as MultiAssetDelegation's ``ServiceManager`` (spec §6.3) and the RPC-style
queries (§6.4).

MAD asks before an operator goes offline (``has_active_services``) and before it schedules leaving
or unstaking (``can_exit``: no active services and no blueprint registrations). So the exit
sequence is: the services end (owner ``terminate``, or ``leave_service`` for dynamic services) ->
``unregister`` from every blueprint -> MAD ``schedule_leave_operators`` -> ``execute_leave_operators``
after the delay; delegators then unstake as usual.
"""

from __future__ import annotations

from typing import Any

from pallets.services.errors import Error


class ServiceManagerImpl:
    def get_active_services_count(self, operator: str) -> int:
        p = self.storage.OperatorsProfile.get(operator)
        return 0 if p is None else len(p.services)

    def get_active_blueprints_count(self, operator: str) -> int:
        p = self.storage.OperatorsProfile.get(operator)
        return 0 if p is None else len(p.blueprints)

    def can_exit(self, operator: str) -> bool:
        p = self.storage.OperatorsProfile.get(operator)
        return p is None or (not p.services and not p.blueprints)

    def has_active_services(self, operator: str) -> bool:
        p = self.storage.OperatorsProfile.get(operator)
        return p is not None and bool(p.services)

    def get_blueprints_by_operator(self, operator: str) -> list[int]:
        p = self.storage.OperatorsProfile.get(operator)
        return [] if p is None else sorted(p.blueprints)

    # ------------------------------------------------------------------ runtime API (§6.4)
    def query_services_with_blueprints_by_operator(self, operator: str) -> list[dict[str, Any]]:
        """``[{blueprint_id, blueprint, services}]`` for the operator's blueprints (OperatorProfileNotFound without a profile)."""
        s = self.storage
        profile = s.OperatorsProfile.get(operator)
        if profile is None:
            raise Error.OperatorProfileNotFound()
        out = []
        for bid in sorted(profile.blueprints):
            entry = s.Blueprints.get(bid)
            if entry is None:
                continue
            services = [svc for _, svc in sorted(s.Instances.items()) if svc.blueprint == bid and svc.has_operator(operator)]
            out.append({"blueprint_id": bid, "blueprint": entry[1], "services": services})
        return out

    def query_service_requests_with_blueprints_by_operator(self, operator: str) -> list[tuple[int, Any]]:
        """Pending requests on the operator's blueprints that name it and are not approved yet."""
        s = self.storage
        profile = s.OperatorsProfile.get(operator)
        if profile is None:
            raise Error.OperatorProfileNotFound()
        return [(rid, r) for rid, r in sorted(s.ServiceRequests.items())
                if r.blueprint in profile.blueprints and r.state_of(operator) is not None and not r.is_approved()]
