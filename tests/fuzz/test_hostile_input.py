"""Hostile input at the runtime's boundary: every class the issue found (values nested 10^5 deep,
megabyte strings, 10^5-character accounts, nested Sudo.sudo, field types nested 2,000 deep, short
origins) is refused with a ValueError naming the field, changes nothing, and anything dispatch
accepted exports and replays."""

from __future__ import annotations

import io
import json

import pytest

from blueprints import U64, Blueprint
from runtime import Runtime
from runtime.calllog import replay
from runtime.codec import MAX_DECODE_DEPTH, BytesCodec, TextCodec, _describe

DEEP = 100_000


def nested_list(depth: int, leaf: object = 0) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def nested_dict(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = {"a": value}
    return value


def nested_sudo(depth: int) -> dict:
    call = {"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x00"}}
    for _ in range(depth):
        call = {"call_module": "Sudo", "call_function": "sudo", "call_args": {"call": call}}
    return call["call_args"]


def field_type(depth: int) -> object:
    t: object = "Uint8"
    for _ in range(depth):
        t = {"List": t}
    return t


HOSTILE = {
    "list nested 10^5 deep": nested_list(DEEP),
    "dict nested 10^5 deep": nested_dict(DEEP),
    "megabyte string": "x" * 1_000_000,
    "10^5-digit int": 10**100_000,
    "float": 1.5,
    "binary": bytes(range(256)) * 4_000,
}


def every_call(rt: Runtime) -> list[tuple[str, str, tuple[str, ...]]]:
    calls = rt.supported_calls()
    return [(p, c, rt.call_spec(p, c).arg_names) for p in sorted(calls) for c in calls[p]]


def refused(rt: Runtime, origin: object, pallet: str, call: str, params: object) -> str:
    """Dispatch must raise ValueError (not RecursionError or anything else) and change nothing."""
    root, logged, events = rt.state_root(), len(rt.call_log), len(rt.all_events())
    with pytest.raises(ValueError) as info:
        rt.dispatch(origin, pallet, call, params)
    assert not isinstance(info.value, RecursionError)
    assert rt.state_root() == root and len(rt.call_log) == logged and len(rt.all_events()) == events
    return str(info.value)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_argument_of_every_call_refuses_hostile_values_naming_the_field(kind: str) -> None:
    rt = Runtime.dev()
    value = HOSTILE[kind]
    tried = 0
    for pallet, call, args in every_call(rt):
        spec = rt.call_spec(pallet, call)
        for arg, codec in zip(args, spec.codecs):
            params = {name: 0 for name in args}
            params[arg] = value
            if isinstance(value, (str, bytes)) and isinstance(codec, (BytesCodec, TextCodec)) and codec.max_len is None:
                # an unbounded Vec<u8> takes a megabyte: the call decodes and then succeeds or fails as a call
                root = rt.state_root()
                try:
                    receipt = rt.dispatch("Alice", pallet, call, params, raise_error=False)
                except ValueError as exc:
                    message = str(exc)
                else:
                    assert receipt.is_success or rt.state_root() == root
                    continue
            else:
                message = refused(rt, "Alice", pallet, call, params)
            tried += 1
            # the first failing field is the one named; ours may not be first when 0 does not fit an earlier one
            named = [a for a in args if message.startswith(f"{pallet}.{call}.{a}")]
            assert named, f"{pallet}.{call} with {kind} in {arg}: {message[:200]}"
            assert len(message) < 2_000, f"{pallet}.{call}.{arg}: a {len(message)}-character message"
    assert tried > 250  # every argument of the ~155 calls


def test_describe_is_bounded_whatever_the_value() -> None:
    for value in HOSTILE.values():
        text = _describe(value)
        assert len(text) < 120
    assert _describe([1, "a", {"k": b"\x00"}]) == "list [1, 'a', {'k': b'\\x00'}]"
    assert _describe(10**100_000).startswith("int <int of 332193 bits>")


