"""``frame_support::traits::preimages::Bounded<RuntimeCall>``: a call by value (its bytes, ≤ 128) or by
preimage hash. Shared by the Scheduler (agenda tasks) and Democracy (proposals)."""

from __future__ import annotations

from typing import Any

from runtime.codec import ScaleEnum, struct
from runtime.primitives import H256, U32, Bytes

from pallets.primitives.dispatch import blake2_256, encode_call


@struct
class LegacyHash:
    hash: H256


@struct
class Lookup:
    hash: H256
    len: U32


class Bounded(ScaleEnum):
    """``Inline(bytes)``, ``Lookup{hash, len}`` (the preimage must be noted), or ``Legacy{hash}``."""

    Legacy: LegacyHash
    Inline: Bytes
    Lookup: Lookup

    def hash(self) -> bytes:
        """blake2-256 of the call's bytes, whichever way it is held."""
        return blake2_256(self.value) if self.name == "Inline" else self.value.hash


def inline(call: Any) -> dict[str, str]:
    """A call (compose_call's nested form) as a ``Bounded::Inline`` argument (``{"Inline": "0x.."}``)."""
    from runtime.calls import RuntimeCallCodec

    return {"Inline": "0x" + encode_call(RuntimeCallCodec().decode(call, "call")).hex()}


def lookup(call: Any) -> tuple[dict[str, Any], str]:
    """A call as a ``Bounded::Lookup`` argument, and the hex bytes to note with ``Preimage.note_preimage``."""
    from runtime.calls import RuntimeCallCodec

    data = encode_call(RuntimeCallCodec().decode(call, "call"))
    return {"Lookup": {"hash": "0x" + blake2_256(data).hex(), "len": len(data)}}, "0x" + data.hex()
