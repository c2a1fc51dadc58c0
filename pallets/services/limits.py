"""Instance limits (simulator extension ``instance_limits``; the real pallet has none, spec §8.9).

An operator caps, per blueprint, how many service instances it runs there:
``set_instance_limit(blueprint_id, limit)`` (an extension call; ``None`` removes the cap). It can
be sent before or right after ``register`` (the real ``register`` signature is unchanged), and
again at any time; ``unregister`` clears it.

Committed instances = active services of the blueprint the operator runs + pending requests of the
blueprint it has approved (an approval is a promise to serve). The count changes when an approval
is given or withdrawn, when a service starts without the operator's pending approval, on
terminate, on dynamic join/leave and when a request expires, is modified or closed. At the limit:

* ``request`` naming the operator fails,
* ``approve`` by the operator (unless it already approved this request) fails,
* ``join_service`` by the operator fails,

all with ``MaxServicesPerOperatorExceeded`` (a real error the chain never raises; reused so the
failure names an error of the real metadata).
"""

from __future__ import annotations

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import U32, CompactU64

from pallets.primitives.extensions import require_extension
from pallets.services.errors import Error
from pallets.services.events import Event


class InstanceLimits:
    @call(extension=True)
    def set_instance_limit(self, origin: Origin, blueprint_id: CompactU64, limit: U32 | None) -> None:
        """Cap the caller's committed service instances on ``blueprint_id`` (None: no cap)."""
        who = ensure_signed(origin)
        require_extension(self.ctx.extensions.instance_limits, "instance_limits")
        self._blueprint(blueprint_id)
        if limit is None:
            self.storage.OperatorInstanceLimits.remove((blueprint_id, who))
        else:
            self.storage.OperatorInstanceLimits.insert((blueprint_id, who), limit)
        self.deposit_event(Event.OperatorInstanceLimitSet(who, blueprint_id, limit))

    def instance_limit(self, blueprint_id: int, operator: str) -> int | None:
        return self.storage.OperatorInstanceLimits.get((blueprint_id, operator))

    def committed_instances(self, blueprint_id: int, operator: str) -> int:
        return self.storage.OperatorInstanceCount.get((blueprint_id, operator))

    def _check_capacity(self, blueprint_id: int, operator: str) -> None:
        limit = self.storage.OperatorInstanceLimits.get((blueprint_id, operator))
        if limit is not None and self.storage.OperatorInstanceCount.get((blueprint_id, operator)) >= limit:
            raise Error.MaxServicesPerOperatorExceeded(f"{operator} runs its limit of {limit} instance(s) of blueprint {blueprint_id}")

    def _commit(self, blueprint_id: int, operator: str, delta: int) -> None:
        counts = self.storage.OperatorInstanceCount
        key = (blueprint_id, operator)
        n = counts.get(key) + delta
        if n > 0:
            counts.insert(key, n)
        else:
            counts.remove(key)
