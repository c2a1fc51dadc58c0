"""Block headers as Substrate encodes and hashes them, and the extrinsics root.

Why: clients hash headers themselves (polkadot.js signs mortal transactions over the hash it
computes from the header JSON; PAPI refuses a node whose reported hashes are not blake2-256 of the
header), so the node's block hash must be exactly ``blake2_256(SCALE(header))``
(``sp-runtime/src/generic/header.rs``). The extrinsics root is frame-system's
``ordered_trie_root`` of the block's encoded extrinsics; Tangle declares ``state_version: 0``, so
the trie layout is V0 (values always inline), which differs from V1 for every value of 33 bytes or
more. Specs and test vectors: ``shared/spec/node.md`` §1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from runtime.scale import compact

BABE_ENGINE = b"BABE"
FALLBACK_SLOT_DURATION_MS = 6000  # a metadata without Timestamp.MinimumPeriod: the deployed 6 s build's slot
V1_VALUE_THRESHOLD = 33  # sp-core TRIE_VALUE_NODE_THRESHOLD: V1 hashes values of this length or more


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


# --- digest items (sp-runtime generic/digest.rs)
def pre_runtime(engine: bytes, payload: bytes) -> bytes:
    """``DigestItem::PreRuntime`` (index 6)."""
    return b"\x06" + engine + compact(len(payload)) + payload


def slot_duration_ms(md: Any) -> int:
    """The BABE slot a node running this runtime builds blocks in: ``pallet_babe::slot_duration()`` =
    2 x ``Timestamp.MinimumPeriod``, which ``BabeApi_configuration`` hands to the node's slot worker (and
    the manual-seal node's timestamp provider). Tangle's ``primitives::time``: 6 s, or 1 s in the
    ``manual-seal`` build whose metadata the testnet serves (MinimumPeriod 500 ms, ``Babe.ExpectedBlockTime``
    1,000 ms)."""
    try:
        return 2 * int(md.constant_value("Timestamp", "MinimumPeriod"))
    except Exception:  # noqa: BLE001 - no Timestamp pallet or constant in this metadata
        return FALLBACK_SLOT_DURATION_MS


def babe_secondary_plain(slot: int, authority_index: int = 0) -> bytes:
    """A BABE ``PreDigest::SecondaryPlain`` slot claim as a PreRuntime digest item (needs no VRF)."""
    return pre_runtime(BABE_ENGINE, b"\x02" + authority_index.to_bytes(4, "little") + slot.to_bytes(8, "little"))


def other(data: bytes) -> bytes:
    """``DigestItem::Other`` (index 0)."""
    return b"\x00" + compact(len(data)) + data


@dataclass(frozen=True)
class Header:
    parent_hash: bytes
    number: int
    state_root: bytes
    extrinsics_root: bytes
    digest: tuple[bytes, ...] = field(default_factory=tuple)  # each an encoded DigestItem

    def encode(self) -> bytes:
        return self.parent_hash + compact(self.number) + self.state_root + self.extrinsics_root + compact(len(self.digest)) + b"".join(self.digest)

    @property
    def hash(self) -> bytes:
        return blake2_256(self.encode())

    def to_json(self) -> dict[str, Any]:
        """``chain_getHeader``'s JSON (camelCase, hex number, each log the hex of one DigestItem)."""
        return {
            "parentHash": "0x" + self.parent_hash.hex(),
            "number": hex(self.number),
            "stateRoot": "0x" + self.state_root.hex(),
            "extrinsicsRoot": "0x" + self.extrinsics_root.hex(),
            "digest": {"logs": ["0x" + d.hex() for d in self.digest]},
        }


# --- ordered trie root (sp-trie LayoutV0/V1 over trie-root's trie_root_no_extension)
def _nibbles(key: bytes) -> tuple[int, ...]:
    out = []
    for b in key:
        out += (b >> 4, b & 0x0F)
    return tuple(out)


def _node_header(kind: int, count: int) -> bytes:
    """kind: 0b01 leaf, 0b10 branch, 0b11 branch with value (2-bit prefix, 6-bit nibble count)."""
    first = kind << 6
    if count < 63:
        return bytes([first | count])
    out = bytearray([first | 63])
    rest = count - 63
    while rest >= 255:
        out.append(255)
        rest -= 255
    out.append(rest)
    return bytes(out)


def _partial(nibbles: tuple[int, ...]) -> bytes:
    out = bytearray()
    start = 0
    if len(nibbles) % 2:
        out.append(nibbles[0])
        start = 1
    for i in range(start, len(nibbles), 2):
        out.append((nibbles[i] << 4) | nibbles[i + 1])
    return bytes(out)


def _value(value: bytes, layout: int) -> tuple[bytes, bool]:
    if layout == 1 and len(value) >= V1_VALUE_THRESHOLD:
        return blake2_256(value), True
    return compact(len(value)) + value, False


def _hashed_header(leaf: bool, count: int) -> bytes:
    """V1 hashed-value kinds: leaf 0b001 (5-bit count), branch 0b0001 (4-bit count)."""
    bits, first = (5, 0x20) if leaf else (4, 0x10)
    cap = (1 << bits) - 1
    if count < cap:
        return bytes([first | count])
    out = bytearray([first | cap])
    rest = count - cap
    while rest >= 255:
        out.append(255)
        rest -= 255
    out.append(rest)
    return bytes(out)


def _encode(items: list[tuple[tuple[int, ...], bytes]], depth: int, layout: int) -> bytes:
    if not items:
        return b"\x00"
    if len(items) == 1:
        key, value = items[0]
        part = key[depth:]
        body, hashed = _value(value, layout)
        head = _hashed_header(True, len(part)) if hashed else _node_header(0b01, len(part))
        return head + _partial(part) + body
    # longest common prefix beyond depth
    first, last = items[0][0], items[-1][0]  # sorted: the common prefix of all is that of the extremes
    end = depth
    while end < len(first) and end < len(last) and first[end] == last[end]:
        end += 1
    value = None
    rest = items
    if len(items[0][0]) == end:
        value = items[0][1]
        rest = items[1:]
    children: list[bytes | None] = [None] * 16
    bitmap = 0
    i = 0
    while i < len(rest):
        nib = rest[i][0][end]
        j = i
        while j < len(rest) and rest[j][0][end] == nib:
            j += 1
        children[nib] = _encode(rest[i:j], end + 1, layout)
        bitmap |= 1 << nib
        i = j
    part = first[depth:end]
    if value is None:
        head, body = _node_header(0b10, len(part)), b""
    else:
        body, hashed = _value(value, layout)
        head = _hashed_header(False, len(part)) if hashed else _node_header(0b11, len(part))
    out = bytearray(head + _partial(part) + bitmap.to_bytes(2, "little") + body)
    for child in children:
        if child is None:
            continue
        out += compact(len(child)) + child if len(child) < 32 else compact(32) + blake2_256(child)
    return bytes(out)


def trie_root_node(pairs: list[tuple[bytes, bytes]], layout: int = 0) -> bytes:
    """The encoded root node of the trie over ``pairs`` (key, value); keys must be distinct."""
    items = sorted((_nibbles(k), v) for k, v in pairs)
    return _encode(items, 0, layout)


def trie_root(pairs: list[tuple[bytes, bytes]], layout: int = 0) -> bytes:
    return blake2_256(trie_root_node(pairs, layout))


def ordered_trie_root(values: list[bytes], layout: int = 0) -> bytes:
    """frame-system's extrinsics root: keys ``Compact<u32>(index)``; Tangle uses ``layout=0``."""
    return trie_root([(compact(i), v) for i, v in enumerate(values)], layout)
