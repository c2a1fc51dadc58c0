"""Signed price quotes (``request_with_signed_price_quotes``): an operator signs the keccak-256
hash of the quote's SCALE encoding. The SCALE encoder here covers exactly the quote's types so the
hash equals the chain's (``hash_pricing_quote``)."""

from __future__ import annotations

from runtime.scale import compact

from runtime.codec import Bounded, struct
from runtime.primitives import U64, U128, BoundedText

from pallets.primitives.assets import Asset
from pallets.services.types.security import AssetSecurityCommitment

MAX_RESOURCE_NAME = 16
MAX_OPERATORS_PER_SERVICE = 1024


@struct
class ResourcePricing:
    kind: BoundedText(MAX_RESOURCE_NAME)
    count: U64
    price_per_unit_rate: U128


@struct
class PricingQuote:
    """``total_cost_rate`` is per block: a quoted request pays ``sum(total_cost_rate) * ttl``."""

    blueprint_id: U64
    ttl_blocks: U64
    total_cost_rate: U128
    timestamp: U64
    expiry: U64
    resources: Bounded(ResourcePricing, MAX_OPERATORS_PER_SERVICE) = ()
    security_commitments: Bounded(AssetSecurityCommitment, MAX_OPERATORS_PER_SERVICE) = ()


# ---------------------------------------------------------------------------------------------
# SCALE encoding of the quote


def _asset(a: Asset) -> bytes:
    if a.name == "Custom":
        return b"\x00" + a.value.to_bytes(16, "little")
    return b"\x01" + bytes.fromhex(a.value[2:])


def encode_quote(q: PricingQuote) -> bytes:
    """The SCALE encoding of a ``PricingQuote``."""
    out = [q.blueprint_id.to_bytes(8, "little"), q.ttl_blocks.to_bytes(8, "little"), q.total_cost_rate.to_bytes(16, "little"),
           q.timestamp.to_bytes(8, "little"), q.expiry.to_bytes(8, "little"), compact(len(q.resources))]
    for r in q.resources:
        kind = r.kind.encode("utf-8")
        out += [compact(len(kind)), kind, r.count.to_bytes(8, "little"), r.price_per_unit_rate.to_bytes(16, "little")]
    out.append(compact(len(q.security_commitments)))
    for c in q.security_commitments:
        out += [_asset(c.asset), bytes([c.exposure_percent])]
    return b"".join(out)


def hash_pricing_quote(q: PricingQuote) -> bytes:
    """keccak-256 of the quote's SCALE encoding (what the operator signs)."""
    from pallets.services.crypto import keccak_256

    return keccak_256(encode_quote(q))
