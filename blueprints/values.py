"""Python values <-> chain ``Field`` values, driven by the type hints of :mod:`blueprints.types`.

``shape_of(hint)`` compiles a hint once into a :class:`Shape` that knows its ``FieldType`` and
converts both ways (``to_field`` / ``from_field``), so handlers see plain Python and the chain sees
exactly the ``Field`` the real SDK would send. Conversion errors name the path of the bad value
(``args[0].items[2]``) because "type mismatch" without a place is the pain authors complain about.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin

from runtime.codec import cached_by_hint

from pallets.services.types import Field, FieldType
from pallets.services.types.field import MAX_FIELDS_SIZE, MAX_STRUCT_FIELDS

from blueprints.types import JobContext, _ArrayOf, _Scalar

_BOOL = FieldType.__units__["Bool"]
_STRING = FieldType.__units__["String"]
_UINT8 = FieldType.__units__["Uint8"]


class SchemaError(TypeError):
    """A type hint that has no FieldType (e.g. plain ``int``), or a malformed job declaration."""


class ValueMismatch(ValueError):
    """A Python value that does not fit its declared type; ``path`` says where."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class Shape:
    """A compiled type hint: its FieldType and the two conversions."""

    field_type: FieldType
    hint: Any

    def to_field(self, value: Any, path: str = "value") -> Field:  # pragma: no cover - abstract
        raise NotImplementedError

    def from_field(self, value: Field, path: str = "value") -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _expect(self, value: Field, name: str, path: str) -> None:
        if value.name != name:
            raise ValueMismatch(path, f"expected a {name} field, got {value.name}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.field_type!r})"


class ScalarShape(Shape):
    def __init__(self, marker: _Scalar, hint: Any) -> None:
        self.field_type = marker.field_type
        self.hint = hint
        self.lo, self.hi = marker.lo, marker.hi
        self.name = marker.field_type.name

    def to_field(self, value: Any, path: str = "value") -> Field:
        if self.name == "AccountId":
            if not isinstance(value, str):
                raise ValueMismatch(path, f"expected an account (SS58 or dev name), got {type(value).__name__}")
            from runtime.accounts import normalize_account

            try:
                return Field.AccountId(normalize_account(value))
            except ValueError as exc:
                raise ValueMismatch(path, str(exc)) from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueMismatch(path, f"expected an int for {self.name}, got {type(value).__name__}")
        if not (self.lo <= value <= self.hi):  # type: ignore[operator]
            raise ValueMismatch(path, f"{value} does not fit {self.name} [{self.lo}, {self.hi}]")
        return Field(self.name, value)

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, self.name, path)
        return value.value


class BoolShape(Shape):
    field_type = _BOOL
    hint = bool

    def to_field(self, value: Any, path: str = "value") -> Field:
        if not isinstance(value, bool):
            raise ValueMismatch(path, f"expected a bool, got {type(value).__name__}")
        return Field.Bool(value)

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "Bool", path)
        return value.value


class StringShape(Shape):
    field_type = _STRING
    hint = str

    def to_field(self, value: Any, path: str = "value") -> Field:
        if not isinstance(value, str):
            raise ValueMismatch(path, f"expected a str, got {type(value).__name__}")
        if len(value.encode()) > MAX_FIELDS_SIZE:
            raise ValueMismatch(path, f"string longer than {MAX_FIELDS_SIZE} bytes")
        return Field.String(value)

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "String", path)
        return value.value


def _byte_items(value: Any, path: str) -> tuple[Field, ...]:
    if isinstance(value, (bytes, bytearray)):
        return tuple(Field.Uint8(b) for b in value)
    raise ValueMismatch(path, f"expected bytes, got {type(value).__name__}")


class BytesShape(Shape):
    """``bytes`` is ``List(Uint8)``, declared ``Uint8`` even when empty (as the SDK sends it)."""

    field_type = FieldType.List(_UINT8)
    hint = bytes

    def to_field(self, value: Any, path: str = "value") -> Field:
        items = _byte_items(value, path)
        if len(items) > MAX_FIELDS_SIZE:
            raise ValueMismatch(path, f"more than {MAX_FIELDS_SIZE} bytes")
        return Field.List((_UINT8, items))

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "List", path)
        declared, items = value.value
        if declared != _UINT8:
            raise ValueMismatch(path, f"expected a List of Uint8, declared {declared!r}")
        return bytes(i.value for i in items)


