"""Typed values at the runtime's edge.

A call written for the simulator must also be a call for a real node, so call arguments arrive in
exactly the shape substrate-interface's ``compose_call`` accepts (ints, SS58 strings, ``{"Custom": 0}``
for enum variants, dicts for structs) and leave again in that shape (call logs, events, queries).
Inside the runtime the same values are immutable Python objects (ints, str, bytes, tuples, frozen
dataclasses, :class:`ScaleEnum` instances), because storage snapshots share them by reference.

Each codec knows one metadata type: ``decode`` checks and converts an outside value (raising a
:class:`ParamError` that names the offending field), ``encode`` renders an inside value back.
Codecs are attached to type hints with ``typing.Annotated`` so that pallet code reads as plain,
typed Python: ``def transfer_keep_alive(self, origin: Origin, dest: MultiAddress, value: CompactBalance)``.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Any, Annotated, Callable, ClassVar, Iterable, Union, get_args, get_origin

#: How deep a call argument may nest. The real runtime decodes extrinsics with
#: ``decode_with_depth_limit(MAX_EXTRINSIC_DEPTH)`` (``MAX_EXTRINSIC_DEPTH = 256`` in sp-api /
#: frame-support): every ``Box`` (a nested ``RuntimeCall`` in ``Sudo.sudo``, a ``FieldType`` inside a
#: ``FieldType``) and every collection descends one level, and a deeper extrinsic does not decode.
#: The simulator counts the same levels (enum payloads, lists, sets, nested calls) and refuses
#: deeper values with a :class:`ParamError` instead of exhausting the Python stack.
MAX_DECODE_DEPTH = 256

# Each decoding level costs a few Python frames (codec -> call spec -> codec), and so do encoding a
# logged call and dispatching a nested one; 256 levels need more than Python's default 1,000 frames.
if sys.getrecursionlimit() < 20_000:
    sys.setrecursionlimit(20_000)

_MAX_PATH = 160  # characters of a field path quoted in a message (the full path stays on .path)


class ParamError(ValueError):
    """A call argument (or config/scenario value) is malformed; ``path`` names the field."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.reason = message
        shown = path if len(path) <= _MAX_PATH else f"{path[:_MAX_PATH // 2]}...{path[-_MAX_PATH // 2:]}"
        super().__init__(f"{shown}: {message}" if path else message)


class _Depth:
    """How many nesting levels the value being decoded has entered (one decode runs at a time per
    thread of the simulator; the counter is reset by every level that leaves, error or not)."""

    level = 0


def descend(path: str) -> None:
    """Enter one nesting level of a value being decoded; refuse it past :data:`MAX_DECODE_DEPTH`."""
    _Depth.level += 1
    if _Depth.level > MAX_DECODE_DEPTH:
        _Depth.level -= 1
        raise ParamError(path, f"nested deeper than the runtime decodes ({MAX_DECODE_DEPTH} levels, MAX_EXTRINSIC_DEPTH)")


def ascend() -> None:
    """Leave a level entered with :func:`descend`."""
    _Depth.level -= 1


_DESCRIBE_LIMIT = 60


