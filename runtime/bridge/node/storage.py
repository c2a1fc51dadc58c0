"""Storage reads for the node: real storage keys in, SCALE values (per the metadata) out.

Why: clients compute keys from the metadata (``twox128`` prefixes, per-item hashers) and decode
values with the metadata's types. This module maps a key back to the simulator's storage item and
params, reads the value through ``Runtime.query`` (so custom renderings, e.g. ``System.Account``
with its nonce, apply), and encodes it with the metadata type. Items the simulator does not model,
and simulator-only items, read as absent. Keys whose hashers hide the params (``Blake2_128``,
``Twox128``...) are found by computing the keys of the item's entries.

Reads go to the runtime's current state; the chain runs them against an older block's snapshot
for queries at that block (``SimChain.at``). ``System.Events`` is kept per block by the node, and a
few items every chain has but the simulator does not model (``Timestamp.Now``, BABE's slot and
epoch counters, the ``:code`` placeholder PAPI keys runtimes by) come from the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from runtime.bridge.keys import decode_key_params, encode_value, item_prefix, storage_key
from runtime.bridge.metadata import PalletInfo, RuntimeMetadata, StorageInfo

if TYPE_CHECKING:
    from runtime.runtime import Runtime
    from runtime.storage import Item


CODE_KEY = b":code"


def code_placeholder(spec_name: str, spec_version: int) -> bytes:
    """Stands in for the runtime's wasm at ``:code``: stable per runtime, different per spec version
    (PAPI keys runtimes by the hash of this value)."""
    return f"tangle-sim runtime placeholder: {spec_name} {spec_version}".encode()


class StorageEncodeError(RuntimeError):
    """A simulator value cannot be encoded as the metadata type (a conformance problem, shown to clients)."""


@dataclass
class ModelledItem:
    pallet: PalletInfo
    info: StorageInfo
    item: "Item"
    prefix: bytes


class StateReader:
    """Answers ``state_getStorage``/``state_getKeysPaged``/``state_queryStorageAt`` from a runtime."""

    def __init__(self, md: RuntimeMetadata, rt: "Runtime", events_of: Callable[[str | None], bytes], node_value: Callable[[str, str, str | None], bytes | None] | None = None) -> None:
        self.md = md
        self.rt = rt
        self.events_of = events_of
        self.node_value = node_value
        self.node_items: dict[bytes, tuple[str, str]] = {}
        node_held = (("Timestamp", "Now"), ("TransactionPayment", "NextFeeMultiplier"), ("System", "BlockWeight"),
                     ("Babe", "CurrentSlot"), ("Babe", "EpochIndex"), ("Babe", "GenesisSlot"))
        for pallet_name, item_name in node_held:
            pallet_info = md.pallets.get(pallet_name)
            if pallet_info is not None and pallet_info.storage_prefix and item_name in pallet_info.storage:
                self.node_items[item_prefix(pallet_info.storage_prefix, item_name)] = (pallet_name, item_name)
        self.items: dict[bytes, ModelledItem] = {}
        for pallet in rt.pallets.values():
            chain = md.pallets.get(pallet.name)
            if pallet.Storage is None or chain is None or chain.storage_prefix != pallet.Storage.__prefix__:
                continue
            for name, decl in pallet.Storage.__decls__.items():
                info = chain.storage.get(name)
                if decl.extension or info is None or len(decl.keys) != len(info.key_type_ids):
                    continue
                prefix = item_prefix(chain.storage_prefix, name)
                self.items[prefix] = ModelledItem(chain, info, getattr(pallet.storage, name), prefix)
        system = md.pallets.get("System")
        self.events_key = item_prefix(system.storage_prefix, "Events") if system and system.storage_prefix else None

    # --- reads
    def get(self, key: bytes, block_hash: str | None = None) -> bytes | None:
        """The SCALE value at ``key`` (None if absent)."""
        if key == self.events_key:
            return self.events_of(block_hash)
        raw = self._raw(key)  # a key the simulator keeps as bytes (set_storage, set_code's ``:code``)
        if raw is not None:
            return raw
        if key == CODE_KEY:
            return code_placeholder(self.md.spec_name, self.rt.spec_version)
        node_item = self.node_items.get(key)
        if node_item is not None and self.node_value is not None:
            return self.node_value(*node_item, block_hash)
        entry = self.items.get(key[:32])
        if entry is None:
            return None
        try:
            params = decode_key_params(self.md, entry.info, key[32:])
        except Exception:  # noqa: BLE001 - a map's bare prefix or a truncated key: no value is stored there
            return None
        if params is None:
            params = self._scan(entry, key)
            if params is None:
                return None
        return self._value(entry, params)

    def _raw(self, key: bytes) -> bytes | None:
        system = self.rt.pallets.get("System")
        unmodelled = getattr(getattr(system, "storage", None), "UnmodelledStorage", None)
        return None if unmodelled is None or key not in unmodelled else bytes(unmodelled.get(key))

    def _internal_key(self, entry: ModelledItem, params: list[Any]) -> Any:
        codecs = entry.item.key_codecs()
        keys = [c.decode(v, f"params[{i}]") for i, (c, v) in enumerate(zip(codecs, params))]
        return None if not keys else (keys[0] if len(keys) == 1 else tuple(keys))

    def _value(self, entry: ModelledItem, params: list[Any]) -> bytes | None:
        try:
            internal = self._internal_key(entry, params)
        except ValueError:
            return None  # a key the simulator's types cannot hold: nothing stored there
        present = entry.item.contains(internal)
        if not present and entry.info.modifier == "Optional":
            return None
        rendered = self.rt.query(entry.pallet.name, entry.info.name, params).value
        if rendered is None:
            return None
        try:
            data = encode_value(self.md, entry.info.value_type_id, rendered)
        except Exception as exc:  # noqa: BLE001
            raise StorageEncodeError(f"cannot encode {entry.pallet.name}.{entry.info.name} as {entry.info.value_type}: {type(exc).__name__}: {exc}") from None
        if not present and data == entry.info.default:
            return None
        return data

    # --- keys
    def entry_keys(self, entry: ModelledItem) -> list[tuple[bytes, list[Any]]]:
        """Every stored entry of an item: (full key, params)."""
        out = []
        if not entry.info.key_type_ids:
            if entry.item.contains(None):
                out.append((entry.prefix, []))
            return out
        codecs = entry.item.key_codecs()
        for key in entry.item.keys():
            parts = key if len(codecs) > 1 else (key,)
            params = [c.encode(k) for c, k in zip(codecs, parts)]
            out.append((storage_key(self.md, entry.pallet.storage_prefix or "", entry.info, params), params))
        return out

    def _scan(self, entry: ModelledItem, key: bytes) -> list[Any] | None:
        for full, params in self.entry_keys(entry):
            if full == key:
                return params
        return None

    def keys_paged(self, prefix: bytes, count: int, start_key: bytes | None = None) -> list[bytes]:
        """Stored keys under ``prefix`` in key order, strictly after ``start_key``, at most ``count``."""
        found = []
        for item_prefix_bytes, entry in self.items.items():
            if not (item_prefix_bytes.startswith(prefix) or prefix.startswith(item_prefix_bytes)):
                continue
            for full, _ in self.entry_keys(entry):
                if full.startswith(prefix) and (start_key is None or full > start_key):
                    found.append(full)
        found.sort()
        return found[:count]

    # --- writes (dev_setStorage, System.set_storage / kill_storage)
    def is_modelled_key(self, key: bytes) -> bool:
        """Is ``key`` under the prefix of a storage item the simulator models (and the chain has)?"""
        return key[:32] in self.items

    def resolve_raw(self, key: bytes, value: bytes | None) -> tuple[ModelledItem, Any, Any]:
        """A real key and SCALE value (None: delete) as (item, internal key, internal value).
        Raises ValueError, touching nothing, if the key is not a modelled item's or the value does not
        decode as the item's metadata type and then through the simulator's codec."""
        from scalecodec.base import ScaleBytes

        entry = self.items.get(key[:32])
        if entry is None:
            raise ValueError(f"0x{key.hex()[:80]}: not a key of a storage item the simulator models")
        try:
            params = decode_key_params(self.md, entry.info, key[32:])
        except Exception:  # noqa: BLE001 - a truncated key
            raise ValueError(f"0x{key.hex()[:80]}: not a whole key of {entry.pallet.name}.{entry.info.name}") from None
        if params is None:
            params = self._scan(entry, key)
            if params is None:
                raise ValueError(f"0x{key.hex()[:80]}: {entry.pallet.name}.{entry.info.name} key with an opaque hasher and no such entry")
        internal = self._internal_key(entry, params)
        decoded: Any = None
        if value is not None:
            obj = self.md.runtime_config.create_scale_object(f"scale_info::{entry.info.value_type_id}", data=ScaleBytes(bytearray(value)))
            try:
                rendered = obj.decode()
            except Exception as exc:  # noqa: BLE001 - bytes that are not this type
                raise ValueError(f"{entry.pallet.name}.{entry.info.name}: value does not decode as {entry.info.value_type}: {exc}") from None
            if obj.data.offset != len(value):
                raise ValueError(f"{entry.pallet.name}.{entry.info.name}: {len(value) - obj.data.offset} trailing bytes after the {entry.info.value_type} value")
            if _is_account(entry):  # the simulator keeps the nonce apart (System.Nonces): (record, nonce)
                decoded = (_account_info(rendered), rendered["nonce"])
            else:
                decoded = entry.item.value_codec().decode(rendered, f"{entry.pallet.name}.{entry.info.name}")
        return entry, internal, decoded

    def apply_raw(self, writes: list[tuple[ModelledItem, Any, Any]]) -> None:
        """Apply resolved writes (None deletes); a ``System.Account`` write also sets or clears the nonce."""
        system = self.rt.pallets["System"].storage  # type: ignore[attr-defined]
        for entry, internal, decoded in writes:
            if _is_account(entry):
                nonce = None if decoded is None else decoded[1]
                decoded = None if decoded is None else decoded[0]
                if nonce:
                    system.Nonces.insert(internal, nonce)
                else:
                    system.Nonces.remove(internal)
            if not entry.info.key_type_ids:
                if decoded is None:
                    entry.item.kill()
                else:
                    entry.item.put(decoded)
            elif decoded is None:
                entry.item.remove(internal)
            else:
                entry.item.insert(internal, decoded)

    def set_raw(self, pairs: list[tuple[bytes, bytes | None]]) -> None:
        """Write SCALE values (None deletes) at real keys of modelled items; all or nothing."""
        self.apply_raw([self.resolve_raw(key, value) for key, value in pairs])


def _is_account(entry: ModelledItem) -> bool:
    return (entry.pallet.name, entry.info.name) == ("System", "Account")


def _account_info(rendered: dict[str, Any]) -> Any:
    """``AccountInfo`` decoded from the chain's layout into the simulator's record (nonce apart)."""
    from pallets.system.types import AccountInfo

    data = rendered["data"]
    return AccountInfo(rendered["consumers"], rendered["providers"], rendered["sufficients"], data["free"], data["reserved"], data["frozen"], data["flags"])

