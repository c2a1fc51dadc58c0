"""Operator behaviours: what a simulated operator does with a job call.

A behaviour turns "the honest result of this call" (a thunk: calling it runs the handler; it
raises ``NoResult`` when the handler has nothing to submit) and the call's ``JobContext`` into a plan: a list of ``(delay_blocks,
result)`` submissions (empty = submit nothing), and says whether the operator sends heartbeats.
Behaviours are deterministic: ``Faulty`` draws from an RNG seeded per operator, so a run is
reproducible and two faulty operators do not fail in lockstep.

* :class:`Honest`       submits the handler's result in the same block.
* :class:`Slow`         submits it ``k`` blocks later.
* :class:`Offline`      submits nothing and sends no heartbeats.
* :class:`Faulty`       with probability ``p`` submits a wrong result (the honest one, corrupted).
* :class:`Malicious`    equivocates: submits the honest result and then a conflicting one.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, Callable

from pallets.services.types import Field, FieldType

if TYPE_CHECKING:
    from blueprints.types import JobContext

Plan = list[tuple[int, tuple[Field, ...]]]


class Behaviour:
    """Base: override :meth:`plan`. ``heartbeats`` says whether the operator sends them."""

    heartbeats = True
    runs_handler = True  # False: the handler is not even run (an offline machine computes nothing)

    def bind(self, operator: str) -> "Behaviour":
        """Called once per operator (seeds per-operator state). Returns the behaviour to use."""
        return self

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class Honest(Behaviour):
    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return [(0, honest())]


class Slow(Behaviour):
    """Submits the honest result ``k`` blocks after the call."""

    def __init__(self, k: int) -> None:
        if k < 0:
            raise ValueError("k must be >= 0")
        self.k = k

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return [(self.k, honest())]

    def __repr__(self) -> str:
        return f"Slow({self.k})"


class Offline(Behaviour):
    heartbeats = False
    runs_handler = False

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return []


class Faulty(Behaviour):
    """With probability ``p`` (per call) submits a corrupted result instead of the honest one.

    The RNG is seeded with ``(seed, operator)``: reproducible, independent across operators."""

    def __init__(self, p: float, seed: int = 0) -> None:
        if not (0.0 <= p <= 1.0):
            raise ValueError("p must be in [0, 1]")
        self.p = p
        self.seed = seed
        self.rng: random.Random | None = None

    def bind(self, operator: str) -> "Faulty":
        bound = Faulty(self.p, self.seed)
        digest = hashlib.sha256(f"{self.seed}/{operator}".encode()).digest()
        bound.rng = random.Random(int.from_bytes(digest[:8], "big"))
        return bound

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        if self.rng is None:
            raise RuntimeError("Faulty must be bound to an operator (OperatorNetwork does it)")
        result = honest()
        if self.rng.random() < self.p:
            return [(0, corrupt_all(result, self.rng))]
        return [(0, result)]

    def __repr__(self) -> str:
        return f"Faulty(p={self.p}, seed={self.seed})"


class Malicious(Behaviour):
    """Equivocates: the honest result, then (``gap`` blocks later) a conflicting one for the same call."""

    def __init__(self, gap: int = 0, seed: int = 0) -> None:
        self.gap = gap
        self.seed = seed

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        result = honest()
        rng = random.Random(self.seed * 1_000_003 + ctx.call_id)
        return [(0, result), (self.gap, corrupt_all(result, rng))]

    def __repr__(self) -> str:
        return f"Malicious(gap={self.gap})"


# ------------------------------------------------------------------------------ corrupting values
_INT_RANGES = {"Uint8": (0, 255), "Uint16": (0, 2**16 - 1), "Uint32": (0, 2**32 - 1), "Uint64": (0, 2**64 - 1),
               "Int8": (-128, 127), "Int16": (-(2**15), 2**15 - 1), "Int32": (-(2**31), 2**31 - 1), "Int64": (-(2**63), 2**63 - 1)}


def corrupt_all(result: tuple[Field, ...], rng: random.Random) -> tuple[Field, ...]:
    """A result that differs from ``result`` but still type-checks (so the chain accepts it and only
    the manager can notice). A result with no fields cannot be wrong: it is returned unchanged."""
    if not result:
        return result
    i = rng.randrange(len(result))
    return result[:i] + (corrupt(result[i], rng),) + result[i + 1:]


def corrupt(value: Field, rng: random.Random) -> Field:
    """A different value of the same declared type (always different: never a no-op)."""
    name = value.name
    if name in _INT_RANGES:
        lo, hi = _INT_RANGES[name]
        delta = rng.randint(1, 1_000)
        v = value.value + delta
        if v > hi:
            v = value.value - delta if value.value - delta >= lo else (lo if value.value != lo else hi)
        return Field(name, v)
    if name == "Bool":
        return Field.Bool(not value.value)
    if name == "String":
        return Field.String(value.value + "!" if len(value.value) < 1024 else "!" + value.value[1:])
    if name == "AccountId":
        from runtime.accounts import derive_account

        return Field.AccountId(derive_account(f"corrupt/{value.value}/{rng.random()}"))
    if name == "Optional":
        ty, inner = value.value
        if inner is None:
            return Field.Optional((ty, _default_of(ty)))
        return Field.Optional((ty, None))
    if name in ("List", "Array"):
        ty, items = value.value
        if items:
            i = rng.randrange(len(items))
            return Field(name, (ty, items[:i] + (corrupt(items[i], rng),) + items[i + 1:]))
        if name == "List":
            return Field.List((ty, (_default_of(ty),)))
        return value  # an empty array has exactly one value
    # Struct
    sname, fields = value.value
    if not fields:
        return value
    i = rng.randrange(len(fields))
    return Field.Struct((sname, fields[:i] + ((fields[i][0], corrupt(fields[i][1], rng)),) + fields[i + 1:]))


def _default_of(ty: FieldType) -> Field:
    """Some value of type ``ty`` (for turning None / [] into something)."""
    name = ty.name
    if name in _INT_RANGES:
        return Field(name, 0)
    if name == "Bool":
        return Field.Bool(False)
    if name == "String":
        return Field.String("")
    if name == "AccountId":
        from runtime.accounts import DEV_ACCOUNTS

        return Field.AccountId(DEV_ACCOUNTS["Alice"])
    if name == "Optional":
        return Field.Optional((ty.value, None))
    if name == "List":
        return Field.List((ty.value, ()))
    if name == "Array":
        n, elem = ty.value
        return Field.Array((elem, tuple(_default_of(elem) for _ in range(n))))
    if name == "Struct":
        return Field.Struct(("Struct", tuple((f"f{i}", _default_of(t)) for i, t in enumerate(ty.value))))
    raise ValueError(f"no value of type {ty!r}")
