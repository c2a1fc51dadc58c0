"""Events, declared per pallet with their real names and fields.

A pallet's ``events.py`` lists its ``#[pallet::event]`` variants with field names and types::

    class Event(EventSet, pallet="Balances"):
        Transfer = {"from": AccountId, "to": AccountId, "amount": Balance}

``Event.Transfer(src, dst, amount)`` (positional, in declared order, or by keyword with a trailing
underscore for Python keywords: ``from_=``) builds an :class:`EventRecord`. Records keep internal
values and render substrate-interface's ``EventRecord.value`` shape on demand.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

from runtime.codec import Codec, codec_of


class EventSpec:
    """One event variant: its pallet, name and (field name, codec) pairs."""

    __slots__ = ("pallet", "name", "qualified", "fields", "codecs", "index", "_positions", "extension")

    def __init__(self, pallet: str, name: str, fields: dict[str, Any], index: int | None, extension: bool = False) -> None:
        self.extension = extension  # a simulator-only event (not in the real metadata)
        self.pallet = pallet
        self.name = name
        self.qualified = f"{pallet}.{name}"  # ``EventRecord.name``, read for every event a fuzz step deposits
        self.fields: tuple[str, ...] = tuple(fields)
        self.codecs: tuple[Codec, ...] = tuple(codec_of(t, f"{pallet}.{name}.{f}") for f, t in fields.items())
        self.index = index
        self._positions = {f: i for i, f in enumerate(self.fields)}

    def __call__(self, *args: Any, **kwargs: Any) -> "EventRecord":
        if kwargs:
            values = list(args) + [None] * (len(self.fields) - len(args))
            for key, value in kwargs.items():
                pos = self._positions.get(key.rstrip("_"))
                if pos is None:
                    raise TypeError(f"{self.pallet}.{self.name} has no field {key!r} (fields: {self.fields})")
                values[pos] = value
            args = tuple(values)
        elif len(args) != len(self.fields):
            raise TypeError(f"{self.pallet}.{self.name} takes {len(self.fields)} fields {self.fields}, got {len(args)}")
        return EventRecord(self, args)

    def __repr__(self) -> str:
        return f"<event {self.pallet}.{self.name}({', '.join(self.fields)})>"


class EventRecord:
    """An event deposited in a block, with where it happened (block, phase, extrinsic index)."""

    __slots__ = ("spec", "values", "block", "extrinsic_idx", "phase")

    def __init__(self, spec: EventSpec, values: tuple[Any, ...], block: int = 0, extrinsic_idx: int | None = None, phase: str = "Initialization") -> None:
        # (the position arguments: a batch of events deposited together is built at the position of
        # its first, deposited through the context, and appended after it: a slash deposits two
        # events per delegator of the operator)
        self.spec = spec
        self.values = values
        self.block = block
        self.extrinsic_idx = extrinsic_idx
        self.phase = phase

    @property
    def module_id(self) -> str:
        return self.spec.pallet

    @property
    def event_id(self) -> str:
        return self.spec.name

    @property
    def name(self) -> str:
        """``Pallet.Event``."""
        return self.spec.qualified

    @property
    def attributes(self) -> dict[str, Any]:
        """Field values as Python objects (SS58 strings, ints, enums, dataclasses)."""
        return dict(zip(self.spec.fields, self.values))

    def __getitem__(self, field: str) -> Any:
        return self.values[self.spec._positions[field]]

    def get(self, field: str, default: Any = None) -> Any:
        pos = self.spec._positions.get(field)
        return default if pos is None else self.values[pos]

    def encoded_attributes(self) -> dict[str, Any]:
        """Field values in substrate-interface's JSON-like shape."""
        return {f: c.encode(v) for f, c, v in zip(self.spec.fields, self.spec.codecs, self.values)}

    @property
    def value(self) -> dict[str, Any]:
        """The shape of ``substrateinterface.base.ExtrinsicReceipt.triggered_events[i].value``."""
        attrs = self.encoded_attributes()
        return {
            "phase": self.phase,
            "extrinsic_idx": self.extrinsic_idx,
            "event": {"module_id": self.spec.pallet, "event_id": self.spec.name, "attributes": attrs},
            "module_id": self.spec.pallet,
            "event_id": self.spec.name,
            "attributes": attrs,
            "topics": [],
        }

    def to_json(self) -> dict[str, Any]:
        """A compact, JSON-safe form for logs and reports."""
        return {"block": self.block, "extrinsic_idx": self.extrinsic_idx, "event": self.name, "attributes": self.encoded_attributes()}

    def matches(self, name: str, **attrs: Any) -> bool:
        """True if this is event ``name`` (``"Transfer"`` or ``"Balances.Transfer"``) with these field values."""
        if name not in (self.spec.name, self.name):
            return False
        return all(self.get(k.rstrip("_")) == v for k, v in attrs.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EventRecord) and other.spec is self.spec and other.values == self.values

    def __hash__(self) -> int:
        return hash((self.spec.pallet, self.spec.name))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={v!r}" for f, v in zip(self.spec.fields, self.values))
        return f"{self.name}({inner})"


def records_at(spec: EventSpec, values: Iterable[tuple[Any, ...]], block: int, extrinsic_idx: int | None, phase: str) -> list[EventRecord]:
    """``[EventRecord(spec, v, block, extrinsic_idx, phase) for v in values]``, each record made
    by ``object.__new__`` with its slots stored here: ``EventRecord.__init__`` only stores them,
    and calling a Python ``__init__`` per record was most of building one (a slash builds one per
    delegator of the operator, an era change one per operator). The values are the spec's fields
    in order (not checked: the caller builds them so); the position is the context's
    (``RuntimeContext.event_position``), where the records are then appended."""
    new = object.__new__
    out: list[EventRecord] = []
    push = out.append
    for v in values:
        record = new(EventRecord)
        record.spec, record.values, record.block, record.extrinsic_idx, record.phase = spec, v, block, extrinsic_idx, phase
        push(record)
    return out


class EventSet:
    """A pallet's ``#[pallet::event]`` enum: class attributes become :class:`EventSpec`s.

    A value is a dict of fields, or ``(index, {fields})`` to pin the metadata index. Names listed in
    ``__extensions__`` are simulator-only events (the conformance check reports them separately)."""

    __pallet__: ClassVar[str]
    __events__: ClassVar[dict[str, EventSpec]]
    __extensions__: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, pallet: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__pallet__ = pallet
        cls.__events__ = {}
        for name, value in list(vars(cls).items()):
            if name.startswith("_"):
                continue
            index = None
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
                index, value = value
            if isinstance(value, dict):
                spec = EventSpec(pallet, name, value, index, extension=name in cls.__extensions__)
                cls.__events__[name] = spec
                setattr(cls, name, spec)
