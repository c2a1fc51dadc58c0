"""Blueprint definitions: type hints map one-to-one onto FieldTypes, ``compile()`` is exactly the
``create_blueprint`` param (accepted by the pallet, stable through its codec), values convert both ways."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import pytest

from blueprints import I8, I16, I32, I64, U8, U16, U32, U64, AccountId, Array, Blueprint, JobContext, SchemaError, ValueMismatch, pay_once, shape_of, subscription
from blueprints.definition import require
from pallets.services.types import Field, FieldType, MasterBlueprintServiceManagerRevision, ServiceBlueprint
from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.codec import codec_of


@dataclass
class Point:
    x: I32
    y: I32


@dataclass
class Order:
    owner: AccountId
    items: list[Point]
    memo: str | None
    digest: Array[U8, 4]
    blob: bytes
    ok: bool


def _bp() -> Blueprint:
    bp = Blueprint("kitchen-sink", description="every type", author="tests", license="MIT",
                   registration_params=[str, U16], request_params=[list[AccountId]], membership=("Fixed", "Dynamic"))

    @bp.job(0, pricing=pay_once(100))
    def scalars(a: U8, b: U16, c: U32, d: U64, e: I8, f: I16, g: I32, h: I64) -> bool:
        return a + b + c + d + e + f + g + h > 0

    @bp.job(1, pricing=subscription(5, 10))
    def composite(order: Order, ctx: JobContext) -> tuple[U64, Point | None]:
        """sums an order"""
        return (len(order.items), order.items[0] if order.items else None)

    return bp


def _plain(value):  # type: ignore[no-untyped-def]
    """JSON's view (tuples as lists), as a node would receive it."""
    return json.loads(json.dumps(value))


FIELD_TYPE_TABLE = [
    (U8, "Uint8"), (U16, "Uint16"), (U32, "Uint32"), (U64, "Uint64"), (I8, "Int8"), (I16, "Int16"), (I32, "Int32"), (I64, "Int64"),
    (bool, "Bool"), (str, "String"), (AccountId, "AccountId"), (bytes, {"List": "Uint8"}), (list[U32], {"List": "Uint32"}),
    (Array[U8, 32], {"Array": [32, "Uint8"]}), (U64 | None, {"Optional": "Uint64"}), (Point, {"Struct": ["Int32", "Int32"]}),
    (list[Array[I8, 2] | None], {"List": {"Optional": {"Array": [2, "Int8"]}}}),
]


@pytest.mark.parametrize("hint,expected", FIELD_TYPE_TABLE)
def test_type_hints_map_one_to_one_onto_field_types(hint, expected) -> None:  # type: ignore[no-untyped-def]
    assert _plain(codec_of(FieldType).encode(shape_of(hint).field_type)) == expected


def test_compile_is_exactly_the_create_blueprint_param_and_the_pallet_stores_it() -> None:
    bp = _bp()
    compiled = _plain(bp.compile())
    assert compiled["jobs"][0]["params"] == ["Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64"]
    assert compiled["jobs"][0]["result"] == ["Bool"]
    assert compiled["jobs"][0]["pricing_model"] == {"PayOnce": {"amount": 100}}
    assert compiled["jobs"][1]["metadata"] == {"name": "composite", "description": "sums an order"}
    assert compiled["jobs"][1]["params"] == [{"Struct": ["AccountId", {"List": {"Struct": ["Int32", "Int32"]}}, {"Optional": "String"},
                                                         {"Array": [4, "Uint8"]}, {"List": "Uint8"}, "Bool"]}]
    assert compiled["jobs"][1]["result"] == ["Uint64", {"Optional": {"Struct": ["Int32", "Int32"]}}]
    assert compiled["jobs"][1]["pricing_model"] == {"Subscription": {"rate_per_interval": 5, "interval": 10, "maybe_end": None}}
    assert compiled["registration_params"] == ["String", "Uint16"] and compiled["request_params"] == [{"List": "AccountId"}]
    assert compiled["supported_membership_models"] == ["Fixed", "Dynamic"]
    assert compiled["manager"] == {"Evm": bp.manager_address}
    # the pallet's own codec decodes it to the same value and renders it back unchanged
    codec = codec_of(ServiceBlueprint)
    value = codec.decode(compiled, "blueprint")
    assert value == bp.definition() and _plain(codec.encode(value)) == compiled
    # and create_blueprint accepts it and stores exactly that
    rt = Runtime.dev()
    receipt = rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": compiled})
    assert receipt.event("BlueprintCreated")["blueprint_id"] == 0
    owner, stored = rt.pallets["Services"].storage.Blueprints.get(0)
    # ... pinning "Latest" to the current master manager revision, as the chain does
    pinned = dataclasses.replace(bp.definition(), master_manager_revision=MasterBlueprintServiceManagerRevision.Specific(0))
    assert owner == DEV_ACCOUNTS["Alice"] and stored == pinned