def short(text: str, limit: int = 40) -> str:
    """``repr`` of at most ``limit`` characters of ``text`` (a megabyte string is never quoted whole)."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text)} characters)"


def _describe(value: Any) -> str:
    """``type value`` for a message, in bounded time and size whatever the value: never ``repr()``
    of something unbounded (a list nested 10^5 deep, a megabyte string, a 10^5-digit int)."""
    return f"{type(value).__name__} {_render(value, _DESCRIBE_LIMIT)}"


def _render(value: Any, limit: int) -> str:
    """A repr-like rendering truncated to about ``limit`` characters, built iteratively."""
    out: list[str] = []
    size = 0
    stack: list[Any] = [value]
    seen = 0
    while stack and size <= limit and seen < 4 * limit:
        item = stack.pop()
        seen += 1
        if type(item) is _Text:
            piece = item.text
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            piece = repr(item)
        elif isinstance(item, int):
            piece = _number(item)
        elif isinstance(item, str):
            piece = short(item, limit)
        elif isinstance(item, (bytes, bytearray)):
            piece = repr(bytes(item[:limit])) + (f"... ({len(item)} bytes)" if len(item) > limit else "")
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            opener, closer = {list: "[]", tuple: "()", dict: "{}"}.get(type(item), "{}")  # type: ignore[arg-type]
            if isinstance(item, dict):
                parts: list[Any] = []
                for i, (k, v) in enumerate(item.items()):
                    if i >= limit:
                        break
                    parts += [_Text(", ") if i else None, k, _Text(": "), v]
            else:
                parts = []
                for i, v in enumerate(item):
                    if i >= limit:
                        break
                    parts += [_Text(", ") if i else None, v]
            stack.append(_Text(closer[-1]))
            stack.extend(reversed([p for p in parts if p is not None]))
            piece = opener[0]
        else:
            piece = f"<{type(item).__name__}>"
        out.append(piece)
        size += len(piece)
    text = "".join(out)
    if stack or len(text) > limit:
        text = text[:limit - 3] + "..."
    return text


def _number(value: int) -> str:
    """An int for a message: digits when short, its size when huge (str() of a 10^5-digit int raises)."""
    return str(value) if value.bit_length() <= 256 else f"<{'-' if value < 0 else ''}int of {value.bit_length()} bits>"


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Codec:
    """Base class: one metadata type, both directions."""

    type_name: str = "?"

    def decode(self, value: Any, path: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode(self, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<codec {self.type_name}>"


# --------------------------------------------------------------------------------------------
# Scalars


class UIntCodec(Codec):
    __slots__ = ("bits", "max", "compact", "type_name")

    def __init__(self, bits: int, compact: bool = False) -> None:
        self.bits = bits
        self.max = (1 << bits) - 1
        self.compact = compact
        self.type_name = f"Compact<u{bits}>" if compact else f"u{bits}"

    def decode(self, value: Any, path: str) -> int:
        if type(value) is int and 0 <= value <= self.max:
            return value
        if isinstance(value, bool):
            raise ParamError(path, f"expected an unsigned integer (u{self.bits}), got bool {value!r}")
        if isinstance(value, float):
            raise ParamError(
                path,
                f"expected an integer in base units (u{self.bits}), got float {value!r}; "
                "balances are integers with 18 decimals, e.g. 10**18 for 1 TNT",
            )
        if isinstance(value, int):
            if value < 0:
                raise ParamError(path, f"must not be negative (u{self.bits}), got {_number(value)}")
            raise ParamError(path, f"overflows u{self.bits} (max {self.max}), got {_number(value)}")
        raise ParamError(path, f"expected an unsigned integer (u{self.bits}), got {_describe(value)}")

    def encode(self, value: int) -> int:
        return value


class IntCodec(Codec):
    __slots__ = ("bits", "min", "max", "type_name")

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.min = -(1 << (bits - 1))
        self.max = (1 << (bits - 1)) - 1
        self.type_name = f"i{bits}"

    def decode(self, value: Any, path: str) -> int:
        if type(value) is int and self.min <= value <= self.max:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(path, f"expected a signed integer (i{self.bits}), got {_describe(value)}")
        raise ParamError(path, f"out of range for i{self.bits} ({self.min}..{self.max}), got {_number(value)}")

    def encode(self, value: int) -> int:
        return value


class BoolCodec(Codec):
    type_name = "bool"

    def decode(self, value: Any, path: str) -> bool:
        if value is True or value is False:
            return value
        raise ParamError(path, f"expected a bool, got {_describe(value)}")

    def encode(self, value: bool) -> bool:
        return value


class PerThingCodec(Codec):
    """Percent (0..=100) and Perbill (0..=10**9) as integers of parts."""

    __slots__ = ("type_name", "max", "compact")

    def __init__(self, name: str, maximum: int, compact: bool = False) -> None:
        self.type_name = f"Compact<{name}>" if compact else name
        self.max = maximum
        self.compact = compact

    def decode(self, value: Any, path: str) -> int:
        if type(value) is int and 0 <= value <= self.max:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(path, f"expected an integer number of parts for {self.type_name} (0..={self.max}), got {_describe(value)}")
        raise ParamError(path, f"{self.type_name} must be within 0..={self.max}, got {_number(value)}")

    def encode(self, value: int) -> int:
        return value


def _hex_to_bytes(text: str, path: str) -> bytes:
    body = text[2:]
    try:
        return bytes.fromhex(body)
    except ValueError:
        raise ParamError(path, f"invalid hex string {text[:40]!r}") from None


class BytesCodec(Codec):
    """``Vec<u8>``: accepts bytes, a 0x-hex string, a text string (utf-8) or a list of byte values.

    Like scalecodec, a string starting with ``0x`` is read as hex, so the simulator and a real
    node see the same bytes for the same call.
    """

    __slots__ = ("type_name", "max_len")

    def __init__(self, type_name: str = "Vec<u8>", max_len: int | None = None) -> None:
        self.type_name = type_name
        self.max_len = max_len

    def decode(self, value: Any, path: str) -> bytes:
        if type(value) is bytes:
            out = value
        elif isinstance(value, str):
            out = _hex_to_bytes(value, path) if value.startswith("0x") else value.encode("utf-8")
        elif isinstance(value, (bytearray, memoryview)):
            out = bytes(value)
        elif isinstance(value, (list, tuple)) and all(type(b) is int and 0 <= b < 256 for b in value):
            out = bytes(value)
        else:
            raise ParamError(path, f"expected bytes, a 0x-hex string or text, got {_describe(value)}")
        if self.max_len is not None and len(out) > self.max_len:
            raise ParamError(path, f"too long: {len(out)} bytes, at most {self.max_len}")
        return out

    def encode(self, value: bytes) -> str:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return "0x" + value.hex()
        if text.startswith("0x") or not text.isprintable():
            return "0x" + value.hex()
        return text


class TextCodec(Codec):
    """A UTF-8 string stored on chain as bytes (``BoundedString``, names, RPC addresses)."""

    __slots__ = ("type_name", "max_len")

    def __init__(self, type_name: str = "BoundedString", max_len: int | None = None) -> None:
        self.type_name = type_name
        self.max_len = max_len

    def decode(self, value: Any, path: str) -> str:
        if type(value) is str and not value.startswith("0x"):
            out = value
        elif isinstance(value, (str, bytes, bytearray)):
            raw = _hex_to_bytes(value, path) if isinstance(value, str) else bytes(value)
            try:
                out = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ParamError(path, "expected UTF-8 text") from None
        else:
            raise ParamError(path, f"expected a string, got {_describe(value)}")
        if self.max_len is not None and len(out.encode("utf-8")) > self.max_len:
            raise ParamError(path, f"too long: at most {self.max_len} bytes")
        return out

    def encode(self, value: str) -> str:
        return value


class FixedBytesCodec(Codec):
    """``[u8; N]``: internal ``bytes`` of exactly N bytes; outside, 0x-hex or bytes."""

    __slots__ = ("n", "type_name")

    def __init__(self, n: int) -> None:
        self.n = n
        self.type_name = f"[u8; {n}]"

    def decode(self, value: Any, path: str) -> bytes:
        if isinstance(value, str):
            if not value.startswith("0x"):
                raise ParamError(path, f"expected 0x-prefixed hex for {self.type_name}, got {value[:40]!r}")
            out = _hex_to_bytes(value, path)
        elif isinstance(value, (bytes, bytearray)):
            out = bytes(value)
        elif isinstance(value, (list, tuple)) and all(type(b) is int and 0 <= b < 256 for b in value):
            out = bytes(value)
        else:
            raise ParamError(path, f"expected {self.n} bytes as 0x-hex, got {_describe(value)}")
        if len(out) != self.n:
            raise ParamError(path, f"expected exactly {self.n} bytes, got {len(out)}")
        return out

    def encode(self, value: bytes) -> str:
        return "0x" + value.hex()


class H160Codec(Codec):
    """An EVM address; internal form is the lowercase 0x-prefixed hex string."""

    type_name = "H160"

    def decode(self, value: Any, path: str) -> str:
        if isinstance(value, (bytes, bytearray)) and len(value) == 20:
            return "0x" + bytes(value).hex()
        if isinstance(value, str):
            body = value[2:] if value.startswith(("0x", "0X")) else value
            if len(body) == 40:
                try:
                    bytes.fromhex(body)
                except ValueError:
                    pass
                else:
                    return "0x" + body.lower()
        raise ParamError(path, f"expected a 20-byte EVM address (0x + 40 hex digits), got {_describe(value)}")

    def encode(self, value: str) -> str:
        return value


#: Longest account text looked at: SS58 of a 32-byte key is at most 50 characters, 0x-hex 66,
#: a ``//derivation/path`` a few dozen. Longer text is refused before base58 decoding, which is
#: quadratic in the length (a 10^5-character string took seconds).
MAX_ACCOUNT_TEXT = 256


_normalize_account: Callable[[Any], str] | None = None  # runtime.accounts imports this module: bound on first use


def _bind_accounts() -> Callable[[Any], str]:
    global _normalize_account
    from runtime.accounts import normalize_account

    _normalize_account = normalize_account
    return normalize_account


class AccountIdCodec(Codec):
    """AccountId32: internal form is the SS58 address with the Tangle testnet prefix 42."""

    __slots__ = ("type_name", "multi")

    def __init__(self, multi: bool = False) -> None:
        self.multi = multi
        self.type_name = "MultiAddress<AccountId32, u32>" if multi else "AccountId32"

    def decode(self, value: Any, path: str) -> str:
        normalize_account = _normalize_account or _bind_accounts()
        if self.multi and isinstance(value, dict):
            if len(value) == 1 and "Id" in value:
                value = value["Id"]
            else:
                raise ParamError(path, f"only the MultiAddress::Id variant is supported, got {_describe(value)}")
        if not isinstance(value, (str, bytes, bytearray)):
            raise ParamError(path, f"expected an account (SS58 address, dev name or 0x-hex public key), got {_describe(value)}")
        if len(value) > MAX_ACCOUNT_TEXT:
            raise ParamError(path, f"too long for an account: {len(value)} characters (an SS58 address has at most 50, "
                                   f"a 0x-hex public key 66)")
        try:
            return normalize_account(value)
        except ValueError as exc:
            raise ParamError(path, str(exc)) from None

    def encode(self, value: str) -> str:
        return value


# --------------------------------------------------------------------------------------------
# Containers


class OptionCodec(Codec):
    __slots__ = ("inner", "type_name")

    def __init__(self, inner: Codec) -> None:
        self.inner = inner
        self.type_name = f"Option<{inner.type_name}>"

    def decode(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        return self.inner.decode(value, path)

    def encode(self, value: Any) -> Any:
        return None if value is None else self.inner.encode(value)


class VecCodec(Codec):
    """``Vec<T>`` / ``BoundedVec<T>``: internal form is a tuple."""

    __slots__ = ("inner", "max_len", "type_name")

    def __init__(self, inner: Codec, max_len: int | None = None) -> None:
        self.inner = inner
        self.max_len = max_len
        self.type_name = f"{'BoundedVec' if max_len is not None else 'Vec'}<{inner.type_name}>"

    def decode(self, value: Any, path: str) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise ParamError(path, f"expected a list, got {_describe(value)}")
        if self.max_len is not None and len(value) > self.max_len:
            raise ParamError(path, f"too many items: {len(value)}, at most {self.max_len}")
        dec = self.inner.decode
        out: list[Any] = []
        push = out.append
        level = _Depth.level + 1  # descend(path), inline: every list argument passes here
        if level > MAX_DECODE_DEPTH:
            descend(path)
        _Depth.level = level
        try:
            for item in value:
                push(dec(item, path))
        except ParamError as exc:
            # name the offending item (hot calls do not build a path string per item); rewriting
            # the path, not decoding again, keeps a failure deep inside nested lists linear
            where = f"{path}[{len(out)}]"
            sub = exc.path[len(path):] if exc.path.startswith(path) else ("." + exc.path if exc.path else "")
            raise ParamError(where + sub, exc.reason) from None
        finally:
            _Depth.level -= 1
        return tuple(out)

    def encode(self, value: Iterable[Any]) -> list:
        enc = self.inner.encode
        return [enc(item) for item in value]


class SetCodec(Codec):
    """``BTreeSet<T>``: internal frozenset, encoded as a sorted list."""

    __slots__ = ("inner", "max_len", "type_name")

    def __init__(self, inner: Codec, max_len: int | None = None) -> None:
        self.inner = inner
        self.max_len = max_len
        self.type_name = f"BTreeSet<{inner.type_name}>"

    def decode(self, value: Any, path: str) -> frozenset:
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise ParamError(path, f"expected a list or set, got {_describe(value)}")
        if self.max_len is not None and len(value) > self.max_len:
            raise ParamError(path, f"too many items: {len(value)}, at most {self.max_len}")
        descend(path)
        try:
            items = [self.inner.decode(v, f"{path}[{i}]") for i, v in enumerate(value)]
        finally:
            ascend()
        return frozenset(items)

    def encode(self, value: frozenset) -> list:
        return sorted(self.inner.encode(v) for v in value)


class TupleCodec(Codec):
    __slots__ = ("items", "type_name")

    def __init__(self, items: tuple[Codec, ...]) -> None:
        self.items = items
        self.type_name = "(" + ", ".join(c.type_name for c in items) + ")"

    def decode(self, value: Any, path: str) -> tuple:
        if not isinstance(value, (list, tuple)) or len(value) != len(self.items):
            raise ParamError(path, f"expected a tuple of {len(self.items)} items {self.type_name}, got {_describe(value)}")
        return tuple(c.decode(v, f"{path}[{i}]") for i, (c, v) in enumerate(zip(self.items, value)))

    def encode(self, value: tuple) -> tuple:
        return tuple(c.encode(v) for c, v in zip(self.items, value))


class StructCodec(Codec):
    """A frozen dataclass; outside, a dict keyed by the real field names.

    Missing ``Option`` fields default to ``None`` (scalecodec would insist on an explicit None);
    any other missing or unknown key is an error naming it.
    """

    __slots__ = ("cls", "fields", "type_name", "_names", "_bound", "_subs")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.type_name = getattr(cls, "__scale_name__", cls.__name__)
        self.fields: tuple[tuple[str, str, Codec], ...] = ()  # (python name, chain name, codec)
        self._names: frozenset[str] = frozenset()
        self._bound = False
        self._subs: dict[str, tuple[str, ...]] = {}  # parent path -> each field's path

    def _bind(self) -> None:
        self._bound = True
        bind_pending()
        hints = typing.get_type_hints(self.cls, include_extras=True)
        fields = []
        for f in dataclasses.fields(self.cls):
            chain_name = f.metadata.get("name", f.name)
            fields.append((f.name, chain_name, codec_of(hints[f.name], f"{self.type_name}.{f.name}")))
        self.fields = tuple(fields)
        self._names = frozenset(name for _, name, _ in fields)

    def decode(self, value: Any, path: str) -> Any:
        if not self._bound:
            self._bind()
        if isinstance(value, self.cls):
            return value
        if not isinstance(value, dict):
            raise ParamError(path, f"expected a dict for {self.type_name} with fields {[n for _, n, _ in self.fields]}, got {_describe(value)}")
        if not self._names.issuperset(value):
            unknown = [k for k in value if k not in self._names]
            key = unknown[0] if isinstance(unknown[0], str) and len(unknown[0]) <= 40 else _render(unknown[0], 40)
            raise ParamError(f"{path}.{key}", f"unknown field for {self.type_name} (expected one of {[n for _, n, _ in self.fields]})")
        subs = self._subs.get(path)
        if subs is None:
            subs = tuple(f"{path}.{name}" if path else name for _, name, _ in self.fields)
            if len(self._subs) < 64 and len(path) <= 200:  # the few paths a struct is decoded at
                self._subs[path] = subs
        kwargs = {}
        for (py_name, name, codec), sub in zip(self.fields, subs):
            if name in value:
                kwargs[py_name] = codec.decode(value[name], sub)
            elif isinstance(codec, OptionCodec):
                kwargs[py_name] = None
            else:
                raise ParamError(sub, f"missing field of {self.type_name}")
        return self.cls(**kwargs)

    def encode(self, value: Any) -> dict:
        if not self._bound:
            self._bind()
        return {name: codec.encode(getattr(value, py_name)) for py_name, name, codec in self.fields}


class EnumCodec(Codec):
    """A :class:`ScaleEnum` subclass; outside, ``"Unit"`` or ``{"Variant": value}``."""

    __slots__ = ("cls", "type_name")

    def __init__(self, cls: type[ScaleEnum]) -> None:
        self.cls = cls
        self.type_name = getattr(cls, "__scale_name__", cls.__name__)

    def decode(self, value: Any, path: str) -> ScaleEnum:
        cls = self.cls
        if isinstance(value, cls):
            return value
        if not cls.__variants__:
            bind_pending()
        variants = cls.__variants__
        if isinstance(value, str):
            name, payload, has_payload = value, None, False
        elif isinstance(value, dict) and len(value) == 1:
            ((name, payload),) = value.items()
            has_payload = True
        else:
            raise ParamError(path, f"expected a variant of {self.type_name} {list(variants)} as 'Name' or {{'Name': value}}, got {_describe(value)}")
        if type(name) is not str or name not in variants:
            shown = short(name) if isinstance(name, str) else _describe(name)
            raise ParamError(path, f"unknown variant {shown} of {self.type_name} (expected one of {list(variants)})")
        codec = variants[name]
        if codec is None:
            if has_payload and payload not in (None, (), []):
                raise ParamError(path, f"variant {name} of {self.type_name} takes no value")
            return cls.__units__[name]
        if not has_payload:
            raise ParamError(path, f"variant {name} of {self.type_name} needs a value: {{'{name}': ...}}")
        sub = f"{path}.{name}" if path else name
        level = _Depth.level + 1  # descend(sub), inline
        if level > MAX_DECODE_DEPTH:
            descend(sub)
        _Depth.level = level
        try:
            return cls(name, codec.decode(payload, sub))
        finally:
            _Depth.level -= 1

    def encode(self, value: ScaleEnum) -> Any:
        codec = self.cls.__variants__[value.name]
        if codec is None:
            return value.name
        return {value.name: codec.encode(value.value)}


# --------------------------------------------------------------------------------------------
# Declaring types


class ScaleEnum:
    """Base for SCALE enums. Declare variants as annotations; ``None`` marks a unit variant::

        class Asset(ScaleEnum):
            Custom: U128
            Erc20: H160

        Asset.Custom(0)            # data variant constructor
        MasterManagerRevision.Latest   # unit variant singleton

    Instances are immutable and hashable, compare by (variant, value), and match with
    ``case Asset("Custom", 0)``. ``__indices__`` may give explicit SCALE indices (for gaps).
    """

    __slots__ = ("name", "value")
    __match_args__ = ("name", "value")
    __variants__: ClassVar[dict[str, Codec | None]]
    __units__: ClassVar[dict[str, "ScaleEnum"]]
    __indices__: ClassVar[dict[str, int]] = {}
    __codec__: ClassVar[EnumCodec]

    def __init__(self, name: str, value: Any = None) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "value", value)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name and other.value == self.value  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name, self.value))

    def __lt__(self, other: "ScaleEnum") -> bool:
        order = type(self).__order__
        return (order[self.name], self.value) < (order[other.name], other.value)

    def __repr__(self) -> str:
        if type(self).__variants__[self.name] is None:
            return f"{type(self).__name__}.{self.name}"
        return f"{type(self).__name__}.{self.name}({self.value!r})"

    def __reduce__(self):  # pickling for process pools
        return (type(self), (self.name, self.value))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__codec__ = EnumCodec(cls)
        cls.__variants__ = {}
        cls.__units__ = {}
        cls.__order__ = {}
        try:
            _bind_enum(cls)
        except NameError:  # a forward or recursive reference: bind once the module is loaded
            _PENDING_ENUMS.append(cls)

    def encode(self) -> Any:
        """This value in substrate-interface's shape."""
        return type(self).__codec__.encode(self)


