"""How a manager turns several operators' results for one call into one accepted result.

The chain itself never compares results (v1 stores the last one; v2 only counts them). A manager
that wants "k operators agree" or "the median of the prices" must do it in ``on_job_result``;
these policies are that decision, kept separate from the bookkeeping so authors can pick one per
job (``ServiceManager(Median(...), per_job={1: Quorum(3)})``) or write their own.

The protocol (what :class:`~blueprints.manager.ServiceManager` calls):

* :meth:`Aggregation.settle` ``(first, operators)`` — ``first`` maps each operator's SS58 address
  to its *first* result for the call (a tuple of ``Field`` s; an operator counts once, so
  equivocation cannot buy a quorum), in submission order; ``operators`` is the size of the
  service's operator set. Return ``None`` while undecided, else a :class:`Decision`: the accepted
  result and ``{operator: reason}`` for every operator to report (each becomes a ``Fault`` of kind
  :attr:`Aggregation.fault_kind`). Called after every new first result until it decides.
* :meth:`Aggregation.judge` ``(result, accepted)`` — a first result that arrives after the decision:
  return a reason to report it, or ``None`` if it is acceptable.

Counting policies only implement :meth:`Aggregation.required` (the first result that many
operators submitted wins; every other answer is a ``mismatch``). Tolerant policies
(:class:`Median`, :class:`Mean`) compare one integer of the result within a :class:`Tolerance`
and report the answers outside it as ``outlier`` s.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, NamedTuple, Sequence

from pallets.services.types import Field

Result = tuple[Field, ...]
_INTS = {"Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64"}


class Decision(NamedTuple):
    """An accepted result and the operators to report, with why."""

    result: Result
    faults: dict[str, str]


class Aggregation:
    """Base policy: implement :meth:`required` (a counting policy) or override :meth:`settle` and
    :meth:`judge` for anything else (see the module doc)."""

    fault_kind = "mismatch"

    def settle(self, first: Mapping[str, Result], operators: int) -> Decision | None:
        tallies: dict[Result, int] = {}
        for r in first.values():
            tallies[r] = tallies.get(r, 0) + 1
        winner = self.decide(list(tallies.items()), operators)
        if winner is None:
            return None
        return Decision(winner, {op: "disagrees with the accepted result" for op, r in first.items() if r != winner})

    def judge(self, result: Result, accepted: Result) -> str | None:
        return None if result == accepted else "disagrees with the accepted result"

    def decide(self, tallies: Sequence[tuple[Any, int]], operators: int) -> Any | None:
        """The accepted result among ``tallies`` ((result, count) in first-seen order), or None
        while undecided. ``operators`` is the size of the service's operator set."""
        need = self.required(operators)
        for result, count in tallies:
            if count >= need:
                return result
        return None

    def required(self, operators: int) -> int:
        """How many matching results this policy needs for ``operators`` operators (for display and for v2's
        ``getRequiredResultCount``)."""
        raise NotImplementedError


class FirstResult(Aggregation):
    """v1's behaviour: the first result is the result."""

    def decide(self, tallies: Sequence[tuple[Any, int]], operators: int) -> Any | None:
        return tallies[0][0] if tallies else None

    def required(self, operators: int) -> int:
        return 1

    def __repr__(self) -> str:
        return "FirstResult()"


class Quorum(Aggregation):
    """Accept a result once exactly-equal answers from ``k`` operators are in (IncredibleSquaring's
    ``consensus_square``)."""

    def __init__(self, k: int) -> None:
        if k < 1:
            raise ValueError("a quorum needs at least one result")
        self.k = k

    def required(self, operators: int) -> int:
        return self.k

    def __repr__(self) -> str:
        return f"Quorum({self.k})"


