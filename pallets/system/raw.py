"""Where System's raw-storage calls find the key layout: the node's mapping of real storage keys to
the simulator's items (``runtime/bridge/node/storage.py``), built once per runtime from the metadata
file (``$TANGLE_METADATA`` or the shared testnet file). Imported lazily: a runtime that never writes
raw storage never loads the metadata. Without a metadata file, keys under a modelled item's prefix
are recognised (the prefix is ``twox128(pallet) ++ twox128(item)``) but cannot be decoded, so
writes to them are refused rather than misfiled."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from runtime.runtime import Runtime
    from runtime.traits import RawStorage


class RawStorageUnavailable(ValueError):
    """No metadata file: a modelled item's raw key cannot be decoded."""


class _NoMetadata:
    def __init__(self, rt: "Runtime") -> None:
        from runtime.bridge.keys import item_prefix

        self.prefixes = {
            item_prefix(item.prefix, item.name)
            for item in rt.db.items.values()
            if not item.decl.extension
        }

    def is_modelled_key(self, key: bytes) -> bool:
        return key[:32] in self.prefixes

    def resolve_raw(self, key: bytes, value: bytes | None) -> Any:
        raise RawStorageUnavailable("no metadata file to decode this modelled item's key and value (set TANGLE_METADATA)")

    def apply_raw(self, writes: list[Any]) -> None:  # pragma: no cover - nothing resolves
        raise RawStorageUnavailable("no metadata file")

    def keys_paged(self, prefix: bytes, count: int, start_key: bytes | None = None) -> list[bytes]:
        return []


@functools.lru_cache(maxsize=2)
def _metadata(path: str) -> Any:
    from runtime.bridge.metadata import load_metadata

    return load_metadata(path)  # ~2 s to decode: once per process, not per runtime


def raw_storage_provider(rt: "Runtime") -> Callable[[], "RawStorage"]:
    """A function building (once) the raw-storage view of ``rt``."""
    cache: list["RawStorage"] = []

    def get() -> "RawStorage":
        if not cache:
            from runtime.bridge.metadata import default_metadata_path

            path = default_metadata_path()
            if path is None:
                cache.append(_NoMetadata(rt))
            else:
                from runtime.bridge.node.storage import StateReader

                cache.append(StateReader(_metadata(str(path)), rt, events_of=lambda _block: b""))
        return cache[0]

    return get
