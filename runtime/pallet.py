"""The pallet base class and the ``@call`` decorator: FRAME's ``#[pallet]`` in Python.

A pallet is a package (``pallets/<name>/``) holding its constants, storage, errors, events,
calls and hooks, composed into one class::

    class Balances(Calls, Pallet):
        name = "Balances"
        index = 6
        Storage = BalancesStorage
        Error = Error
        Event = Event
        Constants = BalancesConstants

Calls are methods decorated with ``@call(index)``; their type hints say how arguments are checked,
so the dispatcher can reject bad input with an error naming the field before the pallet runs.
Hooks are optional methods: ``on_initialize(n)``, ``on_finalize(n)``, ``on_new_session(index)``,
``on_new_era(era)``, ``on_runtime_upgrade(spec_version)``, ``build_genesis(config)``.
Pallets talk to each other only through the protocols in :mod:`runtime.traits`, wired by the
runtime (``runtime/construct.py``), never by reaching into each other's storage.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from typing import Any, Callable, ClassVar

from runtime.codec import Codec, ParamError, codec_of
from runtime.errors import ErrorSet
from runtime.events import EventRecord, EventSet
from runtime.storage import PalletStorage

if typing.TYPE_CHECKING:
    from runtime.context import RuntimeContext


class CallMeta:
    __slots__ = ("index", "extension", "weight", "pays_fee")

    def __init__(self, index: int | None, extension: bool, weight: int, pays_fee: bool) -> None:
        self.index = index
        self.extension = extension
        self.weight = weight
        self.pays_fee = pays_fee


def call(index: int | None = None, *, extension: bool = False, weight: int = 100_000_000, pays_fee: bool = True) -> Callable:
    """Mark a method as a dispatchable. ``index`` is its call index in the metadata;
    ``extension=True`` marks a simulator-only call (the real runtime does not have it)."""

    def deco(fn: Callable) -> Callable:
        fn.__call_meta__ = CallMeta(index, extension, weight, pays_fee)  # type: ignore[attr-defined]
        return fn

    return deco


class CallSpec:
    """A dispatchable's signature: argument names and codecs, plus how to invoke it."""

    __slots__ = ("pallet", "name", "index", "extension", "weight", "pays_fee", "arg_names", "codecs", "_args", "_n", "fn")

    def __init__(self, pallet: str, name: str, fn: Callable, meta: CallMeta) -> None:
        self.pallet = pallet
        self.name = name
        self.fn = fn
        self.index = meta.index
        self.extension = meta.extension
        self.weight = meta.weight
        self.pays_fee = meta.pays_fee
        hints = typing.get_type_hints(fn, include_extras=True)
        params = list(inspect.signature(fn).parameters)[2:]  # self, origin
        self.arg_names: tuple[str, ...] = tuple(params)
        self.codecs: tuple[Codec, ...] = tuple(codec_of(hints[p], f"{pallet}.{name}.{p}") for p in params)
        self._args = tuple(zip(self.arg_names, self.codecs))
        self._n = len(params)

    def decode(self, params: Any) -> tuple[Any, ...]:
        """Check and convert outside params (compose_call's ``call_params`` dict) to internal values."""
        if params is None:
            params = {}
        if type(params) is not dict:
            raise ParamError("call_params", f"{self.pallet}.{self.name} expects a dict of arguments {list(self.arg_names)}, got {type(params).__name__}")
        if len(params) != self._n:
            self._check_names(params)
        out = []
        for name, codec in self._args:
            try:
                value = params[name]
            except KeyError:
                self._check_names(params)
                raise
            out.append(codec.decode(value, name))
        return tuple(out)

    def _check_names(self, params: dict) -> None:
        for name in params:
            if name not in self.arg_names:
                raise ParamError(name, f"unknown argument of {self.pallet}.{self.name} (arguments: {list(self.arg_names)})")
        for name in self.arg_names:
            if name not in params:
                raise ParamError(name, f"missing argument of {self.pallet}.{self.name} (arguments: {list(self.arg_names)})")

    def encode(self, args: tuple[Any, ...]) -> dict[str, Any]:
        """Internal args back to compose_call's params dict."""
        return {name: codec.encode(v) for (name, codec), v in zip(self._args, args)}

    def __repr__(self) -> str:
        return f"<call {self.pallet}.{self.name}({', '.join(self.arg_names)})>"


_HOOKS = ("on_initialize", "on_finalize", "on_new_session", "on_new_era", "on_runtime_upgrade")


