"""pallet_proxy's dispatchables (polkadot-sdk stable2407, pallet-proxy 37.0.0)."""

from __future__ import annotations

import hashlib
from typing import Callable

from runtime.accounts import account_bytes, normalize_account
from runtime.calls import Call, RuntimeCall
from runtime.origin import FilteredOrigin, Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import H256, U16, U64, CompactU32, CompactU64, MultiAddress

from pallets.primitives.dispatch import call_hash as hash_of
from pallets.primitives.dispatch import error_name, try_dispatch
from pallets.proxy.errors import Error
from pallets.proxy.events import Event
from pallets.proxy.types import Announcement, ProxyDefinition, ProxyType, filter_call, is_superset


def pure_account(spawner: str, proxy_type: ProxyType, index: int, height: int, ext_index: int) -> str:
    """``Pallet::pure_account``: ``blake2_256(b"modlpy/proxy____" ++ who ++ height u64 ++ ext_index u32
    ++ proxy_type ++ index u16)``, all little-endian SCALE."""
    type_byte = bytes([type(proxy_type).__order__[proxy_type.name]])
    data = b"modlpy/proxy____" + account_bytes(spawner) + height.to_bytes(8, "little") + ext_index.to_bytes(4, "little") + type_byte + index.to_bytes(2, "little")
    return normalize_account(hashlib.blake2b(data, digest_size=32).digest())


