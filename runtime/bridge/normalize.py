"""Decoded chain values back to the simulator's call-params shape, and params comparison.

Why: scalecodec decodes a call's arguments into almost, but not exactly, the shape ``compose_call``
takes: tuples where lists went in, nested calls as ``{'call_index', 'call_module', 'call_function',
'call_args': [{'name', 'type', 'value'}]}``, accounts as SS58 whatever form was given, bytes as
text or hex. Comparing "the same params" therefore goes through the simulator's own codecs: both
sides are decoded into the simulator's internal (canonical, immutable) values, which are equal
exactly when the two calls mean the same thing (same accounts, same bytes, same variants).
"""

from __future__ import annotations

from typing import Any

from runtime.pallet import CallSpec


def chain_call_to_params(call_value: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """``(module, function, params)`` from a decoded scalecodec ``Call`` value."""
    args = call_value.get("call_args") or []
    if isinstance(args, dict):
        params = {k: chain_value(v) for k, v in args.items()}
    else:
        params = {a["name"]: chain_value(a["value"]) for a in args}
    return call_value["call_module"], call_value["call_function"], params


def chain_value(value: Any) -> Any:
    """One decoded value in compose_call's shape (nested calls, tuples → lists)."""
    if isinstance(value, dict):
        if "call_module" in value and "call_function" in value:
            module, function, params = chain_call_to_params(value)
            return {"call_module": module, "call_function": function, "call_args": params}
        return {k: chain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [chain_value(v) for v in value]
    return value


def canonical(spec: CallSpec, params: dict[str, Any]) -> tuple[Any, ...]:
    """The simulator's internal values for ``params`` (raises ``ParamError`` on a malformed value)."""
    return spec.decode(params)


def same_params(spec: CallSpec, expected: dict[str, Any], decoded: dict[str, Any]) -> tuple[bool, str]:
    """Do two params dicts mean the same call? Returns (equal, first difference)."""
    try:
        want = canonical(spec, expected)
    except ValueError as exc:
        return False, f"original params rejected: {exc}"
    try:
        got = canonical(spec, decoded)
    except ValueError as exc:
        return False, f"decoded params rejected by the simulator: {exc}"
    for name, a, b in zip(spec.arg_names, want, got):
        if a != b:
            return False, f"{name}: {a!r} != {b!r}"
    return True, ""