class ListShape(Shape):
    def __init__(self, element: Shape, hint: Any) -> None:
        self.element = element
        self.hint = hint
        self.field_type = FieldType.List(element.field_type)

    def to_field(self, value: Any, path: str = "value") -> Field:
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise ValueMismatch(path, f"expected a list, got {type(value).__name__}")
        items = tuple(self.element.to_field(v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(items) > MAX_FIELDS_SIZE:
            raise ValueMismatch(path, f"more than {MAX_FIELDS_SIZE} items")
        return Field.List((self.element.field_type, items))

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "List", path)
        return [self.element.from_field(v, f"{path}[{i}]") for i, v in enumerate(value.value[1])]


class ArrayShape(Shape):
    """A fixed-length array; ``Array[U8, n]`` converts to and from ``bytes`` (hashes, keys)."""

    def __init__(self, element: Shape, length: int, hint: Any) -> None:
        self.element = element
        self.length = length
        self.hint = hint
        self.field_type = FieldType.Array((length, element.field_type))
        self.is_bytes = element.field_type == _UINT8

    def to_field(self, value: Any, path: str = "value") -> Field:
        if self.is_bytes and isinstance(value, (bytes, bytearray)):
            items = _byte_items(value, path)
        elif isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise ValueMismatch(path, f"expected a sequence of {self.length}, got {type(value).__name__}")
        else:
            items = tuple(self.element.to_field(v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(items) != self.length:
            raise ValueMismatch(path, f"expected exactly {self.length} items, got {len(items)}")
        return Field.Array((self.element.field_type, items))

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "Array", path)
        items = value.value[1]
        if len(items) != self.length:
            raise ValueMismatch(path, f"expected exactly {self.length} items, got {len(items)}")
        if self.is_bytes:
            return bytes(i.value for i in items)
        return tuple(self.element.from_field(v, f"{path}[{i}]") for i, v in enumerate(items))


class OptionalShape(Shape):
    def __init__(self, inner: Shape, hint: Any) -> None:
        self.inner = inner
        self.hint = hint
        self.field_type = FieldType.Optional(inner.field_type)

    def to_field(self, value: Any, path: str = "value") -> Field:
        return Field.Optional((self.inner.field_type, None if value is None else self.inner.to_field(value, path)))

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "Optional", path)
        inner = value.value[1]
        return None if inner is None else self.inner.from_field(inner, path)


class StructShape(Shape):
    """A dataclass as ``Struct``: the field named after the class, items named after its fields."""

    def __init__(self, cls: type, fields: tuple[tuple[str, Shape], ...]) -> None:
        self.cls = cls
        self.hint = cls
        self.fields = fields
        self.field_type = FieldType.Struct(tuple(s.field_type for _, s in fields))

    def to_field(self, value: Any, path: str = "value") -> Field:
        if isinstance(value, dict):
            missing = [n for n, _ in self.fields if n not in value]
            if missing:
                raise ValueMismatch(path, f"missing field {missing[0]!r} of {self.cls.__name__}")
            get = value.__getitem__
        elif isinstance(value, self.cls):
            get = lambda n: getattr(value, n)  # noqa: E731
        else:
            raise ValueMismatch(path, f"expected a {self.cls.__name__} (or a dict), got {type(value).__name__}")
        items = tuple((n, s.to_field(get(n), f"{path}.{n}")) for n, s in self.fields)
        return Field.Struct((self.cls.__name__, items))

    def from_field(self, value: Field, path: str = "value") -> Any:
        self._expect(value, "Struct", path)
        items = value.value[1]
        if len(items) != len(self.fields):
            raise ValueMismatch(path, f"{self.cls.__name__} has {len(self.fields)} fields, the value has {len(items)}")
        kwargs = {n: s.from_field(v, f"{path}.{n}") for (n, s), (_, v) in zip(self.fields, items)}
        return self.cls(**kwargs)



def shape_of(hint: Any, where: str = "type") -> Shape:
    """Compile a type hint (see :mod:`blueprints.types`) into a :class:`Shape` (memoised per hint);
    SchemaError if it has no FieldType."""
    return _shape_cached(hint, where)


def _compile(hint: Any, where: str) -> Shape:
    origin = get_origin(hint)
    if origin is Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, _Scalar):
                return ScalarShape(meta, hint)
            if isinstance(meta, _ArrayOf):
                return ArrayShape(shape_of(meta.element, f"{where}[item]"), meta.length, hint)
        return shape_of(get_args(hint)[0], where)
    if hint is bool:
        return BoolShape()
    if hint is str:
        return StringShape()
    if hint is bytes:
        return BytesShape()
    if hint is int:
        raise SchemaError(f"{where}: plain `int` has no FieldType; say which: U8, U16, U32, U64, I8, I16, I32 or I64 (from blueprints)")
    if hint is JobContext:
        raise SchemaError(f"{where}: JobContext is not a value type")
    if origin in (list, tuple) or hint in (list, tuple):
        args = get_args(hint)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            raise SchemaError(f"{where}: use list[T] for a variable list or Array[T, n] for a fixed one (got {hint!r})")
        if not args:
            raise SchemaError(f"{where}: a list needs an element type: list[U8]")
        return ListShape(shape_of(args[0], f"{where}[item]"), hint)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return OptionalShape(shape_of(args[0], where), hint)
        raise SchemaError(f"{where}: only `T | None` unions have a FieldType (Optional), got {hint!r}")
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint, include_extras=True)
        fields = tuple((f.name, shape_of(hints[f.name], f"{where}.{f.name}")) for f in dataclasses.fields(hint))
        if len(fields) > MAX_STRUCT_FIELDS:
            raise SchemaError(f"{where}: a struct has at most {MAX_STRUCT_FIELDS} fields on chain")
        return StructShape(hint, fields)
    raise SchemaError(f"{where}: {hint!r} has no FieldType (see blueprints.types for the mapping)")


def field_json(value: Field) -> Any:
    """A Field in substrate-interface's shape (what ``compose_call`` takes)."""
    from runtime.codec import codec_of

    return codec_of(Field).encode(value)


def field_type_json(value: FieldType) -> Any:
    from runtime.codec import codec_of

    return codec_of(FieldType).encode(value)


_shape_cached = cached_by_hint(_compile)
