"""``FieldType`` (what a parameter or result must be) and ``Field`` (a value), as in
``tangle_primitives::services::field``.

Both are SCALE enums with the real variant indices, gaps included (index 11 is unused and
``AccountId`` is 100). Outside the runtime they have substrate-interface's shape::

    "Uint8"                                   FieldType.Uint8
    {"List": "Uint8"}                         FieldType.List(FieldType.Uint8)
    {"Array": [4, "Uint8"]}                   FieldType.Array((4, FieldType.Uint8))
    {"Uint8": 7}                              Field.Uint8(7)
    {"List": ["Uint8", [{"Uint8": 1}]]}       Field.List((FieldType.Uint8, (Field.Uint8(1),)))
    {"Optional": ["Uint64", None]}            Field.Optional((FieldType.Uint64, None))

Inside they are immutable and hashable, so they can be stored. The small constructors at the end
(``u8(7)``, ``string("x")``, ``list_of(FieldType.Uint8, [...])``...) make blueprint code readable.

Bounds are the testnet's (MaxFieldsSize = 1024 bytes / items; a struct type lists at most 32
fields); a longer value fails to decode, as it would on a node.
"""

from __future__ import annotations

from typing import Any, Iterable

from runtime.codec import Bounded, ScaleEnum, bind_pending
from runtime.primitives import I8, I16, I32, I64, U8, U16, U32, U64, AccountId, Bool, BoundedText

MAX_FIELDS_SIZE = 1024
MAX_STRUCT_FIELDS = 32


class FieldType(ScaleEnum):
    """A parameter or result type of a job, a registration or a request."""

    __indices__ = {
        "Void": 0, "Bool": 1, "Uint8": 2, "Int8": 3, "Uint16": 4, "Int16": 5, "Uint32": 6, "Int32": 7,
        "Uint64": 8, "Int64": 9, "String": 10, "Optional": 12, "Array": 13, "List": 14, "Struct": 15,
        "AccountId": 100,
    }
    Void: None
    Bool: None
    Uint8: None
    Int8: None
    Uint16: None
    Int16: None
    Uint32: None
    Int32: None
    Uint64: None
    Int64: None
    String: None
    Optional: FieldType
    Array: tuple[U64, FieldType]
    List: FieldType
    Struct: Bounded(FieldType, MAX_STRUCT_FIELDS)
    AccountId: None


class Field(ScaleEnum):
    """A value of a job argument, job result, registration argument or request argument."""

    __indices__ = {
        "Optional": 0, "Bool": 1, "Uint8": 2, "Int8": 3, "Uint16": 4, "Int16": 5, "Uint32": 6, "Int32": 7,
        "Uint64": 8, "Int64": 9, "String": 10, "Array": 12, "List": 13, "Struct": 14, "AccountId": 100,
    }
    Optional: tuple[FieldType, Field | None]
    Bool: Bool
    Uint8: U8
    Int8: I8
    Uint16: U16
    Int16: I16
    Uint32: U32
    Int32: I32
    Uint64: U64
    Int64: I64
    String: BoundedText(MAX_FIELDS_SIZE)
    Array: tuple[FieldType, Bounded(Field, MAX_FIELDS_SIZE)]
    List: tuple[FieldType, Bounded(Field, MAX_FIELDS_SIZE)]
    Struct: tuple[BoundedText(MAX_FIELDS_SIZE), Bounded(tuple[BoundedText(MAX_FIELDS_SIZE), Field], MAX_FIELDS_SIZE)]
    AccountId: AccountId


bind_pending()

#: the values each integer variant of ``Field`` holds (its codec's range): what generators draw from
INT_RANGES: dict[str, tuple[int, int]] = {
    "Uint8": (0, 2**8 - 1), "Int8": (-(2**7), 2**7 - 1), "Uint16": (0, 2**16 - 1), "Int16": (-(2**15), 2**15 - 1),
    "Uint32": (0, 2**32 - 1), "Int32": (-(2**31), 2**31 - 1), "Uint64": (0, 2**64 - 1), "Int64": (-(2**63), 2**63 - 1),
}

_SCALAR_TYPES: dict[str, FieldType] = {
    name: FieldType.__units__[name]
    for name in ("Bool", "Uint8", "Int8", "Uint16", "Int16", "Uint32", "Int32", "Uint64", "Int64", "String", "AccountId")
}