class Calls:
    # ------------------------------------------------------------------ helpers
    def deposit_for(self, n: int) -> int:
        c = self.consts  # type: ignore[attr-defined]
        return 0 if n == 0 else c.ProxyDepositBase + c.ProxyDepositFactor * n

    def _rejig(self, who: str, old: int, new: int) -> None:
        if new > old:
            self.currency.reserve(who, new - old)  # type: ignore[attr-defined]
        elif new < old:
            self.currency.unreserve(who, old - new)  # type: ignore[attr-defined]

    def add_proxy_delegate(self, delegator: str, delegatee: str, proxy_type: ProxyType, delay: int) -> None:
        if delegator == delegatee:
            raise Error.NoSelfProxy()
        proxies, deposit = self.storage.Proxies.get(delegator)  # type: ignore[attr-defined]
        definition = ProxyDefinition(delegatee, proxy_type, delay)
        if definition in proxies:
            raise Error.Duplicate()
        if len(proxies) >= self.consts.MaxProxies:  # type: ignore[attr-defined]
            raise Error.TooMany()
        proxies = tuple(sorted(proxies + (definition,), key=ProxyDefinition.sort_key))
        new = self.deposit_for(len(proxies))
        self._rejig(delegator, deposit, new)
        self.storage.Proxies.insert(delegator, (proxies, new))  # type: ignore[attr-defined]
        self.deposit_event(Event.ProxyAdded(delegator, delegatee, proxy_type, delay))  # type: ignore[attr-defined]

    def remove_proxy_delegate(self, delegator: str, delegatee: str, proxy_type: ProxyType, delay: int) -> None:
        if delegator not in self.storage.Proxies:  # type: ignore[attr-defined]
            raise Error.NotFound()
        proxies, deposit = self.storage.Proxies.get(delegator)  # type: ignore[attr-defined]
        definition = ProxyDefinition(delegatee, proxy_type, delay)
        if definition not in proxies:
            raise Error.NotFound()
        proxies = tuple(p for p in proxies if p != definition)
        new = self.deposit_for(len(proxies))
        self._rejig(delegator, deposit, new)
        if proxies:
            self.storage.Proxies.insert(delegator, (proxies, new))  # type: ignore[attr-defined]
        else:
            self.storage.Proxies.remove(delegator)  # type: ignore[attr-defined]
        self.deposit_event(Event.ProxyRemoved(delegator, delegatee, proxy_type, delay))  # type: ignore[attr-defined]

    def find_proxy(self, real: str, delegate: str, force_proxy_type: ProxyType | None) -> ProxyDefinition:
        for d in self.storage.Proxies.get(real)[0]:  # type: ignore[attr-defined]
            if d.delegate == delegate and (force_proxy_type is None or d.proxy_type == force_proxy_type):
                return d
        raise Error.NotProxy()

    def do_proxy(self, definition: ProxyDefinition, real: str, inner: RuntimeCall) -> None:
        """Dispatch as ``Signed(real)`` behind the proxy type's filter (and the rules that keep a proxy
        from granting or revoking more than it holds); ``ProxyExecuted`` carries the inner result."""
        kind = definition.proxy_type

        def proxy_filter(c: RuntimeCall) -> bool:
            if c.call_module == "Proxy":
                if c.call_function in ("add_proxy", "remove_proxy") and not is_superset(kind, c.args[1]):
                    return False
                if c.call_function in ("remove_proxies", "kill_pure") and kind.name != "Any":
                    return False
            return filter_call(kind, c)

        err = try_dispatch(self.ctx, FilteredOrigin(real, (proxy_filter,)), inner)  # type: ignore[attr-defined]
        self.deposit_event(Event.ProxyExecuted(error_name(err)))  # type: ignore[attr-defined]

    def edit_announcements(self, delegate: str, keep: Callable[[Announcement], bool]) -> None:
        if delegate not in self.storage.Announcements:  # type: ignore[attr-defined]
            raise Error.NotFound()
        pending, deposit = self.storage.Announcements.get(delegate)  # type: ignore[attr-defined]
        kept = tuple(a for a in pending if keep(a))
        if len(kept) == len(pending):
            raise Error.NotFound()
        c = self.consts  # type: ignore[attr-defined]
        new = 0 if not kept else c.AnnouncementDepositBase + c.AnnouncementDepositFactor * len(kept)
        self._rejig(delegate, deposit, new)
        if kept:
            self.storage.Announcements.insert(delegate, (kept, new))  # type: ignore[attr-defined]
        else:
            self.storage.Announcements.remove(delegate)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ calls
    @call(0)
    def proxy(self, origin: Origin, real: MultiAddress, force_proxy_type: ProxyType | None, call: Call) -> None:
        who = ensure_signed(origin)
        definition = self.find_proxy(real, who, force_proxy_type)
        if definition.delay != 0:
            raise Error.Unannounced()
        self.do_proxy(definition, real, call)

    @call(1)
    def add_proxy(self, origin: Origin, delegate: MultiAddress, proxy_type: ProxyType, delay: U64) -> None:
        self.add_proxy_delegate(ensure_signed(origin), delegate, proxy_type, delay)

    @call(2)
    def remove_proxy(self, origin: Origin, delegate: MultiAddress, proxy_type: ProxyType, delay: U64) -> None:
        self.remove_proxy_delegate(ensure_signed(origin), delegate, proxy_type, delay)

    @call(3)
    def remove_proxies(self, origin: Origin) -> None:
        who = ensure_signed(origin)
        _, deposit = self.storage.Proxies.take(who) or ((), 0)  # type: ignore[attr-defined]
        self.currency.unreserve(who, deposit)  # type: ignore[attr-defined]

    @call(4)
    def create_pure(self, origin: Origin, proxy_type: ProxyType, delay: U64, index: U16) -> None:
        who = ensure_signed(origin)
        pure = pure_account(who, proxy_type, index, self.block_number, self.ctx.extrinsic_index() or 0)  # type: ignore[attr-defined]
        if pure in self.storage.Proxies:  # type: ignore[attr-defined]
            raise Error.Duplicate()
        deposit = self.consts.ProxyDepositBase + self.consts.ProxyDepositFactor  # type: ignore[attr-defined]
        self.currency.reserve(who, deposit)  # type: ignore[attr-defined]
        self.storage.Proxies.insert(pure, ((ProxyDefinition(who, proxy_type, delay),), deposit))  # type: ignore[attr-defined]
        self.deposit_event(Event.PureCreated(pure, who, proxy_type, index))  # type: ignore[attr-defined]

    @call(5)
    def kill_pure(self, origin: Origin, spawner: MultiAddress, proxy_type: ProxyType, index: U16, height: CompactU64, ext_index: CompactU32) -> None:
        who = ensure_signed(origin)
        if pure_account(spawner, proxy_type, index, height, ext_index) != who:
            raise Error.NoPermission()
        _, deposit = self.storage.Proxies.take(who) or ((), 0)  # type: ignore[attr-defined]
        if self.ctx.quirk("proxy.kill_pure_unreserves_whole_deposit"):  # type: ignore[attr-defined]
            self.currency.unreserve(spawner, deposit)  # type: ignore[attr-defined]
            return
        # the spawner reserved the creation deposit; whatever the pure account added for later
        # proxies was reserved from the pure account itself (``add_proxy_delegate``): each gets back
        # its own share
        spawner_share = min(deposit, self.consts.ProxyDepositBase + self.consts.ProxyDepositFactor)  # type: ignore[attr-defined]
        self.currency.unreserve(spawner, spawner_share)  # type: ignore[attr-defined]
        self.currency.unreserve(who, deposit - spawner_share)  # type: ignore[attr-defined]

    @call(6)
    def announce(self, origin: Origin, real: MultiAddress, call_hash: H256) -> None:
        who = ensure_signed(origin)
        if not any(d.delegate == who for d in self.storage.Proxies.get(real)[0]):  # type: ignore[attr-defined]
            raise Error.NotProxy()
        pending, deposit = self.storage.Announcements.get(who)  # type: ignore[attr-defined]
        if len(pending) >= self.consts.MaxPending:  # type: ignore[attr-defined]
            raise Error.TooMany()
        pending = pending + (Announcement(real, call_hash, self.block_number),)  # type: ignore[attr-defined]
        c = self.consts  # type: ignore[attr-defined]
        new = c.AnnouncementDepositBase + c.AnnouncementDepositFactor * len(pending)
        self._rejig(who, deposit, new)
        self.storage.Announcements.insert(who, (pending, new))  # type: ignore[attr-defined]
        self.deposit_event(Event.Announced(real, who, call_hash))  # type: ignore[attr-defined]

    @call(7)
    def remove_announcement(self, origin: Origin, real: MultiAddress, call_hash: H256) -> None:
        who = ensure_signed(origin)
        self.edit_announcements(who, lambda a: a.real != real or a.call_hash != call_hash)

    @call(8)
    def reject_announcement(self, origin: Origin, delegate: MultiAddress, call_hash: H256) -> None:
        who = ensure_signed(origin)
        self.edit_announcements(delegate, lambda a: a.real != who or a.call_hash != call_hash)

    @call(9)
    def proxy_announced(self, origin: Origin, delegate: MultiAddress, real: MultiAddress, force_proxy_type: ProxyType | None, call: Call) -> None:
        ensure_signed(origin)
        definition = self.find_proxy(real, delegate, force_proxy_type)
        h = hash_of(call)
        now = self.block_number  # type: ignore[attr-defined]
        try:
            self.edit_announcements(delegate, lambda a: a.real != real or a.call_hash != h or now - a.height < definition.delay)
        except Error.NotFound:
            raise Error.Unannounced() from None
        self.do_proxy(definition, real, call)
