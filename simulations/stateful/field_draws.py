"""Field types, job arguments and blueprints drawn one raw choice at a time.

The same shapes as the strategies in :mod:`simulations.stateful.strategies` (``field_types``,
``fields_for``, ``mismatching_fields_for``, ``service_blueprints``), written as functions of a
source of raw choices: anything with ``draw_integer(lo, hi)`` and ``draw_boolean()``, i.e. a
Hypothesis ``ConjectureData`` (``data.conjecture_data`` in a rule, still shrunk) or the
:class:`~simulations.stateful.selection.SeededChoices` a kit rule draws from. Why: the kit's Services
rules draw these at a fifth of their steps, and a strategy tree (lists, ``builds``, ``flatmap``,
``filter``) drawn through Hypothesis costs milliseconds per draw, more than the call it feeds; a
few integer draws cost microseconds.
"""

from __future__ import annotations

from typing import Any, Sequence

from pallets.services.types.blueprint import (
    EventDriven, JobDefinition, JobMetadata, MembershipModelType, PayOnce, PricingModel, ServiceBlueprint, ServiceMetadata,
    Subscription,
)
from pallets.services.types.field import INT_RANGES, Field, FieldType, matches
from runtime.accounts import DEV_ACCOUNTS

UNIT = 10**18
SCALARS: tuple[FieldType, ...] = tuple(FieldType.__units__[n] for n in (
    "Bool", "Uint8", "Int8", "Uint16", "Int16", "Uint32", "Int32", "Uint64", "Int64", "String", "AccountId"))
DEFAULT_ACCOUNTS: tuple[str, ...] = tuple(DEV_ACCOUNTS.values())
#: what a drawn String is made of: ASCII, a space, and characters that take 2-3 bytes in UTF-8
ALPHABET = "abcxyz019 _-üñ✓"
MAX_STRING = 12
#: how many values of another type ``mismatching_fields`` tries before it falls back to an extra field
_WRONG_ATTEMPTS = 8
MEMBERSHIPS: tuple[tuple[MembershipModelType, ...], ...] = (
    (MembershipModelType.Fixed,), (MembershipModelType.Dynamic,), (MembershipModelType.Fixed, MembershipModelType.Dynamic))
BLUEPRINT_NAMES = ("stress", "tss", "oracle", "bridge")
JOB_NAMES = ("keygen", "sign", "refresh", "work", "prove")


def _pick(cd: Any, items: Sequence[Any]) -> Any:
    return items[cd.draw_integer(0, len(items) - 1)]


def field_type(cd: Any, max_depth: int = 2) -> FieldType:
    """A scalar, or up to ``max_depth`` levels of Optional / List / Array (length 0-3) / Struct (1-3 fields)."""
    kind = cd.draw_integer(0, 4) if max_depth > 0 else 0
    if kind == 0:
        return _pick(cd, SCALARS)
    if kind == 1:
        return FieldType.Optional(field_type(cd, max_depth - 1))
    if kind == 2:
        return FieldType.List(field_type(cd, max_depth - 1))
    if kind == 3:
        length = cd.draw_integer(0, 3)
        return FieldType.Array((length, field_type(cd, max_depth - 1)))
    return FieldType.Struct(tuple(field_type(cd, max_depth - 1) for _ in range(cd.draw_integer(1, 3))))