def field_type_of(value: Field) -> FieldType:
    """``FieldType::from(&Field)`` as the chain computes it (what a TypeCheck error reports as ``actual``).

    Note the chain's choices: ``Optional(t, _)`` gives ``t`` (not ``Optional(t)``), and arrays and lists
    take the type of their *first item* (``Void`` when empty), not their declared element type.
    """
    name = value.name
    scalar = _SCALAR_TYPES.get(name)
    if scalar is not None:
        return scalar
    if name == "Optional":
        return value.value[0]
    if name == "Array":
        items = value.value[1]
        return FieldType.Array((len(items), field_type_of(items[0]) if items else FieldType.Void))
    if name == "List":
        items = value.value[1]
        return FieldType.List(field_type_of(items[0]) if items else FieldType.Void)
    # Struct
    return FieldType.Struct(tuple(field_type_of(v) for _, v in value.value[1]))


def matches(value: Field, ty: FieldType) -> bool:
    """The chain's value-matches-type rule (``impl PartialEq<FieldType> for Field``).

    Scalars match their same-named type; ``Optional``/``Array``/``List`` must *declare* exactly the
    expected element type and every item must match it (an array also needs the exact length);
    a struct matches position by position (names are ignored). Nothing matches ``Void``.
    """
    name = value.name
    tname = ty.name
    if name != tname:
        return False
    if name in _SCALAR_TYPES:
        return True
    if name == "Optional":
        declared, inner = value.value
        return declared == ty.value and (inner is None or matches(inner, ty.value))
    if name == "Array":
        declared, items = value.value
        length, elem = ty.value
        return declared == elem and len(items) == length and all(matches(i, elem) for i in items)
    if name == "List":
        declared, items = value.value
        return declared == ty.value and all(matches(i, ty.value) for i in items)
    # Struct
    fields = value.value[1]
    types = ty.value
    return len(fields) == len(types) and all(matches(v, t) for (_, v), t in zip(fields, types))


# ------------------------------------------------------------------------------------------------
# constructors for readable blueprint code


def boolean(v: bool) -> Field:
    return Field.Bool(v)


def u8(v: int) -> Field:
    return Field.Uint8(v)


def u16(v: int) -> Field:
    return Field.Uint16(v)


def u32(v: int) -> Field:
    return Field.Uint32(v)


def u64(v: int) -> Field:
    return Field.Uint64(v)


def i8(v: int) -> Field:
    return Field.Int8(v)


def i16(v: int) -> Field:
    return Field.Int16(v)


def i32(v: int) -> Field:
    return Field.Int32(v)


def i64(v: int) -> Field:
    return Field.Int64(v)


def string(v: str) -> Field:
    return Field.String(v)


def account(v: str) -> Field:
    """An ``AccountId`` field (an SS58 address or dev name, normalised)."""
    from runtime.accounts import normalize_account

    return Field.AccountId(normalize_account(v))


def optional(ty: FieldType, value: Field | None) -> Field:
    return Field.Optional((ty, value))


def list_of(ty: FieldType, items: Iterable[Field]) -> Field:
    return Field.List((ty, tuple(items)))


def array_of(ty: FieldType, items: Iterable[Field]) -> Field:
    return Field.Array((ty, tuple(items)))


def bytes_field(data: bytes) -> Field:
    """``List(Uint8, ...)``: how the SDK sends a byte vector (declared ``Uint8`` even when empty,
    unlike the chain's own ``From<BoundedVec<u8>>``, which declares ``Void`` for an empty vector)."""
    return Field.List((FieldType.Uint8, tuple(Field.Uint8(b) for b in data)))


def struct_of(name: str, fields: Iterable[tuple[str, Field]]) -> Field:
    return Field.Struct((name, tuple(fields)))


def struct_type(*types: FieldType) -> FieldType:
    return FieldType.Struct(tuple(types))


def list_type(ty: FieldType) -> FieldType:
    return FieldType.List(ty)


def array_type(length: int, ty: FieldType) -> FieldType:
    return FieldType.Array((length, ty))


def optional_type(ty: FieldType) -> FieldType:
    return FieldType.Optional(ty)


def to_python(value: Field) -> Any:
    """A field as plain Python (ints, str, bool, SS58 str, None, tuples; structs as dicts)."""
    name = value.name
    if name in _SCALAR_TYPES:
        return value.value
    if name == "Optional":
        inner = value.value[1]
        return None if inner is None else to_python(inner)
    if name in ("Array", "List"):
        return tuple(to_python(i) for i in value.value[1])
    return {k: to_python(v) for k, v in value.value[1]}