_PENDING_ENUMS: list[type[ScaleEnum]] = []


def _bind_enum(cls: type[ScaleEnum]) -> None:
    hints = typing.get_type_hints(cls, include_extras=True)
    own = [name for name in cls.__dict__.get("__annotations__", {}) if not name.startswith("_")]
    variants: dict[str, Codec | None] = {}
    for name in own:
        hint = hints[name]
        variants[name] = None if hint is None or hint is type(None) else codec_of(hint, f"{cls.__name__}.{name}")
    cls.__variants__ = variants
    cls.__order__ = {name: cls.__indices__.get(name, i) for i, name in enumerate(variants)}
    units = {}
    for name, codec in variants.items():
        if codec is None:
            units[name] = cls(name, None)
            setattr(cls, name, units[name])
        else:
            setattr(cls, name, _variant_ctor(cls, name))
    cls.__units__ = units


def _variant_ctor(cls: type, name: str):
    def make(value: Any) -> Any:
        return cls(name, value)

    make.__name__ = name
    make.__qualname__ = f"{cls.__name__}.{name}"
    return staticmethod(make)


def bind_pending() -> None:
    """Resolve enums whose variants refer forward (call after the declaring module's last type)."""
    while _PENDING_ENUMS:
        cls = _PENDING_ENUMS.pop(0)
        _bind_enum(cls)


