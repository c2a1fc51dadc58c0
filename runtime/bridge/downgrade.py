"""Metadata V15 → V14, by byte surgery on the decoded layout.

Why: scalecodec-based clients (substrate-interface 1.8.1) decode metadata only up to V14, and a real
Tangle node answers ``state_getMetadata`` with V14. The JSON-RPC node fronting the simulator must
serve what a real node serves, from the V15 file.

V14 and V15 share the type registry byte for byte. A V15 pallet is a V14 pallet followed by its
docs; the V15 extrinsic record lists address/call/signature/extra types where V14 names the
``UncheckedExtrinsic`` type; V15 appends runtime APIs, outer enums and custom metadata, which V14
does not have. So V14 = ``meta`` ++ 14 ++ registry ++ pallets without docs ++ (extrinsic type,
version, signed extensions) ++ runtime type, all copied from the V15 bytes except the new
extrinsic header. scalecodec records where each decoded part starts and ends, which is all the
surgery needs.
"""

from __future__ import annotations

from runtime.scale import compact

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.bridge.metadata import RuntimeMetadata


def _span(raw: bytes, obj: object) -> bytes:
    return raw[obj.data_start_offset : obj.data_end_offset]  # type: ignore[attr-defined]


def extrinsic_type_id(md: "RuntimeMetadata") -> int:
    """The outermost ``UncheckedExtrinsic`` type whose Address/Call params are the V15 extrinsic's."""
    ext = md.inner["extrinsic"].value
    candidates = []
    for type_id, t in md.types.items():
        if not t["path"] or t["path"][-1] != "UncheckedExtrinsic":
            continue
        params = {p["name"]: p["type"] for p in t["params"]}
        if params.get("Address") == ext["address_type"] and params.get("Call") == ext["call_type"]:
            candidates.append(type_id)
    if not candidates:
        raise ValueError("the metadata registry has no UncheckedExtrinsic type matching its extrinsic record")
    wrapped = set()
    for type_id in candidates:
        body = md.types[type_id]["def"].get("composite")
        for f in (body or {}).get("fields", []):
            wrapped.add(f["type"])
    outer = [c for c in candidates if c not in wrapped]
    return (outer or candidates)[0]


def v15_to_v14(md: "RuntimeMetadata") -> bytes:
    """The V14 encoding of V15 metadata ``md`` (checked by decoding it back in the tests)."""
    if md.version != 15:
        raise ValueError(f"expected V15 metadata, got V{md.version}")
    raw = md.raw
    inner = md.inner
    out = bytearray(b"meta\x0e")
    out += _span(raw, inner["types"])
    pallets = inner["pallets"].value_object
    out += compact(len(pallets))
    for pallet in pallets:
        out += raw[pallet.data_start_offset : pallet["index"].data_end_offset]
    ext = inner["extrinsic"]
    out += compact(extrinsic_type_id(md))
    out += _span(raw, ext["version"])
    out += _span(raw, ext["signed_extensions"])
    out += _span(raw, inner["runtime_type"])
    return bytes(out)