def field(cd: Any, ty: FieldType, accounts: Sequence[str] = DEFAULT_ACCOUNTS) -> Field:
    """A value that matches ``ty`` by the chain's rule; integers at their bounds, zero, or anywhere."""
    name = ty.name
    if name == "Bool":
        return Field.Bool(bool(cd.draw_boolean()))
    bounds = INT_RANGES.get(name)
    if bounds is not None:
        lo, hi = bounds
        value = (lo, hi, max(lo, 0))[cd.draw_integer(0, 2)] if cd.draw_boolean() else cd.draw_integer(lo, hi)
        return getattr(Field, name)(value)
    if name == "String":
        return Field.String("".join(_pick(cd, ALPHABET) for _ in range(cd.draw_integer(0, MAX_STRING))))
    if name == "AccountId":
        return Field.AccountId(_pick(cd, accounts))
    if name == "Optional":
        inner = ty.value
        return Field.Optional((inner, field(cd, inner, accounts) if cd.draw_boolean() else None))
    if name == "List":
        inner = ty.value
        return Field.List((inner, tuple(field(cd, inner, accounts) for _ in range(cd.draw_integer(0, 3)))))
    if name == "Array":
        length, inner = ty.value
        return Field.Array((inner, tuple(field(cd, inner, accounts) for _ in range(length))))
    if name == "Struct":
        return Field.Struct(("S", tuple((f"f{i}", field(cd, t, accounts)) for i, t in enumerate(ty.value))))
    raise ValueError(f"no value matches the field type {ty!r}")


def fields(cd: Any, types: Sequence[FieldType], accounts: Sequence[str] = DEFAULT_ACCOUNTS) -> tuple[Field, ...]:
    """One matching value per type, in order: what the type checker must accept."""
    return tuple(field(cd, t, accounts) for t in types)


def mismatching_fields(cd: Any, types: Sequence[FieldType], accounts: Sequence[str] = DEFAULT_ACCOUNTS) -> tuple[Field, ...]:
    """Values that do **not** match ``types``: one too many, one too few, or one position holding a
    value of another type. The type checker must refuse every one of them."""
    kind = cd.draw_integer(0, 2) if types else 0
    if kind == 1:
        return fields(cd, types[:-1], accounts)
    if kind == 2:
        values = list(fields(cd, types, accounts))
        i = cd.draw_integer(0, len(types) - 1)
        for _ in range(_WRONG_ATTEMPTS):
            wrong = field(cd, field_type(cd, 1), accounts)
            if not matches(wrong, types[i]):
                values[i] = wrong
                return tuple(values)
    return fields(cd, types, accounts) + (field(cd, FieldType.Uint8),)


def pricing_model(cd: Any) -> PricingModel:
    """Mostly free or a small PayOnce; sometimes a cheap Subscription or EventDriven."""
    kind = cd.draw_integer(0, 3)
    if kind == 0:
        return PricingModel.PayOnce(PayOnce(0))
    if kind == 1:
        return PricingModel.PayOnce(PayOnce(cd.draw_integer(0, 10 * UNIT)))
    if kind == 2:
        end = cd.draw_integer(1, 200) if cd.draw_boolean() else None
        return PricingModel.Subscription(Subscription(cd.draw_integer(0, UNIT), cd.draw_integer(1, 20), end))
    return PricingModel.EventDriven(EventDriven(cd.draw_integer(0, UNIT)))


def job_definition(cd: Any, max_params: int = 3) -> JobDefinition:
    name = _pick(cd, JOB_NAMES)
    params = tuple(field_type(cd) for _ in range(cd.draw_integer(0, max_params)))
    result = tuple(field_type(cd) for _ in range(cd.draw_integer(0, max_params)))
    return JobDefinition(JobMetadata(name), params, result, pricing_model(cd))


def service_blueprint(cd: Any, max_jobs: int = 3, max_registration_params: int = 1, max_request_params: int = 1) -> ServiceBlueprint:
    """A valid ``ServiceBlueprint`` using the default service manager (no contract at the address,
    so every hook allows and the blueprint owner is the slashing and dispute origin)."""
    name = _pick(cd, BLUEPRINT_NAMES)
    jobs = tuple(job_definition(cd) for _ in range(cd.draw_integer(1, max_jobs)))
    registration = tuple(field_type(cd, 1) for _ in range(cd.draw_integer(0, max_registration_params)))
    request = tuple(field_type(cd, 1) for _ in range(cd.draw_integer(0, max_request_params)))
    return ServiceBlueprint(metadata=ServiceMetadata(name, None, "tangle-sim", "stress", None, None, None, "MIT"), jobs=jobs,
                            registration_params=registration, request_params=request, supported_membership_models=_pick(cd, MEMBERSHIPS))
