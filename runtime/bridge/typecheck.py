"""Is a simulator codec compatible with a metadata type? (for call arguments, event fields, storage)

Why: a call the simulator accepts must encode against the real metadata with the same meaning.
Names are not enough: ``amount: u128`` where the chain has ``Compact<u128>``, or ``AccountId32``
where it has ``MultiAddress``, changes the bytes; a struct field or enum variant the chain does not
have cannot be encoded at all. This module walks a simulator :class:`runtime.codec.Codec` and a
metadata registry type side by side and lists the differences, each with the path to it.

Rules: wrappers that SCALE-encode as their content (``BoundedVec``, ``WeakBoundedVec``,
``BoundedString``, ``BTreeSet``: composites with one unnamed field) are looked through; the chain
types the simulator has dedicated codecs for (``AccountId32``, ``MultiAddress``, ``H160``,
``Percent``/``Perbill``, ``Option``, ``RuntimeCall``, ``Result``) are matched by path. Codecs this
module does not know (custom codecs such as System's ``AccountInfo``) are reported as unchecked,
never as mismatches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.calls import DispatchResultCodec, RuntimeCallCodec
from runtime.codec import (
    AccountIdCodec,
    BoolCodec,
    BytesCodec,
    Codec,
    EnumCodec,
    FixedBytesCodec,
    H160Codec,
    IntCodec,
    OptionCodec,
    PerThingCodec,
    SetCodec,
    StructCodec,
    TextCodec,
    TupleCodec,
    UIntCodec,
    VecCodec,
    bind_pending,
)

if TYPE_CHECKING:
    from runtime.bridge.metadata import RuntimeMetadata

_PER_THINGS = {"Percent", "Perbill", "Permill", "Perquintill", "PerU16"}
_SPECIAL_COMPOSITES = {"AccountId32", "H160", "H256", *_PER_THINGS}


@dataclass
class TypeCheck:
    """The outcome of one comparison: ``problems`` make it a mismatch, ``unchecked`` are notes."""

    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_type(codec: Codec, md: "RuntimeMetadata", type_id: int, path: str = "") -> TypeCheck:
    """Compare ``codec`` with registry type ``type_id``; ``path`` prefixes every message."""
    result = TypeCheck()
    _Checker(md, result).check(codec, type_id, path)
    return result


class _Checker:
    def __init__(self, md: "RuntimeMetadata", result: TypeCheck) -> None:
        self.md = md
        self.result = result
        self.active: set[tuple[int, int]] = set()

    # --- metadata helpers
    def unwrap(self, type_id: int) -> int:
        """Look through single-unnamed-field newtypes (BoundedVec, BoundedString, BTreeSet...)."""
        for _ in range(16):
            t = self.md.types[type_id]
            body = t["def"].get("composite")
            name = t["path"][-1] if t["path"] else ""
            if body is None or name in _SPECIAL_COMPOSITES or len(body["fields"]) != 1 or body["fields"][0]["name"] is not None:
                return type_id
            type_id = body["fields"][0]["type"]
        return type_id

    def describe(self, type_id: int) -> str:
        return self.md.type_name(type_id)

    def fail(self, path: str, codec: Codec, type_id: int, why: str = "") -> None:
        detail = f": {why}" if why else ""
        self.result.problems.append(f"{path or '<value>'}: simulator {codec.type_name} vs chain {self.describe(type_id)}{detail}")

    # --- the walk
    def check(self, codec: Codec, type_id: int, path: str) -> None:
        key = (id(codec), type_id)
        if key in self.active:  # recursive types (FieldType, Field): already being compared
            return
        self.active.add(key)
        try:
            self._check(codec, self.unwrap(type_id), type_id, path)
        finally:
            self.active.discard(key)

    def _check(self, codec: Codec, tid: int, original: int, path: str) -> None:
        t = self.md.types[tid]
        kind, body = next(iter(t["def"].items()))
        name = t["path"][-1] if t["path"] else ""
        if isinstance(codec, UIntCodec):
            inner_kind, inner = kind, body
            if kind == "compact":
                inner_t = self.md.types[self.unwrap(body["type"])]
                inner_kind, inner = next(iter(inner_t["def"].items()))
            if codec.compact != (kind == "compact"):
                self.fail(path, codec, original, "compact vs not compact")
            elif inner_kind != "primitive" or inner != f"u{codec.bits}":
                self.fail(path, codec, original)
        elif isinstance(codec, IntCodec):
            if kind != "primitive" or body != f"i{codec.bits}":
                self.fail(path, codec, original)
        elif isinstance(codec, BoolCodec):
            if kind != "primitive" or body != "bool":
                self.fail(path, codec, original)
        elif isinstance(codec, PerThingCodec):
            target, per = tid, name
            if kind == "compact":
                target = self.unwrap(body["type"])
                inner_t = self.md.types[target]
                per = inner_t["path"][-1] if inner_t["path"] else ""
            expected = codec.type_name.removeprefix("Compact<").removesuffix(">")
            if codec.compact != (kind == "compact"):
                self.fail(path, codec, original, "compact vs not compact")
            elif per != expected:
                self.fail(path, codec, original)
        elif isinstance(codec, (BytesCodec, TextCodec)):
            if kind == "variant" and isinstance(codec, TextCodec) and all(not v["fields"] for v in body["variants"]):
                # a unit-only enum rendered as its variant name encodes the same ("Free" -> BalanceStatus::Free)
                self.result.unchecked.append(f"{path or '<value>'}: text for the unit-only enum {self.describe(original)} (values must be variant names)")
            elif not (self._is_bytes(tid) or (kind == "primitive" and body == "str")):
                self.fail(path, codec, original)
        elif isinstance(codec, FixedBytesCodec):
            if not self._is_fixed(tid, codec.n):
                self.fail(path, codec, original)
        elif isinstance(codec, H160Codec):
            if not (name == "H160" or self._is_fixed(tid, 20)):
                self.fail(path, codec, original)
        elif isinstance(codec, AccountIdCodec):
            expected = "MultiAddress" if codec.multi else "AccountId32"
            if name != expected:
                self.fail(path, codec, original, "MultiAddress vs AccountId32" if name in ("MultiAddress", "AccountId32") else "")
        elif isinstance(codec, OptionCodec):
            if name != "Option" or kind != "variant":
                self.fail(path, codec, original)
            else:
                some = [v for v in body["variants"] if v["name"] == "Some"][0]
                self.check(codec.inner, some["fields"][0]["type"], path)
        elif isinstance(codec, (VecCodec, SetCodec)):
            if kind != "sequence":
                self.fail(path, codec, original)
            else:
                self.check(codec.inner, body["type"], f"{path}[]")
        elif isinstance(codec, TupleCodec):
            if kind != "tuple" or len(body) != len(codec.items):
                self.fail(path, codec, original)
            else:
                for i, (item, sub) in enumerate(zip(codec.items, body)):
                    self.check(item, sub, f"{path}.{i}")
        elif isinstance(codec, StructCodec):
            self._check_struct(codec, tid, original, path, kind, body)
        elif isinstance(codec, EnumCodec):
            self._check_enum(codec, tid, original, path, kind, body)
        elif isinstance(codec, RuntimeCallCodec):
            if name != "RuntimeCall":
                self.fail(path, codec, original)
        elif isinstance(codec, DispatchResultCodec):
            if name != "Result":
                self.fail(path, codec, original)
        else:
            self.result.unchecked.append(f"{path or '<value>'}: {type(codec).__name__} ({codec.type_name}) vs {self.describe(original)} not compared")

    def _is_bytes(self, tid: int) -> bool:
        body = self.md.types[tid]["def"].get("sequence")
        if body is None:
            return False
        inner = self.md.types[self.unwrap(body["type"])]["def"]
        return inner.get("primitive") == "u8"

    def _is_fixed(self, tid: int, n: int) -> bool:
        t = self.md.types[tid]
        if t["path"] and t["path"][-1] in ("H256", "AccountId32", "H160"):
            tid = t["def"]["composite"]["fields"][0]["type"]
            t = self.md.types[tid]
        body = t["def"].get("array")
        return body is not None and body["len"] == n and self.md.types[body["type"]]["def"].get("primitive") == "u8"

    def _check_fields(self, codec: StructCodec, fields: list[dict[str, Any]], path: str, original: int) -> None:
        if not codec._bound:
            codec._bind()
        sim = [(chain, c) for _, chain, c in codec.fields]
        sim_names = [n for n, _ in sim]
        meta_names = [f["name"] for f in fields]
        if sim_names != meta_names:
            extra = [n for n in sim_names if n not in meta_names]
            missing = [n for n in meta_names if n not in sim_names]
            parts = []
            if extra:
                parts.append(f"fields not on chain {extra}")
            if missing:
                parts.append(f"chain fields not modelled {missing}")
            if not parts:
                parts.append(f"field order {sim_names} vs {meta_names}")
            self.fail(path, codec, original, "; ".join(parts))
        by_name = {f["name"]: f["type"] for f in fields}
        for name, c in sim:
            if name in by_name:
                self.check(c, by_name[name], f"{path}.{name}" if path else name)

    def _check_struct(self, codec: StructCodec, tid: int, original: int, path: str, kind: str, body: Any) -> None:
        if kind != "composite" or not body["fields"] or body["fields"][0]["name"] is None:
            self.fail(path, codec, original, "not a struct with named fields on chain")
            return
        self._check_fields(codec, body["fields"], path, original)

    def _check_enum(self, codec: EnumCodec, tid: int, original: int, path: str, kind: str, body: Any) -> None:
        if kind != "variant":
            self.fail(path, codec, original, "not an enum on chain")
            return
        cls = codec.cls
        if not cls.__variants__:
            bind_pending()
        chain = {v["name"]: v for v in body["variants"]}
        explicit = cls.__dict__.get("__indices__", {})
        for name, payload in cls.__variants__.items():
            sub = f"{path}::{name}" if path else name
            variant = chain.get(name)
            if variant is None:
                self.fail(path, codec, original, f"variant {name!r} not on chain (chain has {list(chain)})")
                continue
            if name in explicit and explicit[name] != variant["index"]:
                self.fail(sub, codec, original, f"variant index {explicit[name]} vs chain {variant['index']}")
            fields = variant["fields"]
            if payload is None:
                if fields:
                    self.fail(sub, codec, original, "unit variant in the simulator, carries data on chain")
            elif not fields:
                self.fail(sub, codec, original, "carries data in the simulator, unit variant on chain")
            elif fields[0]["name"] is not None:
                if isinstance(payload, StructCodec):
                    self._check_fields(payload, fields, sub, original)
                else:
                    self.fail(sub, payload, fields[0]["type"], f"chain variant has named fields {[f['name'] for f in fields]}")
            elif len(fields) == 1:
                self.check(payload, fields[0]["type"], sub)
            elif isinstance(payload, TupleCodec) and len(payload.items) == len(fields):
                for i, (item, f) in enumerate(zip(payload.items, fields)):
                    self.check(item, f["type"], f"{sub}.{i}")
            else:
                self.fail(sub, payload, original, f"chain variant carries {len(fields)} values")