class Threshold(Aggregation):
    """Accept a result once at least ``percent`` % of the service's operators submitted it
    (a count-based signature threshold, like v2's default 6,700 bps)."""

    def __init__(self, percent: int) -> None:
        if not (0 < percent <= 100):
            raise ValueError("percent must be in (0, 100]")
        self.percent = percent

    def required(self, operators: int) -> int:
        return max(1, -(-self.percent * operators // 100))

    def __repr__(self) -> str:
        return f"Threshold({self.percent}%)"


class Majority(Aggregation):
    """Accept a result once more than half of the service's operators submitted it (Rocket Pool's
    oracle DAO consensus)."""

    def required(self, operators: int) -> int:
        return operators // 2 + 1

    def __repr__(self) -> str:
        return "Majority()"


# ------------------------------------------------------------------------------ tolerant policies
class Tolerance(NamedTuple):
    """How far a value may be from the reference: ``relative`` (a fraction: 0.05 = 5 %) and/or
    ``absolute`` (base units). A value is inside when it is inside either bound that is set."""

    relative: Fraction | None = None
    absolute: int | None = None

    @classmethod
    def of(cls, relative: float | Fraction | str | None = None, absolute: int | None = None) -> "Tolerance":
        if relative is None and absolute is None:
            raise ValueError("a tolerance needs relative= (e.g. 0.05 for 5 %) or absolute= (base units)")
        rel = None
        if relative is not None:
            rel = Fraction(str(relative)) if isinstance(relative, float) else Fraction(relative)
            if rel < 0:
                raise ValueError(f"relative tolerance must be >= 0, got {relative}")
        if absolute is not None and (isinstance(absolute, bool) or not isinstance(absolute, int) or absolute < 0):
            raise ValueError(f"absolute tolerance must be an int >= 0 (base units), got {absolute!r}")
        return cls(rel, absolute)

    def outside(self, value: int, reference: int) -> str | None:
        """Why ``value`` is outside the tolerance around ``reference`` (None when inside). Exact:
        integers and fractions only."""
        gap = abs(value - reference)
        if self.absolute is not None and gap <= self.absolute:
            return None
        if self.relative is not None and gap <= self.relative * abs(reference):
            return None
        if reference:
            pct = float(Fraction(gap * 100, abs(reference)))
            return f"{value} deviates {pct:.1f}% from {reference}"
        return f"{value} deviates {gap} from {reference}"

    def __repr__(self) -> str:
        parts = ([f"relative={float(self.relative):g}"] if self.relative is not None else []) + (
            [f"absolute={self.absolute}"] if self.absolute is not None else [])
        return "Tolerance(" + ", ".join(parts) + ")"


def number_at(result: Result, field: str | int | None) -> int:
    """The integer a tolerant policy compares: the result's only integer field (``field=None``),
    field ``i`` of the result, or the struct member named ``field`` of the result's first field."""
    if isinstance(field, int):
        value = result[field]
    elif field is None:
        ints = [f for f in result if f.name in _INTS]
        if len(ints) != 1:
            raise ValueError(f"the result has {len(ints)} integer fields; name the one to compare with field=")
        value = ints[0]
    else:
        if not result or result[0].name != "Struct":
            raise ValueError(f"field={field!r} names a struct member but the result's first field is {result[0].name if result else 'missing'}")
        members = dict(result[0].value[1])
        if field not in members:
            raise ValueError(f"the result struct has no member {field!r} (members: {', '.join(members)})")
        value = members[field]
    if value.name not in _INTS:
        raise ValueError(f"compared field is {value.name}, not an integer")
    return int(value.value)


def with_number(result: Result, field: str | int | None, number: int) -> Result:
    """``result`` with the compared integer replaced by ``number`` (same field type)."""
    if isinstance(field, int) or field is None:
        i = field if isinstance(field, int) else next(i for i, f in enumerate(result) if f.name in _INTS)
        return result[:i] + (Field(result[i].name, number),) + result[i + 1:]
    name, members = result[0].value
    new = tuple((k, Field(v.name, number) if k == field else v) for k, v in members)
    return (Field.Struct((name, new)),) + result[1:]


class _Tolerant(Aggregation):
    fault_kind = "outlier"

    def __init__(self, k: int | None = None, *, relative: float | Fraction | str | None = None, absolute: int | None = None,
                 field: str | int | None = None) -> None:
        if k is not None and k < 1:
            raise ValueError("k must be >= 1 (or None: a majority of the service's operators)")
        self.k = k
        self.tolerance = Tolerance.of(relative, absolute)
        self.field = field

    def required(self, operators: int) -> int:
        return self.k if self.k is not None else operators // 2 + 1

    def settle(self, first: Mapping[str, Result], operators: int) -> Decision | None:
        if len(first) < self.required(operators):
            return None
        values = {op: number_at(r, self.field) for op, r in first.items()}
        accepted = self.accept(first, values)
        reference = number_at(accepted, self.field)
        faults = {op: why for op, v in values.items() if (why := self.tolerance.outside(v, reference)) is not None}
        return Decision(accepted, faults)

    def judge(self, result: Result, accepted: Result) -> str | None:
        return self.tolerance.outside(number_at(result, self.field), number_at(accepted, self.field))

    def accept(self, first: Mapping[str, Result], values: Mapping[str, int]) -> Result:
        raise NotImplementedError

    def _repr(self, name: str) -> str:
        k = "" if self.k is None else f"{self.k}, "
        field = "" if self.field is None else f", field={self.field!r}"
        return f"{name}({k}{self.tolerance!r}{field})"


class Median(_Tolerant):
    """Once ``k`` operators answered (default: a majority), accept the answer holding the median
    of the compared integer (the lower median for an even count: always a real submission) and
    report every answer outside ``relative`` / ``absolute`` of it as an ``outlier``. An outlier
    moves the median at most one rank, so fewer than half faulty answers cannot move it outside
    the honest range."""

    def accept(self, first: Mapping[str, Result], values: Mapping[str, int]) -> Result:
        order = sorted(first, key=lambda op: (values[op], list(first).index(op)))
        return first[order[(len(order) - 1) // 2]]

    def __repr__(self) -> str:
        return self._repr("Median")


class Mean(_Tolerant):
    """Like :class:`Median`, but the accepted value is the mean (rounded down) of the answers
    inside the tolerance around the median (outliers do not drag it); the rest of the accepted
    result is the median answer's."""

    def accept(self, first: Mapping[str, Result], values: Mapping[str, int]) -> Result:
        median = Median.accept(self, first, values)  # type: ignore[arg-type]
        ref = number_at(median, self.field)
        inliers = [v for v in values.values() if self.tolerance.outside(v, ref) is None]
        return with_number(median, self.field, sum(inliers) // len(inliers))

    def __repr__(self) -> str:
        return self._repr("Mean")
