"""Types: SCALE variant indices (gaps included), outside shapes, the value-matches-type rule and the
type checker (the real pallet's type_checking.rs scenarios), commitments, quote encoding, ECDSA."""

from __future__ import annotations

import pytest

from runtime.codec import ParamError
from pallets.services.crypto import dev_private_key, ecdsa_verify, heartbeat_message, is_valid_public_key, keccak_256, public_key, sign
from pallets.services.types import (
    NATIVE, Asset, AssetSecurityCommitment, AssetSecurityRequirement, Field, FieldType, PricingQuote, ResourcePricing,
    ServiceBlueprint, TypeCheckError, field_type_of, hash_pricing_quote, matches, type_checker, validate_security,
)
from pallets.services.types import field as f
from pallets.services.types.pricing import compact, encode_quote


def test_variant_indices_have_the_chain_gaps() -> None:
    assert FieldType.__order__["String"] == 10 and FieldType.__order__["Optional"] == 12
    assert FieldType.__order__["Struct"] == 15 and FieldType.__order__["AccountId"] == 100
    assert Field.__order__["Array"] == 12 and Field.__order__["Struct"] == 14 and Field.__order__["AccountId"] == 100
    assert sorted([FieldType.AccountId, FieldType.Void, FieldType.String]) == [FieldType.Void, FieldType.String, FieldType.AccountId]


def test_outside_shapes_round_trip() -> None:
    ft = FieldType.__codec__
    fc = Field.__codec__
    t = ft.decode({"Struct": ["Uint8", {"List": "String"}, {"Array": [2, "Bool"]}]}, "t")
    assert t == f.struct_type(FieldType.Uint8, f.list_type(FieldType.String), f.array_type(2, FieldType.Bool))
    v = fc.decode({"Struct": ["point", [["x", {"Int32": -1}], ["who", {"AccountId": "Alice"}]]]}, "v")
    assert v.value[1][1][1] == f.account("Alice")
    assert fc.decode(fc.encode(v), "v") == v
    with pytest.raises(ParamError):
        fc.decode({"Uint8": 256}, "v")
    with pytest.raises(ParamError):
        fc.decode({"String": "x" * 1025}, "v")  # BoundedString<MaxFieldsSize>
    with pytest.raises(ParamError):
        ft.decode({"Struct": ["Bool"] * 33}, "t")  # at most 32 struct fields


def test_blueprint_decodes_and_bounds() -> None:
    c = ServiceBlueprint.__codec__
    bp = c.decode({"metadata": {"name": "x"}, "jobs": [], "registration_params": [], "request_params": [], "manager": {"Evm": "0x" + "ab" * 20},
                   "master_manager_revision": {"Specific": 3}, "sources": [{"Container": {"registry": "ghcr.io", "image": "img", "tag": "1"}}],
                   "supported_membership_models": ["Dynamic"]}, "b")
    assert bp.master_manager_revision.value == 3 and bp.sources[0].name == "Container"
    with pytest.raises(ParamError, match="supported_membership_models"):
        c.decode({**c.encode(bp), "supported_membership_models": ["Fixed", "Dynamic", "Fixed"]}, "b")


# ---- type_checking.rs
def test_optional_some_and_none_accepted() -> None:
    ty = f.optional_type(FieldType.Uint64)
    assert matches(f.optional(FieldType.Uint64, f.u64(5)), ty)
    assert matches(f.optional(FieldType.Uint64, None), ty)
    assert not matches(f.optional(FieldType.Uint64, f.u8(5)), ty)  # wrong inner value
    assert not matches(f.optional(FieldType.Uint8, None), ty)  # wrong declared type


def test_list_and_array_rules() -> None:
    lt = f.list_type(FieldType.Uint8)
    assert matches(f.bytes_field(b"abc"), lt)
    assert matches(f.list_of(FieldType.Uint8, []), lt)
    assert not matches(f.list_of(FieldType.Void, []), lt)  # the chain's From<BoundedVec> for an empty vector
    assert not matches(f.list_of(FieldType.Uint8, [f.u8(1), f.u16(2)]), lt)  # mixed items
    assert not matches(f.list_of(FieldType.Uint16, [f.u16(1)]), lt)
    at = f.array_type(2, FieldType.Bool)
    assert matches(f.array_of(FieldType.Bool, [f.boolean(True), f.boolean(False)]), at)
    assert not matches(f.array_of(FieldType.Bool, [f.boolean(True)]), at)  # wrong length
    assert not matches(f.array_of(FieldType.Bool, [f.boolean(True), f.u8(0)]), at)


