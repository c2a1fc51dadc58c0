"""The few SCALE encodings the runtime computes itself: compact integers, and calls.

Why calls: pallet_collective's ``hash_of(proposal)`` and ``length_bound``, pallet_multisig's and
pallet_proxy's call hashes are blake2-256 / lengths of the call's SCALE bytes, so a hash computed by
polkadot.js or substrate-interface must match the simulator's. The encoding is derived from the
simulator's own call specs (each argument's codec, the real pallet and call indices), not from the
metadata file, so it is the same on every machine; ``tests/collective`` checks it against
substrate-interface's encoding with the real metadata. Everything else is encoded by scalecodec or
the bridge against the metadata.
"""

from __future__ import annotations

from typing import Any

from runtime import codec as _c
from runtime.accounts import account_bytes
from runtime.calls import CALL_REGISTRY, PALLET_INDICES, RuntimeCallCodec


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


_PER_THING_BYTES = {"Percent": 1, "Permill": 4, "Perbill": 4, "Perquintill": 8}


def encode_call(call: Any) -> bytes:
    """A ``RuntimeCall``'s SCALE bytes: pallet index, call index, then each argument."""
    spec = CALL_REGISTRY[(call.call_module, call.call_function)]
    if spec.index is None:
        raise TypeError(f"{call.call_module}.{call.call_function} is a simulator extension: it has no SCALE encoding")
    out = bytearray((PALLET_INDICES[call.call_module], spec.index))
    for codec, value in zip(spec.codecs, call.args):
        fn = _ENCODERS.get(type(codec)) or _encoder_for(codec)
        out += fn(codec, value)
    return bytes(out)


def encode(codec: Any, value: Any) -> bytes:
    """``value`` (the simulator's internal form) as SCALE, following its codec."""
    fn = _ENCODERS.get(type(codec))
    if fn is None:
        fn = _encoder_for(codec)
    return fn(codec, value)


