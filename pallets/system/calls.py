"""frame_system's dispatchables (stable2407).

Raw storage (``set_storage``, ``kill_storage``, ``kill_prefix``): keys are real storage keys
(``twox128(pallet) ++ twox128(item) ++ hashed key``), mapped to the simulator's items by the node's
mapping (``runtime/bridge/node/storage.py``, built from the metadata file). A value written at a
modelled item's key is SCALE, decoded with the item's metadata type and then the simulator's codec;
if it does not decode (or no metadata file is available) the call fails with ``Corruption`` and
writes nothing. Keys of no modelled item (other pallets, simulator-only items, unprefixed keys) are
kept as raw bytes in ``UnmodelledStorage``: written, as on chain, but read by no rule.

Code (``set_code``, ``authorize_upgrade``, ``apply_authorized_upgrade``): the code bytes name an
upgrade (format in ``runtime/upgrades.py``); the checks are ``can_set_code``'s, and the new rules
apply from the next block, as the chain runs a new ``:code`` from the next block on.
"""

from __future__ import annotations

import hashlib

from runtime.origin import Origin, ensure_root, ensure_signed
from runtime.pallet import call
from runtime.primitives import U32, U64, Bytes, H256
from runtime.upgrades import CodeError, read_code

from pallets.system.errors import Corruption, Error
from pallets.system.events import Event
from pallets.system.storage import CodeUpgradeAuthorization

KeyValue = tuple[Bytes, Bytes]


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


#: sp_storage::well_known_keys::CODE
CODE_KEY = b":code"

