"""SCALE encoding driven by the metadata's type registry (values in substrate-interface's shape).

Why not scalecodec: the node must produce the exact bytes the chain would store, for every type
the simulator models. scalecodec 1.2.12 maps registry types to classes by path, which breaks for
generic types that share a path: every ``BTreeMap<K, V>`` gets the class of the first ``BTreeMap``
registered (with the wrong K and V), one-field newtypes such as ``BoundedBTreeSet`` want their
value wrapped in a tuple, and ``BTreeMap``/``BTreeSet`` entries are not put in key order. This
encoder follows the registry definition directly: composites, variants (by name, with their real
indices), sequences, arrays, tuples, compacts and primitives; ``BTreeMap``/``BTreeSet`` entries are
sorted the way Rust's ``Ord`` sorts the keys.

Accepted shapes: accounts as SS58 or 0x-hex; ``[u8; N]``/``Vec<u8>`` as 0x-hex, bytes or text;
enums as ``"Unit"`` or ``{"Variant": payload}``; structs as dicts; newtypes (one unnamed field)
transparently (``BoundedVec`` as a list, ``Percent`` as an int).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scalecodec.utils.ss58 import ss58_decode

from runtime.scale import compact

if TYPE_CHECKING:
    from runtime.bridge.metadata import RuntimeMetadata

_INTS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "u128": 16, "u256": 32, "i8": 1, "i16": 2, "i32": 4, "i64": 8, "i128": 16, "i256": 32}


class ScaleEncodeError(ValueError):
    """A value does not fit its metadata type; ``path`` says where."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path or '<value>'}: {message}")


