"""Argument values for any dispatchable, drawn straight from its codecs with a plain ``random.Random``.

Hypothesis builds a strategy tree and records every choice so it can shrink; at the runtime's speed
that bookkeeping costs more than the call. Here each codec is compiled once into a small generator
function ``gen(rng, live, depth) -> outside value`` (the ``compose_call`` shape), and values come from
three places:

* the live state: ids and accounts the chain has mentioned in its events, kept per field name
  (``service_id``, ``request_id``, ``era``, ``index``, ``operator``, ``pool_id``...), so a call's
  ``service_id`` is usually a service that exists, a ``dispute``'s ``(era, index)`` a slash that is
  queued;
* boundary values (0, 1, the type's maximum, half of it, 1 TNT, 1,000 TNT);
* small and uniform random values.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any, Callable

from runtime.accounts import DEV_ACCOUNTS, account_bytes
from runtime.calls import RuntimeCallCodec
from runtime.codec import (
    AccountIdCodec, BoolCodec, BytesCodec, Codec, EnumCodec, FixedBytesCodec, H160Codec, IntCodec, OptionCodec, PerThingCodec, ScaleEnum,
    SetCodec, StructCodec, TextCodec, TupleCodec, UIntCodec, VecCodec, bind_pending,
)
from runtime.events import EventRecord

Gen = Callable[[random.Random, "LiveState", int], Any]
# The generators call ``rng._randbelow(n)`` where ``rng.choice(seq)`` / ``rng.randint(0, n - 1)`` would
# do: both are defined in the random module as exactly that call (one index below ``n``), so the
# values drawn, and every later draw, are the same; the Python-level frames they add cost more than
# the draw itself at the fuzzer's rate.

MAX_DEPTH = 4  # recursive types (a FieldType in a FieldType) end in leaves here
UNIT = 10**18
POOL_SIZE = 24  # values remembered per field name (bounded: a long campaign keeps no history)


class LiveState:
    """Ids and accounts the chain has mentioned, by event field name, plus the accounts in play.

    Fed with each step's new events (:meth:`observe`); bounded, so memory does not grow with the
    campaign."""

    __slots__ = ("by_field", "accounts", "ints", "draw_call")

    def __init__(self, accounts: tuple[str, ...] = tuple(DEV_ACCOUNTS.values())) -> None:
        self.by_field: dict[str, deque[Any]] = {}
        self.accounts: list[str] = list(accounts)
        self.ints: deque[int] = deque(maxlen=POOL_SIZE)
        #: draws the inner call of ``Sudo.sudo`` and the like (set by the engine)
        self.draw_call: Callable[[random.Random], dict[str, Any]] = lambda rng: {
            "call_module": "System", "call_function": "remark", "call_args": {"remark": "0x00"}}

    def observe(self, events: list[EventRecord]) -> None:
        by_field = self.by_field
        ints = self.ints
        accounts = self.accounts
        for ev in events:
            for name, value in zip(ev.spec.fields, ev.values):
                kind = type(value)
                if kind is int:
                    if value < 2**64:
                        pool = by_field.get(name)
                        if pool is None:
                            pool = by_field[name] = deque(maxlen=POOL_SIZE)
                        if value not in pool:
                            pool.append(value)
                        ints.append(value)
                    continue
                if kind is str:
                    if len(value) == 48:
                        # pallet accounts (pots, pool accounts) are neither origins nor arguments: nobody
                        # signs for them, and a donation to a pot breaks the custody invariants' exact
                        # accounting (they assume a pot holds exactly what it owes)
                        hit = _KEYLESS.get(value)
                        if hit if hit is not None else keyless(value):
                            continue
                        if len(accounts) < 64 and value not in accounts:
                            accounts.append(value)
                elif isinstance(value, ScaleEnum):
                    value = value.encode()
                elif kind is bytes and len(value) == 32:  # a hash (call_hash, proposal_hash): drawn again as an argument
                    value = "0x" + value.hex()
                else:
                    continue
                pool = by_field.get(name)
                if pool is None:
                    pool = by_field[name] = deque(maxlen=POOL_SIZE)
                if value not in pool:
                    pool.append(value)

    def copy(self) -> "LiveState":
        """An independent copy (every run starts from the world's own events, observed once)."""
        out = LiveState(())
        out.by_field = {name: deque(pool, maxlen=POOL_SIZE) for name, pool in self.by_field.items()}
        out.accounts = list(self.accounts)
        out.ints = deque(self.ints, maxlen=POOL_SIZE)
        return out

    def _remember(self, name: str, value: Any) -> None:
        pool = self.by_field.get(name)
        if pool is None:
            pool = self.by_field[name] = deque(maxlen=POOL_SIZE)
        if value not in pool:
            pool.append(value)

    def pick(self, rng: random.Random, name: str) -> Any:
        pool = self.by_field.get(name)
        return rng.choice(pool) if pool else None


_KEYLESS: dict[str, bool] = {}


def register_keyless(rt: Any) -> None:
    """Mark every pallet's own account (``pallet_account()``: pots mapped from an EVM address too) keyless."""
    for pallet in rt.pallets.values():
        fn = getattr(pallet, "pallet_account", None)
        if callable(fn):
            try:
                _KEYLESS[fn()] = True
            except Exception:  # a pallet whose account needs configuration it lacks
                continue


def keyless(account: str) -> bool:
    """Is ``account`` a pallet's account (``b"modl" ++ id``: pots, pool accounts)? Nobody can sign
    for one, so it is never a fuzz origin."""
    hit = _KEYLESS.get(account)
    if hit is None:
        try:
            hit = account_bytes(account).startswith(b"modl")
        except ValueError:
            hit = False
        if len(_KEYLESS) < 10_000:
            _KEYLESS[account] = hit
    return hit


def _boundaries(maximum: int) -> tuple[int, ...]:
    return tuple(sorted({0, 1, 2, maximum, maximum - 1, maximum // 2, min(maximum, UNIT), min(maximum, 1_000 * UNIT), min(maximum, 10**6)}))


def compile_codec(codec: Codec, name: str = "") -> Gen:
    """The generator for ``codec``; ``name`` is the argument or field name (it picks the live pool).
    A pallet's own codec subclass (Democracy's one-byte ``Vote``) draws like the codec it extends."""
    known = (UIntCodec, PerThingCodec, IntCodec, BoolCodec, AccountIdCodec, H160Codec, FixedBytesCodec, BytesCodec, TextCodec,
             OptionCodec, VecCodec, SetCodec, TupleCodec, StructCodec, EnumCodec, RuntimeCallCodec)
    kind = next((k for k in type(codec).__mro__ if k in known), type(codec))
    domain = getattr(codec, "domain", None)
    if domain:  # a codec that accepts only some values of its kind (Democracy's Vote byte) lists them
        choices = tuple(domain)
        n_choices = len(choices)

        def gen_domain(rng: random.Random, live: LiveState, depth: int) -> Any:
            return choices[rng._randbelow(n_choices)]
        return gen_domain
    if kind is UIntCodec or kind is PerThingCodec:
        maximum = codec.max  # type: ignore[attr-defined]
        bounds = _boundaries(maximum)
        n_bounds, upto_4, upto_12, upto_max = len(bounds), min(maximum, 4) + 1, min(maximum, 12) + 1, maximum + 1

        def gen_uint(rng: random.Random, live: LiveState, depth: int) -> int:
            below = rng._randbelow
            r = rng.random()
            if r < 0.45:
                pool = live.by_field.get(name)
                if pool:
                    hit = pool[below(len(pool))]
                    if type(hit) is int and hit <= maximum:
                        return hit
                return below(upto_4)
            if r < 0.65:
                return below(upto_12)
            if r < 0.85:
                return bounds[below(n_bounds)]
            if r < 0.92:
                ints = live.ints
                if ints:
                    v = ints[below(len(ints))]
                    return v if v <= maximum else maximum
            return below(upto_max)
        return gen_uint
    if kind is IntCodec:
        lo, hi = codec.min, codec.max  # type: ignore[attr-defined]
        specials = (0, 1, -1, lo, hi)
        return lambda rng, live, depth: specials[rng._randbelow(5)] if rng.random() < 0.5 else lo + rng._randbelow(hi - lo + 1)
    if kind is BoolCodec:
        return lambda rng, live, depth: rng.random() < 0.5
    if kind is AccountIdCodec:
        def gen_account(rng: random.Random, live: LiveState, depth: int) -> str:
            if rng.random() < 0.5:
                pool = live.by_field.get(name)
                if pool:
                    hit = pool[rng._randbelow(len(pool))]
                    if type(hit) is str and len(hit) == 48:
                        return hit
            accounts = live.accounts
            if not accounts:  # ``below(0)`` would never return
                raise IndexError("no accounts to draw from")
            return accounts[rng._randbelow(len(accounts))]
        return gen_account
    if kind is H160Codec:
        return lambda rng, live, depth: "0x" + (rng.randbytes(20).hex() if rng.random() < 0.5 else "00" * 20)
    if kind is FixedBytesCodec:
        n = codec.n  # type: ignore[attr-defined]
        size = 2 + 2 * n

        def gen_fixed(rng: random.Random, live: LiveState, depth: int) -> str:
            if rng.random() < 0.5:  # a hash the chain mentioned (a multisig's call, a motion), else any
                pool = live.by_field.get(name)
                if pool:
                    hit = pool[rng._randbelow(len(pool))]
                    if type(hit) is str and len(hit) == size:
                        return hit
            return "0x" + rng.randbytes(n).hex()
        return gen_fixed
    if kind is BytesCodec:
        limit = min(codec.max_len or 16, 16) + 1  # type: ignore[attr-defined]
        return lambda rng, live, depth: "0x" + rng.randbytes(rng._randbelow(limit)).hex()
    if kind is TextCodec:
        limit = min(codec.max_len or 12, 12) + 1  # type: ignore[attr-defined]

        def gen_text(rng: random.Random, live: LiveState, depth: int) -> str:
            below = rng._randbelow
            return "".join(["abcdefghij"[below(10)] for _ in range(below(limit))])
        return gen_text
    if kind is OptionCodec:
        inner = _lazy(codec.inner, name)  # type: ignore[attr-defined]
        return lambda rng, live, depth: None if depth >= MAX_DEPTH or rng.random() < 0.3 else inner(rng, live, depth + 1)
    if kind is VecCodec or kind is SetCodec:
        inner = _lazy(codec.inner, name)  # type: ignore[attr-defined]
        limit = min(codec.max_len if codec.max_len is not None else 3, 3) + 1  # type: ignore[attr-defined]
        unique = kind is SetCodec

        def gen_list(rng: random.Random, live: LiveState, depth: int) -> list:
            if depth >= MAX_DEPTH:
                return []
            out = [inner(rng, live, depth + 1) for _ in range(rng._randbelow(limit))]
            if unique:
                seen: list = []
                for v in out:
                    if v not in seen:
                        seen.append(v)
                return seen
            return out
        return gen_list
    if kind is TupleCodec:
        items = [_lazy(c, name) for c in codec.items]  # type: ignore[attr-defined]
        return lambda rng, live, depth: [g(rng, live, depth + 1) for g in items]
    if kind is StructCodec:
        if not codec._bound:  # type: ignore[attr-defined]
            codec._bind()  # type: ignore[attr-defined]
        fields = [(chain, _lazy(c, chain)) for _, chain, c in codec.fields]  # type: ignore[attr-defined]

        def gen_struct(rng: random.Random, live: LiveState, depth: int) -> dict[str, Any]:
            out = {}
            depth += 1
            for chain, g in fields:
                out[chain] = g(rng, live, depth)
            return out
        return gen_struct
    if kind is EnumCodec:
        cls = codec.cls  # type: ignore[attr-defined]
        if not cls.__variants__:
            bind_pending()
        units = [v for v, inner in cls.__variants__.items() if inner is None]
        data = [(v, _lazy(inner, name)) for v, inner in cls.__variants__.items() if inner is not None]
        n_units, n_data = len(units), len(data)
        unit_share = n_units / (n_units + n_data) if units else 0.0
        variants = cls.__variants__

        def gen_enum(rng: random.Random, live: LiveState, depth: int) -> Any:
            below = rng._randbelow
            if rng.random() < 0.4:
                pool = live.by_field.get(name)
                if pool:
                    hit = pool[below(len(pool))]
                    if hit is not None and (hit in units or (isinstance(hit, dict) and next(iter(hit)) in variants)):
                        return hit
            if units and (depth >= MAX_DEPTH or not data or rng.random() < unit_share):
                return units[below(n_units)]
            if not data:  # an enum with no variants at all (``below(0)`` would never return)
                raise IndexError(f"{cls.__name__} has no variants to draw")
            variant, g = data[below(n_data)]
            return {variant: g(rng, live, depth + 1)}
        return gen_enum
    if kind is RuntimeCallCodec:
        return lambda rng, live, depth: live.draw_call(rng)
    raise TypeError(f"no generator for {codec.type_name} ({kind.__name__})")


_CACHE: dict[tuple[int, str], Gen] = {}
_COMPILING: dict[tuple[int, str], list[Gen]] = {}  # codecs being compiled: a recursive type's box


def _lazy(codec: Codec, name: str) -> Gen:
    """The generator for ``codec``, compiled once per codec and name. A recursive type (a FieldType
    in a FieldType) meets itself while compiling: that inner reference goes through a box filled
    when the outer compile ends; every other reference is the compiled function itself (no
    indirection per drawn value)."""
    key = (id(codec), name)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    box = _COMPILING.get(key)
    if box is not None:
        def recursive(rng: random.Random, live: LiveState, depth: int) -> Any:
            return box[0](rng, live, depth)
        return recursive
    box = _COMPILING[key] = []
    try:
        fn = compile_codec(codec, name)
    except TypeError as exc:  # a codec no generator knows: fails when (if ever) a value is drawn
        message = str(exc)

        def fn(rng: random.Random, live: LiveState, depth: int) -> Any:
            raise TypeError(message)
    finally:
        del _COMPILING[key]
    box.append(fn)
    _CACHE[key] = fn
    return fn


#: (pallet, argument) -> the event field that carries the same ids or hashes under another name: the
#: argument is drawn from that field's live pool. Without it an Assets call's ``id`` (its events say
#: ``asset_id``) was drawn from 0-4 and the boundaries, never the world's asset 100: in a 10^6-step
#: campaign (seed 3131) 22 of the 32 Assets calls (Assets.mint, burn, freeze...) never succeeded.
ARG_POOLS: dict[tuple[str, str], str] = {
    ("Assets", "id"): "asset_id",
    ("Democracy", "prop_index"): "proposal_index",  # cancel_proposal
    ("Democracy", "proposal"): "proposal_index",  # second (u32; propose's Bounded call ignores the ints)
    ("Democracy", "index"): "ref_index",  # remove_vote, remove_other_vote
    ("Council", "index"): "proposal_index",  # vote, close
    ("Council", "proposal"): "proposal_hash",  # vote (a hash; propose's call ignores the pool)
    ("Services", "instance_id"): "service_id",  # join_service, leave_service
    ("Lst", "member_account"): "member",  # unbond, withdraw_unbonded
}


def params_generator(arg_names: tuple[str, ...], codecs: tuple[Codec, ...], pallet: str | None = None) -> Callable[[random.Random, LiveState], dict[str, Any]]:
    """A function drawing a whole ``call_params`` dict for a call of ``pallet`` with these arguments
    (each drawn from its name's live pool, or the pool :data:`ARG_POOLS` names for it)."""
    gens = [(n, _lazy(c, ARG_POOLS.get((pallet, n), n) if pallet else n)) for n, c in zip(arg_names, codecs)]

    def draw_params(rng: random.Random, live: LiveState) -> dict[str, Any]:
        out = {}
        for n, g in gens:
            out[n] = g(rng, live, 0)
        return out
    return draw_params