def test_values_convert_both_ways_and_type_check_on_chain() -> None:
    bp = _bp()
    job = bp.job_spec(1)
    order = Order("Bob", [Point(1, -2), Point(3, 4)], None, b"\x01\x02\x03\x04", b"hi", True)
    fields = job.encode_args([order])
    assert job.decode_args(fields) == [Order(DEV_ACCOUNTS["Bob"], [Point(1, -2), Point(3, 4)], None, b"\x01\x02\x03\x04", b"hi", True)]
    result = job.encode_result((2, Point(1, -2)))
    assert job.decode_result(result) == (2, Point(1, -2))
    assert job.encode_result((0, None))[1] == Field.Optional((FieldType.Struct((FieldType.Int32, FieldType.Int32)), None))
    # the chain's type checker accepts exactly these fields for the declared types
    from pallets.services.types import matches

    params, results = bp.field_types(1)
    assert all(matches(f, t) for f, t in zip(fields, params))
    assert all(matches(f, t) for f, t in zip(result, results))
    # a dict works for a struct, and registration/request params convert too
    assert job.encode_args([{"owner": "Bob", "items": [], "memo": "m", "digest": [9, 9, 9, 9], "blob": b"", "ok": False}])[0].name == "Struct"
    assert bp.decode_registration_args(bp.registration_args(["gpu", 7])) == ["gpu", 7]
    assert bp.decode_request_args(bp.request_args([["Alice"]])) == [[DEV_ACCOUNTS["Alice"]]]


@pytest.mark.parametrize("hint,value,where", [
    (U8, 256, "does not fit Uint8"), (I8, -129, "does not fit Int8"), (U64, True, "expected an int"), (U64, -1, "does not fit"),
    (Array[U8, 4], b"abc", "exactly 4"), (bytes, "text", "expected bytes"), (AccountId, "nobody", "unknown account"), (Point, (1, 2), "expected a Point"),
    (list[U8], [1, 300], r"value\[1\]: 300"),
])
def test_bad_values_are_refused_with_their_path(hint, value, where) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueMismatch, match=where):
        shape_of(hint).to_field(value)


def test_schema_mistakes_are_loud() -> None:
    bp = Blueprint("bad")
    with pytest.raises(SchemaError, match="plain `int`"):
        @bp.job(0)
        def f(x: int) -> U64:  # noqa: ANN001
            return x
    with pytest.raises(SchemaError, match="result type"):
        @bp.job(0)
        def g(x: U64):  # type: ignore[no-untyped-def]
            return x
    with pytest.raises(SchemaError, match="only `T \\| None`"):
        shape_of(U8 | str)

    @bp.job(0)
    def ok(x: U64) -> U64:
        return x

    with pytest.raises(SchemaError, match="declared twice"):
        bp.job(0)(ok)

    @bp.job(2)
    def later(x: U64) -> None:
        return None

    with pytest.raises(SchemaError, match="without gaps"):
        bp.compile()


def test_the_blueprints_manager_is_consulted_on_creation() -> None:
    """A manager refusing ``on_blueprint_created`` makes ``create_blueprint`` fail with the real error, changing nothing."""
    from pallets.services.manager import BlueprintServiceManager, Revert

    class Picky(BlueprintServiceManager):
        def on_blueprint_created(self, blueprint_id, owner, mbsm, blueprint):  # type: ignore[no-untyped-def]
            if not blueprint.jobs:
                raise Revert("a blueprint needs jobs")

    bp = Blueprint("empty", manager=Picky)
    rt = Runtime.dev()
    rt.pallets["Services"].register_manager(bp.manager_address, bp.new_manager())
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": bp.compile()})
    assert exc.value.matches("BlueprintCreationInterrupted") and rt.state_root() == root
    with pytest.raises(ValueError):
        require("TNT", 30, 20)


def test_compiled_blueprint_encodes_against_the_real_metadata(metadata) -> None:  # type: ignore[no-untyped-def]
    """The bridge composes, signs and decodes ``create_blueprint`` with the compiled param."""
    from runtime.bridge.encoding import encode_runtime

    rt = Runtime.dev()
    rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": _bp().compile()})
    report = encode_runtime(rt, metadata)
    assert report.failures == [], [c.detail for c in report.failures]
    assert [(c.module, c.function, c.status) for c in report.calls] == [("Services", "create_blueprint", "ok")]
