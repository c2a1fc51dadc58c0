"""pallet_preimage's dispatchables and the ``QueryPreimage``/``StorePreimage`` interface the Scheduler
and Democracy use (polkadot-sdk stable2407, pallet-preimage 37.0.0; deposits are zero on this runtime)."""

from __future__ import annotations

from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import H256, Bytes

from pallets.preimage.errors import Error
from pallets.preimage.events import Event
from pallets.preimage.types import RequestStatus, Requested, Unrequested
from pallets.primitives.dispatch import blake2_256

MAX_SIZE = 4 * 1024 * 1024
MAX_HASH_UPGRADE_BULK_COUNT = 1024


class Calls:
    # ------------------------------------------------------------------ the pallet's own logic
    def _signed_or_manager(self, origin: Origin) -> str | None:
        """``ensure_signed_or_manager``: None for the manager (Root), the signer otherwise."""
        if origin.is_root:
            return None
        return ensure_signed(origin)

    def note_bytes(self, data: bytes, depositor: str | None) -> bool:
        """Store ``data``; returns whether it was requested. ``depositor`` None = the system/manager."""
        if len(data) > MAX_SIZE:
            raise Error.TooBig()
        h = blake2_256(data)
        status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
        if status is not None and status.name == "Requested":
            r = status.value
            new = RequestStatus.Requested(Requested(r.maybe_ticket, r.count, len(data)))
        elif status is not None:
            if depositor is not None:
                raise Error.AlreadyNoted()
            new = RequestStatus.Requested(Requested(status.value.ticket, 1, status.value.len))
        elif depositor is None:
            new = RequestStatus.Requested(Requested(None, 1, len(data)))
        else:
            new = RequestStatus.Unrequested(Unrequested((depositor, ()), len(data)))
        self.storage.RequestStatusFor.insert(h, new)  # type: ignore[attr-defined]
        self.storage.PreimageFor.insert((h, len(data)), data)  # type: ignore[attr-defined]
        self.deposit_event(Event.Noted(h))  # type: ignore[attr-defined]
        return new.name == "Requested"

    def do_request(self, h: bytes) -> None:
        status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
        if status is None:
            count, maybe_len, ticket = 1, None, None
        elif status.name == "Requested":
            count, maybe_len, ticket = status.value.count + 1, status.value.maybe_len, status.value.maybe_ticket
        else:
            count, maybe_len, ticket = 1, status.value.len, status.value.ticket
        self.storage.RequestStatusFor.insert(h, RequestStatus.Requested(Requested(ticket, count, maybe_len)))  # type: ignore[attr-defined]
        if count == 1:
            self.deposit_event(Event.Requested(h))  # type: ignore[attr-defined]

    def do_unrequest(self, h: bytes) -> None:
        status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
        if status is None or status.name != "Requested":
            raise Error.NotRequested()
        r = status.value
        if r.count > 1:
            self.storage.RequestStatusFor.insert(h, RequestStatus.Requested(Requested(r.maybe_ticket, r.count - 1, r.maybe_len)))  # type: ignore[attr-defined]
            return
        if r.maybe_len is not None and r.maybe_ticket is None:
            self.storage.PreimageFor.remove((h, r.maybe_len))  # type: ignore[attr-defined]
            self.storage.RequestStatusFor.remove(h)  # type: ignore[attr-defined]
            self.deposit_event(Event.Cleared(h))  # type: ignore[attr-defined]
        elif r.maybe_len is not None:
            self.storage.RequestStatusFor.insert(h, RequestStatus.Unrequested(Unrequested(r.maybe_ticket, r.maybe_len)))  # type: ignore[attr-defined]
        else:
            self.storage.RequestStatusFor.remove(h)  # type: ignore[attr-defined]

    def do_unnote(self, h: bytes, owner_check: str | None) -> None:
        status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
        if status is None:
            raise Error.NotNoted()
        if status.name == "Requested":
            r = status.value
            if r.maybe_ticket is not None:
                if owner_check is not None and owner_check != r.maybe_ticket[0]:
                    raise Error.NotAuthorized()
                self.storage.RequestStatusFor.insert(h, RequestStatus.Requested(Requested(None, r.count, r.maybe_len)))  # type: ignore[attr-defined]
                return
            if owner_check is not None:
                raise Error.NotAuthorized()
            self.do_unrequest(h)
            return
        u = status.value
        if owner_check is not None and owner_check != u.ticket[0]:
            raise Error.NotAuthorized()
        self.storage.RequestStatusFor.remove(h)  # type: ignore[attr-defined]
        self.storage.PreimageFor.remove((h, u.len))  # type: ignore[attr-defined]
        self.deposit_event(Event.Cleared(h))  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ QueryPreimage / StorePreimage
    def note(self, data: bytes) -> bytes:
        """``StorePreimage::note``: store as the system (a request of its own); returns the hash."""
        self.note_bytes(data, None)
        return blake2_256(data)

    def request(self, h: bytes) -> None:
        self.do_request(h)

    def unrequest(self, h: bytes) -> None:
        try:
            self.do_unrequest(h)
        except Error.NotRequested:  # ``QueryPreimage::unrequest`` ignores the error
            pass

    def fetch(self, h: bytes, length: int | None) -> bytes | None:
        """The stored bytes (``length`` None: whatever length was noted), or None."""
        if length is None:
            status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
            if status is None:
                return None
            length = status.value.len if status.name == "Unrequested" else status.value.maybe_len
            if length is None:
                return None
        return self.storage.PreimageFor.get((h, length))  # type: ignore[attr-defined]

    def len_of(self, h: bytes) -> int | None:
        data = self.fetch(h, None)
        return None if data is None else len(data)

    def is_requested(self, h: bytes) -> bool:
        status = self.storage.RequestStatusFor.get(h)  # type: ignore[attr-defined]
        return status is not None and status.name == "Requested"

    # ------------------------------------------------------------------ calls
    @call(0)
    def note_preimage(self, origin: Origin, bytes: Bytes) -> None:  # noqa: A002 - the chain's name
        self.note_bytes(bytes, self._signed_or_manager(origin))

    @call(1)
    def unnote_preimage(self, origin: Origin, hash: H256) -> None:  # noqa: A002
        self.do_unnote(hash, self._signed_or_manager(origin))

    @call(2)
    def request_preimage(self, origin: Origin, hash: H256) -> None:  # noqa: A002
        ensure_root(origin)
        self.do_request(hash)

    @call(3)
    def unrequest_preimage(self, origin: Origin, hash: H256) -> None:  # noqa: A002
        ensure_root(origin)
        self.do_unrequest(hash)

    @call(4)
    def ensure_updated(self, origin: Origin, hashes: tuple[H256, ...]) -> None:
        """Migrates legacy ``StatusFor`` entries; this runtime has none, so only the bounds are checked."""
        ensure_signed(origin)
        if not hashes:
            raise Error.TooFew()
        if len(hashes) > MAX_HASH_UPGRADE_BULK_COUNT:
            raise Error.TooMany()
