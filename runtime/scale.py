"""The few SCALE primitives the runtime encodes itself (hashes and signatures over SCALE bytes);
everything else is encoded by scalecodec or the bridge against the real metadata."""

from __future__ import annotations


def compact(n: int) -> bytes:
    """SCALE ``Compact<u*>`` encoding of a non-negative integer."""
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    body = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([((len(body) - 4) << 2) | 3]) + body