def test_struct_matches_by_position_and_void_matches_nothing() -> None:
    st = f.struct_type(FieldType.String, FieldType.AccountId)
    assert matches(f.struct_of("any", [("a", f.string("x")), ("b", f.account("Bob"))]), st)
    assert not matches(f.struct_of("any", [("a", f.string("x"))]), st)
    assert not matches(f.u8(0), FieldType.Void)


def test_type_checker_errors() -> None:
    assert type_checker([FieldType.Uint8], [f.u8(1)]) is None
    err = type_checker([FieldType.Uint8], [])
    assert err.name == "NotEnoughArguments" and (err.value.expected, err.value.actual) == (1, 0)
    err = type_checker([], [f.u8(1)])  # too many is also NotEnoughArguments
    assert err.name == "NotEnoughArguments" and (err.value.expected, err.value.actual) == (0, 1)
    err = type_checker([FieldType.Uint8, f.list_type(FieldType.Uint8)], [f.u8(1), f.string("no")])
    assert err == TypeCheckError.ArgumentTypeMismatch(type(err.value)(1, f.list_type(FieldType.Uint8), FieldType.String))


def test_field_type_of_follows_the_chain() -> None:
    assert field_type_of(f.optional(FieldType.Uint8, None)) == FieldType.Uint8  # not Optional(Uint8)
    assert field_type_of(f.list_of(FieldType.Uint16, [])) == f.list_type(FieldType.Void)
    assert field_type_of(f.array_of(FieldType.Uint8, [f.u8(1), f.u8(2)])) == f.array_type(2, FieldType.Uint8)


def test_strict_commitment_rule_is_positional() -> None:
    weth = Asset.Custom(2)
    reqs = [AssetSecurityRequirement(NATIVE, 10, 20), AssetSecurityRequirement(weth, 10, 20)]
    assert validate_security(reqs, [AssetSecurityCommitment(NATIVE, 10), AssetSecurityCommitment(weth, 20)])
    assert not validate_security(reqs, [AssetSecurityCommitment(weth, 10), AssetSecurityCommitment(NATIVE, 10)])  # order
    assert not validate_security(reqs, [AssetSecurityCommitment(NATIVE, 10)])  # length
    assert not validate_security(reqs, [AssetSecurityCommitment(NATIVE, 9), AssetSecurityCommitment(weth, 10)])


def test_scale_compact_and_quote_encoding() -> None:
    assert compact(1) == b"\x04" and compact(64) == b"\x01\x01" and compact(16384) == b"\x02\x00\x01\x00"
    assert compact(1 << 30) == b"\x03\x00\x00\x00\x40"
    q = PricingQuote(7, 100, 5, 1, 2, (ResourcePricing("CPU", 2, 3),), (AssetSecurityCommitment(NATIVE, 10),))
    enc = encode_quote(q)
    assert enc[:8] == (7).to_bytes(8, "little") and enc[48] == 4  # u64, u64, u128, u64, u64 then one resource
    assert enc.endswith(b"\x04" + b"\x00" + bytes(16) + b"\x0a")  # one commitment: Custom(0), 10 %
    assert hash_pricing_quote(q) == keccak_256(enc) and len(hash_pricing_quote(q)) == 32


def test_ecdsa_as_substrate_verifies() -> None:
    sk = dev_private_key("op")
    pk = public_key(sk)
    msg = heartbeat_message(1, 2, 3, b"m")
    sig = sign(sk, msg)
    assert is_valid_public_key(pk) and ecdsa_verify(sig, msg, pk)
    assert not ecdsa_verify(sig, heartbeat_message(1, 2, 4, b"m"), pk)
    assert not ecdsa_verify(sig, msg, public_key(dev_private_key("other")))
    assert not is_valid_public_key(b"\x04" + b"\x01" * 64)
    assert keccak_256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
