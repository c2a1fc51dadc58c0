"""``dev_setStorage``'s pallet/storage JSON form, as Chopsticks takes it, turned into raw pairs.

Why: Chopsticks users write storage overrides by name, not by key::

    {"System": {"Account": [[["5GrwvaEF..."], {"providers": 1, "data": {"free": "1000"}}]]},
     "Sudo": {"Key": "5GrwvaEF..."},
     "Balances": {"$removePrefix": ["Locks"]}}

A map item takes ``[[key params], value]`` pairs (``null`` removes the entry), a plain item takes
its value, ``$removePrefix`` clears whole items. As with polkadot.js' ``createType`` (which
Chopsticks uses), fields left out take their zero value (0, empty, ``None``, the first variant);
a number may be given as a decimal or 0x string, as JSON cannot carry u128 exactly everywhere.
"""

from __future__ import annotations

from typing import Any

from scalecodec.base import ScaleBytes

from runtime.bridge.keys import encode_value, item_prefix, storage_key
from runtime.bridge.metadata import RuntimeMetadata, StorageInfo
from runtime.bridge.node.storage import StateReader

MAX_ENTRIES = 10_000


class SetStorageError(ValueError):
    """An override that does not name a storage item or does not fit its type (the message names it)."""


def zero_value(md: RuntimeMetadata, type_id: int) -> Any:
    """The type's zero value in substrate-interface's shape: it decodes from all-zero bytes."""
    obj = md.runtime_config.create_scale_object(f"scale_info::{type_id}", data=ScaleBytes(bytearray(64 * 1024)))
    return obj.decode(check_remaining=False)


def _merge(default: Any, given: Any, where: str) -> Any:
    """``given`` over ``default``: objects field by field, numbers from numeric strings, the rest replaced."""
    if isinstance(default, dict) and isinstance(given, dict):
        if len(default) == 1 and len(given) == 1 and set(given) != set(default):
            return given  # another variant of an enum (the encoder checks its name)
        unknown = set(given) - set(default)
        if unknown:
            raise SetStorageError(f"{where}: unknown field(s) {sorted(map(str, unknown))[:5]}; expected {sorted(default)[:20]}")
        return {k: _merge(v, given[k], f"{where}.{k}") if k in given else v for k, v in default.items()}
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(given, str):
        try:
            return int(given, 16) if given.startswith("0x") else int(given)
        except ValueError:
            raise SetStorageError(f"{where}: expected a number, got {given[:80]!r}") from None
    return given


def storage_pairs(md: RuntimeMetadata, state: StateReader, spec: Any) -> list[tuple[bytes, bytes | None]]:
    """Raw (key, value or None) pairs for a ``{Pallet: {Item: ...}}`` override, validated in full first."""
    if not isinstance(spec, dict):
        raise SetStorageError("the storage override must be an object {Pallet: {Item: value}}")
    pairs: list[tuple[bytes, bytes | None]] = []
    for pallet_name, items in spec.items():
        pallet = md.pallets.get(pallet_name)
        if pallet is None or pallet.storage_prefix is None:
            raise SetStorageError(f"{str(pallet_name)[:80]}: the runtime has no pallet with storage by that name")
        if not isinstance(items, dict):
            raise SetStorageError(f"{pallet_name}: expected an object {{Item: value}}")
        for item_name, given in items.items():
            if item_name == "$removePrefix":
                pairs += _remove_prefix(md, state, pallet_name, pallet.storage_prefix, pallet.storage, given)
                continue
            info = pallet.storage.get(item_name)
            if info is None:
                raise SetStorageError(f"{pallet_name}.{str(item_name)[:80]}: the runtime has no such storage item")
            where = f"{pallet_name}.{item_name}"
            if not info.key_type_ids:
                pairs.append((item_prefix(pallet.storage_prefix, item_name), _encode(md, info, given, where)))
                continue
            if not isinstance(given, list):
                raise SetStorageError(f"{where} is a map: expected a list of [[key params], value] pairs")
            for i, entry in enumerate(given):
                if not isinstance(entry, list) or len(entry) != 2:
                    raise SetStorageError(f"{where}[{i}]: expected [[key params], value]")
                params = entry[0] if isinstance(entry[0], list) else [entry[0]]
                try:
                    key = storage_key(md, pallet.storage_prefix, info, params)
                except Exception as exc:  # noqa: BLE001 - ValueError, ScaleEncodeError: a key that does not fit
                    raise SetStorageError(f"{where}[{i}] key: {exc}") from None
                pairs.append((key, _encode(md, info, entry[1], f"{where}[{i}]")))
            if len(pairs) > MAX_ENTRIES:
                raise SetStorageError(f"at most {MAX_ENTRIES} entries per call")
    return pairs


def _encode(md: RuntimeMetadata, info: StorageInfo, given: Any, where: str) -> bytes | None:
    if given is None:
        return None
    value = _merge(zero_value(md, info.value_type_id), given, where)
    try:
        return encode_value(md, info.value_type_id, value)
    except Exception as exc:  # noqa: BLE001 - ScaleEncodeError names the field
        raise SetStorageError(f"{where}: {exc}") from None


def _remove_prefix(md: RuntimeMetadata, state: StateReader, pallet_name: str, prefix: str, storage: dict[str, StorageInfo], names: Any) -> list[tuple[bytes, bytes | None]]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SetStorageError(f"{pallet_name}.$removePrefix: expected a list of storage item names")
    pairs: list[tuple[bytes, bytes | None]] = []
    for name in names:
        if name not in storage:
            raise SetStorageError(f"{pallet_name}.$removePrefix: the runtime has no storage item {name[:80]!r}")
        pairs += [(k, None) for k in state.keys_paged(item_prefix(prefix, name), MAX_ENTRIES + 1)]
        if not storage[name].key_type_ids:
            pairs.append((item_prefix(prefix, name), None))
    return pairs
