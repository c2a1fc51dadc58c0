"""Calls as values: ``RuntimeCall`` arguments (Sudo.sudo, Utility.batch) and dispatch results."""

from __future__ import annotations

import sys
from typing import Annotated, Any, NamedTuple

from runtime.codec import Codec, ParamError, _describe, ascend, descend, short

# (pallet, call) -> CallSpec, for every pallet class the runtime knows (filled by construct_runtime)
CALL_REGISTRY: dict[tuple[str, str], Any] = {}
# pallet name -> its index in construct_runtime! (the first byte of a SCALE-encoded call)
PALLET_INDICES: dict[str, int] = {}


class RuntimeCall(NamedTuple):
    """A call inside a call: module, function and decoded (internal) arguments."""

    call_module: str
    call_function: str
    args: tuple

    def encode(self) -> dict[str, Any]:
        spec = CALL_REGISTRY[(self.call_module, self.call_function)]
        return {"call_module": self.call_module, "call_function": self.call_function, "call_args": spec.encode(self.args)}


MAX_CALL_DEPTH = 256  # sp_api::MAX_EXTRINSIC_DEPTH: the chain refuses to decode calls nested deeper
_decode_depth = [0]
# decoding and dispatching one level of nesting takes about a dozen Python frames (no C stack on
# 3.11+), so the default limit of 1,000 would stop well short of the chain's 256 levels
if sys.getrecursionlimit() < 8 * 1024:
    sys.setrecursionlimit(8 * 1024)


class RuntimeCallCodec(Codec):
    """``RuntimeCall``: outside, ``{"call_module", "call_function", "call_args"}`` (compose_call's nested form)."""

    type_name = "RuntimeCall"

    def decode(self, value: Any, path: str) -> RuntimeCall:
        if isinstance(value, RuntimeCall):
            return value
        if _decode_depth[0] >= MAX_CALL_DEPTH:
            raise ParamError(path.split(".", 1)[0], f"calls nested more than {MAX_CALL_DEPTH} deep (the chain's MAX_EXTRINSIC_DEPTH)")
        _decode_depth[0] += 1
        try:
            return self._decode(value, path)
        finally:
            _decode_depth[0] -= 1

    def _decode(self, value: Any, path: str) -> RuntimeCall:
        if not isinstance(value, dict) or "call_module" not in value or "call_function" not in value:
            raise ParamError(path, f"expected a call {{'call_module', 'call_function', 'call_args'}}, got {_describe(value)}")
        key = (value["call_module"], value["call_function"])
        spec = CALL_REGISTRY.get(key) if type(key[0]) is str and type(key[1]) is str else None
        if spec is None:
            shown = [short(k) if isinstance(k, str) else _describe(k) for k in key]
            raise ParamError(path, f"unknown call {shown[0]}.{shown[1]}")
        descend(path)  # a Box<RuntimeCall>: one level of the runtime's decoding depth
        try:
            args = spec.decode(value.get("call_args", value.get("call_params", {})))
        except ParamError as exc:
            raise ParamError(f"{path}.{exc.path}", exc.reason) from None
        finally:
            ascend()
        return RuntimeCall(key[0], key[1], args)

    def encode(self, value: RuntimeCall) -> dict[str, Any]:
        return value.encode()


class DispatchResultCodec(Codec):
    """``Result<(), DispatchError>`` in events: internal None for Ok, the error's qualified name for Err."""

    type_name = "Result<(), DispatchError>"

    def decode(self, value: Any, path: str) -> Any:
        raise ParamError(path, "a dispatch result is not a call argument")

    def encode(self, value: str | None) -> dict[str, Any]:
        return {"Ok": None} if value is None else {"Err": value}


Call = Annotated[RuntimeCall, RuntimeCallCodec()]
DispatchResult = Annotated[Any, DispatchResultCodec()]