class Pallet:
    """Base of every pallet. Subclasses set the class attributes below."""

    name: ClassVar[str]
    index: ClassVar[int]
    Storage: ClassVar[type[PalletStorage] | None] = None
    Error: ClassVar[type[ErrorSet] | None] = None
    Event: ClassVar[type[EventSet] | None] = None
    Constants: ClassVar[type | None] = None
    __calls__: ClassVar[dict[str, CallSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__calls__ = {}

    @classmethod
    def call_specs(cls) -> dict[str, CallSpec]:
        """Dispatchables of this pallet (built lazily: type hints may refer to later modules)."""
        if not cls.__calls__ and "name" in cls.__dict__:
            specs = {}
            for klass in reversed(cls.__mro__):
                for attr, fn in vars(klass).items():
                    meta = getattr(fn, "__call_meta__", None)
                    if meta is not None:
                        specs[attr] = CallSpec(cls.name, attr, fn, meta)
            cls.__calls__ = specs
        return cls.__calls__

    def __init__(self, ctx: "RuntimeContext", constants: Any = None) -> None:
        self.ctx = ctx
        self.consts = constants if constants is not None else (self.Constants() if self.Constants else None)
        self.storage: Any = self.Storage(ctx.db) if self.Storage is not None else None

    # --- helpers for pallet code
    def deposit_event(self, record: EventRecord) -> None:
        self.ctx.deposit_event(record)

    @property
    def block_number(self) -> int:
        return self.ctx.block_number()

    def has_hook(self, hook: str) -> bool:
        return getattr(type(self), hook, None) is not getattr(Pallet, hook, None)

    # --- hooks (overridden as needed)
    def build_genesis(self, config: Any) -> None:
        """Write this pallet's genesis storage from the runtime's genesis config."""

    def on_initialize(self, n: int) -> None:  # pragma: no cover - default no-op
        pass

    def on_finalize(self, n: int) -> None:  # pragma: no cover - default no-op
        pass

    def on_new_session(self, index: int) -> None:  # pragma: no cover - default no-op
        pass

    def on_new_era(self, era: int) -> None:  # pragma: no cover - default no-op
        pass

    def on_runtime_upgrade(self, spec_version: int) -> None:  # pragma: no cover - default no-op
        pass


#: the widest unsigned type a chain constant of this runtime has (balances: u128)
_CONSTANT_LIMIT = 1 << 128


@functools.lru_cache(maxsize=None)
def constant_codecs(constants_cls: type) -> dict[str, Any]:
    """Each constant's declared chain type (the codec of its ``U32``/``U128``/``Perbill``...
    annotation), by name: what an override must fit, as the real constant's type bounds it.
    Constants annotated with a plain Python type (a pallet an author added) are absent."""
    hints = typing.get_type_hints(constants_cls, include_extras=True)
    out = {}
    for name, hint in hints.items():
        for meta in getattr(hint, "__metadata__", ()):
            if hasattr(meta, "max") and hasattr(meta, "type_name"):
                out[name] = meta
    return out


def check_constant(default: Any, value: Any, path: str, codec: Any = None) -> None:
    """Refuse a constant override the pallet could not run with: one of another type than the
    constant's (a string for a number, 1 for a flag) or a number its chain type does not hold
    (``codec``: a u32 delay of 2^40 blocks, a Perbill above 100 %; without a declared type, any
    unsigned number below 2^128). A negative delay would make an operator leave before it asked
    to. Raises ParamError naming ``path``."""
    from runtime.codec import _describe

    if type(default) is bool:
        if type(value) is not bool:
            raise ParamError(path, f"expected true or false, got {_describe(value)}")
    elif type(default) is int:
        if type(value) is not int:
            raise ParamError(path, f"expected an unsigned integer, got {_describe(value)}")
        shown = value if abs(value) < 10**40 else _describe(value)
        if codec is not None:
            if not 0 <= value <= codec.max:
                unit = "" if codec.type_name.startswith("u") else " parts (= 100 %)"
                raise ParamError(path, f"a {codec.type_name} constant is an integer from 0 to {codec.max:,}{unit}, got {shown}")
        elif not 0 <= value < _CONSTANT_LIMIT:
            raise ParamError(path, f"a chain constant is an unsigned integer below 2^128, got {shown}")
    elif type(value) is not type(default):
        raise ParamError(path, f"expected {type(default).__name__} like the default {default!r}, got {_describe(value)}")


def constants_with(constants: Any, overrides: dict[str, Any], path: str | None = None) -> Any:
    """A copy of a pallet's frozen constants dataclass with some values replaced (checked names and
    values: :func:`check_constant`). ``path`` names the pallet's section in error messages
    (``constants.MultiAssetDelegation``)."""
    path = path or type(constants).__name__
    if not isinstance(overrides, dict):
        raise ParamError(path, f"expected a mapping of constant names to values, got {type(overrides).__name__}")
    names = {f.name for f in dataclasses.fields(constants)}
    unknown = set(overrides) - names
    if unknown:
        raise ParamError(path, f"unknown constant(s) {sorted(map(str, unknown))} (known: {sorted(names)})")
    codecs = constant_codecs(type(constants))
    for name, value in overrides.items():
        check_constant(getattr(constants, name), value, f"{path}.{name}", codecs.get(name))
    return dataclasses.replace(constants, **overrides)
