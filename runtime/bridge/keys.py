"""Storage keys: ``twox128(prefix) ++ twox128(item) ++ hasher(SCALE(key))`` for each key part.

Why its own implementation: the JSON-RPC node must answer ``state_getStorage`` for keys computed by
any client, and list keys for ``state_getKeysPaged``; it needs the hashers both ways (build a key
from params, read params back from a key). substrate-interface's ``StorageKey`` is used by the
tests as the independent reference.
"""

from __future__ import annotations

import hashlib
from typing import Any

import xxhash
from scalecodec.base import ScaleBytes

from runtime.bridge.metadata import RuntimeMetadata, StorageInfo

#: bytes of hash in front of the SCALE key for the "concat" hashers (None: the key is not recoverable)
CONCAT_LEN: dict[str, int | None] = {"Identity": 0, "Twox64Concat": 8, "Blake2_128Concat": 16, "Blake2_128": None, "Blake2_256": None, "Twox128": None, "Twox256": None}


def twox(data: bytes, bits: int) -> bytes:
    return b"".join(xxhash.xxh64(data, seed=i).digest()[::-1] for i in range(bits // 64))


def hash_key(hasher: str, data: bytes) -> bytes:
    if hasher == "Identity":
        return data
    if hasher == "Twox64Concat":
        return twox(data, 64) + data
    if hasher == "Blake2_128Concat":
        return hashlib.blake2b(data, digest_size=16).digest() + data
    if hasher == "Blake2_128":
        return hashlib.blake2b(data, digest_size=16).digest()
    if hasher == "Blake2_256":
        return hashlib.blake2b(data, digest_size=32).digest()
    if hasher == "Twox128":
        return twox(data, 128)
    if hasher == "Twox256":
        return twox(data, 256)
    raise ValueError(f"unknown storage hasher {hasher!r}")


def item_prefix(storage_prefix: str, item: str) -> bytes:
    """The 32-byte prefix of a storage item (the whole key of a plain value)."""
    return twox(storage_prefix.encode(), 128) + twox(item.encode(), 128)


def encode_value(md: RuntimeMetadata, type_id: int, value: Any) -> bytes:
    """SCALE-encode ``value`` (substrate-interface's shape) as registry type ``type_id``."""
    return md.encoder.encode(type_id, value)


def storage_key(md: RuntimeMetadata, storage_prefix: str, info: StorageInfo, params: list[Any]) -> bytes:
    """The full key of ``info`` for ``params`` (one per key part)."""
    if len(params) != len(info.key_type_ids):
        raise ValueError(f"{info.name} takes {len(info.key_type_ids)} key(s), got {len(params)}")
    out = item_prefix(storage_prefix, info.name)
    for hasher, type_id, param in zip(info.hashers, info.key_type_ids, params):
        out += hash_key(hasher, encode_value(md, type_id, param))
    return out


def decode_key_params(md: RuntimeMetadata, info: StorageInfo, rest: bytes) -> list[Any] | None:
    """The params of a key (the bytes after the 32-byte prefix), or None if a hasher hides them."""
    params = []
    offset = 0
    for hasher, type_id in zip(info.hashers, info.key_type_ids):
        skip = CONCAT_LEN.get(hasher)
        if skip is None:
            return None
        offset += skip
        obj = md.runtime_config.create_scale_object(f"scale_info::{type_id}", data=ScaleBytes(bytearray(rest[offset:])))
        params.append(obj.decode(check_remaining=False))
        offset += obj.data.offset
    if offset != len(rest):
        return None
    return params
