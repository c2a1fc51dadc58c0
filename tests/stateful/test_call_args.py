"""The call-argument strategies reach every dispatchable, nested calls included, and what they draw
always decodes (a fuzzed call fails with a pallet error, never with malformed input)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import Runtime
from runtime.calls import RuntimeCallCodec
from simulations.stateful.call_args import Unsupported, any_call, params_for, values_for
from simulations.stateful.rules_bad_input import DECREES

RT = Runtime.dev()
DRAWS = settings(max_examples=300, database=None, derandomize=True, suppress_health_check=list(HealthCheck), deadline=None)


def test_every_call_has_params_including_the_deeply_nested_ones() -> None:
    nested = st.just({"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x"}})
    missing = []
    for pallet, calls in RT.supported_calls().items():
        for call in calls:
            try:
                params_for(RT.call_spec(pallet, call), calls=nested)
            except Unsupported as exc:
                missing.append(f"{pallet}.{call}: {exc}")
    assert missing == []


def test_a_nested_call_needs_a_strategy_for_calls() -> None:
    try:
        values_for(RuntimeCallCodec())
    except Unsupported as exc:
        assert "nested call" in str(exc)
    else:
        raise AssertionError("a RuntimeCall argument was drawn without a call strategy")


def test_recursive_field_types_end_in_leaves_and_decode() -> None:
    spec = RT.call_spec("Services", "create_blueprint")

    @DRAWS
    @given(params_for(spec))
    def decodes(params: dict) -> None:
        spec.decode(params)  # raises ParamError if anything drawn is not well-typed

    decodes()


def test_sudo_carries_any_call_but_decrees_and_wrappers() -> None:
    seen: Counter[tuple[str, str]] = Counter()

    @DRAWS
    @given(any_call(RT, pallets=["Sudo"], nested_exclude=DECREES))
    def carried(call: tuple[str, str, dict]) -> None:
        pallet, function, params = call
        RT.call_spec(pallet, function).decode(params)
        inner = params.get("call")
        if inner is not None:
            seen[(inner["call_module"], inner["call_function"])] += 1

    carried()
    assert seen and not set(seen) & DECREES
    assert not any(module == "Sudo" and function.startswith("sudo") for module, function in seen)
    assert len({module for module, _ in seen}) >= 5  # calls of many pallets ride inside
