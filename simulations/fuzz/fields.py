"""Job arguments and results drawn at random to match a job's field types (no Hypothesis).

A ``Services.call`` or ``submit_result`` with arguments drawn field by field from the call's codec
almost never matches the job's declared types, so the engine would only ever reach ``TypeCheck``
and never run a user's job or manager hooks. These draw a value of each declared type (boundaries
half the time), in the shape ``rt.dispatch`` takes.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from pallets.services.types.field import INT_RANGES as _INT_RANGES
from pallets.services.types.field import Field, FieldType
from runtime.codec import codec_of
_FIELDS = codec_of(tuple[Field, ...], "value")


def random_field(rng: random.Random, ty: FieldType, accounts: Sequence[str], depth: int = 0) -> Field:
    """A value matching ``ty`` by the chain's rule (``pallets.services.types.field.matches``)."""
    name = ty.name
    if name == "Bool":
        return Field.Bool(rng.random() < 0.5)
    if name in _INT_RANGES:
        lo, hi = _INT_RANGES[name]
        value = rng.choice((lo, hi, max(lo, 0), 1)) if rng.random() < 0.5 else rng.randint(max(lo, -1000), min(hi, 1000))
        return getattr(Field, name)(value)
    if name == "String":
        return Field.String(rng.choice(("", "a", "job", "ünïcødé")))
    if name == "AccountId":
        return Field.AccountId(rng.choice(list(accounts)))
    if name == "Optional":
        inner = ty.value
        return Field.Optional((inner, None if rng.random() < 0.3 or depth > 3 else random_field(rng, inner, accounts, depth + 1)))
    if name == "List":
        inner = ty.value
        n = 0 if depth > 3 else rng.randint(0, 3)
        return Field.List((inner, tuple(random_field(rng, inner, accounts, depth + 1) for _ in range(n))))
    if name == "Array":
        length, inner = ty.value
        return Field.Array((inner, tuple(random_field(rng, inner, accounts, depth + 1) for _ in range(length))))
    if name == "Struct":
        parts = tuple((f"f{i}", random_field(rng, t, accounts, depth + 1)) for i, t in enumerate(ty.value))
        return Field.Struct(("S", parts))
    raise ValueError(f"no value matches the field type {ty!r}")


def random_fields(rng: random.Random, types: Sequence[FieldType], accounts: Sequence[str]) -> list[Any]:
    """One matching value per type, encoded for ``rt.dispatch`` (and a call log)."""
    values = tuple(random_field(rng, t, accounts) for t in types)
    return _FIELDS.encode(values) if values else []
