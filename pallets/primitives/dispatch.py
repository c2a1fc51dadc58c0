"""Dispatching calls carried inside calls (Utility, Proxy, Multisig, Council, Scheduler).

Why one module: every pallet that dispatches an inner call must do it the same way FRAME does:
``call.dispatch(origin)`` checks the origin's call filters first (``System.CallFiltered``), Root
bypasses them, ``dispatch_bypass_filter`` skips them, and each inner dispatch is its own storage
transaction (a failing inner call leaves nothing behind, whatever the outer call then does).

It also holds the values these pallets share: ``DispatchError`` as an event field, the runtime's
``OriginCaller`` (``Utility.dispatch_as``), ``Weight``, and the call hash.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from runtime.calls import RuntimeCall
from runtime.codec import Codec, ParamError, ScaleEnum, struct
from runtime.errors import DispatchError
from runtime.origin import NONE, ROOT, CollectiveOrigin, Origin, call_allowed
from runtime.primitives import U32, AccountId, CompactU64
from runtime.storage import canon

from pallets.system.errors import Error as SystemError


@struct
class Weight:
    """``sp_weights::Weight`` (a witness here: the simulator does not meter weight)."""

    ref_time: CompactU64
    proof_size: CompactU64


def dispatch(ctx: Any, origin: Origin, call: RuntimeCall, *, bypass_filter: bool = False) -> None:
    """``call.dispatch(origin)`` (or ``dispatch_bypass_filter``) in a nested transaction; raises the
    inner ``DispatchError`` after rolling the inner call back."""
    if not bypass_filter and not call_allowed(origin, call):
        raise SystemError.CallFiltered()
    ctx.dispatch_call(origin, call)


def try_dispatch(ctx: Any, origin: Origin, call: RuntimeCall, *, bypass_filter: bool = False) -> DispatchError | None:
    """:func:`dispatch`, returning the inner error instead of raising it (``None`` on success)."""
    try:
        dispatch(ctx, origin, call, bypass_filter=bypass_filter)
    except DispatchError as exc:
        return exc
    return None


def error_name(err: DispatchError | None) -> str | None:
    """The internal form of a ``Result<(), DispatchError>`` event field: None or the error's name."""
    return None if err is None else err.qualified_name


class DispatchErrorCodec(Codec):
    """``sp_runtime::DispatchError`` as an event field: internally the error's qualified name
    (``Balances.InsufficientBalance``, ``BadOrigin``, ``Token.FundsUnavailable``)."""

    type_name = "DispatchError"

    def decode(self, value: Any, path: str) -> Any:
        raise ParamError(path, "a dispatch error is not a call argument")

    def encode(self, value: str) -> str:
        return value


DispatchErrorField = Annotated[str, DispatchErrorCodec()]


def call_hash(call: RuntimeCall) -> bytes:
    """The 32-byte hash that identifies a call (Multisig approvals, Proxy announcements, motions).

    On chain it is ``blake2_256(call.encode())`` of the SCALE bytes; the simulator has no SCALE
    encoder without the metadata, so it hashes a canonical rendering of the same call instead
    (deterministic, equal for equal calls, different for different ones). Compute it with this
    function (or ``Runtime``'s ``call_hash``) rather than with a chain client."""
    return hashlib.blake2b(b"tangle-sim/call/" + canon(tuple(call)).encode(), digest_size=32).digest()


# --- the runtime's OriginCaller (tangle_testnet_runtime::OriginCaller), for Utility.dispatch_as


class RawOrigin(ScaleEnum):
    """``frame_support::dispatch::RawOrigin<AccountId>``."""

    __annotations__ = {"Root": None, "Signed": AccountId, "None": None}


class CollectiveRawOrigin(ScaleEnum):
    """``pallet_collective::RawOrigin<AccountId, I>`` (``_Phantom`` is never constructed)."""

    __scale_name__ = "RawOrigin"
    __annotations__ = {"Members": tuple[U32, U32], "Member": AccountId}


class OriginCaller(ScaleEnum):
    """``OriginCaller``: ``{"system": "Root"}``, ``{"system": {"Signed": who}}``,
    ``{"Council": {"Members": [n, m]}}``, ``{"Council": {"Member": who}}``. (The ``Ethereum``
    origin, produced only by EVM transactions, is not modelled.)"""

    __indices__ = {"system": 1, "Council": 13}
    __annotations__ = {"system": RawOrigin, "Council": CollectiveRawOrigin}


def origin_from_caller(caller: OriginCaller) -> Origin:
    """The dispatch origin an ``OriginCaller`` value stands for."""
    inner = caller.value
    if caller.name == "system":
        if inner.name == "Root":
            return ROOT
        if inner.name == "None":
            return NONE
        return Origin.signed(inner.value)
    if inner.name == "Member":
        return CollectiveOrigin(caller.name, member=inner.value)
    n, m = inner.value
    return CollectiveOrigin(caller.name, n, m)


def hash_of_call(value: Any) -> bytes:
    """:func:`call_hash` of a call given in compose_call's nested form
    (``{"call_module", "call_function", "call_args"}``), e.g. to announce it or approve it by hash."""
    from runtime.calls import RuntimeCallCodec

    return call_hash(RuntimeCallCodec().decode(value, "call"))
