"""Strategies for the arguments of *any* dispatchable, derived from its argument codecs.

Every call the simulator implements declares its arguments with type hints compiled to codecs
(``runtime.codec``); :func:`params_for` walks those codecs and draws well-typed values in the
``compose_call`` shape (dicts for structs, ``"Unit"``/``{"Variant": value}`` for enums, 0x-hex for
bytes, SS58 for accounts). Such a call always decodes; what it then does depends on the state:
it succeeds, or fails with a pallet error and must change nothing. :func:`any_call` draws a call
of any pallet with such params, which is how the machine fuzzes the whole call surface
(``BadInputRules.fuzz_any_call``)::

    @rule(data=st.data())
    def anything(self, data):
        pallet, call, params = data.draw(any_call(self.rt))
        self.call(who, pallet, call, params)

Numbers are drawn around the small values ids and counts take, plus the type's boundaries, so
lookups sometimes hit something that exists.
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Any, Sequence

from hypothesis import strategies as st

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.calls import RuntimeCallCodec
from runtime.codec import (
    AccountIdCodec, BoolCodec, BytesCodec, Codec, EnumCodec, FixedBytesCodec, H160Codec, IntCodec, OptionCodec, PerThingCodec, SetCodec,
    StructCodec, TextCodec, TupleCodec, UIntCodec, VecCodec, bind_pending,
)
from runtime.pallet import CallSpec

ACCOUNTS: tuple[str, ...] = tuple(DEV_ACCOUNTS.values())
MAX_DEPTH = 6


class Unsupported(TypeError):
    """A codec this module cannot draw values for (the call is left out of :func:`any_call`)."""


def _uint(maximum: int) -> st.SearchStrategy[int]:
    small = st.integers(0, min(maximum, 12))
    boundaries = st.sampled_from(sorted({0, 1, maximum, maximum // 2, min(maximum, 10**18), min(maximum, 1_000 * 10**18)}))
    return st.one_of(small, boundaries, st.integers(0, maximum))


def values_for(codec: Codec, accounts: Sequence[str] = ACCOUNTS, depth: int = 0,
               calls: st.SearchStrategy[dict[str, Any]] | None = None) -> st.SearchStrategy[Any]:
    """Well-typed outside values for ``codec`` (raises :class:`Unsupported` for unknown codecs).

    ``calls`` draws the nested ``RuntimeCall`` of ``Sudo.sudo`` and the like (compose_call's
    ``{"call_module", "call_function", "call_args"}``); without it such arguments are unsupported.
    Recursive types (``FieldType`` holds ``FieldType``s) end at ``MAX_DEPTH`` with their leaves:
    empty lists, ``None``, variants without data.
    """
    kind = type(codec)
    if depth > MAX_DEPTH:
        return _leaf(codec)
    if kind is RuntimeCallCodec:
        if calls is None:
            raise Unsupported("a nested call needs a strategy for calls")
        return calls
    if kind is UIntCodec:
        return _uint(codec.max)  # type: ignore[attr-defined]
    if kind is IntCodec:
        return st.one_of(st.integers(-3, 12), st.integers(codec.min, codec.max))  # type: ignore[attr-defined]
    if kind is PerThingCodec:
        return st.one_of(st.sampled_from([0, codec.max // 10, codec.max]), st.integers(0, codec.max))  # type: ignore[attr-defined]
    if kind is BoolCodec:
        return st.booleans()
    if kind is AccountIdCodec:
        return st.sampled_from(tuple(accounts))
    if kind is H160Codec:
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if kind is FixedBytesCodec:
        n = codec.n  # type: ignore[attr-defined]
        return st.binary(min_size=n, max_size=n).map(lambda b: "0x" + b.hex())
    if kind is BytesCodec:
        limit = min(codec.max_len or 16, 16)  # type: ignore[attr-defined]
        return st.binary(max_size=limit).map(lambda b: "0x" + b.hex())
    if kind is TextCodec:
        limit = min(codec.max_len or 12, 12)  # type: ignore[attr-defined]
        return st.text(st.characters(min_codepoint=97, max_codepoint=122), max_size=limit)
    if kind is OptionCodec:
        return st.one_of(st.none(), values_for(codec.inner, accounts, depth + 1, calls))  # type: ignore[attr-defined]
    if kind in (VecCodec, SetCodec):
        limit = min(codec.max_len if codec.max_len is not None else 3, 3)  # type: ignore[attr-defined]
        inner = values_for(codec.inner, accounts, depth + 1, calls)  # type: ignore[attr-defined]
        if kind is SetCodec:
            return st.lists(inner, max_size=limit, unique_by=repr)
        return st.lists(inner, max_size=limit)
    if kind is TupleCodec:
        return st.tuples(*(values_for(c, accounts, depth + 1, calls) for c in codec.items)).map(list)  # type: ignore[attr-defined]
    if kind is StructCodec:
        if not codec._bound:  # type: ignore[attr-defined]
            codec._bind()  # type: ignore[attr-defined]
        return st.fixed_dictionaries({name: values_for(c, accounts, depth + 1, calls) for _, name, c in codec.fields})  # type: ignore[attr-defined]
    if kind is EnumCodec:
        cls = codec.cls  # type: ignore[attr-defined]
        if not cls.__variants__:
            bind_pending()
        options = []
        for name, inner in cls.__variants__.items():
            if inner is None:
                options.append(st.just(name))
            else:
                try:
                    options.append(values_for(inner, accounts, depth + 1, calls).map(lambda v, n=name: {n: v}))
                except Unsupported:
                    continue
        if not options:
            raise Unsupported(f"no drawable variant of {codec.type_name}")
        return st.one_of(options)
    raise Unsupported(f"no strategy for {codec.type_name} ({kind.__name__})")


def _leaf(codec: Codec) -> st.SearchStrategy[Any]:
    """The smallest values of a type that has nested too deep."""
    kind = type(codec)
    if kind is OptionCodec:
        return st.none()
    if kind in (VecCodec, SetCodec):
        return st.just([])
    if kind is EnumCodec:
        cls = codec.cls  # type: ignore[attr-defined]
        if not cls.__variants__:
            bind_pending()
        units = [name for name, inner in cls.__variants__.items() if inner is None]
        if units:
            return st.sampled_from(units)
    if kind in (UIntCodec, IntCodec, PerThingCodec, BoolCodec, AccountIdCodec, H160Codec, FixedBytesCodec, BytesCodec, TextCodec):
        return values_for(codec, depth=0)
    raise Unsupported(f"{codec.type_name} nests too deep")


def params_for(spec: CallSpec, accounts: Sequence[str] = ACCOUNTS, calls: st.SearchStrategy[dict[str, Any]] | None = None
               ) -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed ``call_params`` for a dispatchable (see the module doc); ``calls`` draws nested calls."""
    return st.fixed_dictionaries({name: values_for(codec, accounts, calls=calls) for name, codec in zip(spec.arg_names, spec.codecs)})


