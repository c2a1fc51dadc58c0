"""The real runtime's metadata: loaded once per process, presented as a small model.

Why a model: conformance, encoding and the JSON-RPC node all ask the same questions (which calls
does pallet X have, with which argument names and types; which errors and events; how is storage
item Y keyed) and should not each walk scalecodec's nested objects. The scalecodec objects stay
available (``.scale``, ``.runtime_config``) for encoding and decoding.

Sources: a metadata file (V15 as shipped in ``../shared/tangle``, or V14; the ``meta`` magic then
the version byte) or a live node (``state_getMetadata``, which answers V14). The file is data read
at run time, from a path given by the user, ``$TANGLE_METADATA``, or the shared default next to
the repository; it is never copied into the repository.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from runtime.bridge.registry import BOUNDED_TYPES, V15_TYPES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_METADATA = REPO_ROOT.parent / "shared" / "tangle" / "tangle-testnet-runtime.scale"
ENV_VAR = "TANGLE_METADATA"


class MetadataError(ValueError):
    """The metadata cannot be found or read; the message says where it looked."""


# ------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class FieldInfo:
    """A call argument or event field: its name, registry type id, Rust type name and resolved type."""

    name: str | None
    type_id: int
    type_name: str | None
    resolved: str


@dataclass(frozen=True)
class CallInfo:
    name: str
    index: int
    args: tuple[FieldInfo, ...]
    docs: str = ""

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name or "" for a in self.args)


@dataclass(frozen=True)
class EventInfo:
    name: str
    index: int
    fields: tuple[FieldInfo, ...]
    docs: str = ""

    @property
    def field_names(self) -> tuple[str | None, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class ErrorInfo:
    name: str
    index: int
    docs: str = ""


@dataclass(frozen=True)
class StorageInfo:
    """One storage item: ``hashers``/``key_type_ids`` are empty for a plain value."""

    name: str
    modifier: str  # "Optional" | "Default"
    hashers: tuple[str, ...]
    key_type_ids: tuple[int, ...]
    value_type_id: int
    default: bytes
    value_type: str

    @property
    def is_map(self) -> bool:
        return bool(self.hashers)


@dataclass(frozen=True)
class ConstantInfo:
    name: str
    type_id: int
    value: bytes
    resolved: str


@dataclass(frozen=True)
class PalletInfo:
    name: str
    index: int
    storage_prefix: str | None
    calls: dict[str, CallInfo] = field(default_factory=dict)
    events: dict[str, EventInfo] = field(default_factory=dict)
    errors: dict[str, ErrorInfo] = field(default_factory=dict)
    storage: dict[str, StorageInfo] = field(default_factory=dict)
    constants: dict[str, ConstantInfo] = field(default_factory=dict)
    call_type_id: int | None = None
    event_type_id: int | None = None
    error_type_id: int | None = None

    def error_by_index(self, index: int) -> ErrorInfo | None:
        for err in self.errors.values():
            if err.index == index:
                return err
        return None


# ------------------------------------------------------------------------------------------ loading


def new_runtime_config(ss58_format: int = 42) -> RuntimeConfigurationObject:
    """A scalecodec runtime config with the core preset, the V15 types and the BoundedVec mapping."""
    rc = RuntimeConfigurationObject(ss58_format=ss58_format)
    rc.update_type_registry(load_type_registry_preset("core"))
    rc.update_type_registry(V15_TYPES)
    rc.update_type_registry(BOUNDED_TYPES)
    return rc


class RuntimeMetadata:
    """Decoded runtime metadata (V14 or V15) with a registry-backed scalecodec runtime config."""

    def __init__(self, raw: bytes, source: str) -> None:
        if raw[:4] != b"meta":
            raise MetadataError(f"{source}: not runtime metadata (expected the magic bytes 'meta', got {raw[:4]!r})")
        self.raw = bytes(raw)
        self.source = source
        self.version: int = raw[4]
        if self.version not in (14, 15):
            raise MetadataError(f"{source}: metadata V{self.version} is not supported (V14 or V15 expected)")
        self.runtime_config = new_runtime_config()
        self.scale = self.runtime_config.create_scale_object("MetadataVersioned", data=ScaleBytes(self.raw))
        self.scale.decode()
        self.runtime_config.add_portable_registry(self.scale)
        self._inner = self.scale.value_object[1].value_object[1]
        self.types: dict[int, dict[str, Any]] = {t["id"].value: t["type"].value for t in self._inner["types"]["types"].value_object}
        self._names: dict[int, str] = {}
        self.pallets: dict[str, PalletInfo] = {}
        for pallet in self.scale.pallets:
            info = self._pallet_info(pallet)
            self.pallets[info.name] = info
        self._by_index = {p.index: p for p in self.pallets.values()}
        ext = self._inner["extrinsic"].value
        self.extrinsic_version: int = ext["version"]
        self.signed_extensions: tuple[dict[str, Any], ...] = tuple(ext["signed_extensions"])
        self._version_fields = self._decode_version()
        self.runtime_config.set_active_spec_version_id(self.spec_version)

    # --- identity
    @cached_property
    def hash(self) -> str:
        """blake2b-256 of the metadata bytes (identifies the file in caches and reports)."""
        return "0x" + hashlib.blake2b(self.raw, digest_size=32).hexdigest()

    def _decode_version(self) -> dict[str, Any]:
        system = self.pallets.get("System")
        const = system.constants.get("Version") if system else None
        if const is None:
            raise MetadataError(f"{self.source}: no System.Version constant")
        obj = self.runtime_config.create_scale_object(f"scale_info::{const.type_id}", data=ScaleBytes(const.value))
        value = obj.decode()
        return value

    @property
    def spec_name(self) -> str:
        return self._version_fields["spec_name"]

    @property
    def impl_name(self) -> str:
        return self._version_fields["impl_name"]

    @property
    def spec_version(self) -> int:
        return self._version_fields["spec_version"]

    @property
    def transaction_version(self) -> int:
        return self._version_fields["transaction_version"]

    @property
    def ss58_prefix(self) -> int:
        const = self.pallets["System"].constants.get("SS58Prefix")
        if const is None:
            return 42
        return int.from_bytes(const.value, "little")

    def runtime_version(self) -> dict[str, Any]:
        """``state_getRuntimeVersion``'s JSON, as a node renders it."""
        v = self._version_fields
        apis = [[api[0] if isinstance(api[0], str) else "0x" + bytes(api[0]).hex(), api[1]] for api in v.get("apis", [])]
        return {
            "specName": v["spec_name"],
            "implName": v["impl_name"],
            "authoringVersion": v["authoring_version"],
            "specVersion": v["spec_version"],
            "implVersion": v["impl_version"],
            "apis": apis,
            "transactionVersion": v["transaction_version"],
            "stateVersion": v.get("state_version", 0),
        }

    # --- lookups
    def pallet(self, name: str) -> PalletInfo:
        try:
            return self.pallets[name]
        except KeyError:
            raise KeyError(f"the runtime metadata has no pallet {name!r}") from None

    def pallet_by_index(self, index: int) -> PalletInfo:
        try:
            return self._by_index[index]
        except KeyError:
            raise KeyError(f"the runtime metadata has no pallet with index {index}") from None

    def constant_value(self, pallet: str, name: str) -> Any:
        const = self.pallet(pallet).constants[name]
        return self.runtime_config.create_scale_object(f"scale_info::{const.type_id}", data=ScaleBytes(const.value)).decode()

    @cached_property
    def encoder(self) -> Any:
        """A :class:`runtime.bridge.scale.ScaleEncoder` for this registry (exact chain bytes)."""
        from runtime.bridge.scale import ScaleEncoder

        return ScaleEncoder(self)

    def v14_bytes(self) -> bytes:
        """This metadata as V14 (what ``state_getMetadata`` serves to scalecodec-based clients)."""
        if self.version == 14:
            return self.raw
        cached = getattr(self, "_v14", None)
        if cached is None:
            from runtime.bridge.downgrade import v15_to_v14

            cached = self._v14 = v15_to_v14(self)
        return cached

    @property
    def inner(self) -> Any:
        """The decoded ``MetadataV14``/``MetadataV15`` struct (scalecodec object)."""
        return self._inner

    # --- type names
    def type_name(self, type_id: int) -> str:
        """A readable type: ``Compact<u128>``, ``MultiAddress<AccountId32, u32>``, ``Vec<Field<AccountId32>>``."""
        cached = self._names.get(type_id)
        if cached is None:
            self._names[type_id] = "…"  # recursion guard
            cached = self._describe(type_id)
            self._names[type_id] = cached
        return cached

    def _describe(self, type_id: int) -> str:
        t = self.types[type_id]
        kind, body = next(iter(t["def"].items()))
        if kind == "primitive":
            return body
        if kind == "compact":
            return f"Compact<{self.type_name(body['type'])}>"
        if kind == "sequence":
            return f"Vec<{self.type_name(body['type'])}>"
        if kind == "array":
            return f"[{self.type_name(body['type'])}; {body['len']}]"
        if kind == "tuple":
            return "(" + ", ".join(self.type_name(i) for i in body) + ")"
        if kind == "bitsequence":
            return "BitVec"
        path = t["path"]
        name = path[-1] if path else kind
        params = [p["type"] for p in t["params"] if p["type"] is not None]
        if params:
            return f"{name}<{', '.join(self.type_name(p) for p in params)}>"
        return name

    # --- building the model
    def _fields(self, raw_fields: list[dict[str, Any]]) -> tuple[FieldInfo, ...]:
        return tuple(FieldInfo(f["name"], f["type"], f.get("typeName"), self.type_name(f["type"])) for f in raw_fields)

    def _variants(self, type_id: int | None) -> list[dict[str, Any]]:
        if type_id is None:
            return []
        return self.types[type_id]["def"]["variant"]["variants"]

    def _pallet_info(self, pallet: Any) -> PalletInfo:
        v = pallet.value
        call_ty = v["calls"]["ty"] if v.get("calls") else None
        event_ty = v["event"]["ty"] if v.get("event") else None
        error_ty = v["error"]["ty"] if v.get("error") else None
        calls = {x["name"]: CallInfo(x["name"], x["index"], self._fields(x["fields"]), " ".join(x["docs"])) for x in self._variants(call_ty)}
        events = {x["name"]: EventInfo(x["name"], x["index"], self._fields(x["fields"]), " ".join(x["docs"])) for x in self._variants(event_ty)}
        errors = {x["name"]: ErrorInfo(x["name"], x["index"], " ".join(x["docs"])) for x in self._variants(error_ty)}
        storage: dict[str, StorageInfo] = {}
        prefix = None
        storage_obj = pallet["storage"].value_object
        if storage_obj is not None:
            prefix = storage_obj["prefix"].value
            for entry in storage_obj["entries"].value_object:
                e = entry.value
                ty = e["type"]
                if "Plain" in ty:
                    hashers: tuple[str, ...] = ()
                    keys: tuple[int, ...] = ()
                    value_id = ty["Plain"]
                else:
                    m = ty["Map"]
                    hashers = tuple(m["hashers"])
                    key_id = m["key"]
                    key_def = self.types[key_id]["def"]
                    if len(hashers) > 1 and "tuple" in key_def:
                        keys = tuple(key_def["tuple"])
                    else:
                        keys = (key_id,)
                    value_id = m["value"]
                default = bytes(entry["default"].value_object)
                storage[e["name"]] = StorageInfo(e["name"], e["modifier"], hashers, keys, value_id, default, self.type_name(value_id))
        constants = {}
        for const in pallet["constants"].value_object:
            cv = const.value
            constants[cv["name"]] = ConstantInfo(cv["name"], cv["type"], bytes(const["value"].value_object), self.type_name(cv["type"]))
        return PalletInfo(v["name"], v["index"], prefix, calls, events, errors, storage, constants, call_ty, event_ty, error_ty)

    def __repr__(self) -> str:
        return f"<RuntimeMetadata V{self.version} {self.spec_name} {self.spec_version} from {self.source}: {len(self.pallets)} pallets>"