class ScaleEncoder:
    """Encode values for one metadata's registry."""

    def __init__(self, md: "RuntimeMetadata") -> None:
        self.types = md.types

    def encode(self, type_id: int, value: Any, path: str = "") -> bytes:
        t = self.types[type_id]
        kind, body = next(iter(t["def"].items()))
        name = t["path"][-1] if t["path"] else ""
        if kind == "primitive":
            return self._primitive(body, value, path)
        if kind == "compact":
            return self._compact(body["type"], value, path)
        if kind == "sequence":
            if self._is_u8(body["type"]):
                data = _bytes(value, path)
                return compact(len(data)) + data
            items = self._items(value, path)
            return compact(len(items)) + b"".join(self.encode(body["type"], v, f"{path}[{i}]") for i, v in enumerate(items))
        if kind == "array":
            if self._is_u8(body["type"]):
                data = _bytes(value, path)
                if len(data) != body["len"]:
                    raise ScaleEncodeError(path, f"expected {body['len']} bytes, got {len(data)}")
                return data
            items = self._items(value, path)
            if len(items) != body["len"]:
                raise ScaleEncodeError(path, f"expected {body['len']} items, got {len(items)}")
            return b"".join(self.encode(body["type"], v, f"{path}[{i}]") for i, v in enumerate(items))
        if kind == "tuple":
            if not body:
                return b""
            items = self._items(value, path)
            if len(items) != len(body):
                raise ScaleEncodeError(path, f"expected a tuple of {len(body)}, got {len(items)} items")
            return b"".join(self.encode(tid, v, f"{path}.{i}") for i, (tid, v) in enumerate(zip(body, items)))
        if kind == "composite":
            if name == "AccountId32":
                return _account(value, path)
            if name in ("BTreeMap", "BTreeSet"):
                return self._sorted_collection(t, name, value, path)
            return self._fields(body["fields"], value, path)
        if kind == "variant":
            return self._variant(t, body["variants"], value, path)
        raise ScaleEncodeError(path, f"cannot encode {kind} types")

    # --- pieces
    def _is_u8(self, type_id: int) -> bool:
        return self.types[type_id]["def"].get("primitive") == "u8"

    @staticmethod
    def _items(value: Any, path: str) -> list[Any]:
        if isinstance(value, (list, tuple)):
            return list(value)
        if isinstance(value, (set, frozenset)):
            return list(value)
        raise ScaleEncodeError(path, f"expected a list, got {type(value).__name__}")

    def _primitive(self, prim: str, value: Any, path: str) -> bytes:
        if prim == "bool":
            if value is True or value is False:
                return b"\x01" if value else b"\x00"
            raise ScaleEncodeError(path, f"expected a bool, got {value!r}")
        if prim == "str":
            if not isinstance(value, str):
                raise ScaleEncodeError(path, f"expected a string, got {type(value).__name__}")
            data = value.encode()
            return compact(len(data)) + data
        if prim == "char":
            return ord(value).to_bytes(4, "little")
        size = _INTS[prim]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScaleEncodeError(path, f"expected an integer ({prim}), got {value!r}")
        try:
            return value.to_bytes(size, "little", signed=prim.startswith("i"))
        except OverflowError:
            raise ScaleEncodeError(path, f"{value} does not fit {prim}") from None

    def _compact(self, type_id: int, value: Any, path: str) -> bytes:
        # Compact<Percent> and friends: the newtype's integer
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ScaleEncodeError(path, f"expected a non-negative integer, got {value!r}")
        return compact(value)

    def _fields(self, fields: list[dict[str, Any]], value: Any, path: str) -> bytes:
        if not fields:
            return b""
        if fields[0]["name"] is None:
            if len(fields) == 1:  # a newtype: its value is the inner value (a wrapped 1-tuple is accepted too)
                if isinstance(value, tuple) and len(value) == 1 and not self._inner_is_tuple(fields[0]["type"]):
                    value = value[0]
                return self.encode(fields[0]["type"], value, path)
            items = self._items(value, path)
            if len(items) != len(fields):
                raise ScaleEncodeError(path, f"expected {len(fields)} values, got {len(items)}")
            return b"".join(self.encode(f["type"], v, f"{path}.{i}") for i, (f, v) in enumerate(zip(fields, items)))
        if not isinstance(value, dict):
            raise ScaleEncodeError(path, f"expected a dict with fields {[f['name'] for f in fields]}, got {type(value).__name__}")
        out = b""
        for f in fields:
            if f["name"] not in value:
                raise ScaleEncodeError(f"{path}.{f['name']}", "missing field")
            out += self.encode(f["type"], value[f["name"]], f"{path}.{f['name']}" if path else f["name"])
        return out

    def _inner_is_tuple(self, type_id: int) -> bool:
        kind = next(iter(self.types[type_id]["def"]))
        return kind in ("tuple", "sequence", "array")

    def _variant(self, t: dict[str, Any], variants: list[dict[str, Any]], value: Any, path: str) -> bytes:
        by_name = {v["name"]: v for v in variants}
        if t["path"] and t["path"][-1] == "Option" and "Some" in by_name:
            if value is None:
                return bytes([by_name["None"]["index"]])
            if not (isinstance(value, dict) and set(value) == {"Some"}):
                return bytes([by_name["Some"]["index"]]) + self.encode(by_name["Some"]["fields"][0]["type"], value, path)
        if isinstance(value, dict) and "call_module" in value and "call_function" in value:
            value = {value["call_module"]: {value["call_function"]: value.get("call_args") or {}}}  # compose_call's nested call
        if t["path"] and t["path"][-1] == "MultiAddress" and isinstance(value, (str, bytes)) and "Id" in by_name:
            value = {"Id": value}  # a bare account is MultiAddress::Id, as in substrate-interface
        if isinstance(value, str):
            name, payload, given = value, None, False
        elif isinstance(value, dict) and len(value) == 1:
            ((name, payload),) = value.items()
            given = True
        else:
            raise ScaleEncodeError(path, f"expected a variant of {t['path'][-1] if t['path'] else 'enum'} {list(by_name)}, got {value!r}")
        variant = by_name.get(name)
        if variant is None:
            raise ScaleEncodeError(path, f"unknown variant {name!r} (expected one of {list(by_name)})")
        fields = variant["fields"]
        head = bytes([variant["index"]])
        sub = f"{path}::{name}" if path else name
        if not fields:
            if given and payload not in (None, (), [], {}):
                raise ScaleEncodeError(sub, "a unit variant takes no value")
            return head
        if not given:
            raise ScaleEncodeError(sub, "this variant needs a value")
        return head + self._fields(fields, payload, sub)

    def _sorted_collection(self, t: dict[str, Any], name: str, value: Any, path: str) -> bytes:
        seq_type = t["def"]["composite"]["fields"][0]["type"]
        item_type = self.types[seq_type]["def"]["sequence"]["type"]
        if isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], (list, dict, set, frozenset)):
            value = value[0]  # scalecodec's wrapped form
        if name == "BTreeMap":
            pairs = list(value.items()) if isinstance(value, dict) else self._items(value, path)
            key_type = self.types[item_type]["def"]["tuple"][0]
            keyed = [(self.order_key(key_type, p[0]), p) for p in pairs]
        else:
            items = self._items(value, path)
            keyed = [(self.order_key(item_type, v), v) for v in items]
        keyed.sort(key=lambda kv: kv[0])
        encoded = [self.encode(item_type, v, f"{path}[{i}]") for i, (_, v) in enumerate(keyed)]
        return compact(len(encoded)) + b"".join(encoded)

    def order_key(self, type_id: int, value: Any) -> Any:
        """A sort key reproducing Rust's ``Ord`` for a value of this type (BTreeMap/BTreeSet order)."""
        t = self.types[type_id]
        kind, body = next(iter(t["def"].items()))
        name = t["path"][-1] if t["path"] else ""
        if kind in ("primitive", "compact"):
            return value.encode() if isinstance(value, str) else value
        if kind in ("sequence", "array"):
            if self._is_u8(body["type"]):
                return _bytes(value, "")
            return tuple(self.order_key(body["type"], v) for v in self._items(value, ""))
        if kind == "tuple":
            return tuple(self.order_key(tid, v) for tid, v in zip(body, self._items(value, "")))
        if kind == "composite":
            if name == "AccountId32":
                return _account(value, "")
            fields = body["fields"]
            if len(fields) == 1 and fields[0]["name"] is None:
                return self.order_key(fields[0]["type"], value)
            if fields and fields[0]["name"] is not None and isinstance(value, dict):
                return tuple(self.order_key(f["type"], value[f["name"]]) for f in fields)
            return tuple(self.order_key(f["type"], v) for f, v in zip(fields, self._items(value, "")))
        if kind == "variant":
            by_name = {v["name"]: v for v in body["variants"]}
            if value is None and "None" in by_name:
                return (by_name["None"]["index"],)
            vname, payload = (value, None) if isinstance(value, str) else next(iter(value.items())) if isinstance(value, dict) else ("Some", value)
            variant = by_name[vname]
            fields = variant["fields"]
            if not fields:
                return (variant["index"],)
            if len(fields) == 1:
                return (variant["index"], self.order_key(fields[0]["type"], payload))
            return (variant["index"], tuple(self.order_key(f["type"], v) for f, v in zip(fields, self._items(payload, ""))))
        return repr(value)


def _bytes(value: Any, path: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        if value.startswith("0x"):
            try:
                return bytes.fromhex(value[2:])
            except ValueError:
                raise ScaleEncodeError(path, f"invalid hex {value[:20]!r}") from None
        return value.encode()
    if isinstance(value, (list, tuple)) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value)
    raise ScaleEncodeError(path, f"expected bytes (0x-hex, text or a byte list), got {type(value).__name__}")


def _account(value: Any, path: str) -> bytes:
    if isinstance(value, (bytes, bytearray)) and len(value) == 32:
        return bytes(value)
    if isinstance(value, str):
        if value.startswith("0x") and len(value) == 66:
            return bytes.fromhex(value[2:])
        try:
            return bytes.fromhex(ss58_decode(value))
        except Exception:  # noqa: BLE001
            pass
    raise ScaleEncodeError(path, f"expected an AccountId32 (SS58 or 0x + 64 hex digits), got {value!r}")