def _entries(specs: tuple[CallSpec, ...], calls: st.SearchStrategy[dict[str, Any]] | None) -> list[st.SearchStrategy[tuple[str, str, dict[str, Any]]]]:
    entries = []
    for spec in specs:
        try:
            params = params_for(spec, calls=calls)
        except Unsupported:
            continue
        entries.append(params.map(lambda p, pallet=spec.pallet, name=spec.name: (pallet, name, p)))
    return entries


@lru_cache(maxsize=None)
def _any_of(specs: tuple[CallSpec, ...], inner: tuple[CallSpec, ...]) -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    """One strategy per call set (built once: rules draw from it at every step). ``inner``: the
    calls a wrapper (``Sudo.sudo``) may carry; they carry no call themselves (one level)."""
    nested = st.sampled_from(_entries(inner, None)).flatmap(lambda entry: entry).map(
        lambda c: {"call_module": c[0], "call_function": c[1], "call_args": c[2]})
    return st.sampled_from(_entries(specs, nested)).flatmap(lambda entry: entry)


def any_call(rt: Runtime, pallets: Sequence[str] | None = None, exclude: frozenset[tuple[str, str]] = frozenset(),
             nested_exclude: frozenset[tuple[str, str]] = frozenset()) -> st.SearchStrategy[tuple[str, str, dict[str, Any]]]:
    """``(pallet, call, params)`` for any call of ``pallets`` (default: every pallet) but the
    ``exclude``d ``(pallet, call)`` pairs, with well-typed params. A call that carries a call
    (``Sudo.sudo``, ``Sudo.sudo_as``) carries one of every pallet's calls but those in ``exclude``
    or ``nested_exclude`` and those that carry calls themselves."""
    calls = rt.supported_calls()
    every = [rt.call_spec(p, c) for p in sorted(calls) for c in calls[p]]
    wrappers = {(s.pallet, s.name) for s in every if any(type(c) is RuntimeCallCodec for c in s.codecs)}
    specs = tuple(s for s in every if (pallets is None or s.pallet in pallets) and (s.pallet, s.name) not in exclude)
    inner = tuple(s for s in every if (s.pallet, s.name) not in exclude | nested_exclude | wrappers)
    return _any_of(specs, inner)


class CallGenerators:
    """Every call of a runtime with a plain-Python params generator (:func:`simulations.fuzz.values.params_generator`):
    ``outer`` (any call), ``outer_root`` (any call but a decree, for root), and :meth:`draw_inner`
    for the call a wrapper (``Sudo.sudo``) carries (no decree, no wrapper)."""

    def __init__(self, rt: Runtime, decrees: frozenset[tuple[str, str]]) -> None:
        from simulations.fuzz.values import params_generator

        calls = rt.supported_calls()
        every = [rt.call_spec(p, c) for p in sorted(calls) for c in sorted(calls[p])]
        wrappers = {(s.pallet, s.name) for s in every if any(type(c) is RuntimeCallCodec for c in s.codecs)}
        gens = [(s.pallet, s.name, params_generator(s.arg_names, s.codecs, s.pallet)) for s in every]
        self.outer = gens
        self.outer_root = [g for g in gens if (g[0], g[1]) not in decrees]
        self.inner = [g for g in gens if (g[0], g[1]) not in decrees | wrappers]

    def draw_inner(self, rng: Any, live: Any) -> dict[str, Any]:
        pallet, name, gen = rng.choice(self.inner)
        return {"call_module": pallet, "call_function": name, "call_args": gen(rng, live)}


_GENERATORS: weakref.WeakKeyDictionary[Runtime, CallGenerators] = weakref.WeakKeyDictionary()


def any_call_generators(rt: Runtime, decrees: frozenset[tuple[str, str]] = frozenset()) -> CallGenerators:
    """:class:`CallGenerators` for ``rt`` (built once per runtime: the machine reuses its world's
    runtime for every example, and the rules draw at every step)."""
    hit = _GENERATORS.get(rt)
    if hit is None:
        hit = _GENERATORS[rt] = CallGenerators(rt, decrees)
    return hit