def test_origins_name_the_origin_field() -> None:
    rt = Runtime.dev()
    params = {"dest": "Bob", "value": 1}
    assert refused(rt, b"12345", "Balances", "transfer_keep_alive", params) == "origin: an AccountId is 32 bytes, got 5"
    assert refused(rt, "5" * DEEP, "Balances", "transfer_keep_alive", params).startswith("origin: too long for an account: 100000 characters")
    assert refused(rt, nested_list(DEEP), "Balances", "transfer_keep_alive", params).startswith("origin: expected an account")


def test_long_account_strings_are_refused_before_base58_decoding() -> None:
    rt = Runtime.dev()
    message = refused(rt, "Alice", "Balances", "transfer_keep_alive", {"dest": "5" * DEEP, "value": 1})
    assert message.startswith("Balances.transfer_keep_alive.dest: too long for an account: 100000 characters")
    assert refused(rt, "Alice", "Balances", "transfer_keep_alive", {"dest": "5" * 300, "value": 1}).startswith(
        "Balances.transfer_keep_alive.dest: too long")


def test_sudo_nests_as_deep_as_the_runtime_decodes_and_no_deeper() -> None:
    rt = Runtime.dev()
    receipt = rt.dispatch("Alice", "Sudo", "sudo", nested_sudo(MAX_DECODE_DEPTH))
    assert receipt.is_success and receipt.event("Sudo.Sudid")["sudo_result"] == "BadOrigin"  # root is not the sudo key
    message = refused(rt, "Alice", "Sudo", "sudo", nested_sudo(MAX_DECODE_DEPTH + 1))
    assert message.startswith("Sudo.sudo.call.call.") and "nested more than 256 deep" in message  # the call decoder's bound (MAX_EXTRINSIC_DEPTH)
    refused(rt, "Alice", "Sudo", "sudo", nested_sudo(DEEP))
    # what was accepted exports and replays to the same root
    buf = io.StringIO()
    rt.export_log(buf)
    result = replay(buf.getvalue().splitlines())
    assert result.ok and result.calls == 1 and result.runtime.state_root() == rt.state_root()


def _blueprint_with_param(depth: int) -> dict:
    bp = Blueprint("deep")

    @bp.job(0)
    def job(x: U64) -> U64:
        return x

    compiled = json.loads(json.dumps(bp.compile()))
    compiled["jobs"][0]["params"] = [field_type(depth)]
    return compiled


def test_field_types_nest_as_deep_as_the_runtime_decodes() -> None:
    rt = Runtime.dev()
    assert rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": _blueprint_with_param(200)}).is_success
    message = refused(rt, "Alice", "Services", "create_blueprint", {"blueprint": _blueprint_with_param(2_000)})
    assert message.startswith("Services.create_blueprint.blueprint.jobs[0].params[0].List.List") and "256 levels" in message
    buf = io.StringIO()
    rt.export_log(buf)
    result = replay(buf.getvalue().splitlines())
    assert result.ok and result.runtime.state_root() == rt.state_root()


def test_a_failure_deep_inside_nested_lists_names_the_item_path() -> None:
    rt = Runtime.dev()
    blueprint = _blueprint_with_param(3)
    blueprint["jobs"][0]["params"][0]["List"]["List"]["List"] = "NoSuchType"
    message = refused(rt, "Alice", "Services", "create_blueprint", {"blueprint": blueprint})
    assert message.startswith("Services.create_blueprint.blueprint.jobs[0].params[0].List.List.List: unknown variant 'NoSuchType'")


def test_megabyte_keys_and_variant_names_are_not_quoted_whole() -> None:
    rt = Runtime.dev()
    blueprint = _blueprint_with_param(1)
    blueprint["x" * 1_000_000] = 1
    assert len(refused(rt, "Alice", "Services", "create_blueprint", {"blueprint": blueprint})) < 500
    blueprint = _blueprint_with_param(1)
    blueprint["jobs"][0]["params"] = ["y" * 1_000_000]
    message = refused(rt, "Alice", "Services", "create_blueprint", {"blueprint": blueprint})
    assert "(1000000 characters)" in message and len(message) < 500
