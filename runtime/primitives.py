"""The chain's primitive types as type hints.

Each alias is ``Annotated[<python type>, <codec>]``: type checkers see plain ``int``/``str``/``bytes``,
the dispatcher sees how to check and render the value. Names follow the metadata
(``u128``, ``Compact<u128>``, ``AccountId32``, ``Percent``...). Balances are always integers in the
chain's base unit (18 decimals); there are no floats anywhere in state.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from runtime.codec import (
    AccountIdCodec,
    BoolCodec,
    BytesCodec,
    FixedBytesCodec,
    H160Codec,
    IntCodec,
    PerThingCodec,
    TextCodec,
    UIntCodec,
)

U8 = Annotated[int, UIntCodec(8)]
U16 = Annotated[int, UIntCodec(16)]
U32 = Annotated[int, UIntCodec(32)]
U64 = Annotated[int, UIntCodec(64)]
U128 = Annotated[int, UIntCodec(128)]
I8 = Annotated[int, IntCodec(8)]
I16 = Annotated[int, IntCodec(16)]
I32 = Annotated[int, IntCodec(32)]
I64 = Annotated[int, IntCodec(64)]
CompactU8 = Annotated[int, UIntCodec(8, compact=True)]
CompactU32 = Annotated[int, UIntCodec(32, compact=True)]
CompactU64 = Annotated[int, UIntCodec(64, compact=True)]
CompactU128 = Annotated[int, UIntCodec(128, compact=True)]
Bool = Annotated[bool, BoolCodec()]

Balance = U128
CompactBalance = CompactU128
BlockNumber = U64
CompactBlockNumber = CompactU64
AssetId = U128
RoundIndex = U32
EraIndex = U32
SessionIndex = U32

AccountId = Annotated[str, AccountIdCodec()]
MultiAddress = Annotated[str, AccountIdCodec(multi=True)]
H160 = Annotated[str, H160Codec()]
H256 = Annotated[bytes, FixedBytesCodec(32)]
Bytes = Annotated[bytes, BytesCodec()]
Text = Annotated[str, TextCodec()]

Percent = Annotated[int, PerThingCodec("Percent", 100)]
CompactPercent = Annotated[int, PerThingCodec("Percent", 100, compact=True)]
Perbill = Annotated[int, PerThingCodec("Perbill", 10**9)]
Permill = Annotated[int, PerThingCodec("Permill", 10**6)]

PERCENT = 100
PERBILL = 10**9


def FixedBytes(n: int) -> object:
    """``[u8; n]`` as a type hint."""
    return Annotated[bytes, FixedBytesCodec(n)]


def BoundedBytes(max_len: int) -> object:
    """``BoundedVec<u8, max_len>`` as a type hint."""
    return Annotated[bytes, BytesCodec("BoundedVec<u8>", max_len)]


def BoundedText(max_len: int) -> object:
    """A bounded UTF-8 string as a type hint."""
    return Annotated[str, TextCodec("BoundedString", max_len)]


def percent_of(parts: int, amount: int) -> int:
    """``Percent::mul_floor``: ``parts``% of ``amount``, rounded down."""
    return amount * parts // PERCENT


def perbill_of(parts: int, amount: int) -> int:
    """``Perbill::mul_floor``."""
    return amount * parts // PERBILL


def perbill_from_rational(p: int, q: int) -> int:
    """``Perbill::from_rational`` as the chain rounds it: down, saturating at 100% (and for q == 0)."""
    if q == 0 or p >= q:
        return PERBILL
    return p * PERBILL // q


_INIT_FIELDS: dict[type, tuple[str, ...] | None] = {}


def replace(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for stored structs, with each type's field names looked up once: a
    slash rebuilds four records per delegation, and ``dataclasses.replace`` re-reads the type's
    fields on every call (a quarter of applying a slash). Falls back to it for dataclasses with
    init-only or non-init fields, and raises the same TypeError on an unknown field."""
    t = type(obj)
    names = _INIT_FIELDS.get(t, ())
    if names == ():
        fields = dataclasses.fields(t)
        plain = all(f.init for f in fields) and len(fields) == len(t.__dataclass_fields__)  # no InitVar / ClassVar pseudo-fields
        names = _INIT_FIELDS[t] = tuple(f.name for f in fields) if plain else None
    if names is None or not changes.keys() <= set(names):
        return dataclasses.replace(obj, **changes)
    return t(*[changes[n] if n in changes else getattr(obj, n) for n in names])
