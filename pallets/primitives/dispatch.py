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
import json
from typing import Annotated, Any

from runtime.calls import RuntimeCall
from runtime.codec import Codec, ParamError, ScaleEnum, struct
from runtime.errors import DispatchError
from runtime.origin import NONE, ROOT, CollectiveOrigin, Origin, call_allowed
from runtime.primitives import U32, AccountId, CompactU64

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


EXTENSION_TAG = b"tangle-sim-extension:"


def encode_call(call: RuntimeCall) -> bytes:
    """A call's bytes (preimages, ``Bounded::Inline`` proposals, call hashes, Council's ``length_bound``):
    its SCALE encoding with the runtime's real pallet and call indices (:mod:`runtime.scale`), the
    bytes polkadot.js or substrate-interface produce for the same call. A call that is (or contains)
    a simulator extension has no chain encoding: it is stored as ``EXTENSION_TAG`` + the canonical
    JSON of compose_call's nested form (no Tangle pallet index is that tag's first byte, 0x74)."""
    from runtime.scale import encode_call as scale_encode

    try:
        return scale_encode(call)
    except TypeError:
        return EXTENSION_TAG + json.dumps(call.encode(), sort_keys=True, separators=(",", ":")).encode()


scale_call = encode_call  # the name Council's length checks read best with


def decode_call(data: bytes) -> RuntimeCall | None:
    """The call stored as ``data`` by :func:`encode_call`, or None if the bytes are not a known call."""
    from runtime.calls import RuntimeCallCodec
    from runtime.scale import decode_call as scale_decode

    if data.startswith(EXTENSION_TAG):
        try:
            return RuntimeCallCodec().decode(json.loads(data[len(EXTENSION_TAG):].decode()), "call")
        except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
            return None
    try:
        return scale_decode(data)
    except (ValueError, RecursionError):
        return None


def call_hash(call: RuntimeCall) -> bytes:
    """``blake2_256`` of the call's SCALE bytes (:func:`encode_call`): Council's ``hash_of(proposal)``,
    Multisig's ``call_hash``, Proxy announcements, preimage and ``Bounded`` hashes; equal to what
    polkadot.js or substrate-interface compute for the same call."""
    return blake2_256(encode_call(call))


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


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


def caller_of(origin: Origin) -> OriginCaller:
    """The ``OriginCaller`` an origin is stored as (Scheduler agendas); filters are not stored, as on chain."""
    if isinstance(origin, CollectiveOrigin):
        inner = CollectiveRawOrigin.Member(origin.who) if origin.is_member else CollectiveRawOrigin.Members((origin.n, origin.m))
        return OriginCaller(origin.instance, inner)
    if origin.kind == "root":
        return OriginCaller.system(RawOrigin.Root)
    if origin.kind == "signed":
        return OriginCaller.system(RawOrigin.Signed(origin.who))
    if origin.kind == "none":
        return OriginCaller.system(getattr(RawOrigin, "None"))
    from runtime.errors import BadOrigin

    raise BadOrigin(f"the simulator-only origin {origin.kind!r} cannot be stored")
