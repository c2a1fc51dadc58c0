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
* :class:`Malicious`    equivocates: submits the honest result and then a conflicting one
  (:class:`Equivocating` is the same behaviour under its fault's name).
* :class:`Deviating`    with probability ``p`` moves the result's compared integer by ``relative``
  (0.2 = 20 %) or ``absolute`` base units: a price feed that is off, not a random bit flip.
* :class:`Stale`        with probability ``p`` submits its previous answer to the same job (last
  round's price) instead of the current one.
* :class:`Intermittent` liveness as a Markov chain over online / spotty / offline, stepped every
  block (after the Cosmos SDK simulator's liveness model): online answers and heartbeats, spotty
  does each with probability ``spotty``, offline does neither.

Late answers are :class:`Slow` (``k`` blocks after the call); a manager with ``deadline=`` reports
and ignores answers that arrive later than that. Every random behaviour draws from an RNG seeded
with ``(seed, operator)``: two operators with the same behaviour do not fail in lockstep, and a run
is reproducible.
"""

from __future__ import annotations

import copy
import hashlib
import random
from fractions import Fraction
from typing import TYPE_CHECKING, Callable

from pallets.services.types import Field, FieldType
from pallets.services.types.field import INT_RANGES as _INT_RANGES

if TYPE_CHECKING:
    from blueprints.types import JobContext

Plan = list[tuple[int, tuple[Field, ...]]]


class Behaviour:
    """Base: override :meth:`plan`. ``heartbeats`` says whether the operator sends them."""

    heartbeats = True
    runs_handler = True  # False: the handler is not even run (an offline machine computes nothing)
    run_seed = 0  # the harness's seed (set by :meth:`in_run`); 0: the behaviour's own seed alone

    def in_run(self, run_seed: int) -> "Behaviour":
        """This behaviour in a harness run with ``seed=run_seed``: its random draws depend on the
        run's seed as well as its own, so runs with other harness seeds are independent replications
        (a new user varied the harness seed and got the same faults every time). Seed 0 keeps the
        draws the behaviour's own seed gives. A custom behaviour seeds its RNGs from
        :meth:`draw_seed` to follow the harness seed too."""
        if not run_seed:
            return self
        bound = copy.copy(self)
        bound.run_seed = run_seed
        return bound

    def draw_seed(self) -> int | str:
        """What this behaviour's RNGs are seeded from: its own ``seed``, with the run's mixed in."""
        seed = getattr(self, "seed", 0)
        return seed if not self.run_seed else f"run{self.run_seed}/{seed}"

    def sends_heartbeat(self, block: int) -> bool:
        """Whether the operator sends a heartbeat due at ``block`` (default: :attr:`heartbeats`)."""
        return self.heartbeats

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
    """A machine that is down: no handler run, no answer, no heartbeat. ``Offline(start=, end=)`` is
    down only in blocks ``start <= block < end`` (an outage; ``end=None``: never back) and honest
    outside it, so its era rewards and quorums show the gap."""

    heartbeats = False
    runs_handler = False

    def __init__(self, start: int | None = None, end: int | None = None) -> None:
        for name, value in (("start", start), ("end", end)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"Offline.{name} must be a block number (int >= 0) or None, got {value!r:.60}")
        if start is not None and end is not None and end <= start:
            raise ValueError(f"Offline.end must be after start, got start={start}, end={end}")
        self.start, self.end = start, end
        if start is not None or end is not None:  # an outage: the machine runs outside it
            self.heartbeats = self.runs_handler = True

    def down_at(self, block: int) -> bool:
        return (self.start is None or block >= self.start) and (self.end is None or block < self.end)

    def sends_heartbeat(self, block: int) -> bool:
        return self.heartbeats and not self.down_at(block)

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return [] if self.down_at(ctx.block_number) else [(0, honest())]

    def __repr__(self) -> str:
        if self.start is None and self.end is None:
            return "Offline()"
        return f"Offline(start={self.start}, end={self.end})"


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
        bound.run_seed = self.run_seed
        digest = hashlib.sha256(f"{self.draw_seed()}/{operator}".encode()).digest()
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
        rng = random.Random(self.seed * 1_000_003 + ctx.call_id if not self.run_seed else f"{self.draw_seed()}/{ctx.call_id}")
        return [(0, result), (self.gap, corrupt_all(result, rng))]

    def __repr__(self) -> str:
        return f"Malicious(gap={self.gap})"


Equivocating = Malicious


class PerJob(Behaviour):
    """A different behaviour per job (``PerJob({2: Deviating(0.5)})``: honest, except that it
    inflates job 2's answers). Heartbeats and liveness follow ``default``."""

    def __init__(self, jobs: dict[int, Behaviour], default: Behaviour | None = None) -> None:
        self.jobs = dict(jobs)
        self.default = default if default is not None else Honest()
        self.heartbeats = self.default.heartbeats
        self.runs_handler = self.default.runs_handler

    def bind(self, operator: str) -> "PerJob":
        return PerJob({j: b.bind(operator) for j, b in self.jobs.items()}, self.default.bind(operator))

    def in_run(self, run_seed: int) -> "PerJob":
        return PerJob({j: b.in_run(run_seed) for j, b in self.jobs.items()}, self.default.in_run(run_seed))

    def sends_heartbeat(self, block: int) -> bool:
        return self.default.sends_heartbeat(block)

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return self.jobs.get(ctx.job, self.default).plan(honest, ctx)

    def __repr__(self) -> str:
        jobs = ", ".join(f"{j}: {b!r}" for j, b in sorted(self.jobs.items()))
        return f"PerJob({{{jobs}}}, default={self.default!r})"


def seeded_rng(seed: int | str, operator: str, salt: str = "") -> random.Random:
    """An RNG for one operator: independent across operators, reproducible across runs and machines."""
    digest = hashlib.sha256(f"{seed}/{operator}/{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class _Seeded(Behaviour):
    """A behaviour with a per-operator RNG (``bind`` copies it with its own RNG)."""

    seed: int
    operator: str = ""
    rng: random.Random | None = None

    def bind(self, operator: str) -> "Behaviour":
        bound = copy.copy(self)
        bound.operator = operator
        bound.rng = seeded_rng(self.draw_seed(), operator, type(self).__name__)
        bound.__dict__.update({k: copy.copy(v) for k, v in self.__dict__.items() if isinstance(v, (dict, list))})
        return bound

    def _rng(self) -> random.Random:
        if self.rng is None:
            raise RuntimeError(f"{type(self).__name__} must be bound to an operator (OperatorNetwork does it)")
        return self.rng


class Deviating(_Seeded):
    """With probability ``p`` per call, submits the honest result with its compared integer moved by
    ``relative`` (a fraction of it: 0.2 = 20 %) or by ``absolute`` base units. ``direction`` is +1
    (up), -1 (down) or 0 (each time at random). ``field`` picks the integer as the tolerant
    aggregations do (``None``: the only integer field; ``"price"``: a struct member). The value is
    clamped to its type's range."""

    def __init__(self, relative: float | Fraction | str | None = None, *, absolute: int | None = None, p: float = 1.0,
                 direction: int = 1, field: str | int | None = None, seed: int = 0) -> None:
        if (relative is None) == (absolute is None):
            raise ValueError("Deviating needs exactly one of relative= (0.2 = 20 %) or absolute= (base units)")
        if not (0.0 <= p <= 1.0):
            raise ValueError("p must be in [0, 1]")
        if direction not in (-1, 0, 1):
            raise ValueError("direction must be +1, -1 or 0 (random)")
        self.relative = None if relative is None else (Fraction(str(relative)) if isinstance(relative, float) else Fraction(relative))
        if self.relative is not None and self.relative < 0:
            raise ValueError("relative must be >= 0")
        if absolute is not None and (isinstance(absolute, bool) or not isinstance(absolute, int) or absolute < 0):
            raise ValueError("absolute must be an int >= 0 (base units)")
        self.absolute = absolute
        self.p, self.direction, self.field, self.seed = p, direction, field, seed

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        from blueprints.aggregation import number_at, with_number

        rng = self._rng()
        result = honest()
        if rng.random() >= self.p:
            return [(0, result)]
        value = number_at(result, self.field)
        step = self.absolute if self.absolute is not None else int(abs(value) * self.relative)  # type: ignore[operator]
        sign = self.direction or rng.choice((-1, 1))
        kind = _kind_at(result, self.field)
        lo, hi = _INT_RANGES[kind]
        return [(0, with_number(result, self.field, min(max(value + sign * step, lo), hi)))]

    def __repr__(self) -> str:
        amount = f"relative={float(self.relative):g}" if self.relative is not None else f"absolute={self.absolute}"
        return f"Deviating({amount}, p={self.p}, direction={self.direction})"


class Stale(_Seeded):
    """With probability ``p`` per call, submits its previous honest answer to the same job (what a
    feed that stopped updating sends); the first call of a job has nothing older and is honest."""

    def __init__(self, p: float = 1.0, seed: int = 0) -> None:
        if not (0.0 <= p <= 1.0):
            raise ValueError("p must be in [0, 1]")
        self.p, self.seed = p, seed
        self.last: dict[int, tuple[Field, ...]] = {}

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        rng = self._rng()
        current = honest()
        previous = self.last.get(ctx.job)
        self.last[ctx.job] = current
        if previous is not None and rng.random() < self.p:
            return [(0, previous)]
        return [(0, current)]

    def __repr__(self) -> str:
        return f"Stale(p={self.p})"


ONLINE, SPOTTY, OFFLINE = "online", "spotty", "offline"
# rows: from online / spotty / offline; columns: to online / spotty / offline (per block).
# The shape of the Cosmos SDK simulator's default liveness matrix (x/simulation): mostly stays put.
DEFAULT_LIVENESS = ((0.90, 0.06, 0.04), (0.10, 0.80, 0.10), (0.10, 0.10, 0.80))


class Intermittent(_Seeded):
    """Liveness as a Markov chain over online / spotty / offline, stepped once per block from
    ``start``. Online: answers every call and sends heartbeats. Spotty: each answer and heartbeat
    happens with probability ``spotty``. Offline: neither. ``states()`` replays the chain for
    assertions."""

    def __init__(self, matrix: tuple[tuple[float, float, float], ...] = DEFAULT_LIVENESS, *, spotty: float = 0.5,
                 start: str = ONLINE, seed: int = 0) -> None:
        if len(matrix) != 3 or any(len(r) != 3 or abs(sum(r) - 1.0) > 1e-9 or min(r) < 0 for r in matrix):
            raise ValueError("matrix must be 3x3 (online, spotty, offline) with non-negative rows summing to 1")
        if start not in (ONLINE, SPOTTY, OFFLINE):
            raise ValueError(f"start must be one of {ONLINE!r}, {SPOTTY!r}, {OFFLINE!r}")
        if not (0.0 <= spotty <= 1.0):
            raise ValueError("spotty must be in [0, 1]")
        self.matrix, self.spotty, self.start, self.seed = matrix, spotty, start, seed
        self.trace: list[str] = []  # state at block 0, 1, 2...

    def state_at(self, block: int) -> str:
        rng = self._rng()
        order = (ONLINE, SPOTTY, OFFLINE)
        if not self.trace:
            self.trace.append(self.start)
        while len(self.trace) <= block:
            row = self.matrix[order.index(self.trace[-1])]
            self.trace.append(rng.choices(order, weights=row)[0])
        return self.trace[block]

    def _acts(self, block: int, salt: str) -> bool:
        state = self.state_at(block)
        if state == SPOTTY:
            # a separate, block-keyed draw: asking twice about one block gives one answer
            return seeded_rng(self.draw_seed(), self.operator, f"{salt}/{block}").random() < self.spotty
        return state == ONLINE

    def sends_heartbeat(self, block: int) -> bool:
        return self._acts(block, "heartbeat")

    def plan(self, honest: Callable[[], tuple[Field, ...]], ctx: "JobContext") -> Plan:
        return [(0, honest())] if self._acts(ctx.block_number, f"call{ctx.call_id}") else []

    def states(self, upto: int) -> list[str]:
        self.state_at(upto)
        return self.trace[: upto + 1]

    def __repr__(self) -> str:
        return f"Intermittent(spotty={self.spotty}, start={self.start!r})"


def _kind_at(result: tuple[Field, ...], field: str | int | None) -> str:
    if isinstance(field, int):
        return result[field].name
    if field is None:
        return next(f.name for f in result if f.name in _INT_RANGES)
    return dict(result[0].value[1])[field].name


# ------------------------------------------------------------------------------ corrupting values


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