# ------------------------------------------------------------------------------------------ entry points

_lock = threading.Lock()
_by_digest: dict[str, RuntimeMetadata] = {}


def default_metadata_path() -> Path | None:
    """``$TANGLE_METADATA`` if set, else the shared testnet file next to the repository if it exists."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_METADATA if DEFAULT_METADATA.exists() else None


def resolve_metadata_path(path: str | Path | None = None) -> Path:
    """The metadata file to read, or a :class:`MetadataError` naming the places looked at."""
    chosen = Path(path) if path is not None else default_metadata_path()
    if chosen is None:
        raise MetadataError(f"no metadata file: pass --metadata FILE or set {ENV_VAR} (default {DEFAULT_METADATA} does not exist)")
    chosen = chosen.expanduser()
    if not chosen.is_file():
        raise MetadataError(f"{chosen}: no such metadata file")
    return chosen


def metadata_from_bytes(raw: bytes, source: str = "<bytes>") -> RuntimeMetadata:
    """Decode metadata bytes, once per process per distinct content (decoding takes ~2 s)."""
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    with _lock:
        cached = _by_digest.get(digest)
        if cached is None:
            cached = RuntimeMetadata(raw, source)
            _by_digest[digest] = cached
        return cached


def load_metadata(path: str | Path | None = None) -> RuntimeMetadata:
    """Load metadata from a file (see :func:`resolve_metadata_path`); cached per process."""
    chosen = resolve_metadata_path(path)
    return metadata_from_bytes(chosen.read_bytes(), str(chosen))


def metadata_from_node(url: str, timeout: float = 30.0) -> RuntimeMetadata:
    """Fetch ``state_getMetadata`` from a node (``ws://``/``wss://`` or ``http(s)://``) and decode it."""
    from runtime.bridge.rpc_client import rpc_call

    result = rpc_call(url, "state_getMetadata", [], timeout=timeout)
    if not isinstance(result, str) or not result.startswith("0x"):
        raise MetadataError(f"{url}: state_getMetadata returned {str(result)[:60]!r}")
    return metadata_from_bytes(bytes.fromhex(result[2:]), url)