class Calls:
    @call(0)
    def remark(self, origin: Origin, remark: Bytes) -> None:
        """Make some on-chain remark (no effect). Any origin may (frame_system: "Can be executed by
        every `origin`"; unlike ``remark_with_event``, which needs a signer for its event)."""

    @call(1)
    def set_heap_pages(self, origin: Origin, pages: U64) -> None:
        """Set the number of pages in the WebAssembly environment's heap (``:heappages``)."""
        ensure_root(origin)
        self.storage.HeapPages.put(pages)  # type: ignore[attr-defined]

    @call(2)
    def set_code(self, origin: Origin, code: Bytes) -> None:
        """Set the new runtime code, after ``can_set_code``'s checks."""
        ensure_root(origin)
        self._can_set_code(code)
        self._update_code(code)

    @call(3)
    def set_code_without_checks(self, origin: Origin, code: Bytes) -> None:
        """Set the new runtime code without the version checks. (The chain would accept any bytes
        and brick on bad ones; the simulator still needs code it can read, see the module doc.)"""
        ensure_root(origin)
        self._read_code(code)
        self._update_code(code)

    @call(4)
    def set_storage(self, origin: Origin, items: tuple[KeyValue, ...]) -> None:
        """Set some items of storage (raw keys and SCALE values)."""
        ensure_root(origin)
        raw = self._raw_storage(bool(items))
        writes = []
        for i, (key, value) in enumerate(items):
            if raw is not None and raw.is_modelled_key(key):
                writes.append(self._resolve(raw, i, key, value))
            else:
                writes.append(key)
        unmodelled = self.storage.UnmodelledStorage  # type: ignore[attr-defined]
        for (key, value), write in zip(items, writes):
            if isinstance(write, bytes):
                unmodelled.insert(key, value)
                continue
            raw.apply_raw([write])  # type: ignore[union-attr]  # System.Account: the nonce goes to System.Nonces there

    @call(5)
    def kill_storage(self, origin: Origin, keys: tuple[Bytes, ...]) -> None:
        """Kill some items from storage (absent keys are a no-op, as on chain)."""
        ensure_root(origin)
        raw = self._raw_storage(bool(keys))
        for i, key in enumerate(keys):
            self._kill(raw, i, key)

    @call(6)
    def kill_prefix(self, origin: Origin, prefix: Bytes, subkeys: U32) -> None:
        """Kill the stored keys under ``prefix``, at most ``subkeys`` of them (``clear_prefix``'s limit),
        in key order."""
        ensure_root(origin)
        raw = self._raw_storage(True)
        found = [k for k in self.storage.UnmodelledStorage.keys() if k.startswith(prefix)]  # type: ignore[attr-defined]
        if raw is not None:
            found += raw.keys_paged(prefix, subkeys)
        for i, key in enumerate(sorted(found)[:subkeys]):
            self._kill(raw, i, key)

    @call(7)
    def remark_with_event(self, origin: Origin, remark: Bytes) -> None:
        who = ensure_signed(origin)
        self.deposit_event(Event.Remarked(who, blake2_256(remark)))  # type: ignore[attr-defined]

    @call(9)
    def authorize_upgrade(self, origin: Origin, code_hash: H256) -> None:
        """Authorize code with ``code_hash`` (blake2-256) for ``apply_authorized_upgrade``, with the version checks."""
        ensure_root(origin)
        self._authorize(code_hash, True)

    @call(10)
    def authorize_upgrade_without_checks(self, origin: Origin, code_hash: H256) -> None:
        ensure_root(origin)
        self._authorize(code_hash, False)

    @call(11)
    def apply_authorized_upgrade(self, origin: Origin, code: Bytes) -> None:
        """Provide the preimage of an authorized code hash (any origin may)."""
        authorization = self.storage.AuthorizedUpgrade.value()  # type: ignore[attr-defined]
        if authorization is None:
            raise Error.NothingAuthorized()
        if blake2_256(code) != authorization.code_hash:
            raise Error.Unauthorized()
        if authorization.check_version:
            self._can_set_code(code)
        else:
            self._read_code(code)
        self._update_code(code)
        self.storage.AuthorizedUpgrade.kill()  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ helpers
    def _authorize(self, code_hash: bytes, check_version: bool) -> None:
        self.storage.AuthorizedUpgrade.put(CodeUpgradeAuthorization(code_hash, check_version))  # type: ignore[attr-defined]
        self.deposit_event(Event.UpgradeAuthorized(code_hash, check_version))  # type: ignore[attr-defined]

    def _read_code(self, code: bytes):  # type: ignore[no-untyped-def]
        try:
            version = read_code(code)
            self.ctx.check_upgrade(version.config)  # type: ignore[attr-defined]
        except (CodeError, ValueError) as exc:
            raise Error.FailedToExtractRuntimeVersion(str(exc)[:300]) from None
        return version

    def _can_set_code(self, code: bytes) -> None:
        """``can_set_code``: a readable version, the same spec_name, a higher spec_version
        (``MultiBlockMigrator = ()`` on Tangle: never ``MultiBlockMigrationsOngoing``)."""
        from runtime.upgrades import SPEC_NAME

        version = self._read_code(code)
        if version.spec_name != SPEC_NAME:
            raise Error.InvalidSpecName()
        if version.config.spec_version <= self.spec_version():  # type: ignore[attr-defined]
            raise Error.SpecVersionNeedsToIncrease()

    def _update_code(self, code: bytes) -> None:
        """``update_code_in_storage``: ``:code`` now, ``CodeUpdated`` now, the rules from the next block."""
        self.storage.PendingCode.put(code)  # type: ignore[attr-defined]
        # the well-known ``:code`` key holds the new code at once, as on chain (a node reading it
        # serves these bytes); the rules switch at the next block, from PendingCode
        self.storage.UnmodelledStorage.insert(CODE_KEY, bytes(code))  # type: ignore[attr-defined]
        self.deposit_event(Event.CodeUpdated())  # type: ignore[attr-defined]

    def _raw_storage(self, needed: bool):  # type: ignore[no-untyped-def]
        provider = getattr(self, "raw_storage", None)
        return provider() if (needed and provider is not None) else None

    def _resolve(self, raw, i: int, key: bytes, value: bytes | None):  # type: ignore[no-untyped-def]
        try:
            return raw.resolve_raw(key, value)
        except ValueError as exc:
            raise Corruption(f"items[{i}]: {str(exc)[:300]}") from None

    def _kill(self, raw, i: int, key: bytes) -> None:  # type: ignore[no-untyped-def]
        unmodelled = self.storage.UnmodelledStorage  # type: ignore[attr-defined]
        if key in unmodelled:
            unmodelled.remove(key)
        elif raw is not None and raw.is_modelled_key(key):
            from pallets.system.raw import RawStorageUnavailable

            try:
                write = raw.resolve_raw(key, None)
            except RawStorageUnavailable as exc:
                raise Corruption(f"keys[{i}]: {exc}") from None
            except ValueError:
                return  # no such entry (or none the simulator's types could hold): a no-op
            raw.apply_raw([write])
