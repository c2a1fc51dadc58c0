"""Request expiry (simulator extension ``request_expiry``; the real pallet keeps pending requests
forever, spec §8.8).

A request created at block ``b`` expires at block ``b + request_expiry_blocks`` (a runtime
parameter, default 1000): in that block's ``on_initialize`` it is removed, its staged payment is
refunded to the requester, the instance-limit commitments of operators that had approved are
released, and ``ServiceRequestExpired`` is emitted. Approving (or rejecting) it afterwards fails
with ``ServiceRequestNotFound``. A request modified by its owner keeps its expiry block.

Index: ``RequestExpiryQueue[(block, i)] = request_id`` with ``RequestExpiryCount[block]``, so adding
is O(1) and a block does work proportional to the requests expiring in it, however many are
pending. Entries of requests that were approved or removed meanwhile are skipped
(``ServiceRequestExpiresAt`` is the authority).
"""

from __future__ import annotations

from runtime.errors import DispatchError

from pallets.services.events import Event
from pallets.services.types.service import ServiceRequest


class RequestExpiry:
    def _schedule_expiry(self, request_id: int) -> None:
        s = self.storage
        at = self.block_number + self.ctx.extensions.request_expiry_blocks
        s.ServiceRequestExpiresAt.insert(request_id, at)
        i = s.RequestExpiryCount.get(at)
        s.RequestExpiryQueue.insert((at, i), request_id)
        s.RequestExpiryCount.insert(at, i + 1)

    def _remove_request(self, request_id: int, request: ServiceRequest) -> int:
        """Remove a pending request for good: refund its payment, release approvals, drop its expiry."""
        s = self.storage
        refunded = self._refund_payment(request_id)
        s.ServiceRequests.remove(request_id)
        s.ServiceRequestExpiresAt.remove(request_id)
        if self.ctx.extensions.instance_limits:
            for op, state in request.operators_with_approval_state:
                if state.name == "Approved":
                    self._commit(request.blueprint, op, -1)
        return refunded

    def _process_expiries(self, n: int) -> None:
        s = self.storage
        count = s.RequestExpiryCount.take(n)
        if not count:
            return
        queue = s.RequestExpiryQueue
        expires_at = s.ServiceRequestExpiresAt._d
        requests = s.ServiceRequests
        retry: list[int] = []
        for i in range(count):
            request_id = queue.take((n, i))
            if expires_at.get(request_id) != n:
                continue  # started or removed meanwhile
            request = requests.get(request_id)
            try:
                refunded = self.ctx.transactional(lambda: self._remove_request(request_id, request))
            except DispatchError:
                retry.append(request_id)  # the refund failed (e.g. an ERC-20 contract refused): try again next block
                continue
            self.deposit_event(Event.ServiceRequestExpired(request.owner, request_id, request.blueprint, refunded))
        for request_id in retry:
            j = s.RequestExpiryCount.get(n + 1)
            queue.insert((n + 1, j), request_id)
            s.RequestExpiryCount.insert(n + 1, j + 1)
            s.ServiceRequestExpiresAt.insert(request_id, n + 1)