def struct(cls: type | None = None, *, name: str | None = None):
    """Declare a SCALE struct: a frozen, slotted dataclass with a codec.

    Use ``field(metadata={"name": "from"})`` when the chain's field name is a Python keyword.
    """

    def wrap(c: type) -> type:
        dc = dataclasses.dataclass(frozen=True, slots=True)(c)
        if name:
            dc.__scale_name__ = name
        dc.__codec__ = StructCodec(dc)
        return dc

    return wrap(cls) if cls is not None else wrap


def cached_by_hint(compile_hint: Callable[[Any, str], Any]) -> Callable[..., Any]:
    """Memoise a ``(hint, where) -> result`` compiler per hint (unhashable hints are compiled each time).

    Type hints are compiled once and reused on every call, so hot dispatch paths never re-resolve."""
    cache: dict[Any, Any] = {}

    def compiled(hint: Any, where: str = "") -> Any:
        try:
            hit = cache.get(hint)
        except TypeError:
            return compile_hint(hint, where)
        if hit is None:
            hit = compile_hint(hint, where)
            cache[hint] = hit
        return hit

    compiled.__doc__ = compile_hint.__doc__
    compiled.__wrapped__ = compile_hint  # type: ignore[attr-defined]
    return compiled


def codec_of(hint: Any, where: str = "") -> Codec:
    """The codec for a type hint (``Annotated`` alias, struct, enum, tuple, Optional...), memoised."""
    return _codec_cached(hint, where)