def _uint(codec: Any, value: int) -> bytes:
    return compact(value) if codec.compact else value.to_bytes(codec.bits // 8, "little")


def _account(codec: Any, value: str) -> bytes:
    raw = account_bytes(value)
    return b"\x00" + raw if codec.multi else raw  # MultiAddress::Id


def _option(codec: Any, value: Any) -> bytes:
    if isinstance(codec.inner, _c.BoolCodec):  # Option<bool> is one byte: None, Some(true), Some(false)
        return b"\x00" if value is None else (b"\x01" if value else b"\x02")
    return b"\x00" if value is None else b"\x01" + encode(codec.inner, value)


def _struct(codec: Any, value: Any) -> bytes:
    if not codec._bound:
        codec._bind()
    return b"".join([encode(field_codec, getattr(value, py_name)) for py_name, _, field_codec in codec.fields])


def _enum(codec: Any, value: Any) -> bytes:
    cls = codec.cls
    if not cls.__variants__:
        _c.bind_pending()
    inner = cls.__variants__[value.name]
    head = bytes((cls.__order__[value.name],))
    return head if inner is None else head + encode(inner, value.value)


def _text(codec: Any, value: str) -> bytes:
    data = value.encode("utf-8")
    return compact(len(data)) + data


def _per_thing(codec: Any, value: int) -> bytes:
    return compact(value) if codec.compact else value.to_bytes(_PER_THING_BYTES[codec.type_name], "little")


def _set(codec: Any, value: Any) -> bytes:
    items = sorted(value, key=lambda v: _ord_key(codec.inner, v))
    return compact(len(items)) + b"".join([encode(codec.inner, v) for v in items])


def _encoder_for(codec: Any) -> Any:
    """The encoder of a codec class (subclasses, e.g. Democracy's VoteCodec, use their base's)."""
    for base, fn in list(_ENCODERS.items()):
        if isinstance(codec, base):
            _ENCODERS[type(codec)] = fn
            return fn
    raise TypeError(f"no SCALE encoding for {codec!r}")


_ENCODERS: dict[type, Any] = {
    _c.UIntCodec: _uint,
    _c.BoolCodec: lambda codec, v: b"\x01" if v else b"\x00",
    _c.AccountIdCodec: _account,
    _c.BytesCodec: lambda codec, v: compact(len(v)) + bytes(v),
    _c.OptionCodec: _option,
    _c.VecCodec: lambda codec, v: compact(len(v)) + b"".join([encode(codec.inner, x) for x in v]),
    _c.StructCodec: _struct,
    _c.EnumCodec: _enum,
    _c.TupleCodec: lambda codec, v: b"".join([encode(item, x) for item, x in zip(codec.items, v)]),
    RuntimeCallCodec: lambda codec, v: encode_call(v),
    _c.FixedBytesCodec: lambda codec, v: bytes(v),
    _c.TextCodec: _text,
    _c.H160Codec: lambda codec, v: bytes.fromhex(v[2:]),
    _c.PerThingCodec: _per_thing,
    _c.IntCodec: lambda codec, v: v.to_bytes(codec.bits // 8, "little", signed=True),
    _c.SetCodec: _set,
}


def _ord_key(codec: Any, value: Any) -> Any:
    """Rust's ``Ord`` for a ``BTreeSet`` item: numbers by value, byte strings and arrays
    lexicographically, enums by variant index then payload."""
    c = _c
    if isinstance(codec, (c.UIntCodec, c.IntCodec, c.PerThingCodec)):
        return (value,)
    if isinstance(codec, c.EnumCodec):
        return (codec.cls.__order__[value.name], _ord_key(codec.cls.__variants__[value.name], value.value) if value.value is not None else ())
    if isinstance(codec, (c.BytesCodec, c.TextCodec)):
        return (value.encode("utf-8") if isinstance(value, str) else bytes(value),)
    return (encode(codec, value),)


# --- decoding (the stored bytes of preimages, Bounded proposals and scheduled calls) --------------


class ScaleDecodeError(ValueError):
    """Bytes that are not a call the simulator knows (or not all of one)."""


class _Reader:
    __slots__ = ("data", "pos", "depth")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.depth = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ScaleDecodeError(f"truncated: {n} bytes wanted at offset {self.pos} of {len(self.data)}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def compact(self) -> int:
        first = self.byte()
        mode = first & 3
        if mode == 0:
            return first >> 2
        if mode == 1:
            return int.from_bytes(bytes([first]) + self.take(1), "little") >> 2
        if mode == 2:
            return int.from_bytes(bytes([first]) + self.take(3), "little") >> 2
        return int.from_bytes(self.take((first >> 2) + 4), "little")

    def length(self) -> int:
        n = self.compact()
        if n > len(self.data) - self.pos:  # every item takes at least one byte: refuse lengths the input cannot hold
            raise ScaleDecodeError(f"length {n} at offset {self.pos} exceeds the {len(self.data) - self.pos} bytes left")
        return n


def decode_call(data: bytes) -> Any:
    """The ``RuntimeCall`` whose SCALE bytes are ``data`` (all of them); raises ScaleDecodeError."""
    r = _Reader(bytes(data))
    call = _call(r)
    if r.pos != len(r.data):
        raise ScaleDecodeError(f"{len(r.data) - r.pos} trailing bytes after the call")
    return call


def _call(r: _Reader) -> Any:
    from runtime.calls import MAX_CALL_DEPTH, RuntimeCall

    r.depth += 1
    if r.depth > MAX_CALL_DEPTH:
        raise ScaleDecodeError(f"calls nested more than {MAX_CALL_DEPTH} deep")
    pallet_index, call_index = r.byte(), r.byte()
    names = _call_names()
    key = names.get((pallet_index, call_index))
    if key is None:
        raise ScaleDecodeError(f"no call ({pallet_index}, {call_index})")
    spec = CALL_REGISTRY[key]
    args = tuple(_decode(r, codec) for codec in spec.codecs)
    r.depth -= 1
    return RuntimeCall(key[0], key[1], args)


_NAMES: dict[tuple[int, int], tuple[str, str]] = {}
_NAMES_OF: list[Any] = [None]


def _call_names() -> dict[tuple[int, int], tuple[str, str]]:
    """(pallet index, call index) -> (pallet, call), rebuilt whenever a runtime with other pallets
    has been constructed since (the registries are process-wide)."""
    fingerprint = (len(CALL_REGISTRY), tuple(sorted(PALLET_INDICES.items())))
    if fingerprint != _NAMES_OF[0]:
        _NAMES.clear()
        for (pallet, name), spec in CALL_REGISTRY.items():
            if spec.index is not None and pallet in PALLET_INDICES:
                _NAMES[(PALLET_INDICES[pallet], spec.index)] = (pallet, name)
        _NAMES_OF[0] = fingerprint
    return _NAMES


def _decode(r: _Reader, codec: Any) -> Any:
    """One value in the simulator's internal form, checked by the codec's own rules (bounds, ranges)."""
    from runtime import codec as c
    from runtime.calls import RuntimeCallCodec

    if isinstance(codec, c.UIntCodec):
        value = r.compact() if codec.compact else int.from_bytes(r.take(codec.bits // 8), "little")
        return codec.decode(value, "")
    if isinstance(codec, c.BoolCodec):
        b = r.byte()
        if b > 1:
            raise ScaleDecodeError(f"bool byte {b}")
        return bool(b)
    if isinstance(codec, c.AccountIdCodec):
        if codec.multi and r.byte() != 0:
            raise ScaleDecodeError("only MultiAddress::Id is supported")
        return codec.decode(r.take(32), "")
    if isinstance(codec, c.BytesCodec):
        return codec.decode(r.take(r.length()), "")
    if isinstance(codec, c.OptionCodec):
        tag = r.byte()
        if isinstance(codec.inner, c.BoolCodec):
            if tag > 2:
                raise ScaleDecodeError(f"Option<bool> byte {tag}")
            return None if tag == 0 else tag == 1
        if tag > 1:
            raise ScaleDecodeError(f"Option tag {tag}")
        return None if tag == 0 else _decode(r, codec.inner)
    if isinstance(codec, c.VecCodec):
        n = r.length()
        if codec.max_len is not None and n > codec.max_len:
            raise ScaleDecodeError(f"{n} items, at most {codec.max_len}")
        return tuple(_decode(r, codec.inner) for _ in range(n))
    if isinstance(codec, c.StructCodec):
        if not codec._bound:
            codec._bind()
        return codec.cls(**{py_name: _decode(r, field_codec) for py_name, _, field_codec in codec.fields})
    if isinstance(codec, c.EnumCodec):
        cls = codec.cls
        if not cls.__variants__:
            c.bind_pending()
        index = r.byte()
        name = next((n for n, i in cls.__order__.items() if i == index), None)
        if name is None:
            raise ScaleDecodeError(f"no variant {index} of {codec.type_name}")
        inner = cls.__variants__[name]
        return cls.__units__[name] if inner is None else cls(name, _decode(r, inner))
    if isinstance(codec, c.TupleCodec):
        return tuple(_decode(r, item) for item in codec.items)
    if isinstance(codec, RuntimeCallCodec):
        return _call(r)
    if isinstance(codec, c.FixedBytesCodec):
        return r.take(codec.n)
    if isinstance(codec, c.TextCodec):
        try:
            text = r.take(r.length()).decode("utf-8")
        except UnicodeDecodeError:
            raise ScaleDecodeError("text is not UTF-8") from None
        return codec.decode(text, "")
    if isinstance(codec, c.H160Codec):
        return "0x" + r.take(20).hex()
    if isinstance(codec, c.PerThingCodec):
        value = r.compact() if codec.compact else int.from_bytes(r.take(_PER_THING_BYTES[codec.type_name]), "little")
        return codec.decode(value, "")
    if isinstance(codec, c.IntCodec):
        return int.from_bytes(r.take(codec.bits // 8), "little", signed=True)
    if isinstance(codec, c.SetCodec):
        n = r.length()
        if codec.max_len is not None and n > codec.max_len:
            raise ScaleDecodeError(f"{n} items, at most {codec.max_len}")
        return frozenset(_decode(r, codec.inner) for _ in range(n))
    raise ScaleDecodeError(f"no SCALE decoding for {codec!r}")