def _resolve(hint: Any, where: str) -> Codec:
    origin = get_origin(hint)
    if origin is Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, Codec):
                return meta
        return codec_of(get_args(hint)[0], where)
    if isinstance(hint, type):
        if issubclass(hint, ScaleEnum):
            return hint.__codec__
        codec = getattr(hint, "__codec__", None)
        if isinstance(codec, StructCodec):
            return codec
        if hint is bool:
            return BoolCodec()
        if hint is bytes:
            return BytesCodec()
        if hint is str:
            return TextCodec("String")
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return VecCodec(codec_of(args[0], where))
        return TupleCodec(tuple(codec_of(a, where) for a in args))
    if origin is frozenset:
        return SetCodec(codec_of(get_args(hint)[0], where))
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(get_args(hint)) == 2:
            return OptionCodec(codec_of(args[0], where))
    raise TypeError(f"no codec for type hint {hint!r} ({where}); use an Annotated alias from runtime.primitives")


def Bounded(hint: Any, max_len: int) -> Any:
    """``BoundedVec<T, max_len>`` as a type hint: a tuple whose decode checks the bound."""
    return Annotated[tuple, VecCodec(codec_of(hint), max_len)]


def encode_value(value: Any) -> Any:
    """Render any internal value in substrate-interface's JSON-like shape, without its codec.

    Used for values whose codec is not at hand (e.g. debug output); structs and enums carry
    their own codecs, tuples become lists, bytes become hex.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, ScaleEnum):
        return value.encode()
    codec = getattr(type(value), "__codec__", None)
    if isinstance(codec, StructCodec):
        return codec.encode(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (tuple, list)):
        return [encode_value(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode_value(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): encode_value(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return repr(value)


_codec_cached = cached_by_hint(_resolve)
